"""Bytes in: read under a size limit, ZIP and gzip unpacked under a bound, the kind of file, the text encoding."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from geo.errors import DataError, RowProblem


class _Upload(Protocol):
    """What Streamlit's ``UploadedFile`` offers and this module uses."""

    def read(self, size: int = -1, /) -> bytes: ...


def _read_source(source: object, max_bytes: int) -> tuple[str, bytes]:
    """Return the file's name and bytes, refusing anything over ``max_bytes``."""
    if isinstance(source, (str, os.PathLike)):
        return _read_path(source, max_bytes)
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


#: The first bytes of a file read to tell its kind before the rest (:func:`_read_head`): 4 MB, for a
#: CSV header and its first records (:func:`geo.importers.csvfile._csv_head`).
HEAD_BYTES = 4 << 20


def _read_head(path: str | os.PathLike[str], max_bytes: int) -> tuple[str, bytes]:
    """The file's name and first :data:`HEAD_BYTES` bytes, refusing it as :func:`_read_source` does."""
    return _read_path(path, max_bytes, HEAD_BYTES)


def _read_path(path: str | os.PathLike[str], max_bytes: int, limit: int = -1) -> tuple[str, bytes]:
    """A file's name and its bytes (the first ``limit`` of them; all by default), refusing one over ``max_bytes``."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise _too_big(path.name, max_bytes)
        with open(path, "rb") as handle:
            return path.name, handle.read(limit)
    except OSError as err:
        raise _file_error(path.name, f"cannot read the file ({err.strerror or err})") from None


def _plain_csv(name: str, head: bytes) -> bool:
    """Whether a file starting with ``head`` is read as CSV as it is, neither packed (gzip, ZIP) nor another kind."""
    return not head.startswith((_GZIP_MAGIC, b"PK\x03\x04")) and _sniff_kind(name, head) == "csv"


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
                return name, data  # an Excel workbook, read as one (_sniff_kind)
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


#: A megabyte as Streamlit's uploader counts ``server.maxUploadSize`` (1024 x 1024 bytes, in its
#: upload route and its frontend): with 10^6 bytes a 201-209 MB file passed the uploader and was
#: then refused by this package's own limit.
MEGABYTE = 1024 * 1024
#: The largest file read, in :data:`MEGABYTE`, unpacked: ``import_table``'s default, the dashboard's
#: upload and start-up file limit (``geo.ui.MAX_UPLOAD_MB``), and ``server.maxUploadSize`` in
#: ``.streamlit/config.toml``, which must be written out there (``tests/test_import_bounds.py`` compares them).
MAX_FILE_MB = 200
#: :data:`MAX_FILE_MB` in bytes.
MAX_FILE_BYTES = MAX_FILE_MB * MEGABYTE


def _size_label(n_bytes: float) -> str:
    """Say a size as the uploader does, in MB of :data:`MEGABYTE` bytes (kB of 1024 below a tenth of one)."""
    return f"{n_bytes / MEGABYTE:g} MB" if n_bytes >= MEGABYTE / 10 else f"{n_bytes / 1024:g} kB"


#: How many times its packed size a ZIP or gzip member may unpack to, beyond _ANY_PACKED_SIZE.
_MAX_PACKING_RATIO = 100


#: What any archive may unpack to, whatever its ratio.
_ANY_PACKED_SIZE = 16 * MEGABYTE


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
                raise _file_error(name, f"it unpacks to more than the {_size_label(max_bytes)} limit")
            raise _file_error(
                name,
                f"it unpacks to more than {_MAX_PACKING_RATIO} times its packed size "
                f"({_size_label(limit)} from {packed / 1024:,.0f} kB), as a ZIP bomb does: refused",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _sniff_kind(name: str, data: bytes) -> str:
    """``csv``, ``xlsx``, ``geojson`` or ``gpkg``, from the content first and then the name."""
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"  # _unzip has opened every other ZIP archive
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(name, "this is an old Excel workbook (.xls): save it as .xlsx or CSV (UTF-8) first")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    suffix = Path(name).suffix.lower()
    if suffix == ".gpkg":
        raise _file_error(name, "this .gpkg file is not a GeoPackage (SQLite) database")
    if suffix in (".geojson",):
        raise _file_error(name, "this .geojson file does not start with a JSON object")
    if suffix in (".xlsx", ".xls", ".xlsm"):
        raise _file_error(name, "this file is named as an Excel workbook but is not one")
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


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 (Python's strict ``utf-8`` codec), without decoding it.

    Arrow validates the bytes in place, some five times faster than decoding
    them: the file as one string of an Arrow array, checked whole. Its test
    is the Unicode standard's, the codec's too (surrogates, overlong forms and
    code points past U+10FFFF refused alike; ``tests/test_import_paths.py``
    compares the two).
    """
    return data.isascii() or _valid_utf8(data)


def _valid_utf8(data: bytes | memoryview) -> bool:
    """:func:`_is_utf8` for any buffer, without its ASCII shortcut."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _kind_label(kind: str | None) -> str:
    return {"geojson": "GeoJSON", "gpkg": "GeoPackage", "csv": "CSV", "xlsx": "Excel"}.get(kind or "", str(kind))


def _file_error(name: str, message: str) -> DataError:
    return DataError([RowProblem(None, None, None, message)], source=name)


def _too_big(name: str, max_bytes: int) -> DataError:
    return _file_error(name, f"the file is larger than the {_size_label(max_bytes)} limit")
