"""The map's marks as GeoJSON features: an event's, a grid cell's, a movement's or a base's style, popup and tooltip.

Plain dicts, no folium: :mod:`geo.mapview` draws each group as one GeoJSON
layer whose script styles each mark from its properties (one layer costs
folium one template, where one PolyLine, Rectangle, Popup and Tooltip each
cost one apiece on every run). An event's feature
carries what the in-map time control (:mod:`geo.playback`) and the map's
aids (:mod:`geo.map_aids`) read: its day numbers, shape, count and place.
Co-located events are spread on a small ring (:func:`spread_colocated`) so
that each can be clicked; the popup gives the true place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.escaping import html_text as esc
from geo.popups import base_popup_html, cell_popup_html, movement_popup_html, popup_html
from geo.style import (
    BASE_COLOURS,
    CELL_COLOUR,
    DEFAULT_ZOOM,
    MARK_OUTLINE,
    MOVEMENT_COLOURS,
    PRECISION_DASH,
    marker_radius,
    type_colour,
    type_shape,
)


def spread_colocated(
    lat: np.ndarray, lon: np.ndarray, zoom: int = DEFAULT_ZOOM, ring_px: float = 14.0
) -> tuple[np.ndarray, np.ndarray]:
    """Return display positions where marks sharing a point are set on a small ring around it.

    Several events happen at one place (eight in Bamako); drawn on the same
    spot only the top one could be clicked. The ring is ``ring_px`` screen
    pixels wide at ``zoom`` (wider for big groups), so it reads the same at
    any zoom; popups and exports give the true coordinates.
    """
    lat, lon = np.asarray(lat, dtype=float).copy(), np.asarray(lon, dtype=float).copy()
    degrees_per_px = 360.0 / (256.0 * 2.0 ** int(zoom))
    keys = pd.Series(list(zip(np.round(lat, 5), np.round(lon, 5), strict=True)))
    for _, index in keys.groupby(keys).groups.items():
        if len(index) < 2:
            continue
        angles = 2 * np.pi * np.arange(len(index)) / len(index)
        radius_deg = degrees_per_px * max(ring_px, 2.2 * len(index))
        lat[index] += radius_deg * np.cos(angles)
        lon[index] += radius_deg * np.sin(angles) / max(np.cos(np.radians(lat[index[0]])), 0.2)
    return lat, lon


def _point_feature(
    lat: float, lon: float, style: dict, popup: str, tooltip: str, popup_width: int, **properties
) -> dict:
    """Return one mark as a GeoJSON feature; ``properties`` adds what the map's aids read (name, count, place)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]},
        "properties": {"style": style, "popup": popup, "tooltip": tooltip, "popup_width": popup_width, **properties},
    }


def _plain_records(frame: pd.DataFrame) -> list[dict]:
    """Return what ``frame.to_dict("records")`` does, a column at a time and reading only the rows' categories.

    pandas converts every category of a categorical to a Python object before
    it picks the rows' (a few hundred marks of a million events would convert
    every distinct search text), and walks Arrow text a cell at a time.
    """
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*(_plain(frame[n]) for n in names), strict=True)]


