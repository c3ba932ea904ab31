"""Tier 3: the live map names its places and shows where the off-screen events are (issue 11, items 4 and 5)."""

from __future__ import annotations

from harness import APP_IDLE, folium_frame
from playwright.sync_api import expect

from geo.events import load_events

EVENTS = load_events()
MISSION = ("Bamako", "Gao", "Kati", "Tessit", "Timbuktu", "Niamey")
N_PARIS = int((EVENTS["location"] == "Paris").sum())

#: Counts the app's reruns: every time the script state turns to "running".
COUNT_RERUNS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__reruns = 0;
    new MutationObserver(() => {
        if (app.getAttribute("data-test-script-state") === "running") { window.__reruns += 1; }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""

#: How many event marks lie inside the map's bounds, and how many of those are in Paris.
MARKS_IN_VIEW = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const bounds = map.getBounds();
    let all = 0, paris = 0;
    map.eachLayer(layer => {
        const p = layer.feature && layer.feature.properties;
        if (p && p.count && layer.getLatLng && bounds.contains(layer.getLatLng())) {
            all += 1;
            if (p.place === "Paris") { paris += 1; }
        }
    });
    return {all, paris, zoom: map.getZoom(), center: map.getCenter()};
}"""


def _boxes(frame, selector: str) -> list[dict]:
    return frame.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null && getComputedStyle(el).display !== "none")
            .map(el => { const r = el.getBoundingClientRect();
                         return {text: el.textContent, x1: r.left, y1: r.top, x2: r.right, y2: r.bottom}; })""",
        selector,
    )


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]
    ]


def test_mission_places_and_the_border_are_named_as_text(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    for name in MISSION:
        expect(frame.locator(".place-name").get_by_text(name, exact=True)).to_be_visible()
    border = frame.locator("text.border-label")
    expect(border).to_have_text("Mali–Niger border")
    assert border.bounding_box()["height"] > 10  # drawn, not an empty element
    # Decluttered: no two names shown at the first zoom overlap each other or a country's name.
    names = _boxes(frame, ".place-name") + _boxes(frame, ".country-label")
    assert _overlapping([b for b in names if b["text"] not in ("",)]) == []
    # The other places wait for a closer zoom.
    expect(frame.locator(".place-name").get_by_text("Ansongo", exact=True)).to_be_hidden()
    page.locator("iframe").first.screenshot(path=screenshots_dir / "map_place_names_zoom5.png")


def test_closer_in_the_other_places_are_named_too(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard + "?date=2022-08-15&lat=15.3&lon=0.4&zoom=7")
    frame = folium_frame(page)
    for name in ("Ansongo", "Ayorou", "Gao", "Tessit"):
        expect(frame.locator(".place-name").get_by_text(name, exact=True)).to_be_visible()
    assert _overlapping(_boxes(frame, ".place-name")) == []
    page.locator("iframe").first.screenshot(path=screenshots_dir / "map_place_names_zoom7.png")


def test_paris_edge_marker_brings_its_events_into_view_and_they_stay(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard)
    frame = folium_frame(page)
    # The counts say that some events in view are off the map's frame.
    expect(page.get_by_text(f"{N_PARIS} of the {len(EVENTS)} events in view are off the map's frame")).to_be_visible()
    # The place comes from a data file, so it is written as a literal code span (geo.escaping); in the
    # caption it reads as the sentence's own words, not as code.
    place = page.locator("[data-testid='stCaptionContainer'] code").filter(has_text="Paris")
    assert place.evaluate("""(el) => {
        const own = getComputedStyle(el), sentence = getComputedStyle(el.closest("p"));
        return own.fontFamily === sentence.fontFamily && own.backgroundColor === "rgba(0, 0, 0, 0)";
    }""")
    edge = frame.locator(".offscreen-marker")
    expect(edge).to_have_count(1)
    expect(edge).to_contain_text(f"{N_PARIS} events · Paris")
    assert frame.evaluate(MARKS_IN_VIEW)["paris"] == 0
    page.locator("iframe").first.screenshot(path=screenshots_dir / "map_edge_marker_before.png")
    page.evaluate(COUNT_RERUNS)
    edge.click()
    frame.wait_for_function("() => window.offscreenEvents === 0", timeout=15_000)
    seen = frame.evaluate(MARKS_IN_VIEW)
    assert seen["paris"] == N_PARIS and seen["all"] == len(EVENTS), seen
    # Steady state: for 20 s the map keeps the view the click gave it, and the app goes idle.
    for _ in range(10):
        page.wait_for_timeout(2_000)
        now = frame.evaluate(MARKS_IN_VIEW)
        assert now["paris"] == N_PARIS and now["zoom"] == seen["zoom"], (seen, now)
    page.locator(APP_IDLE).wait_for(state="attached")
    # One report of the new view may rerun the script; a loop would show many.
    assert page.evaluate("() => window.__reruns") <= 1
    expect(page.get_by_text("are off the map's frame")).to_have_count(0)
    page.locator("iframe").first.screenshot(path=screenshots_dir / "map_edge_marker_after.png")
