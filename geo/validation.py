"""Row validation for tables in the events layout: every refusal names its row, column and value.

:func:`validate_events` runs one check per column (or group of columns that
go together: dates, coordinates, countries, routes), each flagging the bad
cells into the one refusal collector (:class:`geo.errors.Refusals`), then
hands the kept rows to :func:`geo.eventframe.events_frame`. Loading is
all-or-nothing for curated files (``strict=True`` raises
:class:`~geo.errors.DataError` listing every bad cell, as
:func:`geo.events.load_events` asks), and row-by-row for imported data
(``strict=False`` keeps the good rows and lists the refused ones).

Checks are vectorised so that a million imported rows validate in seconds;
only the refused rows are visited one by one to word their messages. The
checks run in a fixed order, which is the order of the problems found on one
row and column (the list is sorted by row and column, stably).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo import borders, eventframe, frontiers, gazetteer, record
from geo.errors import DataError, Refusals, RowProblem, problem_order
from geo.events import (
    COLUMNS,
    EARLIEST_DATE,
    EVENT_TYPES,
    LOCATION_PRECISIONS,
    OPTIONAL_EXTRA,
    PRECISIONS,
    REQUIRED,
    ROUTE_SEPARATOR,
    parse_dates,
    period_end,
)
from geo.parallel import side_by_side

_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: How far (km) curated coordinates may sit from their gazetteer place.
GAZETTEER_TOLERANCE_KM = 1.0


def validate_events(
    frame: pd.DataFrame,
    *,
    source_ids: set[str] | None = None,
    check_places: bool = True,
    strict: bool = True,
    name: str = "events",
    reference_ids: set[str] | None = None,
) -> tuple[gpd.GeoDataFrame, list[RowProblem]]:
    """Check every row of an events table and return the good rows as typed points.

    Parameters
    ----------
    frame
        Rows in the layout of ``docs/data.md``, as read by
        :func:`geo.events.read_table` (strings), or typed values. A ``_row``
        column, when present, gives the line numbers used in messages.
    source_ids
        The allowed ids in ``sources``; ``None`` skips that check.
    check_places
        Require ``location`` and every ``route`` stop to be gazetteer names, and
        the coordinates to match the gazetteer place (curated data).
    strict
        Raise :class:`DataError` on any problem (nothing half-loaded) instead
        of returning the good rows with the list of problems.
    reference_ids
        The allowed ids in ``record_sources`` (``references.csv``); ``None``
        skips that check. The ``record_*`` columns are optional
        (:mod:`geo.record`); when present, each event is placed (``start``,
        ``end``, ``date_label``) at its most precise date, and the articles'
        own dates stay in ``articles_start``, ``articles_end`` and
        ``articles_date_label``.

    Returns
    -------
    (events, problems)
        ``events`` is a GeoDataFrame in EPSG:4326 sorted by date then id, with
        typed columns and derived ``start``/``end`` (first and last day the
        event covers), ``geo_country`` (from the geometry), ``date_label`` and
        ``search_text`` (``geo.events.SEARCH_COLUMNS`` joined, lower-cased).
    """
    # No defensive copy (pandas copies on write); absent columns are blank.
    frame = frame.reset_index(drop=True)
    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        frame = frame.assign(**dict.fromkeys(missing, ""))
    text = _Texts(frame)
    check = _Collector(frame)

    # Two strands of checks run side by side on a big table (geo.parallel): the dates, the
    # coordinates and the countries (points in polygons, the longest) in one, the others in the
    # other. Each check has a collector of its own, merged below in the order the checks are
    # listed, so that the problems come out as when the checks ran one after another. The
    # texts both strands read are made first, side by side too.
    shared = [c for c in _SHARED_TEXTS if not _is_number_column(frame[c])]  # numbers are read from the frame
    side_by_side([functools.partial(text.__getitem__, c) for c in shared], size=len(frame))
    others, place_and_time = side_by_side(
        [
            functools.partial(_other_checks, frame, text, source_ids),
            functools.partial(_place_and_time_checks, frame, text),
        ],
        size=len(frame),
    )
    (start, end), (lat, lon, _), (geo_country, country_notes) = (part.values for part in place_and_time)
    fatalities, troops = others[3].values
    # required, ids, type, dates, coordinates, countries, counts, location precision, sources, routes:
    for part in [*others[:3], *place_and_time, *others[3:]]:
        check.take_in(part)
    del others, place_and_time, part  # they hold the frame too (see the del below)
    if check_places:
        _check_places(text, lat, lon, check)
    record_parts = (
        _check_record(frame, check, reference_ids) if any(c in frame for c in record.RECORD_COLUMNS) else None
    )

    if strict and check.problems:
        raise DataError(sorted(check.problems, key=problem_order), source=name)

    # The kept rows in their final order (date, then id), chosen before any column is copied.
    placed = start if record_parts is None else record_parts["placed"]
    rows = eventframe.date_order(np.flatnonzero(~check.bad), placed, text["event_id"])
    columns = {
        "event_id": text["event_id"], "event_date": start, "date_precision": text["date_precision"], "end_date": end,
        "end_precision": text["end_precision"], "event_type": text["event_type"], "title": text["title"],
        "description": text["description"], "actors": text["actors"], "location": text["location"],
        "country": text["country"], "latitude": lat, "longitude": lon,
        "location_precision": text["location_precision"], "fatalities": fatalities, "sources": text["sources"],
        "route": text["route"], "troops": troops, "date_note": text["date_note"], "readings": text["readings"],
    }  # fmt: skip
    flagged = {i: n for i, n in country_notes.items() if n}
    if flagged:  # say why a point off its named country's polygon was kept
        notes = (
            frame["notes"].astype(object).copy() if "notes" in frame else pd.Series("", index=frame.index, dtype=object)
        )
        for i, note in flagged.items():
            notes.iat[i] = note if pd.isna(notes.iat[i]) or not notes.iat[i] else f"{note} {notes.iat[i]}"
        frame = frame.assign(notes=notes)
    extras = {extra: frame[extra] for extra in OPTIONAL_EXTRA if extra in frame}
    line_numbers, problems = check.rows, check.problems
    # Drop every other reference to the columns, so that events_frame frees
    # each unsorted one as soon as its sorted copy exists: a million rows then
    # never hold two copies of the table. That includes the caller's frame,
    # which every check is done with: a caller that keeps no reference to it
    # (geo.importers) has its columns freed along the way.
    del frame, check, text, start, end, lat, lon, fatalities, troops, placed
    events = eventframe.events_frame(columns, extras, rows, line_numbers, geo_country, record_parts)
    return events, sorted(problems, key=problem_order)


class _Collector(Refusals):
    """The shared collector, quoting each bad cell from the frame being checked."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray | None = None):
        if rows is None:
            rows = frame["_row"].to_numpy() if "_row" in frame else np.arange(len(frame)) + 2
        super().__init__(rows)
        self.frame = frame
        #: What the check that filled this collector returned (see :func:`_checked`).
        self.values: object = None

    def flag(self, mask, column: str, message, value_column: str | None = None) -> None:
        super().flag(mask, column, message, self.frame.get(value_column or column, None))

    def take_in(self, other: _Collector) -> None:
        """Add another collector's refusals after this one's."""
        self.problems.extend(other.problems)
        self.bad |= other.bad


