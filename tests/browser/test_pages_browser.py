"""Tier 3: the four pages in Debian's Chromium, opened from the sidebar navigation and used as a person would."""

from __future__ import annotations

import re

from harness import folium_frame, metric_value, url_params, wait_for_app
from playwright.sync_api import expect

from geo.events import load_events

EVENTS = load_events()
LAST_DAY = "2022-12-31"


def _open_from_sidebar(page, label: str) -> None:
    """Click a page in the sidebar's navigation and wait for its script to finish."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=label).click()
    path = "" if label == "dashboard" else label.replace(" ", "_")  # the main page is the app's root
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/{path}(\?|$)"))
    expect(page.locator("h1").first).to_be_visible()
    wait_for_app(page)


def _date_slider(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSlider").first


def test_timeline_click_on_the_chart_moves_the_date(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    _open_from_sidebar(page, "Timeline")
    expect(page.get_by_role("heading", name="Timeline", exact=True)).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4)
    assert url_params(page)["date"] == [LAST_DAY]
    expect(_date_slider(page)).to_contain_text("31 Dec 2022")

    # Every event as a point: clicks pick the nearest one, so the middle of 2022's crowd moves the date there.
    strip = charts.nth(1)
    strip.scroll_into_view_if_needed()
    canvas = strip.locator("canvas, svg").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] * 0.93, "y": box["height"] * 0.45})
    expect(page).not_to_have_url(re.compile(rf"date={LAST_DAY}"), timeout=20_000)
    wait_for_app(page)
    picked = url_params(page)["date"][0]
    assert picked in {d.date().isoformat() for d in EVENTS["start"]}, picked
    in_view = int((EVENTS["start"] <= picked).sum())
    expect(metric_value(page, "Of which in view")).to_have_text(str(in_view))
    page.mouse.move(5, 5)  # let the tooltip go, so the screenshot shows the chart
    page.screenshot(path=screenshots_dir / "pages_timeline_picked.png", full_page=True)

    # The map follows: the date picked on the timeline holds on the dashboard.
    _open_from_sidebar(page, "dashboard")
    expect(metric_value(page, "Events in view")).to_have_text(str(in_view))
    assert url_params(page)["date"] == [picked]


def test_events_and_sources_slider_keeps_well_reported_events(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    _open_from_sidebar(page, "Events and sources")
    expect(metric_value(page, "Events shown")).to_have_text(str(len(EVENTS)))
    thumb = page.get_by_test_id("stMain").get_by_test_id("stSlider").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("End")  # every one of the five articles
    every = int((EVENTS["sources"].str.count(";") == 4).sum())
    expect(metric_value(page, "Events shown")).to_have_text(str(every))
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    page.screenshot(path=screenshots_dir / "pages_events_and_sources.png", full_page=True)


def test_places_pick_two_places_and_read_the_distance(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    _open_from_sidebar(page, "Places and distances")
    distance = metric_value(page, "Geodesic distance")
    expect(distance).to_have_text(re.compile(r"^1\d\.\d km$"))  # Kati–Bamako, about 15 km (article 003)
    frame = folium_frame(page)
    expect(frame.locator(".place-label").filter(has_text="Timbuktu")).to_have_count(1)
    expect(frame.locator("path.place-pair")).to_have_count(1)

    page.get_by_test_id("stSelectbox").filter(has_text="From").click()
    page.get_by_role("option", name="Gao", exact=True).click()
    expect(distance).not_to_have_text(re.compile(r"^1\d\.\d km$"))
    page.get_by_test_id("stSelectbox").filter(has_text="To").click()
    page.get_by_role("option", name="Niamey", exact=True).click()
    expect(distance).to_have_text(re.compile(r"^3\d\d\.\d km$"))
    wait_for_app(page)
    frame = folium_frame(page)
    expect(frame.locator("path.place-pair")).to_have_count(1)
    assert page.offline.aborted_cdn_assets == []
    # The page's own copies of Leaflet and jQuery (geo/assets), as the dashboard's map: it works offline.
    assert not [u for u in page.offline.served if "leaflet" in u or "jquery" in u], "the places map used a CDN"
    page.screenshot(path=screenshots_dir / "pages_places_gao_niamey.png", full_page=True)


def test_about_cites_a_filter_set_on_another_page(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    # Set a country on the map page, then open About from the sidebar: the filter holds there.
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name="Niger (NER)").click()
    page.keyboard.press("Escape")  # close the list, which would otherwise catch the next click
    expect(page).to_have_url(re.compile(r"country=NER"))
    wait_for_app(page)
    _open_from_sidebar(page, "About")
    expect(page.get_by_role("heading", name="Known gaps")).to_be_visible()
    codes = page.get_by_test_id("stCode")
    expect(codes.first).to_contain_text("country=NER")
    assert url_params(page)["country"] == ["NER"]

    # One control on this page: step back to the previous event date; the citation follows.
    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("Previous")).click()
    expect(codes.first).to_contain_text("date=2022-08-15")
    expect(codes.nth(2)).to_contain_text("--date 2022-08-15 --country NER")
    wait_for_app(page)
    page.screenshot(path=screenshots_dir / "pages_about.png", full_page=True)
