"""The curated events.csv: loads, is sourced, sits where it says; bad files are refused precisely."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import layout_row

from geo import borders, gazetteer, record
from geo import events as ev
from geo.errors import DataError
from geo.validation import validate_events

ROOT = Path(__file__).resolve().parent.parent


def test_curated_file_loads_whole(events, events_text):
    assert len(events) == events_text.count("\n") - 1
    assert len(events) >= 30
    assert events.crs.to_epsg() == 4326
    assert events["event_id"].is_unique
    # Sorted by the date each event is placed at (its most precise), so a date window is a binary search.
    assert events["start"].is_monotonic_increasing


def test_every_event_falls_inside_its_country_polygon(events):
    for _, row in events.iterrows():
        km = borders.distance_to_country_km(row["longitude"], row["latitude"], row["country"])
        assert km <= borders.COUNTRY_TOLERANCE_KM, f"{row['event_id']} is {km:.1f} km outside {row['country']}"


def test_every_source_id_exists(events, sources):
    known = set(sources["source_id"])
    for _, row in events.iterrows():
        ids = ev.source_list(row["sources"])
        assert ids, row["event_id"]
        assert set(ids) <= known, row["event_id"]


def test_every_article_is_used(events, sources):
    used = {s for cell in events["sources"] for s in ev.source_list(cell)}
    assert used == set(sources["source_id"])


def test_events_sit_on_their_gazetteer_place(events):
    for _, row in events.iterrows():
        lon, lat = gazetteer.place_lonlat(row["location"])
        assert borders.distance_km(lon, lat, row["longitude"], row["latitude"]) < 0.01, row["event_id"]


def test_vocabulary_and_precision(events):
    assert set(events["event_type"]) <= set(ev.EVENT_TYPES)
    assert set(events["date_precision"]) <= set(ev.PRECISIONS)
    months = events[events["date_precision"] == "month"]
    assert (months["event_date"].dt.day == 1).all()
    years = events[events["date_precision"] == "year"]
    assert ((years["event_date"].dt.day == 1) & (years["event_date"].dt.month == 1)).all()
    # Every date says how it was worked out.
    assert events["date_note"].str.len().gt(0).all()


def test_key_dates_against_the_public_record(events):
    by_id = events.set_index("event_id")
    # Macron's announcement: Thursday 17 February 2022.
    announced = by_id.loc["withdrawal-announced-2022-02-17"]
    assert announced["event_date"] == pd.Timestamp("2022-02-17") and announced["event_date"].day_name() == "Thursday"
    # Mali's reply "on Friday": 18 February 2022.
    assert by_id.loc["mali-demands-departure-2022-02-18", "event_date"].day_name() == "Friday"
    # The Élysée meeting "Wednesday night".
    assert by_id.loc["elysee-summit-2022-02-16", "event_date"].day_name() == "Wednesday"
    # The last unit crossed "Monday": 15 August 2022.
    crossed = by_id.loc["last-unit-crosses-2022-08-15"]
    assert crossed["event_date"] == pd.Timestamp("2022-08-15") and crossed["event_date"].day_name() == "Monday"
    # Coups of 18 August 2020 and 24 May 2021, Tessit (7 August 2022), Kati (22 July 2022),
    # Gao base attack (22 January 2022), the central Mali massacre (18–19 June 2022):
    # each public date must fall inside the period the row's precision covers.
    public = {
        "coup-2020-08": "2020-08-18",
        "coup-2021": "2021-05-24",
        "tessit-attack-2022-08": "2022-08-07",
        "kati-attack-2022-07": "2022-07-22",
        "gao-base-attack-2022-01": "2022-01-22",
        "central-mali-massacre-2022-06": "2022-06-18",
        "ambassador-expelled-2022-01": "2022-01-31",
        "ecowas-sanctions-2022": "2022-01-09",
        "ecowas-sanctions-lifted-2022-07": "2022-07-03",
        "serval-2013": "2013-01-11",
        "barkhane-2014": "2014-08-01",
    }
    for event_id, day in public.items():
        row = by_id.loc[event_id]
        assert row["start"] <= pd.Timestamp(day) <= row["end"], event_id


def test_figures_come_from_the_articles(events):
    by_id = events.set_index("event_id")
    assert by_id.loc["tessit-attack-2022-08", "fatalities"] == 42
    assert by_id.loc["central-mali-massacre-2022-06", "fatalities"] == 132
    assert by_id.loc["french-toll-2013-2022", "fatalities"] == 48
    assert by_id.loc["barkhane-withdrawal-2022", "troops"] == 2400
    # Unknown tolls stay unknown, never 0.
    assert pd.isna(by_id.loc["kati-attack-2022-07", "fatalities"])


def test_disagreements_stay_visible(events):
    readings = events.set_index("event_id")["readings"]
    assert "June" in readings["troop-cut-announced-2021-06"] and "July" in readings["troop-cut-announced-2021-06"]
    assert "rocket" in readings["gao-base-attack-2022-01"]
    assert "Gueta" in readings["coup-2020-08"]


def test_troop_movements_have_routes_of_known_places(events):
    moves = events[events["event_type"] == "troop_movement"]
    assert {"serval-entry-2013", "barkhane-withdrawal-2022"} <= set(moves["event_id"])
    # Takuba's redeployment is a plan the articles report, not a movement they saw completed.
    assert "takuba-withdrawal-2022" not in set(moves["event_id"])
    for _, row in moves.iterrows():
        stops = ev.route_stops(row["route"])
        assert len(stops) >= 2
        for stop in stops:
            gazetteer.canonical_name(stop)
    withdrawal = moves.set_index("event_id").loc["barkhane-withdrawal-2022"]
    stops = ev.route_stops(withdrawal["route"])
    assert "Mali–Niger border crossing" in stops
    # Starts in Mali, ends in Niger.
    assert gazetteer.resolve_place(stops[0])["country"] == "MLI"
    assert gazetteer.resolve_place(stops[-1])["country"] == "NER"


def test_date_labels_follow_precision(events):
    labels = events.set_index("event_id")["date_label"]
    articles = events.set_index("event_id")["articles_date_label"]
    assert articles["central-mali-massacre-2022-06"] == "June 2022"
    assert labels["central-mali-massacre-2022-06"] == "18 June 2022"  # the public record's day
    assert labels["withdrawal-announced-2022-02-17"] == "17 February 2022"
    assert articles["islamists-take-north-2012"] == "2012" and labels["islamists-take-north-2012"] == "April 2012"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 8]


def test_no_article_sentence_is_copied(events_text):
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir() or not any(seeds.glob("*.txt")):
        if os.environ.get("CI") == "true":
            pytest.fail(f"the articles are missing from {seeds}: CI must check that no sentence is copied")
        pytest.skip("the articles are not beside this checkout")
    # Our own words everywhere we write about the articles: the events, the bases, the references' summaries.
    texts = [events_text, *((ROOT / name).read_text(encoding="utf-8") for name in ("bases.csv", "references.csv"))]
    ours = " ".join(" ".join(texts).split()).lower()
    for path in sorted(seeds.glob("*.txt")):
        words = path.read_text(encoding="utf-8").lower().split()
        # No run of 12 consecutive words from an article appears in our text.
        for i in range(len(words) - 11):
            run = " ".join(words[i : i + 12])
            assert run not in ours, f"{path.name}: copied run {run!r}"


# Bad input: each kind is refused with the row, the column and the value.

HEADER = list(ev.COLUMNS)


def _write(tmp_path, rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "events.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _refusal(tmp_path, rows) -> DataError:
    with pytest.raises(DataError) as caught:
        ev.load_events(_write(tmp_path, rows))
    return caught.value


def test_good_row_loads(tmp_path):
    loaded = ev.load_events(_write(tmp_path, [layout_row()]))
    assert list(loaded["event_id"]) == ["test-event"]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"event_type": "riot"}, "event_type", "unknown event type"),
        ({"event_date": "15/08/2022"}, "event_date", "not a date"),
        ({"event_date": "2022-02-30"}, "event_date", "not a date"),
        ({"event_date": "1850-01-01"}, "event_date", "out of range"),
        ({"event_date": "2999-01-01"}, "event_date", "out of range"),
        ({"date_precision": "month"}, "date_precision", "not the first of a month"),
        ({"event_date": "2022-08-01", "date_precision": "year"}, "date_precision", "not 1 January"),
        ({"date_precision": "week"}, "date_precision", "day, month or year"),
        ({"latitude": "95"}, "latitude", "outside -90..90"),
        ({"longitude": "-190"}, "longitude", "outside -180..180"),
        ({"latitude": "north"}, "latitude", "not a number"),
        ({"latitude": "-0.04472", "longitude": "16.27167"}, "latitude", "look swapped"),
        ({"latitude": "13.51366", "longitude": "2.1098", "location": "Niamey"}, "latitude", "outside MLI"),
        ({"sources": "003;009"}, "sources", "unknown source id '009'"),
        ({"location": "Gaoo"}, "location", "not a gazetteer place"),
        ({"country": "XYZ"}, "country", "not an ISO 3166-1 alpha-3"),
        ({"fatalities": "-3"}, "fatalities", "whole number"),
        ({"end_date": "2022-08-01", "end_precision": "day"}, "end_date", "before event_date"),
        ({"title": ""}, "title", "required"),
        ({"route": "Gao > Niamey"}, "route", "only troop_movement"),
    ],
)
def test_bad_cell_is_refused_with_row_column_and_value(tmp_path, changes, column, message):
    error = _refusal(tmp_path, [layout_row(event_id="fine"), layout_row(**changes)])
    problems = [p for p in error.problems if p.column == column]
    assert problems, error.problems
    assert problems[0].row == 3  # header is line 1, the good row line 2
    assert message in problems[0].message
    assert f"row 3, column '{column}'" in str(error)


def test_duplicate_event_id_names_both_rows(tmp_path):
    error = _refusal(tmp_path, [layout_row(), layout_row()])
    (problem,) = error.problems
    assert (problem.row, problem.column, problem.value) == (3, "event_id", "test-event")
    assert "first used on row 2" in problem.message


def test_nothing_half_loaded_and_all_problems_listed(tmp_path):
    error = _refusal(tmp_path, [layout_row(event_type="riot"), layout_row(event_id="b", latitude="x")])
    assert {(p.row, p.column) for p in error.problems} == {(2, "event_type"), (3, "latitude")}


def test_malformed_csv_names_the_line(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(",".join(HEADER) + "\n" + "a,b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2: has 2 fields, the header has \d+"):
        ev.load_events(path)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("event_id,event_date\nx,2022-01-01\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 'event_type': required column is missing"):
        ev.load_events(path)


def test_non_utf8_and_empty_files(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataError, match="not UTF-8"):
        ev.load_events(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        ev.load_events(path)


def test_lenient_mode_keeps_good_rows_and_lists_the_rest(tmp_path):
    frame = ev.read_table(_write(tmp_path, [layout_row(event_id="ok"), layout_row(event_id="bad", latitude="95")]))
    kept, problems = validate_events(frame, source_ids=None, check_places=False, strict=False)
    assert list(kept["event_id"]) == ["ok"]
    assert [(p.row, p.column) for p in problems] == [(3, "latitude")]


def test_quoted_multiline_field_keeps_line_numbers(tmp_path):
    rows = [layout_row(event_id="a", description="line one\nline two"), layout_row(event_id="b", event_type="riot")]
    error = _refusal(tmp_path, rows)
    # Row a spans lines 2-3, so row b starts on line 4.
    assert error.problems[0].row == 4


# The public-record layer (geo.record): its own columns, checked, and the most precise date wins.

RECORD_HEADER = [*ev.COLUMNS, *record.RECORD_COLUMNS]


def _write_record(tmp_path, rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RECORD_HEADER, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "events.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_the_articles_dates_stay_as_they_are(events, events_text):
    # The file keeps the articles' date and precision; the record sits in its own columns.
    raw = pd.read_csv(io.StringIO(events_text), dtype=str, keep_default_na=False).set_index("event_id")
    assert (raw.loc["tessit-attack-2022-08", "event_date"], raw.loc["tessit-attack-2022-08", "date_precision"]) == (
        "2022-08-01", "month",
    )  # fmt: skip
    assert raw.loc["tessit-attack-2022-08", "record_date"] == "2022-08-07"
    by_id = events.set_index("event_id")
    tessit = by_id.loc["tessit-attack-2022-08"]
    assert tessit["event_date"] == pd.Timestamp("2022-08-01") and tessit["date_precision"] == "month"
    assert tessit["start"] == pd.Timestamp("2022-08-07") and tessit["articles_start"] == pd.Timestamp("2022-08-01")
    assert tessit["articles_end"] == pd.Timestamp("2022-08-31")


def test_most_precise_prefers_the_finer_date_only():
    articles = pd.Series(pd.to_datetime(["2022-08-01", "2022-02-17", "2013-01-01", "2022-01-01"]))
    precision = pd.Series(["month", "day", "year", "month"])
    recorded = pd.Series(pd.to_datetime(["2022-08-07", "2022-02-18", None, "2022-01-01"]))
    recorded_precision = pd.Series(["day", "day", None, "month"])
    date, placed, by_record = record.most_precise(articles, precision, recorded, recorded_precision)
    # A day over a month; never a day over a day, a blank, or the same precision.
    assert by_record.tolist() == [True, False, False, False]
    assert date.dt.strftime("%Y-%m-%d").tolist() == ["2022-08-07", "2022-02-17", "2013-01-01", "2022-01-01"]
    assert placed.tolist() == ["day", "day", "year", "month"]


def test_month_and_year_dates_mostly_have_the_day_on_record(events):
    vague = events[events["date_precision"] != "day"]
    assert len(vague) >= 24
    dated = vague[vague["placed_precision"] == "day"]
    # Most of the month- and year-precise rows are placed at a day the public record gives.
    assert len(dated) > len(vague) / 2
    assert (dated["record_sources"] != "").all()


def test_record_columns_are_checked(tmp_path):
    rows = [
        layout_row(event_id="a", event_date="2022-08-01", date_precision="month",
                  record_date="2022-08-32", record_precision="day", record_sources="R33"),
        layout_row(event_id="b", record_date="2022-08-07", record_precision="week", record_sources="R33"),
        layout_row(event_id="c", record_date="2022-08-07", record_precision="day"),
        layout_row(event_id="d", record_date="2022-08-07", record_precision="day", record_sources="R999"),
        layout_row(event_id="e", record_fatalities="-3", record_sources="R33"),
        layout_row(event_id="f", record_latitude="14.3", record_sources="R33", record_place="Moura"),
        layout_row(event_id="g", record_date="2022-08-15", record_precision="month", record_sources="R33"),
    ]  # fmt: skip
    with pytest.raises(DataError) as caught:
        ev.load_events(_write_record(tmp_path, rows))
    found = {(p.row, p.column) for p in caught.value.problems}
    assert (2, "record_date") in found  # not a date
    assert (3, "record_precision") in found  # not day, month or year
    assert (4, "record_sources") in found  # a record date with no reference
    assert (5, "record_sources") in found  # an id references.csv does not hold
    assert (6, "record_fatalities") in found  # negative
    assert (7, "record_latitude") in found  # latitude without longitude
    assert (8, "record_precision") in found  # says month, not the first of a month
    text = str(caught.value)
    assert "R999" in text and "references.csv" in text


def test_record_dates_place_events_and_sort_them(tmp_path):
    rows = [
        layout_row(event_id="late-in-month", event_date="2022-08-01", date_precision="month",
                  record_date="2022-08-20", record_precision="day", record_sources="R33"),
        layout_row(event_id="mid-month", event_date="2022-08-10", date_precision="day"),
    ]  # fmt: skip
    loaded = ev.load_events(_write_record(tmp_path, rows))
    assert loaded["event_id"].tolist() == ["mid-month", "late-in-month"]
    assert loaded["date_label"].tolist() == ["10 August 2022", "20 August 2022"]
    assert loaded["articles_date_label"].tolist() == ["10 August 2022", "August 2022"]
