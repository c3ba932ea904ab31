"""The map's marks as GeoJSON point features: an event's or a grid cell's style, shape, popup and tooltip.

Plain dicts, no folium: :mod:`geo.mapview` draws them as one GeoJSON layer
whose script styles each mark from its properties. An event's feature
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
from geo.popups import cell_popup_html, popup_html
from geo.style import CELL_COLOUR, DEFAULT_ZOOM, MARK_OUTLINE, PRECISION_DASH, marker_radius, type_colour, type_shape


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


def event_features(
    events: pd.DataFrame, status: Iterable[str], sources: pd.DataFrame, zoom: int = DEFAULT_ZOOM
) -> list[dict]:
    """Return one GeoJSON point feature per event: its mark's style, its popup and its tooltip (all escaped).

    The point is the display position (co-located events spread on a ring,
    see :func:`spread_colocated`); the popup gives the true place.
    """
    shown_lat, shown_lon = spread_colocated(events["latitude"].to_numpy(), events["longitude"].to_numpy(), zoom)
    features = []
    for (_, row), state, lat, lon in zip(events.iterrows(), status, shown_lat, shown_lon, strict=True):
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
