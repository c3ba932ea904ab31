"""Grid cells for large views: totals kept for any filter, one cell per event, a payload bounded by the cells."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from helpers import TYPES, app_metric, synthetic_events, synthetic_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geo import aggregate, filters, mapview, ui
from geo.bases import base_status, load_bases
from geo.view import MODES, View

ROOT = Path(__file__).resolve().parent.parent


@st.composite
def views(draw, events) -> View:
    first, last = filters.date_bounds(events)
    span = (last - first).days
    a = first + timedelta(days=draw(st.integers(-30, span + 30)))
    b = first + timedelta(days=draw(st.integers(-30, span + 30)))
    countries = sorted(set(events["geo_country"]))
    types = sorted(set(events["event_type"]))
    return View(
        as_of=a,
        mode=draw(st.sampled_from(MODES)),
        date_from=min(a, b),
        date_to=max(a, b),
        countries=tuple(draw(st.lists(st.sampled_from(countries), max_size=2, unique=True))),
        types=tuple(draw(st.lists(st.sampled_from(types), max_size=3, unique=True))),
        text=draw(st.sampled_from(["", "convoy", "drone market", "GAO", "zzz no such word"])),
    )


grids = st.one_of(
    st.builds(dict, zoom=st.integers(0, 14)),
    st.builds(dict, cell_deg=st.sampled_from([0.01, 0.1, 0.25, 0.3, 1.0, 1.7, 5.0])),
)


def check_cells(in_view: pd.DataFrame, cells) -> None:
    """Totals kept, every event in exactly one cell, every cell's box holding its events and its mark."""
    assert cells.crs.to_epsg() == 4326
    assert int(cells["events"].sum()) == len(in_view)
    assert int(cells["fatalities"].sum()) == int(in_view["fatalities"].sum(skipna=True))
    assert int(cells["unknown_toll"].sum()) == int(in_view["fatalities"].isna().sum())
    assert (cells["events"] > 0).all()
    if in_view.empty:
        assert cells.empty
        return
    lon = in_view["longitude"].to_numpy()[:, None]
    lat = in_view["latitude"].to_numpy()[:, None]
    west, south, east, north = (cells.geometry.bounds[c].to_numpy()[None, :] for c in ("minx", "miny", "maxx", "maxy"))
    # Cells are half-open boxes [west, east) x [south, north): exactly one holds each event.
    member = (lon >= west) & (lon < east) & (lat >= south) & (lat < north)
    assert (member.sum(axis=1) == 1).all()
    assert (member.sum(axis=0) == cells["events"].to_numpy()).all()
    marks = gpd.GeoSeries(gpd.points_from_xy(cells["longitude"], cells["latitude"]), index=cells.index, crs=4326)
    assert cells.geometry.covers(marks).all()
    fatalities = in_view["fatalities"].fillna(0).to_numpy(dtype=float)
    assert (member.T.astype(float) @ fatalities == cells["fatalities"].to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), grid=grids, max_cells=st.sampled_from([4, 7, aggregate.MAX_CELLS]))
def test_cells_keep_the_totals_of_any_view_of_synthetic_events(data, grid, max_cells):
    events = synthetic_events()
    in_view = filters.filter_events(events, data.draw(views(events)))
    cells = aggregate.aggregate_events(in_view, max_cells=max_cells, **grid)
    assert len(cells) <= max_cells
    check_cells(in_view, cells)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), grid=grids)
def test_cells_keep_the_totals_of_any_view_of_the_curated_events(events, data, grid):
    in_view = filters.filter_events(events, data.draw(views(events)))
    check_cells(in_view, aggregate.aggregate_events(in_view, **grid))


