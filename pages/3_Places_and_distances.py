"""Places and distances: how far. The gazetteer with geodesic distances, the troop movements' routes, any two places."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import filters, gazetteer, mapview, places, ui

st.set_page_config(page_title="Sahel withdrawal: places and distances", page_icon="📏", layout="wide")

events = ui.active_events()
view = ui.sidebar(events)
in_view = filters.filter_events(events, view)
gazetteer_places = gazetteer.load_gazetteer()

st.title("Places and distances")
st.caption(
    "Every place the articles name, where its coordinates come from, and how far it is from the Mali–Niger border "
    "and from Bamako. Distances are geodesic (on the WGS84 ellipsoid), in km, as the crow flies, not by road."
)

st.subheader("Distance between two places")
names = gazetteer.place_names()
left, right, result = st.columns([2, 2, 1])
first = left.selectbox("From", names, index=names.index("Kati"), key="w_place_a")
second = right.selectbox("To", names, index=names.index("Bamako"), key="w_place_b")
km = places.distance_between(first, second)
result.metric("Geodesic distance", f"{km:,.1f} km")

fmap = mapview.gazetteer_map(gazetteer_places, pair=(first, second), pair_km=km, asset_url=ui.MAP_ASSET_URL)
st_folium(fmap, key="places_map", height=420, use_container_width=True, returned_objects=[])
st.caption(
    "Filled marks are towns and capitals; hollow dashed ones are points standing for a region or a country. "
    "The dashed red line is the Mali–Niger border (Natural Earth)."
)

st.subheader("The places")
table = places.place_table(gazetteer_places, in_view, ui.country_names(), distances=ui.place_distances())
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "km_to_border": st.column_config.NumberColumn("km to Mali–Niger border", format="%.0f"),
        "km_to_bamako": st.column_config.NumberColumn("km to Bamako", format="%.0f"),
        "events": st.column_config.NumberColumn("events in view", help="Events in view that take place there"),
        "event_titles": st.column_config.TextColumn("which events", width="large"),
        "on_routes": st.column_config.TextColumn("on the route of"),
        "basis": st.column_config.TextColumn("coordinates from"),
    },
)

st.subheader("Troop movements")
moves = places.movement_table(in_view)
if moves.empty:
    st.caption("No troop movement is in view.")
else:
    st.dataframe(
        moves,
        hide_index=True,
        width="stretch",
        column_config={
            "length_km": st.column_config.NumberColumn("length (km)", format="%.0f", help="The sum of the legs"),
            "days": st.column_config.NumberColumn("days", help="From the first day to the last day"),
            "legs": st.column_config.TextColumn("legs", width="large"),
        },
    )
    st.caption("Routes are schematic: straight geodesic legs between the places on them, not the roads taken.")
