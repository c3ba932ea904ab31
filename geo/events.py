"""The events layout: its vocabulary, reading a file in it, and loading ``events.csv`` and ``sources.csv``.

The layout is documented in ``docs/data.md``: the columns (:data:`COLUMNS`,
:data:`REQUIRED`), the event types (:data:`EVENT_TYPES`) and precisions,
how a ``sources`` or ``route`` cell is split, and how a date is written at
its precision. Loading is all-or-nothing for curated files
(:func:`load_events` raises :class:`~geo.errors.DataError` listing every bad
cell). The rows are checked by :mod:`geo.validation` (row by row for
imported data, with ``strict=False``) and built into the typed, date-sorted
frame every view reads by :mod:`geo.eventframe`.
"""

from __future__ import annotations

import calendar
import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import borders, record
from geo.errors import DataError, RowProblem

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
    from geo.validation import validate_events  # it imports this module's vocabulary

    frame = read_table(path)
    source_ids = set(load_sources(sources_path)["source_id"])
    reference_ids = set(record.load_references()["ref_id"]) if record.REFERENCES_CSV.exists() else None
    events, _ = validate_events(
        frame, source_ids=source_ids, check_places=check_places, strict=True,
        name=str(getattr(path, "name", path)), reference_ids=reference_ids,
    )  # fmt: skip
    return events


#: How many kept curated frames the cache folder holds at most (one per version of the files and code).
KEPT_EVENTS = 8


def load_events_cached(path: str | Path = EVENTS_CSV) -> gpd.GeoDataFrame:
    """Return :func:`load_events` of ``path`` (with the curated sources), kept between runs by :mod:`geo.diskcache`.

    The command line's start: checking and building the curated events took
    0.3-0.4 s of every export, for a frame that changes only when its files or
    this package do, and both are in the kept file's name. Whatever is wrong
    with a kept file (damaged, unreadable, a folder that cannot be written),
    the events are loaded afresh; a file that fails to load is never kept.
    """
    from geo import diskcache

    inputs = [Path(path), SOURCES_CSV] + ([record.REFERENCES_CSV] if record.REFERENCES_CSV.exists() else [])
    try:
        name = diskcache.fingerprint(inputs, extra=(borders.countries_cache_path().name,))
        kept = diskcache.cache_folder() / f"events-{name}.arrow"
    except (OSError, RuntimeError):  # an input vanished, or no home folder: load_events says what is wrong
        return load_events(path)
    try:
        return diskcache.read_frame(kept)
    except Exception:  # not kept yet, or damaged in any way: load it afresh
        pass
    events = load_events(path)
    try:
        if diskcache.write_frame(events, kept):
            older = sorted(kept.parent.glob("events-*.arrow"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in older[KEPT_EVENTS:]:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError, TypeError, NotImplementedError):
        pass  # a read-only or full folder, or a column Arrow cannot hold: loaded afresh next time
    return events


def source_list(value: str) -> list[str]:
    """Split a ``sources`` cell into its ids."""
    return [s.strip() for s in str(value).split(";") if s.strip()]


def route_stops(value: str) -> list[str]:
    """Split a ``route`` cell into its ordered place names."""
    return [s.strip() for s in str(value).split(ROUTE_SEPARATOR.strip()) if s.strip()]


def with_shared_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Return ``frames`` with every column that is categorical in one of them of one categorical dtype in all.

    ``pandas.concat`` keeps a categorical only where every piece has the same
    categories; otherwise it falls back to one Python object a row (a
    million imported events' ``search_text`` beside the curated ones' would
    take gigabytes). The categories are the union of the frames' (by
    ``pandas.api.types.union_categoricals``); a text column that is
    categorical in no frame is left alone.
    """
    columns = dict.fromkeys(
        c for f in frames for c, dtype in f.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)
    )
    if not columns:
        return list(frames)
    out = [f.copy(deep=False) for f in frames]
    for column in columns:
        parts = [f[column] for f in out if column in f]
        parts = [p if isinstance(p.dtype, pd.CategoricalDtype) else p.astype("category") for p in parts]
        parts = [p.cat.set_categories(p.cat.categories.astype("str")) for p in parts]
        dtype = pd.CategoricalDtype(pd.api.types.union_categoricals(parts, ignore_order=True).categories)
        for f in out:
            if column in f:
                f[column] = f[column].astype(dtype)
    return out


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
    combined = pd.concat(with_shared_categories(present), ignore_index=True)
    repeated = combined.loc[combined["event_id"].duplicated(), "event_id"]
    if len(repeated):
        raise DataError(
            [RowProblem(None, "event_id", value, "appears in more than one data set") for value in repeated[:20]],
            source="combined data",
        )
    # By the date each event is placed at (its most precise one), the order filtering relies on.
    combined = combined.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=borders.WGS84)
