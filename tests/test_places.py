"""geo/places.py: geodesic distances against known values, route lengths as sums of legs, the place table."""

from __future__ import annotations

from itertools import pairwise

import pytest

from geo import borders, gazetteer, mapview, movements
from geo import places as geo_places  # the conftest fixture 'places' is the gazetteer
from geo.events import route_stops


def test_kati_is_about_15_km_from_bamako():
    # Article 003: Kati, Mali's main base, is "about 15 km" from the capital.
    km = geo_places.distance_between("Kati", "Bamako")
    assert 10 <= km <= 20
    assert geo_places.distance_between("Bamako", "Kati") == pytest.approx(km)
    assert geo_places.distance_between("Bamako", "Bamako") == 0


def test_known_distances_between_capitals():
    # Great-circle distances, rounded, from any atlas: Bamako–Niamey ~1,100 km, Paris–Bamako ~4,130 km.
    assert geo_places.distance_between("Bamako", "Niamey") == pytest.approx(1_098, abs=15)
    assert geo_places.distance_between("Paris", "Bamako") == pytest.approx(4_130, abs=40)
    assert geo_places.distance_between("Tombouctou", "Timbuktu") == 0  # an alias is the same place


def test_unknown_place_is_refused_with_a_suggestion():
    with pytest.raises(gazetteer.UnknownPlace, match="did you mean 'Kati'"):
        geo_places.distance_between("Katti", "Bamako")


def test_route_length_is_the_sum_of_its_legs(events):
    table = geo_places.movement_table(events).set_index("event_id")
    for _, move in events[events["event_type"] == "troop_movement"].iterrows():
        stops = route_stops(move["route"])
        legs = sum(geo_places.distance_between(a, b) for a, b in pairwise(stops))
        row = table.loc[move["event_id"]]
        assert row["length_km"] == pytest.approx(legs, rel=1e-9)
        assert row["length_km"] == pytest.approx(movements.route_length_km(move["route"]), rel=1e-9)
        # The legs column lists each leg once, in order.
        assert row["legs"].count("→") == len(stops) - 1
    # The road from Gao to Niamey through the border crossing is longer than the straight line.
    barkhane = table.loc["barkhane-withdrawal-2022"]
    assert barkhane["length_km"] > geo_places.distance_between("Gao", "Niamey")
    assert 350 < barkhane["length_km"] < 450


def test_movement_duration_in_days(events):
    table = geo_places.movement_table(events).set_index("event_id")
    barkhane = table.loc["barkhane-withdrawal-2022"]
    assert barkhane["days"] == 179  # 17 February to 15 August 2022
    assert (barkhane["from"], barkhane["to"]) == ("17 February 2022", "15 August 2022")
    assert barkhane["dates_known"] == "to the day"
    serval = table.loc["serval-entry-2013"]
    placed = events.set_index("event_id").loc["serval-entry-2013"]
    assert serval["days"] == (placed["end"] - placed["start"]).days
    assert geo_places.movement_table(events.iloc[:0]).empty


def test_place_table_distances(places_table):
    table = places_table.set_index("place")
    assert table.loc["Bamako", "km_to_bamako"] == 0
    assert table.loc["Kati", "km_to_bamako"] == pytest.approx(geo_places.distance_between("Kati", "Bamako"))
    # The crossing and the tripoint lie on the border; towns near it are close, the capitals far.
    assert table.loc["Mali–Niger border crossing", "km_to_border"] < 0.5
    assert table.loc["Liptako-Gourma tri-border area", "km_to_border"] < 0.5
    assert table.loc["Ayorou", "km_to_border"] < table.loc["Niamey", "km_to_border"]
    assert table.loc["Tessit", "km_to_border"] < table.loc["Gao", "km_to_border"] < table.loc["Bamako", "km_to_border"]
    lon, lat = gazetteer.place_lonlat("Gao")
    assert table.loc["Gao", "km_to_border"] == pytest.approx(
        borders.distance_to_geometry_km(lon, lat, borders.mali_niger_border())
    )


def test_place_table_countries_and_events(places_table, events):
    table = places_table.set_index("place")
    assert table.loc["Niamey", "country"] == "Niger" and table.loc["Niamey", "iso3"] == "NER"
    assert table.loc["Paris", "country"] == "France"
    assert table["events"].sum() == len(events)  # every curated event is at a gazetteer place
    for name, count in events["location"].value_counts().items():
        assert table.loc[name, "events"] == count
    assert "Attack on Mali's main military base at Kati" in table.loc["Kati", "event_titles"]
    assert "Barkhane withdraws from Mali into Niger" in table.loc["Ansongo", "on_routes"]


def test_place_table_counts_only_the_events_given(places, events):
    table = geo_places.place_table(places, events.iloc[:0])
    assert (table["events"] == 0).all() and (table["event_titles"] == "").all()
    niger = geo_places.place_table(places, events[events["geo_country"] == "NER"]).set_index("place")
    assert niger["events"].sum() == int((events["geo_country"] == "NER").sum())


@pytest.fixture(scope="module")
def places_table(places, events):
    names = dict(zip(borders.load_countries()["iso3"], borders.load_countries()["name"], strict=True))
    return geo_places.place_table(places, events, names)


def test_gazetteer_map_shows_every_place_and_the_pair(places):
    km = geo_places.distance_between("Kati", "Bamako")
    html = mapview.gazetteer_map(places, pair=("Kati", "Bamako"), pair_km=km).get_root().render()
    for name in places["name"]:
        assert mapview.esc(name) in html
    assert "place-pair" in html and f"Kati – Bamako: {km:,.0f} km" in html
    # Deterministic ids: the same map renders the same bytes, so st_folium does not redraw it.
    assert html == mapview.gazetteer_map(places, pair=("Kati", "Bamako"), pair_km=km).get_root().render()
