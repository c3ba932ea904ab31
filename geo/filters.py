"""Choosing the events in view: a date (or a window), countries, event types and free text.

What a :class:`~geo.view.View` (the whole state a user can share) selects from the events.

Events are kept sorted by ``event_date`` (see :func:`geo.validation.validate_events`),
so the date cut is a binary search (``searchsorted``) and costs O(log n); the
country, type and text masks are vectorised comparisons over numpy arrays cut
at the same position, and the text search scans ``search_text``, lower-cased
once at load. Nothing copies the whole table: a view that is only a date cut
is a positional slice of the events, and a filtered view is one ``take`` of
the rows it keeps.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import record, search
from geo.events import SEARCH_COLUMNS
from geo.memo import frame_memo
from geo.view import View

TEXT_COLUMNS = SEARCH_COLUMNS


def date_bounds(events: pd.DataFrame) -> tuple[date, date]:
    """Return the first and last day the events cover (starts and ends of spans).

    Worked out once per data set (its frames are shared read-only): the sidebar and the
    time control ask every run, 15 ms each at a million events.
    """
    if events.empty:
        today = date.today()
        return today, today

    memo = frame_memo(events)
    if "date_bounds" not in memo:
        memo["date_bounds"] = (events["start"].min().date(), max(events["end"].max(), events["start"].max()).date())
    return memo["date_bounds"]


def filter_events(events: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """Return the events in view, in date order.

    Parameters
    ----------
    events
        Validated events, sorted by ``event_date`` (as :func:`geo.validation.validate_events` returns them).
    view
        The date or window, countries (by the country the point lies in:
        ``geo_country``), types and free text (case-insensitive, over title,
        description, actors and location).
    """
    shown = _take(events, rows_in_view(events, view), view.dates)
    return shown.sort_values(["start", "event_id"], kind="stable") if _by_articles(shown, view) else shown


def _by_articles(events: pd.DataFrame, view: View) -> bool:
    """Whether this view places events at the articles' dates and some event's dates differ from them."""
    return view.dates == "articles" and "dated_by_record" in events and bool(events["dated_by_record"].any())


def rows_in_view(events: pd.DataFrame, view: View) -> slice | np.ndarray:
    """Return the positions of the events in view: a slice when only the date cuts, else an index array."""
    first, last = view.window
    if _by_articles(events, view):
        # Events are sorted by their most precise date, not the articles': no
        # binary search, one comparison per event (the curated data only).
        start, ends = events["articles_start"].to_numpy(), events["articles_end"].to_numpy()
        mask = start <= _day(last, start.dtype)
        if view.mode == "window":
            mask &= ends >= _day(first, ends.dtype)
        stop = len(events)
    else:
        start = events["start"].to_numpy()
        # Binary search: every event starting after the window's end is cut off
        # without looking at it. (The bound takes the column's unit, so numpy does
        # not convert the whole column to compare.)
        stop = int(np.searchsorted(start, _day(last, start.dtype), side="right"))
        mask = None
    if view.mode == "window" and not _by_articles(events, view):
        # Events starting in the window overlap it; only earlier ones need their end checked.
        lo = int(np.searchsorted(start, _day(first, start.dtype), side="left"))
        if lo > 0:
            mask = np.ones(stop, dtype=bool)
            ends = events["end"].to_numpy()[:lo]
            mask[:lo] = ends >= _day(first, ends.dtype)
    if view.countries:
        mask = _and(mask, in_countries(events, stop, view.countries))
    if view.types:
        mask = _and(mask, _isin(events["event_type"], stop, view.types))
    if view.text:
        # Only the rows the other filters kept are searched, in the one column needed.
        rows = slice(0, stop) if mask is None else np.flatnonzero(mask)
        if "search_text" in events:
            haystack = events["search_text"].iloc[rows]
        else:
            haystack = _haystack(events[list(TEXT_COLUMNS)].iloc[rows])
        hits = _contains_words(haystack, view.text)
        mask = np.zeros(stop, dtype=bool)
        mask[np.arange(stop)[rows][hits]] = True
    if mask is None or mask.all():
        return slice(0, stop)
    return np.flatnonzero(mask)


def count_rows(events: pd.DataFrame, rows: slice | np.ndarray) -> int:
    """Return how many events :func:`rows_in_view`'s answer selects, without taking them."""
    return len(range(len(events))[rows]) if isinstance(rows, slice) else len(rows)


