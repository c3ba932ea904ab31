"""geo.style: every type has a colour and a shape, and the colours survive the common colour-vision deficiencies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from geo import style
from geo.events import EVENT_TYPES

#: Machado et al. (2009) at full severity: deuteranopia, protanopia, tritanopia; ``None`` is normal vision.
VISIONS = {
    "normal": None,
    "deuteranopia": {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
    "protanopia": {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100},
    "tritanopia": {"name": "sRGB1+CVD", "cvd_type": "tritanomaly", "severity": 100},
}
#: CAM02-UCS distance two small marks' fills need to be told apart at a glance (about 7 just-noticeable steps).
APART = 15.0


def _seen(colour: str, vision) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return rgb if vision is None else np.clip(cspace_convert(rgb, vision, "sRGB1"), 0.0, 1.0)


def _distance(a: str, b: str, vision) -> float:
    return float(deltaE(_seen(a, vision), _seen(b, vision), input_space="sRGB1", uniform_space="CAM02-UCS"))


def test_every_event_type_has_a_colour_and_a_shape():
    assert set(style.TYPE_COLOURS) == set(EVENT_TYPES) == set(style.TYPE_SHAPES)
    assert set(style.TYPE_SHAPES.values()) <= set(style.SHAPE_FAMILIES) == set(style.MATPLOTLIB_MARKERS)
    assert len(set(style.TYPE_COLOURS.values())) == len(style.TYPE_COLOURS)


def test_the_simulator_sees_what_it_should():
    # A check on the check: red and green, far apart to most eyes, merge for a deuteranope.
    assert _distance("#D62728", "#2CA02C", None) > 30
    assert _distance("#D62728", "#2CA02C", VISIONS["deuteranopia"]) < _distance("#D62728", "#2CA02C", None) / 2


@pytest.mark.parametrize("vision", list(VISIONS))
def test_types_of_one_shape_differ_in_colour_for_every_vision(vision):
    """Where two types share a shape, colour alone tells them apart, with or without a colour-vision deficiency."""
    too_close = [
        (a, b, round(_distance(style.TYPE_COLOURS[a], style.TYPE_COLOURS[b], VISIONS[vision]), 1))
        for a, b in itertools.combinations(style.TYPE_COLOURS, 2)
        if style.TYPE_SHAPES[a] == style.TYPE_SHAPES[b]
        and _distance(style.TYPE_COLOURS[a], style.TYPE_COLOURS[b], VISIONS[vision]) < APART
    ]
    assert too_close == []


def test_the_old_blues_would_have_failed():
    """The three blues the issue reports (announcement, statement, troop movement) were too close for a tritanope."""
    old = {"announcement": "#1965B0", "statement": "#7BAFDE", "troop_movement": "#5289C7"}
    assert min(_distance(a, b, VISIONS["tritanopia"]) for a, b in itertools.combinations(old.values(), 2)) < APART


@pytest.mark.parametrize("vision", list(VISIONS))
def test_movement_states_and_base_states_differ_for_every_vision(vision):
    under_way, done = style.MOVEMENT_COLOURS["under way"], style.MOVEMENT_COLOURS["done"]
    in_use, handed_over = style.BASE_COLOURS["in use"], style.BASE_COLOURS["handed over"]
    assert _distance(under_way, done, VISIONS[vision]) >= APART
    assert _distance(in_use, handed_over, VISIONS[vision]) >= APART


def test_marker_radius_grows_with_the_toll_and_is_smallest_when_unknown():
    assert style.marker_radius(None) == style.marker_radius(float("nan")) == style.marker_radius(0) == 6.0
    assert 6.0 < style.marker_radius(10) < style.marker_radius(130) <= 32.0


def test_the_exports_and_the_timeline_take_their_look_from_style_not_the_live_map():
    """Importing them in a fresh process loads neither geo.mapview nor folium (their colours come from here)."""
    import subprocess
    import sys

    from geo.events import ROOT

    probe = (
        "import sys\n"
        "import geo.timeline, geo.snapshot.static, geo.snapshot.frame, geo.snapshot.animation, geo.snapshot.sheet\n"
        "print(' '.join(m for m in ('geo.mapview', 'folium') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
