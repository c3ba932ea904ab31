"""Tier 3: the dashboard in Debian's Chromium, used as a person would, with CDN assets served locally."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from harness import folium_frame, wait_for_app
from playwright.sync_api import expect

from geo import filters
from geo.events import load_events
from geo.filters import View

EVENTS = load_events()
MARKS = "path.event-mark"


def _metric(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _settle(page) -> None:
    """Wait for the rerun a widget change starts to finish."""
    page.wait_for_timeout(300)
    wait_for_app(page)


def _slider(page):
    """The date slider's keyboard-operable input (Streamlit draws it with react-aria)."""
    return page.locator("[data-testid='stSlider'] input[type='range']").first


@pytest.fixture
def dashboard(streamlit_app):
    return streamlit_app("dashboard.py")


def test_map_shows_countries_border_and_every_event(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    # Natural Earth countries drawn as vector shapes: the map reads with no tiles.
    expect(frame.locator("path.leaflet-interactive").filter(visible=True).first).to_be_visible()
    assert frame.locator("path.leaflet-interactive").count() > 20
    expect(frame.locator(MARKS)).to_have_count(len(EVENTS))
    assert _metric(page, "Events in view") == str(len(EVENTS))
    assert frame.locator(".country-label").get_by_text("Niger", exact=True).count() == 1
    # The legend stands beside the map, outside its iframe.
    assert page.locator("#map-legend").is_visible()
    assert page.offline.aborted_cdn_assets == []
    assert frame.locator(".leaflet-tile-loaded").count() == 0  # no web tiles unless asked
    page.screenshot(path=screenshots_dir / "dashboard_initial.png", full_page=True)


def test_slider_from_first_to_last_date_changes_the_marks(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    thumb = _slider(page)
    thumb.focus()
    page.keyboard.press("Home")
    _settle(page)
    expect(frame.locator(MARKS)).to_have_count(1)
    assert _metric(page, "Events in view") == "1"
    page.screenshot(path=screenshots_dir / "dashboard_first_date.png")
    thumb.focus()
    page.keyboard.press("End")
    _settle(page)
    expect(frame.locator(MARKS)).to_have_count(len(EVENTS))
    assert "date=" in page.url
    # Only this run's three layer groups (bases, movements, events) stay listed, not every earlier run's.
    assert frame.evaluate("() => window.feature_group.length") == 3


def test_slider_keeps_the_users_zoom(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-08-15")
    frame = folium_frame(page)
    frame.locator(".leaflet-control-zoom-in").click()
    _settle(page)
    expect(page).to_have_url(re.compile(r"zoom=6"))
    # Tag the live map element: if the slider rebuilt the map, the tag would be gone.
    frame.evaluate("() => { document.querySelector('.leaflet-container').dataset.sameMap = 'yes'; }")
    thumb = _slider(page)
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    _settle(page)
    expect(page).to_have_url(re.compile(r"date=2022-08-14"))
    assert frame.evaluate("() => document.querySelector('.leaflet-container').dataset.sameMap") == "yes"
    assert parse_qs(urlparse(page.url).query)["zoom"] == ["6"]


def test_country_filter_niger_shows_events_in_niger_and_the_routes_into_it(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Countries").click()
    page.get_by_role("option", name="Niger (NER)", exact=True).click()
    page.keyboard.press("Escape")
    _settle(page)
    # In Niger, or a troop movement whose route crosses into it (geo.filters.in_countries).
    in_niger = filters.filter_events(EVENTS, View(as_of=date(2022, 12, 31), countries=("NER",)))
    assert set(in_niger["geo_country"]) == {"NER", "MLI"} and set(in_niger["event_type"]) >= {"troop_movement"}
    expect(frame.locator(MARKS)).to_have_count(len(in_niger))
    assert _metric(page, "Events in view") == str(len(in_niger))
    assert parse_qs(urlparse(page.url).query)["country"] == ["NER"]
    tooltips = []
    for i in range(len(in_niger)):
        frame.locator(MARKS).nth(i).hover()
        tooltip = frame.locator(".leaflet-tooltip")
        expect(tooltip).to_have_count(1)
        tooltips.append(tooltip.inner_text())
    assert sorted(t.split(" (")[0] for t in tooltips) == sorted(in_niger["title"])
    page.screenshot(path=screenshots_dir / "dashboard_niger.png")


def test_popup_reads_its_sources(dashboard, app_page, screenshots_dir):
    url = dashboard + "?date=2022-02-17&country=FRA&q=allies+announce&lat=48.85&lon=2.35&zoom=6"
    page = app_page(url)
    frame = folium_frame(page)
    expect(frame.locator(MARKS)).to_have_count(1)
    frame.locator(MARKS).first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Reported by 5 of 5 articles")
    expect(popup).to_contain_text("17 February 2022")
    expect(popup).to_contain_text("France and partners officially announce withdrawal from Mali")
    page.screenshot(path=screenshots_dir / "dashboard_popup.png")


def test_shared_url_restores_the_same_view(dashboard, app_page, browser):
    page = app_page(dashboard)
    folium_frame(page)
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Event types").click()
    page.keyboard.type("attack")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    _settle(page)
    for expected in ("2022-08-15", "2022-08-01", "2022-07-01"):  # back through the attack dates
        page.get_by_role("button", name="Previous").click()
        expect(page).to_have_url(re.compile(f"date={expected}"))
        _settle(page)
    shared = page.url
    params = parse_qs(urlparse(shared).query)
    assert params["type"] == ["attack"] and "date" in params
    count = _metric(page, "Events in view")

    other = app_page(shared)
    frame = folium_frame(other)
    assert _metric(other, "Events in view") == count
    expect(frame.locator(MARKS)).to_have_count(int(count))
    assert parse_qs(urlparse(other.url).query)["date"] == params["date"]


def test_play_steps_forward_through_event_dates_then_pauses(dashboard, app_page):
    page = app_page(dashboard + "?date=2022-02-16")
    frame = folium_frame(page)
    page.get_by_role("button", name="Play through the events").click()
    # One step every 1.5 s: 16 → 17 → 18 February, the next event dates.
    expect(page).to_have_url(re.compile(r"date=2022-02-17"), timeout=15_000)
    expect(page).to_have_url(re.compile(r"date=2022-02-18"), timeout=15_000)
    page.get_by_role("button", name="Pause").click()
    _settle(page)
    paused_at = parse_qs(urlparse(page.url).query)["date"]
    page.wait_for_timeout(3_000)
    assert parse_qs(urlparse(page.url).query)["date"] == paused_at
    in_view = EVENTS[EVENTS["start"] <= paused_at[0]]
    expect(frame.locator(MARKS)).to_have_count(len(in_view))