# The texts that checks of both strands read (validate_events): made once, before the strands.
_SHARED_TEXTS = (*REQUIRED, "end_date", "end_precision")


def _checked(frame: pd.DataFrame, rows: np.ndarray, check: Callable[..., object], *args: object) -> _Collector:
    """Run one check on a collector of its own; what the check returns is in its ``values``."""
    collector = _Collector(frame, rows)
    collector.values = check(*args, collector)
    return collector


def _other_checks(frame: pd.DataFrame, text: _Texts, source_ids: set[str] | None) -> list[_Collector]:
    """The checks of cells that need no point or date: each on a collector of its own, in their order."""
    rows = _Collector(frame).rows
    return [
        _checked(frame, rows, _check_required, frame, text),
        _checked(frame, rows, _check_ids, text),
        _checked(frame, rows, _check_type, text),
        _checked(frame, rows, _check_counts, frame, text),
        _checked(frame, rows, _check_location_precision, text),
        _checked(frame, rows, _check_sources, text, source_ids) if source_ids is not None else _Collector(frame, rows),
        _checked(frame, rows, _check_routes, text),
    ]


def _place_and_time_checks(frame: pd.DataFrame, text: _Texts) -> list[_Collector]:
    """The dates, the coordinates, then the countries the points lie in on their dates."""
    rows = _Collector(frame).rows
    dated = _checked(frame, rows, _check_dates, text)
    located = _checked(frame, rows, _check_coordinates, frame, text)
    lat, lon, coords_ok = located.values
    countries = _checked(frame, rows, _check_countries, text, lat, lon, coords_ok, dated.values[0])
    return [dated, located, countries]


