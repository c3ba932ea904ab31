"""The dashboard's map component sends exactly what st_folium would, with the base map rendered once."""

from __future__ import annotations

from datetime import date

import folium
import pytest
import streamlit_folium
from streamlit_folium import st_folium

from geo import aggregate, filters, mapview, ui
from geo.bases import base_status, load_bases
from geo.movements import movements_at

VIEWS = {
    "single marks": filters.View(as_of=date.fromisoformat("2022-08-15")),
    "window, one country": filters.View(as_of=date.fromisoformat("2022-08-15"), mode="window",
                                        date_from=date.fromisoformat("2022-02-01"), countries=("MLI",)),
    "grid cells": filters.View(as_of=date.fromisoformat("2022-08-15"), zoom=6),
}  # fmt: skip


def _layers(events, sources, view: filters.View, threshold: int):
    marks = aggregate.view_marks(events, view, threshold=threshold)
    moves = movements_at(filters.filter_events(events, view.with_changes(types=("troop_movement",))),
                         view.reference_date)  # fmt: skip
    bases_now = base_status(load_bases(), view.reference_date)
    return mapview.dynamic_layers(marks.shown, marks.status, moves, bases_now, sources, aggregated=marks.cells,
                                  zoom=view.zoom)  # fmt: skip


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("tiles", [False, True])
def test_map_component_sends_what_st_folium_sends(monkeypatch, events, sources, name, tiles):
    view = VIEWS[name]
    threshold = 5 if name == "grid cells" else aggregate.AGGREGATE_THRESHOLD
    sent = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    common = {"key": "map", "height": 620, "center": mapview.DEFAULT_CENTER, "zoom": view.zoom or mapview.DEFAULT_ZOOM,
              "returned_objects": ["center", "zoom"]}  # fmt: skip
    st_folium(mapview.base_map(tiles=tiles, legend=False), use_container_width=True,
              feature_group_to_add=_layers(events, sources, view, threshold),
              layer_control=folium.LayerControl(collapsed=True), **common)  # fmt: skip
    for _ in range(2):  # built, then from the cache
        ui.map_component(_layers(events, sources, view, threshold), tiles=tiles, **common)
    expected, built, cached = ({k: v for k, v in args.items() if k != "on_change"} for args in sent)
    assert expected["feature_group"]  # the layers are there to compare
    assert built == expected
    assert cached == expected