def _plain(values: pd.Series) -> list:
    """Return a column's cells as ``to_dict`` gives them: Python scalars, NaN for a missing category, None for NA."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        plain = np.full(len(codes), np.nan, dtype=object)
        present = codes >= 0
        plain[present] = values.cat.categories.take(codes[present]).to_numpy(dtype=object)
        return plain.tolist()
    if isinstance(values.dtype, pd.api.extensions.ExtensionDtype) and values.dtype.kind not in "mM":
        # to_dict gives None for pd.NA (nullable integers, Arrow text) but keeps NaN where the dtype's
        # own missing value is NaN (pandas' "str" dtype).
        missing = values.dtype.na_value
        na_value = missing if isinstance(missing, float) and math.isnan(missing) else None
        return values.to_numpy(dtype=object, na_value=na_value).tolist()
    return values.to_numpy(dtype=object).tolist()


def event_features(
    events: pd.DataFrame, status: Iterable[str], sources: pd.DataFrame, zoom: int = DEFAULT_ZOOM
) -> list[dict]:
    """Return one GeoJSON point feature per event: its mark's style, its popup and its tooltip (all escaped).

    The point is the display position (co-located events spread on a ring,
    see :func:`spread_colocated`); the popup gives the true place.
    """
    shown_lat, shown_lon = spread_colocated(events["latitude"].to_numpy(), events["longitude"].to_numpy(), zoom)
    features = []
    # Plain dicts: a row as a Series (iterrows) and its lookups were half of the marks' time.
    rows = _plain_records(events.drop(columns=[events.geometry.name] if isinstance(events, gpd.GeoDataFrame) else []))
    for row, state, lat, lon in zip(rows, status, shown_lat, shown_lon, strict=True):
        faded = state == "earlier"
        style = {
            "radius": round(marker_radius(row["fatalities"]), 2),
            "color": MARK_OUTLINE,
            "weight": 2,
            "dashArray": PRECISION_DASH.get(row["date_precision"]),
            "opacity": 0.35 if faded else 0.95,
            "fill": True,
            "fillColor": type_colour(row["event_type"]),
            "fillOpacity": 0.25 if faded else 0.85,
            "className": f"event-mark event-{esc(row['event_type'])}",
        }
        tooltip = f"{esc(row['title'])} ({esc(row['date_label'])})"
        feature = _point_feature(lat, lon, style, popup_html(row, sources), tooltip, 340, aria_name=tooltip,
                                 shape=type_shape(row["event_type"]), count=1, place=esc(row["location"]))  # fmt: skip
        # Day numbers (days since 1970-01-01) of the event's period: the in-map time
        # control (geo.playback) shows and fades marks by them as its date moves.
        feature["properties"].update(day=_day_number(row["start"]), end_day=_day_number(row["end"]))
        features.append(feature)
    return features


def _day_number(value) -> int | None:
    """Return a date as whole days since 1970-01-01 (None when missing)."""
    if value is None or pd.isna(value):
        return None
    return int((pd.Timestamp(value).normalize() - pd.Timestamp("1970-01-01")).days)


def cell_features(cells: gpd.GeoDataFrame) -> list[dict]:
    """Return one GeoJSON point feature per grid cell, sized and shaded by its number of events."""
    biggest = float(cells["events"].max())
    features = []
    for cell in cells.itertuples(index=False):
        share = math.sqrt(cell.events / biggest)
        events, fatalities = int(cell.events), int(cell.fatalities)
        style = {
            "radius": round(6 + 20 * share, 1), "color": "#333333", "weight": 1, "fill": True,
            "fillColor": CELL_COLOUR, "fillOpacity": round(0.35 + 0.5 * share, 3), "className": "aggregate-mark",
        }  # fmt: skip
        popup = cell_popup_html(cell)
        summary = f"{events:,} events, {fatalities:,} fatalities"
        features.append(_point_feature(cell.latitude, cell.longitude, style, popup, summary, 260,
                                       aria_name=f"Grid cell: {summary}", count=events))  # fmt: skip
    return features


def _path_feature(geometry: dict, style: dict, tooltip: str | None = None, popup: str | None = None,
                  popup_width: int = 340) -> dict:  # fmt: skip
    """Return a line or area as a GeoJSON feature; its tooltip follows the pointer, as a long line's should."""
    properties: dict = {"style": style}
    if tooltip is not None:
        properties.update(tooltip=tooltip, tooltip_sticky=True)
    if popup is not None:
        properties.update(popup=popup, popup_width=popup_width)
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _line(coords) -> dict:
    """Return (lon, lat) pairs as a GeoJSON LineString, rounded as the marks are."""
    return {"type": "LineString", "coordinates": [[round(float(x), 6), round(float(y), 6)] for x, y in coords]}


