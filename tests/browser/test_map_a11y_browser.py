"""Tier 3: the map by keyboard and screen reader, and axe-core on the dashboard and in the map's frame (issue 13, item 4)."""

from __future__ import annotations

import json

import pytest
from harness import APP_IDLE, folium_frame, wait_until_settled
from offline import NODE_MODULES
from playwright.sync_api import expect

from geo.events import load_events
from geo.map_aids import MAP_TITLE

EVENTS = load_events()
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
#: Runs axe-core in a document and returns its serious and critical violations, with a few of their nodes.
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def _focused(frame) -> dict:
    return frame.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName.toLowerCase(), cls: el.getAttribute("class") || "",
                           name: el.getAttribute("aria-label") || el.textContent.slice(0, 60)}; }"""
    )


def test_the_map_frame_has_a_real_title(dashboard, app_page):
    page = app_page(dashboard)
    folium_frame(page)
    expect(page.locator(f"iframe[title='{MAP_TITLE}']")).to_have_count(1)
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 0


def test_tab_reaches_a_named_mark_within_a_few_stops_and_enter_opens_its_popup(dashboard, app_page, screenshots_dir):
    page = app_page(dashboard + "?date=2022-08-15")
    frame = folium_frame(page)
    frame.locator(".leaflet-container").focus()
    stops = []
    for _ in range(5):
        page.keyboard.press("Tab")
        stops.append(_focused(frame))
        if "event-mark" in stops[-1]["cls"]:
            break
    assert "event-mark" in stops[-1]["cls"], stops
    assert len(stops) <= 3, stops  # countries, borders and routes are no tab stops
    titles = {f"{t} ({d})" for t, d in zip(EVENTS["title"], EVENTS["date_label"], strict=True)}
    name = stops[-1]["name"]
    assert name in titles, name
    page.keyboard.press("Enter")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup.locator("h4")).to_have_text(name.rsplit(" (", 1)[0])
    page.locator("iframe").first.screenshot(path=screenshots_dir / "map_keyboard_popup.png")
    # The next Tab goes on to the next mark, and Escape closes the popup.
    page.keyboard.press("Tab")
    assert "event-mark" in _focused(frame)["cls"]
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    # No country outline or line is a tab stop.
    assert (
        frame.evaluate(
            """() => [...document.querySelectorAll("path.leaflet-interactive")]
            .filter(p => !p.classList.contains("event-mark") && p.tabIndex >= 0).length"""
        )
        == 0
    )


def test_axe_finds_no_serious_or_critical_violation_on_the_dashboard_or_in_the_map(dashboard, app_page):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/browser")
    page = app_page(dashboard)
    frame = folium_frame(page)
    # Wait for the map's first report rerun to finish: Streamlit fades stale elements while it runs.
    wait_until_settled(page)
    page.locator(APP_IDLE).wait_for(state="attached")
    frame.wait_for_function("() => window.offscreenEvents !== undefined")
    found = {}
    for where, target in (("dashboard", page), ("map frame", frame)):
        target.add_script_tag(path=str(AXE))
        found[where] = target.evaluate(RUN_AXE)
    assert found == {"dashboard": [], "map frame": []}, json.dumps(found, indent=1)
