"""Loading and validating event files (``events.csv`` and anything in its layout).

The layout is documented in ``docs/data.md``. Loading is all-or-nothing for
curated files (:func:`load_events` raises :class:`~geo.errors.DataError`
listing every bad cell), and row-by-row for imported data
(:func:`validate_events` with ``strict=False`` keeps the good rows and lists
the refused ones). Checks are vectorised so that a million imported rows
validate in seconds; only the refused rows are visited one by one to word
their messages.

What the map does on every slider step is prepared here once, at load:
events sorted by date (the date cut is a binary search), ``geo_country``
found once (a country filter is a column comparison), and ``search_text``,
the searched columns joined and lower-cased (a text search is one substring
scan). ``event_type`` and ``geo_country`` stay text columns rather than
categoricals: a categorical's ``value_counts`` and ``groupby`` list every
category, seen or not, which changes what callers count (the importers'
summary among them), and a country or type filter over Arrow-backed text
already takes about 15 ms per million events.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import borders, frontiers, gazetteer, record
from geo.errors import DataError, Refusals, RowProblem, problem_order

ROOT = Path(__file__).resolve().parent.parent
EVENTS_CSV = ROOT / "events.csv"
SOURCES_CSV = ROOT / "sources.csv"

EVENT_TYPES: dict[str, str] = {
    "coup": "a government overthrown by the military",
    "attack": "an armed attack on a military target or base",
    "massacre": "killing of civilians",
    "insurgency": "armed groups taking or holding territory; violence over a period",
    "announcement": "a government or coalition decision made public",
    "statement": "a demand, accusation, warning or diplomatic statement; meetings",
    "expulsion": "a diplomat or foreign force told to leave",
    "sanctions": "sanctions imposed or lifted",
    "operation": "a military operation or task force starting or ending",
    "troop_movement": "forces moving along a route between event_date and end_date",
    "base_handover": "a base left or handed over",
    "casualty_report": "a cumulative toll reported over a period",
    "protest": "demonstrations and riots",
}

#: The columns a text search looks in; ``search_text`` holds them joined and lower-cased.
SEARCH_COLUMNS: tuple[str, ...] = ("title", "description", "actors", "location")

PRECISIONS = ("day", "month", "year")
LOCATION_PRECISIONS = ("place", "region", "country")

COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "date_precision", "end_date", "end_precision", "event_type",
    "title", "description", "actors", "location", "country", "latitude", "longitude",
    "location_precision", "fatalities", "sources", "route", "troops", "date_note", "readings",
)  # fmt: skip
OPTIONAL_EXTRA: tuple[str, ...] = ("dataset", "source_id", "notes")
REQUIRED: tuple[str, ...] = (
    "event_id", "event_date", "date_precision", "event_type", "title",
    "location", "country", "latitude", "longitude", "sources",
)  # fmt: skip

ROUTE_SEPARATOR = " > "
EARLIEST_DATE = pd.Timestamp("1900-01-01")
_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: How far (km) curated coordinates may sit from their gazetteer place.
GAZETTEER_TOLERANCE_KM = 1.0


def read_table(source, *, name: str | None = None) -> pd.DataFrame:
    """Read a CSV in the events layout as strings, with ``_row`` = its line number.

    Parameters
    ----------
    source
        A path, or a file-like object (bytes or text) such as an upload.
    name
        How to call the file in messages (defaults to its path or ``.name``).

    Raises
    ------
    DataError
        If the file is not parseable CSV or lacks the required columns.
    """
    label = name or str(getattr(source, "name", source))
    try:
        if hasattr(source, "read"):
            raw = source.read()
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        else:
            text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            [RowProblem(None, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")], source=label
        ) from exc
    except OSError as exc:
        raise DataError(
            [RowProblem(None, None, None, f"cannot read the file: {exc.strerror or exc}")], source=label
        ) from exc
    # csv.reader rather than pandas: it tells where each record starts, so
    # messages can name the line a person sees in an editor even when quoted
    # fields span lines.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, starts = [], []
    try:
        header = next(reader, None)
        line = reader.line_num
        for record in reader:
            if record:
                records.append(record)
                starts.append(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        raise DataError([RowProblem(reader.line_num, None, None, f"malformed CSV: {exc}")], source=label) from exc
    if not header:
        raise DataError([RowProblem(None, None, None, "the file is empty")], source=label)
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(
            [RowProblem(1, c, None, "required column is missing from the header") for c in missing],
            source=label,
        )
    problems = [
        RowProblem(start, None, len(rec), f"has {len(rec)} fields, the header has {len(header)}")
        for rec, start in zip(records, starts, strict=True)
        if len(rec) != len(header)
    ]
    if problems:
        raise DataError(problems, source=label)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame = frame.apply(lambda col: col.str.strip())
    frame["_row"] = starts
    return frame


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def _numbers(series: pd.Series) -> pd.Series:
    """Parse numbers as float64 with NaN for blanks and junk (no nullable NA: comparisons stay boolean)."""
    if _is_number_column(series):
        # Importers hand over typed numbers: no need to format and re-parse a million floats.
        return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def _raw_or_text(frame: pd.DataFrame, text: dict[str, pd.Series], column: str) -> pd.Series:
    """Return the column as given when it holds numbers, else its stripped text."""
    return frame[column] if _is_number_column(frame[column]) else text[column]


def _is_number_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _text(series: pd.Series) -> pd.Series:
    """Return a column as stripped text, '' where blank; numeric columns stay numbers (as objects).

    Numbers are only compared with '' and quoted in messages, so a numeric
    column is not formatted to strings: that would cost seconds for a million rows.
    """
    if _is_number_column(series):
        return series.astype(object).where(series.notna(), "")
    text = series.astype("string").fillna("")
    # Imported text comes stripped already: keep its buffers rather than
    # copy a million descriptions. A cell changes under strip() only if its
    # first or last character does.
    first, last = text.str[:1], text.str[-1:]
    if (((first != "") & (first.str.strip() == "")) | ((last != "") & (last.str.strip() == ""))).any():
        return text.str.strip()
    return text


def _parse_dates(series: pd.Series) -> pd.Series:
    """Parse strict ISO dates; anything else (or an impossible day) becomes NaT."""
    text = series.astype("string").str.strip()
    ok = text.str.fullmatch(_ISO_DATE.pattern).fillna(False).astype(bool)
    return parse_dates(text.where(ok), ("%Y-%m-%d",))


def parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates in the first of ``formats`` that fits, NaT for the rest; each distinct cell is parsed once.

    The one date parser of the curated checks and the importers: a million
    cells hold a few thousand distinct dates, each parsed once.
    """
    codes, uniques = pd.factorize(values)
    text = pd.Series(list(uniques), dtype=object)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        missing = parsed.isna()
        if not missing.any():
            break
        attempt = pd.to_datetime(text[missing], format=fmt, errors="coerce")
        parsed.loc[missing] = attempt.astype("datetime64[us]")
    table = np.append(parsed.to_numpy(), np.datetime64("NaT", "us"))
    return pd.Series(table[codes], index=values.index, dtype="datetime64[us]")


