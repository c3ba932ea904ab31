"""Timeline: when things happened. Events and fatalities per month, key moments, spans; a click moves the date."""

from __future__ import annotations

import streamlit as st

from geo import filters, timeline, ui

st.set_page_config(page_title="Sahel withdrawal: timeline", page_icon="📅", layout="wide")

events = ui.active_events()
view = ui.sidebar(events)

# The charts show every event that passes the country, type and search filters,
# whatever the date, so that a click can move the date forwards as well as back;
# the date in view is the red rule (or the shaded window).
matching = filters.filter_events(events, view.with_changes(mode="as_of", as_of=filters.date_bounds(events)[1]))
in_view = filters.filter_events(events, view)

st.title("Timeline")
st.caption(
    "Events per month by type, the known fatalities, the key moments and the operations and movements that "
    "lasted a while. The red rule is the date in view; **click a bar or a point to move the date there** "
    "(double-click to clear the choice). Events known only to the year are counted in January and drawn faint."
)
c1, c2, c3 = st.columns(3)
c1.metric("Events matching the filters", len(matching))
c2.metric("Of which in view", len(in_view))
c3.metric("Fatalities reported (in view)", f"{filters.summary_counts(in_view)['fatalities']:,}")

if matching.empty:
    st.info("No events match these filters. Clear the country, type or search filters to see the timeline.")
    st.stop()

months = timeline.span_months(matching)
dense = timeline.dense_span(matching)
since, until = st.select_slider(
    "Time axis", options=months, value=dense, key="w_timeline_span", format_func=lambda d: d.strftime("%b %Y"),
    help="The months the charts show; it opens where most of the events are. Drag either end.",
)  # fmt: skip
domain = timeline.chart_domain(matching, since=since, until=until)

st.subheader("Events per month, by type")
moments = timeline.key_moments(matching)
ui.date_picking_chart(
    timeline.counts_chart(timeline.monthly_counts(matching), moments, view, domain), "timeline_counts", events
)
if len(moments):
    st.caption("The numbered dashed lines are the key moments, listed by number at the foot of the page.")
if len(matching) <= timeline.MAX_STRIP_EVENTS:
    st.subheader("Every event, by type")
    ui.date_picking_chart(timeline.strip_chart(timeline.strip_frame(matching), view, domain), "timeline_strip", events)

st.subheader("Fatalities per month")
fatalities = timeline.monthly_fatalities(matching)
if fatalities.empty:
    st.caption("None of these events has a toll in the articles.")
else:
    ui.date_picking_chart(timeline.fatalities_chart(fatalities, view, domain), "timeline_fatalities", events)
    st.caption("A toll reported over a period (a cumulative count of deaths) is counted in the month it starts.")

st.subheader("Operations, movements and other spans")
spans = timeline.spans(matching, context=events)
if spans.empty:
    st.caption("None of these events lasts longer than its date.")
else:
    ui.date_picking_chart(timeline.spans_chart(spans, view, domain), "timeline_spans", events)

st.subheader("Key moments")
st.dataframe(
    timeline.numbered_moments(moments)[["number", "date_label", "title", "moment"]].rename(
        columns={"number": "#", "date_label": "date", "moment": "why marked"}
    ),
    hide_index=True,
    width="stretch",
)
