"""Snapshots of a view: static maps (PNG, SVG, PDF), a self-contained HTML map, data with a manifest, a GIF.

Every export is a pure function of (events, sources, bases, :class:`~geo.filters.View`,
:class:`SnapshotOptions`) returning bytes, and the same inputs give the same
bytes: no timestamps, no random ids, fixed fonts and DPI. The dashboard's
download buttons (``geo/ui.py``) and the command line (``python -m geo.snapshot``)
both call :func:`export_bytes`, so a file from one can be diffed against the other.

Static maps are drawn with geopandas and matplotlib, no browser: the map is an
azimuthal equidistant projection centred on the view (distances from the
centre are true), and the scale bar's ends are placed with pyproj's ``Geod``
so its length is geodesic wherever it sits. Marks use the dashboard's colours
(:data:`geo.mapview.TYPE_COLOURS`), sizes (:func:`geo.mapview.marker_radius`,
CSS pixels drawn as 0.75 pt so they keep their size at any DPI) and outlines
(solid, dashed, dotted for a day, month or year).

The HTML export is :func:`geo.mapview.build_map` with Leaflet and jQuery
inlined from ``geo/assets/`` (see its README), so it opens offline by
double-click. CSV and GeoJSON hold the events in view; the manifest records
what produced them. CSV cells a spreadsheet would run as formulas are
prefixed with a single quote.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
import threading
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import box

from geo import aggregate, borders, filters, mapview
from geo.errors import DataError
from geo.events import (
    COLUMNS,
    EVENT_TYPES,
    EVENTS_CSV,
    OPTIONAL_EXTRA,
    ROOT,
    format_date,
    load_events,
    load_sources,
    source_list,
)
from geo.movements import movements_at

FORMATS = ("png", "svg", "pdf", "html", "csv", "geojson", "manifest", "zip", "gif")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "manifest": "application/json",
    "zip": "application/zip",
    "gif": "image/gif",
}
EXTENSIONS = {"manifest": "manifest.json"}
TITLE = "France's withdrawal from Mali, 2022"
ASSETS = Path(__file__).resolve().parent / "assets"

#: Figure size (inches), and where the map and the legend sit in it (left, bottom, width, height).
FIGSIZE = (12.0, 8.0)
MAP_BOX = (0.3, 0.95, 8.9, 5.85)
LEGEND_BOX = (9.4, 0.95, 2.4, 5.85)
#: The scale bar's strip beneath the map: (bottom, height) in inches.
SCALE_BOX = (0.5, 0.4)
#: Height in CSS pixels of the dashboard's map: a zoom level covers this much ground.
LEAFLET_HEIGHT_PX = 620
#: Metres per pixel at zoom 0 on the equator, in Leaflet's Web Mercator tiles.
ZOOM0_M_PER_PX = 156543.03392804097
#: A CSS pixel is 1/96 inch, a point 1/72: marks keep the dashboard's physical size.
PT_PER_PX = 0.75
NUMERIC_COLUMNS = frozenset(
    {"latitude", "longitude", "fatalities", "troops", "record_latitude", "record_longitude", "record_fatalities"}
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
OUTLINE_DASH = {"day": "solid", "month": (0, (3.0, 1.6)), "year": (0, (0.8, 1.6))}

# matplotlib settings read at draw and save time; applied with rc_context under
# a lock, never set globally (Streamlit serves sessions from several threads).
_STYLE = {
    "font.family": "DejaVu Sans",  # shipped inside matplotlib: the same glyphs everywhere
    "svg.hashsalt": "sahel-withdrawal-snapshot",
    "svg.id": "sahel-map",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "lines.scale_dashes": True,
    "path.simplify": True,
    "axes.unicode_minus": False,
}
_RENDER_LOCK = threading.Lock()

Progress = Callable[[int, int], None]


class SnapshotError(ValueError):
    """A request that cannot be exported (an empty range, too many frames); the message says why."""


@dataclass(frozen=True)
class SnapshotOptions:
    """How to export, beyond the view itself.

    Parameters
    ----------
    dpi
        Resolution of PNG (and of raster parts of PDF/SVG); 300 for print.
    show_earlier
        In 'window' mode, draw the events that ended before the window, faded (as the dashboard's checkbox).
    data_name, data_sha256
        The events file the data came from: its name (no folders, so manifests match across machines) and
        the SHA-256 of its bytes. :func:`options_for_file` fills both.
    step_days
        Animation: days between frames; ``None`` steps from one event date to the next, as the Play button does.
    frame_ms, frame_dpi, max_frames
        Animation: time per frame, resolution of frames, and a limit that refuses runaway ranges.
    """

    dpi: int = 100
    show_earlier: bool = True
    data_name: str = EVENTS_CSV.name
    data_sha256: str = ""
    step_days: int | None = None
    frame_ms: int = 900
    frame_dpi: int = 80
    max_frames: int = 240


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def options_for_file(path: str | Path = EVENTS_CSV, **changes) -> SnapshotOptions:
    """Return options that name the events file at ``path`` and carry its SHA-256."""
    path = Path(path)
    return SnapshotOptions(data_name=path.name, data_sha256=sha256_bytes(path.read_bytes()), **changes)


@lru_cache(maxsize=1)
def app_version() -> tuple[str, str]:
    """Return (name, version) from ``pyproject.toml``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def _software() -> str:
    name, version = app_version()
    return f"{name} {version}"


# --------------------------------------------------------------------------- the view


def canonical_view(view: filters.View) -> filters.View:
    """Return the view with fields that do not change what it shows normalised (window mode ignores ``as_of``)."""
    if view.mode == "window":
        first, last = view.window
        return view.with_changes(as_of=last.date(), date_from=first.date(), date_to=last.date())
    return view.with_changes(date_from=None, date_to=None)


def view_key(view: filters.View) -> str:
    """Return a string that identifies everything an export depends on in ``view`` (a cache key)."""
    view = canonical_view(view)
    return json.dumps(
        {**view.to_params(), "center": view.center, "zoom": view.zoom}, sort_keys=True, separators=(",", ":")
    )


def basename(view: filters.View) -> str:
    """Return the file name stem of an export: 'sahel-2022-08-15' or 'sahel-2022-06-01_2022-07-31'."""
    first, last = view.window
    if view.mode == "window":
        return f"sahel-{first.date().isoformat()}_{last.date().isoformat()}"
    return f"sahel-{last.date().isoformat()}"


def export_filename(fmt: str, view: filters.View) -> str:
    """Return the file name of an export of ``view`` in format ``fmt``."""
    _check_format(fmt)
    return f"{basename(view)}.{EXTENSIONS.get(fmt, fmt)}"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise SnapshotError(f"{fmt!r} is not an export format; expected one of {', '.join(FORMATS)}")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    countries = borders.load_countries()
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def period_text(view: filters.View) -> str:
    """Return 'Events up to 15 August 2022' or 'Events from 1 June 2022 to 31 July 2022'."""
    first, last = view.window
    if view.mode == "window":
        return f"Events from {format_date(first, 'day')} to {format_date(last, 'day')}"
    return f"Events up to {format_date(last, 'day')}"


def filters_text(view: filters.View) -> str:
    """Return the filters in words: 'Mali (MLI), Niger (NER) · attack, coup · search “Gao”'."""
    names = _country_names()
    countries = ", ".join(f"{names.get(c, c)} ({c})" for c in view.countries) or "All countries"
    types = ", ".join(t.replace("_", " ") for t in view.types) or "all event types"
    parts = [countries, types]
    if view.text:
        parts.append(f"search “{view.text}”")
    return " · ".join(parts)


# --------------------------------------------------------------------------- the map frame


@dataclass(frozen=True)
class MapFrame:
    """The ground a static map covers: an azimuthal equidistant projection and the axes' limits in metres."""

    lat0: float
    lon0: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    @property
    def crs(self) -> str:
        """Return the projection as a PROJ string (centred on the view, metres)."""
        return f"+proj=aeqd +lat_0={self.lat0:.4f} +lon_0={self.lon0:.4f} +datum=WGS84 +units=m +no_defs"

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Return projected (x, y) in metres for longitudes and latitudes."""
        x, y = _transformer(self.crs, forward=True).transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def unproject(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Return (lon, lat) for projected coordinates."""
        lon, lat = _transformer(self.crs, forward=False).transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    @property
    def metres_per_point(self) -> float:
        """Return the ground metres one typographic point covers on the map."""
        return (self.xlim[1] - self.xlim[0]) / (MAP_BOX[2] * 72.0)

    def pixel(self, lon, lat, dpi: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (column, row) of points in a PNG of ``dpi``, origin at the top left, as the renderer draws them."""
        x, y = self.project(lon, lat)
        fx = (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0])
        fy = (y - self.ylim[0]) / (self.ylim[1] - self.ylim[0])
        column = (MAP_BOX[0] + fx * MAP_BOX[2]) * dpi
        row = (FIGSIZE[1] - (MAP_BOX[1] + fy * MAP_BOX[3])) * dpi
        return column, row


@lru_cache(maxsize=64)
def _transformer(crs: str, *, forward: bool) -> Transformer:
    return (
        Transformer.from_crs(borders.WGS84, crs, always_xy=True)
        if forward
        else Transformer.from_crs(crs, borders.WGS84, always_xy=True)
    )


def _fit(lat0: float, lon0: float, cx: float, cy: float, width: float, height: float) -> MapFrame:
    aspect = MAP_BOX[2] / MAP_BOX[3]
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    return MapFrame(lat0, lon0, (cx - width / 2, cx + width / 2), (cy - height / 2, cy + height / 2))


def frame_at(center: tuple[float, float], zoom: float) -> MapFrame:
    """Return the frame that shows the ground of the dashboard's map at ``center`` (lat, lon) and ``zoom``."""
    lat, lon = round(float(center[0]), 4), round(float(center[1]), 4)
    height = LEAFLET_HEIGHT_PX * ZOOM0_M_PER_PX * math.cos(math.radians(lat)) / 2.0 ** float(zoom)
    return _fit(lat, lon, 0.0, 0.0, height * MAP_BOX[2] / MAP_BOX[3], height)


def frame_around(lon: np.ndarray, lat: np.ndarray, *, margin: float = 0.1, min_km: float = 400.0) -> MapFrame:
    """Return a frame around points (lon, lat arrays) with a margin on each side and a minimum size."""
    lat0 = round(float((np.min(lat) + np.max(lat)) / 2), 4)
    lon0 = round(float((np.min(lon) + np.max(lon)) / 2), 4)
    probe = MapFrame(lat0, lon0, (0.0, 1.0), (0.0, 1.0))
    x, y = probe.project(lon, lat)
    cx, cy = float((x.min() + x.max()) / 2), float((y.min() + y.max()) / 2)
    width, height = float(np.ptp(x)), float(np.ptp(y))
    pad = margin * max(width, height)
    first = _fit(lat0, lon0, cx, cy, max(width + 2 * pad, min_km * 1000), max(height + 2 * pad, min_km * 1000))
    # Marks are sized in points: leave room for the biggest (and its label) beyond the points themselves.
    room = 2 * 36.0 * first.metres_per_point
    return _fit(lat0, lon0, cx, cy, np.ptp(first.xlim) + room, np.ptp(first.ylim) + room)


def view_frame(view: filters.View, shown: pd.DataFrame, moves: gpd.GeoDataFrame, bases: gpd.GeoDataFrame) -> MapFrame:
    """Return the view's extent: its map centre and zoom if set, else the marks in view with a margin, else the Sahel.

    Also used as the extent of every frame of an animation, so that marks do not jump.
    """
    if view.center is not None:
        return frame_at(view.center, view.zoom if view.zoom is not None else mapview.DEFAULT_ZOOM)
    lon = [shown["longitude"].to_numpy(float)] if len(shown) else []
    lat = [shown["latitude"].to_numpy(float)] if len(shown) else []
    if len(shown):
        for _, move in moves[moves["state"] != "planned"].iterrows():
            coords = np.asarray(move.geometry.coords)
            lon.append(coords[:, 0])
            lat.append(coords[:, 1])
        if len(bases):
            lon.append(bases["longitude"].to_numpy(float))
            lat.append(bases["latitude"].to_numpy(float))
    if not lon:
        return frame_at(mapview.DEFAULT_CENTER, mapview.DEFAULT_ZOOM)
    return frame_around(np.concatenate(lon), np.concatenate(lat))


# --------------------------------------------------------------------------- the scene


@dataclass
class Scene:
    """Everything a map export draws for one view, computed once."""

    view: filters.View
    in_view: gpd.GeoDataFrame
    shown: gpd.GeoDataFrame
    status: np.ndarray
    moves: gpd.GeoDataFrame
    bases: gpd.GeoDataFrame
    frame: MapFrame
    period: str
    filters: str
    counts: str
    article_ids: list[str]
    datasets: list[str]

    @property
    def attribution(self) -> list[str]:
        """Return the attribution lines: data sources, the articles used, projection and software."""
        articles = ", ".join(self.article_ids) if self.article_ids else "none in view"
        first = (
            "Countries: Natural Earth 1:10m (public domain). Places: GeoNames (CC BY 4.0, geonames.org). "
            f"Articles: {articles} (sources.csv)."
        )
        if self.datasets:
            first += f" Imported data: {', '.join(self.datasets)}."
        f = self.frame
        centre = f"{abs(f.lat0):.2f}°{'N' if f.lat0 >= 0 else 'S'}, {abs(f.lon0):.2f}°{'E' if f.lon0 >= 0 else 'W'}"
        second = (
            f"Azimuthal equidistant projection centred on {centre}; scale bar measured on the WGS84 ellipsoid. "
            f"Made with {_software()}."
        )
        return [first, second]


def _used_sources(events: pd.DataFrame, sources: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return (article ids from sources.csv, other source names such as imported datasets) cited by ``events``."""
    known = set(sources["source_id"])
    cited = {s for cell in events["sources"] for s in source_list(cell)}
    return sorted(cited & known), sorted(cited - known)


def build_scene(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions,
    *,
    frame: MapFrame | None = None,
) -> Scene:
    """Return what the dashboard would draw for ``view``: the same filters, movements and bases as ``dashboard.py``."""
    from geo.bases import base_status

    view = canonical_view(view)
    in_view = filters.filter_events(events, view)
    shown, status = filters.events_with_status(events, view, show_earlier=options.show_earlier)
    moves = movements_at(filters.filter_events(events, view.with_changes(text="", types=())), view.reference_date)
    bases_now = base_status(bases, view.reference_date)
    counts = filters.summary_counts(in_view)
    under_way = int((moves["state"] == "under way").sum()) if len(moves) else 0
    counts_text = (
        f"{counts['events']:,} events in view, {counts['fatalities']:,} fatalities reported, "
        f"{counts['unknown_toll']:,} with unknown toll, {under_way} movement{'s' if under_way != 1 else ''} under way"
    )
    article_ids, datasets = _used_sources(shown, sources)
    return Scene(
        view=view,
        in_view=in_view,
        shown=shown,
        status=np.asarray(status),
        moves=moves,
        bases=bases_now,
        frame=frame or view_frame(view, shown, moves, bases_now),
        period=period_text(view),
        filters=filters_text(view),
        counts=counts_text,
        article_ids=article_ids,
        datasets=datasets,
    )


# --------------------------------------------------------------------------- static maps


@lru_cache(maxsize=16)
def _countries_in(frame: MapFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Return the countries that the frame shows, clipped, projected and simplified to ``tolerance_m``."""
    (x0, x1), (y0, y1) = frame.xlim, frame.ylim
    edge = np.linspace(0.0, 1.0, 41)
    xs = np.concatenate([x0 + (x1 - x0) * edge, np.full(41, x1), x0 + (x1 - x0) * edge, np.full(41, x0)])
    ys = np.concatenate([np.full(41, y0), y0 + (y1 - y0) * edge, np.full(41, y1), y0 + (y1 - y0) * edge])
    lon, lat = frame.unproject(xs, ys)
    pad = 2.0
    area = box(
        max(float(np.nanmin(lon)) - pad, -180.0), max(float(np.nanmin(lat)) - pad, -89.0),
        min(float(np.nanmax(lon)) + pad, 180.0), min(float(np.nanmax(lat)) + pad, 89.0),
    )  # fmt: skip
    countries = borders.load_countries()
    countries = countries[countries.intersects(area)]
    clipped = gpd.clip(countries, area).sort_values("iso3", kind="stable")
    projected = clipped.to_crs(frame.crs)
    projected["geometry"] = projected.geometry.simplify(tolerance_m, preserve_topology=True)
    return projected[~projected.geometry.is_empty].reset_index(drop=True)


def faded_colour(colour: str, share: float = 0.6) -> str:
    """Return ``colour`` blended towards white by ``share`` (0..1): faded marks stay opaque and print well."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * share) for c in (r, g, b)]
    return "#{:02X}{:02X}{:02X}".format(*mix)


def _ring_offsets(shown: pd.DataFrame, radii_pt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (dx, dy) in points that set marks sharing a point on a ring around it, and each ring's radius.

    The ring is for display only, as in the dashboard (:func:`geo.mapview.spread_colocated`), but sized in
    points so that the marks do not cover one another at any scale.
    """
    dx, dy, ring = np.zeros(len(shown)), np.zeros(len(shown)), np.zeros(len(shown))
    keys = pd.Series(list(zip(np.round(shown["latitude"].to_numpy(float), 5),
                              np.round(shown["longitude"].to_numpy(float), 5), strict=True)))  # fmt: skip
    for _, index in keys.groupby(keys, sort=True).indices.items():
        n = len(index)
        if n < 2:
            ring[index] = radii_pt[index]
            continue
        biggest = float(radii_pt[index].max())
        rho = min(max(1.3 * biggest, n * biggest * 1.1 / math.pi), 45.0)
        angles = math.pi / 2 - 2 * math.pi * np.arange(n) / n
        dx[index], dy[index] = rho * np.cos(angles), rho * np.sin(angles)
        ring[index] = rho + biggest
    return dx, dy, ring


def _draw_events(ax, scene: Scene) -> None:
    shown = scene.shown
    if shown.empty:
        return
    frame = scene.frame
    radii = np.array([mapview.marker_radius(f) * PT_PER_PX for f in shown["fatalities"]])
    dx, dy, _ = _ring_offsets(shown, radii)
    x, y = frame.project(shown["longitude"].to_numpy(float), shown["latitude"].to_numpy(float))
    mpp = frame.metres_per_point
    x, y = x + dx * mpp, y + dy * mpp
    earlier = scene.status == "earlier"
    kinds = shown["event_type"].to_numpy()
    face = np.array([mapview.TYPE_COLOURS.get(k, "#777777") for k in kinds], dtype=object)
    face[earlier] = [faded_colour(c) for c in face[earlier]]
    precision = shown["date_precision"].to_numpy()
    # Faded marks below current ones; within each, big marks first so small ones stay visible on top.
    order = np.lexsort((-radii, ~earlier))
    for is_earlier in (True, False):
        for prec in ("year", "month", "day"):
            pick = [i for i in order if earlier[i] == is_earlier and precision[i] == prec]
            if not pick:
                continue
            ax.scatter(
                x[pick], y[pick], s=(2 * radii[pick]) ** 2, c=list(face[pick]),
                edgecolors="#8A8A8A" if is_earlier else "#222222", linewidths=0.9 if is_earlier else 1.3,
                linestyles=OUTLINE_DASH[prec], zorder=5 if is_earlier else 6,
            )  # fmt: skip


def _halo(width: float = 2.6):
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _draw_labels(ax, scene: Scene, countries: gpd.GeoDataFrame) -> None:
    """Name the countries at their Natural Earth label points, and the places where events happened."""
    frame = scene.frame
    (x0, x1), (y0, y1) = frame.xlim, frame.ylim
    inset = 0.03 * (x1 - x0)
    if len(countries):
        lx, ly = frame.project(countries["label_lon"].to_numpy(float), countries["label_lat"].to_numpy(float))
        # Name only the countries big enough on this map to hold their name.
        big = (countries.geometry.area >= 0.006 * (x1 - x0) * (y1 - y0)).to_numpy()
        for name, x, y, named in zip(countries["name"], lx, ly, big, strict=True):
            if named and x0 + inset < x < x1 - inset and y0 + inset < y < y1 - inset:
                ax.text(x, y, str(name).upper(), fontsize=8.5, color="#8C8577", ha="center", va="center",
                        fontweight="bold", zorder=2, clip_on=True)  # fmt: skip
    shown = scene.shown
    places = shown[shown["location_precision"] == "place"] if len(shown) else shown
    # Towns only: a derived point (the border crossing) is explained by the border line and the legend.
    places = places[~places["location"].isin(_derived_places())]
    if len(places) == 0 or places["location"].nunique() > 40:
        return
    radii = np.array([mapview.marker_radius(f) * PT_PER_PX for f in shown["fatalities"]])
    _, _, ring = _ring_offsets(shown, radii)
    reach = pd.Series(ring, index=shown.index)
    for location, group in places.groupby("location", sort=True):
        x, y = frame.project(group["longitude"].iloc[0], group["latitude"].iloc[0])
        ax.annotate(
            str(location), (float(x), float(y)), xytext=(float(reach[group.index].max()) + 3, 0),
            textcoords="offset points", fontsize=8.5, color="#222222", va="center", zorder=8,
            path_effects=_halo(), annotation_clip=True,
        )  # fmt: skip


@lru_cache(maxsize=1)
def _derived_places() -> tuple[str, ...]:
    from geo.gazetteer import load_gazetteer

    places = load_gazetteer()
    return tuple(places.loc[~places["kind"].isin(["town", "capital"]), "name"])


def _draw_movements(ax, scene: Scene) -> None:
    frame = scene.frame
    for _, move in scene.moves.iterrows():
        if move["state"] == "planned":
            continue
        colour = mapview.MOVEMENT_COLOURS[move["state"]]
        route = np.asarray(move.geometry.coords)
        rx, ry = frame.project(route[:, 0], route[:, 1])
        ax.plot(rx, ry, color=colour, lw=1.2, ls=(0, (3, 3)), alpha=0.7, zorder=4, solid_capstyle="round")
        travelled = move["travelled"]
        if travelled is not None:
            done = np.asarray(travelled.coords)
            tx, ty = frame.project(done[:, 0], done[:, 1])
            ax.plot(tx, ty, color=colour, lw=3.4, alpha=0.9, zorder=4, solid_capstyle="round")
            if len(tx) >= 2 and (tx[-1], ty[-1]) != (tx[-2], ty[-2]):
                ax.annotate("", xy=(tx[-1], ty[-1]), xytext=(tx[-2], ty[-2]), zorder=4,
                            arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 0, "mutation_scale": 16,
                                        "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        if move["state"] == "under way":
            px, py = frame.project(move["position"].x, move["position"].y)
            ax.scatter([px], [py], s=(2 * 6.0) ** 2, c=colour, edgecolors="white", linewidths=2.2, zorder=7)


def _draw_bases(ax, scene: Scene) -> None:
    frame = scene.frame
    for status, in_use in (("handed over", False), ("in use", True)):
        group = scene.bases[scene.bases["status"] == status]
        if group.empty:
            continue
        x, y = frame.project(group["longitude"].to_numpy(float), group["latitude"].to_numpy(float))
        colour = mapview.BASE_COLOURS[status]
        ax.scatter(x, y, marker="s", s=11.0**2, c=colour if in_use else "none", edgecolors=colour,
                   linewidths=2.0, alpha=0.85 if in_use else 1.0, zorder=3)  # fmt: skip


def nice_length_km(target_km: float) -> float:
    """Return the 1, 2 or 5 × 10^k km nearest below ``target_km``: a scale bar's length."""
    power = 10.0 ** math.floor(math.log10(target_km))
    return max(step * power for step in (1.0, 2.0, 5.0) if step * power <= target_km)


def _east_to(frame: MapFrame, x: float, y: float, km: float) -> float:
    """Return the x, on the same map row as (x, y), that lies ``km`` away from it on the ellipsoid."""
    lon0, lat0 = frame.unproject(x, y)
    x1 = x + km * 1000.0
    for _ in range(30):  # secant steps on a distance that grows monotonically with x: a few suffice
        lon1, lat1 = frame.unproject(x1, y)
        _, _, metres = borders.GEOD.inv(float(lon0), float(lat0), float(lon1), float(lat1))
        if abs(metres - km * 1000.0) < 0.01:
            break
        x1 = x + (x1 - x) * km * 1000.0 / metres
    return float(x1)


def scale_bar(frame: MapFrame, *, share: float = 0.25) -> tuple[float, tuple[float, float], float, float]:
    """Return (length in km, start, middle x, end x) of the scale bar, in projected coordinates.

    The bar is measured along the map's centre row, through the projection's centre where the azimuthal
    equidistant projection is true. Its middle and end are placed so that their distance from the start
    on the WGS84 ellipsoid (pyproj's ``Geod``) is half and all of the length, so the bar is geodesically
    right whatever the projection does; it is drawn beneath the map at the same horizontal scale.
    """
    (x0, x1), (y0, y1) = frame.xlim, frame.ylim
    km = nice_length_km(share * (x1 - x0) / 1000.0)
    sy = (y0 + y1) / 2
    # Centre the bar's nominal span on the projection's centre, then measure it on the ellipsoid.
    sx = (x0 + x1) / 2 - km * 500.0
    return km, (float(sx), float(sy)), _east_to(frame, sx, sy, km / 2), _east_to(frame, sx, sy, km)


def _draw_scale_bar(fig, frame: MapFrame) -> None:
    """Draw the scale bar beneath the map, on axes that share the map's horizontal scale."""
    w, h = FIGSIZE
    ax = fig.add_axes((MAP_BOX[0] / w, SCALE_BOX[0] / h, MAP_BOX[2] / w, SCALE_BOX[1] / h))
    ax.set_axis_off()
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(0.0, 1.0)
    km, start, middle, end = scale_bar(frame)
    # Left-aligned under the map: only the length matters off the map, and it is the measured one.
    left = frame.xlim[0] + 6 * frame.metres_per_point
    middle, end = left + (middle - start[0]), left + (end - start[0])
    ax.plot([left, end], [0.3, 0.3], color="#222222", lw=5.5, solid_capstyle="butt")
    ax.plot([middle, end], [0.3, 0.3], color="white", lw=3.5, solid_capstyle="butt")
    for x, text in ((left, "0"), (middle, f"{km / 2:g}"), (end, f"{km:g} km")):
        ax.text(x, 0.62, text, ha="center", va="bottom", fontsize=8, color="#222222")
    lat = frame.unproject(start[0], start[1])[1]
    ax.text(end + 14 * frame.metres_per_point, 0.3, f"scale along the map's centre line ({abs(float(lat)):.1f}°"
            f"{'N' if lat >= 0 else 'S'})", ha="left", va="center", fontsize=7.5, color="#555555")  # fmt: skip


def _legend(ax, scene: Scene) -> None:
    """Draw the legend in its own axes, laid out in points from the top left (the same at every DPI)."""
    width, height = LEGEND_BOX[2] * 72.0, LEGEND_BOX[3] * 72.0
    ax.set_xlim(0.0, width)
    ax.set_ylim(-height, 0.0)
    y = -6.0
    line, hand, text_x = 13.0, 10.0, 23.0

    def title(text: str) -> None:
        nonlocal y
        ax.text(0.0, y, text, fontsize=9, fontweight="bold", va="center", color="#111111")
        y -= 14.0

    def label(text: str) -> None:
        nonlocal y
        ax.text(text_x, y, text, fontsize=8.5, va="center", color="#222222")
        y -= line

    def circle(colour: str, radius: float = 5.0, edge: str = "#222222", style="solid", width_=1.2) -> None:
        ax.scatter([hand], [y], s=(2 * radius) ** 2, c=colour, edgecolors=edge, linewidths=width_, linestyles=style)

    present = [k for k in mapview.TYPE_COLOURS if len(scene.shown) and k in set(scene.shown["event_type"])]
    if present:
        title("Event type")
        # Many types: two columns, so that the legend stays within the map's height.
        rows = len(present) if len(present) <= 6 else math.ceil(len(present) / 2)
        top = y
        for i, kind in enumerate(present):
            column_x = 0.0 if i < rows else width / 2
            row_y = top - (i % rows) * line
            ax.scatter([hand + column_x], [row_y], s=10.0**2, c=mapview.TYPE_COLOURS[kind], edgecolors="#222222",
                       linewidths=1.2)  # fmt: skip
            ax.text(text_x + column_x - 2, row_y, kind.replace("_", " "), fontsize=8, va="center", color="#222222")
        y = top - rows * line
    if (scene.status == "earlier").any():
        circle(faded_colour("#1965B0"), edge="#8A8A8A", width_=0.9)
        label("earlier events, faded")
    y -= 4.0
    title("Fatalities (mark size)")
    sizes = [
        (mapview.marker_radius(n) * PT_PER_PX, text)
        for n, text in ((None, "unknown"), (10, "10"), (50, "50"), (130, "130"))
    ]
    biggest = max(r for r, _ in sizes)
    x = 16.0
    for radius, text in sizes:
        x += radius
        ax.scatter([x], [y - biggest + 4], s=(2 * radius) ** 2, c="white", edgecolors="#222222", linewidths=1.1)
        ax.text(x, y - 2 * biggest - 5, text, fontsize=8, ha="center", va="center", color="#222222")
        x += radius + (16.0 if text == "unknown" else 11.0)
    y -= 2 * biggest + 19.0
    title("Date known to the")
    for precision in ("day", "month", "year"):
        circle("white", 6.0, style=OUTLINE_DASH[precision], width_=1.4)
        label(precision)
    y -= 4.0
    states = set(scene.moves["state"]) if len(scene.moves) else set()
    if states - {"planned"}:
        title("Troop movements")
        for state in ("under way", "done"):
            if state in states:
                ax.plot([hand - 8, hand + 8], [y, y], color=mapview.MOVEMENT_COLOURS[state], lw=3.4)
                label(f"route {state}" if state == "done" else f"{state} (part travelled)")
        ax.plot([hand - 8, hand + 8], [y, y], color="#1965B0", lw=1.2, ls=(0, (3, 3)))
        label("whole route")
        if "under way" in states:
            ax.scatter([hand], [y], s=12.0**2, c="#1965B0", edgecolors="white", linewidths=2.2)
            label("position on the date")
        y -= 4.0
    statuses = [s for s in ("in use", "handed over") if len(scene.bases) and (scene.bases["status"] == s).any()]
    if statuses:
        title("Bases")
        for status in statuses:
            colour = mapview.BASE_COLOURS[status]
            ax.scatter([hand], [y], marker="s", s=11.0**2, c=colour if status == "in use" else "none",
                       edgecolors=colour, linewidths=2.0)  # fmt: skip
            label(f"base {status}")
        y -= 4.0
    title("Borders")
    ax.plot([hand - 8, hand + 8], [y, y], color="#B2182B", lw=2.0, ls=(0, (4, 2)))
    label("Mali–Niger border")


def _figure(scene: Scene, *, dpi: int, frame_date: str | None = None):
    """Draw the scene on a new matplotlib Figure (no pyplot: no global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=dpi, facecolor="white")
    w, h = FIGSIZE
    ax = fig.add_axes((MAP_BOX[0] / w, MAP_BOX[1] / h, MAP_BOX[2] / w, MAP_BOX[3] / h))
    frame = scene.frame
    ax.set_facecolor(mapview.SEA_COLOUR)
    # Simplify to about a third of a pixel at the output resolution: invisible, and files stay small.
    tolerance = frame.metres_per_point * 72.0 / max(dpi, 50) / 3.0
    countries = _countries_in(frame, round(tolerance, 1))
    if len(countries):
        countries.plot(ax=ax, color=mapview.COUNTRY_FILL, edgecolor="#7A7A7A", linewidth=0.6, aspect=None, zorder=1)
    border = gpd.GeoSeries([borders.mali_niger_border()], crs=borders.WGS84).to_crs(frame.crs)
    border.plot(ax=ax, color="#B2182B", linewidth=2.0, linestyle=(0, (4, 2)), aspect=None, zorder=2)
    _draw_labels(ax, scene, countries)
    _draw_bases(ax, scene)
    _draw_movements(ax, scene)
    _draw_events(ax, scene)
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_aspect("auto")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#777777")
        spine.set_linewidth(0.8)
    if frame_date:
        box_style = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#999999", "alpha": 0.9}
        ax.text(0.985, 0.975, frame_date, transform=ax.transAxes, ha="right", va="top", fontsize=20,
                fontweight="bold", color="#222222", zorder=12, bbox=box_style)  # fmt: skip

    _draw_scale_bar(fig, frame)
    legend_ax = fig.add_axes((LEGEND_BOX[0] / w, LEGEND_BOX[1] / h, LEGEND_BOX[2] / w, LEGEND_BOX[3] / h))
    legend_ax.set_axis_off()
    _legend(legend_ax, scene)

    fig.text(MAP_BOX[0] / w, 1 - 0.3 / h, TITLE, fontsize=17, fontweight="bold", va="top", color="#111111")
    fig.text(MAP_BOX[0] / w, 1 - 0.72 / h, scene.period, fontsize=12.5, va="top", color="#111111")
    fig.text(MAP_BOX[0] / w, 1 - 1.0 / h, f"{scene.filters} — {scene.counts}", fontsize=9.5, va="top", color="#444444")
    for i, line in enumerate(scene.attribution):
        fig.text(MAP_BOX[0] / w, (0.3 - 0.17 * i) / h, line, fontsize=7.3, va="bottom", color="#555555")
    return fig


def _save(fig, fmt: str, *, dpi: int, title: str, description: str) -> bytes:
    metadata = {
        "png": {"Software": _software(), "Title": title, "Description": description},
        "svg": {"Creator": _software(), "Date": None, "Title": title, "Description": description},
        "pdf": {"Creator": _software(), "Producer": _software(), "CreationDate": None, "ModDate": None,
                "Title": title, "Subject": description},
    }[fmt]  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def image_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions = SnapshotOptions(),
    *,
    fmt: str = "png",
) -> bytes:
    """Return the view drawn as a static map in ``fmt`` ('png', 'svg' or 'pdf').

    The image is ``FIGSIZE`` inches at ``options.dpi`` (1200 × 800 pixels at 100 dpi): countries, the
    Mali–Niger border, bases, movements, events, a title with the date and filters, a legend, a scale
    bar and the attribution.
    """
    if fmt not in ("png", "svg", "pdf"):
        raise SnapshotError(f"{fmt!r} is not an image format; expected png, svg or pdf")
    scene = build_scene(events, sources, bases, view, options)
    with _RENDER_LOCK, _rc():
        fig = _figure(scene, dpi=options.dpi)
        return _save(
            fig, fmt, dpi=options.dpi, title=f"{TITLE}: {scene.period}", description=" ".join(scene.attribution)
        )


def _rc():
    import matplotlib

    return matplotlib.rc_context(_STYLE)


# --------------------------------------------------------------------------- animation


def animation_dates(events: gpd.GeoDataFrame, view: filters.View, step_days: int | None = None) -> list[date]:
    """Return the dates an animation of ``view`` steps through.

    The range is the window in 'window' mode, else from the first matching event to the view's date. With
    ``step_days`` None the steps are the days on which matching events start (the Play button's stops),
    plus both ends; otherwise every ``step_days`` days, plus the last day.
    """
    view = canonical_view(view)
    first, last = view.window
    if view.mode == "as_of":
        everything = filters.filter_events(events, view)
        if everything.empty:
            return [last.date()]
        first = everything["start"].min()
    if step_days is not None:
        if step_days < 1:
            raise SnapshotError(f"step_days {step_days!r} must be 1 or more")
        days = list(pd.date_range(first, last, freq=f"{int(step_days)}D").date)
    else:
        matching = filters.filter_events(events, view.with_changes(mode="window", date_from=first.date(),
                                                                   date_to=last.date()))  # fmt: skip
        days = [d for d in filters.event_dates(matching) if first.date() <= d <= last.date()]
        days.insert(0, first.date())
    days.append(last.date())
    return sorted(set(days))


def _frame_view(view: filters.View, day: date) -> filters.View:
    if view.mode == "window":
        return view.with_changes(as_of=day, date_to=day)
    return view.with_changes(as_of=day)


def gif_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions = SnapshotOptions(),
    *,
    progress: Progress | None = None,
) -> bytes:
    """Return an animated GIF of the map stepping through :func:`animation_dates`, the date on every frame.

    Every frame keeps the extent of the whole view, so marks do not jump. ``progress(done, total)`` is
    called after each frame (for a progress bar).
    """
    from PIL import Image

    view = canonical_view(view)
    days = animation_dates(events, view, options.step_days)
    if len(days) > options.max_frames:
        raise SnapshotError(
            f"the animation would have {len(days)} frames, more than {options.max_frames}; "
            "choose a shorter range or a longer step"
        )
    whole = build_scene(events, sources, bases, view, options)
    frames = []
    with _RENDER_LOCK, _rc():
        for i, day in enumerate(days):
            scene = build_scene(events, sources, bases, _frame_view(view, day), options, frame=whole.frame)
            fig = _figure(scene, dpi=options.frame_dpi, frame_date=format_date(day, "day"))
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=options.frame_dpi, metadata={"Software": None}, facecolor="white")
            rgb = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
            frames.append(rgb.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
            if progress is not None:
                progress(i + 1, len(days))
    durations = [options.frame_ms] * len(frames)
    durations[-1] = max(options.frame_ms, 2500)  # linger on the last frame before looping
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   optimize=False, comment=" ".join(whole.attribution).encode("utf-8"))  # fmt: skip
    return out.getvalue()


# --------------------------------------------------------------------------- interactive HTML


_INLINE = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet.css",
}
# What folium links by default and the export's map never uses (no awesome-marker icons, no Bootstrap widgets).
_UNUSED = frozenset({
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
})  # fmt: skip
_SCRIPT_TAG = re.compile(r"""<script\b[^>]*\bsrc=["']([^"']+)["'][^>]*>\s*</script>""", re.I)
_LINK_TAG = re.compile(r"""<link\b[^>]*\brel=["']stylesheet["'][^>]*>""", re.I)
_HREF = re.compile(r"""\bhref=["']([^"']+)["']""", re.I)
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.M)


@lru_cache(maxsize=8)
def _asset(name: str) -> str:
    text = (ASSETS / name).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)
    if name.endswith(".css"):
        for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
            data = base64.b64encode((ASSETS / image).read_bytes()).decode("ascii")
            text = text.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
        return re.sub(r"</style", r"<\\/style", text, flags=re.I)
    # A literal "</script" would end the inline element early; in JavaScript "<\/script" is the same string.
    return re.sub(r"</script", r"<\\/script", text, flags=re.I)


def inline_assets(html: str) -> str:
    """Replace folium's CDN ``<script>``/``<link>`` tags with the files in ``geo/assets``; drop unused ones.

    Raises
    ------
    SnapshotError
        If the page links a file that ``geo/assets`` does not ship (e.g. after a folium upgrade).
    """

    def script(match: re.Match) -> str:
        url = match.group(1)
        if url in _UNUSED:
            return ""
        if url not in _INLINE:
            raise SnapshotError(
                f"the map links {url}, which geo/assets does not ship; add it (see geo/assets/README.md)"
            )
        return f"<script>/* {_INLINE[url]} */\n{_asset(_INLINE[url])}\n</script>"

    def link(match: re.Match) -> str:
        href = _HREF.search(match.group(0))
        url = href.group(1) if href else ""
        if url in _UNUSED:
            return ""
        if url not in _INLINE:
            raise SnapshotError(
                f"the map links {url}, which geo/assets does not ship; add it (see geo/assets/README.md)"
            )
        return f"<style>/* {_INLINE[url]} */\n{_asset(_INLINE[url])}\n</style>"

    return _LINK_TAG.sub(link, _SCRIPT_TAG.sub(script, html))


def html_view(frame: MapFrame) -> tuple[tuple[float, float], int]:
    """Return the (lat, lon) centre and the Leaflet zoom that show a frame's ground in the dashboard's map height."""
    lon, lat = frame.unproject((frame.xlim[0] + frame.xlim[1]) / 2, (frame.ylim[0] + frame.ylim[1]) / 2)
    height = frame.ylim[1] - frame.ylim[0]
    zoom = math.floor(math.log2(LEAFLET_HEIGHT_PX * ZOOM0_M_PER_PX * math.cos(math.radians(float(lat))) / height))
    return (round(float(lat), 4), round(float(lon), 4)), int(min(max(zoom, 1), 18))


def html_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions = SnapshotOptions(),
) -> bytes:
    """Return the interactive map of the view as one HTML file that needs no network (UTF-8)."""
    scene = build_scene(events, sources, bases, view, options)
    if scene.view.center is not None:
        center, zoom = scene.view.center, scene.view.zoom or mapview.DEFAULT_ZOOM
    else:
        center, zoom = html_view(scene.frame)
    # The marks the dashboard draws: grid cells above its threshold, so a file of a
    # million events exports a map a browser can open, as the dashboard shows it.
    marks = aggregate.view_marks(events, scene.view, show_earlier=options.show_earlier, zoom=zoom)
    fmap = mapview.build_map(
        marks.shown, marks.status, scene.moves, scene.bases, sources, tiles=False,
        title=f"{TITLE} — {scene.period} · {scene.filters}", attribution=scene.attribution[0],
        center=center, zoom=zoom, aggregated=marks.cells,
    )  # fmt: skip
    root = fmap.get_root()
    root.title = mapview.esc(f"{TITLE}: {scene.period}")
    return inline_assets(root.render()).encode("utf-8")


# --------------------------------------------------------------------------- data


def neutralise(value: str) -> str:
    """Return a text cell that a spreadsheet will not run as a formula (a leading ' where it would)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _export_columns(events: pd.DataFrame) -> list[str]:
    from geo.record import RECORD_COLUMNS  # the public-record layer's optional columns (docs/data.md)

    return [*COLUMNS, *(c for c in OPTIONAL_EXTRA if c in events), *(c for c in RECORD_COLUMNS if c in events)]


def _cell(value, column: str):
    """Return a value as the events layout writes it: ISO dates, whole numbers, '' for missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in ("event_date", "end_date", "record_date", "record_end_date"):
        return pd.Timestamp(value).date().isoformat()
    if column in ("fatalities", "troops", "record_fatalities"):
        return int(value)
    if column in ("latitude", "longitude", "record_latitude", "record_longitude"):
        return float(value)
    return str(value)


def _layout_csv(rows: pd.DataFrame, *, safe: bool) -> bytes:
    """Return rows as CSV in the events layout; with ``safe``, text cells that look like formulas are neutralised."""
    columns = _export_columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows[columns].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = _cell(value, column)
            if isinstance(cell, float):
                cells.append(repr(cell))
            elif column in NUMERIC_COLUMNS or not safe:
                cells.append(cell)  # numbers stay numbers: a negative longitude is not a formula
            else:
                cells.append(neutralise(str(cell)))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def csv_bytes(events: pd.DataFrame, view: filters.View) -> bytes:
    """Return the events in view as CSV in the events layout (``docs/data.md``), formulas neutralised."""
    return _layout_csv(filters.filter_events(events, canonical_view(view)), safe=True)


def dataset_sha256(events: pd.DataFrame) -> str:
    """Return the SHA-256 of all the events as a plain events-layout CSV: which rows an export was cut from.

    Unlike a file's hash it is the same whatever file or files the rows were read from (curated, imported,
    both combined), so the manifest identifies the data even when no single file holds it.
    """
    return sha256_bytes(_layout_csv(events, safe=False))


def geojson_bytes(events: pd.DataFrame, view: filters.View) -> bytes:
    """Return the events in view as a GeoJSON FeatureCollection (RFC 7946: WGS84, lon/lat), one feature a line."""
    in_view = filters.filter_events(events, canonical_view(view))
    columns = _export_columns(in_view)
    features = []
    for _, row in in_view.iterrows():
        properties = {c: (_cell(row[c], c) if _cell(row[c], c) != "" else None) for c in columns}
        properties["date_label"] = row["date_label"]
        properties["geo_country"] = row["geo_country"]
        feature = {
            "type": "Feature",
            "id": row["event_id"],
            "geometry": {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]},
            "properties": properties,
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(features)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'.encode()


def bibliography(events: pd.DataFrame, sources: pd.DataFrame) -> list[dict[str, object]]:
    """Return the source articles the events cite, with how many events each backs."""
    ids, _ = _used_sources(events, sources)
    table = sources.set_index("source_id")
    counts = {i: int(sum(i in source_list(cell) for cell in events["sources"])) for i in ids}
    entries = []
    for i in ids:
        entry = {"source_id": i, "title": table.loc[i, "display"]}
        for column in ("headline", "outlet", "label", "file", "dating_note"):
            if column in table.columns and table.loc[i, column]:
                entry[column] = table.loc[i, column]
        entry["events"] = counts[i]
        entries.append(entry)
    return entries


def command_line(view: filters.View, options: SnapshotOptions, *, extent: bool = False) -> list[str]:
    """Return the ``python -m geo.snapshot`` arguments that reproduce ``view`` (without --format/--out).

    With ``extent``, the map's centre and zoom and the DPI are included too (they matter to images only).
    """
    view = canonical_view(view)
    args = ["python", "-m", "geo.snapshot"]
    first, last = view.window
    if view.mode == "window":
        args += ["--from", first.date().isoformat(), "--to", last.date().isoformat()]
    else:
        args += ["--date", last.date().isoformat()]
    for country in view.countries:
        args += ["--country", country]
    for kind in view.types:
        args += ["--type", kind]
    if view.text:
        args += ["--text", view.text]
    if not options.show_earlier:
        args.append("--no-earlier")
    if options.data_name != EVENTS_CSV.name:
        args += ["--data", options.data_name]
    if extent and view.center is not None:
        args += ["--center", f"{view.center[0]:.4f},{view.center[1]:.4f}"]
        if view.zoom is not None:
            args += ["--zoom", str(int(view.zoom))]
    if extent and options.dpi != SnapshotOptions.dpi:
        args += ["--dpi", str(options.dpi)]
    return args


def manifest_bytes(events: pd.DataFrame, sources: pd.DataFrame, view: filters.View, options: SnapshotOptions) -> bytes:
    """Return the manifest (JSON) of the data exports: view, data file hash, app version, bibliography, hashes."""
    view = canonical_view(view)
    in_view = filters.filter_events(events, view)
    first, last = view.window
    name, version = app_version()
    files = {}
    for fmt, data in (("csv", csv_bytes(events, view)), ("geojson", geojson_bytes(events, view))):
        files[export_filename(fmt, view)] = {"sha256": sha256_bytes(data), "bytes": len(data)}
    _, others = _used_sources(in_view, sources)
    from geo import record, sourcing  # the public-record layer: both dates of each event, and its references

    both = [
        {"event_id": row["event_id"], "the_articles": row.get("articles_date_label") or row["date_label"],
         "the_public_record": sourcing.public_record_text(row)}
        for row in in_view.to_dict("records")
        if sourcing.public_record_text(row)
    ]  # fmt: skip
    cited = sourcing.references_table(in_view, record.load_references())
    manifest = {
        "app": {"name": name, "version": version},
        "view": {
            "mode": view.mode,
            "date": last.date().isoformat(),
            "window": {
                "from": first.date().isoformat() if view.mode == "window" else None,
                "to": last.date().isoformat(),
            },
            "filters": {"countries": list(view.countries), "types": list(view.types), "text": view.text},
            "dates": view.dates,
            "url_query": view.with_changes(center=None, zoom=None).to_params(),
            "command": command_line(view, options),
        },
        "data": {
            "file": options.data_name,
            "sha256": options.data_sha256 or None,
            "rows": len(events),
            "events_sha256": dataset_sha256(events),
        },
        "rows": len(in_view),
        "event_ids": in_view["event_id"].tolist(),
        "files": files,
        "sources": bibliography(in_view, sources),
        "other_sources": others,
        "event_dates": both,
        "public_record": cited.drop(columns=["events"]).to_dict("records"),
        "attribution": [
            "Countries: Natural Earth 1:10m admin-0 countries (public domain), naturalearthdata.com",
            "Places: GeoNames (CC BY 4.0), https://www.geonames.org/",
        ],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def zip_bytes(events: pd.DataFrame, sources: pd.DataFrame, view: filters.View, options: SnapshotOptions) -> bytes:
    """Return a ZIP of the CSV, the GeoJSON and the manifest; fixed dates and permissions keep its bytes stable."""
    members = (
        (export_filename("csv", view), csv_bytes(events, view)),
        (export_filename("geojson", view), geojson_bytes(events, view)),
        (export_filename("manifest", view), manifest_bytes(events, sources, view, options)),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system wrote it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


# --------------------------------------------------------------------------- one entry point


def export_bytes(
    fmt: str,
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions = SnapshotOptions(),
    *,
    progress: Progress | None = None,
) -> bytes:
    """Return the export of ``view`` in ``fmt`` (one of :data:`FORMATS`): what the UI and the CLI both write."""
    _check_format(fmt)
    if fmt in ("png", "svg", "pdf"):
        return image_bytes(events, sources, bases, view, options, fmt=fmt)
    if fmt == "html":
        return html_bytes(events, sources, bases, view, options)
    if fmt == "csv":
        return csv_bytes(events, view)
    if fmt == "geojson":
        return geojson_bytes(events, view)
    if fmt == "manifest":
        return manifest_bytes(events, sources, view, options)
    if fmt == "zip":
        return zip_bytes(events, sources, view, options)
    return gif_bytes(events, sources, bases, view, options, progress=progress)


# --------------------------------------------------------------------------- command line


class UsageError(Exception):
    """A bad command-line option: reported on one line of stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m geo.snapshot",
        description="Export a view of the dashboard: a static map, an HTML map, data with a manifest, or a GIF.",
    )
    p.add_argument("--date", help="show everything up to this day (YYYY-MM-DD; default: the last day in the data)")
    p.add_argument("--from", dest="date_from", help="show a window from this day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="... to this day (YYYY-MM-DD)")
    p.add_argument("--country", action="append", default=[], metavar="ISO3", help="keep this country (repeatable)")
    p.add_argument("--type", action="append", default=[], metavar="TYPE", help="keep this event type (repeatable)")
    p.add_argument("--text", default="", help="keep events mentioning every word of this text")
    p.add_argument("--format", choices=FORMATS, help="what to write (default: from --out's extension)")
    p.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    p.add_argument("--dpi", type=int, default=SnapshotOptions.dpi, help="resolution of PNG/PDF/SVG (300 for print)")
    p.add_argument("--data", metavar="FILE", help="an events-layout CSV (or an ACLED/UCDP file) instead of events.csv")
    p.add_argument("--center", metavar="LAT,LON", help="map centre, as the dashboard's map (default: fit the events)")
    p.add_argument("--zoom", type=int, help="map zoom level, as the dashboard's map (with --center)")
    p.add_argument("--no-earlier", action="store_true", help="window mode: hide events that ended before the window")
    p.add_argument("--step", type=int, metavar="DAYS", help="GIF: days between frames (default: each event date)")
    p.add_argument("--frame-ms", type=int, default=SnapshotOptions.frame_ms, help="GIF: milliseconds per frame")
    return p


def _format_from(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".json"):
        return "manifest"
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _day(text: str, option: str) -> date:
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if pd.isna(parsed):
        raise UsageError(f"{option} {text!r} is not a date in the form YYYY-MM-DD")
    return parsed.date()


def load_data(path: str | Path | None) -> tuple[gpd.GeoDataFrame, Path]:
    """Load the events file the CLI is given: the curated one by default, or any file the importers read."""
    if path is None or Path(path).resolve() == EVENTS_CSV.resolve():
        return load_events(), EVENTS_CSV
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--data {str(path)!r} is not a file")
    try:
        from geo.importers import import_table
    except ImportError:
        import_table = None
    from geo.events import read_table, validate_events

    try:
        table = import_table(path).events if import_table is not None else read_table(path)
        events, _ = validate_events(table, check_places=False, strict=import_table is None, name=path.name)
    except DataError as exc:
        first = exc.problems[0] if getattr(exc, "problems", None) else exc
        more = f" (and {len(exc.problems) - 1} more problems)" if len(getattr(exc, "problems", [])) > 1 else ""
        raise UsageError(f"--data {path.name} was refused: {first}{more}") from exc
    if events.empty:
        raise UsageError(f"--data {path.name} holds no usable events")
    return events, path


def _view_from_args(args, events: gpd.GeoDataFrame) -> filters.View:
    first, last = filters.date_bounds(events)
    bounds = f"the data runs from {first} to {last}"
    window = args.date_from is not None or args.date_to is not None
    if window and args.date is not None:
        raise UsageError("give --date, or --from/--to, not both")

    def inside(day: date, option: str) -> date:
        if not first <= day <= last:
            raise UsageError(f"{option} {day} is outside the data ({bounds})")
        return day

    as_of = inside(_day(args.date, "--date"), "--date") if args.date else last
    date_from = inside(_day(args.date_from, "--from"), "--from") if args.date_from else first
    date_to = inside(_day(args.date_to, "--to"), "--to") if args.date_to else last
    if window and date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    present = sorted(set(events["geo_country"]))
    for country in args.country:
        if country not in present:
            raise UsageError(
                f"--country {country!r} is not a country with events in the data; choose from {', '.join(present)}"
            )
    for kind in args.type:
        if kind not in EVENT_TYPES:
            raise UsageError(f"--type {kind!r} is not an event type; choose from {', '.join(EVENT_TYPES)}")
    center = None
    if args.center is not None:
        try:
            lat, lon = (float(part) for part in args.center.split(","))
        except ValueError:
            raise UsageError(f"--center {args.center!r} is not LAT,LON in decimal degrees") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError(f"--center {args.center!r} is not a point on the map")
        center = (lat, lon)
    if args.zoom is not None and not 1 <= args.zoom <= 18:
        raise UsageError(f"--zoom {args.zoom} must be between 1 and 18")
    if args.zoom is not None and center is None:
        raise UsageError("--zoom needs --center")
    return filters.View(
        as_of=date_to if window else as_of, mode="window" if window else "as_of",
        date_from=date_from if window else None, date_to=date_to if window else None,
        countries=tuple(dict.fromkeys(args.country)), types=tuple(dict.fromkeys(args.type)), text=args.text.strip(),
        center=center, zoom=args.zoom if center is not None else None,
    )  # fmt: skip


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so no partial file is ever left."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--out {str(path)!r}: the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise UsageError(f"--out {str(path)!r} is a folder")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(f"--out {str(path)!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"--out {str(path)!r}: cannot write ({exc.strerror})") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0, or 2 for a bad option with one line on stderr)."""
    try:
        args = _parser().parse_args(argv)
        out = Path(args.out)
        fmt = args.format or _format_from(out)
        if fmt is None:
            raise UsageError(f"--out {args.out!r}: give --format, or a name ending in .{', .'.join(FORMATS)}")
        if not 10 <= args.dpi <= 1200:
            raise UsageError(f"--dpi {args.dpi} must be between 10 and 1200")
        if args.step is not None and args.step < 1:
            raise UsageError(f"--step {args.step} must be 1 or more days")
        if args.frame_ms < 20:
            raise UsageError(f"--frame-ms {args.frame_ms} must be 20 or more")
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():  # fail before the slow part
            raise UsageError(f"--out {args.out!r}: the folder {str(folder)!r} does not exist")
        try:  # a real probe, not os.access: root passes that check where the file system still refuses
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as exc:
            raise UsageError(f"--out {args.out!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc
        events, data_path = load_data(args.data)
        view = _view_from_args(args, events)
        from geo.bases import load_bases

        options = options_for_file(data_path, dpi=args.dpi, show_earlier=not args.no_earlier, step_days=args.step,
                                   frame_ms=args.frame_ms)  # fmt: skip
        data = export_bytes(fmt, events, load_sources(), load_bases(), view, options)
        write_atomically(out, data)
    except (UsageError, SnapshotError) as exc:
        print(f"geo.snapshot: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({len(data):,} bytes)")
    return 0


__all__ = [
    "FORMATS",
    "MIME_TYPES",
    "MapFrame",
    "SnapshotError",
    "SnapshotOptions",
    "animation_dates",
    "build_scene",
    "csv_bytes",
    "dataset_sha256",
    "export_bytes",
    "export_filename",
    "faded_colour",
    "geojson_bytes",
    "gif_bytes",
    "html_bytes",
    "image_bytes",
    "inline_assets",
    "manifest_bytes",
    "neutralise",
    "options_for_file",
    "scale_bar",
    "view_frame",
    "view_key",
    "zip_bytes",
]

if __name__ == "__main__":
    sys.exit(main())
