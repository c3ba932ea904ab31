"""Exports of a view (geo/snapshot/): open each file and check what is in it; same view, same bytes."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import json
import math
import re
import sys
import zipfile
from datetime import date
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageSequence

from geo import eventframe, filters, gazetteer, snapshot, style
from geo.events import EVENTS_CSV, ROOT, read_table
from geo.validation import validate_events
from geo.view import View

View = View
AUG_15 = date(2022, 8, 15)
CLI = [sys.executable, "-m", "geo.snapshot"]


@pytest.fixture(scope="module")
def export(events, sources, bases, options):
    """``export(fmt, view, **option_changes)`` -> bytes, memoised: rendering is the slow part."""
    made: dict = {}

    def make(fmt: str, view: View, **changes) -> bytes:
        key = (fmt, snapshot.view_key(view), tuple(sorted(changes.items())))
        if key not in made:
            chosen = snapshot.SnapshotOptions(**{**options.__dict__, **changes})
            made[key] = snapshot.export_bytes(fmt, events, sources, bases, view, chosen)
        return made[key]

    return make


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["event_id"].tolist()


# --------------------------------------------------------------------------- static images


@pytest.mark.parametrize("dpi", [100, 300])
def test_png_size_is_figure_size_times_dpi(export, dpi):
    image = Image.open(io.BytesIO(export("png", View(as_of=AUG_15), dpi=dpi)))
    assert image.format == "PNG"
    assert image.size == (round(snapshot.FIGSIZE[0] * dpi), round(snapshot.FIGSIZE[1] * dpi))


def _colour_near(image: Image.Image, column: float, row: float, colour: str, radius: int, tolerance: int = 4) -> int:
    """Count the pixels within ``radius`` of (column, row) that have ``colour`` (hex), give or take ``tolerance``."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    rows, columns = np.ogrid[: pixels.shape[0], : pixels.shape[1]]
    near = (rows - row) ** 2 + (columns - column) ** 2 <= radius**2
    match = np.all(np.abs(pixels - target) <= tolerance, axis=2)
    return int((near & match).sum())


def test_png_shows_the_coup_colour_at_bamako_and_nowhere_else(export, events, sources, bases, options):
    view = View(as_of=date(2021, 6, 1), types=("coup",))
    shown, status = filters.events_with_status(events, view)
    assert set(shown["location"]) == {"Bamako"} and "current" in set(status)
    image = Image.open(io.BytesIO(export("png", view)))
    # Bamako's position through the same projection and axes the renderer uses.
    frame = snapshot.build_sheet(events, sources, bases, view, options).frame
    lon, lat = gazetteer.place_lonlat("Bamako")
    column, row = frame.pixel(lon, lat, options.dpi)
    colour = style.TYPE_COLOURS["coup"]
    assert _colour_near(image, column, row, colour, radius=25) > 30
    gao_column, gao_row = frame.pixel(*gazetteer.place_lonlat("Gao"), options.dpi)
    assert _colour_near(image, gao_column, gao_row, colour, radius=25) == 0
    # Inside the map, the colour is only at Bamako (the legend, outside the map, shows it too).
    left, top = snapshot.MAP_BOX[0] * options.dpi, (snapshot.FIGSIZE[1] - sum(snapshot.MAP_BOX[1::2])) * options.dpi
    width, height = snapshot.MAP_BOX[2] * options.dpi, snapshot.MAP_BOX[3] * options.dpi
    inside = image.crop((int(left), int(top), int(left + width), int(top + height)))
    everywhere = _colour_near(inside, column - left, row - top, colour, radius=10_000)
    assert everywhere == _colour_near(inside, column - left, row - top, colour, radius=25)


def test_png_without_coups_has_no_coup_colour_at_bamako(export, events, sources, bases, options):
    view = View(as_of=date(2021, 6, 1), types=("operation",))
    image = Image.open(io.BytesIO(export("png", view)))
    frame = snapshot.build_sheet(events, sources, bases, view, options).frame
    column, row = frame.pixel(*gazetteer.place_lonlat("Bamako"), options.dpi)
    assert _colour_near(image, column, row, style.TYPE_COLOURS["coup"], radius=25) == 0
    # Operation Serval (2013-2014) is there, faded: it ended long before.
    assert _colour_near(image, column, row, snapshot.faded_colour(style.TYPE_COLOURS["operation"]), radius=25) > 30


