"""Static maps (PNG, SVG, PDF) drawn with geopandas and matplotlib, no browser.

The map is an azimuthal equidistant projection centred on the view (distances from the centre are true),
and the scale bar's ends are placed with pyproj's ``Geod`` so its length is geodesic wherever it sits.
Marks use the dashboard's colours, sizes (CSS pixels drawn as 0.75 pt so they keep their size at any
DPI) and outlines (solid, dashed, dotted for a day, month or year).
"""

from __future__ import annotations

import io
import math
import threading
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from geo import borders, style
from geo.snapshot.frame import FIGSIZE, LEGEND_BOX, MAP_BOX, PT_PER_PX, SCALE_BOX, MapFrame, scale_bar
from geo.snapshot.options import DEFAULT_OPTIONS, TITLE, SnapshotError, SnapshotOptions, software_label
from geo.snapshot.sheet import Sheet, build_sheet
from geo.view import View

#: The fill of a grid cell, as the dashboard draws it.
CELL_COLOUR = style.CELL_COLOUR
OUTLINE_DASH = {"day": "solid", "month": (0, (3.0, 1.6)), "year": (0, (0.8, 1.6))}
#: A marker's size (matplotlib's width of its box) per circle diameter that gives it the circle's area,
#: so that a square or a triangle reads as the same toll (:func:`geo.legend.shape_path` does the same):
#: 's' and 'D' are squares of side m (area m²), '^' a triangle of base and height m (area m²/2).
SHAPE_SCALE = {"circle": 1.0, "square": math.sqrt(math.pi) / 2, "diamond": math.sqrt(math.pi) / 2,
               "triangle": math.sqrt(2 * math.pi) / 2}  # fmt: skip

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
    # Text from data files and searches is drawn as written: "$5 million" or "$\\href{…}$" is not mathtext.
    "text.parse_math": False,
    "text.usetex": False,
}
_RENDER_LOCK = threading.Lock()


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
    projected = gpd.GeoDataFrame(clipped.drop(columns="geometry"), geometry=_projected(frame, clipped.geometry),
                                 crs=frame.crs)  # fmt: skip
    projected["geometry"] = projected.geometry.simplify(tolerance_m, preserve_topology=True)
    return projected[~projected.geometry.is_empty].reset_index(drop=True)


def _projected(frame: MapFrame, geometry: gpd.GeoSeries) -> np.ndarray:
    """Return the lon/lat ``geometry`` in the frame's projection, coordinate for coordinate what ``to_crs`` gives.

    Through the frame's own transformer, made once for the marks: ``to_crs`` would make a new one per
    call from the PROJ string (10–15 ms each, for the countries and again for the border).
    """
    shapes = geometry.to_numpy()
    lonlat = shapely.get_coordinates(shapes)
    x, y = frame.project(lonlat[:, 0], lonlat[:, 1])
    return shapely.set_coordinates(shapes.copy(), np.column_stack([x, y]))


