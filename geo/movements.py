"""Troop movements along their routes: geometry, length, and where the force is on a date.

A movement's route is its ordered stops (gazetteer places). Each leg is a
geodesic on the WGS84 ellipsoid; lengths are geodesic and a route's length is
the sum of its legs. The position on a date is interpolated linearly in time
between the first day of the start period and the last day of the end period,
and placed along the route by geodesic distance.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from geo import borders, gazetteer
from geo.events import route_stops

#: Points per leg when a leg is drawn: enough for a smooth geodesic at Sahel scale.
LEG_POINTS = 16


# A route's stops, line and length are fixed by its text and the gazetteer (fixed for the
# process): they are worked out once per route, not on every slider move.
@lru_cache(maxsize=256)
def _route_points(route: str) -> tuple[tuple[float, float], ...]:
    return tuple(gazetteer.place_lonlat(stop) for stop in route_stops(route))


def route_points(route: str) -> list[tuple[float, float]]:
    """Return the (lon, lat) of each stop of a ``route`` cell."""
    return list(_route_points(route))


def leg_lengths_km(points: list[tuple[float, float]]) -> np.ndarray:
    """Return the geodesic length in km of each leg between consecutive points."""
    if len(points) < 2:
        return np.zeros(0)
    lon, lat = np.array(points).T
    return np.asarray(borders.distance_km(lon[:-1], lat[:-1], lon[1:], lat[1:]), dtype=float).reshape(-1)


@lru_cache(maxsize=256)
def route_length_km(route: str) -> float:
    """Return the geodesic length of a route in km: the sum of its legs."""
    return float(leg_lengths_km(route_points(route)).sum())


def _along(points: list[tuple[float, float]], km: float) -> tuple[float, float]:
    """Return the point ``km`` along the route, following each leg's geodesic."""
    lengths = leg_lengths_km(points)
    remaining = km
    for (lon1, lat1), (lon2, lat2), length in zip(points[:-1], points[1:], lengths, strict=True):
        if remaining <= length or length == 0:
            azimuth, _, _ = borders.GEOD.inv(lon1, lat1, lon2, lat2)
            lon, lat, _ = borders.GEOD.fwd(lon1, lat1, azimuth, max(remaining, 0.0) * 1000.0)
            return float(lon), float(lat)
        remaining -= length
    return points[-1]


@lru_cache(maxsize=256)
def route_line(route: str) -> LineString:
    """Return the route as a line (EPSG:4326) that follows each leg's geodesic (shapely lines are immutable)."""
    points = route_points(route)
    coords: list[tuple[float, float]] = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        inner = borders.GEOD.npts(lon1, lat1, lon2, lat2, LEG_POINTS)
        coords.extend([(lon1, lat1), *inner])
    coords.append(points[-1])
    return LineString(coords)


def progress(start: pd.Timestamp, end: pd.Timestamp, when: pd.Timestamp) -> tuple[str, float]:
    """Return ('planned' | 'under way' | 'done', fraction of the time elapsed in 0..1)."""
    when = pd.Timestamp(when)
    if when < start:
        return "planned", 0.0
    if when >= end:
        return "done", 1.0
    total = (end - start).total_seconds()
    return "under way", float((when - start).total_seconds() / total) if total > 0 else 1.0


def position_at(route: str, start: pd.Timestamp, end: pd.Timestamp, when: pd.Timestamp) -> tuple[str, float, Point]:
    """Return the state, the fraction done and where along the route the force is on ``when``."""
    state, fraction = progress(start, end, when)
    points = route_points(route)
    km = fraction * route_length_km(route)
    return state, fraction, Point(_along(points, km))


def travelled_line(route: str, fraction: float) -> LineString | None:
    """Return the part of the route covered by ``fraction`` (None before the start)."""
    if fraction <= 0:
        return None
    points = route_points(route)
    lengths = leg_lengths_km(points)
    target = fraction * float(lengths.sum())
    coords = [points[0]]
    covered = 0.0
    for point, length in zip(points[1:], lengths, strict=True):
        if covered + length <= target:
            coords.append(point)
            covered += length
            continue
        coords.append(_along(points, target))
        break
    if len(coords) < 2:
        coords.append(_along(points, target))
    return LineString(coords)


def movements_at(events: pd.DataFrame, when: pd.Timestamp) -> gpd.GeoDataFrame:
    """Return one row per troop movement with its route, state and position on ``when``.

    Columns: the event's own columns plus ``state`` ('planned', 'under way',
    'done'), ``fraction``, ``length_km``, ``days``, ``position`` (Point) and
    ``travelled`` (LineString or None); the geometry is the whole route.
    """
    moves = events[(events["event_type"] == "troop_movement").to_numpy()]
    table = pd.DataFrame(moves.drop(columns="geometry")).reset_index(drop=True)
    routes = [str(route) for route in table["route"]]
    starts, ends = pd.to_datetime(table["start"]), pd.to_datetime(table["end"])
    placed = [position_at(route, start, end, when) for route, start, end in zip(routes, starts, ends, strict=True)]
    table["state"] = pd.Series([state for state, _, _ in placed], dtype=object)
    table["fraction"] = pd.Series([fraction for _, fraction, _ in placed], dtype=float)
    table["length_km"] = pd.Series([route_length_km(route) for route in routes], dtype=float)
    table["days"] = pd.Series([int((end - start).days) + 1 for start, end in zip(starts, ends, strict=True)],
                              dtype="int64")  # fmt: skip
    table["position"] = pd.Series([position for _, _, position in placed], dtype=object)
    table["travelled"] = pd.Series([travelled_line(route, fraction) for route, (_, fraction, _) in
                                    zip(routes, placed, strict=True)], dtype=object)  # fmt: skip
    return gpd.GeoDataFrame(table, geometry=[route_line(route) for route in routes], crs=borders.WGS84)