# --- cells -------------------------------------------------------------------------------


def _numbers(series: pd.Series) -> pd.Series:
    """Parse numbers as float64 with NaN for blanks and junk (no nullable NA: comparisons stay boolean)."""
    if _is_number_column(series):
        # Importers hand over typed numbers: no need to format and re-parse a million floats.
        return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def _fractional(values: pd.Series) -> pd.Series:
    """Return ``values % 1 != 0`` (True for NaN and infinities too), at a fiftieth of its cost.

    numpy's remainder takes a slow path on NaN: some 0.35 s per million
    blanks, and an imported ``troops`` column is a million of them.
    """
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(~((np.floor(numbers) == numbers) & np.isfinite(numbers)), index=values.index)


def _raw_or_text(frame: pd.DataFrame, text: dict[str, pd.Series], column: str) -> pd.Series:
    """Return the column as given when it holds numbers, else its stripped text."""
    return frame[column] if _is_number_column(frame[column]) else text[column]


class _Texts(dict):
    """Each column of ``frame`` as :func:`_text` gives it, made when first asked for.

    A numeric column (an importer's coordinates, deaths and troops) is read
    through ``frame`` by :func:`_given` and :func:`_raw_or_text`, so its
    text, a million Python objects (some 32 MB a column), is never made
    unless a check asks for it.
    """

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self.frame = frame

    def __missing__(self, column: str) -> pd.Series:
        value = self[column] = _text(self.frame[column])
        return value


def _given(frame: pd.DataFrame, text: dict[str, pd.Series], column: str) -> pd.Series:
    """Where a cell is set: ``text[column] != ""``, read from the missing-value mask when the column holds numbers.

    (Comparing a million numbers held as objects with ``""`` costs a tenth of a second a column.)
    """
    return frame[column].notna() if _is_number_column(frame[column]) else text[column] != ""


def _is_number_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _text(series: pd.Series) -> pd.Series:
    """Return a column as stripped text, '' where blank; numeric columns stay numbers (as objects).

    Numbers are only compared with '' and quoted in messages, so a numeric
    column is not formatted to strings: that would cost seconds for a million rows.
    """
    if _is_number_column(series):
        return series.astype(object).where(series.notna(), "")
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _categorical_text(series)
    text = series.astype("string").fillna("")
    # Imported text comes stripped already: keep its buffers rather than
    # copy a million descriptions. A cell changes under strip() only if its
    # first or last character does; the importers' byte sieve finds those in
    # the Arrow buffers (Arrow's blanks are Python's, so it answers for
    # pandas' strip() too) at a fifth of the cost of slicing every cell.
    # Small columns (the curated file's) take the plain test: the sieve's module would load the
    # whole importers package, 30-60 ms of every command-line export, to spare microseconds.
    cells = text.array.__arrow_array__() if text.dtype.storage == "pyarrow" and len(text) > 10_000 else None
    if cells is not None and cells.type == pa.large_string():
        from geo.importers.cells import _has_outer_space  # not at the top: geo.importers imports this module

        changes = _has_outer_space(cells)
    else:
        first, last = text.str[:1], text.str[-1:]
        changes = (((first != "") & (first.str.strip() == "")) | ((last != "") & (last.str.strip() == ""))).any()
    return text.str.strip() if changes else text