def in_countries(events: pd.DataFrame, stop: int, countries: tuple[str, ...]) -> np.ndarray:
    """Return which of the first ``stop`` events belong to one of ``countries``.

    An event belongs to the country its point lies in (``geo_country``); a
    troop movement also belongs to every country its route crosses, so
    filtering to Niger keeps the withdrawal from Gao into Niger. Only rows
    with a route are looked at one by one, and each distinct route once.
    """
    mask = _isin(events["geo_country"], stop, countries).copy()  # isin's array may be read-only
    if "route" not in events:
        return mask
    routes = events["route"].iloc[:stop]
    with_route = np.flatnonzero(routes.notna().to_numpy() & (routes.fillna("") != "").to_numpy() & ~mask)
    wanted = set(countries)
    for i in with_route:
        if wanted & set(route_countries(str(routes.iloc[i]))):
            mask[i] = True
    return mask


@lru_cache(maxsize=256)
def route_countries(route: str) -> tuple[str, ...]:
    """Return the countries (ISO alpha-3) a route's geodesic legs pass through, west to east.

    A route naming a place the gazetteer does not know crosses no country here
    (its event still belongs to the country of its point).
    """
    from geo import borders, gazetteer, movements

    try:
        line = movements.route_line(route)
    except (gazetteer.UnknownPlace, ValueError):
        return ()
    countries = borders.load_countries()
    crossed = countries[countries.intersects(line)]
    order = crossed.geometry.representative_point().x.to_numpy().argsort(kind="stable")
    return tuple(crossed["iso3"].to_numpy()[order].tolist())


def movement_count_note(events: pd.DataFrame, view: View) -> str | None:
    """Return what a troop movement counts as under the country filter, naming the movements it keeps.

    ``None`` when no country is chosen or no movement in view crosses into one from outside.
    """
    if not view.countries:
        return None
    shown = filter_events(events, view.with_changes(types=("troop_movement",), text=""))
    outside = shown[~shown["geo_country"].isin(view.countries)]
    if outside.empty:
        return "A troop movement counts once, in every country its route crosses."
    titles = ", ".join(
        f"{t} ({'–'.join(route_countries(r))})" for t, r in zip(outside["title"], outside["route"], strict=True)
    )
    return f"A troop movement counts once, in every country its route crosses: {titles}."


