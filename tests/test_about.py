"""geo/about.py: the About page's facts come from the data, and a cited view reopens itself."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from geo import about, timeline
from geo.view import View


def test_known_gaps_are_read_from_the_data(events, sources, places):
    gaps = about.known_gaps(events, sources, places, timeline.spans(events))
    text = "\n".join(gaps)
    no_headline = sources.loc[sources["headline"] == "", "source_id"].tolist()
    assert no_headline and all(sid in gaps[0] for sid in no_headline)
    assert "schematic" in text and "Ansongo and Ayorou are not named by the articles" in text
    assert "'Operation Barkhane replaces Serval' has no end date" in text
    # A date bounded by another event is listed with its note, when the data has one.
    bounded = events[events["date_note"].str.contains("bounded by", case=False, na=False)]
    assert all(row["date_note"] in text for _, row in bounded.iterrows())
    central = int((events["location"] == "Central Mali").sum())
    assert f"'Central Mali' ({central} event{'s' if central != 1 else ''}) is a point standing for an area" in text
    assert f"{int(events['fatalities'].isna().sum())} of {len(events)} events have no toll" in text


def test_doc_section_reads_docs_data_md():
    precision = about.doc_section("Date precision")
    assert "resolved against" in precision and "1 January" in precision
    assert about.doc_section("No such heading") == ""


def test_source_rows_say_when_an_article_has_no_headline(sources):
    rows = about.source_rows(sources).set_index("id")
    assert rows.loc["000", "headline"] == "(no headline in the text)"
    assert rows.loc["002", "headline"].startswith("Operation Barkhane")
    assert rows.loc["001", "outlet"] == "Brussels Morning Newspaper"
    licences = about.licences_table()
    assert {"public domain", "CC BY 4.0"} <= set(licences["licence"])
    assert "GeoNames" in " ".join(licences["attribution"])


def test_citation_url_reopens_the_same_view():
    view = View(as_of=date(2022, 2, 17), countries=("MLI", "FRA"), types=("attack",), text="Gao base")
    url = about.citation_url(view, "http://example.org:8501/About/")
    assert url.startswith("http://example.org:8501/?")
    params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    back, problems = View.from_params(params, first=date(2012, 1, 1), last=date(2022, 12, 31))
    assert problems == [] and back == view
    assert about.citation_url(view, None, page="Timeline").startswith(about.DEFAULT_APP_URL + "Timeline?")


def test_app_root_drops_page_and_query():
    assert about.app_root("http://h:1/base/Places_and_distances?x=1") == "http://h:1/base/"
    assert about.app_root("http://h:1/") == "http://h:1/"
    assert about.app_root(None) == about.DEFAULT_APP_URL


def test_snapshot_command_is_the_export_clis():
    from geo import snapshot

    view = View(as_of=date(2022, 8, 15), countries=("NER",), types=("announcement", "operation"), text="Gao base")
    command = about.snapshot_command(view, "manifest")
    assert command.startswith(
        "python -m geo.snapshot --date 2022-08-15 --country NER --type announcement --type operation --text 'Gao base'"
    )
    assert command.endswith(f"--format manifest --out {snapshot.export_filename('manifest', view)}")
    window = View(as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 2, 1), date_to=date(2022, 3, 1))
    command = about.snapshot_command(window)
    assert "--from 2022-02-01 --to 2022-03-01" in command and "--format zip --out " in command


def test_page_url_names_follow_the_pages_folder():
    assert about.page_url_names() == ["Timeline", "Events_and_sources", "Places_and_distances", "About"]
