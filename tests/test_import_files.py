"""Files as analysts really hold them (issue 15): each case's fixture is kept, merged, flagged or refused, never swapped.

The fixtures in ``tests/fixtures/import/`` were written for this project from
the rows of ``acled_current.csv`` and ``ucdp_official.csv``: a monadic ACLED
pair, ACLED dates rewritten by a US-locale spreadsheet (all ambiguous, and
settled by one day above 12), a ``;``-separated file with decimal commas, a
gzip and an Excel copy of ``acled_current.csv``, a row whose ISO code
contradicts every other field, and UCDP rows in the two Sudans before and
after 9 July 2011 and in Abyei (in no Natural Earth polygon).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import DataError
from geo.importers import import_table

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"


def _by_id(result) -> dict[str, dict]:
    return {row["event_id"]: row for row in result.events.to_dict("records")}


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# --- monadic ACLED ------------------------------------------------------------------


def test_monadic_rows_merge_into_one_event_with_both_actors_and_one_toll():
    result = import_table(FIXTURES / "acled_monadic.csv")
    assert result.problems == []
    assert result.rows_read == 5
    events = _by_id(result)
    assert sorted(events) == ["acled-MLI26001", "acled-MLI26002", "acled-MLI26003"]
    tessit = events["acled-MLI26001"]
    assert tessit["actors"] == "Islamic State (Sahel);Military Forces of Mali (2021-)"
    assert tessit["fatalities"] == 42  # once, not 84
    assert "monadic rows 2, 3" in tessit["notes"]
    assert events["acled-MLI26003"]["actors"] == "Katiba Macina"  # a single row stays as it was
    assert result.events["fatalities"].sum() == 42 + 0 + 132
    assert any("merged into 2 events" in line for line in result.summary_lines())


# --- dates that could be read two ways ---------------------------------------------------


def test_an_all_ambiguous_date_column_is_refused_with_the_choice_named():
    with pytest.raises(DataError) as refused:
        import_table(FIXTURES / "acled_mdy_ambiguous.csv")
    message = str(refused.value)
    assert "acled_mdy_ambiguous.csv" in message and "event_date" in message
    assert "could be day/month/year or month/day/year" in message and "date_order" in message


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("mdy", {"acled-MLI8000": "2022-02-01", "acled-MLI8001": "2022-03-04", "acled-MLI8003": "2022-01-02"}),
        ("dmy", {"acled-MLI8000": "2022-01-02", "acled-MLI8001": "2022-04-03", "acled-MLI8003": "2022-02-01"}),
    ],
)
def test_an_explicit_date_order_reads_the_ambiguous_column_that_way(order, expected):
    result = import_table(FIXTURES / "acled_mdy_ambiguous.csv", date_order=order)
    days = {event_id: _day(row["event_date"]) for event_id, row in _by_id(result).items()}
    assert {k: days[k] for k in expected} == expected
    assert any("as asked" in note for note in result.notes)


def test_a_column_settled_by_one_day_above_12_is_read_month_first_and_never_swapped():
    result = import_table(FIXTURES / "acled_mdy_settled.csv")
    assert result.problems == []
    days = {event_id: _day(row["event_date"]) for event_id, row in _by_id(result).items()}
    assert days["acled-MLI8000"] == "2022-02-01"  # 2/1/2022 is 1 February, not 2 January
    assert days["acled-MLI8001"] == "2022-03-04"
    assert days["acled-MLI8003"] == "2021-12-25"
    assert result.notes == ("event_date: dates read as month/day/year, as 12/25/2021 on row 5 settles",)


def test_a_date_order_the_column_contradicts_refuses_those_rows():
    result = import_table(FIXTURES / "acled_mdy_settled.csv", date_order="dmy")
    assert [(p.row, p.column, p.value) for p in result.problems] == [(5, "event_date", "12/25/2021")]
    assert _day(_by_id(result)["acled-MLI8000"]["event_date"]) == "2022-01-02"


def test_a_column_mixing_both_orders_is_refused():
    text = (FIXTURES / "acled_mdy_settled.csv").read_text(encoding="utf-8").replace("3/4/2022", "25/3/2022")
    with pytest.raises(DataError, match=r"mix day first \(25/3/2022 on row 3\) and month first \(12/25/2021"):
        import_table(io.BytesIO(text.encode()))


def test_date_order_must_be_dmy_or_mdy():
    with pytest.raises(ValueError, match="date_order 'ymd'"):
        import_table(FIXTURES / "acled_current.csv", date_order="ymd")


# --- files as people send them -------------------------------------------------------------


def test_decimal_commas_in_a_semicolon_file_are_read():
    result = import_table(FIXTURES / "acled_decimal_comma.csv")
    assert result.problems == []
    tessit = _by_id(result)["acled-MLI26001"]
    assert (tessit["latitude"], tessit["longitude"]) == (15.014, 0.491)
    assert any("decimal commas" in note for note in result.notes)


def test_decimal_commas_mixed_with_points_are_refused_not_guessed():
    text = (FIXTURES / "acled_decimal_comma.csv").read_text(encoding="utf-8").replace("15,014", "15.014")
    result = import_table(io.BytesIO(text.encode()))
    refused = {(p.column, p.value) for p in result.problems}
    assert ("latitude", "16,2717") in refused
    assert not any("latitude: decimal" in note for note in result.notes)


@pytest.mark.parametrize("name", ["acled_current.csv.gz", "acled_current.xlsx"])
def test_gzip_and_excel_copies_import_as_the_csv_does(name):
    plain = import_table(FIXTURES / "acled_current.csv")
    copy = import_table(FIXTURES / name)
    assert copy.fmt == "acled"
    columns = ["event_id", "event_date", "latitude", "longitude", "fatalities", "country", "_row"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(copy.events[columns]), pd.DataFrame(plain.events[columns]), check_dtype=False
    )
    assert [(p.row, p.column) for p in copy.problems] == [(p.row, p.column) for p in plain.problems]


def test_a_broken_gzip_file_says_it_is_one():
    data = (FIXTURES / "acled_current.csv.gz").read_bytes()[:200]
    with pytest.raises(DataError, match="this is a gzip file"):
        import_table(io.BytesIO(data))


# --- a row that contradicts itself ---------------------------------------------------------


def test_a_self_contradicting_row_keeps_what_geometry_and_name_agree_on():
    result = import_table(FIXTURES / "acled_contradiction.csv")
    events = _by_id(result)
    gao = events["acled-MLI26002"]  # iso 854 (Burkina Faso); the name, admin areas and point say Mali
    assert gao["country"] == "MLI"
    assert "iso 854 says BFA, country 'Mali' says MLI; the point lies in MLI" in gao["notes"]
    assert "acled-MLI26099" not in events  # iso says BFA, the name Niger, the point Mali: no two agree
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (4, "iso", "854")
    assert "country 'Niger' says NER, and the point lies in MLI" in problem.message


# --- historical borders, disputed areas -------------------------------------------------------


def test_sudan_before_july_2011_is_kept_flagged_and_after_it_refused():
    result = import_table(FIXTURES / "ucdp_sudan_borders.csv")
    events = _by_id(result)
    assert "today's SSD, part of SDN on this date" in events["ucdp-500101"]["notes"]  # Juba, 2010
    assert events["ucdp-500101"]["country"] == "SDN"
    assert "ucdp-500102" not in events  # Juba, 2012: South Sudan by then
    [problem] = result.problems
    assert problem.row == 3 and "outside SDN" in problem.message and "SSD" in problem.message
    assert "no country's polygon" in events["ucdp-500103"]["notes"]  # Abyei
    assert events["ucdp-500104"]["notes"].startswith("Agence France Presse")  # Khartoum: nothing to say
    assert "ucdp-500105" in events  # just off Port Sudan, within the coastal tolerance


# --- the summary a command line prints ------------------------------------------------------


def test_summary_lines_and_refused_share():
    result = import_table(FIXTURES / "acled_current.csv")
    lines = result.summary_lines(first=3)
    assert (
        lines[0] == "acled_current.csv: 14 rows read as ACLED, text encoding UTF-8 (utf-8); 7 kept, 7 refused (50.0%)"
    )
    assert "refused by reason:" in lines and "first refusals:" in lines
    assert "  row 8, column 'event_date': " in "\n".join(lines)
    assert lines[-1] == "  ... 4 more problems"
    assert result.refused_share == pytest.approx(0.5)


def test_the_import_benchmark_runs_on_a_small_file():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_import.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=True,
    )
    assert "rows/s" in done.stdout and "load average" in done.stdout


def test_the_upload_panel_offers_the_date_order_and_passes_it_to_the_import(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from geo import ui

    monkeypatch.setenv(ui.DATA_ENV, str(FIXTURES / "acled_current.csv"))  # a loaded file opens the panel
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    box = at.selectbox(key="w_import_date_order")
    assert box.options == ["from the file (a day above 12 settles it)", "day/month/year", "month/day/year"]
    data = (FIXTURES / "acled_mdy_ambiguous.csv").read_bytes()
    result = ui.cached_import("acled_mdy_ambiguous.csv", data, None, None, None, "mdy")
    assert _day(_by_id(result)["acled-MLI8000"]["event_date"]) == "2022-02-01"
