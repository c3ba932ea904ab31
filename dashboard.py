"""The map dashboard: what happened where, up to a date or within a window."""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import aggregate, filters, mapview, ui
from geo.bases import base_status
from geo.movements import movements_at

st.set_page_config(page_title="Sahel withdrawal: map", page_icon="🗺️", layout="wide")


events = ui.active_events()
# The map is sent before the sidebar and the figures above it are filled in,
# so the browser starts drawing it first; the header container keeps them on top.
view = ui.prepare_view(events)
header = st.container()
# Above the threshold the map draws grid cells, so single marks are not even selected.
marks = aggregate.view_marks(events, view, show_earlier=st.session_state[ui.K_EARLIER])
in_view = marks.in_view
# Only troop movements are needed: selecting them alone spares copying every event in view.
moves = movements_at(filters.filter_events(events, view.with_changes(text="", types=("troop_movement",))),
                     view.reference_date)  # fmt: skip
bases_now = filters.bases_in_view(base_status(ui.bases(), view.reference_date), view)

# The base map is rebuilt each run (about 10 ms) rather than cached: st_folium
# adds the dynamic layers to the map object it is given, and its ids are
# deterministic, so the same base renders the same script and st_folium only
# swaps the layers, keeping the user's pan and zoom.
fmap = mapview.base_map(tiles=st.session_state[ui.K_TILES], legend=False)
layers = mapview.dynamic_layers(marks.shown, marks.status, moves, bases_now, ui.sources(), aggregated=marks.cells,
                                zoom=view.zoom)  # fmt: skip
# Always there, filled or not: an element appearing above the map only when the cells start
# would shift the map's place on the page, and Streamlit would rebuild its iframe (and lose the pan).
map_note = st.empty()
if marks.cells is not None:
    # One mark per grid cell: what is sent stays bounded by the number of cells, whatever the events.
    map_note.caption(f"{len(in_view):,} events are too many to draw one by one, so they are grouped into "
               f"{len(marks.cells):,} grid cells; each cell's popup gives its events, toll, main types and dates. "
               "Zoom in for finer cells, or filter to "
               f"{aggregate.AGGREGATE_THRESHOLD:,} events or fewer to see single events with their sources.")  # fmt: skip
map_column, legend_column = st.columns([5, 1])
with legend_column:
    # Beside the map rather than over it, so it hides no mark, popup or tooltip.
    st.html(mapview.legend_html(floating=False))
with map_column:
    returned = st_folium(
        fmap,
        key="map",
        height=620,
        use_container_width=True,
        center=view.center or mapview.DEFAULT_CENTER,
        zoom=view.zoom or mapview.DEFAULT_ZOOM,
        feature_group_to_add=layers,
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=["center", "zoom"],
    )
if returned and returned.get("center") and returned.get("zoom"):
    center = (round(returned["center"]["lat"], 4), round(returned["center"]["lng"], 4))
    if center != view.center or returned["zoom"] != view.zoom:
        st.session_state[ui.K_CENTER] = center
        st.session_state[ui.K_ZOOM] = int(returned["zoom"])

ui.sidebar(events, notices=header)
with header:
    st.title("France's withdrawal from Mali, 2022")
    window_first, window_last = view.window
    period = (
        f"up to {filters.format_day(window_last)}"
        if view.mode == "as_of"
        else f"from {filters.format_day(window_first)} to {filters.format_day(window_last)}"
    )
    counts = filters.summary_counts(in_view)
    under_way = int((moves["state"] == "under way").sum())
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Events in view", f"{counts['events']:,}")
    c2.metric("Fatalities reported", f"{counts['fatalities']:,}")
    c3.metric("Events with unknown toll", f"{counts['unknown_toll']:,}")
    c4.metric("Movements under way", under_way)
    st.caption(f"Showing events {period}. Click a mark to read its sources.")
    if in_view.empty:
        st.info("No events match these filters. Widen the dates, or clear the country, type or search filters.")
    st.page_link(
        "pages/2_Events_and_sources.py", label=f"The {counts['events']:,} events in view, with their sources →"
    )

# Drawn only when asked for: its widgets would otherwise cost every first map half a second.
if st.toggle("Export this view", key="w_export_open", help="Images, interactive HTML, data with a manifest, GIF"):
    ui.export_panel(events, ui.current_view())