def test_a_cell_describes_its_events():
    frame = pd.DataFrame(
        {
            "latitude": [12.61, 12.62, 12.63, 16.27],
            "longitude": [-7.99, -7.98, -7.97, -0.04],
            "fatalities": pd.array([3, None, 4, 1], dtype="Int64"),
            "event_type": ["attack", "massacre", "attack", "troop_movement"],
            "start": pd.to_datetime(["2022-01-05", "2022-02-01", "2022-03-09", "2022-08-15"]),
            "end": pd.to_datetime(["2022-01-05", "2022-02-28", "2022-03-09", "2022-08-15"]),
        }
    )
    cells = aggregate.aggregate_events(frame, zoom=5).set_index(["cell_x", "cell_y"])
    bamako = cells.loc[(-4, 6)]  # 2-degree cells: x in [-8, -6), y in [12, 14)
    assert bamako["events"] == 3 and bamako["fatalities"] == 7 and bamako["unknown_toll"] == 1
    assert bamako["top_types"] == "attack 2, massacre 1"
    assert bamako["period"] == "2022-01-05 – 2022-03-09"
    assert bamako["latitude"] == pytest.approx(12.62) and bamako["longitude"] == pytest.approx(-7.98)
    assert tuple(bamako.geometry.bounds) == (-8.0, 12.0, -6.0, 14.0)
    assert cells.loc[(-1, 8), "top_types"] == "troop movement 1"
    assert cells.loc[(-1, 8), "period"] == "2022-08-15"


def test_cell_size_follows_the_zoom_and_cells_nest():
    assert aggregate.cell_size_deg(None) == aggregate.cell_size_deg(mapview.DEFAULT_ZOOM) == 2.0
    assert [aggregate.cell_size_deg(z) for z in (4, 6, 7)] == [4.0, 1.0, 0.5]
    # About 45 screen pixels wide at any zoom (256-pixel tiles: 360 / 256 / 2**z degrees per pixel).
    for zoom in range(0, 19):
        assert 40 <= aggregate.cell_size_deg(zoom) / (360 / 256 / 2**zoom) <= 60
    assert aggregate.DEFAULT_ZOOM == mapview.DEFAULT_ZOOM
    events = synthetic_events()
    coarse = aggregate.aggregate_events(events, zoom=6)
    fine = aggregate.aggregate_events(events, zoom=7)
    parents = set(zip(fine["cell_x"].to_numpy() >> 1, fine["cell_y"].to_numpy() >> 1, strict=True))
    assert parents == set(zip(coarse["cell_x"], coarse["cell_y"], strict=True))


def test_too_many_cells_merge_until_they_fit():
    events = synthetic_events()
    fine = aggregate.aggregate_events(events, zoom=14, max_cells=10_000)
    assert len(fine) > 50
    capped = aggregate.aggregate_events(events, zoom=14, max_cells=50)
    assert len(capped) <= 50 and capped.attrs["cell_deg"] > fine.attrs["cell_deg"]
    check_cells(events, capped)


def test_bounds_keep_only_the_events_inside():
    events = synthetic_events()
    box = ((12.0, -9.0), (13.0, -7.0))  # around Bamako
    cells = aggregate.aggregate_events(events, zoom=8, bounds=box)
    inside = events[events["latitude"].between(12, 13) & events["longitude"].between(-9, -7)]
    assert len(inside) > 0
    check_cells(inside, cells)
    # West of east means the box crosses the antimeridian: here everything but a strip over Niger.
    wrapped = aggregate.aggregate_events(events, zoom=5, bounds=((-90, 3.0), (90, 1.0)))
    assert wrapped["events"].sum() == int((~events["longitude"].between(1.0, 3.0, inclusive="neither")).sum())


def test_empty_views_and_bad_input():
    events = synthetic_events()
    empty = aggregate.aggregate_events(events.iloc[:0])
    assert empty.empty and empty.crs.to_epsg() == 4326
    assert set(aggregate.CELL_COLUMNS) <= set(empty.columns)
    with pytest.raises(ValueError, match=r"is not a \(lat, lon\) pair"):
        aggregate.aggregate_events(events.assign(latitude=np.nan))
    with pytest.raises(ValueError, match="not a positive number"):
        aggregate.aggregate_events(events, cell_deg=0)
    with pytest.raises(ValueError, match="at least 4"):
        aggregate.aggregate_events(events, max_cells=1)
    with pytest.raises(ValueError, match="south is north of north"):
        aggregate.aggregate_events(events, bounds=((14, -9), (12, -7)))


