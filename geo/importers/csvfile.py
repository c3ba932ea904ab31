"""CSV into text cells: Arrow where it reads a file as the csv module does, the csv module elsewhere."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo.errors import DataError, RowProblem
from geo.eventframe import release_arrow_memory as _release_arrow_memory
from geo.importers.cells import _TEXT, _WHITESPACE, _arrow_text
from geo.importers.sniff import (
    _MAX_BAD_BYTES,
    _UTF8_SEQUENCE,
    _bad_utf8_offsets,
    _decode,
    _file_error,
    _is_utf8,
    _valid_utf8,
)
from geo.parallel import side_by_side

_BOM = b"\xef\xbb\xbf"


# Bytes of CSV that Arrow parses at a time: with its default (1 MB) a 300 MB
# file takes longer to parse, in as many pieces.
_CSV_BLOCK = 16 << 20


#: The widest header read: real exports have a few dozen columns, and a
#: million-column header would cost gigabytes before its first row.
_MAX_COLUMNS = 500


# The cells as Arrow parsed them, with 32-bit offsets, until _one_chunk_each (or _cut_in_blocks) makes them _TEXT.
_NARROW = pd.ArrowDtype(pa.string())


# Records the csv module reader holds as Python strings before they become Arrow chunks.
_RECORD_BATCH = 50_000


@dataclass
class _Table:
    header: list[str]
    raw: pd.DataFrame
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    #: False when no cell can hold a carriage return: the file holds none, or each record is one line.
    carriage_returns: bool = True


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
    carriage_returns = b"\r" in data or (utf8 is not data and b"\r" in utf8)
    table = _read_csv_arrow(utf8, start, name, carriage_returns=carriage_returns)
    del utf8
    if table is None:
        table = _read_csv_text(data, encoding, name, "replace" if bad else "strict")
    table.carriage_returns = table.carriage_returns and carriage_returns
    if bad:
        _refuse_bad_bytes(table, data, bad)
    return table, encoding


def _read_csv_file(path: Path, head: bytes, name: str) -> tuple[_Table, str] | None:
    """Read a CSV file from disk as :func:`_read_csv` reads its bytes, never holding them whole; None where only it can.

    ``head`` is the file's first bytes (:data:`geo.importers.sniff.HEAD_BYTES`).
    Read into one bytes object, a million ACLED rows' 320 MB sat beside
    Arrow's parse, the import's peak, and cost as much again in fresh memory
    to fill. Here a first pass reads the file a piece at a time into one
    buffer (:func:`_scan_file`: UTF-8 throughout, and its lines counted), and
    Arrow then parses it from disk in its own blocks. Anything else (not
    UTF-8 throughout, a first line past the head, a file Arrow would read
    otherwise than the csv module) is None: the caller reads the bytes and
    hands them to :func:`_read_csv`, which decides as it always has.
    """
    start = len(_BOM) if head.startswith(_BOM) else 0
    size = os.path.getsize(path)
    complete = len(head) == size
    if head.startswith(_BOM, start) or (not complete and not re.search(rb"[\r\n]", head[start:].lstrip(b" \t\r\n"))):
        return None  # a second byte-order mark; a first line longer than the head (_check_width reads it whole)
    scan = _scan_file(path, start)
    if scan is None:
        return None
    lines, carriage_returns = scan
    _check_width(head, start, name)
    header = _csv_head(head, start, complete=complete)
    if header is None:
        return None
    with pa.OSFile(str(path)) as source:
        source.seek(start)
        table = _arrow_cells(source, header, lambda: lines)
    if table is None:
        return None
    table.carriage_returns = table.carriage_returns and carriage_returns
    return table, "utf-8"


#: Bytes of a file :func:`_scan_file` reads at a time, into one buffer.
_FILE_PIECE = 16 << 20


def _scan_file(path: Path, start: int) -> tuple[int, bool] | None:
    """Its lines from ``start`` as :func:`_count_lines` counts them, and whether it holds a ``\r``; None if it is not UTF-8 throughout.

    One pass of :data:`_FILE_PIECE` bytes at a time into one buffer. A
    character cut at a piece's end is carried to the front of the buffer for
    the next piece (its bytes are never a line break), and a ``\r`` ending a
    piece is lone unless the next piece starts with ``\n``.
    """
    buffer = bytearray(_FILE_PIECE + 3)  # room for a piece and the 1-3 bytes carried before it
    view = memoryview(buffer)
    feeds = returns = lone = 0
    carried = 0  # the bytes of a cut character at the buffer's front
    ended_on_return = False
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        while read := handle.readinto(view[carried : carried + _FILE_PIECE]):
            end = carried + read
            if ended_on_return and buffer[0] == 10:
                lone -= 1  # a CRLF cut between two pieces
            feeds += _line_feeds(buffer, 0, end)
            found, alone = _carriage_returns(buffer, 0, end)
            returns, lone = returns + found, lone + alone
            ended_on_return = buffer[end - 1] == 13
            whole = _whole_characters(buffer, end)
            if not _valid_utf8(view[:whole]):
                return None
            buffer[: end - whole] = buffer[whole:end]
            carried = end - whole
        if carried:
            return None  # the file ends inside a character
        tail_feeds, tail_lone, blank = _trailing_breaks(handle, start)
    if blank:
        return 0, returns > 0
    return feeds - tail_feeds + lone - tail_lone + 1, returns > 0


def _whole_characters(buffer: bytearray, end: int) -> int:
    """Where the UTF-8 character cut at ``end`` starts: ``end`` when none is (or the bytes are not UTF-8 anyway)."""
    for back in range(1, min(4, end) + 1):
        byte = buffer[end - back]
        if byte < 0x80:
            return end
        if byte >= 0xC0:  # the character's first byte: how many it takes
            return end - back if (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) > back else end
    return end


def _trailing_breaks(handle: io.RawIOBase, start: int) -> tuple[int, int, bool]:
    """The ``\n`` and lone ``\r`` in the run of line breaks that ends the file, and whether the run starts at ``start``.

    :func:`_count_lines` counts the lines up to the last one holding anything.
    """
    position = handle.seek(0, os.SEEK_END)
    run = b""
    while position > start:
        at = max(start, position - (1 << 16))
        handle.seek(at)
        piece = handle.read(position - at)
        kept = piece.rstrip(b"\r\n")
        run = piece[len(kept) :] + run
        if kept:
            break
        position = at
    lone = run.count(b"\r") - run.count(b"\r\n")
    return run.count(b"\n"), lone, position <= start


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
        raise _too_wide(name, width)


def _too_wide(name: str, width: int) -> DataError:
    return _file_error(
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


def _read_csv_arrow(data: bytes, start: int, name: str, *, carriage_returns: bool = True) -> _Table | None:
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
    source = pa.BufferReader(pa.py_buffer(data).slice(start))
    return _arrow_cells(source, head, lambda: _count_lines(data, start, carriage_returns=carriage_returns))


def _arrow_cells(source: pa.NativeFile, head: tuple[str, list[str]], count_lines: Callable[[], int]) -> _Table | None:
    """Parse CSV from ``source`` with Arrow, given its delimiter and header (:func:`_csv_head`); None as :func:`_read_csv_arrow` says.

    ``count_lines`` says how many lines the file has (:func:`_count_lines`),
    to tell each record's line.
    """
    delimiter, header = head
    names = [str(i) for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            source,
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
                # 32-bit offsets while the file's bytes are held too (the import's peak, 72 MB
                # less for a million 18-column rows); _one_chunk_each (or _cut_in_blocks) widens them after.
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    # The parse's scratch (blocks in flight) is free now: hand it back before the checks below
    # allocate theirs on top (40 MB of peak at a million rows).
    _release_arrow_memory()
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(column)).as_py() or 0) > limit for column in table.columns):
        return None
    total = count_lines()
    lines = _record_lines(table, total)
    if lines is None:
        return None
    # A record to a line: no cell holds a line break (a CRLF file's cells hold no carriage return).
    line_breaks = table.num_rows != total

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
    # Still 32-bit offsets (pandas' ArrowDtype): _one_chunk_each (or _cut_in_blocks) widens them
    # once the caller has let the file's bytes go.
    raw = pd.DataFrame(
        {column: pd.Series(cells.column(i), dtype=_NARROW) for i, column in enumerate(_unique_names(normalised))}
    )
    raw.index = pd.RangeIndex(len(rows))
    raw["_row"] = lines[rows]
    return _Table(
        header=[c for c in normalised if c],
        raw=raw,
        problems=[],
        rows_read=len(rows),
        delimiter=delimiter,
        carriage_returns=line_breaks,
    )


def _one_chunk_each(raw: pd.DataFrame) -> None:
    """Gather each text column's chunks (one per block Arrow parsed) into one, as ``_TEXT``, in place.

    Sorting or filtering a column of many chunks first copies them into one,
    every time; done once here, a column at a time, it costs one column.
    Columns Arrow parsed with 32-bit offsets (``_NARROW``) are widened to
    ``large_string`` here too: the caller has let the file's bytes go, and
    each column's narrow offsets go as its wide ones come.
    """
    for column in raw.columns:
        dtype = raw[column].dtype
        values = _arrow_text(raw[column]) if dtype in (_TEXT, _NARROW) else None
        if values is not None and (values.num_chunks > 1 or dtype == _NARROW):
            raw[column] = pd.Series(pa.chunked_array([values.combine_chunks()]), dtype=_TEXT)
            values = None
            # The column's old chunks are free now: handed back before the next column's copy is
            # made, or Arrow's allocator keeps them all and the copies grow the process by a table.
            _release_arrow_memory()
        values = None


def _cut_in_blocks(raw: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    """``raw``'s rows in blocks of ``rows``, each holding a copy of its own cells as ``_TEXT``; ``raw`` is emptied.

    Blocks that were slices of one table shared its buffers: no cell was
    freed until the last block was mapped, and the mapped rows piled up on
    the whole table (the peak of a million ACLED rows, 1,000 MB). A block
    with cells of its own lets them go once it is mapped
    (``_Rows.forget_cells``), while later blocks are still waiting. The
    table's columns are taken out one at a time, each freed once its blocks
    are copied, so the copies cost one column at a time; they replace
    :func:`_one_chunk_each`'s gathering, which copied every column too.
    """
    starts = range(0, len(raw), rows)
    blocks: list[dict[str, pd.Series]] = [{} for _ in starts]
    for column in list(raw.columns):
        values = raw.pop(column)
        text = values.array.__arrow_array__() if values.dtype in (_TEXT, _NARROW) else None
        if text is not None:
            # combine_chunks copies even a slice of one chunk: the block's own buffers. The
            # blocks' copies are made side by side: most of their time is the kernel's, filling
            # fresh memory, which two cores do in half the time.
            copies = side_by_side([functools.partial(_own_copy, text, at, rows) for at in starts], size=len(values))
        else:
            copies = [values.iloc[at : at + rows].reset_index(drop=True).copy() for at in starts]
        for block, copy in zip(blocks, copies, strict=True):
            block[column] = copy
        del values, text, copies
        _release_arrow_memory()  # the column's cells, before the next column is copied
    return [pd.DataFrame(block, copy=False) for block in blocks]


def _own_copy(text: pa.ChunkedArray, at: int, rows: int) -> pd.Series:
    """Rows ``at`` to ``at + rows`` of ``text`` as ``_TEXT`` in buffers of their own."""
    return pd.Series(pa.chunked_array([text.slice(at, rows).combine_chunks()]), dtype=_TEXT)


def _csv_head(data: bytes, start: int, *, complete: bool = True) -> tuple[str, list[str]] | None:
    """The delimiter and the first non-blank record, as ``_read_csv_text`` finds them, from the top of the file.

    ``complete=False``: ``data`` is only the file's first bytes, and None is
    returned where the answer would need more of them.
    """
    size = 1 << 16
    while True:
        end = min(len(data), start + size)
        whole = end == len(data)
        if whole and not complete:
            return None
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


def _count_lines(data: bytes, start: int, *, carriage_returns: bool = True) -> int:
    """Lines from ``start`` to the last one holding anything, as ``io.StringIO(newline="")`` splits them.

    ``carriage_returns=False`` (the caller found none in ``data``) spares two passes over the bytes.
    """
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1
    if end == start:
        return 0
    breaks = _line_feeds(data, start, end)
    if carriage_returns:
        breaks += _lone_carriage_returns(data, start, end)
    return breaks + 1


def _line_feeds(data: bytes, start: int, end: int) -> int:
    """How many ``\n`` ``data[start:end]`` holds: ``bytes.count``, a slice at a time in numpy.

    numpy compares a slice in vector instructions where ``bytes.count`` reads
    a byte at a time: 0.05 s against 0.18 s for a million-row (320 MB) file.
    """
    cells = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    step = 1 << 22
    return sum(int(np.count_nonzero(cells[at : at + step] == 10)) for at in range(0, len(cells), step))


def _carriage_returns(data: bytes | bytearray, start: int, end: int) -> tuple[int, int]:
    """How many ``\r`` ``data[start:end]`` holds, and how many of them are lone: not followed by ``\n`` (each ends a line of its own).

    Found a slice at a time in numpy: one comparison pass finds the ``\r``,
    and only the byte after each is read (a CRLF file has one a line), a
    third of the time of comparing every byte twice and about a sixth of
    counting ``\r`` and ``\r\n`` with ``bytes.count``, without a mask the
    size of the file.
    """
    cells = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    step = 1 << 22
    found = lone = 0
    for at in range(0, len(cells), step):
        returns = np.flatnonzero(cells[at : at + step] == 13) + at
        if len(returns):
            last = int(returns[-1] == len(cells) - 1)  # the data's last byte: nothing follows it, so it is lone
            after = cells[returns[: len(returns) - last] + 1]
            found += len(returns)
            lone += int(np.count_nonzero(after != 10)) + last
    return found, lone


def _lone_carriage_returns(data: bytes, start: int, end: int) -> int:
    """How many ``\r`` in ``data[start:end]`` are not followed by ``\n`` (:func:`_carriage_returns`)."""
    return _carriage_returns(data, start, end)[1]


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
    top = _Top(name)
    header: list[str] | None = None
    width = 0
    records: list[list[str]] = []
    chunks: list[list[pa.Array]] = []
    lines: list[int] = []
    rows_read = 0
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
        if top.consumes(record):
            if header is None:
                header = top.header
                width = len(header)
                chunks = [[] for _ in header]
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
    raw = _cells_frame(header, chunks, lines)
    return _Table(header=[c for c in header if c], raw=raw, problems=problems, rows_read=rows_read, delimiter=delimiter)


class _Top:
    """The top of a table as a reader meets its records: the header (the first record not blank), then maybe HDX's hashtag row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: list[str] | None = None
        self._under_header = False

    def consumes(self, record: list[str]) -> bool:
        """Whether ``record`` (not blank) is the header or the hashtag row under it, rather than data."""
        if self.header is None:
            if len(record) > _MAX_COLUMNS:
                raise _too_wide(self.name, len(record))
            self.header = [_normalise_name(c) for c in record]
            self._under_header = True
            return True
        if self._under_header:
            self._under_header = False
            return _is_hashtag_row(record)
        return False


def _cells_frame(header: list[str], chunks: list[list[pa.Array]], lines: list[int]) -> pd.DataFrame:
    """The text cells a reader gathered (one list of Arrow chunks per header column) and each record's line."""
    cells = {
        column: pd.Series(pa.chunked_array(chunks[i], type=pa.large_string()), dtype=_TEXT)
        for i, column in enumerate(_unique_names(header))
    }
    raw = pd.DataFrame(cells, index=pd.RangeIndex(len(lines)))
    raw["_row"] = np.asarray(lines, dtype="int64")
    return raw


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
