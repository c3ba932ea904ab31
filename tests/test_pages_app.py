"""Tier 2: the four pages under Streamlit's AppTest, driven through the shared sidebar's widget keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import app_metric
from streamlit.testing.v1 import AppTest

from geo import filters
from geo.view import View

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
PAGES = {
    "timeline": "pages/1_Timeline.py",
    "sources": "pages/2_Events_and_sources.py",
    "places": "pages/3_Places_and_distances.py",
    "about": "pages/4_About.py",
}
NOTHING = "zzz no such event"


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / PAGES[name]), default_timeout=TIMEOUT)


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("name", list(PAGES))
def test_page_runs_with_no_filter(name):
    at = _ok(_page(name).run())
    assert at.title and at.title[0].value
    assert at.slider(key="w_date").value == date(2022, 12, 31)
    assert _param(at, "date") == ["2022-12-31"], "the page publishes the view in the URL"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_runs_with_each_country(name, events):
    at = _page(name).run()
    for country in sorted(set(events["geo_country"])):
        at.multiselect(key="w_countries").set_value([country]).run()
        _ok(at)
        assert _param(at, "country") == [country]


def _in_view(at: AppTest, name: str) -> int | None:
    """Return how many events the page says are in view (None for the About page)."""
    if name == "timeline":
        return int(app_metric(at, "Of which in view"))
    if name == "sources":
        return int(app_metric(at, "Events shown"))
    if name == "places":
        return int(at.dataframe[0].value["events"].sum())
    return None


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize(
    "nothing",
    [
        {"w_text": NOTHING},
        {"w_countries": ["FRA"], "w_types": ["massacre"]},
        {"w_date": date(2012, 1, 1), "w_types": ["coup"]},
        {"w_mode": "window", "w_window": (date(2015, 1, 1), date(2016, 12, 31)), "w_types": ["attack"]},
    ],
    ids=["text", "no-massacre-in-france", "before-any-coup", "window-without-attacks"],
)
def test_page_runs_when_nothing_matches(name, nothing):
    at = _ok(_page(name).run())
    assert _in_view(at, name) != 0
    if "w_mode" in nothing:
        at.radio(key="w_mode").set_value(nothing["w_mode"]).run()
        at.slider(key="w_window").set_value(nothing["w_window"]).run()
    if "w_date" in nothing:
        at.slider(key="w_date").set_value(nothing["w_date"]).run()
    if "w_countries" in nothing:
        at.multiselect(key="w_countries").set_value(nothing["w_countries"]).run()
    if "w_types" in nothing:
        at.multiselect(key="w_types").set_value(nothing["w_types"]).run()
    if "w_text" in nothing:
        at.text_input(key="w_text").set_value(nothing["w_text"]).run()
    _ok(at)
    assert _in_view(at, name) in (0, None)


def test_timeline_counts_and_empty_message(events):
    at = _ok(_page("timeline").run())
    assert app_metric(at, "Events matching the filters") == str(len(events))
    assert len(at.get("vega_lite_chart")) == 4  # per month, every event, fatalities, spans
    at.slider(key="w_date").set_value(date(2021, 12, 31)).run()
    # The charts keep every matching event (a click can go forwards); the count in view follows the date.
    assert app_metric(at, "Events matching the filters") == str(len(events))
    assert app_metric(at, "Of which in view") == str(int((events["start"] <= "2021-12-31").sum()))
    at.text_input(key="w_text").set_value(NOTHING).run()
    assert app_metric(at, "Events matching the filters") == "0"
    assert any("No events match" in info.value for info in at.info)
    assert not at.get("vega_lite_chart")


def test_timeline_span_opens_where_events_are_dense_and_keeps_the_counts(events):
    from geo import timeline

    at = _ok(_page("timeline").run())
    span = at.select_slider(key="w_timeline_span")
    assert tuple(span.value) == timeline.dense_span(events)
    assert tuple(span.value) != (timeline.span_months(events)[0], timeline.span_months(events)[-1])
    span.set_value((date(2022, 1, 1), date(2022, 9, 1))).run()
    _ok(at)
    assert app_metric(at, "Events matching the filters") == str(len(events))
    assert tuple(at.select_slider(key="w_timeline_span").value) == (date(2022, 1, 1), date(2022, 9, 1))
    moments = at.dataframe[-1].value
    assert list(moments["#"]) == list(range(1, len(moments) + 1))
    assert any("numbered dashed lines" in c.value for c in at.caption)


def test_sources_page_counts_articles(events, sources):
    at = _ok(_page("sources").run())
    assert at.slider(key="w_min_articles").value == 0, "every event is listed by default, imported ones too"
    assert app_metric(at, "Events shown") == str(len(events))
    every = int((events["sources"].map(lambda cell: len(cell.split(";"))) == len(sources)).sum())
    assert app_metric(at, "Reported by every article") == str(every)
    table = at.dataframe[0].value
    # Unknown tolls say so; known ones are numbers; the articles are short ids.
    assert "None" not in set(table["fatalities"].astype(str)) and "nan" not in set(table["fatalities"].astype(str))
    assert (table["fatalities"] == "unknown").sum() == int(events["fatalities"].isna().sum())
    assert set(table.loc[table["event_id"] == "central-mali-massacre-2022-06", "fatalities"]) == {"132"}
    assert set(table.loc[table["event_id"] == "withdrawal-announced-2022-02-17", "which"]) == {
        "000, 001, 002, 003, 004"
    }
    at.slider(key="w_min_articles").set_value(4).run()
    _ok(at)
    shown = at.dataframe[0].value
    assert len(shown) == int((events["sources"].str.count(";") >= 3).sum())
    assert set(shown["reported by"]) <= {"4 of 5 articles", "5 of 5 articles"}
    contributions = at.dataframe[1].value
    assert list(contributions["source_id"]) == list(sources["source_id"])


def test_sources_page_shows_both_readings():
    at = _ok(_page("sources").run())
    readings = at.dataframe[2].value
    cut = readings[readings["title"] == "Macron announces fewer French troops in the Sahel"]
    assert {"000", "004"} <= set(cut["articles"])
    at.toggle(key="w_all_readings").set_value(True).run()
    assert len(at.dataframe[2].value) > len(readings)


def test_places_page_distance_between_two_places(events):
    at = _ok(_page("places").run())
    km = float(app_metric(at, "Geodesic distance").split()[0].replace(",", ""))
    assert 10 <= km <= 20  # Kati to Bamako, 'about 15 km' (article 003)
    at.selectbox(key="w_place_a").set_value("Gao").run()
    at.selectbox(key="w_place_b").set_value("Niamey").run()
    _ok(at)
    km = float(app_metric(at, "Geodesic distance").split()[0].replace(",", ""))
    assert 300 < km < 400
    places = at.dataframe[0].value.set_index("place")
    assert places.loc["Bamako", "km_to_bamako"] == 0
    moves = at.dataframe[1].value
    assert len(moves) == int((events["event_type"] == "troop_movement").sum()) and (moves["length_km"] > 0).all()


def test_about_page_cites_the_view():
    at = _page("about")
    at.query_params["date"] = "2022-02-17"
    at.query_params["country"] = "MLI"
    _ok(at.run())
    codes = [c.value for c in at.code]
    assert any(c.endswith("?mode=as_of&date=2022-02-17&country=MLI") for c in codes)
    assert any(c.startswith("python -m geo.snapshot --date 2022-02-17 --country MLI") for c in codes)
    text = " ".join(m.value for m in at.markdown)
    assert "CC BY 4.0" in text and "GeoNames" in text and "public domain" in text
    assert "schematic" in text


def test_a_filter_set_on_one_page_holds_on_another(events):
    # The shared view lives in session state (view_* keys), so it survives switching pages.
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT).run()
    assert app_metric(at, "Events in view") == str(len(events))
    at.multiselect(key="w_countries").set_value(["NER"]).run()
    # In Niger, or a troop movement whose route crosses into it.
    niger = len(filters.filter_events(events, View(as_of=date(2022, 12, 31), countries=("NER",))))
    assert niger > int((events["geo_country"] == "NER").sum())
    at.switch_page(PAGES["sources"]).run()
    _ok(at)
    assert at.multiselect(key="w_countries").value == ["NER"]
    assert app_metric(at, "Events shown") == str(niger)
    # ... and back: a type chosen on the timeline narrows the map.
    at.switch_page(PAGES["timeline"]).run()
    at.multiselect(key="w_countries").set_value([]).run()
    at.multiselect(key="w_types").set_value(["attack"]).run()
    assert app_metric(at, "Events matching the filters") == str(int((events["event_type"] == "attack").sum()))
    at.switch_page("dashboard.py").run()
    _ok(at)
    assert app_metric(at, "Events in view") == str(int((events["event_type"] == "attack").sum()))
    assert _param(at, "type") == ["attack"]


def test_a_date_picked_on_a_chart_moves_every_page(events):
    """The timeline's on_select callback sets the shared date; the other pages follow.

    AppTest cannot click inside a Vega chart (the browser test does), so this
    runs the same callback with the selection Streamlit would hand it.
    """

    def script():
        import streamlit as st

        from geo import ui

        events = ui.active_events()
        if st.session_state.get("pick_now"):
            # What st.altair_chart(on_select=callback) does when a point is chosen: the
            # selection lands in session state under the chart's key, then the callback runs.
            st.session_state["fake_chart"] = {"selection": {"pick": [{"pick": "2022-02-17"}]}}
            ui.on_chart_pick("fake_chart", events)()
            st.session_state["pick_now"] = False
        ui.sidebar(events)

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert at.slider(key="w_date").value == date(2022, 12, 31)
    at.session_state["pick_now"] = True
    _ok(at.run())
    assert at.slider(key="w_date").value == date(2022, 2, 17)
    assert _param(at, "date") == ["2022-02-17"]
    # In a window, the window keeps its length and centres on the chosen day.
    at.radio(key="w_mode").set_value("window").run()
    at.slider(key="w_window").set_value((date(2022, 6, 1), date(2022, 6, 30))).run()
    at.session_state["pick_now"] = True
    _ok(at.run())
    first, last = at.slider(key="w_window").value
    assert (last - first).days == 29 and first <= date(2022, 2, 17) <= last


def _broken_events(tmp_path: Path) -> tuple[Path, int]:
    """Return a copy of events.csv whose Tessit attack names a place the gazetteer does not know."""
    text = (ROOT / "events.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("tessit-attack-2022-08,"))
    assert ",Tessit,MLI," in lines[row]
    lines[row] = lines[row].replace(",Tessit,MLI,", ",Tesit,MLI,")
    broken = tmp_path / "events.csv"
    broken.write_text("".join(lines), encoding="utf-8")
    return broken, row + 1  # the row as a spreadsheet numbers it (the header is row 1)


@pytest.mark.parametrize("name", ["dashboard", *PAGES])
def test_a_broken_events_file_is_refused_on_a_clean_page(name, tmp_path, monkeypatch):
    from geo import ui

    broken, row = _broken_events(tmp_path)
    monkeypatch.setattr(ui, "EVENTS_CSV", broken)
    script = "dashboard.py" if name == "dashboard" else PAGES[name]
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["The data could not be loaded"]
    refusal = " ".join(str(h.proto.body) for h in at.get("html"))
    for part in (f"<td>{row}</td>", "<td>location</td>", "<td>Tesit</td>", "did you mean &#x27;Tessit&#x27;?",
                 "events.csv", "How to fix it"):  # fmt: skip
        assert part in refusal, part
    assert not at.get("slider") and not at.get("vega_lite_chart"), "nothing else is drawn from a refused file"


def test_the_sidebar_says_what_a_search_matched():
    at = _ok(_page("sources").run())
    at.text_input(key="w_text").set_value("Tombouctou").run()
    _ok(at)
    captions = [c.value for c in at.sidebar.caption]
    assert any("'Tombouctou' matched place Timbuktu" in c for c in captions), captions
    titles = set(at.dataframe[0].value["title"])
    at.text_input(key="w_text").set_value("Timbuktu").run()
    assert set(at.dataframe[0].value["title"]) == titles and titles


def test_the_sidebar_says_what_a_movement_counts_as():
    at = _ok(_page("sources").run())
    at.multiselect(key="w_countries").set_value(["NER"]).run()
    _ok(at)
    ids = set(at.dataframe[0].value["event_id"])
    assert "barkhane-withdrawal-2022" in ids
    note = next(c.value for c in at.sidebar.caption if "troop movement" in c.value)
    assert "counts once, in every country its route crosses" in note and "(MLI–NER)" in note


def test_sources_page_lists_the_public_record(events):
    at = _ok(_page("sources").run())
    table = at.dataframe[0].value.set_index("event_id")
    assert table.loc["tessit-attack-2022-08", "the articles"] == "August 2022"
    assert table.loc["tessit-attack-2022-08", "the public record"].startswith("7 August 2022")
    references = at.dataframe[-1].value
    assert {"R33", "R34"} <= set(references["ref_id"]) and references["url"].str.startswith("http").all()