def test_the_map_switches_to_cells_above_the_threshold():
    assert not aggregate.should_aggregate(aggregate.AGGREGATE_THRESHOLD)
    assert aggregate.should_aggregate(aggregate.AGGREGATE_THRESHOLD + 1)
    events = synthetic_events()
    assert aggregate.should_aggregate(len(events))
    sources = pd.DataFrame({"source_id": [], "display": []})
    bases = base_status(load_bases(), pd.Timestamp("2022-08-15"))
    cells = aggregate.aggregate_events(events)
    groups = mapview.dynamic_layers(events.iloc[:0], [], _no_moves(), bases, sources, aggregated=cells)
    html = _render(groups)
    assert html.count("aggregate-mark") == len(cells) and "event-mark" not in html
    features = _cell_features(groups[2])
    assert len(features) == len(cells)
    # Each cell's popup gives its own count and toll, and they add up to the events in view.
    counts = [int(f["properties"]["popup"].split(" events")[0].removeprefix("<b>").replace(",", "")) for f in features]
    assert sorted(counts) == sorted(cells["events"]) and sum(counts) == len(events)
    assert f"{int(cells['events'].max()):,} events" in html
    assert "base-mark" in html  # the bases still draw beside the cells


def _cell_features(group: folium.FeatureGroup) -> list[dict]:
    """Return the GeoJSON features of the cells drawn in ``group`` (one GeoJson layer)."""
    return mapview.layer_features(group)


def test_cell_popups_escape_text_and_size_with_the_count():
    cells = aggregate.aggregate_events(synthetic_events())
    cells.loc[cells.index[0], "top_types"] = "<img src=x onerror=alert(1)>"
    group = folium.FeatureGroup(name="Events")
    mapview._aggregate_marks(group, cells)
    features = _cell_features(group)
    assert "&lt;img src=x onerror=alert(1)&gt;" in features[0]["properties"]["popup"]
    assert "<img" not in _render([group])  # tojson writes < as \\u003c: nothing in the script can close it
    biggest = int(cells["events"].idxmax())
    radii = [f["properties"]["style"]["radius"] for f in features]
    assert radii[biggest] == max(radii) == 26.0 and min(radii) >= 6.0


def _no_moves():
    from geo.movements import movements_at

    return movements_at(synthetic_events().iloc[:0], pd.Timestamp("2022-08-15"))


def _render(groups: list[folium.FeatureGroup]) -> str:
    fmap = folium.Map(tiles=None)
    for group in groups:
        group.add_to(fmap)
    return fmap.get_root().render()


def _dense_events(n: int) -> pd.DataFrame:
    """``n`` events inside a 1.5-degree square by Bamako: the same cells fill up as n grows."""
    rng = np.random.default_rng(n)
    day = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    return pd.DataFrame(
        {
            "latitude": rng.uniform(12.0, 13.5, n),
            "longitude": rng.uniform(-8.5, -7.0, n),
            "fatalities": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "event_type": np.array(TYPES)[rng.integers(0, len(TYPES), n)],
            "start": day,
            "end": day,
        }
    )


def test_payload_grows_with_the_cells_not_the_events():
    sizes = {}
    for n in (10_000, 100_000):
        cells = aggregate.aggregate_events(_dense_events(n), zoom=8)
        group = folium.FeatureGroup(name="Events")
        mapview._aggregate_marks(group, cells)
        empty = _render([folium.FeatureGroup(name="Events")])
        sizes[n] = (len(cells), len(_render([group]).encode()) - len(empty.encode()))
    (cells_10k, bytes_10k), (cells_100k, bytes_100k) = sizes[10_000], sizes[100_000]
    assert cells_10k == cells_100k > 0
    # Ten times the events, the same cells: only a few more digits per popup.
    assert bytes_100k <= 1.05 * bytes_10k
    assert bytes_100k / cells_100k < 2_000