def _categorical_text(series: pd.Series) -> pd.Series:
    """:func:`_text` of a categorical: each distinct text stripped once, the rows left as codes.

    The categories are stripped as text, ``""`` stands for the blank cells,
    and texts that strip alike become one category; a million imported
    titles never become a million strings.
    """
    categories = _text(pd.Series(series.cat.categories.astype("str"))).tolist()
    text_codes, texts = pd.factorize(pd.Series([*categories, ""], dtype="str"))
    codes = series.cat.codes.to_numpy()
    codes = text_codes[np.where(codes < 0, len(categories), codes)]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype="str")), index=series.index)


def _parse_dates(series: pd.Series) -> pd.Series:
    """Parse strict ISO dates; anything else (or an impossible day) becomes NaT.

    Each distinct cell is stripped, matched and parsed once: a million cells
    hold a few thousand dates.
    """
    codes, uniques = pd.factorize(series)
    text = pd.Series(uniques, dtype="string").str.strip()
    ok = text.str.fullmatch(_ISO_DATE.pattern).fillna(False).astype(bool)
    parsed = parse_dates(text.where(ok), ("%Y-%m-%d",)).to_numpy()
    table = np.append(parsed, np.datetime64("NaT", "us"))
    return pd.Series(table[codes], index=series.index, dtype="datetime64[us]")


def _dates(value: pd.Series, column: str, check: _Collector) -> pd.Series:
    """Return a date column parsed (NaT where blank or bad), refusing the cells set but not a YYYY-MM-DD date."""
    parsed = _parse_dates(value)
    check.flag((value != "") & parsed.isna(), column, "is not a date in the form YYYY-MM-DD")
    return parsed


def _check_period_starts(
    value: pd.Series, parsed: pd.Series, precision: pd.Series, precision_column: str, check: _Collector
) -> None:
    """A date known to the month or the year is written as its period's first day."""
    check.flag(
        (precision == "month") & parsed.notna() & (parsed.dt.day != 1),
        precision_column,
        lambda i: f"says month, but {value.iloc[i]} is not the first of a month",
    )
    check.flag(
        (precision == "year") & parsed.notna() & ((parsed.dt.day != 1) | (parsed.dt.month != 1)),
        precision_column,
        lambda i: f"says year, but {value.iloc[i]} is not 1 January",
    )


# --- one check per column, or per columns that go together -------------------------------


def _check_required(frame: pd.DataFrame, text: dict[str, pd.Series], check: _Collector) -> None:
    for column in REQUIRED:
        check.flag(~_given(frame, text, column), column, "is empty; this column is required")


def _check_ids(text: dict[str, pd.Series], check: _Collector) -> None:
    """``event_id``: its form, and unique (the repeat names the row first using it)."""
    ids = text["event_id"]
    check.flag(
        (ids != "") & ~ids.str.fullmatch(_EVENT_ID.pattern).fillna(False),
        "event_id",
        "must start with a letter or digit and hold only letters, digits and _ . : -",
    )
    repeated = (ids != "").to_numpy() & ~eventframe.first_appearances(pd.factorize(ids)[0])
    if repeated.any():  # grouping a million ids costs a second; only needed to word the message
        first_row = pd.Series(check.rows).groupby(ids.to_numpy()).transform("min").to_numpy()
        check.flag(repeated, "event_id", lambda i: f"duplicate event_id, first used on row {first_row[i]}")


