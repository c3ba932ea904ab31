"""The timeline: events and fatalities per month, key moments and spans, and their Altair charts.

Every event is counted once, in the month of its stored date (its start). An
event known only to the year is stored as 1 January (``docs/data.md``), so it
is counted in January of that year and drawn faint, with a tooltip that says
so. A toll reported over a period (``casualty_report``) is counted in the month
the period starts and drawn apart from single events.

Each chart carries a point selection named :data:`PICK` over a text column
``pick`` (an ISO day). A page hands the chart to
``st.altair_chart(..., on_select=...)`` and turns what the user chose into a
date with :func:`picked_date`; :func:`move_view_to` says what that does to the
view. Charts are plain ``alt.Chart`` objects, built here without Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import altair as alt
import numpy as np
import pandas as pd

from geo import gazetteer
from geo.events import source_list
from geo.style import MARK_OUTLINE, TYPE_COLOURS, VEGA_SHAPES, marker_radius, type_shape
from geo.view import View, clamp_date

#: Name of the point selection each chart carries; its field is ``pick``.
PICK = "pick"
#: Above this many events the per-event strip is not drawn (the monthly chart still is).
MAX_STRIP_EVENTS = 5_000

PRECISION_LABELS = {"day": "to the day", "month": "to the month", "year": "only to the year"}
TOLL_KINDS = ("single event", "toll reported over a period")
CHART_WIDTH = "container"


def _months(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d")


def monthly_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Return the number of events per month, type and date precision.

    Columns: ``month`` (first day), ``event_type``, ``date_precision``,
    ``events``, ``known`` (how precisely those dates are known, in words) and
    ``pick`` (the month's last day, ISO: choosing the bar shows everything up
    to the end of that month). The ``events`` column sums to ``len(events)``.
    """
    columns = ["month", "event_type", "date_precision", "events", "known", "pick"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "month": _months(events["start"]).to_numpy(),
            "event_type": events["event_type"].astype(str).to_numpy(),
            # The precision of the date the event is placed at (the public record's where finer).
            "date_precision": events.get("placed_precision", events["date_precision"]).astype(str).to_numpy(),
        }
    )
    counts = frame.groupby(["month", "event_type", "date_precision"]).size().rename("events").reset_index()
    counts["known"] = counts["date_precision"].map(PRECISION_LABELS).fillna("")
    counts["pick"] = _iso(counts["month"] + pd.offsets.MonthEnd(0))
    return counts[columns]


def monthly_fatalities(events: pd.DataFrame) -> pd.DataFrame:
    """Return the known fatalities per month, split into single events and tolls over a period.

    Columns: ``month``, ``kind`` (one of :data:`TOLL_KINDS`), ``fatalities``,
    ``events`` (how many events with a known toll) and ``pick``. Events with an
    unknown toll are left out; the ``fatalities`` column sums to the events'
    known total.
    """
    columns = ["month", "kind", "fatalities", "events", "pick"]
    known = events[events["fatalities"].notna()] if len(events) else events
    if known.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "month": _months(known["start"]).to_numpy(),
            "kind": (known["event_type"] == "casualty_report").map({True: TOLL_KINDS[1], False: TOLL_KINDS[0]}),
            "fatalities": known["fatalities"].astype("int64").to_numpy(),
        }
    )
    totals = frame.groupby(["month", "kind"]).agg(fatalities=("fatalities", "sum"), events=("fatalities", "size"))
    totals = totals.reset_index()
    totals["pick"] = _iso(totals["month"] + pd.offsets.MonthEnd(0))
    return totals[columns]


def source_count(cell) -> int:
    """Return how many sources a ``sources`` cell names."""
    return len(source_list(cell))


