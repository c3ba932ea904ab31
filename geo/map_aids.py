"""What helps a person read the live map: place names, the events off screen, keyboard access.

Each aid is a small piece of the folium map that :func:`geo.mapview.base_map`
adds once; they run in the browser and follow the map's own events (zoom,
pan, layers added), so they keep working when ``st_folium`` swaps the
event layers without rebuilding the map.

- :func:`place_labels`: the gazetteer's places as text, the mission's towns
  from the first zoom and the others closer in, placed so that no two names
  overlap (each name tries four sides of its dot, in priority order, and is
  hidden when none is free); a white halo keeps them readable without tiles.
- :func:`border_label`: "Mali–Niger border" written along the line itself.
- :class:`OffscreenEvents`: an arrow at the map's edge for the events outside
  the view, with their count and place, that brings them into view on click.
- :class:`KeyboardAccess`: the map frame's title, no tab stops on countries
  and lines, and each event mark a named button that opens its popup with Enter.
"""

from __future__ import annotations

import json

import folium
import pandas as pd
from branca.element import MacroElement
from folium.utilities import JsCode
from jinja2 import Template
from shapely.geometry import LineString

from geo import style
from geo.escaping import html_text as _esc

#: The places of the 2022 withdrawal, named from the first zoom, most important first.
MISSION_PLACES: tuple[str, ...] = ("Bamako", "Niamey", "Gao", "Timbuktu", "Tessit", "Kati", "Paris")
#: The zoom from which the gazetteer's other places are named (the mission's are always named).
OTHER_PLACES_ZOOM = 7
#: The map's title, given to its frame: what a screen reader announces for it.
MAP_TITLE = "Map of the Sahel: events, troop movements and bases in view"


def place_labels(places: pd.DataFrame) -> list[dict]:
    """Return the places to name on the map, most important first.

    One dict per place: ``name``, ``kind``, ``latitude``, ``longitude``,
    ``min_zoom`` (the zoom from which it is named) and ``mission`` (one of
    :data:`MISSION_PLACES`). Countries are left out: the country layer names
    them already.
    """
    rank = {name: i for i, name in enumerate(MISSION_PLACES)}
    rows = places.loc[places["kind"] != "country"]
    labels = [
        {
            "name": str(row["name"]),
            "kind": str(row["kind"]),
            "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
            "min_zoom": 0 if row["name"] in rank else OTHER_PLACES_ZOOM,
            "mission": row["name"] in rank,
        }
        for _, row in rows.iterrows()
    ]
    # Mission places in their order, then the others in the gazetteer's: the placer names them in this order.
    return sorted(labels, key=lambda label: rank.get(label["name"], len(rank)))


#: Draws a place as a dot and its name; the placer below moves the name to a free side of the dot.
_PLACE_FROM_PROPERTIES = JsCode(
    """function (feature, latlng) {
        var p = feature.properties;
        return L.marker(latlng, {interactive: false, keyboard: false, placeLabel: p, icon: L.divIcon({
            html: p.html, iconSize: [0, 0], className: "place-label-icon"})});
    }"""
)

_LABEL_CSS = f"""<style>
.place-label-icon {{ pointer-events: none; }}
.place-dot {{ position: absolute; width: 6px; height: 6px; left: -4px; top: -4px; border-radius: 50%;
  background: {style.LABEL_COLOUR}; border: 1px solid #fff; }}
.place-name {{ position: absolute; left: 7px; top: -8px; font: 600 12px/16px sans-serif; color: {style.LABEL_COLOUR};
  white-space: nowrap; text-shadow: {style.LABEL_HALO}; }}
.place-region .place-dot, .place-tripoint .place-dot, .place-border_crossing .place-dot {{ background: #fff;
  border: 1px solid {style.LABEL_COLOUR}; }}
.place-region .place-name {{ font-style: italic; font-weight: 500; }}
.place-hidden .place-name {{ display: none; }}
.border-label {{ font: italic 600 11px sans-serif; fill: {style.BORDER_COLOUR}; stroke: #fff; stroke-width: 3px;
  paint-order: stroke; stroke-linejoin: round; pointer-events: none; }}
.map-zoom-lt-5 .border-label {{ display: none; }}
</style>"""


