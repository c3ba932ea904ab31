"""The folium map: Natural Earth base layer, event marks, troop movements, bases and legend.

This module is the one door to folium (as geopandas keeps ``explore.py``):
data is prepared for it (EPSG:4326, dates to text, every string from a data
file HTML-escaped) by two plain modules, :mod:`geo.marks` (each mark as a
GeoJSON feature) and :mod:`geo.popups` (the popups' HTML), and the rest of
the code only hands it frames.

The map is split in two so the dashboard can keep the user's pan and zoom:
:func:`base_map` is built once (countries, borders, labels, legend) and
:func:`dynamic_layers` returns the feature groups that change with the date
and filters, which ``st_folium(feature_group_to_add=...)`` swaps in place.
:func:`build_map` joins both for exports.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.utilities import JsCode, get_obj_in_upper_tree
from jinja2 import Template

from geo import borders, gazetteer, map_aids, popups
from geo.escaping import has_template_syntax, html_text
from geo.legend import legend_html
from geo.marks import base_features, cell_features, event_features, movement_features
from geo.style import (
    BORDER_COLOUR,
    BORDER_DASH,
    BORDER_WEIGHT,
    COUNTRY_FILL,
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    PLACE_COLOURS,
    SEA_COLOUR,
)

#: folium's default assets the map needs: Leaflet, and jQuery for folium's popups (built with ``$(...)``).
MAP_ASSETS = frozenset({"leaflet", "leaflet_css", "jquery"})
#: The files in ``geo/assets`` that stand for them when the map is served without a CDN.
LOCAL_ASSET_FILES = {"leaflet": "leaflet.js", "leaflet_css": "leaflet.css", "jquery": "jquery.min.js"}


#: Every string from a data file goes into the map through this: HTML-escaped, and with its
#: braces as character references so that folium's second Jinja pass cannot evaluate it
#: (see :mod:`geo.escaping`).
esc = html_text


def _stable_ids(element, prefix: str) -> None:
    """Give every element of a folium tree a deterministic id, so the same view renders the same bytes."""
    counter = 0

    def visit(node):
        nonlocal counter
        # 32 hex digits, the shape of folium's own uuid4 ids: streamlit-folium
        # rewrites variable names by that shape.
        node._id = hashlib.sha1(f"{prefix}:{counter}".encode()).hexdigest()[:32]
        counter += 1
        children = list(node._children.items())
        node._children.clear()
        for _, child in children:
            visit(child)
            node._children[child.get_name()] = child
        for inner in _outside_children(node):
            visit(inner)

    visit(element)


def _outside_children(node) -> list[Element]:
    """Return the elements a folium element holds outside ``_children``, as popups and figures do."""
    inner = (getattr(node, attribute, None) for attribute in ("html", "header", "script"))
    return [element for element in inner if isinstance(element, Element) and element is not node]


def check_template_inert(element) -> None:
    """Raise ValueError if text anywhere in a folium tree could still be evaluated as a Jinja template.

    folium renders every element's output a second time as a template (see
    :mod:`geo.escaping`), so one string that reached the map without
    :func:`esc` would be code run on the server. This walks the tree the
    dashboard or an export is about to render and refuses it instead: a
    programming error caught before a reader's text is evaluated.
    """

    def texts(node):
        for attribute in ("data", "text", "_template_str"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict | list):
                yield json.dumps(value, ensure_ascii=False)

    def visit(node):
        for text in texts(node):
            if has_template_syntax(text):
                raise ValueError(f"{node.get_name()} holds template syntax: its text reached folium without esc()")
        for child in [*node._children.values(), *_outside_children(node)]:
            visit(child)

    visit(element)


class _FocusWithoutScroll(MacroElement):
    """Stop Leaflet's focus-on-mousedown from scrolling the page that holds the map.

    Leaflet focuses the map container on mousedown (for keyboard panning).
    Inside an iframe (st_folium) that scrolls the host page when the map is
    partly off-screen, so the mouseup lands elsewhere and the click on a
    mark is lost: no popup. Focusing with ``preventScroll`` keeps keyboard
    panning and the click.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var focus = HTMLElement.prototype.focus;
            if (focus.__keepsScroll) { return; }
            HTMLElement.prototype.focus = function (options) {
                if (this.classList && this.classList.contains("leaflet-container")) {
                    return focus.call(this, Object.assign({preventScroll: true}, options || {}));
                }
                return focus.call(this, options);
            };
            HTMLElement.prototype.focus.__keepsScroll = true;
        })();
        {% endmacro %}
        """
    )


@lru_cache(maxsize=8)
def _country_shapes_json(iso3_codes: tuple[str, ...]) -> str:
    """Return the countries as GeoJSON text, simplified for display; built once per set of codes.

    About 2 km of tolerance on a 0.001-degree grid: invisible at the zooms
    the Sahel is read at, and a quarter of the bytes the browser must parse.
    Text rather than a dict, so that no caller can change the cached value.
    """
    shapes = borders.countries_frame(iso3_codes)[["iso3", "name", "geometry"]].copy()
    shapes["geometry"] = shapes.geometry.simplify(0.02, preserve_topology=True).set_precision(0.001)
    shapes["name"] = shapes["name"].map(esc)
    return shapes.to_json(drop_id=True)


class _KnownBoundsGeoJson(folium.GeoJson):
    """A GeoJson layer whose bounds are given rather than walked coordinate by coordinate.

    streamlit-folium asks the map for its bounds on every run; folium finds
    them with a Python loop over every vertex (tens of milliseconds for the
    countries), though they never change.
    """

    def __init__(self, data, bounds: list[list[float]], **kwargs) -> None:
        super().__init__(data, **kwargs)
        self._known_bounds = bounds

    def _get_self_bounds(self) -> list[list[float]]:
        return self._known_bounds


@lru_cache(maxsize=8)
def _country_bounds(iso3_codes: tuple[str, ...]) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in borders.countries_frame(iso3_codes).total_bounds)


#: Where :func:`country_asset` writes the countries' GeoJSON for the live map: beside its Leaflet
#: (``geo/assets``, which the dashboard serves as ``/app/static``), in a folder git ignores.
GENERATED_ASSETS = Path(__file__).resolve().parent / "assets" / "generated"


def country_asset(iso3_codes: tuple[str, ...], folder: Path = GENERATED_ASSETS) -> str | None:
    """Write the countries' GeoJSON (:func:`_country_shapes_json`) into ``folder`` once; return its name there.

    The live map fetches it rather than carrying it in its script: streamlit-folium sends the
    whole script with every run, and the countries were 175 kB of its 211 kB, for every
    reader's every slider move. The name holds the text's SHA-256, so a new derivation is a
    new file and a browser never keeps a stale one. ``None`` when the folder cannot be
    written (a read-only install): the map then carries the countries itself.
    """
    text = _country_shapes_json(iso3_codes)
    name = f"countries-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    path = folder / name
    try:
        if not (path.is_file() and path.read_text(encoding="utf-8") == text):
            folder.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(scratch, path)  # a reader sees no file or the whole one
    except OSError:
        return None
    return name


class _LinkedGeoJson(_KnownBoundsGeoJson):
    """A GeoJson layer whose browser fetches its data from ``link`` (folium's ``embed=False``), the bounds given.

    folium's own ``embed=False`` takes a file name and writes it as the link; the
    live map's page finds the file at another address (``/app/static/...``) than
    the server (``geo/assets/...``), so the link is set apart from the data.
    """

    def __init__(self, data, link: str, bounds: list[list[float]], **kwargs) -> None:
        super().__init__(data, bounds, **kwargs)
        self.embed = False
        self.embed_link = link


def _country_layer(countries: gpd.GeoDataFrame, *, highlight: bool, asset_url: str | None = None) -> folium.GeoJson:
    """Return the Natural Earth countries as the map's base layer, named on hover.

    With ``asset_url`` (the live map), the browser fetches them from there (:func:`country_asset`);
    otherwise (exports, a folder that cannot be written) they are in the map's script.
    """
    codes = tuple(sorted(countries["iso3"]))
    west, south, east, north = _country_bounds(codes)
    name = country_asset(codes) if asset_url is not None else None
    linked = {} if name is None else {"link": f"{asset_url.rstrip('/')}/generated/{name}"}
    layer_class = _KnownBoundsGeoJson if name is None else _LinkedGeoJson
    return layer_class(
        json.loads(_country_shapes_json(codes)) if name else _country_shapes_json(codes),
        **linked,
        bounds=[[south, west], [north, east]],
        name="Countries (Natural Earth)",
        style_function=lambda _: {"fillColor": COUNTRY_FILL, "color": "#7A7A7A", "weight": 1, "fillOpacity": 0.85},
        highlight_function=(lambda _: {"weight": 2, "color": "#444444"}) if highlight else None,
        tooltip=folium.GeoJsonTooltip(fields=["name", "iso3"], aliases=["Country", "ISO"]),
    )


#: Draws a label point as text on the map (a DivIcon that takes no clicks).
_LABEL_FROM_PROPERTIES = JsCode(
    """function (feature, latlng) {
        return L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon(
            {html: feature.properties.label, iconSize: [0, 0], className: "country-label-icon"})});
    }"""
)


def _country_labels(countries: gpd.GeoDataFrame) -> folium.GeoJson:
    """Return the countries' names at their Natural Earth label points, as one layer.

    One GeoJSON layer rather than a Marker and DivIcon per country: folium
    renders one template instead of three per label on every run.
    """
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row["label_lon"]), float(row["label_lat"])]},
            "properties": {
                "label": '<div class="country-label" style="font: 600 12px sans-serif; color: #555; '
                f'white-space: nowrap; transform: translate(-50%, -50%);">{esc(row["name"])}</div>'
            },
        }
        for _, row in countries.iterrows()
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="Country names", point_to_layer=_LABEL_FROM_PROPERTIES
    )


def _border_line(border) -> folium.PolyLine:
    """Return the Mali–Niger border as the map draws it: the one red dash-dot line."""
    return folium.PolyLine(
        [(lat, lon) for lon, lat in border.coords],
        color=BORDER_COLOUR, weight=BORDER_WEIGHT, dash_array=BORDER_DASH, tooltip="Mali–Niger border",
        name="Mali–Niger border", class_name="mali-niger-border",
    )  # fmt: skip


def _lean_assets(fmap: folium.Map, asset_url: str | None) -> None:
    """Link only Leaflet, its CSS and jQuery, from ``asset_url`` when given (the dashboard serves geo/assets).

    folium also links Bootstrap, Font Awesome and awesome-markers (seven files,
    ~500 kB), which the browser would fetch and parse before drawing anything;
    and from CDNs, which an offline dashboard cannot reach.
    """
    fmap.default_js = [(name, url) for name, url in fmap.default_js if name in MAP_ASSETS]
    fmap.default_css = [(name, url) for name, url in fmap.default_css if name in MAP_ASSETS]
    fmap.get_root().header.add_child(
        folium.Element(f"<style>.leaflet-container {{ background: {SEA_COLOUR} !important; }}</style>")
    )
    if asset_url is not None:
        base = asset_url.rstrip("/")
        fmap.default_js = [(name, f"{base}/{LOCAL_ASSET_FILES[name]}") for name, _ in fmap.default_js]
        fmap.default_css = [(name, f"{base}/{LOCAL_ASSET_FILES[name]}") for name, _ in fmap.default_css]
        # leaflet.css looks for its layer-control icon in images/, which geo/assets keeps beside it.
        fmap.get_root().header.add_child(folium.Element(
            f'<style>.leaflet-control-layers-toggle {{ background-image: url("{base}/layers.png"); }}</style>'))  # fmt: skip


def base_map(
    *,
    tiles: bool = False,
    countries: gpd.GeoDataFrame | None = None,
    legend: bool = True,
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    asset_url: str | None = None,
) -> folium.Map:
    """Return the static map: Natural Earth countries, labels, the Mali–Niger border and the legend.

    Parameters
    ----------
    tiles
        Show the OpenStreetMap tile layer at start (users online); it stays
        available in the layer control either way, and the map reads without it.
    countries
        The countries to draw (default: the Sahel and its neighbours).
    legend
        Float the legend over the map (exports); the dashboard shows it beside the map instead.
    center, zoom
        Where the map opens, (lat, lon) and Leaflet zoom. The dashboard opens it
        where a link says and then leaves the viewport to the map (see
        ``geo.ui.map_start``), rather than moving it with ``st_folium(center=...)``.
    asset_url
        Where the page finds ``geo/assets``' copies of Leaflet and jQuery (the
        dashboard serves them as static files), instead of their CDNs; None
        keeps folium's links (exports inline the files themselves).
    """
    countries = borders.countries_frame() if countries is None else countries
    fmap = folium.Map(location=list(center), zoom_start=int(zoom), tiles=None, control_scale=True,
                      prefer_canvas=False)  # fmt: skip
    _lean_assets(fmap, asset_url)
    fmap.add_child(map_aids.KeyboardAccess())
    fmap.add_child(map_aids.SteadyCentre())
    folium.TileLayer("OpenStreetMap", name="Web map tiles (online only)", overlay=True, show=tiles,
                     control=True).add_to(fmap)  # fmt: skip
    _country_layer(countries, highlight=True, asset_url=asset_url).add_to(fmap)
    _country_labels(countries).add_to(fmap)
    border = borders.mali_niger_border()
    _border_line(border).add_to(fmap)
    map_aids.border_label(fmap, border)
    map_aids.place_label_layer(gazetteer.load_gazetteer()).add_to(fmap)
    fmap.add_child(map_aids.PlaceLabelPlacer())
    fmap.add_child(map_aids.OffscreenEvents())
    if legend:
        fmap.get_root().html.add_child(folium.Element(legend_html()))
    fmap.add_child(_FocusWithoutScroll())
    _stable_ids(fmap, "base")
    return fmap


#: Draws a point feature as a mark styled by its own properties (colour, size, outline, class) and
#: shaped by ``shape``: a circle, or a square, diamond or triangle of the circle's area, so that the
#: area still reads as the toll. The other shapes are circle marks whose SVG path is redrawn.
_CIRCLE_FROM_PROPERTIES = JsCode(
    """function (feature, latlng) {
        var mark = L.circleMarker(latlng, feature.properties.style), shape = feature.properties.shape;
        if (!shape || shape === "circle") { return mark; }
        mark._updatePath = function () {
            if (!this._renderer._setPath) { return L.CircleMarker.prototype._updatePath.call(this); }
            var p = this._point, r = this._radius, d;
            if (shape === "square") {
                var h = 0.886 * r;
                d = "M" + (p.x - h) + "," + (p.y - h) + "h" + 2 * h + "v" + 2 * h + "h" + -2 * h + "z";
            } else if (shape === "diamond") {
                var a = 1.253 * r;
                d = "M" + p.x + "," + (p.y - a) + "L" + (p.x + a) + "," + p.y + "L" + p.x + "," + (p.y + a) +
                    "L" + (p.x - a) + "," + p.y + "z";
            } else {
                d = "M" + p.x + "," + (p.y - 1.555 * r) + "L" + (p.x + 1.347 * r) + "," + (p.y + 0.778 * r) +
                    "L" + (p.x - 1.347 * r) + "," + (p.y + 0.778 * r) + "z";
            }
            this._renderer._setPath(this, d);
        };
        return mark;
    }"""
)
#: Styles a line or area from its properties (a point took its style when made, above) and binds
#: its popup and tooltip where it has them. Their HTML was escaped in Python (``esc``), so the
#: browser only receives text it can show as is. The style is set before the layer joins the map,
#: so its ``className`` reaches the SVG path.
_BIND_FEATURE_TEXT = JsCode(
    """function (feature, layer) {
        var p = feature.properties;
        if (feature.geometry.type !== "Point" && p.style) { layer.setStyle(p.style); }
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: p.popup_width}); }
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: !!p.tooltip_sticky}); }
    }"""
)


_LINE_BREAKS = re.compile(r"\r\n|\r")


class _VerbatimScript(Element):
    """A script that joins the page as written, where branca would compile it as a template first.

    Jinja writes every line break as ``\\n`` and drops one trailing line break of a
    template's text, so this does too: the page is byte for byte what folium would
    write for text with no template syntax.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        text = _LINE_BREAKS.sub("\n", self.text)
        return text[:-1] if text.endswith("\n") else text


