"""The map's look in one place: colours, mark shapes and sizes, lines, the default centre and zoom.

The live map (:mod:`geo.mapview`), the static exports and the timeline read
these, so a colour changed here changes everywhere, and none of them needs
folium for a colour.

Event types are told apart by shape and colour together: each type family
has its own shape (violence circles, politics squares, announcements and
statements diamonds, military operations triangles), and within a shape the
colours stay apart for the common colour-vision deficiencies (checked in
``tests/test_style.py`` with a simulator). Colours are hex sRGB.
"""

from __future__ import annotations

import math

import pandas as pd

#: Fill colour per event type.
TYPE_COLOURS: dict[str, str] = {
    "massacre": "#7A0403",
    "attack": "#D55E00",
    "insurgency": "#F2A541",
    "casualty_report": "#E8C7C0",
    "coup": "#4B0055",
    "expulsion": "#CC79A7",
    "sanctions": "#FFFFFF",
    "protest": "#F0E442",
    "announcement": "#0B3C8C",
    "statement": "#7FC4F0",
    "operation": "#006D2C",
    "troop_movement": "#3D8BD9",
    "base_handover": "#B8E186",
}

#: Mark shape per event type (see the module docstring for the families).
TYPE_SHAPES: dict[str, str] = {
    "massacre": "circle",
    "attack": "circle",
    "insurgency": "circle",
    "casualty_report": "circle",
    "coup": "square",
    "expulsion": "square",
    "sanctions": "square",
    "protest": "square",
    "announcement": "diamond",
    "statement": "diamond",
    "operation": "triangle",
    "troop_movement": "triangle",
    "base_handover": "triangle",
}

#: The family each shape stands for, as the legend names it.
SHAPE_FAMILIES: dict[str, str] = {
    "circle": "violence",
    "square": "politics",
    "diamond": "announcements",
    "triangle": "military",
}

#: matplotlib's marker for each shape, so a static export draws what the screen does.
MATPLOTLIB_MARKERS: dict[str, str] = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}
#: Vega-Lite's point shape for each (an area in px² as its size, as the map's marks): the timeline's points.
VEGA_SHAPES: dict[str, str] = {"circle": "circle", "square": "square", "diamond": "diamond", "triangle": "triangle-up"}

#: A mark's outline: dark on every fill (white fills included) and on the land colour.
MARK_OUTLINE = "#222222"
#: Outline dash pattern per date precision (SVG dash arrays): solid for a day, dashed for a month, dotted for a year.
PRECISION_DASH: dict[str, str | None] = {"day": None, "month": "6 4", "year": "1 5"}
#: Fill of a grid cell that stands for many events (:mod:`geo.aggregate`).
CELL_COLOUR = "#E8601C"
#: An event whose type has no colour (imported data with a type we do not know).
UNKNOWN_TYPE_COLOUR = "#777777"

#: Troop movement states: the route ahead is dashed and thin, the part travelled thick.
MOVEMENT_COLOURS: dict[str, str] = {"planned": "#999999", "under way": "#1965B0", "done": "#332288"}
#: Bases: a filled square while in use, a hollow grey one once handed over.
BASE_COLOURS: dict[str, str] = {"in use": "#117733", "handed over": "#999999"}

#: The Mali–Niger border: the one red line on the map, dash-dot, so it reads as a line, not an outline.
BORDER_COLOUR = "#B2182B"
BORDER_DASH = "10 4 2 4"
BORDER_WEIGHT = 3

COUNTRY_FILL = "#F3EFE4"
COUNTRY_EDGE = "#7A7A7A"
SEA_COLOUR = "#D6E6F2"
#: Text on the map: dark enough for 4.5:1 on the land and the sea, with a white halo over marks and lines.
LABEL_COLOUR = "#222222"
COUNTRY_LABEL_COLOUR = "#4D4D4D"
LABEL_HALO = "0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff"

#: Place colours by gazetteer kind (the places page); regions and countries are drawn hollow.
PLACE_COLOURS: dict[str, str] = {
    "capital": "#1965B0",
    "town": "#5289C7",
    "region": "#F1932D",
    "country": "#777777",
    "border_crossing": "#B2182B",
    "tripoint": "#882E72",
}

#: The map's opening view, (lat, lon) and zoom: the Sahel's places (Bamako to Niamey, Timbuktu to Kidal) in frame.
DEFAULT_CENTER: tuple[float, float] = (15.5, -1.5)
DEFAULT_ZOOM = 5


def marker_radius(fatalities) -> float:
    """Return a mark's radius in pixels: area grows with the toll; unknown tolls get the smallest."""
    if fatalities is None or pd.isna(fatalities) or fatalities <= 0:
        return 6.0
    return float(min(6.0 + 2.2 * math.sqrt(float(fatalities)), 32.0))


def type_colour(event_type: str) -> str:
    """Return the fill colour of an event type (grey for a type without one)."""
    return TYPE_COLOURS.get(event_type, UNKNOWN_TYPE_COLOUR)


def type_shape(event_type: str) -> str:
    """Return the mark shape of an event type (a circle for a type without one)."""
    return TYPE_SHAPES.get(event_type, "circle")
