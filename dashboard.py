"""The map dashboard: what happened where, up to a date or within a window."""

from __future__ import annotations

import streamlit as st

from geo import aggregate, filters, inview, mapview, playback, ui
from geo.scene import movement_view, troop_movements, view_scene

st.set_page_config(page_title="Sahel withdrawal: map", page_icon="🗺️", layout="wide")


events = ui.active_events()
# The map is sent before the sidebar and the figures above it are filled in,
# so the browser starts drawing it first; the header container keeps them on top.
view = ui.prepare_view(events)
header = st.container()
# What the view shows, decided in geo/scene.py for this map and every export alike.
scene = view_scene(events, ui.bases(), view, show_earlier=st.session_state[ui.K_EARLIER])
in_view, moves, bases_now = scene.in_view, scene.moves, scene.bases
playing = st.session_state[ui.K_PLAYING]
# While the map plays (geo.playback), it holds the marks up to the end of the span and shows each
# as its date passes; the counts stay those of the view's date until playback pauses there.
played = playback.playing_view(events, view)
marks = aggregate.view_marks(events, played, show_earlier=st.session_state[ui.K_EARLIER]) if playing else scene.marks
# Every movement of the span, for the time control to glide along while it plays (it draws them itself then).
span_moves = filters.filter_events(troop_movements(events), playback.playing_view(events, movement_view(view)))
can_play = filters.count_rows(events, filters.rows_in_view(events, played)) <= aggregate.AGGREGATE_THRESHOLD

# The base map is rendered once per process (ui.live_map); each run renders only these layers, which
# st_folium swaps in place, keeping the user's pan and zoom. The map opens where the link said
# (ui.map_start); after that the map alone moves itself.
layers = mapview.dynamic_layers(marks.shown, marks.status, moves.iloc[0:0] if playing else moves, bases_now,
                                ui.sources(), aggregated=marks.cells, zoom=view.zoom)  # fmt: skip
control = playback.control_data(
    events, view, span_moves, playing=playing, handled=st.session_state[ui.K_PLAY_HANDLED], can_play=can_play,
    play_from=st.session_state[ui.K_PLAY_FROM] if playing else None,
)  # fmt: skip
playback.add_time_control(layers[-1], control)
# Always there, filled or not: an element appearing above the map only when the cells start
# would shift the map's place on the page, and Streamlit would rebuild its iframe (and lose the pan).
map_note = st.empty()
if marks.cells is not None:
    # One mark per grid cell: what is sent stays bounded by the number of cells, whatever the events.
    map_note.caption(f"{len(in_view):,} events are too many to draw one by one, so they are grouped into "
               f"{len(marks.cells):,} grid cells; each cell's popup gives its events, toll, main types and dates. "
               "Zoom in for finer cells, or filter to "
               f"{aggregate.AGGREGATE_THRESHOLD:,} events or fewer to see single events with their sources.")  # fmt: skip
# 4:1 leaves the legend about 180 px at 1280 px: its entries fit on one line each.
map_column, legend_column = st.columns([4, 1])
with map_column:
    # No center/zoom: the map owns its viewport (see ui.map_start). Its report of a pan or zoom,
    # and the time control's play/pause message, reach ui.on_map_report before the next run.
    ui.live_map(layers, tiles=st.session_state[ui.K_TILES], height=620,
                returned_objects=["center", "zoom", "selected_tags"])  # fmt: skip
with legend_column:
    # Beside the map rather than over it, so it hides no mark, popup or tooltip. Sent after the map.
    st.html(mapview.legend_html(marks.shown, marks.status, moves, bases_now, marks.cells, floating=False))

# The controls follow the map: the map's first report of its view draws them (see ui.sidebar).
ui.sidebar(events, notices=header, after_first_map=True)
with header:
    st.title("France's withdrawal from Mali, 2022")
    counts = scene.counts
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Events in view", f"{counts['events']:,}")
    c2.metric("Fatalities reported", f"{counts['fatalities']:,}")
    c3.metric("Events with unknown toll", f"{counts['unknown_toll']:,}")
    c4.metric("Movements under way", counts["under_way"])
    # What the map frames (the view keeps the map's last reported centre and zoom), so that the
    # counts say which events in view are off screen.
    map_frame = inview.view_bounds(None, view.center, view.zoom)
    off_screen = inview.off_screen_note(in_view, map_frame) if marks.cells is None else None
    st.caption(
        f"Showing events {scene.period}. Click a mark to read its sources." + (f" {off_screen}" if off_screen else "")
    )
    if in_view.empty:
        st.info("No events match these filters. Widen the dates, or clear the country, type or search filters.")
    st.page_link(
        "pages/2_Events_and_sources.py", label=f"The {counts['events']:,} events in view, with their sources →"
    )

# The map in words (for screen readers, and to read it as a list): every event in view, on screen or not, and its articles.
# Before the first map has shown, the list (tens of kB of HTML for the browser to clean and lay out,
# 0.3 s of its thread) and the export switch wait with the sidebar's controls (see ui.sidebar).
waiting_for_map = ui.waiting_for_first_map()
with st.expander(f"The map as a list: {len(in_view):,} events in view, with their sources"):
    if waiting_for_map:
        st.caption("The list appears as soon as the map has drawn.")
    else:
        st.html(inview.map_as_list_html(in_view, ui.sources(), map_frame))

# Drawn only when asked for: its widgets would otherwise cost every first map half a second.
if not waiting_for_map and st.toggle(
    "Export this view", key="w_export_open", help="Images, interactive HTML, data with a manifest, GIF"
):
    ui.export_panel(events, ui.current_view())
