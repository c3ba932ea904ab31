"""The folium map rendered to HTML and inspected without a browser, with its marks and popups."""

import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import filters, mapview, marks
from geo.bases import base_status, load_bases
from geo.movements import movements_at
from geo.style import TYPE_COLOURS, marker_radius
from geo.view import View

XSS = "<img src=x onerror=alert(1)>"


def _render(events, sources, when=date(2022, 5, 1), **view_changes):
    view = View(as_of=when, **view_changes)
    shown, status = filters.events_with_status(events, view)
    moves = movements_at(events, view.reference_date)
    bases = base_status(load_bases(), view.reference_date)
    return mapview.build_map(shown, status, moves, bases, sources).get_root().render(), shown


def test_map_has_base_layer_border_events_and_legend(events, sources):
    html, shown = _render(events, sources)
    assert "Countries (Natural Earth)" in html
    for name in ("Mali", "Niger", "Burkina Faso", "Mauritania", "Chad"):
        # Labels sit in DivIcons, whose HTML folium writes JSON-escaped.
        assert f"\\u003e{name}\\u003c/div\\u003e" in html, name
    assert "Mali–Niger border" in html
    assert html.count('"className": "event-mark event-') == len(shown) > 0
    assert 'id="map-legend"' in html and "Fatalities (area)" in html
    # Tiles are offered in the layer control but not shown unless asked: the map must read offline.
    tile_var = re.search(r"var (tile_layer_[0-9a-f]+) = L.tileLayer", html).group(1)
    assert f"{tile_var}.addTo(" not in html
    online = mapview.base_map(tiles=True).get_root().render()
    assert re.search(r"tile_layer_[0-9a-f]+\.addTo\(", online)


def test_map_links_only_leaflet_and_jquery(events, sources):
    """folium's Bootstrap, Font Awesome and awesome-markers files are not linked: the map uses none of them."""
    html, _ = _render(events, sources)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert [url.rsplit("/", 1)[1] for url in scripts] == ["leaflet.js", "jquery-3.7.1.min.js"]
    assert [url.rsplit("/", 1)[1] for url in styles] == ["leaflet.css"]
    assert "bootstrap" not in html and "awesome" not in html


def test_popup_shows_sources_and_precision(events, sources):
    html, _ = _render(events, sources, when=date(2022, 8, 15))
    assert "Reported by 5 of 5 articles" in html  # the announcement of 17 February
    assert "Operation Barkhane: France announces the complete withdrawal of its troops from Mali" in html
    assert "June 2022" in html and "2022-06-01" not in html.split("event-popup")[1][:20000]


def test_marks_use_type_colour_size_and_precision_outline(events, sources):
    view = View(as_of=date(2022, 8, 31))
    shown, status = filters.events_with_status(events, view)
    features = marks.event_features(shown, status, sources)
    assert len(features) == len(shown)
    # Tessit (42 killed, month precision) is an attack: orange, dashed, bigger than the unknown-toll size.
    (tessit,) = [f for f in features if "42 Malian soldiers killed at Tessit" in f["properties"]["popup"]]
    style = tessit["properties"]["style"]
    assert style["fillColor"] == TYPE_COLOURS["attack"] and style["dashArray"] == "6 4"
    assert style["className"] == "event-mark event-attack"
    radius = style["radius"]
    assert radius == pytest.approx(marker_radius(42), abs=0.01) and radius > marker_radius(None)
    # A day-precise event has a solid outline; earlier events (the view's default shows them) are faded.
    by_precision = {row["date_precision"]: f for (_, row), f in zip(shown.iterrows(), features, strict=True)}
    assert by_precision["day"]["properties"]["style"]["dashArray"] is None
    assert by_precision["year"]["properties"]["style"]["dashArray"] == "1 5"


def test_movements_drawn_by_state(events, sources):
    during, _ = _render(events, sources, when=date(2022, 5, 1))
    assert "movement-position" in during and "under way" in during
    before, _ = _render(events, sources, when=date(2021, 1, 1))
    assert "Barkhane withdraws from Mali into Niger" not in before


def test_bases_differ_by_date(events, sources, script_text):
    before, _ = _render(events, sources, when=date(2022, 8, 14))
    after, _ = _render(events, sources, when=date(2022, 8, 15))
    assert "French base at Gao</b><br>France (Barkhane): in use" in script_text(before)
    assert "French base at Gao</b><br>France (Barkhane): handed over" in script_text(after)
    # Filled while in use, an outline once handed over.
    (gao_before,) = [f for f in mapview.layer_features(mapview.dynamic_layers(
        events.iloc[0:0], [], movements_at(events.iloc[0:0], pd.Timestamp("2022-08-14")),
        base_status(load_bases(), pd.Timestamp("2022-08-14")), sources)[0]) if "Gao" in f["properties"]["popup"]]  # fmt: skip
    assert gao_before["properties"]["style"]["fill"] is True
    assert gao_before["properties"]["style"]["className"] == "base-mark base-in-use"
    assert gao_before["geometry"]["type"] == "Polygon"


