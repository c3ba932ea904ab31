"""Playback in the browser: an in-map Leaflet time control that moves the date without the server.

The control (:class:`TimeControl`, a folium ``MacroElement``) plays the view's
period at a chosen speed: marks appear as their date passes (and fade a month
after they end, as the server draws them), and each troop movement's position
glides along its route, every animation frame, with no rerun per step. It
reads the day numbers that :func:`geo.marks.event_features` puts on each mark
(``day``, ``end_day``: days since 1970-01-01) and draws the movements from the
routes given here.

Inside the dashboard (streamlit-folium's iframe) the control tells the server
when play starts, pauses or ends, so that the sidebar, the counts and the URL
follow the paused date. streamlit-folium 0.27.4 returns only fixed keys; the
control writes its message into ``selected_tags`` (which the app asks for in
``returned_objects`` and nothing else on this map sets) and sends the value the
component itself would send, so its next report finds nothing new and reruns
nothing. In an exported HTML file there is no Streamlit, and it only plays.

Every value reaches the page as JSON whose ``<``, ``>``, ``&``, quotes and
braces are escaped as ``\\uXXXX``: text from a data file can neither end the
script element nor be read as a template expression.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo import borders, filters
from geo.escaping import has_template_syntax
from geo.movements import route_line
from geo.style import MOVEMENT_COLOURS
from geo.view import View

#: Speeds offered by the control: label -> days of the view per second of playback.
SPEEDS: dict[str, float] = {"a week per second": 7.0, "a month per second": 30.4375, "a year per second": 365.25}
DEFAULT_SPEED = "a month per second"
#: Prefix of the control's message in streamlit-folium's ``selected_tags``.
MESSAGE_PREFIX = "sahel-playback:"
#: As :func:`geo.filters.recency`: an event fades this many days after it ends.
RECENT_DAYS = 31
_EPOCH = date(1970, 1, 1)

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "{": "\\u007b", "}": "\\u007d"}


def day_number(day) -> int:
    """Return a date as whole days since 1970-01-01 (the control's clock unit)."""
    return (pd.Timestamp(day).date() - _EPOCH).days


def from_day_number(number: float) -> date:
    """Return the date of a (possibly fractional) day number."""
    return _EPOCH + timedelta(days=int(np.floor(number)))


def script_json(value) -> str:
    """Return ``value`` as JSON that is safe inside a ``<script>`` and inert for Jinja."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # Outside strings JSON has no < > & ' characters; braces there are the object's own and must stay.
    out, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            else:
                ch = _ESCAPES.get(ch, ch)
        elif ch == '"':
            in_string = True
        out.append(ch)
    joined = "".join(out)
    # An object's own braces can still meet as "{{" or "}}" (nested objects): a space keeps them apart.
    while "{{" in joined or "}}" in joined:
        joined = joined.replace("{{", "{ {").replace("}}", "} }")
    return joined


@dataclass(frozen=True)
class PlaySpan:
    """Where playback of a view starts and ends, and why it starts there."""

    start: date
    end: date
    note: str


def play_span(events: pd.DataFrame, view: View) -> PlaySpan:
    """Return the days playback runs over from the view's date.

    In 'as_of' mode it runs from the view's date to the data's last day; at or
    after the last event it starts again from the first event, and the note
    says so. In 'window' mode it runs over the window.
    """
    last = filters.date_bounds(events)[1]
    if view.mode == "window":
        start, end = (stamp.date() for stamp in view.window)
        return PlaySpan(start, end, f"Playing the window from {filters.format_day(start)}.")
    days = filters.event_dates(events)
    if not days:
        return PlaySpan(view.as_of, view.as_of, "")
    if view.as_of >= days[-1]:
        return PlaySpan(days[0], last, f"The date was at or after the last event, so playback starts from the "
                                       f"first event, {filters.format_day(days[0])}.")  # fmt: skip
    return PlaySpan(view.as_of, last, "")


def playing_view(events: pd.DataFrame, view: View) -> View:
    """Return the view whose marks the control needs while playing: the view at the end of its span."""
    span = play_span(events, view)
    if view.mode == "window":
        return view
    return view.with_changes(as_of=span.end)


@lru_cache(maxsize=64)
def _track(route: str) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    """Return a route's drawn points as (lat, lon) and their cumulative geodesic km, once per route."""
    lon, lat = np.asarray(route_line(route).coords, dtype=float).T
    legs = np.asarray(borders.distance_km(lon[:-1], lat[:-1], lon[1:], lat[1:]), dtype=float).reshape(-1)
    points = tuple((round(float(y), 5), round(float(x), 5)) for x, y in zip(lon, lat, strict=True))
    return points, tuple(round(float(k), 3) for k in np.concatenate([[0.0], np.cumsum(legs)]))


def movement_tracks(moves: pd.DataFrame) -> list[dict]:
    """Return each troop movement's route as (lat, lon) points with their cumulative geodesic km and its days.

    ``moves`` holds troop-movement events (``event_id``, ``route``, ``start``, ``end``, ``title``).
    """
    tracks = []
    # Only these columns: itertuples over the whole frame would build every column's values first.
    for event_id, route, start, end, title in zip(moves["event_id"], moves["route"], moves["start"], moves["end"],
                                                  moves["title"], strict=True):  # fmt: skip
        points, km = _track(str(route))
        tracks.append({"id": str(event_id), "route": [list(p) for p in points], "km": list(km),
                       "start": day_number(start), "end": day_number(end), "title": str(title)})  # fmt: skip
    return tracks


def control_data(
    events: pd.DataFrame,
    view: View,
    moves: gpd.GeoDataFrame,
    *,
    playing: bool = False,
    handled: str | None = None,
    can_play: bool = True,
    play_from: date | None = None,
    colours: dict[str, str] | None = None,
) -> dict:
    """Return what the time control needs: the view's day, the span, the movements, the server's play state.

    Parameters
    ----------
    events
        The events the view draws from (for the span's first and last days).
    view
        The view on screen.
    moves
        The troop-movement events of the whole span (see :func:`movement_tracks`).
    playing
        Whether the server has recorded that the control is playing.
    handled
        The id of the control's last message the server applied (None: none yet).
    can_play
        False when the map draws grid cells instead of marks: then Play is disabled and says why.
    play_from
        Where the server recorded that playing started (while ``playing``).
    colours
        Movement colours by state ('under way', 'done'); by default the map's own (:data:`geo.style.MOVEMENT_COLOURS`).
    """
    span = play_span(events, view)
    if play_from is not None:
        span = PlaySpan(play_from, span.end, span.note if play_from == span.start else "")
    if view.mode == "window":
        day = day_number(view.window[1])
        window_start = day_number(view.window[0])
    else:
        day = day_number(view.as_of)
        window_start = None
    return {
        "mode": view.mode,
        "day": day,
        "from": day_number(span.start),
        "end": day_number(span.end),
        "note": span.note,
        "windowStart": window_start,
        "recentDays": RECENT_DAYS,
        "speeds": [[label, per_second] for label, per_second in SPEEDS.items()],
        "defaultSpeed": DEFAULT_SPEED,
        "moves": movement_tracks(moves),
        "colours": {state: (colours or MOVEMENT_COLOURS)[state] for state in ("under way", "done")},
        "playing": bool(playing),
        "handled": handled,
        "canPlay": bool(can_play),
        "prefix": MESSAGE_PREFIX,
    }


def read_message(selected_tags) -> dict | None:
    """Return the control's message from streamlit-folium's ``selected_tags``, or None.

    A message is ``{"id": str, "action": "play" | "pause" | "end", "date": "YYYY-MM-DD"}``;
    anything else (or a malformed one) is None.
    """
    if not isinstance(selected_tags, list):
        return None
    for tag in selected_tags:
        if isinstance(tag, str) and tag.startswith(MESSAGE_PREFIX):
            try:
                message = json.loads(tag[len(MESSAGE_PREFIX) :])
                day = date.fromisoformat(str(message["date"]))
            except (ValueError, KeyError, TypeError):
                return None
            if message.get("action") not in ("play", "pause", "end") or not isinstance(message.get("id"), str):
                return None
            return {"id": message["id"], "action": message["action"], "date": day}
    return None


class TimeControl(MacroElement):
    """The in-map time control: Play / Pause, speed, the date shown; filters the marks in the browser.

    Add it to the map (exports) or to a feature group that streamlit-folium
    swaps (the dashboard): it is created once per page and reloaded with the
    new data each time its script runs again.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.payload }};
            var map = {{ this.map_name }};
            {{ this.code }}
            sahelTimeControl(map, data);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, map_name: str | None = None) -> None:
        super().__init__()
        self._name = "TimeControl"
        # Fixed, in the shape of folium's ids: the same view renders the same bytes.
        self._id = "7153a1ce0a5e4c1f9b7d2e60c4f8a913"
        self.payload = script_json(data)
        if has_template_syntax(self.payload):  # script_json rules it out; this says so where it matters
            raise ValueError("the time control's data would read as a template")
        self._map_name = map_name
        self.code = _CONTROL_JS

    @property
    def map_name(self) -> str:
        """The JavaScript name of the Leaflet map: given, or found up the element tree."""
        if self._map_name:
            return self._map_name
        node = self._parent
        while node is not None and not node.get_name().startswith("map_"):
            node = getattr(node, "_parent", None)
        if node is None:
            raise ValueError("a TimeControl must be added to a folium map or to a group on one")
        return node.get_name()


def add_time_control(target, data: dict) -> TimeControl:
    """Add a :class:`TimeControl` with ``data`` (:func:`control_data`) to a folium map or group; return it."""
    control = TimeControl(data)
    target.add_child(control)
    return control


# The control's code. Kept free of "_name" style identifiers: streamlit-folium rewrites
# tokens of the form _<lowercase/digits> that match element ids in the scripts it sends.
_CONTROL_JS = r"""
function sahelTimeControl(map, data) {
    var ctl = window.sahelTime;
    if (!ctl || ctl.map !== map) {
        ctl = window.sahelTime = {map: map, playing: false, day: data.day, speed: null, frame: null,
                                  lastSent: null, marks: [], tracks: null, applied: null, frames: 0};
        var box = L.DomUtil.create("div", "sahel-time leaflet-control");
        // Styled inline: streamlit-folium sends a swapped group's script but not its header.
        box.style.cssText = "background:rgba(255,255,255,.94);padding:6px 8px;border:1px solid #999;" +
            "border-radius:4px;font:12px sans-serif;max-width:230px";
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Playback");
        var play = L.DomUtil.create("button", "sahel-time-play", box);
        play.type = "button";
        var label = L.DomUtil.create("span", "sahel-time-date", box);
        label.setAttribute("aria-live", "polite");
        var row = L.DomUtil.create("div", "sahel-time-speed-row", box);
        var speed = L.DomUtil.create("select", "sahel-time-speed", row);
        speed.setAttribute("aria-label", "Playback speed");
        play.style.cssText = "font:600 12px sans-serif;padding:2px 8px;cursor:pointer";
        label.style.cssText = "font-weight:600;margin-left:6px";
        speed.style.cssText = "font:12px sans-serif;margin-top:4px";
        var note = L.DomUtil.create("div", "sahel-time-note", box);
        note.style.cssText = "color:#444;margin-top:4px";
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        var Control = L.Control.extend({onAdd: function () { return box; }});
        new Control({position: "bottomright"}).addTo(map);  // below popups, which open upwards
        ctl.box = box; ctl.button = play; ctl.label = label; ctl.select = speed; ctl.note = note;
        L.DomEvent.on(play, "click", function () { ctl.playing ? ctl.pause("pause") : ctl.start(); });
        L.DomEvent.on(speed, "change", function () {
            if (ctl.playing) { ctl.origin = ctl.day; ctl.t0 = performance.now(); }
            ctl.speed = parseFloat(speed.value);
        });
    }
    ctl.data = data;
    if (ctl.select.options.length === 0) {
        ctl.data.speeds.forEach(function (pair) {
            var option = document.createElement("option");
            option.value = String(pair[1]);
            option.textContent = pair[0];
            if (pair[0] === ctl.data.defaultSpeed) { option.selected = true; }
            ctl.select.appendChild(option);
        });
        ctl.speed = parseFloat(ctl.select.value);
    }
    ctl.button.disabled = !ctl.data.canPlay;
    ctl.button.title = ctl.data.canPlay ? "Play the events in the map, without reloading"
        : "Too many events to play in the browser: filter to fewer to play them";

    function format(day) {
        var d = new Date(Math.floor(day) * 86400000);
        return d.getUTCDate() + " " + ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"][d.getUTCMonth()] + " " + d.getUTCFullYear();
    }
    function iso(day) { return new Date(Math.floor(day) * 86400000).toISOString().slice(0, 10); }

    function send(action, day) {
        var g = window.__GLOBAL_DATA__, S = window.Streamlit;
        var message = {id: Date.now().toString(36) + Math.random().toString(36).slice(2, 8),
                       action: action, date: iso(day)};
        ctl.lastSent = message;
        if (!g || !S || !window.map) { return; }
        g.selected_tags = [ctl.data.prefix + JSON.stringify(message)];
        // The same shape and key order as streamlit-folium's own report, so that its
        // next comparison after a move sees only what really changed.
        var value = {zoom: window.map.getZoom(), center: window.map.getCenter(), selected_tags: g.selected_tags};
        g.previous_data = value;
        S.setComponentValue(value);
    }

    function collect() {
        ctl.marks = [];
        ctl.serverMoves = [];
        map.eachLayer(function (layer) {
            var p = layer.feature && layer.feature.properties;
            if (p && typeof p.day === "number") {
                var parents = Object.keys(layer._eventParents || {}).map(function (k) { return layer._eventParents[k]; });
                ctl.marks.push({layer: layer, parent: parents[0] || null, day: p.day,
                                end: typeof p.end_day === "number" ? p.end_day : p.day, style: p.style || {}});
            }
            var cls = layer.options && layer.options.className;
            if (cls && /(^| )movement-(route|travelled|position|arrow)( |$)/.test(cls) && !layer.sahelOwn) {
                ctl.serverMoves.push(layer);
            }
        });
        ctl.applied = null;
    }

    function showServerMoves(show) {
        ctl.serverMoves.forEach(function (layer) {
            if (show && !map.hasLayer(layer)) { map.addLayer(layer); }
            if (!show && map.hasLayer(layer)) { map.removeLayer(layer); }
        });
    }

    function tracks() {
        if (ctl.tracks) { return ctl.tracks; }
        ctl.tracks = L.layerGroup().addTo(map);
        ctl.trackParts = ctl.data.moves.map(function (m) {
            var opts = {interactive: false};
            var route = L.polyline(m.route, L.extend({color: ctl.data.colours["under way"], weight: 2, opacity: 0.5,
                                   dashArray: "4 6", className: "movement-route"}, opts));
            var done = L.polyline([], L.extend({color: ctl.data.colours["under way"], weight: 5, opacity: 0.9,
                                  className: "movement-travelled"}, opts));
            var here = L.circleMarker(m.route[0], L.extend({radius: 8, color: "#FFFFFF", weight: 3, fill: true,
                                      fillColor: ctl.data.colours["under way"], fillOpacity: 1,
                                      className: "movement-position"}, opts));
            [route, done, here].forEach(function (l) { l.sahelOwn = true; });
            return {move: m, route: route, done: done, here: here};
        });
        return ctl.tracks;
    }

    function dropTracks() {
        if (ctl.tracks) { map.removeLayer(ctl.tracks); }
        ctl.tracks = null;
    }

    function along(m, km) {
        var i = 1;
        while (i < m.km.length - 1 && m.km[i] < km) { i++; }
        var a = m.route[i - 1], b = m.route[i], span = m.km[i] - m.km[i - 1];
        var t = span > 0 ? Math.min(Math.max((km - m.km[i - 1]) / span, 0), 1) : 1;
        return {index: i, point: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]};
    }

    function drawMoves(day) {
        var group = tracks();
        ctl.trackParts.forEach(function (part) {
            var m = part.move, total = m.km[m.km.length - 1];
            if (day < m.start) {
                [part.route, part.done, part.here].forEach(function (l) { group.removeLayer(l); });
                return;
            }
            var fraction = m.end > m.start ? Math.min((day - m.start) / (m.end - m.start), 1) : 1;
            var state = fraction >= 1 ? "done" : "under way";
            var colour = ctl.data.colours[state];
            var at = along(m, fraction * total);
            group.addLayer(part.route);
            part.done.setLatLngs(m.route.slice(0, at.index).concat([at.point]));
            part.done.setStyle({color: colour});
            group.addLayer(part.done);
            if (state === "under way") {
                part.here.setLatLng(at.point);
                part.here.setStyle({fillColor: colour});
                group.addLayer(part.here);
            } else {
                group.removeLayer(part.here);
            }
        });
    }

    function applyMarks(day) {
        var whole = Math.floor(day);
        if (ctl.applied === whole) { return; }
        ctl.applied = whole;
        ctl.marks.forEach(function (mark) {
            // A mark of layers streamlit-folium has just swapped out stays off the map.
            if (mark.parent && !map.hasLayer(mark.parent)) { return; }
            var shown = mark.day <= whole && (ctl.data.windowStart === null || mark.end >= ctl.data.windowStart ||
                                              mark.style.opacity < 0.5);
            if (shown && !map.hasLayer(mark.layer)) { map.addLayer(mark.layer); }
            if (!shown && map.hasLayer(mark.layer)) { map.removeLayer(mark.layer); }
            if (shown && ctl.data.mode === "as_of" && mark.layer.setStyle) {
                var current = mark.end >= whole - ctl.data.recentDays;
                mark.layer.setStyle({opacity: current ? 0.95 : 0.35, fillOpacity: current ? 0.85 : 0.25});
            }
        });
    }

    function show(day) {
        ctl.day = day;
        ctl.label.textContent = format(day);
        ctl.box.setAttribute("data-day", iso(day));
        applyMarks(day);
        if (ctl.playing) { drawMoves(day); }
    }

    function tick(now) {
        if (!ctl.playing) { return; }
        ctl.frames += 1;
        var day = ctl.origin + (now - ctl.t0) / 1000 * ctl.speed;
        if (day >= ctl.data.end) {
            show(ctl.data.end);
            pause("end");
            return;
        }
        show(day);
        ctl.frame = requestAnimationFrame(tick);
    }

    function run(from) {
        ctl.playing = true;
        ctl.origin = from;
        ctl.t0 = performance.now();
        ctl.button.textContent = "\u23F8 Pause";
        ctl.button.setAttribute("aria-pressed", "true");
        ctl.box.setAttribute("data-playing", "true");
        showServerMoves(false);
        show(from);
        cancelAnimationFrame(ctl.frame);
        ctl.frame = requestAnimationFrame(tick);
    }

    function start() {
        if (!ctl.data.canPlay) { return; }
        var here = Math.floor(ctl.day), from;
        if (here === ctl.data.day) { from = ctl.data.from; }  // the server's choice, a restart included
        else { from = here >= ctl.data.end ? ctl.data.from : here; }
        ctl.note.textContent = from !== here ? ctl.data.note : "";
        run(from);
        send("play", from);
    }

    function stop() {
        ctl.playing = false;
        cancelAnimationFrame(ctl.frame);
        ctl.button.textContent = "\u25B6 Play";
        ctl.button.setAttribute("aria-pressed", "false");
        ctl.box.setAttribute("data-playing", "false");
    }

    function pause(action) {
        // Stop on the whole day shown, the one the server will draw.
        stop();
        var day = Math.floor(ctl.day);
        show(day);
        drawMoves(day);
        send(action, day);
    }
    ctl.pause = pause;
    ctl.start = start;

    // After the script that holds this call has run: streamlit-folium adds the swapped
    // groups, and with them the marks, to the map only at its end.
    setTimeout(function () { load(); }, 0);

    function load() {
    if (ctl.data !== data) { return; }  // a newer load has come since
    collect();
    var serverCaughtUp = !ctl.lastSent || ctl.data.handled === ctl.lastSent.id;
    if (!serverCaughtUp) {
        // The server has not read our last message yet: keep the browser's own state.
        if (ctl.playing) { showServerMoves(false); ctl.applied = null; show(ctl.day); }
        else { ctl.applied = null; show(ctl.day); }
    } else if (ctl.data.playing) {
        if (ctl.playing) { dropTracks(); showServerMoves(false); ctl.applied = null; show(ctl.day); }
        else { ctl.note.textContent = ctl.data.note; run(ctl.data.from); }
    } else {
        stop();
        dropTracks();
        showServerMoves(true);
        ctl.note.textContent = "";
        ctl.applied = null;
        show(ctl.data.day);
    }
    }
}
"""
