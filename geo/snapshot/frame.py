"""The ground a static map covers: its projection, its extent in metres, its scale bar, and the Leaflet view."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from geo import borders, style
from geo.scene import Scene

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


#: Margin, in degrees, around the Sahel's places: the ground a map without a centre frames first.
FOCUS_MARGIN_DEG = 3.0


@lru_cache(maxsize=1)
def sahel_focus() -> tuple[float, float, float, float]:
    """Return (west, south, east, north) around the gazetteer's places in Mali, Niger and Burkina Faso, with a margin."""
    from geo.gazetteer import load_gazetteer

    places = load_gazetteer()
    sahel = places[places["country"].isin(["MLI", "NER", "BFA"])]
    m = FOCUS_MARGIN_DEG
    return (float(sahel["longitude"].min()) - m, float(sahel["latitude"].min()) - m,
            float(sahel["longitude"].max()) + m, float(sahel["latitude"].max()) + m)  # fmt: skip


def in_focus(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return, per point, whether it lies in the Sahel focus (:func:`sahel_focus`)."""
    west, south, east, north = sahel_focus()
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def view_frame(scene: Scene) -> MapFrame:
    """Return the scene's extent: its view's map centre and zoom if set, else its marks in the Sahel, else the Sahel.

    Without a centre, the frame fits the marks inside the Sahel focus
    (:func:`sahel_focus`) when there are any, as the dashboard's map opens
    on the Sahel: six events in Paris would otherwise stretch the map from
    Europe to the Gulf of Guinea and crowd the Sahel's marks into a corner.
    The marks left outside get an arrow at the map's edge (``static``'s
    labels). When no mark is in the Sahel (imported data from elsewhere),
    the frame fits them all. Also used as the extent of every frame of an
    animation, so that marks do not jump.
    """
    view = scene.view
    if view.center is not None:
        return frame_at(view.center, view.zoom if view.zoom is not None else style.DEFAULT_ZOOM)
    lon, lat = scene.fit_lonlat(within=in_focus)
    if not len(lon):
        return frame_at(style.DEFAULT_CENTER, style.DEFAULT_ZOOM)
    return frame_around(lon, lat)


def html_view(frame: MapFrame) -> tuple[tuple[float, float], int]:
    """Return the (lat, lon) centre and the Leaflet zoom that show a frame's ground in the dashboard's map height."""
    lon, lat = frame.unproject((frame.xlim[0] + frame.xlim[1]) / 2, (frame.ylim[0] + frame.ylim[1]) / 2)
    height = frame.ylim[1] - frame.ylim[0]
    zoom = math.floor(math.log2(LEAFLET_HEIGHT_PX * ZOOM0_M_PER_PX * math.cos(math.radians(float(lat))) / height))
    return (round(float(lat), 4), round(float(lon), 4)), int(min(max(zoom, 1), 18))


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
