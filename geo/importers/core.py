"""The public door: :func:`import_table` reads a file and hands it to the reader of its format.

The format is told by the bytes (:mod:`geo.importers.sniff`) and, for CSV, by
the header (:func:`detect_format`); each reader maps its rows to the events
layout, refusing bad cells by row and column.

The mapped rows then go through ``geo.validation.validate_events`` (``strict=False,
check_places=False``): its problems join the importer's, and
``ImportResult.events`` is the GeoDataFrame it returns (typed dates, points in
EPSG:4326, its derived ``start``/``end``/``date_label``/``geo_country`` columns
after ``_row``), sorted by date. The importer checks only what it must to map a
row; whether the point lies in the named country is ``validate_events``' call.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from geo.errors import DataError, RowProblem, problem_order
from geo.events import EVENT_TYPES, with_shared_categories
from geo.importers.acled import _map_acled
from geo.importers.cells import DATE_ORDERS, _arrow_text, _Rows
from geo.importers.csvfile import _cut_in_blocks, _normalise_name, _one_chunk_each, _read_csv, _read_csv_file
from geo.importers.layout import _map_events
from geo.importers.points import _map_points, _read_points
from geo.importers.sniff import (
    MAX_FILE_BYTES,
    _file_error,
    _kind_label,
    _plain_csv,
    _read_head,
    _read_source,
    _sniff_kind,
    _unzip,
    _Upload,
)
from geo.importers.ucdp import _map_ucdp
from geo.importers.xlsx import _read_xlsx
from geo.parallel import WORKERS, fault_in_small_pages, hand_back_freed_memory, side_by_side
from geo.validation import validate_events

# Kinds of file read as a table of cells whose header tells the format.
_TABLES = ("csv", "xlsx")

#: The formats :func:`import_table` reads (``fmt``).
FORMATS: tuple[str, ...] = ("acled", "ucdp", "events", "geojson", "gpkg")


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
    notes : tuple of str
        How cells were read where a person should know it (the date order
        found, decimal commas), one sentence each.
    """

    events: pd.DataFrame
    problems: list[RowProblem]
    fmt: str
    rows_read: int = 0
    encoding: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()

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
        lines.extend(f"  {note}" for note in self.notes)
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
    date_order: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
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
    date_order : {"dmy", "mdy"}, optional
        How to read dates written ``1/2/2022``: day first or month first.
        Without it the column must settle the order (a first number above 12
        means day first, a second above 12 month first); a column that does
        not is refused whole, since a guess would swap day and month.
    max_bytes : int, default :data:`MAX_FILE_BYTES` (200 MB of 1024 x 1024 bytes, as Streamlit counts)
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
        ``fmt``, ``event_type`` or ``date_order`` is not a known value.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt {fmt!r} is not one of {', '.join(FORMATS)}")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise ValueError(f"event_type {event_type!r} is not one of {', '.join(sorted(EVENT_TYPES))}")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order {date_order!r} is not one of {', '.join(DATE_ORDERS)}")
    fault_in_small_pages()  # a big file fills a gigabyte of fresh memory: see its docstring
    read = None
    if isinstance(source, (str, os.PathLike)) and fmt not in ("geojson", "gpkg"):
        # A CSV file on disk is parsed from there, its bytes never held whole (_read_csv_file).
        name, head = _read_head(source, max_bytes)
        if _plain_csv(name, head):
            read = _read_csv_file(Path(source), head, name)
        del head
    if read is None:
        name, data = _read_source(source, max_bytes)
        name, data = _unzip(name, data, max_bytes)
        kind = _sniff_kind(name, data)
    else:
        kind = "csv"
    if fmt in ("geojson", "gpkg") and kind == "csv":
        raise _file_error(name, f"expected a {_kind_label(fmt)} file but this looks like a CSV table")
    if fmt in ("acled", "ucdp", "events") and kind not in _TABLES:
        raise _file_error(name, f"expected a CSV table but this looks like a {_kind_label(kind)} file")

    if kind in _TABLES:
        if read is None:
            read = _read_csv(data, name) if kind == "csv" else (_read_xlsx(data, name), "")
            del data  # the cells are in the table now
        table, encoding = read
        del read
        columns = table.header
        chosen = fmt or _detect(columns, name)
        _require_columns(chosen, columns, name)
        options = {
            "date_order": date_order,
            "decimal_comma": table.delimiter == ";",
            "carriage_returns": table.carriage_returns,
        }
        cells = [table.raw]
        table.raw = None  # the rows hold the cells, and let them go once mapped
        try:
            frame, mapping_problems, mapping_notes = _map_cells(chosen, cells, options)
        except DataError as err:  # a whole column refused (dates that could be read two ways)
            raise DataError(err.problems, source=name) from None
        mapped = [frame]
        del frame
        problems = table.problems + mapping_problems
        rows_read = table.rows_read
        notes = (*table.notes, *mapping_notes)
        del table  # free the cells as read before validation sorts the mapped columns
    else:
        chosen = kind
        encoding = ""
        raw, problems, rows_read = _read_points(data, name, kind)
        rows = _Rows(raw, date_order=date_order)
        try:
            mapped = [_map_points(rows, name, date_column, event_type)]
        except DataError as err:
            raise DataError(err.problems, source=err.source if err.source != "data" else name) from None
        problems = problems + rows.problems
        notes = tuple(rows.notes)

    events, problems = _validate(mapped, problems)
    return ImportResult(
        events=events,
        problems=sorted(problems, key=problem_order),
        fmt=chosen,
        rows_read=rows_read,
        encoding=encoding,
        source=name,
        notes=notes,
    )


_MAPPERS = {"acled": _map_acled, "ucdp": _map_ucdp, "events": _map_events}