def test_png_metadata_names_the_app_and_no_date(export):
    image = Image.open(io.BytesIO(export("png", View(as_of=AUG_15))))
    name, version = snapshot.app_version()
    assert image.info["Software"] == f"{name} {version}"
    assert "Natural Earth" in image.info["Description"] and "GeoNames" in image.info["Description"]
    assert not any("date" in key.lower() for key in image.info)


def test_svg_is_the_figure_with_marks_in_type_colours(export):
    data = export("svg", View(as_of=AUG_15, types=("attack",)))
    root = ElementTree.fromstring(data)
    assert root.tag.endswith("svg")
    assert root.get("width") == f"{snapshot.FIGSIZE[0] * 72:g}pt"
    assert root.get("height") == f"{snapshot.FIGSIZE[1] * 72:g}pt"
    text = data.decode("utf-8")
    assert style.TYPE_COLOURS["attack"].lower() in text.lower()
    assert style.TYPE_COLOURS["coup"].lower() not in text.lower()  # filtered out, and not in the legend
    assert "<dc:date>" not in text
    assert "Events up to 15 August 2022" in text  # the title, in the metadata


def test_pdf_is_one_page_of_the_figure_size_with_no_creation_date(export):
    data = export("pdf", View(as_of=AUG_15))
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1
    assert re.search(rb"/MediaBox \[\s*0 0 864 576\s*\]", data)
    assert b"/CreationDate" not in data and b"/ModDate" not in data
    assert b"sahel-withdrawal-dashboard" in data


def test_scale_bar_is_geodesically_true(events, sources, bases, options):
    from geo import borders

    for view in (
        View(as_of=AUG_15),
        View(as_of=AUG_15, center=(15.5, -1.5), zoom=5),
        View(as_of=AUG_15, countries=("FRA",)),
    ):
        frame = snapshot.build_sheet(events, sources, bases, view, options).frame
        km, (sx, sy), middle_x, end_x = snapshot.scale_bar(frame)
        assert km / 10 ** math.floor(math.log10(km)) in (1.0, 2.0, 5.0)
        (lon0, lon_m, lon1), (lat0, lat_m, lat1) = frame.unproject([sx, middle_x, end_x], [sy, sy, sy])
        assert borders.distance_km(lon0, lat0, lon1, lat1) == pytest.approx(km, rel=1e-6)
        assert borders.distance_km(lon0, lat0, lon_m, lat_m) == pytest.approx(km / 2, rel=1e-6)


def test_extent_follows_the_view(events, sources, bases, options):
    zoomed = snapshot.build_sheet(events, sources, bases, View(as_of=AUG_15, center=(15.5, -1.5), zoom=5), options)
    closer = snapshot.build_sheet(events, sources, bases, View(as_of=AUG_15, center=(15.5, -1.5), zoom=7), options)
    assert (zoomed.frame.lat0, zoomed.frame.lon0) == (15.5, -1.5)
    assert np.ptp(zoomed.frame.xlim) == pytest.approx(4 * np.ptp(closer.frame.xlim))
    # No centre: the marks in view fit, with a margin.
    niger = View(as_of=AUG_15, countries=("NER",))
    sheet = snapshot.build_sheet(events, sources, bases, niger, options)
    x, y = sheet.frame.project(sheet.scene.shown["longitude"], sheet.scene.shown["latitude"])
    (x0, x1), (y0, y1) = sheet.frame.xlim, sheet.frame.ylim
    assert (x0 < x).all() and (x < x1).all() and (y0 < y).all() and (y < y1).all()
    # Nothing in view: the Sahel at the dashboard's default centre.
    empty = snapshot.build_sheet(events, sources, bases, View(as_of=AUG_15, text="zzz no such"), options)
    assert (empty.frame.lat0, empty.frame.lon0) == style.DEFAULT_CENTER


