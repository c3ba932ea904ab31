"""What is on screen: the map's frame, the events inside and outside it, and the list that stands for the map.

The map's frame is its bounds (south, west, north, east in degrees), as the
map reports them or as worked out from a centre, a zoom and a size in pixels
(Web Mercator, as Leaflet draws). The events outside it are what the map's
edge arrows point to; the list is the map's text alternative: every event in
view with its date, place, whether it is on screen, and its articles.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo import style
from geo.escaping import html_text, markdown_literal
from geo.events import source_list

#: The map's size in pixels when the page has not said (the dashboard's map at a 1280-pixel-wide window).
DEFAULT_MAP_SIZE = (760, 620)
#: At most this many events are listed; the Events and sources page lists them all.
LIST_LIMIT = 200

Bounds = tuple[float, float, float, float]


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def frame_bounds(center: tuple[float, float], zoom: float, size_px: tuple[int, int] = DEFAULT_MAP_SIZE) -> Bounds:
    """Return (south, west, north, east) of a Leaflet map at ``center`` (lat, lon) and ``zoom``, ``size_px`` wide and high."""
    lat, lon = center
    world_px = 256.0 * 2.0 ** float(zoom)
    half_w = size_px[0] / 2 / world_px * 360.0
    y = _mercator_y(lat)
    half_h = size_px[1] / 2 / world_px * 2 * math.pi

    def lat_of(merc: float) -> float:
        return math.degrees(2 * math.atan(math.exp(merc)) - math.pi / 2)

    return (lat_of(y - half_h), lon - half_w, lat_of(y + half_h), lon + half_w)


def reported_bounds(value) -> Bounds | None:
    """Return the bounds ``st_folium`` reports (``{"_southWest": {...}, "_northEast": {...}}``), or None."""
    try:
        south_west, north_east = value["_southWest"], value["_northEast"]
        bounds = (
            float(south_west["lat"]),
            float(south_west["lng"]),
            float(north_east["lat"]),
            float(north_east["lng"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return bounds if all(math.isfinite(b) for b in bounds) and bounds[0] < bounds[2] else None


def view_bounds(
    reported=None, center: tuple[float, float] | None = None, zoom: float | None = None, size_px=DEFAULT_MAP_SIZE
) -> Bounds:
    """Return the frame on screen: as the map reported it, else worked out from the view's centre and zoom."""
    return reported_bounds(reported) or frame_bounds(
        center or style.DEFAULT_CENTER, style.DEFAULT_ZOOM if zoom is None else zoom, size_px
    )


def on_screen(events: pd.DataFrame, bounds: Bounds) -> np.ndarray:
    """Return, per event, whether its point lies inside ``bounds`` (west and east may cross the antimeridian)."""
    south, west, north, east = bounds
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    inside_lon = (lon >= west) & (lon <= east) if west <= east else (lon >= west) | (lon <= east)
    # Leaflet's bounds may run past ±180 after panning round the world; bring the points along.
    if east > 180 or west < -180:
        inside_lon |= (lon + 360 >= west) & (lon + 360 <= east) | (lon - 360 >= west) & (lon - 360 <= east)
    return (lat >= south) & (lat <= north) & inside_lon


def off_screen_note(events: pd.DataFrame, bounds: Bounds) -> str | None:
    """Return a Markdown sentence on the events in view outside the map's frame (None when all are on screen)."""
    outside = events.loc[~on_screen(events, bounds)]
    if outside.empty:
        return None
    places = list(pd.unique(outside["location"].astype(str)))
    # Markdown (the dashboard shows it in a caption): the place, from a data file, as a literal span.
    where = markdown_literal(places[0]) if len(places) == 1 else f"{len(places)} places"
    verb = "is" if len(outside) == 1 else "are"
    return (
        f"{len(outside):,} of the {len(events):,} {'event' if len(events) == 1 else 'events'} in view {verb} off "
        f"the map's frame ({where}): the arrow at its edge brings {'it' if len(outside) == 1 else 'them'} in."
    )


#: What an in-view row's "Reported by" reads.
_REPORTED_BY_COLUMNS = pd.Index(["dataset", "source_id", "sources"])


def in_view_table(
    events: pd.DataFrame, sources: pd.DataFrame, bounds: Bounds | None = None, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Return the events in view as rows to read instead of the map, by date: what, when, where, on screen, articles.

    Columns: ``Date``, ``Event``, ``Type``, ``Place``, ``On the map`` ("yes",
    or "off screen" when ``bounds`` leaves it out) and ``Reported by`` (the
    articles' ids and headlines; an imported row's data set and id).
    """
    # Events are sorted by date at load; sorting a million rows on every run would cost more than the map.
    ordered = events if events["start"].is_monotonic_increasing else events.sort_values("start", kind="stable")
    first = ordered.head(limit)
    titles = dict(zip(sources["source_id"], sources["display"], strict=True))
    shown = on_screen(first, bounds) if bounds is not None else np.ones(len(first), dtype=bool)

    def reported_by(row) -> str:
        dataset = row.get("dataset")
        if isinstance(dataset, str) and dataset and dataset != "curated":
            return f"{dataset.upper()} {row.get('source_id')}"
        return "; ".join(f"[{i}] {titles.get(i, 'unknown article')}" for i in source_list(row["sources"]))

    return pd.DataFrame(
        {
            "Date": first["date_label"].astype(str).to_numpy(),
            "Event": first["title"].astype(str).to_numpy(),
            "Type": first["event_type"].astype(str).str.replace("_", " ").to_numpy(),
            "Place": first["location"].astype(str).to_numpy(),
            "On the map": np.where(shown, "yes", "off screen"),
            # Only the columns it reads: a row as a Series would convert every category of every
            # categorical column first (each distinct search text of the whole data set).
            "Reported by": [
                reported_by(row)
                for row in first[_REPORTED_BY_COLUMNS.intersection(first.columns, sort=False)].to_dict("records")
            ],
        }
    )


def in_view_html(table: pd.DataFrame, total: int) -> str:
    """Return the list as an HTML table with a caption, every cell escaped (text from data is never markup)."""
    cell = "border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top"
    head = "".join(f'<th scope="col" style="{cell}">{html_text(c)}</th>' for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td style="{cell}">{html_text(str(v))}</td>' for v in values) + "</tr>"
        for values in table.itertuples(index=False)
    )
    more = f", the first {len(table):,} by date" if total > len(table) else ""
    caption = f"The {total:,} {'event' if total == 1 else 'events'} in view{more}, with the articles that report them"
    return (
        '<table id="events-in-view" style="border-collapse:collapse;font:13px/1.4 sans-serif;color:#222;width:100%">'
        f'<caption style="text-align:left;font-weight:600;padding:4px 0">{html_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def map_as_list_html(events: pd.DataFrame, sources: pd.DataFrame, bounds: Bounds | None = None) -> str:
    """Return the map's text alternative: the events in view as a table, or a note when only grid cells are drawn."""
    if not {"title", "date_label", "sources"} <= set(events.columns):
        # With grid cells the view keeps only the columns the cells count (geo.aggregate).
        return (
            f"<p>{len(events):,} events are in view, too many to list beside the map; "
            "the Events and sources page lists them with their sources.</p>"
        )
    return in_view_html(in_view_table(events, sources, bounds), len(events))