def key_moments(events: pd.DataFrame) -> pd.DataFrame:
    """Return the moments to mark on the timeline, found from the data rather than by id.

    - every ``coup``;
    - the ``announcement`` reported by the most articles (the earliest if
      several tie): in the curated data, the withdrawal of 17 February 2022;
    - every event that takes place at a gazetteer place of kind
      ``border_crossing``: the last unit crossing into Niger.

    Columns: ``event_id``, ``day``, ``pick``, ``moment`` (coup, most-reported
    announcement, border crossing), ``title``, ``date_label``.
    """
    columns = ["event_id", "day", "pick", "moment", "title", "date_label"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    coups = events[events["event_type"] == "coup"]
    parts.append(coups.assign(moment="coup"))
    announcements = events[events["event_type"] == "announcement"]
    if len(announcements):
        reach = announcements["sources"].map(source_count)
        best = announcements[reach == reach.max()].sort_values("start", kind="stable").head(1)
        parts.append(best.assign(moment="most-reported announcement"))
    places = gazetteer.load_gazetteer()
    crossings = set(places.loc[places["kind"] == "border_crossing", "name"])
    parts.append(events[events["location"].isin(crossings)].assign(moment="border crossing"))
    moments = pd.concat(parts).drop_duplicates("event_id").sort_values("start", kind="stable")
    moments = moments.assign(day=moments["start"], pick=_iso(moments["start"]))
    return pd.DataFrame(moments[columns]).reset_index(drop=True)


def _actors(cell) -> set[str]:
    return {a.strip() for a in str(cell or "").split(";") if a.strip()}


def spans(events: pd.DataFrame, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the events that last a while, as bars from their first to their last day.

    An event with an ``end_date`` runs from ``start`` to ``end`` (the last day
    of the end's period). An ``operation`` without one (the articles give
    Barkhane's and Takuba's start only) is drawn to the end of the last troop
    movement in ``context`` that shares one of its actors and starts after it;
    ``end_basis`` says so. An operation with no such movement is a moment, not a
    span, and is left out.

    Parameters
    ----------
    events
        The events to draw (usually the ones in view).
    context
        Where to look for the movements that end open operations (default:
        ``events``); pass every event so that a type filter does not cut
        Barkhane short.

    Returns
    -------
    DataFrame
        ``event_id``, ``title``, ``event_type``, ``start``, ``end``,
        ``date_label``, ``end_basis`` (in words), ``end_from`` (the title of
        the movement an inferred end comes from, else ''), ``pick`` (the
        start, ISO).
    """
    columns = ["event_id", "title", "event_type", "start", "end", "date_label", "end_basis", "end_from", "pick"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    context = events if context is None else context
    # An end the articles do not give may come from the public record (geo.record).
    by_articles = events["end_date"].notna()
    by_record = events["record_end_date"].notna() & ~by_articles if "record_end_date" in events else by_articles & False
    given = events[by_articles | by_record]
    given = given.assign(
        end_basis=np.where(by_articles[given.index], "given by the articles", "given by the public record"), end_from=""
    )
    rows = [given]
    moves = context[context["event_type"] == "troop_movement"]
    open_ops = events[(events["event_type"] == "operation") & ~by_articles & ~by_record]
    inferred = []
    for _, op in open_ops.iterrows():
        actors = _actors(op["actors"])
        shares = moves["actors"].map(lambda cell, actors=actors: bool(actors & _actors(cell))).astype(bool)
        later = moves[(moves["start"] >= op["start"]) & shares]
        if later.empty:
            continue
        last = later.sort_values(["end", "start"], kind="stable").iloc[-1]
        if last["end"] <= op["end"]:
            continue
        row = op.copy()
        row["end"] = last["end"]
        row["end_basis"] = f"not given; drawn to the end of '{last['title']}'"
        row["end_from"] = last["title"]
        inferred.append(row)
    if inferred:
        rows.append(pd.DataFrame(inferred))
    result = pd.concat(rows, ignore_index=True).sort_values(["start", "event_id"], kind="stable")
    result["pick"] = _iso(result["start"])
    return pd.DataFrame(result[columns]).reset_index(drop=True)


def strip_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per event for the strip chart: date, type, title, toll, point ``area`` and ``pick``."""
    columns = ["event_id", "day", "event_type", "title", "date_label", "known", "fatalities", "toll", "area", "sources",
               "pick"]  # fmt: skip
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "event_id": events["event_id"].astype(str).to_numpy(),
            "day": pd.to_datetime(events["start"]).to_numpy(),
            "event_type": events["event_type"].astype(str).to_numpy(),
            "title": events["title"].astype(str).to_numpy(),
            "date_label": events["date_label"].astype(str).to_numpy(),
            "known": events.get("placed_precision", events["date_precision"])
            .astype(str)
            .map(PRECISION_LABELS)
            .fillna("")
            .to_numpy(),
            "fatalities": events["fatalities"].astype("float64").to_numpy(),
            "sources": events["sources"].map(source_count).to_numpy(),
        }
    )
    # Point area in px², from the map's mark radius (unknown tolls get the smallest), at 0.6 scale.
    frame["toll"] = ["unknown" if pd.isna(f) else f"{int(f):,}" for f in frame["fatalities"]]
    frame["area"] = [math.pi * (0.6 * marker_radius(f)) ** 2 for f in frame["fatalities"]]
    frame["pick"] = _iso(frame["day"])
    return frame[columns]