def test_title_gives_dates_at_their_precision_and_the_filters(events, sources, bases, options):
    window = View(as_of=AUG_15, mode="window", date_from=date(2022, 6, 1), date_to=date(2022, 7, 31),
                  countries=("MLI",), types=("attack", "massacre"), text="Kati")  # fmt: skip
    sheet = snapshot.build_sheet(events, sources, bases, window, options)
    assert sheet.scene.period_title == "Events from 1 June 2022 to 31 July 2022"
    assert sheet.filters == "Mali (MLI) · attack, massacre · search “Kati”"
    assert sheet.article_ids == ["003"]
    assert "Articles: 003" in sheet.attribution[0]


# --------------------------------------------------------------------------- data


def test_geojson_reads_back_with_exactly_the_filtered_events(export, events):
    view = View(as_of=AUG_15, countries=("MLI",), types=("attack", "statement"))
    frame = gpd.read_file(io.BytesIO(export("geojson", view)))
    expected = filters.filter_events(events, view)
    assert len(expected) > 3
    assert sorted(frame["event_id"]) == sorted(_ids(expected))
    assert frame.crs.to_epsg() == 4326
    back = frame.set_index("event_id").loc[_ids(expected)]
    assert np.allclose(back.geometry.x, expected["longitude"]) and np.allclose(back.geometry.y, expected["latitude"])
    assert list(back["title"]) == list(expected["title"])


def test_csv_holds_the_events_in_view_in_the_events_layout(export, events):
    view = View(as_of=date(2022, 2, 17), mode="window", date_from=date(2022, 1, 1), date_to=date(2022, 2, 17))
    data = export("csv", view)
    expected = filters.filter_events(events, view)
    back, problems = validate_events(read_table(io.BytesIO(data), name="export.csv"), check_places=True)
    assert problems == []
    # Read back, each row is placed at its most precise date again (the public-record columns travel with it).
    assert _ids(back) == _ids(expected)
    columns = ["event_date", "title", "latitude", "longitude", "fatalities", "sources", "route", "start",
               "record_date", "record_sources"]  # fmt: skip
    pd.testing.assert_frame_equal(back[columns].reset_index(drop=True), expected[columns].reset_index(drop=True))


def test_csv_neutralises_formulas_but_keeps_negative_numbers(events, sources, bases, options):
    tricky = events.copy()
    bamako = tricky.index[tricky["event_id"] == "mali-demands-departure-2022-02-18"][0]
    tricky.loc[bamako, "title"] = '=HYPERLINK("http://x")'
    tricky.loc[bamako, "description"] = "+1 and more"
    tricky.loc[bamako, "actors"] = "@SUM(A1)"
    tricky.loc[bamako, "readings"] = "-2+3"
    tricky.loc[bamako, "date_note"] = "\tTab first"
    view = View(as_of=date(2022, 2, 18), countries=("MLI",))
    rows = list(csv.DictReader(io.StringIO(snapshot.csv_bytes(tricky, view).decode("utf-8"))))
    row = next(r for r in rows if r["event_id"] == "mali-demands-departure-2022-02-18")
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["description"] == "'+1 and more"
    assert row["actors"] == "'@SUM(A1)"
    assert row["readings"] == "'-2+3"
    assert row["date_note"] == "'\tTab first"
    # Numbers stay numbers: Bamako's longitude is negative and is written as a plain number.
    assert row["longitude"] == "-7.97522" and float(row["longitude"]) < 0
    assert all(
        not r[c].startswith(snapshot.FORMULA_START) for r in rows for c in r if c not in snapshot.NUMERIC_COLUMNS
    )