def period_end(start: pd.Series, precision: pd.Series) -> pd.Series:
    """Return the last day of the period each (date, precision) pair stands for."""
    month_end = start + pd.offsets.MonthEnd(0)
    year_end = start + pd.offsets.YearEnd(0)
    return start.where(precision == "day", month_end.where(precision == "month", year_end))


def format_date(value, precision: str) -> str:
    """Format a date at its precision: '17 February 2022', 'June 2022' or '2013'."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return f"{calendar.month_name[stamp.month]} {stamp.year}"
    return f"{stamp.day} {calendar.month_name[stamp.month]} {stamp.year}"


def format_period(row: pd.Series) -> str:
    """Format an event's date, or its span 'from – to', each at its own precision."""
    first = format_date(row["event_date"], row["date_precision"])
    end = row.get("end_date")
    if end is None or pd.isna(end):
        return first
    last = format_date(end, row.get("end_precision") or row["date_precision"])
    return first if last == first else f"{first} – {last}"


class _Collector(Refusals):
    """The shared collector, quoting each bad cell from the frame being checked."""

    def __init__(self, frame: pd.DataFrame):
        super().__init__(frame["_row"].to_numpy() if "_row" in frame else np.arange(len(frame)) + 2)
        self.frame = frame

    def flag(self, mask, column: str, message, value_column: str | None = None) -> None:
        super().flag(mask, column, message, self.frame.get(value_column or column, None))


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
        Rows in the layout of ``docs/data.md``, as read by :func:`read_table`
        (strings), or typed values. A ``_row`` column, when present, gives the
        line numbers used in messages.
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
        ``search_text`` (:data:`SEARCH_COLUMNS` joined, lower-cased).
    """
    # No defensive copy (pandas copies on write); absent columns are blank.
    frame = frame.reset_index(drop=True)
    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        frame = frame.assign(**dict.fromkeys(missing, ""))
    text = {c: _text(frame[c]) for c in COLUMNS}
    check = _Collector(frame)

    for column in REQUIRED:
        check.flag(text[column] == "", column, "is empty; this column is required")

    ids = text["event_id"]
    check.flag(
        (ids != "") & ~ids.str.fullmatch(_EVENT_ID.pattern).fillna(False),
        "event_id",
        "must start with a letter or digit and hold only letters, digits and _ . : -",
    )
    repeated = ((ids != "") & ids.duplicated(keep="first")).to_numpy()
    if repeated.any():  # grouping a million ids costs a second; only needed to word the message
        first_row = pd.Series(check.rows).groupby(ids.to_numpy()).transform("min").to_numpy()
        check.flag(repeated, "event_id", lambda i: f"duplicate event_id, first used on row {first_row[i]}")

    types = text["event_type"]
    check.flag(
        (types != "") & ~types.isin(EVENT_TYPES),
        "event_type",
        f"unknown event type; expected one of {', '.join(EVENT_TYPES)}",
    )

    precision = text["date_precision"]
    check.flag((precision != "") & ~precision.isin(PRECISIONS), "date_precision", "must be day, month or year")
    start = _parse_dates(text["event_date"])
    unparsable = (text["event_date"] != "") & start.isna()
    check.flag(unparsable, "event_date", "is not a date in the form YYYY-MM-DD")
    today = pd.Timestamp(date.today())
    out_of_range = start.notna() & ((start < EARLIEST_DATE) | (start > today))
    check.flag(out_of_range, "event_date", f"is out of range (from {EARLIEST_DATE.date()} to today, {today.date()})")
    month_bad = (precision == "month") & start.notna() & (start.dt.day != 1)
    check.flag(
        month_bad,
        "date_precision",
        lambda i: f"says month, but {text['event_date'].iloc[i]} is not the first of a month",
    )
    year_bad = (precision == "year") & start.notna() & ((start.dt.day != 1) | (start.dt.month != 1))
    check.flag(year_bad, "date_precision", lambda i: f"says year, but {text['event_date'].iloc[i]} is not 1 January")

    end_text, end_precision = text["end_date"], text["end_precision"]
    end = _parse_dates(end_text)
    check.flag((end_text != "") & end.isna(), "end_date", "is not a date in the form YYYY-MM-DD")
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

    lat = _numbers(_raw_or_text(frame, text, "latitude"))
    lon = _numbers(_raw_or_text(frame, text, "longitude"))
    check.flag((text["latitude"] != "") & lat.isna(), "latitude", "is not a number")
    check.flag((text["longitude"] != "") & lon.isna(), "longitude", "is not a number")
    lat_range = lat.notna() & ((lat < -90) | (lat > 90))
    lon_range = lon.notna() & ((lon < -180) | (lon > 180))
    swapped_range = lat_range & lon.between(-90, 90) & lat.between(-180, 180)
    check.flag(swapped_range, "latitude", "is outside -90..90; latitude and longitude look swapped")
    check.flag(lat_range & ~swapped_range, "latitude", "is outside -90..90")
    check.flag(lon_range, "longitude", "is outside -180..180")

    country = text["country"]
    known = borders.known_iso3()
    check.flag(
        (country != "") & ~country.isin(known),
        "country",
        "is not an ISO 3166-1 alpha-3 code of a Natural Earth country",
    )

    coords_ok = lat.notna() & lon.notna() & ~lat_range & ~lon_range
    geo_country = np.full(len(frame), None, dtype=object)
    if coords_ok.any():
        idx = np.flatnonzero(coords_ok.to_numpy())
        geo_country[idx] = _country_of_points(lon.to_numpy()[idx], lat.to_numpy()[idx])
    # Points at sea have no country: compare as plain objects so None differs
    # from every code instead of turning the mask into NA.
    found = pd.Series(geo_country, dtype=object).fillna("").to_numpy()
    mismatch = coords_ok & country.isin(known) & pd.Series(found != country.to_numpy(dtype=object))
    # Off its polygon: a border or coastal point, the country as it was on the date, a disputed
    # area, or truly outside (geo.frontiers, one vectorised pass per named country).
    off = np.flatnonzero(mismatch.to_numpy())
    sorted_out = frontiers.check_countries(
        lon.to_numpy()[off], lat.to_numpy()[off], country.to_numpy(dtype=object)[off], geo_country[off],
        start.to_numpy()[off],
    )  # fmt: skip
    outside = np.zeros(len(frame), dtype=bool)
    swapped = np.zeros(len(frame), dtype=bool)
    outside[off[sorted_out.status == "outside"]] = True
    swapped[off[sorted_out.status == "swapped"]] = True
    distances = dict(zip(off, sorted_out.km, strict=True))
    kept_off = off[np.isin(sorted_out.status, ["within", "then", "nowhere"])]
    geo_country[kept_off] = country.to_numpy(dtype=object)[kept_off]
    country_notes = dict(zip(off, sorted_out.note, strict=True))
    # The cells the messages quote, taken once (pandas' .iloc per row costs a millisecond each).
    off_lat, off_lon, off_named = (
        dict(zip(off, text[c].iloc[off].tolist(), strict=True)) for c in ("latitude", "longitude", "country")
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

    fatalities = _numbers(_raw_or_text(frame, text, "fatalities"))
    fat_bad = (text["fatalities"] != "") & (fatalities.isna() | (fatalities < 0) | (fatalities % 1 != 0))
    check.flag(fat_bad, "fatalities", "must be a whole number of 0 or more, or empty where unknown")
    troops = _numbers(_raw_or_text(frame, text, "troops"))
    troops_bad = (text["troops"] != "") & (troops.isna() | (troops < 0) | (troops % 1 != 0))
    check.flag(troops_bad, "troops", "must be a whole number of 0 or more, or empty")

    loc_precision = text["location_precision"]
    check.flag(
        (loc_precision != "") & ~loc_precision.isin(LOCATION_PRECISIONS),
        "location_precision",
        "must be place, region or country (or empty)",
    )

    if source_ids is not None:

        def unknown_sources(value: str) -> list[str]:
            return [s for s in (p.strip() for p in value.split(";")) if s and s not in source_ids]

        bad_sources = [unknown_sources(value) for value in text["sources"]]
        check.flag(
            [bool(b) for b in bad_sources],
            "sources",
            lambda i: (
                f"unknown source id {', '.join(map(repr, bad_sources[i]))}; known: {', '.join(sorted(source_ids))}"
            ),
        )

    routes = text["route"]
    has_route = routes != ""
    check.flag(has_route & (types != "troop_movement"), "route", "only troop_movement events have a route")
    short_route = np.zeros(len(frame), dtype=bool)
    if has_route.any():  # splitting a million empty cells costs seconds
        with_route = np.flatnonzero(has_route.to_numpy())
        short_route[with_route] = (routes.iloc[with_route].str.split(ROUTE_SEPARATOR.strip()).str.len() < 2).to_numpy()
    check.flag(
        short_route,
        "route",
        f"needs at least two places joined by '{ROUTE_SEPARATOR.strip()}'",
    )
    check.flag((types == "troop_movement") & ~has_route, "route", "a troop_movement needs a route")

    if check_places:
        _check_places(text, lat, lon, check)
    record_parts = (
        _check_record(frame, check, reference_ids) if any(c in frame for c in record.RECORD_COLUMNS) else None
    )

    good = ~check.bad
    if strict and check.problems:
        raise DataError(sorted(check.problems, key=problem_order), source=name)

    # The kept rows in their final order (date, then id), chosen before any
    # column is copied: one take per column instead of a filter then a sort,
    # and none at all when the file is already in order.
    count = len(frame)
    placed = start if record_parts is None else record_parts["placed"]
    rows = _date_order(np.flatnonzero(good), placed, text["event_id"])
    in_order = len(rows) == count and bool((rows == np.arange(count)).all())

    def pick(series: pd.Series) -> pd.Series:
        return (series if in_order else series.take(rows)).reset_index(drop=True)

    parts = {
        "event_id": text["event_id"], "event_date": start, "date_precision": precision, "end_date": end,
        "end_precision": end_precision, "event_type": types, "title": text["title"],
        "description": text["description"], "actors": text["actors"], "location": text["location"],
        "country": country, "latitude": lat, "longitude": lon, "location_precision": loc_precision,
        "fatalities": fatalities, "sources": text["sources"], "route": routes, "troops": troops,
        "date_note": text["date_note"], "readings": text["readings"],
    }  # fmt: skip
    # Hand the columns over one at a time and drop every other reference, so
    # that each unsorted column is freed as soon as its sorted copy exists: a
    # million rows then never hold two copies of the table. That includes the
    # caller's frame, which every check is done with: a caller that keeps no
    # reference to it (geo.importers) has its columns freed along the way.
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
    frame = check = None
    text = ids = types = precision = country = routes = loc_precision = end_precision = None
    start = end = lat = lon = fatalities = troops = None
    typed = pd.DataFrame({column: pick(parts.pop(column)) for column in list(parts)}, copy=False)
    typed["end_precision"] = typed["end_precision"].replace("", pd.NA)
    typed["location_precision"] = typed["location_precision"].replace("", "place")
    typed["fatalities"] = typed["fatalities"].astype("Int64")
    typed["troops"] = typed["troops"].astype("Int64")
    for extra in OPTIONAL_EXTRA:
        typed[extra] = pick(extras.pop(extra)).astype("str").fillna("") if extra in extras else ""
    if "dataset" in typed:
        typed["dataset"] = typed["dataset"].replace("", "curated")
    _release_arrow_memory()  # the caller's columns, now sorted copies
    typed["_row"] = line_numbers[rows]
    typed["start"] = typed["event_date"]
    typed["end"] = period_end(
        typed["end_date"].fillna(typed["event_date"]),
        typed["end_precision"]
        .fillna(typed["date_precision"])
        .where(typed["end_date"].notna(), typed["date_precision"]),
    )
    located = pick(pd.Series(geo_country, dtype=object)).fillna(typed["country"].astype(object))
    typed["geo_country"] = located.astype("str")
    typed["date_label"] = _date_labels(typed)
    if record_parts is None:
        typed["articles_start"], typed["articles_end"] = typed["start"], typed["end"]
        typed["articles_date_label"] = typed["date_label"]
        typed["dated_by_record"] = False
        typed["placed_precision"] = typed["date_precision"]
    else:
        _place_at_most_precise(typed, {k: pick(v) for k, v in record_parts.items() if k != "placed"})
    typed["search_text"] = _search_text(typed)
    _release_arrow_memory()  # the search text's scratch, before GEOS allocates the points
    events = borders.as_points(typed)
    return events, sorted(problems, key=problem_order)


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
        parsed = _parse_dates(value)
        check.flag((value != "") & parsed.isna(), date_column, "is not a date in the form YYYY-MM-DD")
        check.flag((value != "") & ~precision.isin(PRECISIONS), precision_column,
                   f"must be day, month or year when {date_column} is set")  # fmt: skip
        check.flag((value == "") & (precision != ""), precision_column, f"is set but {date_column} is empty")
        check.flag((precision == "month") & parsed.notna() & (parsed.dt.day != 1), precision_column,
                   lambda i, v=value: f"says month, but {v.iloc[i]} is not the first of a month")  # fmt: skip
        check.flag((precision == "year") & parsed.notna() & ((parsed.dt.day != 1) | (parsed.dt.month != 1)),
                   precision_column, lambda i, v=value: f"says year, but {v.iloc[i]} is not 1 January")  # fmt: skip
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
    check.flag(parts["record_fatalities"].notna() & ((parts["record_fatalities"] < 0) | (parts["record_fatalities"] % 1 != 0)),
               "record_fatalities", "must be a whole number of 0 or more")  # fmt: skip
    check.flag((text["record_latitude"] == "") != (text["record_longitude"] == ""), "record_latitude",
               "record_latitude and record_longitude go together")  # fmt: skip
    for column in ("record_place", "record_sources", "record_note"):
        parts[column] = text[column]
    start = _parse_dates(_text(frame["event_date"]))
    parts["placed"], _, _ = record.most_precise(start, _text(frame["date_precision"]), parts["record_date"],
                                                parts["record_precision"])  # fmt: skip
    return parts


def _place_at_most_precise(typed: pd.DataFrame, parts: dict[str, pd.Series]) -> None:
    """Keep the articles' dates in ``articles_*`` and place each event at its most precise date (in place)."""
    for column, values in parts.items():
        typed[column] = values.to_numpy() if column.startswith("record_") else values
    typed["record_fatalities"] = typed["record_fatalities"].astype("Int64")
    typed["articles_start"], typed["articles_end"] = typed["start"], typed["end"]
    typed["articles_date_label"] = typed["date_label"]
    first, first_precision, by_record = record.most_precise(
        typed["event_date"], typed["date_precision"], typed["record_date"], typed["record_precision"]
    )
    last, last_precision, end_by_record = record.most_precise_end(
        typed["end_date"], typed["end_precision"], typed["record_end_date"], typed["record_end_precision"]
    )
    typed["dated_by_record"] = by_record | end_by_record
    typed["placed_precision"] = first_precision
    typed["start"] = first
    typed["end"] = period_end(last.fillna(first), last_precision.where(last.notna(), first_precision).fillna("day"))
    placed = pd.DataFrame(
        {"event_date": first, "date_precision": first_precision, "end_date": last, "end_precision": last_precision}
    )
    typed["date_label"] = np.where(typed["dated_by_record"], _date_labels(placed), typed["articles_date_label"])
    recorded = pd.DataFrame(
        {"event_date": typed["record_date"], "date_precision": typed["record_precision"],
         "end_date": typed["record_end_date"], "end_precision": typed["record_end_precision"]}
    )  # fmt: skip
    has = typed["record_date"].notna().to_numpy()
    labels = np.full(len(typed), "", dtype=object)
    if has.any():
        labels[has] = _date_labels(recorded[has].reset_index(drop=True))
    typed["record_date_label"] = labels


