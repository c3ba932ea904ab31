"""About the data: sources and licences, how dates were worked out, the known gaps, how to cite a view."""

from __future__ import annotations

import streamlit as st

from geo import about, gazetteer, timeline, ui

st.set_page_config(page_title="Sahel withdrawal: about the data", page_icon="ℹ️", layout="wide")

events = ui.active_events()
view = ui.sidebar(events)
sources = ui.sources()
curated = ui.curated_events()

st.title("About the data")

st.header("Where the data comes from")
st.markdown(
    f"The events were curated by hand from **{len(sources)} news articles** about France's withdrawal from Mali. "
    "Each event names the articles that report it (ids below); titles and descriptions are our own words."
)
st.dataframe(about.source_rows(sources), hide_index=True, width="stretch", key="about_sources")
st.dataframe(about.licences_table(), hide_index=True, width="stretch", key="about_licences")
st.markdown(
    "Place coordinates © [GeoNames](https://www.geonames.org/), licensed under "
    "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Borders: "
    "[Natural Earth](https://www.naturalearthdata.com/) (public domain)."
)

st.header("How dates were worked out, and what precision means")
st.markdown(about.doc_section("Date precision"))
st.markdown(
    "On the map a mark's outline says how precisely its date is known (solid: the day, dashed: the month, dotted: "
    "the year); tables give each date at its precision ('17 February 2022', 'June 2022', '2013'). "
    "A filter 'up to a date' counts an event from the first day its date can mean."
)
with st.expander("How each article was dated"):
    for _, row in sources.iterrows():
        st.markdown(f"- **{row['source_id']}**: {row['dating_note']}")

st.header("Known gaps")
gaps = about.known_gaps(curated, sources, gazetteer.load_gazetteer(), timeline.spans(curated))
st.markdown("\n".join(f"- {gap}" for gap in gaps))

st.header("How to cite a view")
st.markdown(
    "Every page keeps the view (date or window, countries, types, search) in the address bar, so a link "
    "reopens what you see. The current view on the map, and on the timeline:"
)
st.code(about.citation_url(view, ui.app_url()), language=None)
st.code(about.citation_url(view, ui.app_url(), page="Timeline"), language=None)
st.markdown(
    "For a figure or a table in a report, export the view (the download buttons on the map page, or the command "
    "line). A data export comes with a manifest (JSON) that records the view (date, mode, filters, the link's "
    "parameters and this command), the data file's SHA-256, the app version, the ids of the events in it and the "
    "articles they rest on. The same export from the command line, as a ZIP of CSV, GeoJSON and manifest:"
)
st.code(about.snapshot_command(view), language="sh")
st.markdown("Cite the articles by id and headline (or our label where an article has none), as listed above.")