def test_manifest_records_what_produced_the_data(export, events, sources):
    view = View(as_of=AUG_15, countries=("NER", "MLI"), types=("announcement",), text="Niger")
    manifest = json.loads(export("manifest", view))
    in_view = filters.filter_events(events, view)
    assert manifest["data"] == {
        "file": "events.csv",
        "sha256": hashlib.sha256(EVENTS_CSV.read_bytes()).hexdigest(),
        "rows": len(events),
        "events_sha256": snapshot.dataset_sha256(events),
    }
    assert manifest["rows"] == len(in_view) and manifest["event_ids"] == _ids(in_view)
    assert manifest["view"]["mode"] == "as_of" and manifest["view"]["date"] == "2022-08-15"
    assert manifest["view"]["window"] == {"from": None, "to": "2022-08-15"}
    assert manifest["view"]["filters"] == {"countries": ["NER", "MLI"], "types": ["announcement"], "text": "Niger"}
    assert manifest["app"] == {"name": "sahel-withdrawal-dashboard", "version": snapshot.app_version()[1]}
    for fmt in ("csv", "geojson"):
        entry = manifest["files"][snapshot.export_filename(fmt, view)]
        assert entry["sha256"] == hashlib.sha256(export(fmt, view)).hexdigest()
    cited = sorted({s for cell in in_view["sources"] for s in cell.split(";")})
    assert [s["source_id"] for s in manifest["sources"]] == cited
    assert all(s["title"] for s in manifest["sources"])
    assert manifest["view"]["command"][3:] == ["--date", "2022-08-15", "--country", "NER", "--country", "MLI",
                                              "--type", "announcement", "--text", "Niger"]  # fmt: skip


def test_dataset_hash_names_the_rows_not_the_file(events, tmp_path):
    # The curated rows written out again (another file, other bytes) hash the same; one changed row does not.
    copy = tmp_path / "copy.csv"
    copy.write_bytes(snapshot.csv_bytes(events, View(as_of=date(2022, 12, 31))))
    again, _ = validate_events(read_table(copy), check_places=False)
    assert snapshot.dataset_sha256(again) == snapshot.dataset_sha256(events)
    changed = events.copy()
    changed.loc[0, "title"] = "Another title"
    assert snapshot.dataset_sha256(changed) != snapshot.dataset_sha256(events)


