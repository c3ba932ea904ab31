"""geo.ui.live_map sends the component exactly what st_folium would, with the base map rendered once per process."""

from __future__ import annotations

import streamlit_folium
from streamlit.testing.v1 import AppTest

TIMEOUT_S = 120


def _both_ways_script():
    """Draw the curated view's map through ui.live_map (twice) and through st_folium, recording the arguments."""
    from datetime import date

    import folium
    import streamlit as st
    import streamlit_folium as sf

    from geo import mapview, playback, ui
    from geo.scene import view_scene
    from geo.view import View

    sent = sf.__dict__.setdefault("_sent_by_test", [])
    sf._component_func = lambda **kwargs: sent.append(kwargs)
    st.session_state[ui.K_MAP_START] = ((16.2, 0.1), 6)  # a link's view, not the default
    events, view = ui.curated_events(), View(as_of=date(2022, 8, 15))

    def layers():
        scene = view_scene(events, ui.bases(), view)
        marks = scene.marks
        group = mapview.dynamic_layers(marks.shown, marks.status, scene.moves, scene.bases, ui.sources(),
                                       aggregated=marks.cells, zoom=view.zoom)  # fmt: skip
        control = playback.control_data(events, view, scene.moves, playing=False, handled=None, can_play=True,
                                        play_from=None)  # fmt: skip
        playback.add_time_control(group[-1], control)
        return group

    returned = ["center", "zoom", "selected_tags"]
    ui.live_map(layers(), tiles=False, height=620, returned_objects=returned)
    ui.live_map(layers(), tiles=False, height=620, returned_objects=returned)
    fmap = mapview.base_map(tiles=False, legend=False, center=(16.2, 0.1), zoom=6, asset_url=ui.MAP_ASSET_URL)
    sf.st_folium(fmap, key=ui.MAP_KEY, height=620, use_container_width=True, feature_group_to_add=layers(),
                 layer_control=folium.LayerControl(collapsed=True), returned_objects=returned,
                 on_change=ui.on_map_report)  # fmt: skip


def test_live_map_sends_what_st_folium_sends():
    streamlit_folium.__dict__.pop("_sent_by_test", None)
    original = streamlit_folium._component_func
    try:
        at = AppTest.from_function(_both_ways_script, default_timeout=TIMEOUT_S).run()
    finally:
        streamlit_folium._component_func = original
    assert not at.exception, at.exception
    first, cached, reference = streamlit_folium.__dict__.pop("_sent_by_test")
    for sent in (first, cached, reference):
        assert callable(sent.pop("on_change"))
    assert first == reference
    assert cached == reference  # the second call reuses the rendered base
    # What the map is: the base (countries, labels, aids) and this run's layers, with no centre or zoom to echo.
    assert reference["center"] is None and reference["zoom"] is None
    assert "16.2, 0.1" in reference["script"] and "Bamako" in reference["script"]
    assert "feature_group_0" in reference["feature_group"] and "sahel-time" in reference["feature_group"]
