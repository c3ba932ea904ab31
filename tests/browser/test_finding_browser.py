"""Tier 3: finding and reading (issue 13) in Debian's Chromium.

Search that forgives, filters that mean what they say, the timeline's bar click, the layout at phone
and small-laptop sizes, axe-core on every page, the Streamlit chrome, and a broken ``events.csv``.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from urllib.parse import urlparse

import pytest
from harness import (
    FOLIUM_IFRAME,
    REPO_ROOT,
    folium_frame,
    metric_value,
    new_offline_page,
    runs,
    url_params,
    wait_for_app,
    wait_until_settled,
)
from offline import NODE_MODULES
from playwright.sync_api import expect

from geo import filters
from geo.events import load_events
from geo.view import View

EVENTS = load_events()
LAST = date(2022, 12, 31)
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
#: Watched after an action, to see that the app stays idle and the map stays put (no fixed sleep stands for a wait).
STEADY_MS = 20_000
PAGES = {"Timeline": "Timeline", "Events and sources": "Events_and_sources",
         "Places and distances": "Places_and_distances", "About": "About"}  # fmt: skip


def _watch_steady(page, frame=None) -> None:
    """Watch the app for STEADY_MS after an action: no rerun, same URL, and the map's view unchanged.

    The watch starts once the action's own reruns are over (the map reports its view after new layers).
    """
    wait_until_settled(page)
    url = page.url
    view = frame.evaluate("() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]") if frame else None
    before = runs(page)["started"]
    page.wait_for_timeout(STEADY_MS)  # the watch itself: nothing should happen in it
    reruns = runs(page)["started"] - before
    assert reruns == 0, f"{reruns} reruns while nobody touched the page"
    assert page.url == url
    if frame is not None:
        assert frame.evaluate("() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]") == view


def _search(page, text: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Search titles and descriptions")
    box.fill(text)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="), timeout=20_000)
    wait_for_app(page)


def _axe(page_or_frame) -> list[dict]:
    """Run axe-core in a page or frame and return its serious and critical violations."""
    page_or_frame.add_script_tag(path=str(AXE_JS))
    result = page_or_frame.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n.get("failureSummary", "")[:300], n.get("html", "")[:200]) for n in v["nodes"]][
                :5
            ],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("typed", "same_as", "says"),
    [
        ("Elysee", "Élysée", "'Elysee' matched 'élysée' (accents and case ignored)"),
        ("Tombouctou", "Timbuktu", "'Tombouctou' matched place Timbuktu"),
        ("Gueta", "Goïta", "'Gueta' matched actor Goïta"),
    ],
)
def test_searches_with_and_without_accents_and_in_french_find_the_same_events(
    dashboard, app_page, screenshots_dir, typed, same_as, says
):
    expected = filters.filter_events(EVENTS, View(as_of=LAST, text=same_as))
    assert len(expected) > 0
    page = app_page(dashboard + "Events_and_sources")
    _search(page, same_as)
    expect(metric_value(page, "Events shown")).to_have_text(str(len(expected)))
    _search(page, typed)
    expect(metric_value(page, "Events shown")).to_have_text(str(len(expected)))
    expect(page.get_by_test_id("stSidebar").get_by_text(says)).to_be_visible()
    # The same on the map: one mark per event found, whichever spelling was typed.
    page.goto(dashboard + "?" + urlparse(page.url).query)
    wait_until_settled(page)
    frame = folium_frame(page)
    expect(frame.locator("path.event-mark")).to_have_count(len(expected))
    expect(metric_value(page, "Events in view")).to_have_text(str(len(expected)))
    page.screenshot(path=screenshots_dir / f"finding_search_{typed}.png")


def test_the_niger_filter_keeps_the_route_into_niger_and_drops_malis_bases(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    expect(frame.locator("path.base-mark")).to_have_count(3)  # Gao, Kati, Niamey
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Countries").click()
    page.get_by_role("option", name="Niger (NER)", exact=True).click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"country=NER"), timeout=20_000)
    wait_for_app(page)
    assert url_params(page)["country"] == ["NER"]
    kept = filters.filter_events(EVENTS, View(as_of=LAST, countries=("NER",)))
    assert "barkhane-withdrawal-2022" in set(kept["event_id"])
    routes_into_niger = int((kept["event_type"] == "troop_movement").sum())
    expect(metric_value(page, "Events in view")).to_have_text(str(len(kept)))
    # The withdrawal's route from Gao into Niger is drawn; only the base in Niger is left.
    expect(frame.locator("path.movement-route")).to_have_count(routes_into_niger)
    expect(frame.locator("path.base-mark")).to_have_count(1)
    # Which base: read from the mark's own tooltip (the routes lie over it, so a pointer cannot reach it).
    names = frame.evaluate(
        """() => Object.values(map._layers)
            .filter(l => (l.options.className || '').includes('base-mark') && l._map && l.getTooltip())
            .map(l => l.getTooltip().getContent())"""
    )
    assert len(names) == 1 and "Barkhane in Niger (France (Barkhane)): in use" in names[0], names
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("counts once, in every country"))).to_be_visible()
    page.screenshot(path=screenshots_dir / "finding_niger.png")
    page.mouse.move(5, 5)
    _watch_steady(page, frame)


@pytest.mark.parametrize("size", [(390, 844), (1280, 720), (1920, 1080)])
def test_the_whole_map_fits_the_screen(dashboard, browser, screenshots_dir, size):
    width, height = size
    page = new_offline_page(browser, {"width": width, "height": height})
    try:
        page.goto(dashboard)
        wait_for_app(page)
        wait_until_settled(page)
        frame = folium_frame(page)
        box = page.locator(FOLIUM_IFRAME).bounding_box()
        # On the first screen, without scrolling: from its top edge to its bottom edge, and not cut at the sides.
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (size, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (size, box)
        metrics = page.get_by_test_id("stMetric")
        tallest = max(metrics.nth(i).bounding_box()["height"] for i in range(metrics.count()))
        assert tallest <= 70, f"figures {tallest:.0f} px tall at {size}"
        # A mark still opens its popup where the frame is drawn smaller. The click goes where a person
        # would put the pointer on screen: the mark's place in the frame, scaled as the frame is drawn.
        mark = frame.evaluate(
            """() => { const r = document.querySelector('path.event-mark.event-massacre').getBoundingClientRect();
                       return [r.x + r.width / 2, r.y + r.height / 2, window.innerWidth]; }"""
        )
        scale = box["width"] / mark[2]
        page.mouse.click(box["x"] + mark[0] * scale, box["y"] + mark[1] * scale)
        expect(frame.locator(".leaflet-popup-content")).to_contain_text("Reported by")
        page.screenshot(path=screenshots_dir / f"finding_dashboard_{width}x{height}.png")
    finally:
        page.context.close()


def test_the_deploy_button_and_developer_menu_are_hidden(dashboard, app_page):
    page = app_page(dashboard)
    expect(page.get_by_test_id("stToolbar")).to_be_attached()
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    page.get_by_test_id("stMainMenu").click()
    menu = page.get_by_test_id("stMainMenuList")
    expect(menu).to_be_visible()
    for developer_item in ("Rerun", "Clear cache", "Record a screencast", "Developer options"):
        expect(menu.get_by_text(developer_item, exact=True)).to_have_count(0)


@pytest.mark.parametrize("label", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(dashboard, app_page, label, screenshots_dir):
    page = app_page(dashboard + PAGES[label])
    expect(page.locator("h1").first).to_be_visible()
    if label == "Timeline":
        expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(4)
    if label == "Places and distances":
        folium_frame(page)
    wait_until_settled(page)  # a rerun fades the page's elements, which axe would read as low contrast
    violations = _axe(page)
    page.screenshot(path=screenshots_dir / f"finding_axe_{PAGES[label]}.png", full_page=True)
    assert violations == [], violations


def test_a_click_on_a_month_bar_moves_the_date_there(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard + "Timeline")
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4)
    assert url_params(page)["date"] == [LAST.isoformat()]
    bars = charts.nth(0)
    bars.scroll_into_view_if_needed()
    canvas = bars.locator("canvas, svg").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    # Find a bar as a person does, by pointing along the axis until a month's tooltip shows.
    tooltip = page.locator("#vg-tooltip-element")
    found = None
    for step in range(40, 400):
        x = box["width"] * step / 400
        y = box["height"] * 0.55
        page.mouse.move(box["x"] + x, box["y"] + y)
        if tooltip.is_visible() and "Month" in (tooltip.inner_text() or ""):
            text = tooltip.inner_text()
            if "February 2022" in text:
                found = (x, y)
                break
    assert found, "no bar for February 2022 under the pointer"
    canvas.click(position={"x": found[0], "y": found[1]})
    expect(page).to_have_url(re.compile(r"date=2022-02-28"), timeout=20_000)
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stSlider").first).to_contain_text("28 Feb 2022")
    in_view = int((EVENTS["start"] <= "2022-02-28").sum())
    expect(metric_value(page, "Of which in view")).to_have_text(str(in_view))
    page.mouse.move(5, 5)
    page.screenshot(path=screenshots_dir / "finding_timeline_bar_click.png", full_page=True)
    _watch_steady(page)


@pytest.fixture
def broken_copy(tmp_path):
    """A copy of the app whose events.csv names an unknown place (Tesit) on the Tessit attack's row."""
    root = tmp_path / "app"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(".git", "node_modules", "screenshots",
                                                                      "__pycache__", ".pytest_cache"))  # fmt: skip
    lines = (root / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("tessit-attack-2022-08,"))
    lines[row] = lines[row].replace(",Tessit,MLI,", ",Tesit,MLI,")
    (root / "events.csv").write_text("".join(lines), encoding="utf-8")
    return root, row + 1


def test_a_broken_events_file_shows_the_refusal_and_no_traceback(streamlit_app, app_page, broken_copy,
                                                                   screenshots_dir):  # fmt: skip
    root, row = broken_copy
    url = streamlit_app("dashboard.py", root=root)
    for path in ["", *PAGES.values()]:
        page = app_page(url + path, wait=False)  # no map on a refusal page: nothing reports
        wait_for_app(page)
        expect(page.get_by_role("heading", name="The data could not be loaded")).to_be_visible()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("events.csv")
        table = alert.locator("table")
        expect(table.locator("td").nth(0)).to_have_text(str(row))
        expect(table.locator("td").nth(1)).to_have_text("location")
        expect(table.locator("td").nth(2)).to_have_text("Tesit")
        expect(table.locator("td").nth(3)).to_contain_text("did you mean 'Tessit'?")
        expect(alert).to_contain_text("How to fix it")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert "Traceback" not in page.inner_text("body")
        expect(page.locator(FOLIUM_IFRAME)).to_have_count(0)
        if not path:
            page.screenshot(path=screenshots_dir / "finding_broken_events.png")
