"""geo.inview: the map's frame, the events off it, and the list that stands for the map."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo import aggregate, inview, style
from geo.view import View


def test_default_frame_holds_the_sahel_places_and_not_paris(places):
    frame = inview.frame_bounds(style.DEFAULT_CENTER, style.DEFAULT_ZOOM)
    sahel = places.loc[places["name"].isin(["Bamako", "Kati", "Gao", "Tessit", "Timbuktu", "Niamey"])]
    assert inview.on_screen(sahel, frame).all()
    assert not inview.on_screen(places.loc[places["name"] == "Paris"], frame).any()


def test_frame_follows_leaflet_geometry():
    # At zoom 0 a 256-pixel map shows the whole world in longitude and Web Mercator's latitude range.
    south, west, north, east = inview.frame_bounds((0.0, 0.0), 0, (256, 256))
    assert (west, east) == (-180.0, 180.0)
    assert north == pytest.approx(85.0511, abs=1e-3) and south == pytest.approx(-85.0511, abs=1e-3)


def test_reported_bounds_are_used_and_bad_ones_ignored():
    reported = {"_southWest": {"lat": 10, "lng": -10}, "_northEast": {"lat": 50, "lng": 10}}
    assert inview.reported_bounds(reported) == (10.0, -10.0, 50.0, 10.0)
    assert inview.reported_bounds({"_southWest": {"lat": "x"}}) is None and inview.reported_bounds(None) is None
    assert inview.view_bounds(reported, (0.0, 0.0), 3) == (10.0, -10.0, 50.0, 10.0)
    # Without a report, the frame of the view's centre and zoom.
    assert inview.view_bounds(None, (48.85, 2.35), 6) == inview.frame_bounds((48.85, 2.35), 6)


def test_off_screen_note_names_paris_and_counts_six(events):
    view = View(as_of=date(2022, 12, 31))
    in_view = aggregate.view_marks(events, view).in_view
    note = inview.off_screen_note(in_view, inview.frame_bounds(style.DEFAULT_CENTER, style.DEFAULT_ZOOM))
    assert note == (
        f"6 of the {len(in_view)} events in view are off the map's frame (` Paris `): the arrow at its edge brings them in."
    )
    # A frame round Paris leaves the Sahel's events off instead.
    paris_note = inview.off_screen_note(in_view, inview.frame_bounds((48.85, 2.35), 6))
    assert paris_note.startswith(f"{len(in_view) - 6} of the {len(in_view)} events") and "places" in paris_note
    assert inview.off_screen_note(in_view, (-90, -180, 90, 180)) is None


def test_list_has_every_event_its_place_on_screen_and_sources(events, sources):
    view = View(as_of=date(2022, 12, 31))
    in_view = aggregate.view_marks(events, view).in_view
    table = inview.in_view_table(in_view, sources, inview.frame_bounds(style.DEFAULT_CENTER, style.DEFAULT_ZOOM))
    assert len(table) == len(in_view)
    assert (table.loc[table["Place"] == "Paris", "On the map"] == "off screen").sum() == 6
    assert (table["On the map"] == "yes").sum() == len(in_view) - 6
    announcement = table.loc[table["Date"] == "17 February 2022"]
    assert not announcement.empty and announcement["Reported by"].str.contains(r"\[\d{3}\]").all()
    assert list(table["Date"]) == list(in_view.sort_values("start", kind="stable")["date_label"])


def test_list_html_escapes_text_from_data(events, sources):
    evil = events.iloc[[0]].copy()
    evil["title"] = "<img src=x onerror=alert(1)>"
    html = inview.map_as_list_html(evil, sources)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_list_with_cells_says_so(events, sources):
    lean = events[["latitude", "longitude", "start"]]
    assert "too many to list" in inview.map_as_list_html(lean, sources)


def test_the_list_of_curated_and_imported_events_reads_the_same_from_categoricals_as_from_text(events, sources):
    # An ACLED import's title, description, actors and search text are categoricals; the list reads its
    # "Reported by" from three plain columns, and must give what the same rows as plain text give.
    from pathlib import Path

    from geo.events import combine_events
    from geo.importers import import_table

    imported = import_table(Path(__file__).parent / "fixtures" / "import" / "acled_current.csv").events
    both = combine_events(events, imported)
    categorical = [c for c, t in both.dtypes.items() if isinstance(t, pd.CategoricalDtype)]
    assert "search_text" in categorical and "title" in categorical
    as_text = both.assign(**{c: both[c].astype(object) for c in categorical})
    table = inview.in_view_table(both, sources, limit=len(both))
    pd.testing.assert_frame_equal(table, inview.in_view_table(as_text, sources, limit=len(both)))
    assert table["Reported by"].str.startswith("ACLED ").sum() == len(imported)
    assert table["Reported by"].str.startswith("[").sum() == len(events)