def _arrowheads(coords: list[tuple[float, float]], style: dict, every: int) -> list[dict]:
    """Return small chevrons (lines) pointing along the (lon, lat) line, so direction reads without plugins."""
    chevrons = []
    size = 0.18
    for i in range(every, len(coords), every):
        (lon1, lat1), (lon2, lat2) = coords[i - 1], coords[i]
        angle = math.atan2(lat2 - lat1, lon2 - lon1)
        left = (lon2 - size * math.cos(angle - 0.5), lat2 - size * math.sin(angle - 0.5))
        right = (lon2 - size * math.cos(angle + 0.5), lat2 - size * math.sin(angle + 0.5))
        chevrons.append(_path_feature(_line([left, (lon2, lat2), right]), style))
    return chevrons


def movement_features(moves: gpd.GeoDataFrame, sources: pd.DataFrame) -> list[dict]:
    """Return the features of the troop movements under way or done (:func:`geo.movements.movements_at`).

    Each movement: its whole route (dashed), the part travelled (with the
    popup) and chevrons along it, and while under way the force's position.
    Planned movements are not drawn. All text is escaped.
    """
    features = []
    for _, move in moves.iterrows():
        if move["state"] == "planned":
            continue
        colour = MOVEMENT_COLOURS[move["state"]]
        tooltip = (f"{esc(move['title'])}: {esc(move['state'])}, {move['fraction']:.0%} of "
                   f"{move['length_km']:.0f} km ({esc(move['date_label'])})")  # fmt: skip
        popup = movement_popup_html(move, sources)
        features.append(_path_feature(_line(move.geometry.coords), tooltip=tooltip, style={
            "color": colour, "weight": 2, "opacity": 0.5, "dashArray": "4 6", "className": "movement-route"}))  # fmt: skip
        travelled = move["travelled"]
        if travelled is not None:
            done = list(travelled.coords)
            features.append(_path_feature(_line(done), tooltip=tooltip, popup=popup, style={
                "color": colour, "weight": 5, "opacity": 0.9, "className": "movement-travelled"}))  # fmt: skip
            arrow = {"color": colour, "weight": 3, "opacity": 0.9, "className": "movement-arrow"}
            features.extend(_arrowheads(done, arrow, every=max(len(done) // 4, 2)))
        if move["state"] == "under way":
            position = move["position"]
            style = {"radius": 8, "color": "#FFFFFF", "weight": 3, "fill": True, "fillColor": colour,
                     "fillOpacity": 1.0, "className": "movement-position"}  # fmt: skip
            features.append(_point_feature(position.y, position.x, style, popup, tooltip, 340))
    return features


def base_features(bases: gpd.GeoDataFrame, half_side: float = 0.12) -> list[dict]:
    """Return each base (:func:`geo.bases.base_status`) as a square ``2 * half_side`` degrees wide, filled while in use."""
    features = []
    for _, base in bases.iterrows():
        in_use = base["status"] == "in use"
        colour = BASE_COLOURS[base["status"]]
        lat, lon = float(base["latitude"]), float(base["longitude"])
        west, east, south, north = lon - half_side, lon + half_side, lat - half_side, lat + half_side
        square = {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in (
            (west, south), (east, south), (east, north), (west, north), (west, south))]]}  # fmt: skip
        style = {"color": colour, "weight": 3, "fill": bool(in_use), "fillColor": colour,
                 "fillOpacity": 0.6 if in_use else 0.0,
                 "className": f"base-mark base-{'in-use' if in_use else 'handed-over'}"}  # fmt: skip
        features.append(_path_feature(square, style, tooltip=f"{esc(base['name'])} ({esc(base['operator'])}): "
                                      f"{esc(base['status'])}", popup=base_popup_html(base), popup_width=300))  # fmt: skip
    return features
