"""Events binned into a regular grid, so the map's payload does not grow with the data.

Above :data:`AGGREGATE_THRESHOLD` events in view the map draws one mark per
grid cell instead of one per event (:func:`geo.mapview.dynamic_layers` with
``aggregated=``). What is sent to the browser is then bounded by the number of
cells (at most :data:`MAX_CELLS`) times the bytes of one cell's mark, whatever
the number of events.

Choices
-------
Grid
    Square cells in degrees of longitude and latitude (EPSG:4326), aligned on
    (0°, 0°), each cell the half-open box ``[x0, x0 + size) × [y0, y0 + size)``
    so every event falls in exactly one cell. From the map's zoom the size is
    ``2 ** (6 - zoom)`` degrees: a Leaflet map of 256-pixel tiles shows
    ``360 / (256 * 2 ** zoom)`` degrees of longitude per pixel, so a cell is
    about 45 pixels wide at every zoom (47 pixels tall at the Sahel's
    latitudes, where Web Mercator stretches latitude by 1 / cos 15°). Powers
    of two make the cells of one zoom nest exactly in those of the zoom below.
Bound
    When the events in view fill more than ``max_cells`` cells, the cell size
    doubles (four cells merge into one) until they fit: the payload has a
    ceiling even for a million events spread over a continent at a high zoom.
Position
    A cell's mark stands at the mean position of its events, not at the
    cell's centre: a cell whose events all happened in one town is drawn on
    that town rather than in the empty desert beside it. The mean of points
    in a box lies in the box, so the mark stays inside its cell; the cell
    itself is the row's geometry.
Tolls
    ``fatalities`` sums the known tolls; an unknown toll counts as 0 in that
    sum and once in ``unknown_toll``, so nothing unknown is passed off as a
    number.
Singles
    Above the threshold every event is aggregated, even alone in its cell.
    Mixing single marks into the grid would make the payload depend on how the
    events are spread (a million events over scattered villages would be
    a million single marks); filtering, or a shorter window, brings the view
    under the threshold and back to one mark per event with its sources.

Everything here is vectorised with numpy: integer cell keys from
``np.floor``, one hash factorisation, then ``np.bincount``; the cost is O(n)
in the events and the only Python loop runs over the (bounded) cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import filters, style
from geo.memo import frame_memo
from geo.view import View

__all__ = [
    "AGGREGATE_THRESHOLD",
    "DEFAULT_ZOOM",
    "MAX_CELLS",
    "ViewMarks",
    "aggregate_events",
    "cell_size_deg",
    "should_aggregate",
    "view_marks",
]

#: Above this many events in view the map draws grid cells instead of single marks.
#: A single mark with its popup (ACLED rows carry up to 600 characters of notes) is
#: about 1.2 kB of script and 0.4 ms to build (``benchmarks/bench_map.py``): at 500 a
#: single-mark step stays near 600 kB and 0.2 s, and the marks can still be told apart.
AGGREGATE_THRESHOLD = 500

#: At most this many cells are sent; beyond it the cells are merged four by four. A cell
#: (one feature of ``geo.mapview``'s GeoJSON layer) is about 400 bytes of script and
#: 0.06 ms to build, so this caps the cells near 160 kB and 25 ms even zoomed in on a
#: million events.
MAX_CELLS = 400

#: The zoom used when none is given: the map's opening zoom, defined once in geo.style.
DEFAULT_ZOOM = style.DEFAULT_ZOOM

#: Columns of :func:`aggregate_events`' result, geometry last.
CELL_COLUMNS = (
    "latitude", "longitude", "events", "fatalities", "unknown_toll", "top_types", "period",
    "first", "last", "cell_x", "cell_y", "cell_deg", "geometry",
)  # fmt: skip

#: The event columns the cells and the counts beside the map read.
CELL_INPUT_COLUMNS = ("event_id", "latitude", "longitude", "fatalities", "event_type", "start", "end", "event_date",
                      "geo_country")  # fmt: skip

# Cell keys pack (x, y) cell indices into one int64: 31 bits each after this
# offset, enough for cells down to a ten-millionth of a degree.
_OFFSET = 1 << 30
_LOW_BITS = (1 << 31) - 1
_MIN_CELL_DEG = 1e-6
# Up to this many cells in the events' bounding box, cells are numbered on a dense grid.
_DENSE_CELLS = 1 << 20
_TOP_TYPES = 3


def should_aggregate(n_events: int, threshold: int = AGGREGATE_THRESHOLD) -> bool:
    """Return True when ``n_events`` in view are too many to draw one mark each."""
    return int(n_events) > int(threshold)


@dataclass(frozen=True)
class ViewMarks:
    """What a map draws for a view: single marks with their status, or grid cells.

    ``in_view`` is what the counts use (:func:`geo.filters.filter_events`;
    with cells, only :data:`CELL_INPUT_COLUMNS`); ``cells`` is ``None`` when
    single marks are drawn, and then ``shown`` and ``status`` hold them; with
    cells, ``shown`` is empty.
    """

    in_view: pd.DataFrame
    shown: pd.DataFrame
    status: np.ndarray
    cells: gpd.GeoDataFrame | None


def view_marks(
    events: pd.DataFrame,
    view: View,
    *,
    show_earlier: bool = True,
    zoom: float | None = None,
    threshold: int = AGGREGATE_THRESHOLD,
) -> ViewMarks:
    """Return the marks the dashboard and the HTML export draw for ``view``.

    Above ``threshold`` events in view, grid cells of those events (at
    ``zoom``, default the view's). Otherwise one mark per event, with the
    earlier events faded when the view asks for them, unless they would bring
    the marks above the threshold: then only the events in view are drawn.
    """
    rows = filters.rows_in_view(events, view)
    if should_aggregate(filters.count_rows(events, rows), threshold):
        # Only the columns the cells and the counts read: taking every column of a
        # million rows in view cost ~700 MB per step when a filter was on. (Selected from a
        # plain DataFrame: a GeoDataFrame's own selection took 40 ms at a million rows.)
        in_view = pd.DataFrame(events)[[c for c in CELL_INPUT_COLUMNS if c in events.columns]].iloc[rows]
        memo = frame_memo(events)
        if "type_codes" not in memo:  # factorising the types of the rows in view cost 25 ms a run at 1M
            memo["type_codes"] = _type_codes(events["event_type"])
        codes, names = memo["type_codes"]
        cells = aggregate_events(in_view, zoom=view.zoom if zoom is None else zoom, type_codes=(codes[rows], names))
        return ViewMarks(in_view, in_view.iloc[:0], np.array([], dtype=object), cells)
    in_view = events.iloc[rows]  # filter_events' own take of the rows found above
    shown, status = filters.events_with_status(events, view, show_earlier=show_earlier)
    if should_aggregate(len(shown), threshold):
        shown, status = in_view, filters.recency(in_view, view)
    return ViewMarks(in_view, shown, np.asarray(status), None)


def cell_size_deg(zoom: float | None) -> float:
    """Return the cell size in degrees for a Leaflet zoom: ``2 ** (6 - zoom)``, about 45 screen pixels.

    Parameters
    ----------
    zoom
        The map's zoom (0 = the whole world in one 256-pixel tile); ``None``
        means :data:`DEFAULT_ZOOM`. Clamped to 0..18 and rounded.
    """
    level = DEFAULT_ZOOM if zoom is None else min(max(round(float(zoom)), 0), 18)
    return float(2.0 ** (6 - level))


def aggregate_events(
    events: pd.DataFrame,
    *,
    cell_deg: float | None = None,
    zoom: float | None = None,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    max_cells: int = MAX_CELLS,
    type_codes: tuple[np.ndarray, list[str]] | None = None,
) -> gpd.GeoDataFrame:
    """Bin events into grid cells and return one row per non-empty cell.

    Parameters
    ----------
    events
        Events with ``latitude``, ``longitude`` (decimal degrees, WGS84),
        ``fatalities`` (NA where unknown), ``event_type`` and ``start``/``end``
        (or ``event_date``), as :func:`geo.filters.filter_events` returns them.
    cell_deg
        The cell size in degrees; when omitted it follows ``zoom`` (see
        :func:`cell_size_deg`). May grow to respect ``max_cells``.
    zoom
        The map's zoom, used when ``cell_deg`` is not given.
    bounds
        ``((south, west), (north, east))`` in degrees, as Leaflet gives them:
        only events inside (edges included) are binned. ``west > east`` means
        the box crosses the antimeridian. ``None`` bins every event.
    max_cells
        The most cells to return, at least 4; the cell size doubles until they fit.
    type_codes
        Each event's type as a small integer and the names they stand for, when the caller
        already has them (see :func:`view_marks`); computed from ``event_type`` otherwise.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per non-empty cell ordered south to north then
        west to east, with :data:`CELL_COLUMNS`: the mean position of the
        cell's events (``latitude``, ``longitude``), ``events``,
        ``fatalities`` (sum of the known tolls), ``unknown_toll`` (events whose
        toll is unknown), ``top_types`` (e.g. ``"attack 812, massacre 90"``),
        ``period`` (first – last day, ISO), ``first``/``last`` (timestamps),
        the cell's integer indices and size, and the cell's box as geometry.
        ``attrs["cell_deg"]`` holds the size used.

    Raises
    ------
    ValueError
        A coordinate is missing or not finite, a size is not positive, or
        ``bounds`` is not a ((south, west), (north, east)) box.
    """
    if max_cells < 4:
        raise ValueError(f"max_cells {max_cells!r} must be at least 4 (no cell straddles the equator or meridian 0)")
    size = cell_size_deg(zoom) if cell_deg is None else float(cell_deg)
    if not np.isfinite(size) or size <= 0:
        raise ValueError(f"cell_deg {cell_deg!r} is not a positive number of degrees")
    size = max(size, _MIN_CELL_DEG)

    lat = events["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    lon = events["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(lat) & np.isfinite(lon)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"event {i} has no usable position: ({lat[i]!r}, {lon[i]!r}) is not a (lat, lon) pair")
    keep = None if bounds is None else _inside(lat, lon, bounds)
    if keep is not None:
        lat, lon = lat[keep], lon[keep]
    if len(lat) == 0:
        return _empty(size)

    codes, keys, size = _bin(lon, lat, size, max_cells)
    cells = len(keys)

    def column(values: np.ndarray | pd.Series) -> np.ndarray:
        """The values of the events binned (those inside ``bounds``)."""
        array = np.asarray(values)
        return array if keep is None else array[keep]

    counts = np.bincount(codes, minlength=cells)
    mean_lon = np.bincount(codes, weights=lon, minlength=cells) / counts
    mean_lat = np.bincount(codes, weights=lat, minlength=cells) / counts
    fatal_sum, unknown = _tolls(events["fatalities"], codes, cells, column)

    type_codes, type_names = _type_codes(events["event_type"]) if type_codes is None else type_codes
    type_codes = column(type_codes)
    kinds = len(type_names)
    by_type = np.bincount(codes * kinds + type_codes, minlength=cells * kinds).reshape(cells, kinds)

    first_day, last_day = _first_and_last_days(events, codes, cells, column)

    return _cells_frame(
        keys,
        size,
        mean_lat,
        mean_lon,
        {
            "events": counts.astype(np.int64),
            "fatalities": fatal_sum,
            "unknown_toll": unknown.astype(np.int64),
            "top_types": _top_types(by_type, type_names),
            "period": _periods(first_day, last_day),
            "first": first_day,
            "last": last_day,
        },
    )


def _tolls(fatalities: pd.Series, codes: np.ndarray, cells: int, column) -> tuple[np.ndarray, np.ndarray]:
    """Return each cell's sum of the known tolls and its number of events whose toll is unknown."""
    known = column(fatalities.notna().to_numpy())
    tolls = column(fatalities.to_numpy(dtype="float64", na_value=0.0))
    fatal_sum = np.bincount(codes, weights=tolls, minlength=cells).round().astype(np.int64)
    return fatal_sum, np.bincount(codes[~known], minlength=cells)


def _first_and_last_days(
    events: pd.DataFrame, codes: np.ndarray, cells: int, column
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Return each cell's first day and last day (``start``/``end``, or ``event_date`` without them)."""
    start_column = "start" if "start" in events else "event_date"
    end_column = "end" if "end" in events else start_column
    starts = column(events[start_column].to_numpy(dtype="datetime64[ns]").view(np.int64))
    ends = column(events[end_column].to_numpy(dtype="datetime64[ns]").view(np.int64))
    first = np.full(cells, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(cells, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, codes, starts)
    np.maximum.at(last, codes, np.maximum(starts, ends))
    return pd.to_datetime(first, unit="ns"), pd.to_datetime(last, unit="ns")


def _bin(lon: np.ndarray, lat: np.ndarray, size: float, max_cells: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Return each point's cell number, the sorted cell keys and the cell size, doubled until ``max_cells`` fit."""
    ix = _cell_index(lon, size)
    iy = _cell_index(lat, size)
    codes, keys = _factorize(ix, iy)
    while len(keys) > max_cells and size < 360:
        # Doubling the size merges cells 2x2: floor(i / 2) is the coarser index, exactly.
        # (At 512 degrees every event is in one of the four cells around (0, 0).)
        size *= 2.0
        ix, iy = ix >> 1, iy >> 1
        codes, keys = _factorize(ix, iy)
    return codes, keys, size


def _cells_frame(
    keys: np.ndarray, size: float, mean_lat: np.ndarray, mean_lon: np.ndarray, tallies: dict[str, object]
) -> gpd.GeoDataFrame:
    """Return the cells as :func:`aggregate_events` does: mean position, ``tallies``, indices, size, box."""
    cells = len(keys)
    cell_x = (keys >> 31) - _OFFSET
    cell_y = (keys & _LOW_BITS) - _OFFSET
    west, south = cell_x * size, cell_y * size
    east, north = (cell_x + 1) * size, (cell_y + 1) * size
    frame = pd.DataFrame(
        {
            # Clipped to the cell: rounding in a mean may not step out of its box.
            "latitude": np.clip(mean_lat, south, np.nextafter(north, south)),
            "longitude": np.clip(mean_lon, west, np.nextafter(east, west)),
            **tallies,
            "cell_x": cell_x.astype(np.int64),
            "cell_y": cell_y.astype(np.int64),
            "cell_deg": np.full(cells, size),
        }
    )
    cells_frame = gpd.GeoDataFrame(frame, geometry=shapely.box(west, south, east, north), crs="EPSG:4326")
    cells_frame.attrs["cell_deg"] = size
    return cells_frame


def _inside(lat: np.ndarray, lon: np.ndarray, bounds) -> np.ndarray:
    """Return which points lie in a ((south, west), (north, east)) box, edges included."""
    try:
        (south, west), (north, east) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{bounds!r} is not a ((south, west), (north, east)) box") from exc
    if not south <= north:
        raise ValueError(f"{bounds!r} is not a ((south, west), (north, east)) box: south is north of north")
    rows = (lat >= south) & (lat <= north)
    if west <= east:
        return rows & (lon >= west) & (lon <= east)
    return rows & ((lon >= west) | (lon <= east))


def _cell_index(values: np.ndarray, size: float) -> np.ndarray:
    """Return ``floor(values / size)`` as int64, corrected so that ``i * size <= v < (i + 1) * size`` in floats.

    The correction matters for sizes that are not powers of two (0.1 is not a
    binary fraction): the cell's box is built from ``i * size`` and must hold
    every value assigned to it.
    """
    index = np.floor(values / size).astype(np.int64)
    if np.frexp(size)[0] == 0.5:  # a power of two: the division is exact, nothing to correct
        return index
    index -= (index * size > values).astype(np.int64)
    index += ((index + 1) * size <= values).astype(np.int64)
    return index


def _factorize(ix: np.ndarray, iy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each event's cell number (0..m-1, cells ordered by key) and the m sorted cell keys."""
    x0, y0 = int(ix.min()), int(iy.min())
    width, height = int(ix.max()) - x0 + 1, int(iy.max()) - y0 + 1
    if width * height <= _DENSE_CELLS:
        # The events' box holds few cells (the usual case): number them on that dense grid,
        # in the order wanted, with integer arithmetic only (a hash factorisation took 20 ms at 1M).
        dense = (iy - y0) * width + (ix - x0)
        used = np.flatnonzero(np.bincount(dense, minlength=width * height))
        rank = np.empty(width * height, dtype=np.int64)
        rank[used] = np.arange(len(used))
        return rank[dense], ((used % width + x0 + _OFFSET) << 31) | (used // width + y0 + _OFFSET)
    # A hash factorisation is O(n); only the m distinct keys are sorted,
    # south to north then west to east, so the same view gives the same rows.
    keys = ((ix + _OFFSET) << 31) | (iy + _OFFSET)
    codes, uniques = pd.factorize(keys, sort=False)
    order = np.lexsort((uniques >> 31, uniques & _LOW_BITS))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes], uniques[order]


def _type_codes(types: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return each event's type as a small integer and the names those integers stand for."""
    if isinstance(types.dtype, pd.CategoricalDtype):
        codes = types.cat.codes.to_numpy().astype(np.int64)
        names = [str(c) for c in types.cat.categories]
        if (codes < 0).any():  # a missing type: count it under its own name
            codes = np.where(codes < 0, len(names), codes)
            names.append("unknown type")
        return codes, names
    codes, uniques = pd.factorize(types, use_na_sentinel=False)
    return codes.astype(np.int64), ["unknown type" if pd.isna(u) else str(u) for u in uniques]


def _top_types(by_type: np.ndarray, names: list[str]) -> list[str]:
    """Return each cell's most frequent types, e.g. 'attack 812, massacre 90'."""
    labels = [name.replace("_", " ") for name in names]
    # Most frequent first; ties by name, so the text does not depend on the events' order.
    by_name = np.argsort(labels, kind="stable")
    out = []
    for row in by_type:
        ranked = by_name[np.argsort(-row[by_name], kind="stable")][:_TOP_TYPES]
        out.append(", ".join(f"{labels[k]} {row[k]:,}" for k in ranked if row[k]))
    return out


def _periods(first: pd.DatetimeIndex, last: pd.DatetimeIndex) -> list[str]:
    """Return 'first – last' (ISO days), or the one day when both are the same."""
    a, b = first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")
    return [x if x == y else f"{x} – {y}" for x, y in zip(a, b, strict=True)]


def _empty(size: float) -> gpd.GeoDataFrame:
    """Return a result with no cells but every column, typed."""
    frame = pd.DataFrame(
        {
            "latitude": pd.Series(dtype="float64"),
            "longitude": pd.Series(dtype="float64"),
            "events": pd.Series(dtype="int64"),
            "fatalities": pd.Series(dtype="int64"),
            "unknown_toll": pd.Series(dtype="int64"),
            "top_types": pd.Series(dtype=object),
            "period": pd.Series(dtype=object),
            "first": pd.Series(dtype="datetime64[ns]"),
            "last": pd.Series(dtype="datetime64[ns]"),
            "cell_x": pd.Series(dtype="int64"),
            "cell_y": pd.Series(dtype="int64"),
            "cell_deg": pd.Series(dtype="float64"),
        }
    )
    cells = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    cells.attrs["cell_deg"] = size
    return cells