def _check_type(text: dict[str, pd.Series], check: _Collector) -> None:
    types = text["event_type"]
    check.flag(
        (types != "") & ~types.isin(EVENT_TYPES),
        "event_type",
        f"unknown event type; expected one of {', '.join(EVENT_TYPES)}",
    )


def _check_dates(text: dict[str, pd.Series], check: _Collector) -> tuple[pd.Series, pd.Series]:
    """``event_date``, ``end_date`` and their precisions; return both dates parsed (NaT where bad)."""
    precision = text["date_precision"]
    check.flag((precision != "") & ~precision.isin(PRECISIONS), "date_precision", "must be day, month or year")
    start = _dates(text["event_date"], "event_date", check)
    today = pd.Timestamp(date.today())
    out_of_range = start.notna() & ((start < EARLIEST_DATE) | (start > today))
    check.flag(out_of_range, "event_date", f"is out of range (from {EARLIEST_DATE.date()} to today, {today.date()})")
    _check_period_starts(text["event_date"], start, precision, "date_precision", check)

    end_text, end_precision = text["end_date"], text["end_precision"]
    end = _dates(end_text, "end_date", check)
    check.flag(
        end.notna() & start.notna() & (end < start),
        "end_date",
        lambda i: f"is before event_date {text['event_date'].iloc[i]}",
    )
    check.flag(end.notna() & (end > today), "end_date", f"is after today ({today.date()})")
    check.flag(
        (end_text != "") & ~end_precision.isin(PRECISIONS),
        "end_precision",
        "must be day, month or year when end_date is set",
    )
    return start, end


