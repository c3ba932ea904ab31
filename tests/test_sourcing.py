"""geo/sourcing.py on the real events.csv and sources.csv: contributions, the event table, readings."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import record, sourcing
from geo.events import source_list

IDS = ["000", "001", "002", "003", "004"]


def _citing(events, sid):
    return events[events["sources"].map(lambda cell: sid in source_list(cell))]


def test_contributions_match_counting_the_sources_column(events, sources):
    contributions = sourcing.article_contributions(events, sources).set_index("source_id")
    assert list(contributions.index) == IDS
    for sid in IDS:
        # Counted independently: split every cell and look for the id.
        expected = sum(sid in str(cell).split(";") for cell in events["sources"])
        assert contributions.loc[sid, "events"] == expected
        alone = sum(str(cell).split(";") == [sid] for cell in events["sources"])
        assert contributions.loc[sid, "only_source"] == alone
    assert contributions["events"].sum() == sum(len(source_list(c)) for c in events["sources"])


def test_contributions_give_the_period_covered(events, sources):
    contributions = sourcing.article_contributions(events, sources).set_index("source_id")
    for sid in IDS:
        cited = _citing(events, sid)
        assert contributions.loc[sid, "first"] == cited["start"].min()
        assert contributions.loc[sid, "last"] == cited["end"].max()
    # 004 reports the jihadists' 2012 takeover (known to the year) and the crossing of 15 August 2022.
    assert contributions.loc["004", "period"] == "2012 – 15 August 2022"
    assert contributions.loc["001", "outlet"] == "Brussels Morning Newspaper"


def test_contributions_list_every_article_even_when_nothing_cites_it(events, sources):
    niger = events[events["geo_country"] == "NER"]
    contributions = sourcing.article_contributions(niger, sources).set_index("source_id")
    assert len(contributions) == len(sources)
    assert contributions.loc["000", "events"] == 0
    assert contributions.loc["000", "period"] == ""


def test_event_table_says_how_many_and_which_articles(events, sources):
    table = sourcing.event_table(events, sources).set_index("event_id")
    assert len(table) == len(events)
    announced = table.loc["withdrawal-announced-2022-02-17"]
    assert announced["reported by"] == "5 of 5 articles"
    for _, article in sources.iterrows():
        assert f"[{article['source_id']}] {article['display']}" in announced["which"]
    kati = table.loc["kati-attack-2022-07"]
    assert (kati["articles"], kati["reported by"]) == (1, "1 of 5 articles")
    # Placed at the public record's day; the articles' month stays beside it.
    assert kati["date"] == "22 July 2022"
    assert kati["the articles"] == "July 2022" and kati["the public record"] == "22 July 2022, toll 8 [R35; R36]"
    for event_id, cell in zip(events["event_id"], events["sources"], strict=True):
        assert table.loc[event_id, "articles"] == len(source_list(cell))


def test_event_table_names_datasets_for_imported_rows(events, sources):
    imported = events.head(1).copy()
    imported["sources"] = "acled"
    row = sourcing.event_table(imported, sources).iloc[0]
    assert row["reported by"] == "0 of 5 articles"
    assert row["which"] == "acled (dataset)"
    assert sourcing.event_table(events.iloc[:0], sources).empty


def test_reported_by_at_least(events, sources):
    assert len(sourcing.reported_by_at_least(events, sources, 1)) == len(events)
    every = sourcing.reported_by_at_least(events, sources, 5)
    assert set(every["event_id"]) == {
        "barkhane-withdrawal-2022", "withdrawal-announced-2022-02-17", "junta-delays-elections-2022",
    }  # fmt: skip


def test_disagreements_show_both_readings_and_who_says_which(events, sources):
    readings = sourcing.readings_table(events, sources)
    cut = readings[readings["event_id"] == "troop-cut-announced-2021-06"]
    said = {row["articles"]: row["reading"] for _, row in cut.iterrows() if row["articles"]}
    assert set(said) == {"000", "004"}
    assert "July 2021" in said["000"] and "June" in said["004"]
    assert cut["differs"].all()
    announced = readings[readings["event_id"] == "withdrawal-announced-2022-02-17"]
    length = announced[announced["topic"] == "Length of the pull-out"]
    assert length[["topic", "reading", "articles"]].values.tolist() == [
        ["Length of the pull-out", "'over the coming months'", "000"],
        ["Length of the pull-out", "'several months'", "001"],
        ["Length of the pull-out", "'4-6 months'", "003"],
    ]
    assert "[003] Last French troops leave Mali for Niger" in length.iloc[2]["said by"]
    # Where the troops go, and who signed the joint statement, each with the articles that say it.
    going = announced[announced["topic"] == "Destination"].set_index("articles")["reading"]
    assert "home" in going["000"] and "Niger" in going["001, 002"] and "Niger" in going["003"]
    signed = announced[announced["topic"] == "Who made the joint statement"]
    assert signed["articles"].tolist() == ["002", "004", "003"] and announced["differs"].all()


def test_every_readings_cell_has_rows_and_agreement_is_not_a_disagreement(events, sources):
    readings = sourcing.readings_table(events, sources)
    with_readings = events.loc[events["readings"].fillna("").str.strip() != "", "event_id"]
    assert set(readings["event_id"]) == set(with_readings)
    agree = readings[readings["event_id"] == "french-toll-2013-2022"]
    assert agree["articles"].tolist() == ["002, 003"] and not agree["differs"].any()
    wagner = readings[readings["event_id"] == "wagner-2022"]
    assert wagner[["reading", "articles"]].values.tolist() == [
        ["the Europeans' accusation", "002, 003"],
        ["Mali's denial.", "003"],
        ["In its own analysis, the coups opened the door to Russian mercenaries", "001"],
    ]
    assert (readings.loc[readings["articles"] == "", "said by"] == "our note").all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Troops: 2,004 soldiers (001).", [("Troops", "2,004 soldiers", ["001"])]),
        ("004 says June; 000 says July 2021.", [("", "004 says June", ["004"]), ("", "000 says July 2021.", ["000"])]),
        ("001 and 004: a figure", [("", "a figure", ["001", "004"])]),
        ("No article gives a number.", [("", "No article gives a number.", [])]),
        ("", []),
    ],
)
def test_split_readings(text, expected):
    rows = sourcing.split_readings(text, IDS)
    assert [(r["topic"], r["reading"], r["articles"]) for r in rows] == expected


def test_reach_counts_only_known_articles(sources):
    assert sourcing.reach("000;003", sources) == 2
    assert sourcing.reach("acled", sources) == 0
    assert sourcing.article_label("acled", sources) == "acled (dataset)"
    assert sourcing.article_label("002", sources).startswith("[002] Operation Barkhane")
    assert isinstance(sourcing.article_contributions(pd.DataFrame(), sources), pd.DataFrame)


def test_every_record_source_is_a_reference_with_an_address(events):
    references = record.load_references().set_index("ref_id")
    assert references.index.is_unique
    assert references.index.str.fullmatch(r"R\d{2}").all()
    cited = {ref for cell in events["record_sources"] for ref in record.references_cited(cell)}
    assert cited, "the curated events cite no public reference"
    assert cited <= set(references.index), sorted(cited - set(references.index))
    for ref_id in cited:
        ref = references.loc[ref_id]
        assert ref["url"].startswith(("http://", "https://")), ref_id
        assert ref["title"] and ref["publisher"] and ref["supports"], ref_id
        # A date published, where given, is a date (year, month or day).
        assert re.fullmatch(r"(\d{4}(-\d{2}(-\d{2})?)?)?", ref["published"]), ref_id
    # Every public-record date, place or toll names its references.
    recorded = events[
        events["record_date"].notna() | (events["record_place"] != "") | events["record_fatalities"].notna()
    ]
    assert (recorded["record_sources"] != "").all()


def test_no_row_cites_an_article_written_before_the_event(events, sources):
    early = sourcing.cited_before_the_event(events, sources)
    assert early.empty, early.to_string()


def test_an_article_written_before_the_event_is_caught(events, sources):
    # The August crossing cited to a February article is refused, unless the note calls it background.
    crossing = events[events["event_id"] == "last-unit-crosses-2022-08-15"].assign(sources="003;004")
    early = sourcing.cited_before_the_event(crossing, sources)
    assert early[["event_id", "source_id"]].values.tolist() == [["last-unit-crosses-2022-08-15", "004"]]
    background = crossing.assign(date_note="004 names the Gao base only as background.")
    assert sourcing.cited_before_the_event(background, sources).empty


def test_references_table_lists_what_the_events_in_view_cite(events):
    table = sourcing.references_table(events, record.load_references())
    assert set(table["ref_id"]) == {r for cell in events["record_sources"] for r in record.references_cited(cell)}
    tessit = sourcing.references_table(events[events["event_id"] == "tessit-attack-2022-08"], record.load_references())
    assert tessit["ref_id"].tolist() == ["R33", "R34"] and (tessit["events"] == 1).all()
    assert sourcing.references_table(events.iloc[:0], record.load_references()).empty
