"""Tier 2: the dashboard page under Streamlit's AppTest, driven through widget keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import app_metric
from streamlit.testing.v1 import AppTest

from geo import filters
from geo.events import load_events
from geo.movements import movements_at
from geo.view import View

TIMEOUT = 60
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    return at.run()


def test_runs_without_exception_and_counts_everything(app, events):
    assert not app.exception
    assert app_metric(app, "Events in view") == str(len(events))
    assert app_metric(app, "Fatalities reported") == f"{int(events['fatalities'].sum()):,}"


def test_slider_ends_change_counts_without_exception(app, events):
    first, last = filters.date_bounds(events)
    app.slider(key="w_date").set_value(first).run()
    assert not app.exception
    assert app_metric(app, "Events in view") == "1"
    app.slider(key="w_date").set_value(last).run()
    assert not app.exception
    assert app_metric(app, "Events in view") == str(len(events))


def test_step_buttons_move_between_event_dates(app):
    app.slider(key="w_date").set_value(date(2022, 2, 17)).run()
    app.button(key="w_next").click().run()
    assert app.slider(key="w_date").value == date(2022, 2, 18)
    app.button(key="w_prev").click().run()
    app.button(key="w_prev").click().run()
    assert app.slider(key="w_date").value == date(2022, 2, 16)


def test_country_filter_counts_only_that_country(app, events):
    app.multiselect(key="w_countries").set_value(["NER"]).run()
    assert not app.exception
    # In Niger, or a troop movement whose route crosses into it (geo.filters.in_countries).
    from datetime import date

    from geo import filters

    niger = filters.filter_events(events, View(as_of=date(2022, 12, 31), countries=("NER",)))
    assert app_metric(app, "Events in view") == str(len(niger))


def test_type_and_text_filters_and_nothing_matching(app, events):
    app.multiselect(key="w_types").set_value(["attack"]).run()
    assert app_metric(app, "Events in view") == str(int((events["event_type"] == "attack").sum()))
    app.text_input(key="w_text").set_value("zzz no such event").run()
    assert not app.exception
    assert app_metric(app, "Events in view") == "0"
    assert any("No events match" in info.value for info in app.info)


def test_window_mode(app):
    app.radio(key="w_mode").set_value("window").run()
    app.slider(key="w_window").set_value((date(2022, 6, 1), date(2022, 7, 31))).run()
    assert not app.exception
    # June–July 2022: the withdrawal under way, the massacre, sanctions lifted, Kati, plus 2022-long items.
    view = View(as_of=date(2022, 7, 31), mode="window", date_from=date(2022, 6, 1), date_to=date(2022, 7, 31))
    events = load_events()
    assert int(app_metric(app, "Events in view")) == len(filters.filter_events(events, view))
    under_way = movements_at(events, view.reference_date)["state"].eq("under way").sum()
    assert app_metric(app, "Movements under way") == str(int(under_way))


def test_query_params_restore_the_view(events):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params["date"] = "2022-02-17"
    at.query_params["country"] = "FRA"
    at.run()
    assert not at.exception
    assert at.slider(key="w_date").value == date(2022, 2, 17)
    assert at.multiselect(key="w_countries").value == ["FRA"]
    expected = events[(events["geo_country"] == "FRA") & (events["start"] <= "2022-02-17")]
    assert len(expected) >= 5
    assert app_metric(at, "Events in view") == str(len(expected))


def test_bad_query_params_warn_and_fall_back():
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params["date"] = "2099-01-01"
    at.query_params["country"] = "ATLANTIS"
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "date" in warnings and "outside the data" in warnings
    assert "ATLANTIS" in warnings


def test_date_field_sets_the_day_and_the_slider_follows(app, events):
    app.date_input(key="w_day").set_value(date(2022, 2, 17)).run()
    assert not app.exception
    assert app.slider(key="w_date").value == date(2022, 2, 17)
    assert app_metric(app, "Events in view") == str(int((events["start"] <= "2022-02-17").sum()))
    app.slider(key="w_date").set_value(date(2022, 6, 1)).run()
    assert app.date_input(key="w_day").value == date(2022, 6, 1)


def test_week_buttons_move_seven_days_within_the_data(app, events):
    first, _ = filters.date_bounds(events)
    app.date_input(key="w_day").set_value(date(2022, 2, 17)).run()
    app.button(key="w_week_next").click().run()
    assert app.slider(key="w_date").value == date(2022, 2, 24)
    app.button(key="w_week_prev").click().run()
    app.button(key="w_week_prev").click().run()
    assert app.slider(key="w_date").value == date(2022, 2, 10)
    app.slider(key="w_date").set_value(first).run()
    app.button(key="w_week_prev").click().run()
    assert app.slider(key="w_date").value == first


def test_a_link_sets_where_the_map_opens_and_nothing_moves_it_after(events):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update({"date": "2022-08-15", "lat": "15.8", "lon": "0.5", "zoom": "7"})
    at.run()
    assert not at.exception
    assert at.session_state["map_start"] == ((15.8, 0.5), 7)
    at.slider(key="w_date").set_value(date(2022, 2, 17)).run()
    assert at.session_state["map_start"] == ((15.8, 0.5), 7)
    assert (at.query_params["lat"], at.query_params["zoom"]) == ("15.8000", "7")
