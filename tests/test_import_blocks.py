"""Big tables are mapped in blocks of rows and checked in two strands, side by side: the result is one pass's.

``geo.importers.core._map_cells`` cuts a table of at least ``2 * BLOCK_ROWS``
rows into blocks (two a core) mapped on the cores at once, and ``geo.validation.validate_events``
runs its checks in two strands on tables of ``geo.parallel.MIN_ROWS`` rows or
more. The thresholds are lowered here so that the real fixtures (a few dozen
rows) take those paths, and every result is compared with the one-pass result
cell for cell: kept rows, their dtypes and categories, refusals in order, notes.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo import events, parallel, record, validation
from geo.errors import DataError
from geo.importers import core, csvfile, import_table

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
CURRENT = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")


def _outside_countries(text: str) -> str:
    """Every third row of an ACLED file names Niger (code 562) whatever its point: most become refusals."""
    lines = text.splitlines()
    header = lines[0].split(",")
    country, iso = header.index("country"), header.index("iso")
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(",")
        if i % 3 == 0 and len(cells) == len(header):
            cells[country], cells[iso] = "Niger", "562"
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


# Files mapped in one piece whatever their size, and why: a reading made over a whole column.
WHOLE = {
    "acled_monadic.csv": "an event's rows are merged wherever they are in the file",
    "acled_decimal_comma.csv": "decimal commas are read for a whole column, or not at all",
    "acled_mdy_settled.csv": "dates with slashes: their day/month order is settled by the column",
    "acled_old.csv": "dates with slashes",
    "ucdp_web.csv": "dates with slashes (month first, as UCDP's web download writes them)",
}
FILES = {
    **{
        path.name: path
        for path in sorted(FIXTURES.iterdir())
        if path.suffix in (".csv", ".gz", ".xlsx") and path.name != "acled_mdy_ambiguous.csv"
    },
    "events.csv": ROOT / "events.csv",
}


def _one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "BLOCK_ROWS", 10**9)
    monkeypatch.setattr(parallel, "MIN_ROWS", 10**9)


def _side_by_side(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Blocks of a few rows and strands for any table; the block sizes mapped, as a spy sees them."""
    monkeypatch.setattr(core, "BLOCK_ROWS", 1)
    monkeypatch.setattr(parallel, "MIN_ROWS", 2)
    mapped: list[int] = []
    block = core._map_block

    def spy(mapper, blocks, i, options):
        mapped.append(len(blocks[i]))
        return block(mapper, blocks, i, options)

    monkeypatch.setattr(core, "_map_block", spy)
    return mapped


def _assert_same_import(a, b) -> None:
    assert (a.fmt, a.rows_read, a.encoding, a.source, a.notes) == (b.fmt, b.rows_read, b.encoding, b.source, b.notes)
    assert [repr(p) for p in a.problems] == [repr(p) for p in b.problems]
    assert_geodataframe_equal(a.events, b.events, check_dtype=True, check_less_precise=False)
    for column in a.events.columns:
        if isinstance(a.events[column].dtype, pd.CategoricalDtype):
            assert list(a.events[column].cat.categories) == list(b.events[column].cat.categories), column


@pytest.mark.parametrize("name", sorted(FILES))
def test_blocks_and_strands_import_what_one_pass_imports(name, monkeypatch):
    path = FILES[name]
    with monkeypatch.context() as patch:
        _one_pass(patch)
        alone = import_table(path)
    with monkeypatch.context() as patch:
        mapped = _side_by_side(patch)
        together = import_table(path)
    _assert_same_import(alone, together)
    if name not in WHOLE:
        # Two blocks a worker (fewer for a table of few rows), every row in one of them.
        assert 1 < len(mapped) <= 2 * parallel.WORKERS and sum(mapped) == together.rows_read
    else:  # a reading made over a whole column (monadic rows merged, decimal commas, a day/month order)
        assert mapped == []


def test_refusals_across_blocks_come_out_in_file_order(monkeypatch):
    data = _outside_countries(CURRENT).encode()
    with monkeypatch.context() as patch:
        _one_pass(patch)
        alone = import_table(data)
    with monkeypatch.context() as patch:
        mapped = _side_by_side(patch)
        together = import_table(data)
    assert len(mapped) > 1
    assert len({p.row for p in alone.problems}) >= 5  # the file is refused row by row, in every block
    _assert_same_import(alone, together)


def test_a_whole_file_refusal_is_the_same_in_blocks(monkeypatch):
    path = FIXTURES / "acled_mdy_ambiguous.csv"
    messages = []
    for arrange in (_one_pass, _side_by_side):
        with monkeypatch.context() as patch:
            arrange(patch)
            with pytest.raises(DataError) as err:
                import_table(path)
            messages.append([str(p) for p in err.value.problems])
    assert messages[0] == messages[1] and "day/month/year or month/day/year" in messages[0][0]