def _check_coordinates(
    frame: pd.DataFrame, text: dict[str, pd.Series], check: _Collector
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``latitude`` and ``longitude``: numbers in range; return them and where both are usable."""
    lat = _numbers(_raw_or_text(frame, text, "latitude"))
    lon = _numbers(_raw_or_text(frame, text, "longitude"))
    check.flag(_given(frame, text, "latitude") & lat.isna(), "latitude", "is not a number")
    check.flag(_given(frame, text, "longitude") & lon.isna(), "longitude", "is not a number")
    lat_range = lat.notna() & ((lat < -90) | (lat > 90))
    lon_range = lon.notna() & ((lon < -180) | (lon > 180))
    swapped_range = lat_range & lon.between(-90, 90) & lat.between(-180, 180)
    check.flag(swapped_range, "latitude", "is outside -90..90; latitude and longitude look swapped")
    check.flag(lat_range & ~swapped_range, "latitude", "is outside -90..90")
    check.flag(lon_range, "longitude", "is outside -180..180")
    return lat, lon, lat.notna() & lon.notna() & ~lat_range & ~lon_range


def _check_countries(
    text: dict[str, pd.Series],
    lat: pd.Series,
    lon: pd.Series,
    coords_ok: pd.Series,
    start: pd.Series,
    check: _Collector,
) -> tuple[np.ndarray, dict[int, str]]:
    """``country``: a known code, holding the row's point on its date.

    Returns each row's country as found from its point (the named one where
    :mod:`geo.frontiers` keeps a point off its polygon), and, by position,
    the note saying why such a point was kept.
    """
    country = text["country"]
    known = borders.known_iso3()
    named = country.isin(known)
    check.flag(
        (country != "") & ~named,
        "country",
        "is not an ISO 3166-1 alpha-3 code of a Natural Earth country",
    )

    geo_country = np.full(len(country), None, dtype=object)
    if coords_ok.any():
        idx = np.flatnonzero(coords_ok.to_numpy())
        geo_country[idx] = _country_of_points(lon.to_numpy()[idx], lat.to_numpy()[idx])
    # Compared by codes of the few distinct values (as Python objects, a
    # million cells cost some 0.3 s): a point at sea (None) gets -1, which
    # differs from every named code.
    found_codes, found_values = pd.factorize(geo_country)
    named_codes, named_values = pd.factorize(country)
    as_named = pd.Index(named_values).get_indexer(pd.Index(found_values, dtype=object))
    found = np.where(found_codes >= 0, np.append(as_named, -1)[found_codes], -1)
    mismatch = coords_ok.to_numpy() & named.to_numpy(dtype=bool) & (found != named_codes)
    # Off its polygon: a border or coastal point, the country as it was on the date, a disputed
    # area, or truly outside (geo.frontiers, one vectorised pass per named country).
    off = np.flatnonzero(mismatch)
    named_off = country.iloc[off].to_numpy(dtype=object)
    sorted_out = frontiers.check_countries(
        lon.to_numpy()[off], lat.to_numpy()[off], named_off, geo_country[off], start.to_numpy()[off]
    )
    outside = np.zeros(len(country), dtype=bool)
    swapped = np.zeros(len(country), dtype=bool)
    outside[off[sorted_out.status == "outside"]] = True
    swapped[off[sorted_out.status == "swapped"]] = True
    distances = dict(zip(off, sorted_out.km, strict=True))
    kept = np.isin(sorted_out.status, ["within", "then", "nowhere"])
    geo_country[off[kept]] = named_off[kept]
    country_notes = dict(zip(off, sorted_out.note, strict=True))
    # The cells the messages quote, taken once (pandas' .iloc per row costs a millisecond each).
    off_lat, off_lon, off_named = (
        dict(zip(off, _raw_or_text(check.frame, text, c).iloc[off].tolist(), strict=True))
        for c in ("latitude", "longitude", "country")
    )
    check.flag(
        swapped,
        "latitude",
        lambda i: f"with longitude {off_lon[i]}, lies outside {off_named[i]}; latitude and longitude look swapped",
    )
    check.flag(
        outside,
        "latitude",
        lambda i: (
            f"the point ({off_lat[i]}, {off_lon[i]}) lies {distances[i]:.0f} km outside {off_named[i]}, "
            "the country named" + (f" (it is in {geo_country[i]})" if geo_country[i] else "")
        ),
    )
    return geo_country, country_notes


def _check_counts(frame: pd.DataFrame, text: dict[str, pd.Series], check: _Collector) -> tuple[pd.Series, pd.Series]:
    """``fatalities`` and ``troops``: whole numbers of 0 or more, or empty; return them (NaN where empty)."""
    fatalities = _numbers(_raw_or_text(frame, text, "fatalities"))
    fat_bad = _given(frame, text, "fatalities") & (fatalities.isna() | (fatalities < 0) | _fractional(fatalities))
    check.flag(fat_bad, "fatalities", "must be a whole number of 0 or more, or empty where unknown")
    troops = _numbers(_raw_or_text(frame, text, "troops"))
    troops_bad = _given(frame, text, "troops") & (troops.isna() | (troops < 0) | _fractional(troops))
    check.flag(troops_bad, "troops", "must be a whole number of 0 or more, or empty")
    return fatalities, troops


def _check_location_precision(text: dict[str, pd.Series], check: _Collector) -> None:
    loc_precision = text["location_precision"]
    check.flag(
        (loc_precision != "") & ~loc_precision.isin(LOCATION_PRECISIONS),
        "location_precision",
        "must be place, region or country (or empty)",
    )


def _check_sources(text: dict[str, pd.Series], source_ids: set[str], check: _Collector) -> None:
    """``sources``: every id is a known article."""

    def unknown_sources(value: str) -> list[str]:
        return [s for s in (p.strip() for p in value.split(";")) if s and s not in source_ids]

    bad_sources = [unknown_sources(value) for value in text["sources"]]
    check.flag(
        [bool(b) for b in bad_sources],
        "sources",
        lambda i: f"unknown source id {', '.join(map(repr, bad_sources[i]))}; known: {', '.join(sorted(source_ids))}",
    )


def _check_routes(text: dict[str, pd.Series], check: _Collector) -> None:
    """``route``: troop movements, and only they, have one of two places or more."""
    routes, types = text["route"], text["event_type"]
    has_route = routes != ""
    check.flag(has_route & (types != "troop_movement"), "route", "only troop_movement events have a route")
    short_route = np.zeros(len(routes), dtype=bool)
    if has_route.any():  # splitting a million empty cells costs seconds
        with_route = np.flatnonzero(has_route.to_numpy())
        short_route[with_route] = (routes.iloc[with_route].str.split(ROUTE_SEPARATOR.strip()).str.len() < 2).to_numpy()
    check.flag(
        short_route,
        "route",
        f"needs at least two places joined by '{ROUTE_SEPARATOR.strip()}'",
    )
    check.flag((types == "troop_movement") & ~has_route, "route", "a troop_movement needs a route")


def _check_places(text: dict[str, pd.Series], lat: pd.Series, lon: pd.Series, check: _Collector) -> None:
    """Curated data only: locations and route stops are gazetteer places, coordinates match them."""
    places = gazetteer.load_gazetteer().set_index("name")
    suggestions: dict[int, str] = {}
    unknown = np.zeros(len(check.frame), dtype=bool)
    far = np.zeros(len(check.frame), dtype=bool)
    far_km: dict[int, tuple[float, str]] = {}
    for i, location in enumerate(text["location"]):
        if not location:
            continue
        try:
            name = gazetteer.canonical_name(location)
        except gazetteer.UnknownPlace as exc:
            unknown[i] = True
            suggestions[i] = str(exc).split("; ", 1)[1] if exc.suggestions else "add it to geo/gazetteer.py first"
            continue
        if pd.notna(lat.iloc[i]) and pd.notna(lon.iloc[i]):
            place = places.loc[name]
            km = borders.distance_km(lon.iloc[i], lat.iloc[i], place["longitude"], place["latitude"])
            if km > GAZETTEER_TOLERANCE_KM:
                far[i] = True
                far_km[i] = (km, name)
    check.flag(unknown, "location", lambda i: f"is not a gazetteer place; {suggestions[i]}")
    check.flag(
        far, "latitude", lambda i: f"the coordinates are {far_km[i][0]:.1f} km from the gazetteer's {far_km[i][1]}"
    )

    bad_stop: dict[int, str] = {}
    for i, route in enumerate(text["route"]):
        for stop in (s.strip() for s in route.split(ROUTE_SEPARATOR.strip()) if route):
            try:
                gazetteer.canonical_name(stop)
            except gazetteer.UnknownPlace as exc:
                bad_stop[i] = str(exc)
                break
    mask = np.zeros(len(check.frame), dtype=bool)
    mask[list(bad_stop)] = True
    check.flag(mask, "route", lambda i: f"stop {bad_stop[i]}")


def _check_record(frame: pd.DataFrame, check: _Collector, reference_ids: set[str] | None) -> dict[str, pd.Series]:
    """Check the optional public-record columns and return them typed, with the date each row is placed at."""
    text = {c: (_text(frame[c]) if c in frame else pd.Series("", index=frame.index, dtype="string"))
            for c in record.RECORD_COLUMNS}  # fmt: skip
    parts: dict[str, pd.Series] = {}
    for date_column, precision_column in (
        ("record_date", "record_precision"),
        ("record_end_date", "record_end_precision"),
    ):
        value, precision = text[date_column], text[precision_column]
        parsed = _dates(value, date_column, check)
        check.flag((value != "") & ~precision.isin(PRECISIONS), precision_column,
                   f"must be day, month or year when {date_column} is set")  # fmt: skip
        check.flag((value == "") & (precision != ""), precision_column, f"is set but {date_column} is empty")
        _check_period_starts(value, parsed, precision, precision_column, check)
        parts[date_column], parts[precision_column] = parsed, precision.replace("", pd.NA)
    # A month- or year-precise end may be stored before a day-precise start in the same period.
    last_day = period_end(parts["record_end_date"], parts["record_end_precision"].fillna("day"))
    check.flag(
        parts["record_end_date"].notna() & parts["record_date"].notna() & (last_day < parts["record_date"]),
        "record_end_date", lambda i: f"is before record_date {text['record_date'].iloc[i]}",
    )  # fmt: skip
    has_record = (text["record_date"] != "") | (text["record_place"] != "") | (text["record_fatalities"] != "")
    check.flag(has_record & (text["record_sources"] == ""), "record_sources",
               "is empty; a public-record date, place or figure must name its references")  # fmt: skip
    if reference_ids is not None:
        unknown = [
            [r for r in record.references_cited(cell) if r not in reference_ids] for cell in text["record_sources"]
        ]
        check.flag([bool(u) for u in unknown], "record_sources",
                   lambda i: f"unknown reference id {', '.join(map(repr, unknown[i]))}; add it to references.csv")  # fmt: skip
    for column in ("record_latitude", "record_longitude", "record_fatalities"):
        numbers = _numbers(text[column])
        check.flag((text[column] != "") & numbers.isna(), column, "is not a number")
        parts[column] = numbers
    check.flag(parts["record_fatalities"].notna() & ((parts["record_fatalities"] < 0) | _fractional(parts["record_fatalities"])),
               "record_fatalities", "must be a whole number of 0 or more")  # fmt: skip
    check.flag((text["record_latitude"] == "") != (text["record_longitude"] == ""), "record_latitude",
               "record_latitude and record_longitude go together")  # fmt: skip
    for column in ("record_place", "record_sources", "record_note"):
        parts[column] = text[column]
    start = _parse_dates(_text(frame["event_date"]))
    parts["placed"], _, _ = record.most_precise(start, _text(frame["date_precision"]), parts["record_date"],
                                                parts["record_precision"])  # fmt: skip
    return parts


# --- the country of a point ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_shapes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the countries' codes, bounding boxes and prepared polygons, the Sahel's first."""
    countries = borders.load_countries()
    countries = countries.iloc[np.argsort(~countries["iso3"].isin(borders.SAHEL_ISO3).to_numpy(), kind="stable")]
    shapes = countries.geometry.to_numpy()
    shapely.prepare(shapes)
    return countries["iso3"].to_numpy(dtype=object), shapely.bounds(shapes), shapes


