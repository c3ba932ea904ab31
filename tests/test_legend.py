"""geo.legend: an entry for every symbol the view draws, only for those, one line each."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from geo import aggregate, filters, legend, style
from geo.bases import base_status, load_bases
from geo.movements import movements_at
from geo.view import View


def _view_legend(events, **view_changes) -> str:
    view = View(as_of=view_changes.pop("as_of", date(2022, 12, 31)), **view_changes)
    marks = aggregate.view_marks(events, view)
    moves = movements_at(
        filters.filter_events(events, view.with_changes(types=("troop_movement",))), view.reference_date
    )
    bases = base_status(load_bases(), view.reference_date)
    return legend.legend_html(marks.shown, marks.status, moves, bases, marks.cells, floating=False)


def _entries(html: str) -> list[str]:
    return [re.sub("<[^>]+>", "", row) for row in re.findall(r'<div class="legend-row".*?</div>', html)]


def test_only_the_types_in_view_are_listed(events):
    html = _view_legend(events)
    entries = _entries(html)
    present = set(events["event_type"])
    for kind in style.TYPE_COLOURS:
        assert (kind.replace("_", " ") in entries) == (kind in present), kind
    # A type no event in view has is not listed: drop one that the data has.
    some = sorted(present)[1:]
    entries = _entries(_view_legend(events, types=tuple(some)))
    assert sorted(present)[0].replace("_", " ") not in entries


def test_a_filter_narrows_the_legend(events):
    entries = _entries(_view_legend(events, types=("announcement",)))
    assert "announcement" in entries and "statement" not in entries and "massacre" not in entries


def test_every_symbol_drawn_is_explained(events):
    entries = _entries(_view_legend(events))
    # The red dash-dot border, the place dots and the off-screen arrow are always drawn.
    assert "Mali–Niger border" in entries and "named place" in entries and any("off screen" in e for e in entries)
    # Every date precision in the data has its outline; earlier events are faded at the last date.
    for precision in set(events["date_precision"]):
        assert any(e.endswith(f"the {precision}") for e in entries), precision
    assert "faded: earlier" in entries
    # At the last date every movement is done; the bases are listed by the states they are in.
    assert "moved (done)" in entries and "moved (under way)" not in entries
    states = set(base_status(load_bases(), pd.Timestamp("2022-12-31"))["status"])
    for state in style.BASE_COLOURS:
        assert (f"base {state}" in entries) == (state in states), state
    # The swatches draw with the map's own colours and dash patterns.
    html = _view_legend(events)
    assert "B2182B" in html and "10%204%202%204" in html  # the border colour and dash, inside the data URIs


def test_a_movement_under_way_is_explained(events):
    entries = _entries(_view_legend(events, as_of=date(2022, 6, 1)))
    assert "moved (under way)" in entries and "force now" in entries and "base in use" in entries


def test_cells_replace_types_in_the_legend(events):
    many = pd.concat([events] * 20, ignore_index=True)
    html = _view_legend(many.sort_values("start", kind="stable").reset_index(drop=True))
    entries = _entries(html)
    assert "many events" in entries
    assert not any(kind.replace("_", " ") in entries for kind in style.TYPE_COLOURS)


def test_unknown_types_from_imports_are_escaped_and_listed(events):
    odd = events.iloc[[0]].copy()
    odd["event_type"] = "<b>riot</b>"
    html = legend.legend_html(odd, ["current"], floating=False)
    assert "&lt;b&gt;riot&lt;/b&gt;" in html and "<b>riot</b>" not in html


def test_swatch_shapes_have_the_circles_area():
    """A square, diamond or triangle mark covers what a circle of the same radius does (the toll reads by area)."""
    from shapely.geometry import Polygon

    for shape in ("square", "diamond", "triangle"):
        path = legend.shape_path(shape, 0.0, 0.0, 10.0)
        numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", path)]
        if shape == "square":  # M x,y h w v w h -w z
            area = numbers[2] * numbers[2]
        else:
            points = list(zip(numbers[0::2], numbers[1::2], strict=True))
            area = Polygon(points).area
        assert abs(area - 3.14159 * 100) / (3.14159 * 100) < 0.01, (shape, path, area)