def picked_date(selection: Mapping | None, first: date, last: date) -> date | None:
    """Return the day the user chose on a chart, moved into ``first``..``last``; ``None`` if nothing is chosen.

    ``selection`` is the ``selection`` part of Streamlit's chart event state:
    ``{PICK: [{"pick": "2022-02-17"}, ...]}`` for a point selection (the last
    point chosen wins). Epoch milliseconds are accepted too, as Vega-Lite
    reports temporal fields that way.
    """
    if not selection:
        return None
    points = selection.get(PICK) or []
    if isinstance(points, Mapping):  # a projection: {"pick": [values]}
        values = points.get("pick") or []
        points = [{"pick": v} for v in (values if isinstance(values, list) else [values])]
    for point in reversed(list(points)):
        value = point.get("pick") if isinstance(point, Mapping) else None
        if value is None:
            continue
        if isinstance(value, int | float):
            stamp = pd.Timestamp(int(value), unit="ms")
        else:
            stamp = pd.to_datetime(str(value)[:10], format="%Y-%m-%d", errors="coerce")
        if pd.isna(stamp):
            continue
        return clamp_date(stamp.date(), first, last)
    return None


def move_view_to(view: View, day: date, first: date, last: date) -> View:
    """Return the view moved to ``day``.

    Up to a date: the date becomes ``day``. In a window: the window keeps its
    length and is centred on ``day``, shifted to stay inside ``first``..``last``.
    """
    day = clamp_date(day, first, last)
    if view.mode != "window":
        return view.with_changes(as_of=day)
    start, end = view.window
    length = end - start
    new_start = pd.Timestamp(day) - length / 2
    new_start = new_start.normalize()
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    new_start = min(max(new_start, lo), max(hi - length, lo))
    new_end = min(new_start + length, hi)
    return view.with_changes(date_from=new_start.date(), date_to=new_end.date(), as_of=day)


# --- charts -----------------------------------------------------------------------------------

#: Width kept for the y axis of every chart, so that their time axes line up on the page.
Y_AXIS_WIDTH = 210
#: The plot width the bar sizes are worked out for (the charts stretch to the page).
NOMINAL_PLOT_WIDTH = 760
#: Longest moment label, in characters, before it is cut with an ellipsis.
MOMENT_LABEL_CHARS = 42


def _type_scale(types) -> alt.Scale:
    present = [t for t in TYPE_COLOURS if t in set(types)]
    return alt.Scale(domain=present, range=[TYPE_COLOURS[t] for t in present])


def _shape_scale(types) -> alt.Scale:
    """Return each type's point shape, the live map's (:func:`geo.style.type_shape`)."""
    present = [t for t in TYPE_COLOURS if t in set(types)]
    return alt.Scale(domain=present, range=[VEGA_SHAPES[type_shape(t)] for t in present])


def _x(domain: tuple[date, date] | None, title: str | None = None) -> alt.X:
    scale = alt.Undefined
    if domain:
        ends = [pd.Timestamp(d) for d in domain]
        scale = alt.Scale(domain=[alt.DateTime(year=t.year, month=t.month, date=t.day) for t in ends])
    return alt.X("day:T", title=title, scale=scale, axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True))


def _y_axis(**kwargs) -> alt.Axis:
    return alt.Axis(minExtent=Y_AXIS_WIDTH, maxExtent=Y_AXIS_WIDTH, **kwargs)


def _chart_legend(title: str) -> alt.Legend:
    return alt.Legend(title=title, orient="bottom", columns=4, symbolType="square")


def _pick_param(nearest: bool = False) -> alt.Parameter:
    return alt.selection_point(name=PICK, fields=["pick"], on="click", clear="dblclick", nearest=nearest)