def faded_colour(colour: str, share: float = 0.6) -> str:
    """Return ``colour`` blended towards white by ``share`` (0..1): faded marks stay opaque and print well."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * share) for c in (r, g, b)]
    return "#{:02X}{:02X}{:02X}".format(*mix)


def _ring_offsets(shown: pd.DataFrame, radii_pt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (dx, dy) in points that set marks sharing a point on a ring around it, and each ring's radius.

    The ring is for display only, as in the dashboard (:func:`geo.marks.spread_colocated`), but sized in
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


def _draw_events(ax, sheet: Sheet) -> None:
    shown = sheet.scene.shown
    if shown.empty:
        return
    frame = sheet.frame
    radii = np.array([style.marker_radius(f) * PT_PER_PX for f in shown["fatalities"]])
    dx, dy, _ = _ring_offsets(shown, radii)
    x, y = frame.project(shown["longitude"].to_numpy(float), shown["latitude"].to_numpy(float))
    mpp = frame.metres_per_point
    x, y = x + dx * mpp, y + dy * mpp
    earlier = sheet.scene.status == "earlier"
    kinds = shown["event_type"].to_numpy()
    face = np.array([style.type_colour(k) for k in kinds], dtype=object)
    face[earlier] = [faded_colour(c) for c in face[earlier]]
    shapes = np.array([style.type_shape(k) for k in kinds], dtype=object)
    # Each shape drawn with the area of the circle of its radius, as the live map draws it.
    widths = 2 * radii * np.array([SHAPE_SCALE[shape] for shape in shapes])
    precision = shown["date_precision"].to_numpy()
    # Faded marks below current ones; within each, big marks first so small ones stay visible on top.
    order = np.lexsort((-radii, ~earlier))
    for is_earlier in (True, False):
        for prec in ("year", "month", "day"):
            pick = [i for i in order if earlier[i] == is_earlier and precision[i] == prec]
            if not pick:
                continue
            marks = ax.scatter(
                x[pick], y[pick], s=widths[pick] ** 2, c=list(face[pick]),
                edgecolors="#8A8A8A" if is_earlier else style.MARK_OUTLINE, linewidths=0.9 if is_earlier else 1.3,
                linestyles=OUTLINE_DASH[prec], zorder=5 if is_earlier else 6,
            )  # fmt: skip
            # One collection per group keeps the drawing order (big under small) across shapes.
            marks.set_paths([_marker_path(shape) for shape in shapes[pick]])


def _draw_cells(ax, sheet: Sheet) -> None:
    """Draw the grid cells the dashboard draws above its threshold, sized and shaded by their events."""
    cells = sheet.scene.cells
    if cells is None or cells.empty:
        return
    share = np.sqrt(cells["events"].to_numpy(float) / float(cells["events"].max()))
    x, y = sheet.frame.project(cells["longitude"].to_numpy(float), cells["latitude"].to_numpy(float))
    radii = (6 + 20 * share) * PT_PER_PX  # the HTML map's radius in CSS pixels, as points
    face = [(*_rgb(CELL_COLOUR), round(0.35 + 0.5 * s, 3)) for s in share]
    order = np.argsort(-radii, kind="stable")  # big cells first, so small ones stay visible on top
    ax.scatter(x[order], y[order], s=(2 * radii[order]) ** 2, c=[face[i] for i in order], edgecolors="#333333",
               linewidths=0.75, zorder=6)  # fmt: skip


@lru_cache(maxsize=8)
def _marker_path(shape: str):
    """Return the unit path of a shape's matplotlib marker (:data:`geo.style.MATPLOTLIB_MARKERS`), as scatter draws it."""
    from matplotlib.markers import MarkerStyle

    marker = MarkerStyle(style.MATPLOTLIB_MARKERS[shape])
    return marker.get_path().transformed(marker.get_transform())


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _halo(width: float = 2.6):
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


#: Label text sizes in points, and a rough width of a character as a share of the size (DejaVu Sans).
PLACE_FONT_PT = 8.5
COUNTRY_FONT_PT = 8.5
CHAR_WIDTH = 0.62
#: The directions an off-map arrow can point to, by sector of 45 degrees counter-clockwise from east.
ARROWS = ("→", "↗", "↑", "↖", "←", "↙", "↓", "↘")


def _text_box(x: float, y: float, text: str, size: float, ha: str, va: str) -> tuple[float, float, float, float]:
    """Return the box (x0, y0, x1, y1), in points, that a text drawn at (x, y) covers (estimated, the same in every format)."""
    w, h = CHAR_WIDTH * size * len(text), 1.25 * size
    x0 = x - w / 2 if ha == "center" else x - w if ha == "right" else x
    y0 = y - h / 2 if va == "center" else y - h if va == "top" else y
    return (x0, y0, x0 + w, y0 + h)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_label_spots(
    points: list[tuple[str, float, float, float]], taken: list[tuple[float, float, float, float]], size: float
) -> list[tuple[str, float, float, str, str]]:
    """Place each name on a free side of its point, in the order given; leave out a name with no free side.

    ``points`` are (name, x, y, reach) in points, ``reach`` how far the
    point's marks extend from it; ``taken`` holds boxes already used (country
    names). Returns (name, x, y, ha, va) for the names placed.
    """
    taken = list(taken) + [(x - 2, y - 2, x + 2, y + 2) for _, x, y, _ in points]
    placed = []
    for name, x, y, reach in points:
        gap = reach + 3
        sides = ((x + gap, y, "left", "center"), (x - gap, y, "right", "center"),
                 (x, y + gap, "center", "bottom"), (x, y - gap, "center", "top"))  # fmt: skip
        for tx, ty, ha, va in sides:
            box = _text_box(tx, ty, name, size, ha, va)
            if not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                placed.append((name, tx, ty, ha, va))
                break
    return placed