class _FeatureLayer(folium.GeoJson):
    """A GeoJSON layer whose script (the features' JSON) joins the page without a second template pass.

    branca's ``MacroElement.render`` wraps every rendered script in an ``Element``,
    which compiles it again as a Jinja template: for a layer of a few hundred
    features that is tens of kilobytes of JSON lexed and compiled on every slider
    move, for nothing (its text comes from data, escaped, and holds no template
    syntax: :func:`check_template_inert`). This renders as ``folium.GeoJson``
    does for a layer with no style or highlight functions (the features carry
    their style), through :class:`_VerbatimScript`; tests/test_mapview.py checks
    that the page is byte for byte folium's.
    """

    def render(self, **kwargs) -> None:
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        if self.show:  # folium.map.Layer.render
            self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")  # fmt: skip
        figure = self.get_root()
        figure.script.add_child(_VerbatimScript(self._template.module.script(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


def _feature_layer(features: list[dict], name: str) -> folium.GeoJson:
    """Return features as one GeoJSON layer whose marks, lines, popups and tooltips come from their properties.

    One layer rather than one CircleMarker (or PolyLine, Rectangle), Tooltip and
    Popup element each: folium renders one template instead of three per mark,
    and the script sent is a third of the size.
    """
    return _FeatureLayer(
        {"type": "FeatureCollection", "features": features},
        name=name,
        point_to_layer=_CIRCLE_FROM_PROPERTIES,
        on_each_feature=_BIND_FEATURE_TEXT,
    )


def layer_features(group: folium.FeatureGroup) -> list[dict]:
    """Return the GeoJSON features of the point layers in ``group`` (for tests and inspection)."""
    return [
        feature
        for child in group._children.values()
        if isinstance(child, folium.GeoJson)
        for feature in child.data["features"]
    ]


def _event_marks(
    group: folium.FeatureGroup, events: pd.DataFrame, status: Iterable[str], sources: pd.DataFrame, zoom: int
) -> None:
    if len(events):
        _feature_layer(event_features(events, status, sources, zoom), "Event marks").add_to(group)


def _movement_marks(group: folium.FeatureGroup, moves: gpd.GeoDataFrame, sources: pd.DataFrame) -> None:
    """Draw the movements under way or done as one GeoJSON layer (:func:`geo.marks.movement_features`)."""
    features = movement_features(moves, sources)
    if features:
        _feature_layer(features, "Movement marks").add_to(group)


def _base_marks(group: folium.FeatureGroup, bases: gpd.GeoDataFrame) -> None:
    """Draw the bases as one GeoJSON layer (:func:`geo.marks.base_features`)."""
    if len(bases):
        _feature_layer(base_features(bases), "Base marks").add_to(group)


class _ForgetRemovedGroups(MacroElement):
    """Let go of the layer groups of earlier runs that streamlit-folium keeps listing.

    streamlit-folium 0.27.4 removes ``window.feature_group``'s groups from the
    map before adding a run's new ones, but never empties the list: every
    slider step leaves three more groups (and all their marks) in memory.
    This runs first in the new groups' script, after the old ones came off
    the map, and keeps only the groups still on it. Exports have no such
    list and skip it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.feature_group && window.map) {
            window.feature_group = window.feature_group.filter(function (g) { return window.map.hasLayer(g); });
        }
        {% endmacro %}
        """
    )


def dynamic_layers(
    events: pd.DataFrame,
    status: Iterable[str],
    moves: gpd.GeoDataFrame,
    bases: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    *,
    aggregated: gpd.GeoDataFrame | None = None,
    zoom: int | None = None,
) -> list[folium.FeatureGroup]:
    """Return the feature groups that change with the view: bases, movements, events.

    ``aggregated``, when given, replaces the individual event marks with
    grid cells (see :mod:`geo.aggregate`) so the payload stays bounded.
    """
    base_group = folium.FeatureGroup(name="Bases")
    base_group.add_child(_ForgetRemovedGroups())
    _base_marks(base_group, bases)
    move_group = folium.FeatureGroup(name="Troop movements")
    _movement_marks(move_group, moves, sources)
    event_group = folium.FeatureGroup(name="Events")
    if aggregated is not None:
        _aggregate_marks(event_group, aggregated)
    else:
        _event_marks(event_group, events, status, sources, zoom or DEFAULT_ZOOM)
    groups = [base_group, move_group, event_group]
    for i, group in enumerate(groups):
        _stable_ids(group, f"layer{i}_")
        check_template_inert(group)
    return groups


def _aggregate_marks(group: folium.FeatureGroup, cells: gpd.GeoDataFrame) -> None:
    """Draw grid cells with their event count and toll (scales to any number of events).

    One GeoJSON layer (see :func:`_feature_layer`): about 400 bytes and 0.06 ms per cell.
    """
    if not cells.empty:
        _feature_layer(cell_features(cells), "Event cells").add_to(group)


def build_map(
    events: pd.DataFrame,
    status: Iterable[str],
    moves: gpd.GeoDataFrame,
    bases: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    *,
    tiles: bool = False,
    title: str | None = None,
    attribution: str | None = None,
    aggregated: gpd.GeoDataFrame | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
) -> folium.Map:
    """Return one whole map (base layer plus the view's layers), for exports and tests."""
    fmap = base_map(tiles=tiles, legend=False)
    fmap.get_root().html.add_child(
        folium.Element(legend_html(events if aggregated is None else events.iloc[:0], status, moves, bases, aggregated))
    )
    if center is not None:
        fmap.location = list(center)
    if zoom is not None:
        fmap.options["zoom"] = int(zoom)
    for group in dynamic_layers(events, status, moves, bases, sources, aggregated=aggregated, zoom=zoom):
        group.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    if title:
        fmap.get_root().html.add_child(folium.Element(
            f'<div id="map-title" style="position:fixed;top:10px;left:60px;z-index:9999;background:rgba(255,255,255,.92);'
            f'padding:6px 10px;border:1px solid #999;border-radius:4px;font:600 14px sans-serif">{esc(title)}</div>'))  # fmt: skip
    if attribution:
        fmap.get_root().html.add_child(folium.Element(
            f'<div id="map-attribution" style="position:fixed;bottom:4px;right:10px;z-index:9999;'
            f'background:rgba(255,255,255,.85);padding:2px 6px;font:11px sans-serif">{esc(attribution)}</div>'))  # fmt: skip
    _stable_ids(fmap, "map")
    check_template_inert(fmap)
    return fmap


def gazetteer_map(
    places: pd.DataFrame,
    *,
    pair: tuple[str, str] | None = None,
    pair_km: float | None = None,
    countries: gpd.GeoDataFrame | None = None,
    asset_url: str | None = None,
) -> folium.Map:
    """Return a small map of the gazetteer's places, and the geodesic between two of them.

    Parameters
    ----------
    places
        The gazetteer (``name``, ``kind``, ``country``, ``latitude``,
        ``longitude``, ``basis``).
    pair
        Two place names to join with their geodesic; the map is fitted to them.
    pair_km
        The distance to show on that line.
    countries
        The countries to draw (default: the Sahel and its neighbours).
    asset_url
        Where the page finds Leaflet and jQuery (as for :func:`base_map`); None keeps folium's links.
    """
    countries = borders.countries_frame() if countries is None else countries
    # No zoom animation: the map opens straight at the chosen pair instead of
    # zooming into it on every choice (and screenshots never catch it half-way).
    fmap = folium.Map(location=DEFAULT_CENTER, zoom_start=DEFAULT_ZOOM, tiles=None, control_scale=True,
                      zoom_animation=False)  # fmt: skip
    _lean_assets(fmap, asset_url)
    fmap.add_child(map_aids.KeyboardAccess("Map of the places the articles name"))
    _country_layer(countries, highlight=False).add_to(fmap)
    _border_line(borders.mali_niger_border()).add_to(fmap)
    for _, place in places.iterrows():
        kind = str(place["kind"])
        area = kind in ("region", "country")
        colour = PLACE_COLOURS.get(kind, "#333333")
        folium.CircleMarker(
            location=(float(place["latitude"]), float(place["longitude"])),
            radius=7, color=colour, weight=3, dash_array="3 3" if area else None,
            fill=not area, fill_color=colour, fill_opacity=0.9,
            tooltip=f"{esc(place['name'])} ({esc(kind.replace('_', ' '))}, {esc(place['country'])})",
            popup=folium.Popup(popups.place_popup_html(place), max_width=280),
            class_name=f"place-mark place-{esc(kind)}",
        ).add_to(fmap)  # fmt: skip
        folium.Marker(
            location=(float(place["latitude"]), float(place["longitude"])),
            icon=folium.DivIcon(
                html='<div class="place-label" style="font: 600 11px sans-serif; color: #333; white-space: nowrap; '
                'transform: translate(10px, -50%); text-shadow: 0 0 3px #fff, 0 0 3px #fff;">'
                f"{esc(place['name'])}</div>",
                icon_size=(0, 0),
            ),
            interactive=False,
        ).add_to(fmap)
    if pair is not None:
        ends = places.set_index("name").loc[list(pair), ["longitude", "latitude"]].to_numpy(dtype=float)
        (lon1, lat1), (lon2, lat2) = ends
        inner = borders.GEOD.npts(lon1, lat1, lon2, lat2, 32)
        line = [(lat1, lon1), *[(lat, lon) for lon, lat in inner], (lat2, lon2)]
        label = f"{esc(pair[0])} – {esc(pair[1])}" + (f": {pair_km:,.0f} km" if pair_km is not None else "")
        folium.PolyLine(line, color="#222222", weight=3, tooltip=label, class_name="place-pair").add_to(fmap)
        if (lat1, lon1) != (lat2, lon2):
            fmap.fit_bounds([[min(lat1, lat2), min(lon1, lon2)], [max(lat1, lat2), max(lon1, lon2)]],
                            padding=(30, 30), max_zoom=7)  # fmt: skip
    _stable_ids(fmap, "places")
    check_template_inert(fmap)
    return fmap