def bar_size(domain: tuple[date, date] | None) -> float:
    """Return a month bar's width in pixels for a time axis spanning ``domain``."""
    if not domain:
        return 6.0
    months = max((pd.Timestamp(domain[1]) - pd.Timestamp(domain[0])).days / 30.44, 1.0)
    return float(min(max(0.8 * NOMINAL_PLOT_WIDTH / months, 3.0), 24.0))


def _finish(chart: alt.LayerChart, height: int) -> alt.LayerChart:
    # fit-x: the chart takes the page's width, and ``height`` is the plot's own
    # height (legends and axes come on top), so rows never get squeezed.
    return chart.properties(
        width=CHART_WIDTH, height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    ).configure_view(stroke=None)


def view_date_rule(view: View, domain: tuple[date, date] | None = None) -> alt.Chart:
    """Return the view's date as a red rule ('up to') or its window as a shaded band."""
    first, last = view.window
    if view.mode == "window":
        label = f"window in view: {first.date().isoformat()} to {last.date().isoformat()}"
        band = pd.DataFrame({"day": [first], "day_end": [last + pd.Timedelta(days=1)], "label": [label]})
        return (
            alt.Chart(band)
            .mark_rect(color="#B2182B", opacity=0.12, clip=True)
            .encode(x=_x(domain), x2="day_end:T", tooltip=[alt.Tooltip("label:N", title="View")])
        )
    rule = pd.DataFrame({"day": [last], "label": [f"date in view: {last.date().isoformat()}"]})
    return (
        alt.Chart(rule)
        .mark_rule(color="#B2182B", strokeWidth=2, clip=True)
        .encode(x=_x(domain), tooltip=[alt.Tooltip("label:N", title="View")])
    )


