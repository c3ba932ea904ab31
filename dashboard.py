"""The dashboard's main page (placeholder until the map lands): the curated events as a table."""

import streamlit as st

from geo.events import load_events

st.set_page_config(page_title="Sahel withdrawal dashboard", layout="wide")
st.title("France's withdrawal from Mali, 2022")
events = load_events()
st.metric("Events", len(events))
st.dataframe(events.drop(columns="geometry"), hide_index=True)
