"""CSV files are read by Arrow where it reads them as the csv module does, by the csv module elsewhere, with one result.

``geo.importers.csvfile._read_csv_arrow`` keeps a million rows' cells in compact
Arrow columns; ``_read_csv_text`` (the standard library's reader) handles what
Arrow would read differently or refuse: ragged rows, quotes left open, blank
lines between records. Whichever reads a file, the import must not change.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import eventframe, events, validation
from geo.errors import DataError
from geo.importers import ImportResult, cells, core, csvfile, import_table, sniff

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
CURRENT = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")
LINES = CURRENT.splitlines()


def _python_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def _import(data: bytes, monkeypatch: pytest.MonkeyPatch, *, arrow: bool) -> tuple[str, object]:
    """Import ``data``, with or without the Arrow reader; which reader read it, and the result or the error."""
    used = []
    text_reader = csvfile._read_csv_text

    def spy(*args):
        used.append("csv module")
        return text_reader(*args)

    with monkeypatch.context() as patch:
        patch.setattr(csvfile, "_read_csv_text", spy)
        if not arrow:
            patch.setattr(csvfile, "_read_csv_arrow", lambda data, start, name, **options: None)
        try:
            outcome: object = import_table(Upload(data, "file.csv"))
        except DataError as err:
            outcome = [str(p) for p in err.problems]
    return ("csv module" if used else "arrow"), outcome


def _assert_same(a: object, b: object) -> None:
    if not isinstance(a, ImportResult):
        assert a == b
        return
    assert isinstance(b, ImportResult)
    assert (a.fmt, a.rows_read, a.encoding) == (b.fmt, b.rows_read, b.encoding)
    assert [repr(p) for p in a.problems] == [repr(p) for p in b.problems]
    pd.testing.assert_frame_equal(pd.DataFrame(a.events), pd.DataFrame(b.events), check_exact=True)


def _lines(*edits: tuple[int, str]) -> str:
    lines = list(LINES)
    for i, line in edits:
        lines[i] = line
    return "\n".join(lines) + "\n"


_WIDTH = LINES[0].count(",")
CASES = {
    # name: (bytes, the reader that reads them)
    "current": (CURRENT.encode(), "arrow"),
    "HDX copy: BOM, CRLF, hashtag row, quoted line breaks": ((FIXTURES / "acled_hdx.csv").read_bytes(), "arrow"),
    "older layout": ((FIXTURES / "acled_old.csv").read_bytes(), "arrow"),
    "UCDP web download, trailing commas": ((FIXTURES / "ucdp_web.csv").read_bytes(), "arrow"),
    "UCDP release": ((FIXTURES / "ucdp_official.csv").read_bytes(), "arrow"),
    "events layout": ((ROOT / "events.csv").read_bytes(), "arrow"),
    "CR line ends": ("\r".join(LINES).encode(), "arrow"),
    "Windows-1252": (CURRENT.replace("Djenne", "Djenné").encode("cp1252"), "arrow"),
    "UTF-16": (CURRENT.encode("utf-16"), "arrow"),
    "tabs": (CURRENT.replace(",", "\t").encode(), "arrow"),
    "R's NA": (CURRENT.replace(",,", ",NA,").encode(), "arrow"),
    "padded cells": (CURRENT.replace(",Gao,", ",  Gao\u00a0,").encode(), "arrow"),
    "blank lines at the end": ((CURRENT + "\n\n").encode(), "arrow"),
    "a record of separators only": (_lines((4, "," * _WIDTH)).encode(), "arrow"),
    "header only": ((LINES[0] + "\n").encode(), "arrow"),
    "a blank line between records": (_lines((4, "")).encode(), "csv module"),
    "a ragged row": (_lines((4, LINES[4] + ",extra")).encode(), "csv module"),
    "a short row": (_lines((4, "MLI1,2022-01-01")).encode(), "csv module"),
    "a ragged row, Windows-1252": (
        _lines((4, LINES[4] + ",x")).replace("Djenne", "Djenné").encode("cp1252"),
        "csv module",
    ),
    "a ragged row, UTF-16 and CRLF": (
        _lines((4, LINES[4] + ",x")).replace("\n", "\r\n").encode("utf-16"),
        "csv module",
    ),
    "a quote left open": (_lines((2, LINES[2].replace(",Gao,", ',"Gao,', 1))).encode(), "csv module"),
    "a cell over the field size limit": (
        _lines((2, LINES[2].replace("Le Monde", "x" * 140_000))).encode(),
        "csv module",
    ),
    "two byte-order marks": (b"\xef\xbb\xbf\xef\xbb\xbf" + CURRENT.encode(), "csv module"),
    "empty": (b"", "csv module"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_arrow_and_csv_module_read_every_file_alike(name, monkeypatch):
    data, reader = CASES[name]
    monkeypatch.setattr(csvfile, "_RECORD_BATCH", 3)  # the csv module's records reach Arrow in several batches
    used, fast = _import(data, monkeypatch, arrow=True)
    _, reference = _import(data, monkeypatch, arrow=False)
    assert used == reader
    _assert_same(fast, reference)


# Cases whose bytes are UTF-8 throughout and read by Arrow: on disk, they are parsed from the file.
FROM_DISK = {
    name
    for name, (data, reader) in CASES.items()
    if reader == "arrow" and _python_utf8(data) and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
}


@pytest.mark.parametrize("piece", [7, 1 << 16])
@pytest.mark.parametrize("name", list(CASES))
def test_a_file_on_disk_is_read_as_its_bytes_are(name, piece, tmp_path, monkeypatch):
    # In pieces of 7 bytes the scan cuts CRLFs and UTF-8 characters (the BOM, "é") between pieces.
    data, _ = CASES[name]
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    monkeypatch.setattr(csvfile, "_FILE_PIECE", piece)
    read_whole = []
    whole_reader = core._read_source
    monkeypatch.setattr(core, "_read_source", lambda *args: read_whole.append(1) or whole_reader(*args))
    try:
        from_disk: object = import_table(path)
    except DataError as err:
        from_disk = [str(p) for p in err.problems]
    assert (not read_whole) == (name in FROM_DISK)
    _, as_bytes = _import(data, monkeypatch, arrow=True)
    _assert_same(from_disk, as_bytes)


def test_a_file_whose_first_line_outruns_the_head_is_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "file.csv"
    path.write_text(CURRENT, encoding="utf-8")
    monkeypatch.setattr(sniff, "HEAD_BYTES", 40)  # inside the header
    read_whole = []
    whole_reader = core._read_source
    monkeypatch.setattr(core, "_read_source", lambda *args: read_whole.append(1) or whole_reader(*args))
    result = import_table(path)
    assert read_whole
    _, as_bytes = _import(CURRENT.encode(), monkeypatch, arrow=True)
    _assert_same(result, as_bytes)


# Bytes a scan must tell apart: line ends, ASCII, a 2-byte and a 4-byte character, a byte UTF-8 never holds.
_SCANNED = [b"\r", b"\n", b"x", "é".encode(), "😀".encode(), b"\xff", b"\xc3"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SCANNED), max_size=30).map(b"".join), st.integers(1, 9), st.data())
def test_scanning_a_file_in_pieces_counts_and_checks_what_the_whole_bytes_give(data, piece, draw):
    start = draw.draw(st.integers(0, len(data)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        path.write_bytes(data)
        original = csvfile._FILE_PIECE
        csvfile._FILE_PIECE = piece
        try:
            scanned = csvfile._scan_file(path, start)
        finally:
            csvfile._FILE_PIECE = original
    if not _python_utf8(data[start:]):
        assert scanned is None
    else:
        assert scanned == (csvfile._count_lines(data, start), b"\r" in data[start:])


def test_line_numbers_count_quoted_line_breaks_and_separator_records(monkeypatch):
    # Line 3's source spans three lines (LF, then CRLF); the record after it is separators only.
    lines = list(LINES)
    lines[2] = lines[2].replace("Le Monde", '"Le\nMonde\r\nParis"', 1)
    lines[4] = "," * _WIDTH
    used, result = _import("\n".join(lines).encode(), monkeypatch, arrow=True)
    _, plain = _import(CURRENT.encode(), monkeypatch, arrow=True)
    assert used == "arrow"
    assert isinstance(result, ImportResult) and isinstance(plain, ImportResult)
    # The kept rows were on lines 2-7 and 15; from line 4 on, everything is two lines further down,
    # and the record on line 5 (now the separators on line 7) is skipped like a blank line.
    assert sorted(result.events["_row"]) == [2, 3, 6, 8, 9, 17]
    assert [p.row for p in result.problems] == [p.row + 2 for p in plain.problems]
    assert result.rows_read == plain.rows_read - 1
    assert "source: Le\nMonde\nParis" in result.events.set_index("_row").loc[3, "description"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from([",", '"', "\n", "\r\n", "\r", ";", " ", "\u00a0", "NA", '""'])),
        max_size=5,
    )
)
def test_stray_characters_are_read_alike(edits):
    text = CURRENT
    for where, junk in edits:
        i = int(where * len(text))
        text = text[:i] + junk + text[i:]
    with pytest.MonkeyPatch.context() as patch:
        _, fast = _import(text.encode(), patch, arrow=True)
        _, reference = _import(text.encode(), patch, arrow=False)
    _assert_same(fast, reference)


def test_arrow_strips_and_blanks_as_python_does():
    # text() strips with these characters and matches blanks by spelling, where the csv path used str methods.
    characters = [chr(c) for c in range(sys.maxunicode + 1)]
    assert "".join(c for c in characters if c.isspace()) == cells._WHITESPACE
    letters = set("".join(cells._BLANKS))
    assert not [c for c in characters if not c.isascii() and set(c.lower()) & letters]


@pytest.mark.parametrize("repeat", [1, 62_501])  # 4 rows, and 250,004: more than one slice of 100,000
def test_search_text_is_each_column_lower_cased_and_joined(repeat):
    frame = pd.DataFrame(
        {
            "title": ["İstanbul ΣΑΣ", "", None, "Straße"],
            "description": ["A", "b", "C", None],
            "actors": ["X;Y", None, "", "ǅ"],
            "location": ["Gao", "KIDAL", None, ""],
        },
        dtype="string",
    )
    frame = pd.concat([frame] * repeat, ignore_index=True)
    expected = frame["title"].fillna("").str.lower()
    for column in events.SEARCH_COLUMNS[1:]:
        expected = expected + " " + frame[column].fillna("").str.lower()
    search_text = eventframe.search_text(frame)
    # A categorical of the distinct texts, each once, whatever the number of rows.
    assert isinstance(search_text.dtype, pd.CategoricalDtype)
    assert search_text.cat.categories.is_unique and len(search_text.cat.categories) == 4
    pd.testing.assert_series_equal(search_text.astype("string"), expected, check_names=False)


def test_text_keeps_clean_cells_and_strips_padded_ones():
    clean = pd.Series(["a b", "", None], dtype="str")
    padded = pd.Series(["a ", "\u3000b", None], dtype="str")
    assert validation._text(clean).tolist() == ["a b", "", ""]
    assert validation._text(padded).tolist() == ["a", "b", ""]
    assert np.asarray(validation._text(pd.Series([1.5, np.nan]))).tolist() == [1.5, ""]


# The fast paths of a million-row import (issue 16 item 4): each must answer as the plain way does.


def test_utf8_test_in_arrow_agrees_with_the_codec():

    # Every one- and two-byte sequence, every three-byte one starting with a lead byte, and the
    # edges of the four-byte range: surrogates (ED A0-BF), overlong forms (C0, C1, E0 80-9F,
    # F0 80-8F), code points past U+10FFFF (F4 90+, F5-FF), truncated characters.
    samples = [bytes([a]) for a in range(256)] + [bytes([a, b]) for a in range(256) for b in range(256)]
    samples += [
        bytes([a, b, c]) for a in range(0xE0, 0xF0) for b in range(0x70, 0xC8, 3) for c in (0x7F, 0x80, 0xBF, 0xC0)
    ]
    samples += [
        bytes([a, b, 0x80, c]) for a in range(0xF0, 0xF8) for b in range(0x70, 0xC8, 3) for c in (0x7F, 0x80, 0xBF)
    ]
    samples += ["Ségou, Ménaka — 1 ₣ 😀".encode(), b"\xef\xbb\xbfevent_id", "é".encode("utf-16")]
    differ = [s for s in samples if sniff._is_utf8(b"a," + s + b"\n") != _python_utf8(b"a," + s + b"\n")]
    assert not differ, differ[:10]
    assert sniff._is_utf8("Ségou".encode()) and not sniff._is_utf8("Ségou".encode("cp1252"))


def _outer_space_by_python(values: list[str | None]) -> bool:
    return any(v is not None and v != v.strip() for v in values)


@pytest.mark.parametrize("sliced", [False, True])
def test_outer_space_sieve_answers_as_str_strip(sliced):
    # The byte sieve passes cells whose last byte ends a blank's UTF-8 (é ends as \u2029 does);
    # those are then compared character by character.
    inner = ["Gao", "Ségou", "Kidal é", "€", "北京", "", None, "a\u00a0b", "Ménaka"]
    cases = [inner] + [[*inner, f"{c}x"] for c in cells._WHITESPACE] + [[*inner, f"x{c}"] for c in cells._WHITESPACE]
    for values in cases:
        if sliced:  # the cells as a slice of a larger buffer, in two chunks: offsets do not start at 0
            array = pa.array(["  padding  ", *values, "\u3000"], pa.large_string()).slice(1, len(values))
            text = pa.chunked_array([array.slice(0, 3), array.slice(3)])
        else:
            text = pa.chunked_array([pa.array(values, pa.large_string())])
        assert cells._has_outer_space(text) == _outer_space_by_python(text.to_pylist()), values


def _join_by_python(parts: list[list[str | None] | str], sep: str) -> list[str | None]:
    rows = len(next(p for p in parts if not isinstance(p, str)))
    out = []
    for i in range(rows):
        present = [p if isinstance(p, str) else p[i] for p in parts]
        present = [v for v in present if v is not None and v != ""]
        out.append(sep.join(present) if present else None)
    return out


@settings(max_examples=80, deadline=None)
@given(
    columns=st.lists(
        st.one_of(
            st.lists(st.sampled_from([None, "", " ", "a", "Gao", "é;x"]), min_size=6, max_size=6),
            st.sampled_from(["ACLED", ""]),
            st.just([None] * 6),
        ),
        min_size=1,
        max_size=4,
    ).filter(lambda parts: any(not isinstance(p, str) for p in parts)),
    sep=st.sampled_from([" ", "; ", ""]),
)
def test_join_leaves_out_blank_parts_and_their_separators(columns, sep):
    parts = [p if isinstance(p, str) else pd.Series(p, dtype=cells._TEXT) for p in columns]
    joined = cells._join(parts, sep)
    assert joined.dtype == cells._TEXT
    assert [None if pd.isna(v) else v for v in joined] == _join_by_python(columns, sep)


def test_mapped_columns_reach_validation_as_arrow_text_or_numbers():
    # Code labels, constants and absent columns too: a column of Python objects would cost
    # validate_events a pass over a million of them.
    raw = csvfile._read_csv(CURRENT.encode(), "acled_current.csv")[0].raw
    rows = cells._Rows(raw)
    from geo.importers.acled import _map_acled

    mapped = _map_acled(rows)
    kinds = {c: str(t) for c, t in mapped.dtypes.items() if pd.api.types.is_object_dtype(t)}
    assert not kinds
    assert set(mapped["sources"]) == {"acled"} and set(mapped["dataset"]) == {"acled"}
    assert mapped["end_date"].isna().all() and mapped["end_date"].dtype == cells._TEXT
    assert set(mapped["date_precision"]) <= {"day", "month"} and set(mapped["event_type"]) <= set(events.EVENT_TYPES)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_line_breaks_in_cells_whatever_the_file_ends_its_lines_with(ending):
    # A CRLF file whose records each take one line has no line break to normalise; one whose quoted
    # cell spans lines has it read as \n, as in an LF file.
    one_line = ending.join(LINES) + ending
    spanning = list(LINES)
    spanning[2] = spanning[2].replace("Le Monde", '"Le\r\nMonde"', 1)
    spanning = ending.join(spanning) + ending
    plain, _ = csvfile._read_csv(one_line.encode(), "f.csv")
    split, _ = csvfile._read_csv(spanning.encode(), "f.csv")
    assert not plain.carriage_returns
    assert split.carriage_returns
    reference = import_table(Upload(("\n".join(LINES) + "\n").encode(), "f.csv"))
    _assert_same(import_table(Upload(one_line.encode(), "f.csv")), reference)
    result = import_table(Upload(spanning.encode(), "f.csv"))
    assert "source: Le\nMonde" in result.events.set_index("_row").loc[3, "description"]


def test_acled_texts_are_categoricals_of_their_distinct_values_and_combine_with_the_curated_events():
    """ACLED's title, description and actors are built once per combination of their cells, and kept as codes."""
    imported = import_table(FIXTURES / "acled_current.csv").events
    for column in ("title", "description", "actors", "search_text"):
        values = imported[column]
        assert isinstance(values.dtype, pd.CategoricalDtype), column
        assert values.cat.categories.is_unique and values.cat.categories.dtype == "str"
    combined = events.combine_events(events.load_events(), imported)
    for column in ("title", "description", "actors", "search_text"):
        assert isinstance(combined[column].dtype, pd.CategoricalDtype), column
    # The same texts as the curated events and the import hold, row for row.
    together = pd.concat([events.load_events()["title"].astype(str), imported["title"].astype(str)])
    assert sorted(combined["title"].astype(str)) == sorted(together)