def place_label_layer(places: pd.DataFrame) -> folium.GeoJson:
    """Return the places as one GeoJSON layer of dots and names (placed by :class:`PlaceLabelPlacer`)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(label["longitude"], 6), round(label["latitude"], 6)]},
            "properties": {
                "name": label["name"],
                "min_zoom": label["min_zoom"],
                "html": f'<div class="place-label place-{_esc(label["kind"])}"><span class="place-dot"></span>'
                f'<span class="place-name">{_esc(label["name"])}</span></div>',
            },
        }
        for label in place_labels(places)
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="Place names", point_to_layer=_PLACE_FROM_PROPERTIES
    )


class PlaceLabelPlacer(MacroElement):
    """Place each name on a free side of its dot at every zoom, in priority order; hide it if none is free.

    The country names and every place's dot count as taken, so a town's name
    never covers another town. The container also gets ``map-zoom-lt-N``
    classes, which the stylesheet uses to show some text only from zoom N.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}"""
        + _LABEL_CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }
            function place() {
                var zoom = map.getZoom(), container = map.getContainer(), origin = container.getBoundingClientRect();
                for (var z = 1; z <= 19; z++) { container.classList.toggle("map-zoom-lt-" + z, zoom < z); }
                var labels = [];
                map.eachLayer(function (layer) {
                    if (layer.options && layer.options.placeLabel && layer.getElement()) { labels.push(layer); }
                });
                var taken = [];
                container.querySelectorAll(".country-label").forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    taken.push({x1: r.left - origin.left, y1: r.top - origin.top,
                                x2: r.right - origin.left, y2: r.bottom - origin.top});
                });
                labels.forEach(function (layer) {
                    var p = map.latLngToContainerPoint(layer.getLatLng());
                    taken.push({x1: p.x - 4, y1: p.y - 4, x2: p.x + 4, y2: p.y + 4});
                });
                labels.forEach(function (layer) {
                    var el = layer.getElement(), name = el.querySelector(".place-name");
                    var shown = zoom >= layer.options.placeLabel.min_zoom;
                    el.style.display = shown ? "" : "none";
                    if (!shown) { return; }
                    el.classList.remove("place-hidden");
                    var p = map.latLngToContainerPoint(layer.getLatLng());
                    var w = name.offsetWidth || 7 * name.textContent.length, h = name.offsetHeight || 16;
                    // Right, left, above, below the dot, then the four corners.
                    var sides = [[7, -h / 2], [-7 - w, -h / 2], [-w / 2, -h - 5], [-w / 2, 5],
                                 [5, -h - 2], [-5 - w, -h - 2], [5, 2], [-5 - w, 2]];
                    for (var i = 0; i < sides.length; i++) {
                        var box = {x1: p.x + sides[i][0], y1: p.y + sides[i][1],
                                   x2: p.x + sides[i][0] + w, y2: p.y + sides[i][1] + h};
                        if (!taken.some(function (t) { return overlaps(t, box); })) {
                            name.style.left = sides[i][0] + "px";
                            name.style.top = sides[i][1] + "px";
                            taken.push(box);
                            return;
                        }
                    }
                    el.classList.add("place-hidden");
                });
            }
            map.on("zoomend viewreset resize", place);
            map.whenReady(function () { place(); window.requestAnimationFrame(place); });
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(place); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def border_label_line(border: LineString) -> LineString:
    """Return the straight line the border's name is written along: its eastern leg, south to north.

    The Natural Earth line runs from the north (near Algeria) down its
    eastern leg, then west along its southern leg to the tripoint. The
    southern leg is crowded with events (Tessit, Gao, the tri-border area),
    which would cover the name; the eastern leg is clear. South to north, so
    that the text reads upwards, as maps letter a north-south line. The guide
    is lengthened a little at both ends so that the name fits from zoom 5,
    where the leg is about 80 pixels long.
    """
    simple = list(border.simplify(0.3).coords)
    (x1, y1), (x2, y2) = sorted(simple[:2], key=lambda xy: xy[1])  # southern end first
    dx, dy = x2 - x1, y2 - y1
    return LineString([(x1 - 0.15 * dx, y1 - 0.15 * dy), (x2 + 0.15 * dx, y2 + 0.15 * dy)])


class _TextAlongLine(MacroElement):
    """Write a text along a polyline of the map, as SVG ``textPath`` (it follows the line as the map zooms)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (line) {
            function write() {
                var path = line.getElement && line.getElement();
                if (!path || path.__labelled) { return; }
                path.__labelled = true;
                var svg = "http://www.w3.org/2000/svg", id = "{{ this.path_id }}";
                path.setAttribute("id", id);
                var text = document.createElementNS(svg, "text");
                text.setAttribute("class", "{{ this.css_class }}");
                text.setAttribute("dy", "-5");
                var along = document.createElementNS(svg, "textPath");
                along.setAttribute("href", "#" + id);
                along.setAttribute("startOffset", "50%");
                along.setAttribute("text-anchor", "middle");
                along.textContent = {{ this.text_json }};
                text.appendChild(along);
                path.parentNode.appendChild(text);
            }
            line.on("add", write);
            write();
        })({{ this.line.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, line: folium.PolyLine, text: str, css_class: str, path_id: str) -> None:
        super().__init__()
        self.line, self.css_class, self.path_id = line, css_class, path_id
        self.text_json = json.dumps(text)


def border_label(fmap: folium.Map, border: LineString) -> None:
    """Name the Mali–Niger border along its line (an invisible guide line carries the text)."""
    guide = folium.PolyLine(
        [(lat, lon) for lon, lat in border_label_line(border).coords],
        weight=0, opacity=0, interactive=False, class_name="border-label-path",
    )  # fmt: skip
    guide.add_to(fmap)
    fmap.add_child(_TextAlongLine(guide, "Mali–Niger border", "border-label", "mali-niger-border-label-path"))


#: Above the marks (600), below tooltips (650) and popups (700): an open popup is never covered.
_OFFSCREEN_CSS = """<style>
.offscreen-events { position: absolute; inset: 0; pointer-events: none; z-index: 640; }
.offscreen-marker { position: absolute; pointer-events: auto; cursor: pointer; white-space: nowrap;
  font: 600 12px/1.2 sans-serif; color: #fff; background: #222; border: 2px solid #fff; border-radius: 14px;
  padding: 4px 10px; box-shadow: 0 1px 4px rgba(0,0,0,.45); }
.offscreen-marker:hover, .offscreen-marker:focus-visible { background: #000; outline: 3px solid #1965B0; }
</style>"""


class OffscreenEvents(MacroElement):
    """Show, at the map's edge, the events outside the view: an arrow, their count and place; a click brings them in.

    Events are grouped by direction from the map's centre (eight sectors).
    A click fits the map to the marks on screen plus that group, so the user
    keeps the Sahel and sees Paris too. ``window.offscreenEvents`` holds the
    current count (read by tests and by the map frame's title).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}"""
        + _OFFSCREEN_CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var box = L.DomUtil.create("div", "offscreen-events", map.getContainer());
            var arrows = ["→", "↘", "↓", "↙", "←", "↖", "↑", "↗"];
            var pending = null;
            // Place names come escaped as HTML; buttons show them as text.
            function text(escaped) { return new DOMParser().parseFromString(escaped, "text/html").body.textContent; }
            function eventLayers() {
                var found = [];
                map.eachLayer(function (layer) {
                    var p = layer.feature && layer.feature.properties;
                    if (p && p.count && layer.getLatLng) { found.push(layer); }
                });
                return found;
            }
            function bring(bounds) {
                // What is on screen now, plus the group: the user keeps the marks they saw and sees the others.
                var view = map.getBounds(), both = L.latLngBounds(bounds.getSouthWest(), bounds.getNorthEast());
                eventLayers().forEach(function (layer) {
                    if (view.contains(layer.getLatLng())) { both.extend(layer.getLatLng()); }
                });
                map.fitBounds(both, {padding: [48, 48]});
            }
            function update() {
                pending = null;
                var hadFocus = box.contains(document.activeElement);
                box.innerHTML = "";
                var size = map.getSize(), view = map.getBounds(), c = size.divideBy(2), groups = {}, total = 0;
                eventLayers().forEach(function (layer) {
                    if (view.contains(layer.getLatLng())) { return; }
                    var pt = map.latLngToContainerPoint(layer.getLatLng());
                    var sector = (Math.round(Math.atan2(pt.y - c.y, pt.x - c.x) / (Math.PI / 4)) + 8) % 8;
                    (groups[sector] = groups[sector] || []).push(layer);
                });
                Object.keys(groups).sort().forEach(function (sector) {
                    var layers = groups[sector], n = 0, places = [], sx = 0, sy = 0, bounds = L.latLngBounds([]);
                    layers.forEach(function (layer) {
                        var p = layer.feature.properties, pt = map.latLngToContainerPoint(layer.getLatLng());
                        n += p.count;
                        var place = p.place ? text(p.place) : "";
                        if (place && places.indexOf(place) < 0) { places.push(place); }
                        bounds.extend(layer.getLatLng());
                        sx += pt.x; sy += pt.y;
                    });
                    total += n;
                    var dx = sx / layers.length - c.x, dy = sy / layers.length - c.y;
                    var t = Math.min((c.x - 30) / Math.max(Math.abs(dx), 1e-9), (c.y - 24) / Math.max(Math.abs(dy), 1e-9));
                    var where = places.length === 1 ? places[0] : places.length ? places.length + " places" : "";
                    var noun = n === 1 ? " event" : " events";
                    var button = L.DomUtil.create("button", "offscreen-marker", box);
                    button.type = "button";
                    var arrow = L.DomUtil.create("span", "offscreen-arrow", button), label = n + noun + (where ? " · " + where : "");
                    arrow.textContent = arrows[sector] + " ";
                    arrow.setAttribute("aria-hidden", "true");
                    button.appendChild(document.createTextNode(label));
                    // The name starts with the visible words, so that speech control ("click 6 events") finds it.
                    button.setAttribute("aria-label", label + ", outside the map" +
                        (places.length > 1 ? " (" + places.join(", ") + ")" : "") + ": show them");
                    button.title = "Bring " + (n === 1 ? "it" : "them") + " into view";
                    button.dataset.count = n;
                    var w = button.offsetWidth, h = button.offsetHeight;
                    var x = Math.min(Math.max(c.x + dx * t - w / 2, 4), size.x - w - 4);
                    var y = Math.min(Math.max(c.y + dy * t - h / 2, 4), size.y - h - 4);
                    button.style.left = x + "px";
                    button.style.top = y + "px";
                    L.DomEvent.disableClickPropagation(button);
                    L.DomEvent.disableScrollPropagation(button);
                    L.DomEvent.on(button, "click", function () { bring(bounds); });
                });
                window.offscreenEvents = total;
                box.dataset.outside = total;
                if (hadFocus) { (box.querySelector("button") || map.getContainer()).focus(); }
            }
            function later() { if (pending === null) { pending = window.setTimeout(update, 30); } }
            map.on("moveend zoomend resize layeradd layerremove", later);
            map.whenReady(later);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class SteadyCentre(MacroElement):
    """Keep the centre the map reports while the map has not moved.

    Leaflet's ``invalidateSize`` forgets the centre the map was opened at
    (``_lastCenter``) even when the size has not changed, and from then on
    ``getCenter()`` is worked out from the pixel grid: 15.4960 instead of
    15.5. Streamlit re-sizes the map's frame when its layers are swapped,
    Leaflet answers with ``invalidateSize``, and streamlit-folium's next
    report (on ``overlayadd``) then carried a centre the user never chose,
    which cost a rerun and rewrote the link's ``lat``/``lon`` (issue 11).
    When the size is unchanged the view is unchanged, so the exact centre is
    kept; any real move or resize still clears it, as Leaflet intends.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var invalidateSize = map.invalidateSize;
            map.invalidateSize = function (options) {
                var kept = this._loaded ? this._lastCenter : null;
                var size = kept ? this.getSize() : null;
                var result = invalidateSize.call(this, options);
                if (kept && !this._lastCenter && size.equals(this.getSize()) && !this._moved()) {
                    this._lastCenter = kept;
                }
                return result;
            };
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class KeyboardAccess(MacroElement):
    """Make the map usable by keyboard and screen reader.

    - The frame ``st_folium`` draws the map in is titled with :data:`MAP_TITLE`
      (it is same-origin, so the map may set ``window.frameElement.title``).
    - Countries, borders, routes and bases are drawn as SVG paths, which
      Chromium makes tab stops: they get ``tabindex=-1`` so Tab goes to marks.
    - Each event mark (a feature with an ``aria_name`` property, escaped HTML) becomes
      a button named by its title and date; Enter or Space opens its popup, Escape closes it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            try { if (window.frameElement) { window.frameElement.title = {{ this.title_json }}; } } catch (e) {}
            var container = map.getContainer();
            container.setAttribute("role", "region");
            container.setAttribute("aria-label", {{ this.title_json }} +
                ". Arrow keys pan, plus and minus zoom; Tab goes through the event marks, Enter opens one.");
            function mark(layer) {
                var el = layer.getElement && layer.getElement();
                if (!el || el.__keyboard) { return; }
                el.__keyboard = true;
                var p = layer.feature && layer.feature.properties;
                if (!p || !p.aria_name) {
                    // Only SVG shapes: place names (markers) stay readable to screen readers.
                    if (el.tagName.toLowerCase() === "path") { el.setAttribute("tabindex", "-1"); el.setAttribute("aria-hidden", "true"); }
                    return;
                }
                el.setAttribute("tabindex", "0");
                el.setAttribute("role", "button");
                // The name comes escaped as HTML (as every text from data does); the attribute wants it as text.
                el.setAttribute("aria-label", new DOMParser().parseFromString(p.aria_name, "text/html").body.textContent);
                el.addEventListener("keydown", function (e) {
                    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); layer.openPopup(); }
                    else if (e.key === "Escape") { map.closePopup(); }
                });
                el.addEventListener("focus", function () { if (layer.openTooltip) { layer.openTooltip(); } });
                el.addEventListener("blur", function () { if (layer.closeTooltip) { layer.closeTooltip(); } });
            }
            map.on("layeradd", function (e) { mark(e.layer); });
            map.eachLayer(mark);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str = MAP_TITLE) -> None:
        super().__init__()
        self.title_json = json.dumps(title)
