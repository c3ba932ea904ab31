"""geo.map_aids: which places are named and from which zoom, the border's label line, what the map's script is given."""

from __future__ import annotations

import json
import re
from datetime import date

from geo import borders, filters, map_aids, mapview, marks, style
from geo.bases import base_status, load_bases
from geo.gazetteer import load_gazetteer
from geo.movements import movements_at
from geo.view import View


def test_the_mission_places_are_named_from_the_first_zoom_the_others_closer_in(places):
    labels = {label["name"]: label for label in map_aids.place_labels(places)}
    for name in ("Bamako", "Gao", "Kati", "Tessit", "Timbuktu", "Niamey"):
        assert labels[name]["min_zoom"] == 0 and labels[name]["mission"], name
    others = set(places.loc[places["kind"] != "country", "name"]) - set(map_aids.MISSION_PLACES)
    assert others and all(labels[name]["min_zoom"] == map_aids.OTHER_PLACES_ZOOM for name in others)
    # Countries are named by the country layer, not twice.
    assert "Mali" not in labels and "Niger" not in labels
    # The placer names them in priority order: the mission first.
    order = [label["name"] for label in map_aids.place_labels(places)]
    assert order[: len(map_aids.MISSION_PLACES)] == list(map_aids.MISSION_PLACES)


def test_place_coordinates_are_the_gazetteers(places):
    for label in map_aids.place_labels(places):
        row = places.loc[places["name"] == label["name"]].iloc[0]
        assert (label["latitude"], label["longitude"]) == (row["latitude"], row["longitude"])


def test_border_label_runs_along_the_border_reading_upwards():
    border = borders.mali_niger_border()
    line = map_aids.border_label_line(border)
    (_, y1), (_, y2) = line.coords
    assert y2 > y1  # south to north
    # Its middle, where the text is centred, is on the border (within ~50 km).
    middle = line.interpolate(0.5, normalized=True)
    assert borders.distance_to_geometry_km(middle.x, middle.y, border) < 50


def test_base_map_carries_names_as_text_and_the_aids(places):
    html = mapview.base_map(legend=False).get_root().render()
    for name in ("Bamako", "Gao", "Kati", "Tessit", "Timbuktu", "Niamey"):
        assert f'place-name\\"\\u003e{name}\\u003c/span\\u003e' in html, name
    assert json.dumps("Mali–Niger border") in html and "textPath" in html
    assert "offscreen-marker" in html and "window.frameElement.title" in html
    assert json.dumps(map_aids.MAP_TITLE) in html
    # The centre the map was opened at survives Leaflet's invalidateSize when the size is unchanged.
    assert "map.invalidateSize = function" in html and "this._lastCenter = kept" in html


def test_event_features_carry_name_shape_count_and_place(events, sources):
    view = View(as_of=date(2022, 12, 31))
    shown, status = filters.events_with_status(events, view)
    features = marks.event_features(shown, status, sources)
    by_id = dict(zip(shown["event_id"], features, strict=True))
    paris = [f for f in features if f["properties"]["place"] == "Paris"]
    assert len(paris) == int((shown["location"] == "Paris").sum()) == 6
    for event_id, feature in by_id.items():
        row = shown.loc[shown["event_id"] == event_id].iloc[0]
        props = feature["properties"]
        assert props["count"] == 1
        assert props["aria_name"] == mapview.esc(f"{row['title']} ({row['date_label']})")
        assert props["shape"] == style.type_shape(row["event_type"])


def test_aggregate_features_count_their_events(events):
    import pandas as pd

    from geo import aggregate

    many = pd.concat([events] * 20, ignore_index=True)
    cells = aggregate.aggregate_events(many)
    features = marks.cell_features(cells)
    assert sum(f["properties"]["count"] for f in features) == len(many)


def test_full_map_renders_the_same_bytes_with_the_aids(events, sources):
    view = View(as_of=date(2022, 5, 1))
    shown, status = filters.events_with_status(events, view)
    moves = movements_at(events, view.reference_date)
    bases = base_status(load_bases(), view.reference_date)
    first = mapview.build_map(shown, status, moves, bases, sources).get_root().render()
    second = mapview.build_map(shown, status, moves, bases, sources).get_root().render()
    assert first == second and len(re.findall("place-label", first)) >= len(load_gazetteer()) - 2