def _release_arrow_memory() -> None:
    """Hand the memory Arrow has freed back to the system.

    Arrow's allocator keeps freed memory for its own reuse, and until it lets
    it go it counts in the process's peak: at a million rows the columns
    replaced by their sorted copies, or a step's scratch, are hundreds of
    megabytes.
    """
    pa.default_memory_pool().release_unused()


def _date_order(keep: np.ndarray, start: pd.Series, ids: pd.Series) -> np.ndarray:
    """Return the positions ``keep`` ordered by date, then by id (ids of kept rows are unique)."""
    if len(keep) < 2:
        return keep
    days = start.to_numpy(dtype="datetime64[ns]")[keep].view(np.int64)
    id_rank = np.empty(len(keep), dtype=np.int64)
    id_rank[np.asarray(ids.iloc[keep].argsort())] = np.arange(len(keep))
    return keep[np.lexsort((id_rank, days))]


def _date_labels(typed: pd.DataFrame) -> np.ndarray:
    """Return each event's :func:`format_period`, formatted once per distinct (date, precision, end, precision)."""
    columns = ["event_date", "date_precision", "end_date", "end_precision"]
    if typed.empty:
        return np.array([], dtype=object)
    codes = typed.groupby(columns, dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    distinct = typed[columns].iloc[first]
    labels = np.array([format_period(row) for row in distinct.to_dict("records")], dtype=object)
    # ngroup numbers groups in order of first appearance, as np.unique's first positions are.
    return labels[codes]


def _search_text(typed: pd.DataFrame) -> pd.Series:
    """Return the searched columns joined by spaces and lower-cased, once, for :func:`geo.filters.text_mask`."""
    columns = [pa.chunked_array(pa.array(typed[c].astype("string").fillna(""))) for c in SEARCH_COLUMNS]
    space = pa.scalar(" ", columns[0].type)
    step = 100_000
    starts = range(0, len(typed), step)

    def piece(start: int) -> pa.Array:
        # Arrow lower-cases character by character: joining first changes nothing.
        joined = pc.binary_join_element_wise(*(c.slice(start, step) for c in columns), space)
        return pc.utf8_lower(joined).combine_chunks()

    # Built a slice at a time into one column of its final size, each slice
    # made twice (to size the column, then to fill it): joining and
    # lower-casing whole columns holds the text two or three times over (some
    # 200 MB each at a million rows), and a column of many chunks is copied
    # into one by every later filter.
    lengths = [pc.binary_length(piece(start)).to_numpy(zero_copy_only=False) for start in starts]
    offsets = np.concatenate([np.zeros(1, dtype=np.int64), *lengths]).cumsum()
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    for start in starts:
        part = piece(start)
        part_offsets = np.frombuffer(part.buffers()[1], dtype=np.int64)[part.offset : part.offset + len(part) + 1]
        if part_offsets[-1] > part_offsets[0]:
            data[offsets[start] : offsets[start + len(part)]] = np.frombuffer(part.buffers()[2], dtype=np.uint8)[
                part_offsets[0] : part_offsets[-1]
            ]
    text = pa.LargeStringArray.from_buffers(len(typed), pa.py_buffer(offsets), pa.py_buffer(data))
    return pd.Series(pa.chunked_array([text]), index=typed.index, dtype="string")


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
    another owner.
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


def load_sources(path: str | Path = SOURCES_CSV) -> pd.DataFrame:
    """Return the table of source articles (``source_id`` as zero-padded strings)."""
    sources = pd.read_csv(path, dtype=str, keep_default_na=False)
    sources["display"] = [
        headline or (f"{label} (no headline; our summary)" if label else source_id)
        for source_id, headline, label in zip(sources["source_id"], sources["headline"], sources["label"], strict=True)
    ]
    return sources


def load_events(
    path=EVENTS_CSV, *, sources_path: str | Path = SOURCES_CSV, check_places: bool = True
) -> gpd.GeoDataFrame:
    """Load an events file, all or nothing.

    Raises
    ------
    DataError
        Listing every refused cell, by row, column and value.
    """
    frame = read_table(path)
    source_ids = set(load_sources(sources_path)["source_id"])
    reference_ids = set(record.load_references()["ref_id"]) if record.REFERENCES_CSV.exists() else None
    events, _ = validate_events(
        frame, source_ids=source_ids, check_places=check_places, strict=True,
        name=str(getattr(path, "name", path)), reference_ids=reference_ids,
    )  # fmt: skip
    return events


def source_list(value: str) -> list[str]:
    """Split a ``sources`` cell into its ids."""
    return [s.strip() for s in str(value).split(";") if s.strip()]


def route_stops(value: str) -> list[str]:
    """Split a ``route`` cell into its ordered place names."""
    return [s.strip() for s in str(value).split(ROUTE_SEPARATOR.strip()) if s.strip()]


def combine_events(*frames: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return validated event frames as one, sorted by date (the order filtering relies on).

    Raises
    ------
    DataError
        If an ``event_id`` appears in more than one frame (imported ids carry
        their dataset's prefix, so this means the same file was added twice).
    """
    present = [f for f in frames if f is not None and len(f)]
    if not present:
        return frames[0] if frames else borders.as_points(pd.DataFrame({"latitude": [], "longitude": []}))
    combined = pd.concat(present, ignore_index=True)
    repeated = combined.loc[combined["event_id"].duplicated(), "event_id"]
    if len(repeated):
        raise DataError(
            [RowProblem(None, "event_id", value, "appears in more than one data set") for value in repeated[:20]],
            source="combined data",
        )
    # By the date each event is placed at (its most precise one), the order filtering relies on.
    combined = combined.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=borders.WGS84)