def test_zip_holds_the_data_and_manifest_exports(export):
    view = View(as_of=AUG_15, countries=("MLI",))
    archive = zipfile.ZipFile(io.BytesIO(export("zip", view)))
    names = [snapshot.export_filename(fmt, view) for fmt in ("csv", "geojson", "manifest")]
    assert archive.namelist() == names
    for fmt, name in zip(("csv", "geojson", "manifest"), names, strict=True):
        assert archive.read(name) == export(fmt, view)
        assert archive.getinfo(name).date_time == (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- interactive HTML


def test_html_is_self_contained_and_escapes_every_title(export, events, script_text):
    view = View(as_of=AUG_15)
    page = export("html", view).decode("utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "leaflet.js" in page and "Leaflet 1.9.3" in page and "jQuery v3.7.1" in page
    assert "sourceMappingURL" not in page
    given = script_text(page)  # popups travel as JSON strings
    for title in filters.filter_events(events, view)["title"]:
        assert html.escape(title, quote=True) in given
    assert 'id="map-title"' in page and 'id="map-attribution"' in page
    assert "GeoNames (CC BY 4.0" in page and "<title>" in page


def test_html_shows_a_hostile_title_only_escaped(events, sources, bases, options, script_text):
    hostile = events.copy()
    hostile.loc[hostile["event_id"] == "wagner-2022", "title"] = "<img src=x onerror=alert(1)>"
    page = snapshot.html_bytes(hostile, sources, bases, View(as_of=AUG_15), options).decode("utf-8")
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page
    given = script_text(page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in given and "<img src=x" not in given


def _control_data(page: str) -> dict:
    """Return the time control's data from an exported page (the JSON its script is given)."""
    found = re.search(r"var data = (\{.*?\});\n\s*var map = ", page, re.S)
    assert found, "the page has no time control"
    return json.loads(found.group(1).replace("{ {", "{{").replace("} }", "}}"))


def test_html_carries_the_time_control_with_the_whole_span_to_play(export, events, script_text):
    from geo import playback

    view = View(as_of=date(2022, 3, 1))
    page = export("html", view).decode("utf-8")
    data = _control_data(page)
    span = playback.play_span(events, view)
    assert (data["day"], data["from"], data["end"]) == (
        playback.day_number(view.as_of), playback.day_number(span.start), playback.day_number(span.end))  # fmt: skip
    assert data["canPlay"] is True and data["mode"] == "as_of" and data["playing"] is False
    assert [label for label, _ in data["speeds"]] == list(playback.SPEEDS)
    # Its marks run to the span's end (the control hides the later ones when the page opens) ...
    later = filters.filter_events(events, View(as_of=span.end))
    later = later[later["start"] > pd.Timestamp(view.as_of)]
    given = script_text(page)
    assert len(later) and all(html.escape(t, quote=True) in given for t in later["title"])
    # ... and every movement of the span is there for it to glide along.
    moves = filters.filter_events(events, View(as_of=span.end, types=("troop_movement",)))
    assert sorted(m["id"] for m in data["moves"]) == sorted(moves["event_id"])


def test_html_above_the_threshold_draws_cells_and_does_not_play(events, sources, bases, options):
    from helpers import synthetic_events

    from geo import aggregate
    from geo.events import combine_events

    many = combine_events(events, synthetic_events())
    view = View(as_of=date(2022, 12, 31))
    assert filters.count_rows(many, filters.rows_in_view(many, view)) > aggregate.AGGREGATE_THRESHOLD
    page = snapshot.html_bytes(many, sources, bases, view, options).decode("utf-8")
    assert _control_data(page)["canPlay"] is False
    assert "Too many events to play in the browser" in page  # the disabled button's reason
    assert "aggregate-mark" in page and "event-mark" not in page


MATHTEXT = r"$\href{http://example.org}{x}$"


def test_dollar_text_is_drawn_literally_in_every_static_format(events, sources, bases, options):
    """Data and search text holding $…$ is not mathtext: the title and labels show it as written."""
    from matplotlib.text import Text

    from geo.snapshot import static

    hostile = events.copy()
    pick = hostile["event_id"] == "wagner-2022"
    hostile.loc[pick, "title"] = "Costs of $5 million and $x^2$"
    hostile.loc[pick, "location"] = MATHTEXT  # a place label on the map
    hostile.loc[pick, "location_precision"] = "place"
    hostile["search_text"] = eventframe.search_text(hostile)  # as loading would have joined it
    view = View(as_of=AUG_15, text="$x^2$")
    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")):
        assert snapshot.image_bytes(hostile, sources, bases, view, options, fmt=fmt).startswith(magic)
    sheet = snapshot.build_sheet(hostile, sources, bases, view, options)
    assert sheet.scene.shown["event_id"].tolist() == ["wagner-2022"]
    with static._rc():
        figure = static._figure(sheet, dpi=50)
    texts = {t.get_text(): t for t in figure.findobj(Text) if "$" in t.get_text()}
    assert any("search “$x^2$”" in text for text in texts) and MATHTEXT in texts
    assert all(not t.get_parse_math() for t in texts.values())


def test_inlining_refuses_a_script_it_does_not_ship():
    with pytest.raises(snapshot.SnapshotError, match="does not ship"):
        snapshot.inline_assets('<script src="https://cdn.example.org/new-plugin.js"></script>')


def test_shipped_assets_match_the_hashes_in_their_readme():
    readme = (snapshot.ASSETS / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.M))
    assert set(listed) == {p.name for p in snapshot.ASSETS.iterdir() if p.suffix in {".js", ".css", ".png"}}
    for name, digest in listed.items():
        assert hashlib.sha256((snapshot.ASSETS / name).read_bytes()).hexdigest() == digest, name


# --------------------------------------------------------------------------- animation


def test_animation_steps_through_event_dates_with_the_date_on_each_frame(events, sources, bases, options):
    view = View(as_of=AUG_15, mode="window", date_from=date(2022, 7, 1), date_to=AUG_15, countries=("MLI",))
    days = snapshot.animation_dates(events, view)
    assert days[0] == date(2022, 7, 1) and days[-1] == AUG_15
    assert date(2022, 8, 1) in days  # the Tessit attack starts a step
    calls = []
    data = snapshot.gif_bytes(
        events, sources, bases, view, options, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(i + 1, len(days)) for i in range(len(days))]
    gif = Image.open(io.BytesIO(data))
    frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(gif)]
    assert gif.format == "GIF" and len(frames) == len(days)
    assert gif.size == (round(snapshot.FIGSIZE[0] * options.frame_dpi), round(snapshot.FIGSIZE[1] * options.frame_dpi))
    # Each frame differs from the one before: the date in the corner changes at least.
    assert all(np.any(np.asarray(a) != np.asarray(b)) for a, b in itertools.pairwise(frames))
    assert snapshot.gif_bytes(events, sources, bases, view, options) == data


def test_animation_with_a_fixed_step_and_a_frame_limit(events, sources, bases, options):
    view = View(as_of=AUG_15, mode="window", date_from=date(2022, 1, 1), date_to=date(2022, 1, 29))
    assert snapshot.animation_dates(events, view, 7) == [date(2022, 1, d) for d in (1, 8, 15, 22, 29)]
    tight = snapshot.SnapshotOptions(**{**options.__dict__, "step_days": 1, "max_frames": 10})
    with pytest.raises(snapshot.SnapshotError, match="29 frames"):
        snapshot.gif_bytes(events, sources, bases, view, tight)


# --------------------------------------------------------------------------- same view, same bytes


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "html", "csv", "geojson", "manifest", "zip"])
def test_two_runs_give_the_same_bytes(events, sources, bases, options, fmt):
    view = View(as_of=date(2022, 6, 20), countries=("MLI", "NER"))
    first = snapshot.export_bytes(fmt, events, sources, bases, view, options)
    second = snapshot.export_bytes(fmt, events.copy(), sources.copy(), bases.copy(), view, options)
    assert first == second


