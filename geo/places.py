"""How far: the gazetteer with distances to the Mali–Niger border and to Bamako, and the troop movements' routes.

Every distance is geodesic on the WGS84 ellipsoid (:mod:`geo.borders`), in km.
A place's distance to the border is to the nearest point of the Natural Earth
Mali–Niger border line; the distance between two places is along the
ellipsoid, not along a road.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import borders, gazetteer, movements
from geo.events import format_date, route_stops

#: The place every other place is measured from, besides the border.
REFERENCE_PLACE = "Bamako"


def distance_between(a: str, b: str) -> float:
    """Return the geodesic distance in km between two gazetteer places (names or aliases).

    Raises
    ------
    gazetteer.UnknownPlace
        If either name is not in the gazetteer.
    """
    lon_a, lat_a = gazetteer.place_lonlat(a)
    lon_b, lat_b = gazetteer.place_lonlat(b)
    return float(borders.distance_km(lon_a, lat_a, lon_b, lat_b))


def place_distances(places: pd.DataFrame) -> pd.DataFrame:
    """Return each place's geodesic distance in km to the Mali–Niger border and to Bamako.

    Columns: ``place``, ``km_to_border``, ``km_to_bamako``. This is the slow
    part of :func:`place_table` (one projection per place), and it does not
    depend on the events, so a page may compute it once.
    """
    border = borders.mali_niger_border()
    ref_lon, ref_lat = gazetteer.place_lonlat(REFERENCE_PLACE)
    lon = places["longitude"].to_numpy(dtype=float)
    lat = places["latitude"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "place": places["name"].to_numpy(),
            "km_to_border": [borders.distance_to_geometry_km(x, y, border) for x, y in zip(lon, lat, strict=True)],
            "km_to_bamako": borders.distance_km(np.full_like(lon, ref_lon), np.full_like(lat, ref_lat), lon, lat),
        }
    )


def place_table(
    places: pd.DataFrame,
    events: pd.DataFrame,
    country_names: dict[str, str] | None = None,
    distances: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the gazetteer with each place's country, distances and the events there.

    Parameters
    ----------
    places
        The gazetteer (:func:`geo.gazetteer.load_gazetteer`).
    events
        The events to count at each place (usually the ones in view); an event
        is at a place when its ``location`` is the place's name.
    country_names
        ISO alpha-3 → name, for the ``country`` column (default: the codes).
    distances
        :func:`place_distances` of ``places``, if already computed.

    Returns
    -------
    DataFrame
        ``place``, ``kind``, ``country``, ``iso3``, ``latitude``,
        ``longitude``, ``km_to_border`` (Mali–Niger), ``km_to_bamako``,
        ``events`` (count), ``event_titles``, ``on_routes`` (movements whose
        route passes through it), ``basis`` and ``note``.
    """
    names = country_names or {}
    distances = (place_distances(places) if distances is None else distances).set_index("place")
    located = events["location"].astype(str) if len(events) else pd.Series([], dtype=str)
    moves = events[events["event_type"] == "troop_movement"] if len(events) else events
    rows = []
    for _, place in places.iterrows():
        here = events[(located == place["name"]).to_numpy()] if len(events) else events
        routes = [m["title"] for _, m in moves.iterrows() if place["name"] in route_stops(m["route"])]
        rows.append(
            {
                "place": place["name"],
                "kind": place["kind"].replace("_", " "),
                "country": names.get(place["country"], place["country"]),
                "iso3": place["country"],
                "latitude": round(float(place["latitude"]), 5),
                "longitude": round(float(place["longitude"]), 5),
                "km_to_border": float(distances.loc[place["name"], "km_to_border"]),
                "km_to_bamako": float(distances.loc[place["name"], "km_to_bamako"]),
                "events": len(here),
                "event_titles": "; ".join(here["title"].astype(str)) if len(here) else "",
                "on_routes": "; ".join(routes),
                "basis": place["basis"],
                "note": place["note"],
            }
        )
    return pd.DataFrame(rows)


def movement_table(events: pd.DataFrame) -> pd.DataFrame:
    """Return each troop movement with its route, legs, length and duration.

    ``length_km`` is the sum of the geodesic legs between consecutive stops.
    ``days`` is the time elapsed from the first day of the start's period to
    the last day of the end's period; when either date is known only to the
    month or year, that is the longest the movement can have taken, and
    ``dates_known`` says so.

    Columns: ``title``, ``route``, ``legs`` ('Gao → Ansongo 95 km; …'),
    ``length_km``, ``from``, ``to``, ``days``, ``dates_known``, ``event_id``.
    """
    columns = ["title", "route", "legs", "length_km", "from", "to", "days", "dates_known", "event_id"]
    moves = events[events["event_type"] == "troop_movement"] if len(events) else events
    rows = []
    for _, move in moves.iterrows():
        stops = route_stops(move["route"])
        lengths = movements.leg_lengths_km(movements.route_points(move["route"]))
        legs = "; ".join(f"{a} → {b} {km:.0f} km" for a, b, km in zip(stops[:-1], stops[1:], lengths, strict=True))
        end_precision = move["end_precision"] if pd.notna(move["end_date"]) else move["date_precision"]
        precisions = {move["date_precision"], end_precision}
        rows.append(
            {
                "title": move["title"],
                "route": " → ".join(stops),
                "legs": legs,
                "length_km": float(lengths.sum()),
                "from": format_date(move["start"], move["date_precision"]),
                "to": format_date(move["end_date"] if pd.notna(move["end_date"]) else move["end"], end_precision),
                "days": int((pd.Timestamp(move["end"]) - pd.Timestamp(move["start"])).days),
                "dates_known": "to the day"
                if precisions == {"day"}
                else "at most this long (dates not known to the day)",
                "event_id": move["event_id"],
            }
        )
    return pd.DataFrame(rows, columns=columns)