def _short(text: str, limit: int = MOMENT_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: Narrowest plot the moment numbers are spaced for (a phone), and the room one number needs there.
MOMENT_PLOT_WIDTH = 300
MOMENT_GAP_PX = 18
#: Height of one row of moment numbers, in pixels.
MOMENT_LANE_PX = 15


def moment_lanes(days: pd.Series, domain: tuple[date, date] | None, *, width_px: float = MOMENT_PLOT_WIDTH,
                 gap_px: float = MOMENT_GAP_PX) -> list[int]:  # fmt: skip
    """Return a row (0, 1, …) for each moment's number so that no two numbers in a row come closer than ``gap_px``.

    Positions are worked out on a plot ``width_px`` wide (the narrowest the page gets), so the numbers
    stay apart on every screen; moments outside ``domain`` get row 0 (they are clipped anyway).
    """
    stamps = pd.to_datetime(pd.Series(days)).reset_index(drop=True)
    if stamps.empty:
        return []
    first = pd.Timestamp(domain[0]) if domain else stamps.min()
    last = pd.Timestamp(domain[1]) if domain else stamps.max()
    span = max((last - first).days, 1)
    x = ((stamps - first).dt.days / span * width_px).to_numpy()
    lanes = [0] * len(x)
    last_x: list[float] = []
    for i in sorted(range(len(x)), key=lambda i: (x[i], i)):
        lane = next((n for n, seen in enumerate(last_x) if x[i] - seen >= gap_px), len(last_x))
        if lane == len(last_x):
            last_x.append(x[i])
        else:
            last_x[lane] = x[i]
        lanes[i] = lane
    return lanes


def numbered_moments(moments: pd.DataFrame) -> pd.DataFrame:
    """Return the moments with ``number`` (1, 2, … in date order): the label on the chart and in the table."""
    return moments.reset_index(drop=True).assign(number=lambda frame: range(1, len(frame) + 1))


def moment_marks(moments: pd.DataFrame, domain: tuple[date, date] | None = None) -> alt.LayerChart:
    """Return the key moments as dashed rules, each numbered at the top (in rows, so numbers never overlap).

    A title written along each rule ran into its neighbours where moments are close (the 2022
    announcement and the crossing into Niger on a 2012–2023 axis); the numbers key into the
    key-moments list under the chart, and the tooltip gives the title.
    """
    frame = numbered_moments(moments)
    frame = frame.assign(label=frame["number"].astype(str), lane=moment_lanes(frame["day"], domain))
    frame["label_y"] = 8 + frame["lane"] * MOMENT_LANE_PX
    base = alt.Chart(frame).encode(
        x=_x(domain),
        tooltip=[
            alt.Tooltip("number:Q", title="Key moment"),
            alt.Tooltip("title:N", title="Title"),
            alt.Tooltip("date_label:N", title="Date"),
            alt.Tooltip("moment:N", title="Why marked"),
        ],
    )
    rules = base.mark_rule(color="#333333", strokeDash=[4, 3], opacity=0.8, clip=True)
    badges = base.mark_circle(size=190, color="white", stroke="#333333", strokeWidth=1, opacity=1, clip=True).encode(
        y=alt.Y("label_y:Q", scale=None)
    )
    labels = base.mark_text(color="#222222", fontSize=11, fontWeight="bold", clip=True).encode(
        text="label:N", y=alt.Y("label_y:Q", scale=None)
    )
    return alt.layer(rules, badges, labels)


def counts_chart(
    counts: pd.DataFrame, moments: pd.DataFrame, view: View, domain: tuple[date, date] | None = None
) -> alt.LayerChart:
    """Return events per month as bars stacked by type, with the key moments and the view's date."""
    data = counts.rename(columns={"month": "day"})
    bars = (
        alt.Chart(data)
        .mark_bar(size=bar_size(domain), clip=True)
        .encode(
            x=_x(domain),
            # Stacked rows, not sum(events): an aggregate drops the ``pick`` field, and a click then picks nothing.
            y=alt.Y("events:Q", title=None, stack="zero", axis=_y_axis(tickMinStep=1)),
            color=alt.Color("event_type:N", scale=_type_scale(data["event_type"]), legend=_chart_legend("Event type")),
            opacity=alt.condition("datum.date_precision == 'year'", alt.value(0.35), alt.value(0.95)),
            order=alt.Order("event_type:N"),
            tooltip=[
                alt.Tooltip("day:T", title="Month", format="%B %Y"),
                alt.Tooltip("event_type:N", title="Type"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("known:N", title="Date known"),
            ],
        )
        .add_params(_pick_param())
    )
    layers = [bars, view_date_rule(view, domain)]
    if len(moments):
        layers.append(moment_marks(moments, domain))
    return _finish(alt.layer(*layers), 260)


def strip_chart(strip: pd.DataFrame, view: View, domain: tuple[date, date] | None = None) -> alt.LayerChart:
    """Return every event as a point on its date, one row per type.

    Shape and colour are the map's, and area grows with the toll as on the
    map (unknown tolls smallest); events known only to the year are faint. Clicks pick the nearest point.
    """
    points = (
        alt.Chart(strip)
        .mark_point(filled=True, stroke=MARK_OUTLINE, strokeWidth=1, clip=True)
        .encode(
            x=_x(domain),
            y=alt.Y("event_type:N", title=None, sort=list(TYPE_COLOURS), axis=_y_axis()),
            color=alt.Color("event_type:N", scale=_type_scale(strip["event_type"]), legend=None),
            shape=alt.Shape("event_type:N", scale=_shape_scale(strip["event_type"]), legend=None),
            size=alt.Size("area:Q", scale=None, legend=None),
            opacity=alt.condition("datum.known == 'only to the year'", alt.value(0.35), alt.value(0.9)),
            tooltip=[
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("known:N", title="Date known"),
                alt.Tooltip("toll:N", title="Fatalities"),
                alt.Tooltip("sources:Q", title="Articles"),
            ],
        )
        .add_params(_pick_param(nearest=True))
    )
    rows = max(strip["event_type"].nunique(), 1) if len(strip) else 1
    return _finish(alt.layer(points, view_date_rule(view, domain)), 30 * rows)


def fatalities_chart(fatalities: pd.DataFrame, view: View, domain: tuple[date, date] | None = None) -> alt.LayerChart:
    """Return known fatalities per month, single events and tolls over a period in two colours."""
    data = fatalities.rename(columns={"month": "day"})
    bars = (
        alt.Chart(data)
        .mark_bar(size=bar_size(domain), clip=True)
        .encode(
            x=_x(domain),
            y=alt.Y("fatalities:Q", title=None, stack="zero", axis=_y_axis()),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=list(TOLL_KINDS), range=["#DC050C", "#CAA0AB"]),
                legend=_chart_legend("Toll"),
            ),
            tooltip=[
                alt.Tooltip("day:T", title="Month", format="%B %Y"),
                alt.Tooltip("kind:N", title="Toll"),
                alt.Tooltip("fatalities:Q", title="Fatalities"),
                alt.Tooltip("events:Q", title="Events with a known toll"),
            ],
        )
        .add_params(_pick_param())
    )
    return _finish(alt.layer(bars, view_date_rule(view, domain)), 160)


