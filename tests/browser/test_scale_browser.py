"""Tier 3: a file of thousands of events draws grid cells, and filtering back to single marks keeps the map."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from harness import folium_frame, wait_for_app
from playwright.sync_api import expect

from geo import aggregate, filters
from geo.events import combine_events, load_events
from geo.importers import import_table
from geo.view import View

ROOT = Path(__file__).resolve().parents[2]
N_EVENTS = 2_000
WORD = "Kidal"


def _write_acled(path: Path) -> Path:
    """Write the benchmark's synthetic ACLED export (Mali, Niger, Burkina Faso; fixed seed)."""
    spec = importlib.util.spec_from_file_location("bench_map", ROOT / "benchmarks" / "bench_map.py")
    bench_map = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_map)
    bench_map.write_acled_csv(path, N_EVENTS)
    return path


def test_many_events_draw_cells_and_filtering_to_single_marks_keeps_the_map(
    streamlit_app, app_page, tmp_path, screenshots_dir
):
    data = _write_acled(tmp_path / "acled_synthetic.csv")
    shown = combine_events(load_events(), import_table(data).events)  # the dashboard's default: both
    last = filters.date_bounds(shown)[1]
    few = filters.filter_events(shown, View(as_of=last, text=WORD))
    assert 0 < len(few) <= aggregate.AGGREGATE_THRESHOLD < len(shown)  # the test's premise

    page = app_page(streamlit_app("dashboard.py", env={"SAHEL_DATA": str(data)}))
    frame = folium_frame(page)
    cells = frame.locator("path.aggregate-mark")
    expect(cells.first).to_be_visible()
    assert frame.locator("path.event-mark").count() == 0
    expect(page.get_by_text("too many to draw one by one")).to_be_visible()
    cells.first.click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("events")
    page.screenshot(path=screenshots_dir / "scale_cells.png")

    # Mark the map's document: a rebuilt iframe (the map losing its pan and zoom) would lose the mark.
    frame.evaluate("() => { window.__sameMap = true; }")
    search = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Search titles and descriptions")
    search.fill(WORD)
    search.press("Enter")
    wait_for_app(page)
    marks = frame.locator("path.event-mark")
    expect(marks).to_have_count(len(few))
    assert frame.locator("path.aggregate-mark").count() == 0
    assert frame.evaluate("() => window.__sameMap === true")
    page.screenshot(path=screenshots_dir / "scale_single_marks.png")