def off_map_groups(sheet: Sheet) -> list[tuple[int, int, list[str]]]:
    """Return the marks outside the map's frame by direction: (sector, count, places), sectors as in :data:`ARROWS`."""
    shown = sheet.scene.shown
    if shown.empty or sheet.scene.cells is not None:  # grid cells: the frame fits them all
        return []
    frame = sheet.frame
    x, y = frame.project(shown["longitude"].to_numpy(float), shown["latitude"].to_numpy(float))
    (x0, x1), (y0, y1) = frame.xlim, frame.ylim
    outside = (x < x0) | (x > x1) | (y < y0) | (y > y1)
    if not outside.any():
        return []
    angle = np.arctan2(y[outside] - (y0 + y1) / 2, x[outside] - (x0 + x1) / 2)
    sector = (np.round(angle / (np.pi / 4)).astype(int) + 8) % 8
    places = shown["location"].astype(str).to_numpy()[outside]
    return [
        (int(k), int((sector == k).sum()), list(dict.fromkeys(places[sector == k])))
        for k in sorted(set(sector.tolist()))
    ]


def _draw_labels(ax, sheet: Sheet, countries: gpd.GeoDataFrame) -> None:
    """Name the countries and the places where events happened, clear of each other; point to the marks off the map.

    Country names come first, at their Natural Earth label points; then each
    place's name on the first free side of its marks (right, left, above,
    below), in order of the number of events there, or not at all. Marks
    outside the frame get an arrow at the edge with their count and place.
    """
    frame = sheet.frame
    (x0, x1), (y0, y1) = frame.xlim, frame.ylim
    mpp = frame.metres_per_point
    inset = 0.03 * (x1 - x0)
    taken = []
    if len(countries):
        lx, ly = frame.project(countries["label_lon"].to_numpy(float), countries["label_lat"].to_numpy(float))
        # Name only the countries big enough on this map to hold their name.
        big = (countries.geometry.area >= 0.006 * (x1 - x0) * (y1 - y0)).to_numpy()
        for name, x, y, named in zip(countries["name"], lx, ly, big, strict=True):
            if named and x0 + inset < x < x1 - inset and y0 + inset < y < y1 - inset:
                ax.text(x, y, str(name).upper(), fontsize=COUNTRY_FONT_PT, color="#8C8577", ha="center", va="center",
                        fontweight="bold", zorder=2, clip_on=True)  # fmt: skip
                taken.append(_text_box(x / mpp, y / mpp, str(name).upper(), COUNTRY_FONT_PT, "center", "center"))
    _draw_off_map(ax, sheet)
    shown = sheet.scene.shown
    if shown.empty or sheet.scene.cells is not None:  # nothing drawn singly (grid cells carry no place names)
        return
    places = shown[shown["location_precision"] == "place"]
    # Towns only: a derived point (the border crossing) is explained by the border line and the legend.
    places = places[~places["location"].isin(_derived_places())]
    if len(places) == 0 or places["location"].nunique() > 40:
        return
    radii = np.array([style.marker_radius(f) * PT_PER_PX for f in shown["fatalities"]])
    _, _, ring = _ring_offsets(shown, radii)
    reach = pd.Series(ring, index=shown.index)
    points = []
    for location, group in sorted(places.groupby("location", sort=True), key=lambda item: -len(item[1])):
        x, y = frame.project(group["longitude"].iloc[0], group["latitude"].iloc[0])
        if x0 <= x <= x1 and y0 <= y <= y1:
            points.append((str(location), float(x) / mpp, float(y) / mpp, float(reach[group.index].max())))
    for name, tx, ty, ha, va in place_label_spots(points, taken, PLACE_FONT_PT):
        ax.text(tx * mpp, ty * mpp, str(name), fontsize=PLACE_FONT_PT, color="#222222", ha=ha, va=va, zorder=8,
                path_effects=_halo(), clip_on=True)  # fmt: skip


