"""geo.playback: where playback runs, the control's data and messages, and its script in the map's HTML."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from geo import filters, mapview, marks, playback
from geo.bases import base_status, load_bases
from geo.movements import movements_at, route_length_km
from geo.view import View


@pytest.fixture(scope="module")
def bounds(events):
    return filters.date_bounds(events)


def test_play_span_restarts_from_the_first_event_at_or_after_the_last(events, bounds):
    first_event, last_event = filters.event_dates(events)[0], filters.event_dates(events)[-1]
    for day in (bounds[1], last_event):
        span = playback.play_span(events, View(as_of=day))
        assert (span.start, span.end) == (first_event, bounds[1])
        assert "first event" in span.note and filters.format_day(first_event) in span.note
    span = playback.play_span(events, View(as_of=date(2022, 2, 16)))
    assert (span.start, span.end, span.note) == (date(2022, 2, 16), bounds[1], "")


def test_play_span_in_window_mode_is_the_window(events):
    view = View(as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 2, 1), date_to=date(2022, 8, 1))
    span = playback.play_span(events, view)
    assert (span.start, span.end) == (date(2022, 2, 1), date(2022, 8, 1))
    assert playback.playing_view(events, view) == view


def test_playing_view_holds_every_mark_of_the_span(events, bounds):
    view = View(as_of=date(2022, 2, 16), countries=("MLI",))
    played = playback.playing_view(events, view)
    assert played.as_of == bounds[1] and played.countries == ("MLI",)
    assert len(filters.filter_events(events, played)) == int((events["geo_country"] == "MLI").sum())


def test_movement_tracks_follow_the_routes_geodesic_length(events):
    moves = movements_at(events[events["event_type"] == "troop_movement"], events["end"].max())
    tracks = playback.movement_tracks(moves)
    assert {t["id"] for t in tracks} == set(moves["event_id"])
    for track, (_, move) in zip(tracks, moves.iterrows(), strict=True):
        assert track["km"][0] == 0 and track["km"] == sorted(track["km"])
        assert track["km"][-1] == pytest.approx(route_length_km(move["route"]), rel=1e-3)
        assert len(track["route"]) == len(track["km"])
        # (lat, lon) pairs, as Leaflet takes them: Mali and Niger are north of the equator, mostly west of 5°E.
        assert all(10 < lat < 25 and -13 < lon < 5 for lat, lon in track["route"])
        assert track["start"] == playback.day_number(move["start"]) < track["end"]


def test_script_json_escapes_what_could_end_the_script_or_read_as_a_template():
    text = playback.script_json({"title": "</script><b>{{ 7*7 }}</b> & 'x'", "nested": {"a": {"b": 1}}})
    assert "</script" not in text and "{{" not in text and "}}" not in text and "'" not in text
    assert json.loads(text) == {"title": "</script><b>{{ 7*7 }}</b> & 'x'", "nested": {"a": {"b": 1}}}


def test_read_message_accepts_only_the_controls_messages():
    tag = playback.MESSAGE_PREFIX + json.dumps({"id": "abc", "action": "pause", "date": "2022-03-05"})
    assert playback.read_message(["other", tag]) == {"id": "abc", "action": "pause", "date": date(2022, 3, 5)}
    for bad in (None, [], ["sahel-playback:{not json"], [playback.MESSAGE_PREFIX + '{"id": "a", "action": "jump", '
                '"date": "2022-03-05"}'], [playback.MESSAGE_PREFIX + '{"id": "a", "action": "play", "date": "soon"}']):  # fmt: skip
        assert playback.read_message(bad) is None


def test_control_in_a_map_carries_its_data_escaped(events, sources):
    view = View(as_of=date(2022, 2, 16))
    moves = movements_at(events[events["event_type"] == "troop_movement"], view.reference_date)
    bases = base_status(load_bases(), view.reference_date)
    data = playback.control_data(events, view, moves, playing=False, handled="x1")
    data["note"] = "</script><img src=x onerror=alert(1)>{{ config }}"
    fmap = mapview.build_map(events.iloc[:3], ["current"] * 3, moves, bases, sources)
    playback.add_time_control(fmap, data)
    html = fmap.get_root().render()
    assert re.search(r"var map = map_[0-9a-f]{32};", html)  # found its map up the tree
    payload = re.search(r"var data = (\{.*?\});\n", html).group(1)
    assert json.loads(payload)["note"] == data["note"]
    assert "<img src=x" not in html and "{{ config }}" not in html
    assert json.loads(payload)["day"] == playback.day_number(date(2022, 2, 16))
    # The same view renders the same bytes.
    again = mapview.build_map(events.iloc[:3], ["current"] * 3, moves, bases, sources)
    playback.add_time_control(again, data)
    assert again.get_root().render() == html


def test_event_marks_carry_their_days(events, sources):
    features = marks.event_features(events, ["current"] * len(events), sources)
    for feature, (_, row) in zip(features, events.iterrows(), strict=True):
        assert feature["properties"]["day"] == playback.day_number(row["start"])
        assert feature["properties"]["end_day"] == playback.day_number(row["end"])
