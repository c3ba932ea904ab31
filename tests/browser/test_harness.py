"""The tier-3 harness itself: a bare st_folium page loads in Chromium with every asset served locally."""

import re

import branca.colormap
import folium
from folium import plugins
from harness import PROTO_FIELDS, folium_frame, rerun, runs, wait_until_settled
from offline import PackageIndex, resolve


def test_bare_map_renders_offline(streamlit_app, app_page, screenshots_dir):
    url = streamlit_app("benchmarks/bare_map_page.py")
    page = app_page(url)

    frame = folium_frame(page)

    assert frame.locator(".leaflet-container").count() == 1
    # Leaflet ran (not just its CSS): the zoom control is built by leaflet.js.
    assert frame.locator(".leaflet-control-zoom-in").is_visible()
    assert page.offline.aborted_cdn_assets == [], (
        "CDN assets were refused: add their npm package to tests/browser/package.json "
        f"or offline.NO_NPM_EQUIVALENT: {page.offline.aborted_cdn_assets}"
    )
    assert any("leaflet@1.9.3/dist/leaflet.js" in u for u in page.offline.served)
    page.screenshot(path=screenshots_dir / "bare_map_page.png", full_page=True)


def test_every_folium_cdn_asset_has_a_local_answer():
    """Each script and stylesheet folium and streamlit-folium reference is in node_modules, or a known stub.

    Fails when a folium or streamlit-folium upgrade moves to versions that
    package.json does not pin yet.
    """
    m = folium.Map(location=(16.0, -1.0), zoom_start=5)
    folium.GeoJson({"type": "Point", "coordinates": [-1.0, 16.0]}).add_to(m)
    folium.CircleMarker((16.0, -1.0)).add_to(m)
    line = folium.PolyLine([(16.27, -0.04), (12.65, -8.0)]).add_to(m)
    plugins.PolyLineTextPath(line, "Gao - Bamako").add_to(m)
    plugins.AntPath([(16.27, -0.04), (18.44, 1.41)]).add_to(m)
    folium.Marker((16.0, -1.0), icon=folium.Icon(icon="flag", prefix="fa")).add_to(plugins.MarkerCluster().add_to(m))
    branca.colormap.LinearColormap(["white", "red"]).add_to(m)
    folium.LayerControl().add_to(m)
    urls = set(re.findall(r"https?://[^\"'\s<>]+\.(?:js|css)\b", m.get_root().render()))
    # streamlit-folium adds these two itself for branca colormaps.
    urls |= {"https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"}

    index = PackageIndex()
    unanswered = sorted(u for u in urls if not (resolve(u, index).path or resolve(u, index).stub_reason))
    assert unanswered == []
    assert len(urls) >= 14, sorted(urls)


def test_run_counter_reads_streamlit_field_numbers():
    """RUN_COUNTER_JS reads three protobuf field numbers; they must be Streamlit's own."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    forward = {field.name: field.number for field in ForwardMsg.DESCRIPTOR.fields}
    back = {field.name: field.number for field in BackMsg.DESCRIPTOR.fields}
    assert {
        "FORWARD_NEW_SESSION": forward["new_session"],
        "FORWARD_SCRIPT_FINISHED": forward["script_finished"],
        "BACK_RERUN_SCRIPT": back["rerun_script"],
    } == PROTO_FIELDS


def test_a_run_that_replaces_a_running_one_is_counted(streamlit_app, app_page):
    """A slider used during a run: Streamlit replaces the run with no idle moment; rerun() still waits for it.

    Counting the transitions of data-test-script-state missed such a run, and a
    test waiting for it timed out under load although the app had done right.
    """
    page = app_page(streamlit_app("tests/browser/apps/slow_run.py"), wait=False)
    wait_until_settled(page, maps=0)
    before = runs(page)
    page.get_by_role("button", name="Slow run").click()
    page.locator("[data-testid='stApp'][data-test-script-state='running']").wait_for()
    with rerun(page):
        page.get_by_role("slider").focus()
        page.keyboard.press("ArrowRight")
    after = runs(page)
    # The button's run and the slider's run that replaced it: two runs, both over.
    assert after["started"] - before["started"] == 2
    assert after["finished"] == after["started"] and not after["running"]
    assert page.get_by_text("Day shown: 2022-02-18").is_visible()
    assert page.get_by_text("Run complete").is_visible()