# --------------------------------------------------------------------------- the dashboard's panel


def test_export_panel_renders_its_download_buttons():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["date"] = "2013-06-01"
    at.run()
    assert not at.exception
    # The panel is drawn only once asked for, so it costs nothing on the first map.
    assert not at.download_button
    at.toggle(key="w_export_open").set_value(True).run()
    labels = {button.key: button.label for button in at.download_button}
    for fmt in ("png", "svg", "pdf", "html", "csv", "geojson", "manifest", "zip"):
        assert f"w_export_{fmt}" in labels
    assert "w_export_gif" not in labels  # rendered on request only
    at.button(key="w_export_gif_render").click().run()
    assert not at.exception
    assert "w_export_gif" in {button.key for button in at.download_button}
    assert any("python -m geo.snapshot --date 2013-06-01" in code.value for code in at.code)


def test_manifest_and_csv_carry_both_dates_and_the_references(export, events):
    view = View(as_of=date(2022, 8, 31), mode="window", date_from=date(2022, 8, 1), date_to=date(2022, 8, 31))
    manifest = json.loads(export("manifest", view))
    assert manifest["view"]["dates"] == "precise"
    both = {row["event_id"]: row for row in manifest["event_dates"]}
    assert both["tessit-attack-2022-08"]["the_articles"] == "August 2022"
    assert both["tessit-attack-2022-08"]["the_public_record"] == "7 August 2022 [R33; R34]"
    cited = {ref["ref_id"]: ref for ref in manifest["public_record"]}
    assert {"R33", "R34"} <= set(cited) and cited["R33"]["url"].startswith("https://")
    rows = list(csv.DictReader(io.StringIO(export("csv", view).decode("utf-8"))))
    tessit = next(r for r in rows if r["event_id"] == "tessit-attack-2022-08")
    assert (tessit["event_date"], tessit["date_precision"]) == ("2022-08-01", "month")
    assert (tessit["record_date"], tessit["record_precision"], tessit["record_sources"]) == (
        "2022-08-07",
        "day",
        "R33;R34",
    )
    # The articles' dates only: the same window holds what the articles date to August.
    articles = json.loads(export("manifest", view.with_changes(dates="articles")))
    assert articles["view"]["dates"] == "articles" and articles["view"]["url_query"]["dates"] == "articles"