def spans_chart(span_rows: pd.DataFrame, view: View, domain: tuple[date, date] | None = None) -> alt.LayerChart:
    """Return operations, movements and other spans as horizontal bars from first to last day."""
    data = span_rows.rename(columns={"start": "day"}).assign(
        end=lambda frame: pd.to_datetime(frame["end"]) + pd.Timedelta(days=1)  # bars reach the end of the last day
    )
    bars = (
        alt.Chart(data)
        .mark_bar(height=16, cornerRadius=2, clip=True)
        .encode(
            x=_x(domain),
            x2="end:T",
            y=alt.Y(
                "title:N",
                title=None,
                sort=alt.EncodingSortField("day", order="ascending"),
                axis=_y_axis(labelLimit=Y_AXIS_WIDTH - 10),
            ),
            color=alt.Color("event_type:N", scale=_type_scale(data["event_type"]), legend=_chart_legend("Event type")),
            tooltip=[
                alt.Tooltip("title:N", title="Span"),
                alt.Tooltip("date_label:N", title="Dates"),
                alt.Tooltip("end_basis:N", title="End"),
            ],
        )
        .add_params(_pick_param())
    )
    return _finish(alt.layer(bars, view_date_rule(view, domain)), max(24 * len(data), 48))


def chart_domain(
    events: pd.DataFrame, since: date | None = None, until: date | None = None
) -> tuple[date, date] | None:
    """Return the time axis shared by the charts: from ``since`` (or the first event) to ``until``.

    ``until`` defaults to the last day any event covers; both ends are moved to whole months.
    """
    if events.empty:
        return None
    first = pd.Timestamp(since) if since else _months(events["start"]).min()
    last = pd.Timestamp(until) if until else max(events["end"].max(), events["start"].max())
    return first.to_period("M").to_timestamp().date(), (last + pd.offsets.MonthEnd(0)).date()


def span_months(events: pd.DataFrame) -> list[date]:
    """Return the first day of every month from the first event's to the last day covered: the span's choices."""
    if events.empty:
        return []
    first = _months(events["start"]).min()
    last = max(events["end"].max(), events["start"].max())
    return [stamp.date() for stamp in pd.date_range(first, last, freq="MS")]


def dense_span(events: pd.DataFrame, share: float = 0.8, min_months: int = 6) -> tuple[date, date] | None:
    """Return the shortest run of whole months holding ``share`` of the events' start dates (first months' days).

    The timeline opens on it: the curated data runs from 2012, but most events are in 2021–2022, where
    a 2012–2023 axis left bars 2 px wide. Events known only to the year count in January. The run is
    widened to at least ``min_months`` months, and ends with the last month its events cover.
    """
    if events.empty:
        return None
    months = _months(events["start"]).sort_values().to_numpy()
    months_all = span_months(events)
    need = max(math.ceil(share * len(months)), 1)
    # Every run of ``need`` sorted starts at once; the first shortest wins.
    lengths = months[need - 1 :] - months[: len(months) - need + 1]
    i = int(lengths.argmin())
    start, end = pd.Timestamp(months[i]), pd.Timestamp(months[i + need - 1])
    # Spans that start in the run are drawn to their end (the withdrawal starts in February, ends in August).
    starts = _months(events["start"])
    inside = ((starts >= start) & (starts <= end)).to_numpy()
    end = max(end, _months(events["end"][inside]).max())
    while (end.year - start.year) * 12 + end.month - start.month + 1 < min_months:
        if end < pd.Timestamp(months_all[-1]):
            end += pd.offsets.MonthBegin(1)
        elif start > pd.Timestamp(months_all[0]):
            start -= pd.offsets.MonthBegin(1)
        else:
            break
    return start.date(), end.date()