def _country_of_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the ISO alpha-3 code of the country whose interior holds each point, or ``None``.

    The answer of :func:`geo.borders.country_of_points` (a point at sea or on a
    border line gets ``None``), 20 times faster for a million points: each
    country's prepared polygon is tested only against the points still
    unplaced that fall in its bounding box, the Sahel's countries first since
    most events are there, so most points are tested once. (Where two
    polygons overlap, the Sahel country wins; Natural Earth's do not overlap.)
    This belongs in ``geo.borders``; it lives here while that module has
    another owner. The importers reach it here, as ``geo.validation._country_of_points``.
    """
    codes, boxes, shapes = _country_shapes()
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out = np.full(len(lon), None, dtype=object)
    todo = np.arange(len(lon))
    for code, (west, south, east, north), shape in zip(codes, boxes, shapes, strict=True):
        if len(todo) == 0:
            break
        x, y = lon[todo], lat[todo]
        near = (x >= west) & (x <= east) & (y >= south) & (y <= north)
        if not near.any():
            continue
        candidates = todo[near]
        inside = shapely.contains_xy(shape, lon[candidates], lat[candidates])
        if inside.any():
            out[candidates[inside]] = code
            placed = np.zeros(len(lon), dtype=bool)
            placed[candidates[inside]] = True
            todo = todo[~placed[todo]]
    return out
