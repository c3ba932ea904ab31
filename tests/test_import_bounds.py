"""Hostile or broken files are refused at import, quickly and in bounded memory, before later code trips on them.

Issue 17 (items 3-5): what the map, the movements and the pages rely on is
checked at import (route stops are gazetteer places, UCDP codes are whole
numbers); a file's width, its cells and what a ZIP or gzip file unpacks to
are bounded before the cells are read; one byte that is not UTF-8 refuses
the rows holding it instead of re-reading every name as Windows-1252.

Memory is measured as the peak RSS of a fresh Python process doing the
import, against the same process importing a small good file, so the
numbers do not depend on what this test process already holds. Nothing here
times the import (``benchmarks/bench_import.py`` does): the subprocess has a
timeout only so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import layout_row

from geo.errors import DataError
from geo.importers import import_table
from geo.movements import movements_at

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
ACLED = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")

_CHILD = """
import json, re, sys
from geo.errors import DataError
from geo.importers import import_table
try:
    result = import_table(sys.argv[1])
    outcome = {"kept": len(result.events), "problems": [str(p) for p in result.problems[:5]]}
except DataError as err:
    outcome = {"error": str(err)[:2000]}
# VmHWM, not ru_maxrss: Linux folds the forking parent's peak into a child's ru_maxrss at exec.
status = open("/proc/self/status").read()
outcome["peak_mb"] = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
print(json.dumps(outcome))
"""
# What a hostile file may cost above importing a small good file.
_EXTRA_MB = 300


def _import_in_child(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard, not a speed test
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def baseline_mb() -> float:
    outcome = _import_in_child(FIXTURES / "acled_current.csv")
    assert outcome["kept"] == 7
    return outcome["peak_mb"]


# --- what later code relies on ----------------------------------------------------------


def _events_layout_with_route(route: str) -> bytes:
    text = (ROOT / "events.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    row = layout_row(event_id="convoy-1", event_date="2022-03-01", end_date="2022-03-05", end_precision="day",
                     event_type="troop_movement", title="A convoy", sources="x", route=route)  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    writer.writerow({**row, "event_id": "convoy-2", "route": "Gao > Ansongo"})
    return out.getvalue().encode()


def test_a_troop_movement_through_an_unknown_place_is_refused_at_import():
    result = import_table(io.BytesIO(_events_layout_with_route("Gao > Atlantis > Niamey")))
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "route", "Gao > Atlantis > Niamey")]
    assert "'Atlantis' is not a place in the gazetteer" in str(result.problems[0])
    assert result.events["event_id"].tolist() == ["convoy-2"]
    # What the map draws on every run now works on what was kept.
    moving = movements_at(result.events, pd.Timestamp("2022-03-03"))
    assert len(moving) == 1


def _ucdp_with(column: str, value: str) -> bytes:
    rows = list(csv.reader(io.StringIO((FIXTURES / "ucdp_official.csv").read_text(encoding="utf-8"))))
    rows[1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("column", ["date_prec", "where_prec", "type_of_violence"])
def test_a_fractional_ucdp_code_is_refused_with_row_column_and_value(column):
    result = import_table(io.BytesIO(_ucdp_with(column, "2.5")))
    assert (2, column, "2.5") in [(p.row, p.column, p.value) for p in result.problems]
    assert 2 not in set(result.events["_row"])
    assert len(result.events) > 0


# --- bounds before reading ------------------------------------------------------------


def test_a_million_column_header_is_refused_in_bounded_memory(tmp_path, baseline_mb):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n", encoding="ascii")
    outcome = _import_in_child(path)
    assert "error" in outcome
    assert "1,000,000 columns" in outcome["error"] and "at most" in outcome["error"]
    assert outcome["peak_mb"] < baseline_mb + _EXTRA_MB


def test_a_file_of_100k_columns_is_refused_in_bounded_memory(tmp_path, baseline_mb):
    path = tmp_path / "wide.csv"
    width = 100_000
    path.write_text(",".join(f"c{i}" for i in range(width)) + "\n" + ",".join("1" * width) + "\n", encoding="ascii")
    outcome = _import_in_child(path)
    assert "100,000 columns" in outcome["error"]
    assert outcome["peak_mb"] < baseline_mb + _EXTRA_MB


def test_a_zip_bomb_of_blank_rows_is_refused_in_bounded_memory(tmp_path, baseline_mb):
    path = tmp_path / "bomb.zip"
    header = ACLED.splitlines()[0]
    blank = "," * header.count(",") + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("bomb.csv", header + "\n" + blank * 6_000_000)
    assert path.stat().st_size < 600_000
    outcome = _import_in_child(path)
    assert "error" in outcome
    assert "unpacks to more than" in outcome["error"]
    assert outcome["peak_mb"] < baseline_mb + _EXTRA_MB


def test_a_zip_unpacking_past_the_size_limit_is_refused_while_unpacking():
    header = ACLED.splitlines()[0]
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.csv", header + "\n" + "MLI1,x\n" * 100_000)
    with pytest.raises(DataError, match=r"unpacks to more than the 0\.125 MB limit"):
        import_table(io.BytesIO(data.getvalue()), max_bytes=1024 * 1024 // 8)


def test_a_cell_over_the_size_limit_refuses_its_row_only():
    lines = ACLED.splitlines()
    lines[2] = lines[2].replace("Le Monde", "x" * 200_000)
    result = import_table(io.BytesIO(("\n".join(lines) + "\n").encode()))
    assert [p.row for p in result.problems if "field larger" in p.message or "cell" in p.message] == [3]
    assert 3 not in set(result.events["_row"])
    assert 2 in set(result.events["_row"])


# --- one bad byte -------------------------------------------------------------------


def test_one_invalid_utf8_byte_refuses_its_row_and_keeps_every_accent():
    text = ACLED.replace("Djenne", "Djenné").replace("Human Rights Watch", "Human Rights Watch; Keïta")
    lines = text.encode("utf-8").split(b"\n")
    lines[2] = lines[2].replace(b"Gao", b"Ga\xe9", 1)  # one Windows-1252 byte in a UTF-8 file
    result = import_table(io.BytesIO(b"\n".join(lines)))
    assert result.encoding == "utf-8"
    rows = result.events.set_index("_row")
    assert rows.loc[6, "location"] == "Djenné"
    assert "Keïta" in rows.loc[6, "description"]
    bad = [p for p in result.problems if p.row == 3]
    assert bad and bad[0].column == "admin1" and "not UTF-8" in bad[0].message and "0xE9" in bad[0].message
    assert 3 not in rows.index
    assert {2, 4, 5, 7, 15} <= set(rows.index)
    assert any("utf-8" in line for line in result.summary_lines())


def test_a_windows_1252_file_is_read_as_such_and_says_so():
    data = ACLED.replace("Djenne", "Djenné").encode("cp1252")
    result = import_table(io.BytesIO(data))
    assert result.encoding == "cp1252"
    assert result.events.set_index("_row").loc[6, "location"] == "Djenné"
    assert any("cp1252" in line for line in result.summary_lines())


def test_a_geojson_with_thousands_of_property_keys_is_refused_before_it_is_read(tmp_path):
    properties = {f"key{i}": i for i in range(5_000)}
    feature = {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [0.49, 15.0]}}
    path = tmp_path / "wide.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(DataError) as refused:
        import_table(path, date_column="key1")
    assert "5,000 columns" in str(refused.value)
    assert "key4999" not in str(refused.value)  # the message does not list every key


def test_one_file_size_limit_for_the_importer_the_dashboard_and_the_uploader(tmp_path):
    # Issue 14 item 6: the limit is geo.importers.MAX_FILE_MB; the uploader's, in .streamlit/config.toml,
    # cannot import it and must repeat it.
    import inspect
    import tomllib

    from geo import ui
    from geo.importers import MAX_FILE_BYTES, MAX_FILE_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB
    assert ui.MAX_UPLOAD_MB == MAX_FILE_MB
    # Streamlit's upload route lets through maxUploadSize * 1024 * 1024 bytes: the same number, or a
    # 201-209 MB file (10^6-byte megabytes) would pass the uploader and then be refused by ours.
    assert MAX_FILE_BYTES == MAX_FILE_MB * 1024 * 1024
    assert inspect.signature(import_table).parameters["max_bytes"].default == MAX_FILE_BYTES
    # And the default is the limit in force: a file one byte over it (sparse: no disk used) is refused, naming it.
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(DataError, match=rf"big\.csv.*larger than the {MAX_FILE_MB} MB limit"):
        import_table(path)