def test_text_from_data_is_escaped(events, sources, script_text):
    evil = events.iloc[[0]].copy()
    evil["title"] = XSS
    evil["description"] = "</script><script>alert(2)</script>"
    evil["readings"] = XSS
    html = mapview.build_map(evil, ["current"], movements_at(evil, pd.Timestamp("2022-01-01")),
                             base_status(load_bases(), pd.Timestamp("2022-01-01")), sources).get_root().render()  # fmt: skip
    assert XSS not in html and "</script><script>" not in html
    # What the popup and tooltip will be given: the text escaped as HTML, not the markup.
    given_text = script_text(html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in given_text and XSS not in given_text
    assert (
        "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in given_text
        and "<script>alert(2)</script>" not in given_text
    )


def test_same_view_renders_the_same_bytes(events, sources):
    first, _ = _render(events, sources)
    second, _ = _render(events, sources)
    assert first == second


def test_every_type_has_a_distinct_colour():
    colours = list(TYPE_COLOURS.values())
    assert len(set(colours)) == len(colours)


def test_country_layer_bounds_match_its_shapes():
    """The layer states its bounds (spared a walk over every vertex per run); they must be the shapes' own."""
    from folium.utilities import get_bounds

    fmap = mapview.base_map()
    (layer,) = [
        child for child in fmap._children.values() if getattr(child, "layer_name", "") == "Countries (Natural Earth)"
    ]
    stated, walked = layer.get_bounds(), get_bounds(layer.data, lonlat=True)
    # The shapes drawn are simplified by 0.02°. (France's overseas islands stretch them to the Pacific.)
    assert [*stated[0], *stated[1]] == pytest.approx([*walked[0], *walked[1]], abs=0.05)
    south, west = stated[0]
    north, east = stated[1]
    assert south < 10 < 25 < north and west < -10 < 15 < east  # the Sahel lies inside


@pytest.mark.parametrize("when", [date(2022, 5, 1), date(2022, 8, 15)])
def test_feature_layers_render_as_folium_would(events, sources, monkeypatch, when):
    """The layers skip branca's second template pass (speed), and the page is byte for byte folium's own."""
    import folium

    fast, _ = _render(events, sources, when=when)
    monkeypatch.setattr(mapview, "_FeatureLayer", folium.GeoJson)
    plain, _ = _render(events, sources, when=when)
    assert fast == plain
    # Also where a text ends in a newline or holds a carriage return (folium writes both JSON-escaped).
    odd = events.iloc[[0]].copy()
    odd["title"] = "A title\r\nover two lines\n"
    monkeypatch.undo()
    shown = mapview.build_map(odd, ["current"], movements_at(odd, pd.Timestamp(when)), base_status(load_bases(), pd.Timestamp(when)), sources).get_root().render()  # fmt: skip
    monkeypatch.setattr(mapview, "_FeatureLayer", folium.GeoJson)
    folium_page = mapview.build_map(odd, ["current"], movements_at(odd, pd.Timestamp(when)), base_status(load_bases(), pd.Timestamp(when)), sources).get_root().render()  # fmt: skip
    assert shown == folium_page


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab {}%#\r\n\t<>é")), max_size=40))
def test_a_verbatim_script_is_what_branca_would_write(text):
    """For any text with no template syntax, the verbatim element gives what branca's compiled one does."""
    from branca.element import Element

    from geo.escaping import has_template_syntax

    assume(not has_template_syntax(text))
    assert mapview._VerbatimScript(text).render() == Element(text).render()


def _country_layer_of(fmap):
    (layer,) = [c for c in fmap._children.values() if getattr(c, "layer_name", "") == "Countries (Natural Earth)"]
    return layer


def test_the_live_map_fetches_its_countries_and_an_export_carries_them(tmp_path, monkeypatch):
    import json

    monkeypatch.setattr(mapview.country_asset, "__defaults__", (tmp_path / "generated",))
    live = mapview.base_map(legend=False, asset_url="../../app/static")
    (written,) = (tmp_path / "generated").iterdir()
    layer = _country_layer_of(live)
    assert layer.embed_link == f"../../app/static/generated/{written.name}"
    live_html = live.get_root().render()
    assert f'$.ajax("../../app/static/generated/{written.name}"' in live_html
    exported = mapview.base_map(legend=False)
    export_html = exported.get_root().render()
    assert "generated/countries-" not in export_html and "$.ajax(" not in export_html
    # The file holds exactly what the export carries, and the export holds its coordinates.
    carried = _country_layer_of(exported).data
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(json.dumps(carried))
    niger = next(f for f in carried["features"] if f["properties"]["iso3"] == "NER")
    first = niger["geometry"]["coordinates"][0][0]
    assert f"[{first[0]}, {first[1]}]" in export_html and f"[{first[0]}, {first[1]}]" not in live_html
    assert len(live_html) < len(export_html) - 150_000
    # Named by its content: a second map reuses the file, and a changed file is written again.
    mapview.base_map(legend=False, asset_url="../../app/static")
    assert [p.name for p in (tmp_path / "generated").iterdir()] == [written.name]
    written.write_text("{}", encoding="utf-8")
    mapview.base_map(legend=False, asset_url="../../app/static")
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(json.dumps(carried))


def test_a_folder_that_cannot_be_written_puts_the_countries_in_the_script(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(mapview.country_asset, "__defaults__", (blocked / "generated",))
    layer = _country_layer_of(mapview.base_map(legend=False, asset_url="../../app/static"))
    assert layer.embed and layer.embed_link is None
