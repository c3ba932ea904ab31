"""One scene (geo/scene.py): what a view shows, the same for the dashboard's map and every export."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
from helpers import app_metric, synthetic_events
from PIL import Image
from streamlit.testing.v1 import AppTest

from geo import aggregate, filters, snapshot
from geo.events import EVENTS_CSV
from geo.movements import movements_at
from geo.scene import period_text, view_scene
from geo.view import View

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
JUNE, JULY_END = date(2022, 6, 1), date(2022, 7, 31)


def test_period_in_words():
    assert period_text(View(as_of=date(2022, 8, 15))) == "up to 15 August 2022"
    window = View(as_of=JULY_END, mode="window", date_from=JUNE, date_to=JULY_END)
    assert period_text(window) == "from 1 June 2022 to 31 July 2022"


def test_scene_counts_what_it_draws(events, bases):
    window = View(as_of=JULY_END, mode="window", date_from=JUNE, date_to=JULY_END)
    scene = view_scene(events, bases, window)
    in_view = filters.filter_events(events, window)
    assert scene.in_view["event_id"].tolist() == in_view["event_id"].tolist()
    moving = movements_at(events, window.reference_date)
    under_way = set(moving.loc[moving["state"] == "under way", "event_id"])
    assert under_way and "barkhane-withdrawal-2022" in under_way  # Barkhane left Mali over these months
    assert scene.counts == {**filters.summary_counts(in_view), "under_way": len(under_way)}
    assert set(scene.moves.loc[scene.moves["state"] == "under way", "event_id"]) == under_way
    # Single marks: every event in view is drawn, the earlier ones faded; no cells.
    assert scene.cells is None
    assert set(in_view["event_id"]) <= set(scene.shown["event_id"])
    assert len(scene.status) == len(scene.shown)
    hidden = view_scene(events, bases, window, show_earlier=False)
    assert hidden.shown["event_id"].tolist() == in_view["event_id"].tolist()
    assert (
        scene.counts_text.startswith(f"{len(in_view):,} events in view")
        and f"{len(under_way)} movement{'s' if len(under_way) != 1 else ''} under way" in scene.counts_text
    )


def test_scene_draws_cells_above_the_threshold_and_rebins_them_per_zoom(bases):
    events = synthetic_events(3000)
    view = View(as_of=filters.date_bounds(events)[1])
    scene = view_scene(events, bases, view)
    assert scene.shown.empty and scene.cells is not None
    assert int(scene.cells["events"].sum()) == scene.counts["events"] == len(events)
    closer = scene.at_zoom(scene.zoom + 2)
    assert closer.zoom == scene.zoom + 2 and len(closer.cells) > len(scene.cells)
    assert closer.counts == scene.counts and int(closer.cells["events"].sum()) == len(events)


def test_fit_holds_marks_routes_and_bases_and_nothing_when_empty(events, bases):
    scene = view_scene(events, bases, View(as_of=date(2022, 8, 15)))
    lon, lat = scene.fit_lonlat()
    assert len(lon) == len(lat) > len(scene.shown)
    assert lon.min() <= scene.shown["longitude"].min() and lat.max() >= scene.shown["latitude"].max()
    empty = view_scene(events, bases, View(as_of=date(2022, 8, 15), text="zzz no such"))
    assert empty.shown.empty and len(empty.fit_lonlat()[0]) == 0


def test_dashboard_shows_the_scene(events, bases):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.run()
    at.radio(key="w_mode").set_value("window").run()
    at.slider(key="w_window").set_value((JUNE, JULY_END)).run()
    assert not at.exception
    scene = view_scene(events, bases, View(as_of=JULY_END, mode="window", date_from=JUNE, date_to=JULY_END))
    assert app_metric(at, "Events in view") == f"{scene.counts['events']:,}"
    assert app_metric(at, "Fatalities reported") == f"{scene.counts['fatalities']:,}"
    assert app_metric(at, "Events with unknown toll") == f"{scene.counts['unknown_toll']:,}"
    assert app_metric(at, "Movements under way") == str(scene.counts["under_way"])
    assert any(f"Showing events {scene.period}." in caption.value for caption in at.caption)


def test_exports_print_the_scene(events, sources, bases):
    window = View(as_of=JULY_END, mode="window", date_from=JUNE, date_to=JULY_END, center=(15.5, -1.5), zoom=5)
    options = snapshot.options_for_file(EVENTS_CSV)
    scene = view_scene(events, bases, window)
    sheet = snapshot.build_sheet(events, sources, bases, window, options)
    assert sheet.scene.counts == scene.counts and sheet.scene.period == scene.period
    assert sheet.scene.shown["event_id"].tolist() == scene.shown["event_id"].tolist()
    page = snapshot.html_bytes(events, sources, bases, window, options).decode("utf-8")
    assert f"Events {scene.period}" in page
    assert page.count('"className": "event-mark') == len(scene.shown)


def test_static_map_draws_the_cells_the_screen_draws(sources, bases):
    """Above the threshold the PNG draws grid cells, as the dashboard and the HTML export do."""
    events = synthetic_events(3000)
    view = View(as_of=filters.date_bounds(events)[1])
    options = snapshot.SnapshotOptions()
    sheet = snapshot.build_sheet(events, sources, bases, view, options)
    assert sheet.scene.cells is not None and sheet.scene.shown.empty
    image = Image.open(io.BytesIO(snapshot.image_bytes(events, sources, bases, view, options))).convert("RGB")
    pixels = np.asarray(image, dtype=int)
    biggest = sheet.scene.cells.sort_values("events", ascending=False).iloc[0]
    column, row = sheet.frame.pixel(biggest["longitude"], biggest["latitude"], options.dpi)
    # The biggest cell is 85 % cell orange over the land or sea beneath it.
    under = np.array([0xF3, 0xEF, 0xE4])
    expected = 0.85 * np.array([0xE8, 0x60, 0x1C]) + 0.15 * under
    assert np.abs(pixels[round(float(row)), round(float(column))] - expected).max() <= 12
    assert aggregate.should_aggregate(len(events))


def test_movements_filtered_from_the_subset_are_those_of_the_whole_data(events):
    """scene.troop_movements is a per-data-set shortcut: filtering it equals filtering every event."""
    from datetime import date

    from geo import filters
    from geo.scene import movement_view, troop_movements
    from geo.view import View

    for view in (View(as_of=date(2022, 8, 15)), View(as_of=date(2013, 2, 1), countries=("NER",)),
                 View(as_of=date(2022, 9, 1), mode="window", date_from=date(2022, 1, 1), date_to=date(2022, 9, 1), types=("attack",))):  # fmt: skip
        whole = filters.filter_events(events, movement_view(view))
        subset = filters.filter_events(troop_movements(events), movement_view(view))
        assert list(subset["event_id"]) == list(whole["event_id"])
    assert troop_movements(events) is troop_movements(events)  # selected once per data set
    assert set(troop_movements(events)["event_type"]) == {"troop_movement"}
