"""The view: built and checked, read from links and the command line by one parser, written back to links."""

import re
from datetime import date

import pandas as pd
import pytest

from geo.view import URL_NAMES, View, parse_view


def test_view_round_trips_through_query_params():
    view = View(as_of=date(2022, 5, 1), mode="window", date_from=date(2022, 2, 1), date_to=date(2022, 8, 31),
                countries=("MLI", "NER"), types=("attack",), text="gao", center=(15.1, 0.5), zoom=7)  # fmt: skip
    params = view.to_params()
    assert params["country"] == ["MLI", "NER"] and params["from"] == "2022-02-01"
    back, problems = View.from_params(params, first=date(2012, 1, 1), last=date(2022, 12, 31))
    assert problems == []
    assert back.window == view.window
    assert (back.countries, back.types, back.text, back.center, back.zoom) == (
        view.countries, view.types, view.text, view.center, view.zoom)  # fmt: skip


@pytest.mark.parametrize(
    ("params", "column", "message"),
    [
        ({"date": "2030-01-01"}, "date", "outside the data"),
        ({"date": "yesterday"}, "date", "not a date"),
        ({"mode": "sideways"}, "mode", "must be"),
        ({"country": "XXX"}, "country", "is not a country with events in the data; choose from MLI, NER; ignored"),
        ({"lat": "95", "lon": "0"}, "lat", "not a point on the map"),
        ({"zoom": "close"}, "zoom", "whole number"),
    ],
)
def test_bad_query_params_are_reported_not_raised(params, column, message):
    view, problems = View.from_params(params, first=date(2012, 1, 1), last=date(2022, 12, 31),
                                      known_countries={"MLI", "NER"})  # fmt: skip
    assert [p.column for p in problems] == [column]
    assert message in problems[0].message
    assert date(2012, 1, 1) <= view.as_of <= date(2022, 12, 31)


def test_the_dates_choice_round_trips_through_the_url():
    view = View(as_of=date(2022, 8, 15), dates="articles")
    assert view.to_params()["dates"] == "articles"
    back, problems = View.from_params(view.to_params(), first=date(2012, 1, 1), last=date(2022, 12, 31))
    assert back.dates == "articles" and problems == []
    assert "dates" not in View(as_of=date(2022, 8, 15)).to_params()
    bad, problems = View.from_params({"dates": "guess"}, first=date(2012, 1, 1), last=date(2022, 12, 31))
    assert bad.dates == "precise" and [p.column for p in problems] == ["dates"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mode": "between"}, "mode 'between' is not one of as_of, window"),
        ({"center": (95.0, 0.0)}, "center (95.0, 0.0) is not a (lat, lon) pair"),
        ({"zoom": 40}, "zoom 40 is not a Leaflet zoom level"),
        ({"dates": "guess"}, "dates 'guess' is not one of precise, articles"),
    ],
)
def test_a_view_checks_itself_when_built(fields, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        View(as_of=date(2022, 8, 15), **fields)
    with pytest.raises(ValueError, match=re.escape(message)):
        View(as_of=date(2022, 8, 15)).with_changes(**fields)


@pytest.mark.parametrize(
    ("fields", "link", "command_line"),
    [
        ({"date": "2030-01-01"}, "column 'date': is outside the data (the data runs from 2012-01-01 to 2022-12-31); "
         "moved to 2022-12-31 (value '2030-01-01')", "--date 2030-01-01 is outside the data"),
        ({"mode": "window", "from": "2022-08-01", "to": "2022-02-01"}, "column 'from': is after to 2022-02-01; "
         "the two swapped (value '2022-08-01')", "--from 2022-08-01 is after --to 2022-02-01"),
        ({"zoom": "40", "center": "15,0"}, "column 'zoom': must be between 1 and 18; moved to 18 (value '40')",
         "--zoom 40 must be between 1 and 18"),
        ({"zoom": "5"}, "column 'zoom': needs lat; ignored (value '5')", "--zoom 5 needs --center"),
        ({"center": "north,0"}, "column 'lat': is not LAT,LON in decimal degrees; ignored (value 'north,0')",
         "--center 'north,0' is not LAT,LON in decimal degrees"),
        ({"type": ["attack", "riot"]}, "column 'type': is not an event type; choose from attack, coup; ignored "
         "(value 'riot')", "--type 'riot' is not an event type; choose from attack, coup"),
    ],
)  # fmt: skip
def test_one_reading_of_a_view_a_link_clamps_and_the_command_line_refuses(fields, link, command_line):
    from geo.snapshot.__main__ import CLI_NAMES

    view, problems = parse_view(fields, first=date(2012, 1, 1), last=date(2022, 12, 31), known_types=("attack", "coup"))
    assert len(problems) == 1
    assert str(problems[0].as_row_problem(URL_NAMES)) == link
    assert problems[0].text(CLI_NAMES).startswith(command_line)
    # The lenient view is one a page can show: clamped or dropped, never the bad value.
    assert date(2012, 1, 1) <= view.as_of <= date(2022, 12, 31)
    assert view.zoom in (None, 18) and view.types in ((), ("attack",))


def test_a_link_without_a_mode_is_read_as_before_and_the_command_line_infers_the_window():
    bounds = {"first": date(2012, 1, 1), "last": date(2022, 12, 31)}
    linked, problems = View.from_params({"from": "2022-02-01", "to": "2022-03-01"}, **bounds)
    assert linked.mode == "as_of" and problems == []
    window, problems = parse_view({"from": "2022-02-01", "to": "2022-03-01"}, **bounds)
    assert window.mode == "window" and window.window == (pd.Timestamp("2022-02-01"), pd.Timestamp("2022-03-01"))
    both, problems = parse_view({"date": "2022-02-01", "to": "2022-03-01"}, **bounds)
    assert both.mode == "window" and [p.text({"date": "--date", "from": "--from", "to": "--to"}) for p in problems] == [
        "give --date, or --from/--to, not both"
    ]