def bases_in_view(bases: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """Return the bases in the view's countries (every base when none is chosen), by the country of their point."""
    if not view.countries or bases.empty:
        return bases
    from geo import borders

    lon, lat = bases.geometry.x.to_numpy(), bases.geometry.y.to_numpy()
    return bases[np.isin(borders.country_of_points(lon, lat), list(view.countries))]


def view_bounds(
    *frames: gpd.GeoDataFrame, min_span: float = 2.0
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Return ((south, west), (north, east)) around every geometry in ``frames``, for ``fit_bounds``.

    The map frames what the filters leave: the events in view, the routes of
    the movements, the bases. Each side spans at least ``min_span`` degrees so
    a single place is shown with its surroundings; ``None`` when nothing is left.
    """
    boxes = [
        frame.total_bounds for frame in frames if frame is not None and len(frame) and not frame.geometry.isna().all()
    ]
    boxes = [box for box in boxes if np.isfinite(box).all()]
    if not boxes:
        return None
    west, south = float(min(b[0] for b in boxes)), float(min(b[1] for b in boxes))
    east, north = float(max(b[2] for b in boxes)), float(max(b[3] for b in boxes))
    pad_lon, pad_lat = max(min_span - (east - west), 0.0) / 2, max(min_span - (north - south), 0.0) / 2
    return (
        (max(south - pad_lat, -90.0), max(west - pad_lon, -180.0)),
        (min(north + pad_lat, 90.0), min(east + pad_lon, 180.0)),
    )


def _day(value: pd.Timestamp, dtype: np.dtype) -> np.datetime64:
    """Return a date as a numpy datetime64 in the unit of a column (days are exact in any unit)."""
    return np.datetime64(pd.Timestamp(value).to_datetime64(), "ns").astype(dtype if dtype.kind == "M" else "M8[ns]")


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other


def _isin(column: pd.Series, stop: int, values: tuple[str, ...]) -> np.ndarray:
    """Return which of the first ``stop`` values of a column are among ``values``, as a numpy mask."""
    return column.iloc[:stop].isin(values).to_numpy(dtype=bool, na_value=False)


def _take(events: gpd.GeoDataFrame, rows: slice | np.ndarray, dates: str = "precise") -> gpd.GeoDataFrame:
    # A slice is a view of the columns (pandas copies on write); an index array copies only the rows kept.
    taken = events.iloc[rows]
    # The articles' dates replace the most precise ones in what the view shows (geo.record.dated).
    return record.dated(taken, dates, sort=False) if dates != "precise" else taken


def _haystack(columns: pd.DataFrame) -> pd.Series:
    """Join and lower-case the searched columns, for frames that lack ``search_text``."""
    if columns.empty:  # agg over no rows returns a frame, not a series of strings
        return pd.Series([], index=columns.index, dtype=str)
    return columns.fillna("").astype(str).agg(" ".join, axis=1).str.lower()


def _contains_words(haystack: pd.Series, text: str) -> np.ndarray:
    """Return which lower-cased texts match every term of ``text``, forgiving accents and other names."""
    return search.search_mask(haystack, text)


def search_notes(events: pd.DataFrame, text: str) -> list[str]:
    """Return what each term of a search matched in ``events`` ("'Tombouctou' matched place Timbuktu")."""
    if not str(text).strip():
        return []
    haystack = events["search_text"] if "search_text" in events else _haystack(events[list(TEXT_COLUMNS)])
    return search.explain(haystack, text)


def recency(events: pd.DataFrame, view: View, *, recent_days: int = 31) -> np.ndarray:
    """Return 'current' or 'earlier' for each event in view, for fading old marks.

    In 'as_of' mode an event is current if its period reaches into the last
    ``recent_days`` before the date; in 'window' mode if it overlaps the
    window (the others in view are then the ones that ended before it).
    """
    first, last = view.window
    if view.mode == "as_of":
        first = last - pd.Timedelta(days=recent_days)
    current = (events["end"] >= first) & (events["start"] <= last)
    return np.where(current.to_numpy(dtype=bool, na_value=False), "current", "earlier")


def summary_counts(events: pd.DataFrame) -> dict[str, int]:
    """Return the counts shown beside the map: events, fatalities (known), events with an unknown toll."""
    fatalities = events["fatalities"]
    return {
        "events": len(events),
        "fatalities": int(fatalities.sum(skipna=True)) if len(events) else 0,
        "unknown_toll": int(fatalities.isna().sum()),
    }


def event_dates(events: pd.DataFrame) -> list[date]:
    """Return the distinct days on which events start, sorted: the stops of 'previous/next event'."""
    return _event_days(events).tolist()


def _event_days(events: pd.DataFrame) -> np.ndarray:
    """Return the distinct start days, sorted, as ``datetime64[D]`` (vectorised: no Timestamp per event).

    Worked out once per data set (its frames are shared read-only): a rerun asks three times
    (the time control's span, Previous/Next), and at 100,000 events each took 30 ms.
    """
    memo = frame_memo(events)
    if "event_days" not in memo:
        days = np.asarray(events["start"].to_numpy(), dtype="datetime64[D]")
        unique = np.unique(days[~np.isnat(days)])
        unique.flags.writeable = False
        memo["event_days"] = unique
    return memo["event_days"]


def step_date(events: pd.DataFrame, current: date, direction: int) -> date:
    """Return the next (``direction`` > 0) or previous event day from ``current``, or ``current`` at the ends."""
    days = _event_days(events)
    if len(days) == 0:
        return current
    here = np.datetime64(current, "D")
    if direction > 0:
        i = int(np.searchsorted(days, here, side="right"))
        return days[i].astype(date) if i < len(days) else current
    i = int(np.searchsorted(days, here, side="left")) - 1
    return days[i].astype(date) if i >= 0 else current


def events_with_status(
    events: gpd.GeoDataFrame, view: View, *, show_earlier: bool = True
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Return the events to draw and, for each, 'current' or 'earlier' (drawn faded).

    In 'window' mode with ``show_earlier``, the events that ended before the
    window are added as 'earlier'; otherwise they are hidden. Counts should
    use :func:`filter_events`, which never includes them.
    """
    rows = rows_in_view(events, view)
    shown = _take(events, rows, view.dates)
    status = recency(shown, view)
    if view.mode == "window" and show_earlier:
        first, _ = view.window
        before = rows_in_view(events, view.with_changes(mode="as_of", as_of=(first - pd.Timedelta(days=1)).date()))
        before = np.arange(len(events))[before]
        ends = events["end"].to_numpy()[before]
        before = before[ends < _day(first, ends.dtype)]
        if len(before):
            # One take of both parts rather than two copies and a concatenation.
            shown = _take(events, np.concatenate([before, np.arange(len(events))[rows]]), view.dates)
            status = np.concatenate([np.full(len(before), "earlier"), status])
    return shown, status


def format_day(value) -> str:
    """Format a day as '17 February 2022'."""
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp.month_name()} {stamp.year}"
