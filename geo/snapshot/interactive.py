"""The interactive HTML export: the dashboard's folium map, and its time control, in one file that opens offline.

Leaflet and jQuery are inlined from ``geo/assets/`` (see its README), so the file opens by double-click
with no network.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import filters, style
from geo.escaping import html_text
from geo.snapshot.frame import html_view
from geo.snapshot.options import DEFAULT_OPTIONS, TITLE, SnapshotError, SnapshotOptions
from geo.snapshot.sheet import build_sheet
from geo.view import View

ASSETS = Path(__file__).resolve().parent.parent / "assets"


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


def html_bytes(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    options: SnapshotOptions = DEFAULT_OPTIONS,
) -> bytes:
    """Return the interactive map of the view as one HTML file that needs no network (UTF-8).

    The map carries the dashboard's time control (:mod:`geo.playback`): Play runs the view's span in
    the browser at the chosen speed, marks appearing as their date passes. So the file holds the marks
    of the whole span, and the control shows those of the view's date when the page opens. Above the
    aggregation threshold the map draws grid cells, which cannot play: Play is disabled and says why.
    """
    from geo import mapview, playback  # folium: only this format needs it

    sheet = build_sheet(events, sources, bases, view, options)
    scene = sheet.scene
    # The map opens on the view's centre, or on the ground the static map fits; its marks (grid cells
    # above the dashboard's threshold, so a file of a million events exports a map a browser can open)
    # are the scene's, laid out for that zoom.
    center, zoom = (scene.view.center, scene.zoom) if scene.view.center is not None else html_view(sheet.frame)
    control, marks = _time_control(events, scene, options, playback)
    fmap = mapview.build_map(
        marks.shown, marks.status, scene.moves, scene.bases, sources, tiles=False,
        title=f"{TITLE} — {scene.period_title} · {sheet.filters}", attribution=sheet.attribution[0],
        center=center, zoom=zoom, aggregated=marks.cells,
    )  # fmt: skip
    playback.add_time_control(fmap, control)
    root = fmap.get_root()
    root.title = html_text(f"{TITLE}: {scene.period_title}")
    return inline_assets(root.render()).encode("utf-8")


def _time_control(events: gpd.GeoDataFrame, scene, options: SnapshotOptions, playback):
    """Return the time control's data and the marks the map holds for it, as the dashboard decides them.

    While it plays the dashboard draws the marks of the view at the end of its span
    (:func:`geo.playback.playing_view`) and lets the control show each as its date passes; a file has
    no server to ask, so it holds those marks from the start. Play is offered only when that span's
    events are few enough to draw one by one (:data:`geo.aggregate.AGGREGATE_THRESHOLD`).
    """
    from geo import aggregate

    view = scene.view
    played = playback.playing_view(events, view)
    can_play = filters.count_rows(events, filters.rows_in_view(events, played)) <= aggregate.AGGREGATE_THRESHOLD
    marks = (
        aggregate.view_marks(events, played, show_earlier=options.show_earlier, zoom=scene.zoom)
        if can_play
        else scene.marks
    )
    # Every movement of the span, for the control to glide along while it plays.
    troops = view.with_changes(text="", types=("troop_movement",))
    span_moves = filters.filter_events(events, playback.playing_view(events, troops))
    control = playback.control_data(events, view, span_moves, can_play=can_play, colours=style.MOVEMENT_COLOURS)
    return control, marks