def _draw_off_map(ax, sheet: Sheet) -> None:
    """Write, at the map's edge towards them, how many marks lie outside it and where ("↑ 6 events in Paris, off this map")."""
    for sector, count, places in off_map_groups(sheet):
        angle = sector * np.pi / 4
        # From the middle of the axes towards the group, stopped inside the edge.
        dx, dy = np.cos(angle), np.sin(angle)
        t = min(0.44 / max(abs(dx), 1e-9), 0.44 / max(abs(dy), 1e-9))
        where = places[0] if len(places) == 1 else f"{len(places)} places"
        text = f"{ARROWS[sector]} {count} {'event' if count == 1 else 'events'} in {where}, off this map"
        ax.text(0.5 + dx * t, 0.5 + dy * t, text, transform=ax.transAxes, ha="center", va="center", fontsize=9,
                fontweight="bold", color="white", zorder=12,
                bbox={"boxstyle": "round,pad=0.35", "facecolor": "#222222", "edgecolor": "white"})  # fmt: skip


@lru_cache(maxsize=1)
def _derived_places() -> tuple[str, ...]:
    from geo.gazetteer import load_gazetteer

    places = load_gazetteer()
    return tuple(places.loc[~places["kind"].isin(["town", "capital"]), "name"])


def _draw_movements(ax, sheet: Sheet) -> None:
    frame = sheet.frame
    for _, move in sheet.scene.moves.iterrows():
        if move["state"] == "planned":
            continue
        colour = style.MOVEMENT_COLOURS[move["state"]]
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


def _draw_bases(ax, sheet: Sheet) -> None:
    frame = sheet.frame
    for status, in_use in (("handed over", False), ("in use", True)):
        group = sheet.scene.bases[sheet.scene.bases["status"] == status]
        if group.empty:
            continue
        x, y = frame.project(group["longitude"].to_numpy(float), group["latitude"].to_numpy(float))
        colour = style.BASE_COLOURS[status]
        ax.scatter(x, y, marker="s", s=11.0**2, c=colour if in_use else "none", edgecolors=colour,
                   linewidths=2.0, alpha=0.85 if in_use else 1.0, zorder=3)  # fmt: skip


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


