"""Events and sources: how we know. Each event with the articles that report it; what each article adds; readings."""

from __future__ import annotations

import streamlit as st

from geo import filters, record, sourcing, ui

st.set_page_config(page_title="Sahel withdrawal: events and sources", page_icon="📰", layout="wide")

events = ui.active_events()
view = ui.sidebar(events)
sources = ui.sources()
in_view = filters.filter_events(events, view)

st.title("Events and sources")
st.caption(
    f"Every event in view with the articles that report it, out of the {len(sources)} articles the data was "
    "curated from. Search with the sidebar box (it holds on every page) or the table's own search; click a "
    "column header to sort."
)

# From 0: imported events cite none of the articles, and a default of 1 would hide every one of them.
least = st.slider(
    "Reported by at least this many articles", min_value=0, max_value=len(sources), value=0, key="w_min_articles",
    help="0 lists every event in view, imported ones included (they cite none of the articles)",
)  # fmt: skip
shown = sourcing.reported_by_at_least(in_view, sources, least)
table = sourcing.reading_table(shown, sources)
readings = sourcing.readings_table(shown, sources)

c1, c2, c3 = st.columns(3)
c1.metric("Events shown", len(table))
c2.metric("Reported by every article", int((table["articles"] == len(sources)).sum()) if len(table) else 0)
c3.metric("Events with readings", readings["event_id"].nunique() if len(readings) else 0)

if table.empty:
    st.info("No events match these filters. Widen the dates, lower the number of articles, or clear the filters.")

st.subheader("The events")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="sources_events_table",
    # The articles come right after the title, so they are read without scrolling sideways.
    column_order=["date", "title", "which", "articles", "the articles", "the public record", "type", "place",
                  "country", "fatalities", "first day", "readings", "event_id"],
    column_config={
        "date": st.column_config.TextColumn(
            "date",
            help="Where the event is placed: the public record's date where it is more precise, else the articles'",
        ),
        "the articles": st.column_config.TextColumn("the articles", help="The date at the precision the articles give"),
        "the public record": st.column_config.TextColumn(
            "the public record", help="A more precise date, a named place or a toll from the references below, by id"
        ),
        "first day": st.column_config.DateColumn("first day", help="The first day the date can mean; sort by this"),
        "title": st.column_config.TextColumn("title", width="medium"),
        "fatalities": st.column_config.TextColumn(
            "fatalities", help="'unknown' where the articles give no toll (never 0 for unknown)"
        ),
        "articles": st.column_config.ProgressColumn(
            "articles", min_value=0, max_value=len(sources), format="%d", help="How many of the articles report it"
        ),
        "which": st.column_config.TextColumn(
            "which articles", width="small", help="Article ids; the table below gives each one's headline"
        ),
        "readings": st.column_config.TextColumn("readings", help="Where the articles differ", width="large"),
    },
)  # fmt: skip

st.subheader("What each article contributes")
contributions = sourcing.article_contributions(shown, sources)
st.dataframe(
    contributions.drop(columns=["first", "last"]),
    hide_index=True,
    width="stretch",
    column_config={
        "source_id": st.column_config.TextColumn("id"),
        "article": st.column_config.TextColumn("article (headline, or our label)", width="large"),
        "events": st.column_config.NumberColumn("events", help="Events shown that cite this article"),
        "only_source": st.column_config.NumberColumn("only source", help="Events no other article reports"),
        "period": st.column_config.TextColumn(
            "period covered", help="From the earliest to the latest event it reports"
        ),
    },
)

st.subheader("Where the articles differ")
everything = st.toggle("Also show readings that only one article gives", value=False, key="w_all_readings")
listed = readings if everything else readings[readings["differs"]]
if listed.empty:
    st.caption("No readings for the events shown.")
else:
    st.caption("Each reading on its own row, with the article that gives it; 'our note' marks our own remark.")
    st.dataframe(
        listed.drop(columns=["differs"]),
        hide_index=True,
        width="stretch",
        key="sources_readings_table",
        column_config={
            "reading": st.column_config.TextColumn("reading", width="large"),
            "said by": st.column_config.TextColumn("said by", width="large"),
        },
    )

st.subheader("The public record")
cited = sourcing.references_table(shown, record.load_references())
if cited.empty:
    st.caption("None of the events shown carries a public-record date, place or figure.")
else:
    st.caption(
        "Published references (stored copies of public pages) that give a more precise date, a named place or a "
        "toll for the events shown. The articles stay the primary sources; these only add precision."
    )
    st.dataframe(
        cited,
        hide_index=True,
        width="stretch",
        key="sources_references_table",
        column_config={
            "ref_id": st.column_config.TextColumn("id"),
            "url": st.column_config.LinkColumn("address"),
            "supports": st.column_config.TextColumn("what it supports", width="large"),
            "events": st.column_config.NumberColumn("events", help="Events shown that cite it"),
        },
    )