def test_date_cuts_share_memory_and_search_text_is_precomputed():
    """The hot paths under the cells: a date cut copies nothing, a text search scans one prepared column."""
    events = synthetic_events()
    view = View(as_of=date(2019, 6, 30))
    cut = filters.filter_events(events, view)
    assert 0 < len(cut) < len(events)
    assert np.shares_memory(cut["latitude"].to_numpy(), events["latitude"].to_numpy())
    expected = events["title"] + " " + events["description"] + " " + events["actors"] + " " + events["location"]
    assert (events["search_text"] == expected.str.lower()).all()
    found = filters.filter_events(events, view.with_changes(text="CONVOY Market"))
    assert len(found) and found["search_text"].str.contains("convoy").all()
    assert found["search_text"].str.contains("market").all()


def test_the_dashboard_draws_cells_for_a_large_file(monkeypatch, tmp_path, events):
    path = tmp_path / "many.csv"
    synthetic_frame(1_000).to_csv(path, index=False)
    monkeypatch.setenv(ui.DATA_ENV, str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    assert any("grid cells" in c.value and "filter to" in c.value for c in at.caption)
    # Counts read as numbers do in text: with a thousands separator.
    assert app_metric(at, "Events in view") == f"{1_000 + len(events):,}"
    at.radio(key="w_data_choice").set_value("curated").run()
    assert not at.exception
    assert not any("grid cells" in c.value for c in at.caption)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), show_earlier=st.booleans())
def test_view_marks_draw_cells_above_the_threshold_and_single_marks_below(data, show_earlier):
    events = synthetic_events()
    view = data.draw(views(events))
    marks = aggregate.view_marks(events, view, show_earlier=show_earlier, zoom=6)
    full = filters.filter_events(events, view)
    assert list(marks.in_view["event_id"]) == list(full["event_id"])
    assert filters.summary_counts(marks.in_view) == filters.summary_counts(full)
    if aggregate.should_aggregate(len(marks.in_view)):
        # Only the columns the cells and counts read are taken from the events in view.
        assert set(marks.in_view.columns) == set(aggregate.CELL_INPUT_COLUMNS) & set(events.columns)
        assert marks.shown.empty and len(marks.status) == 0
        check_cells(marks.in_view, marks.cells)
    else:
        assert marks.cells is None and len(marks.status) == len(marks.shown)
        assert not aggregate.should_aggregate(len(marks.shown))
        # Every event in view is drawn; anything more is an earlier event, drawn faded.
        assert set(marks.in_view["event_id"]) <= set(marks.shown["event_id"])
        extra = ~marks.shown["event_id"].isin(marks.in_view["event_id"]).to_numpy()
        assert (marks.status[extra] == "earlier").all()


def test_html_export_of_many_events_draws_the_cells(sources):
    """The interactive export draws what the dashboard draws: cells above the threshold, a bounded file."""
    from geo import snapshot
    from geo.bases import load_bases

    events = synthetic_events(3000)
    view = View(as_of=filters.date_bounds(events)[1])
    page = snapshot.html_bytes(events, sources, load_bases(), view, snapshot.SnapshotOptions()).decode("utf-8")
    assert "aggregate-mark" in page and "event-mark" not in page
    cells = aggregate.view_marks(events, view, zoom=snapshot.html_view(snapshot.build_sheet(
        events, sources, load_bases(), view, snapshot.SnapshotOptions()).frame)[1]).cells  # fmt: skip
    assert page.count('"className": "aggregate-mark"') == len(cells) > 0
    assert len(page.encode()) < 2_000_000