def _draw_legend(ax, sheet: Sheet) -> None:
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

    present = [k for k in style.TYPE_COLOURS if len(sheet.scene.shown) and k in set(sheet.scene.shown["event_type"])]
    if present:
        title("Event type")
        # Many types: two columns, so that the legend stays within the map's height.
        rows = len(present) if len(present) <= 6 else math.ceil(len(present) / 2)
        top = y
        for i, kind in enumerate(present):
            column_x = 0.0 if i < rows else width / 2
            row_y = top - (i % rows) * line
            shape = style.type_shape(kind)
            ax.scatter([hand + column_x], [row_y], s=(10.0 * SHAPE_SCALE[shape]) ** 2, c=style.type_colour(kind),
                       marker=style.MATPLOTLIB_MARKERS[shape], edgecolors=style.MARK_OUTLINE, linewidths=1.2)  # fmt: skip
            ax.text(text_x + column_x - 2, row_y, kind.replace("_", " "), fontsize=8, va="center", color="#222222")
        y = top - rows * line
    if (sheet.scene.status == "earlier").any():
        circle(faded_colour("#1965B0"), edge="#8A8A8A", width_=0.9)
        label("earlier events, faded")
    if sheet.scene.cells is not None:
        title("Too many events to draw singly:")
        circle(CELL_COLOUR, 7.0, edge="#333333", width_=0.75)
        label(f"{len(sheet.scene.cells):,} grid cells; size: events")
    y -= 4.0
    title("Fatalities (mark size)")
    sizes = [
        (style.marker_radius(n) * PT_PER_PX, text)
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
    states = set(sheet.scene.moves["state"]) if len(sheet.scene.moves) else set()
    if states - {"planned"}:
        title("Troop movements")
        for state in ("under way", "done"):
            if state in states:
                ax.plot([hand - 8, hand + 8], [y, y], color=style.MOVEMENT_COLOURS[state], lw=3.4)
                label(f"route {state}" if state == "done" else f"{state} (part travelled)")
        ax.plot([hand - 8, hand + 8], [y, y], color="#1965B0", lw=1.2, ls=(0, (3, 3)))
        label("whole route")
        if "under way" in states:
            ax.scatter([hand], [y], s=12.0**2, c="#1965B0", edgecolors="white", linewidths=2.2)
            label("position on the date")
        y -= 4.0
    statuses = [
        s for s in ("in use", "handed over") if len(sheet.scene.bases) and (sheet.scene.bases["status"] == s).any()
    ]
    if statuses:
        title("Bases")
        for status in statuses:
            colour = style.BASE_COLOURS[status]
            ax.scatter([hand], [y], marker="s", s=11.0**2, c=colour if status == "in use" else "none",
                       edgecolors=colour, linewidths=2.0)  # fmt: skip
            label(f"base {status}")
        y -= 4.0
    title("Borders")
    ax.plot([hand - 8, hand + 8], [y, y], color=style.BORDER_COLOUR, lw=2.0, ls=(0, (4, 2)))
    label("Mali–Niger border")


def _figure(sheet: Sheet, *, dpi: int, frame_date: str | None = None):
    """Draw the sheet on a new matplotlib Figure (no pyplot: no global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=dpi, facecolor="white")
    w, h = FIGSIZE
    ax = fig.add_axes((MAP_BOX[0] / w, MAP_BOX[1] / h, MAP_BOX[2] / w, MAP_BOX[3] / h))
    frame = sheet.frame
    ax.set_facecolor(style.SEA_COLOUR)
    # Simplify to about a third of a pixel at the output resolution: invisible, and files stay small.
    tolerance = frame.metres_per_point * 72.0 / max(dpi, 50) / 3.0
    countries = _countries_in(frame, round(tolerance, 1))
    if len(countries):
        countries.plot(
            ax=ax, color=style.COUNTRY_FILL, edgecolor=style.COUNTRY_EDGE, linewidth=0.6, aspect=None, zorder=1
        )
    border = gpd.GeoSeries(_projected(frame, gpd.GeoSeries([borders.mali_niger_border()])), crs=frame.crs)
    border.plot(ax=ax, color=style.BORDER_COLOUR, linewidth=2.0, linestyle=(0, (4, 2)), aspect=None, zorder=2)
    _draw_labels(ax, sheet, countries)
    _draw_bases(ax, sheet)
    _draw_movements(ax, sheet)
    _draw_events(ax, sheet)
    _draw_cells(ax, sheet)
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
    _draw_legend(legend_ax, sheet)

    fig.text(MAP_BOX[0] / w, 1 - 0.3 / h, TITLE, fontsize=17, fontweight="bold", va="top", color="#111111")
    fig.text(MAP_BOX[0] / w, 1 - 0.72 / h, sheet.scene.period_title, fontsize=12.5, va="top", color="#111111")
    fig.text(
        MAP_BOX[0] / w,
        1 - 1.0 / h,
        f"{sheet.filters} — {sheet.scene.counts_text}",
        fontsize=9.5,
        va="top",
        color="#444444",
    )
    for i, line in enumerate(sheet.attribution):
        fig.text(MAP_BOX[0] / w, (0.3 - 0.17 * i) / h, line, fontsize=7.3, va="bottom", color="#555555")
    return fig


def _save(fig, fmt: str, *, dpi: int, title: str, description: str) -> bytes:
    metadata = {
        "png": {"Software": software_label(), "Title": title, "Description": description},
        "svg": {"Creator": software_label(), "Date": None, "Title": title, "Description": description},
        "pdf": {"Creator": software_label(), "Producer": software_label(), "CreationDate": None, "ModDate": None,
                "Title": title, "Subject": description},
    }[fmt]  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def image_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    options: SnapshotOptions = DEFAULT_OPTIONS,
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
    sheet = build_sheet(events, sources, bases, view, options)
    with _RENDER_LOCK, _rc():
        fig = _figure(sheet, dpi=options.dpi)
        return _save(
            fig,
            fmt,
            dpi=options.dpi,
            title=f"{TITLE}: {sheet.scene.period_title}",
            description=" ".join(sheet.attribution),
        )


def _rc():
    import matplotlib

    return matplotlib.rc_context(_STYLE)
