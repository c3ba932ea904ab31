"""Whether an event's point lies in the country its row names, on its date, quickly.

Natural Earth draws today's borders, and conflict data spans decades: a UCDP
event in 2005 in what is now South Sudan was in Sudan then. Points in no
country's polygon (Abyei, disputed between the two Sudans, has none; a
coastal town just offshore) are not "outside" their country either. This
module sorts the points whose polygon is not the named country's into:

``within``
    within :data:`geo.borders.COUNTRY_TOLERANCE_KM` of the named country (a
    border or coastal point): kept, no word said, as before.
``then``
    in a country that was part of the named one on the event's date
    (:data:`SUCCESSIONS`): kept, with a note.
``nowhere``
    in no country's polygon, within :data:`NO_COUNTRY_KM` of the named
    country: kept, with a note.
``swapped``
    inside the named country once latitude and longitude trade places: refused.
``outside``
    anything else: refused, with the distance.

Distances are geodesic (``pyproj.Geod``). Each point's nearest boundary
point is found with shapely on the lon/lat polygon, vectorised per country
(a distance computation per point against a full-resolution polygon cost a
minute for a few thousand points), then measured on the ellipsoid; points
near the tolerance are measured again exactly with
:func:`geo.borders.distance_to_country_km`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo import borders


@dataclass(frozen=True)
class Succession:
    """A country (``today``) that was part of another (``then``) until a date."""

    today: str
    then: str
    until: str
    what: str


#: Countries that were part of another within the data's span (alpha-3 as Natural Earth writes them).
SUCCESSIONS: tuple[Succession, ...] = (
    Succession("SSD", "SDN", "2011-07-09", "South Sudan became independent on 9 July 2011"),
    Succession("ERI", "ETH", "1993-05-24", "Eritrea became independent on 24 May 1993"),
    Succession("KOS", "SRB", "2008-02-17", "Kosovo declared independence on 17 February 2008"),
    Succession("MNE", "SRB", "2006-06-03", "Montenegro became independent on 3 June 2006"),
)

#: How far (km) a point in no country's polygon may lie from the named country and be kept, flagged.
NO_COUNTRY_KM = 100.0


@dataclass
class CountryCheck:
    """What :func:`check_countries` found for each point: ``status``, ``km`` from the named country, ``note``."""

    status: np.ndarray
    km: np.ndarray
    note: np.ndarray


def check_countries(
    lon: np.ndarray, lat: np.ndarray, named: np.ndarray, found: np.ndarray, dates: np.ndarray
) -> CountryCheck:
    """Sort points whose polygon (``found``, None for none) is not the ``named`` country's; see the module notes.

    Parameters
    ----------
    lon, lat
        The points, in degrees (WGS84).
    named
        The alpha-3 code each row names (a Natural Earth code).
    found
        The code of the polygon holding each point, or None.
    dates
        Each event's date (``datetime64``), for :data:`SUCCESSIONS`.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    named, found = np.asarray(named, dtype=object), np.asarray(found, dtype=object)
    dates = pd.to_datetime(pd.Series(dates)).to_numpy()
    count = len(lon)
    status = np.full(count, "outside", dtype=object)
    km = np.zeros(count)
    note = np.full(count, None, dtype=object)
    for code in pd.unique(named):
        rows = np.flatnonzero(named == code)
        shape = borders.country_shape(code)
        km[rows] = _distances_km(shape, lon[rows], lat[rows], code)
        swappable = rows[np.abs(lon[rows]) <= 90]
        swapped = shapely.covers(shape, shapely.points(lat[swappable], lon[swappable]))
        status[swappable[swapped]] = "swapped"
    status[km <= borders.COUNTRY_TOLERANCE_KM] = "within"
    for succession in SUCCESSIONS:
        then = (
            (status != "within")
            & (named == succession.then)
            & (found == succession.today)
            & (dates < np.datetime64(succession.until))
        )
        status[then] = "then"
        for i in np.flatnonzero(then):
            note[i] = (
                f"The file says {succession.then}; the point lies in today's {succession.today}, "
                f"part of {succession.then} on this date ({succession.what})."
            )
    nowhere = np.isin(status, ["outside", "swapped"]) & pd.isna(found) & (km <= NO_COUNTRY_KM)
    status[nowhere] = "nowhere"
    for i in np.flatnonzero(nowhere):
        note[i] = (
            f"The point lies in no country's polygon (a disputed area, or just off the coast), "
            f"{km[i]:.0f} km from {named[i]}, the country the file names."
        )
    return CountryCheck(status=status, km=km, note=note)


def _distances_km(shape, lon: np.ndarray, lat: np.ndarray, code: str) -> np.ndarray:
    """Geodesic km from each point to ``shape`` (0 inside), exact near the tolerance."""
    points = shapely.points(lon, lat)
    inside = shapely.covers(shape, points)
    nearest = shapely.get_coordinates(shapely.get_point(shapely.shortest_line(shape.boundary, points), 0))
    km = np.asarray(borders.distance_km(lon, lat, nearest[:, 0], nearest[:, 1]), dtype=float).reshape(-1)
    km[inside] = 0.0
    # The nearest point in degrees is not quite the nearest on the ellipsoid: where it matters,
    # measure again to the boundary near the point, densified, every vertex on the ellipsoid.
    close = np.flatnonzero(~inside & (km <= 2 * borders.COUNTRY_TOLERANCE_KM))
    for i in close:
        km[i] = _local_distance_km(shape.boundary, float(lon[i]), float(lat[i]), km[i])
    return km


def _local_distance_km(boundary, lon: float, lat: float, upper_km: float) -> float:
    """Geodesic km from a point to the boundary within a box around it that holds its nearest part."""
    # upper_km is reached somewhere, so the nearest boundary point lies within it: a degree of
    # latitude is at least 110 km, of longitude at least 110 km * cos(lat).
    half_lat = upper_km / 110.0 + 0.01
    half_lon = upper_km / (110.0 * max(np.cos(np.radians(lat)), 0.05)) + 0.01
    piece = shapely.clip_by_rect(boundary, lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)
    # Vertices every ~100 m, so that the nearest vertex is within ~50 m of the nearest point.
    vertices = shapely.get_coordinates(shapely.segmentize(piece, 0.001))
    if not len(vertices):
        return upper_km
    metres = borders.distance_km(
        np.full(len(vertices), lon), np.full(len(vertices), lat), vertices[:, 0], vertices[:, 1]
    )
    return float(min(np.min(metres), upper_km))
