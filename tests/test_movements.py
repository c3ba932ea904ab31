"""Troop movements: route geometry, geodesic lengths, interpolation by date; bases by date."""

import itertools

import pandas as pd
import pytest
from shapely import Point

from geo import borders, gazetteer, movements
from geo.bases import base_status, load_bases

WITHDRAWAL = "Gao > Ansongo > Mali–Niger border crossing > Ayorou > Niamey"


def test_route_length_is_the_sum_of_its_legs():
    stops = [s.strip() for s in WITHDRAWAL.split(">")]
    legs = [
        borders.distance_km(*gazetteer.place_lonlat(a), *gazetteer.place_lonlat(b))
        for a, b in itertools.pairwise(stops)
    ]
    assert movements.route_length_km(WITHDRAWAL) == pytest.approx(sum(legs), rel=1e-9)
    # Longer than the straight Gao–Niamey distance, shorter than half again.
    direct = borders.distance_km(*gazetteer.place_lonlat("Gao"), *gazetteer.place_lonlat("Niamey"))
    assert direct < movements.route_length_km(WITHDRAWAL) < 1.5 * direct


def test_route_line_passes_through_every_stop_and_crosses_the_border():
    line = movements.route_line(WITHDRAWAL)
    for stop in ("Gao", "Mali–Niger border crossing", "Niamey"):
        lon, lat = gazetteer.place_lonlat(stop)
        assert line.distance(Point(lon, lat)) < 1e-9
    assert line.intersects(borders.mali_niger_border())
    assert borders.line_length_km(line) == pytest.approx(movements.route_length_km(WITHDRAWAL), rel=1e-3)


def test_position_interpolates_by_date():
    start, end = pd.Timestamp("2022-02-17"), pd.Timestamp("2022-08-15")
    state, fraction, point = movements.position_at(WITHDRAWAL, start, end, pd.Timestamp("2022-01-01"))
    assert (state, fraction) == ("planned", 0.0)
    assert (point.x, point.y) == pytest.approx(gazetteer.place_lonlat("Gao"))
    state, fraction, point = movements.position_at(WITHDRAWAL, start, end, end)
    assert (state, fraction) == ("done", 1.0)
    assert (point.x, point.y) == pytest.approx(gazetteer.place_lonlat("Niamey"))
    middle = start + (end - start) / 2
    state, fraction, point = movements.position_at(WITHDRAWAL, start, end, middle)
    assert state == "under way" and fraction == pytest.approx(0.5)
    # Half the route's length from Gao, measured along the route.
    travelled = movements.travelled_line(WITHDRAWAL, fraction)
    assert borders.line_length_km(travelled) == pytest.approx(movements.route_length_km(WITHDRAWAL) / 2, rel=1e-3)
    assert travelled.coords[-1] == pytest.approx((point.x, point.y))


def test_movements_at_dates(events):
    before = movements.movements_at(events, pd.Timestamp("2022-01-01")).set_index("event_id")
    assert before.loc["barkhane-withdrawal-2022", "state"] == "planned"
    assert before.loc["serval-entry-2013", "state"] == "done"
    during = movements.movements_at(events, pd.Timestamp("2022-05-01")).set_index("event_id")
    assert during.loc["barkhane-withdrawal-2022", "state"] == "under way"
    after = movements.movements_at(events, pd.Timestamp("2022-08-15")).set_index("event_id")
    assert after.loc["barkhane-withdrawal-2022", "state"] == "done"
    assert after.loc["barkhane-withdrawal-2022", "days"] == 180
    assert after.crs.to_epsg() == 4326


def test_bases_change_status_on_the_hand_over_day():
    bases = load_bases()
    assert set(bases["location"]) <= set(gazetteer.place_names())
    on = {r.base_id: r.status for r in base_status(bases, pd.Timestamp("2022-08-14")).itertuples()}
    after = {r.base_id: r.status for r in base_status(bases, pd.Timestamp("2022-08-15")).itertuples()}
    assert on == {"gao": "in use", "kati": "in use"}
    assert after == {"gao": "handed over", "kati": "in use", "niger": "in use"}


def test_only_movements_the_articles_report_as_done_are_drawn_done(events, sources):
    # A movement drawn with an end must have that end reported, by an article written after it.
    published = dict(zip(sources["source_id"], pd.to_datetime(sources["published"]), strict=True))
    moves = events[events["event_type"] == "troop_movement"]
    for _, move in moves.iterrows():
        assert pd.notna(move["end_date"]), move["event_id"]
        reported_after = [s for s in move["sources"].split(";") if published[s] >= move["end"]]
        assert reported_after, f"{move['event_id']}: no article written after its end says it was completed"
    # Takuba's redeployment to Niger is only announced: no route is drawn for it.
    takuba = events.set_index("event_id").loc["takuba-withdrawal-2022"]
    assert takuba["event_type"] == "announcement" and takuba["route"] == ""
    assert "takuba-withdrawal-2022" not in set(movements.movements_at(events, pd.Timestamp("2022-12-31"))["event_id"])


def test_last_crossing_is_a_derived_point_not_a_named_place(events, places):
    crossing = events.set_index("event_id").loc["last-unit-crosses-2022-08-15"]
    # The mark is on the border where the road leg meets it; the record names Labbezanga, not located here.
    assert crossing["location_precision"] == "region"
    assert crossing["record_place"] == "Labbezanga border post"
    basis = places.set_index("name").loc["Mali–Niger border crossing", "basis"]
    assert "Natural Earth" in basis


def test_bases_cite_known_references_and_unknown_ones_are_refused(tmp_path):
    from geo import record
    from geo.errors import DataError

    bases = load_bases()
    known = set(record.load_references()["ref_id"])
    cited = {ref for cell in bases["record_sources"] for ref in record.references_cited(cell)}
    assert cited and cited <= known
    bad = tmp_path / "bases.csv"
    text = (gazetteer.PLACES_REFERENCES_CSV.parent / "bases.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("R35;R36", "R35;R404"), encoding="utf-8")
    with pytest.raises(DataError, match="R404"):
        load_bases(bad)
