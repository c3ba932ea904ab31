"""Excel workbooks (``.xlsx``, as ACLED's export tool offers them) into text cells, read with openpyxl.

The first worksheet is read as a table: its first non-blank row is the
header, and each later row's spreadsheet row number is its ``_row`` (the
number a person sees in Excel). Cells become the text a CSV export would
hold: dates as ``YYYY-MM-DD`` (a date cell has no day/month order to guess),
whole numbers without ``.0``, blanks empty. The workbook is a ZIP archive:
what it declares it unpacks to is bounded as for any ZIP before a cell is read.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pyarrow as pa

from geo.importers.csvfile import _cells_frame, _Table, _to_chunks, _Top
from geo.importers.sniff import _ANY_PACKED_SIZE, _MAX_PACKING_RATIO, MEGABYTE, _file_error

# openpyxl's rows as Python values before they become Arrow chunks.
_ROW_BATCH = 50_000


def _read_xlsx(data: bytes, name: str) -> _Table:
    """Read the first worksheet of an ``.xlsx`` workbook into text cells, with its row numbers."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(m.file_size for m in archive.infolist())
    except zipfile.BadZipFile as err:
        raise _file_error(name, f"cannot open the Excel workbook ({err})") from None
    if unpacked > max(_ANY_PACKED_SIZE, _MAX_PACKING_RATIO * len(data)):
        raise _file_error(
            name,
            f"the workbook unpacks to {unpacked / MEGABYTE:,.0f} MB, more than {_MAX_PACKING_RATIO} times its size",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise _file_error(name, f"cannot read the Excel workbook ({type(err).__name__}: {err})") from None
    try:
        sheet = book.worksheets[0]
        top = _Top(name)
        header: list[str] | None = None
        columns: list[list[pa.Array]] = []
        batch: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_as_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                while cells and not cells[-1].strip():
                    cells.pop()  # formatting can widen a sheet past its last named column
            if top.consumes(cells):
                if header is None:
                    header = top.header
                    columns = [[] for _ in header]
                continue
            cells = (cells + [""] * len(header))[: len(header)]
            batch.append(cells)
            lines.append(number)
            if len(batch) == _ROW_BATCH:
                _to_chunks(batch, columns)
        _to_chunks(batch, columns)
    finally:
        book.close()
    if header is None:
        raise _file_error(name, "the first worksheet is empty: no header row")
    return _Table(header=[c for c in header if c], raw=_cells_frame(header, columns, lines), rows_read=len(lines))


def _as_text(value: object) -> str:
    """A cell as the text a CSV export holds."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)