def test_curated_checks_in_two_strands_refuse_what_one_strand_refuses(monkeypatch):
    """The curated file, as loaded (sources, places, public-record dates), with cells broken for several checks."""
    table = events.read_table(events.EVENTS_CSV)
    table.loc[2, "event_date"] = "2O22-02-17"  # dates
    table.loc[4, "latitude"] = "95"  # coordinates
    table.loc[5, "country"] = "XXX"  # countries
    table.loc[6, "event_id"] = table.loc[7, "event_id"]  # ids
    table.loc[8, "sources"] = "nowhere"  # sources
    table.loc[9, "title"] = ""  # required
    table.loc[9, "fatalities"] = "-3"  # counts
    source_ids = set(events.load_sources()["source_id"])
    reference_ids = set(record.load_references()["ref_id"])
    results = []
    for min_rows in (10**9, 2):
        with monkeypatch.context() as patch:
            patch.setattr(parallel, "MIN_ROWS", min_rows)
            results.append(
                validation.validate_events(
                    table.copy(), source_ids=source_ids, strict=False, reference_ids=reference_ids
                )
            )
    (alone, alone_problems), (together, together_problems) = results
    assert {p.column for p in alone_problems} >= {"event_date", "latitude", "country", "event_id", "sources"}
    assert [repr(p) for p in alone_problems] == [repr(p) for p in together_problems]
    assert_geodataframe_equal(alone, together)


def test_side_by_side_gives_results_in_order_and_the_first_error():
    def slow(value, seconds):
        def step():
            time.sleep(seconds)
            return value

        return step

    assert parallel.side_by_side([slow("a", 0.05), slow("b", 0.0), slow("c", 0.01)]) == ["a", "b", "c"]

    finished = []

    def fails(message, seconds):
        def step():
            time.sleep(seconds)
            finished.append(message)
            raise ValueError(message)

        return step

    with pytest.raises(ValueError, match="first"):
        parallel.side_by_side([fails("first", 0.05), fails("second", 0.0)])
    assert sorted(finished) == ["first", "second"]  # every step ran to its end before the error was raised


def test_side_by_side_runs_in_place_for_small_tables_and_inside_the_pool():
    def where():
        return threading.current_thread().name

    here = threading.current_thread().name
    assert parallel.side_by_side([where, where], size=parallel.MIN_ROWS - 1) == [here, here]
    if parallel.WORKERS > 1:
        outer = parallel.side_by_side([lambda: parallel.side_by_side([where, where]), where])
        assert outer[0][0] == outer[0][1]  # the nested steps ran in the worker that called them
        assert all(name.startswith("geo-parallel") for name in (*outer[0], outer[1]))


def _buffers(frame: pd.DataFrame) -> set[int]:
    """The addresses of the Arrow buffers behind a frame's text columns."""
    return {
        buffer.address
        for column in frame.columns
        if hasattr(frame[column].array, "__arrow_array__")
        for chunk in frame[column].array.__arrow_array__().chunks
        for buffer in chunk.buffers()
        if buffer is not None and buffer.size
    }


def test_blocks_hold_cells_of_their_own_and_the_table_lets_its_go():
    # The curated file's cells as the CSV reader gives them (several Arrow chunks a column).
    table, _ = csvfile._read_csv((ROOT / "events.csv").read_bytes(), "events.csv")
    raw = table.raw
    whole = raw.copy()  # holds the table's cells alive: a block's buffer cannot reuse their addresses
    whole_buffers = _buffers(raw)
    blocks = csvfile._cut_in_blocks(raw, 7)
    assert raw.columns.empty  # every column taken out of the table as it was copied
    assert [len(b) for b in blocks] == [7] * (len(whole) // 7) + ([len(whole) % 7] if len(whole) % 7 else [])
    together = pd.concat(blocks, ignore_index=True)
    pd.testing.assert_frame_equal(together, whole.astype({c: csvfile._TEXT for c in whole.columns if c != "_row"}))
    seen: set[int] = set()
    for block in blocks:
        own = _buffers(block)
        assert own and not own & seen and not own & whole_buffers  # shared with no other block, nor the table
        seen |= own


@pytest.mark.skipif(sys.platform != "linux", reason="transparent huge pages are Linux's")
def test_an_import_has_the_process_use_small_pages():
    # Huge pages were several times slower to fill on this project's virtual machine (geo.parallel).
    import_table(FIXTURES / "acled_current.csv")
    assert parallel.small_pages_only()
