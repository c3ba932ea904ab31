"""Static exports frame the Sahel by default, name places clear of each other, and point to the marks off the map."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from geo import snapshot
from geo.bases import load_bases
from geo.events import EVENTS_CSV
from geo.snapshot import frame as frames
from geo.snapshot import static
from geo.view import View

View = View
LAST = date(2022, 12, 31)


@pytest.fixture(scope="module")
def options():
    return snapshot.options_for_file(EVENTS_CSV)


@pytest.fixture(scope="module")
def sheet(events, sources, options):
    return snapshot.build_sheet(events, sources, load_bases(), View(as_of=LAST), options)


def _inside(frame, lon, lat) -> bool:
    x, y = frame.project(lon, lat)
    return frame.xlim[0] < float(x) < frame.xlim[1] and frame.ylim[0] < float(y) < frame.ylim[1]


def test_default_frame_holds_the_sahel_places_and_leaves_paris_out(sheet, places):
    for name in ("Bamako", "Kati", "Gao", "Tessit", "Timbuktu", "Niamey"):
        row = places.loc[places["name"] == name].iloc[0]
        assert _inside(sheet.frame, row["longitude"], row["latitude"]), name
    paris = places.loc[places["name"] == "Paris"].iloc[0]
    assert not _inside(sheet.frame, paris["longitude"], paris["latitude"])
    # About the Sahel's size, not Europe to the Gulf of Guinea: under 2,500 km tall.
    assert sheet.frame.ylim[1] - sheet.frame.ylim[0] < 2_500_000


def test_the_marks_off_the_map_are_counted_towards_paris(sheet, events):
    groups = static.off_map_groups(sheet)
    n_paris = int((events["location"] == "Paris").sum())
    assert groups == [(2, n_paris, ["Paris"])]  # sector 2: north
    assert static.ARROWS[2] == "↑"


def test_only_paris_in_view_frames_paris(events, sources, options):
    """With no mark in the Sahel (the view filtered to France), the frame fits the marks there instead."""
    only_paris = View(as_of=LAST, countries=("FRA",))
    sheet = snapshot.build_sheet(events, sources, load_bases(), only_paris, options)
    assert len(sheet.scene.shown) and set(sheet.scene.shown["location"]) == {"Paris"}
    assert _inside(sheet.frame, 2.3488, 48.85341) and static.off_map_groups(sheet) == []


def test_place_names_never_overlap_each_other_or_the_countries():
    # Bamako and Kati, 15 km apart, on top of each other at this scale: they take opposite sides.
    points = [("Bamako", 100.0, 100.0, 10.0), ("Kati", 98.0, 102.0, 10.0), ("Gao", 300.0, 200.0, 6.0)]
    country = static._text_box(140.0, 100.0, "MALI", 8.5, "center", "center")
    spots = static.place_label_spots(points, [country], 8.5)
    boxes = [static._text_box(x, y, name, 8.5, ha, va) for name, x, y, ha, va in spots]
    assert [s[0] for s in spots] == ["Bamako", "Kati", "Gao"]
    assert not any(static._overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert not any(static._overlaps(box, country) for box in boxes)
    # A name with no free side is left out rather than drawn over another.
    crowded = static.place_label_spots([("A", 0.0, 0.0, 0.0)], [(-100.0, -100.0, 100.0, 100.0)], 8.5)
    assert crowded == []


def _dark_pixels_at_the_maps_top(png: bytes, dpi: int) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    x0 = round(frames.MAP_BOX[0] * dpi)
    x1 = round((frames.MAP_BOX[0] + frames.MAP_BOX[2]) * dpi)
    top = round(image.size[1] - (frames.MAP_BOX[1] + frames.MAP_BOX[3]) * dpi)
    band = image.crop((x0, top, x1, top + round(0.6 * dpi)))
    pixels = np.asarray(band)  # height x width x RGB
    return int((pixels < 50).all(axis=2).sum())


def test_png_shows_the_off_map_note_at_the_top_only_when_marks_are_off(events, sources, options):
    """The note is a dark box near the map's top edge; filtered to Mali and Niger, nothing is off the map and it goes."""
    every = snapshot.export_bytes("png", events, sources, load_bases(), View(as_of=LAST), options)
    sahel = View(as_of=LAST, countries=("MLI", "NER"))
    none_off = snapshot.export_bytes("png", events, sources, load_bases(), sahel, options)
    assert _dark_pixels_at_the_maps_top(every, options.dpi) > 500
    assert _dark_pixels_at_the_maps_top(none_off, options.dpi) < 100


def test_default_export_is_reproducible(events, sources, options):
    first = snapshot.export_bytes("svg", events, sources, load_bases(), View(as_of=LAST), options)
    second = snapshot.export_bytes("svg", events, sources, load_bases(), View(as_of=LAST), options)
    assert first == second and "off this map" in first.decode()