def test_validation_strips_a_categorical_once_per_distinct_text():
    column = pd.Series(pd.Categorical([" a", "a ", None, "b", " a"]))
    text = validation._text(column)
    assert isinstance(text.dtype, pd.CategoricalDtype)
    assert text.tolist() == ["a", "a", "", "b", "a"]
    assert text.cat.categories.is_unique


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"\r\nx"[v % 3] for v in b)), st.data())
def test_lone_carriage_returns_are_those_no_line_feed_follows(data, draw):
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    part = data[start:end]
    assert csvfile._lone_carriage_returns(data, start, end) == part.count(b"\r") - part.count(b"\r\n")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"\r\nx"[v % 3] for v in b)), st.data())
def test_line_feeds_are_counted_as_bytes_count_counts_them(data, draw):
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    assert csvfile._line_feeds(data, start, end) == data.count(b"\n", start, end)


def test_line_feeds_across_the_slices_numpy_reads():
    step = 1 << 22
    for data in (b"x" * (step - 1) + b"\n\n", b"\n" * (step + 3), b"ab\r\n" * (step // 2) + b"\n"):
        for start, end in ((0, len(data)), (1, len(data) - 1), (step - 1, step + 1)):
            assert csvfile._line_feeds(data, start, end) == data.count(b"\n", start, end)


def test_lone_carriage_returns_across_the_slices_numpy_reads():
    step = 1 << 22
    for data in (b"x" * (step - 1) + b"\r\n\r", b"x" * (step - 1) + b"\r\r\n" + b"\r", b"ab\r\n" * (step // 2) + b"\r"):
        assert csvfile._lone_carriage_returns(data, 0, len(data)) == data.count(b"\r") - data.count(b"\r\n")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", None]), st.integers(0, 2)), max_size=40))
def test_combinations_number_as_grouping_does_and_first_appearances_as_duplicated(pairs):
    frame = pd.DataFrame(pairs, columns=["text", "number"]).astype({"text": "str", "number": "int64"})
    if frame.empty:
        return
    key, first = eventframe.combinations([frame["text"], frame["number"].to_numpy()])
    grouped = frame.groupby(["text", "number"], dropna=False, sort=False).ngroup().to_numpy()
    assert (key == grouped).all()
    assert (first == np.flatnonzero(~pd.Series(grouped).duplicated().to_numpy())).all()
    codes = pd.factorize(frame["text"])[0]
    expected = ~frame["text"].duplicated().to_numpy() & frame["text"].notna().to_numpy()
    assert (eventframe.first_appearances(codes) == expected).all()


def test_shared_categories_keep_a_concatenation_categorical():
    one = pd.DataFrame({"t": pd.Categorical(["a", "b"]), "n": [1, 2]})
    two = pd.DataFrame({"t": pd.Series(["c", "a"], dtype="str"), "n": [3, 4]})
    joined = pd.concat(events.with_shared_categories([one, two]), ignore_index=True)
    assert isinstance(joined["t"].dtype, pd.CategoricalDtype)
    assert joined["t"].tolist() == ["a", "b", "c", "a"]