# The columns each table format reads as dates. One holding a slash may need the day/month
# order settled over the whole column (and the file's other date columns), with a note saying
# which cell settled it: a block of rows cannot do that on its own.
_DATE_COLUMNS = {"acled": ("event_date",), "ucdp": ("date_start", "date_end"), "events": ("event_date", "end_date")}


#: Rows below which a table is mapped in one piece: threads cost more than they give.
BLOCK_ROWS = 100_000


def _map_cells(
    fmt: str, cells: list[pd.DataFrame], options: dict[str, object]
) -> tuple[pd.DataFrame, list[RowProblem], list[str]]:
    """Map a table's cells with its format's mapper: the mapped rows, the refusals and the notes.

    A big table whose every row maps without looking at the others is cut
    into blocks of rows (:func:`_block_rows`, each with cells of its own:
    ``csvfile._cut_in_blocks``) mapped side by side, one per core (mapping
    is Arrow and numpy work that runs without Python's lock: a million ACLED
    rows 1.5 s to 0.8 s on 2 cores); the blocks' rows,
    refusals and categories are joined in file order, which gives what one
    pass gives (``tests/test_import_paths.py`` compares the two). A table is
    mapped in one piece where a reading is made over a whole column: dates
    with slashes (their day/month order), a ``;``-separated file (decimal
    commas) and ACLED's monadic layout (an event's rows merged wherever they
    are in the file).

    ``cells`` holds the table, popped here so that the rows (or the blocks)
    hold the only reference and free the cells once mapped.
    """
    raw = cells.pop()
    mapper = _MAPPERS[fmt]
    if _maps_in_blocks(fmt, raw, options):
        blocks: list[pd.DataFrame | None] = list(_cut_in_blocks(raw, _block_rows(len(raw))))
        del raw
        parts = side_by_side([functools.partial(_map_block, mapper, blocks, i, options) for i in range(len(blocks))])
        frames = with_shared_categories([frame for frame, _, _ in parts])
        problems = [p for _, block_problems, _ in parts for p in block_problems]
        notes = list(dict.fromkeys(n for _, _, block_notes in parts for n in block_notes))
        del parts
        hand_back_freed_memory()  # the blocks' scratch, before validation allocates its own
        return pd.concat(frames, ignore_index=True), problems, notes
    _one_chunk_each(raw)
    rows = _Rows(raw, **options)
    del raw
    return mapper(rows), rows.problems, rows.notes


def _block_rows(rows: int) -> int:
    """Rows in each block of a table of ``rows``: two blocks a worker, of at least :data:`BLOCK_ROWS` rows.

    With a block waiting behind each one being mapped, the cells of the
    blocks mapped first are freed while the mapped rows grow (a million ACLED
    rows peak at 930 MB in four blocks against 1,015 MB in two), and each
    block costs its own pass over its distinct titles and descriptions (ten
    blocks took 0.4 s longer).
    """
    return max(BLOCK_ROWS, -(-rows // (2 * WORKERS)))


def _map_block(
    mapper: Callable[[_Rows], pd.DataFrame], blocks: list[pd.DataFrame | None], i: int, options: dict[str, object]
) -> tuple[pd.DataFrame, list[RowProblem], list[str]]:
    """Map block ``i`` of ``blocks``, letting go of the list's reference to its cells."""
    rows = _Rows(blocks[i], **options)
    blocks[i] = None
    return mapper(rows), rows.problems, rows.notes


def _maps_in_blocks(fmt: str, raw: pd.DataFrame, options: dict[str, object]) -> bool:
    """Whether ``raw`` is big enough to map in blocks, and maps row by row (see :func:`_map_cells`)."""
    if WORKERS < 2 or len(raw) < 2 * BLOCK_ROWS or options["decimal_comma"]:
        return False
    if fmt == "acled" and "actor2" not in raw:
        return False
    for column in _DATE_COLUMNS[fmt]:
        if column in raw and pc.any(pc.match_substring(_arrow_text(raw[column]), "/")).as_py():
            return False
    return True


def _detect(columns: list[str], name: str) -> str:
    """Like :func:`detect_format`, naming the file in the error."""
    try:
        return detect_format(columns)
    except DataError as err:
        raise DataError(err.problems, source=name) from None


def _validate(mapped: list[pd.DataFrame], problems: list[RowProblem]) -> tuple[pd.DataFrame, list[RowProblem]]:
    """Run the events layout's own checks on the mapped rows and merge their problems.

    VALIDATE_EVENTS HOOK: the single call site of ``geo.validation.validate_events``
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
    text = {c for c, dtype in mapped[0].dtypes.items() if isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))}
    # Rows mapped in blocks hold each text column in a chunk a block: Arrow would copy such a
    # column into one chunk whenever validation sorts it, on top of the sorted copy. Gathered
    # here, one column at a time with the frame its only holder, each costs one copy, not two.
    _one_chunk_each(mapped[0])
    checked, more = validate_events(mapped.pop(), source_ids=None, check_places=False, strict=False)
    more = [dataclasses.replace(p, value=None) if p.column in text and _is_missing(p.value) else p for p in more]
    return checked, problems + more


def _is_missing(value: object) -> bool:
    return value is pd.NA or (isinstance(value, float) and np.isnan(value))


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


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.dropna().value_counts().sort_index().items()}


def _reason(problem: RowProblem) -> str:
    """A problem's column and message with its numbers and quoted values left out, to count alike refusals."""
    message = re.sub(r"\([^)]*\d[^)]*\)", "(…)", problem.message)
    message = re.sub(
        r"\b(row|lines?) \d[\d-]*|\d+(\.\d+)? km",
        lambda m: m.group(0).split()[0] + " …" if m.group(1) else "… km",
        message,
    )
    return f"{problem.column}: {message}" if problem.column else message
