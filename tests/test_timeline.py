"""geo/timeline.py on the real events.csv: monthly counts, fatalities, key moments, spans, picking a date."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest

from geo import timeline
from geo.events import source_list
from geo.filters import date_bounds
from geo.view import View


def test_monthly_counts_sum_to_the_events(events):
    counts = timeline.monthly_counts(events)
    assert counts["events"].sum() == len(events)
    by_type = counts.groupby("event_type")["events"].sum()
    assert by_type.to_dict() == events["event_type"].astype(str).value_counts().to_dict()


def test_each_event_is_counted_in_the_month_it_starts(events):
    counts = timeline.monthly_counts(events).groupby("month")["events"].sum()
    # 16 February to 18 February 2022: the summit, the announcement and what came with it, Mali's reply.
    assert counts[pd.Timestamp("2022-02-01")] == int((events["start"].dt.strftime("%Y-%m") == "2022-02").sum())
    # Known only to the year: counted in January of that year, and said so.
    year_only = timeline.monthly_counts(events[events["placed_precision"] == "year"])
    assert set(year_only["month"].dt.month) == {1}
    assert set(year_only["known"]) == {"only to the year"}


def test_pick_of_a_month_is_its_last_day(events):
    counts = timeline.monthly_counts(events)
    row = counts[counts["month"] == pd.Timestamp("2022-06-01")].iloc[0]
    assert row["pick"] == "2022-06-30"


def test_fatalities_per_month_sum_to_the_total(events):
    fatalities = timeline.monthly_fatalities(events)
    assert fatalities["fatalities"].sum() == int(events["fatalities"].sum()) == 222
    assert fatalities["events"].sum() == int(events["fatalities"].notna().sum())
    # The cumulative French toll stands apart from single events, in the month its period starts.
    toll = fatalities[fatalities["kind"] == "toll reported over a period"]
    assert toll[["month", "fatalities"]].values.tolist() == [[pd.Timestamp("2013-01-01"), 48]]
    june = fatalities[fatalities["month"] == pd.Timestamp("2022-06-01")]
    assert june["fatalities"].tolist() == [132]


def test_no_toll_no_rows(events):
    unknown = events[events["fatalities"].isna()]
    assert timeline.monthly_fatalities(unknown).empty
    assert timeline.monthly_counts(events.iloc[:0]).empty


def test_key_moments_are_found_from_the_data(events):
    moments = timeline.key_moments(events)
    coups = set(events.loc[events["event_type"] == "coup", "event_id"])
    assert coups <= set(moments["event_id"])
    announced = moments[moments["moment"] == "most-reported announcement"]
    announcements = events[events["event_type"] == "announcement"]
    reach = announcements["sources"].map(lambda cell: len(source_list(cell)))
    assert len(announced) == 1 and announced["event_id"].iloc[0] in set(
        announcements.loc[reach == reach.max(), "event_id"]
    )
    assert len(source_list(events.set_index("event_id").loc["withdrawal-announced-2022-02-17", "sources"])) == 5
    crossing = moments[moments["moment"] == "border crossing"]
    assert crossing["event_id"].tolist() == ["last-unit-crosses-2022-08-15"]
    assert crossing["pick"].tolist() == ["2022-08-15"]
    assert moments["day"].is_monotonic_increasing


def test_key_moments_follow_the_data_not_ids(events):
    renamed = events.copy()
    renamed["event_id"] = renamed["event_id"].astype(str) + "-x"
    renamed.loc[renamed["event_id"] == "kati-attack-2022-07-x", "event_type"] = "coup"
    moments = timeline.key_moments(renamed)
    assert "kati-attack-2022-07-x" in set(moments["event_id"])
    announced = moments.loc[moments["moment"] == "most-reported announcement", "event_id"]
    assert len(announced) == 1 and announced.iloc[0].endswith("-x")
    assert timeline.key_moments(events[events["event_type"] == "massacre"]).empty


def test_spans_take_ends_from_the_data(events):
    spans = timeline.spans(events).set_index("event_id")
    with_end = events[events["end_date"].notna()]
    assert set(with_end["event_id"]) <= set(spans.index)
    for _, event in with_end.iterrows():
        assert spans.loc[event["event_id"], "end"] == event["end"]
        assert spans.loc[event["event_id"], "end_basis"] == "given by the articles"


def test_open_operations_end_with_their_withdrawal(events):
    spans = timeline.spans(events).set_index("event_id")
    assert spans.loc["barkhane-2014", "end"] == pd.Timestamp("2022-08-15")
    assert spans.loc["barkhane-2014", "end_from"] == "Barkhane withdraws from Mali into Niger"
    # Takuba's end (30 June 2022) is the public record's; the articles give only its start.
    assert spans.loc["takuba-2020", "end"] == pd.Timestamp("2022-06-30")
    assert spans.loc["takuba-2020", "end_basis"] == "given by the public record"
    # An operation with no later movement is a moment, not a span.
    assert "last-unit-crosses-2022-08-15" not in spans.index
    # A type filter does not cut Barkhane short when every event is the context.
    operations = events[events["event_type"] == "operation"]
    assert "barkhane-2014" not in set(timeline.spans(operations)["event_id"])
    assert "barkhane-2014" in set(timeline.spans(operations, context=events)["event_id"])


def test_strip_frame_keeps_every_event_and_says_unknown(events):
    strip = timeline.strip_frame(events)
    assert len(strip) == len(events)
    assert (strip["toll"] == "unknown").sum() == int(events["fatalities"].isna().sum())
    assert strip["area"].min() > 0
    assert strip.loc[strip["event_id"] == "central-mali-massacre-2022-06", "area"].item() == strip["area"].max()


FIRST, LAST = date(2012, 1, 1), date(2022, 12, 31)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({timeline.PICK: [{"pick": "2022-02-17"}]}, date(2022, 2, 17)),
        ({timeline.PICK: [{"pick": "2013-01-31"}, {"pick": "2022-08-15"}]}, date(2022, 8, 15)),
        ({timeline.PICK: {"pick": ["2021-06-30"]}}, date(2021, 6, 30)),
        ({timeline.PICK: [{"pick": 1_660_521_600_000}]}, date(2022, 8, 15)),  # epoch ms
        ({timeline.PICK: [{"pick": "1990-05-01"}]}, FIRST),  # clamped into the data
        ({timeline.PICK: []}, None),
        ({timeline.PICK: [{"pick": "not a date"}]}, None),
        ({}, None),
        (None, None),
    ],
)
def test_picked_date(selection, expected):
    assert timeline.picked_date(selection, FIRST, LAST) == expected


def test_move_view_to_sets_the_date_or_centres_the_window():
    view = View(as_of=date(2022, 12, 31))
    assert timeline.move_view_to(view, date(2022, 2, 17), FIRST, LAST).as_of == date(2022, 2, 17)
    window = View(as_of=LAST, mode="window", date_from=date(2022, 1, 1), date_to=date(2022, 1, 31))
    moved = timeline.move_view_to(window, date(2022, 6, 15), FIRST, LAST)
    first, last = moved.window
    assert (last - first) == pd.Timedelta(days=30)
    assert first <= pd.Timestamp("2022-06-15") <= last
    at_end = timeline.move_view_to(window, LAST, FIRST, LAST)
    assert at_end.window == (pd.Timestamp("2022-12-01"), pd.Timestamp("2022-12-31"))


def _params(spec: dict) -> list[dict]:
    found = list(spec.get("params", []))
    for layer in spec.get("layer", []):
        found += _params(layer)
    return found


def test_charts_carry_the_pick_selection_and_the_view_date(events):
    view = View(as_of=date(2022, 2, 17))
    domain = timeline.chart_domain(events)
    charts = [
        timeline.counts_chart(timeline.monthly_counts(events), timeline.key_moments(events), view, domain),
        timeline.strip_chart(timeline.strip_frame(events), view, domain),
        timeline.fatalities_chart(timeline.monthly_fatalities(events), view, domain),
        timeline.spans_chart(timeline.spans(events), view, domain),
    ]
    for chart in charts:
        spec = chart.to_dict()
        picks = [p for p in _params(spec) if p.get("name") == timeline.PICK]
        assert picks and picks[0]["select"]["type"] == "point" and picks[0]["select"]["fields"] == ["pick"]
        values = [row for data in spec["datasets"].values() for row in data]
        assert any("pick" in row for row in values)
        assert any(str(row.get("label", "")).endswith("2022-02-17") for row in values), "the view's date is drawn"


def test_window_is_drawn_as_a_band(events):
    view = View(as_of=LAST, mode="window", date_from=date(2022, 2, 1), date_to=date(2022, 8, 31))
    spec = timeline.fatalities_chart(timeline.monthly_fatalities(events), view).to_dict()
    assert any(layer["mark"]["type"] == "rect" for layer in spec["layer"])


def test_chart_domain(events):
    assert timeline.chart_domain(events) == (events["start"].min().date().replace(day=1), date(2022, 12, 31))
    assert timeline.chart_domain(events, since=date(2020, 1, 1))[0] == date(2020, 1, 1)
    assert timeline.chart_domain(events.iloc[:0]) is None
    assert date_bounds(events) == (events["start"].min().date(), LAST)


def _encodings(spec: dict) -> list[dict]:
    found = [spec.get("encoding", {})]
    for layer in spec.get("layer", []):
        found += _encodings(layer)
    return found


def test_a_clicked_bar_carries_its_pick(events):
    """Vega-Lite drops fields an aggregate does not group by: a bar drawn as sum(events) had no ``pick``."""
    view = View(as_of=LAST)
    for chart in (
        timeline.counts_chart(timeline.monthly_counts(events), timeline.key_moments(events), view),
        timeline.fatalities_chart(timeline.monthly_fatalities(events), view),
    ):
        for encoding in _encodings(chart.to_dict()):
            y = encoding.get("y", {})
            assert "aggregate" not in y, y
        bars = chart.to_dict()["layer"][0]
        assert bars["encoding"]["y"]["stack"] == "zero"


def test_the_axis_opens_where_the_events_are_dense(events):
    first, last = timeline.dense_span(events)
    # Most events are from the coups of 2020-2021 to the withdrawal of 2022; the data starts in 2012.
    assert date(2020, 1, 1) <= first <= date(2021, 1, 1) and last == date(2022, 12, 1)
    assert first.day == 1 and last.day == 1
    starts = events["start"]
    share = ((starts >= pd.Timestamp(first)) & (starts <= pd.Timestamp(last) + pd.offsets.MonthEnd(0))).mean()
    assert share >= 0.8
    # A month bar is then several times wider than on the whole 2012-2022 axis.
    assert timeline.bar_size(timeline.chart_domain(events, first, last)) >= 3 * timeline.bar_size(
        timeline.chart_domain(events)
    )
    # The withdrawals start in February 2022 and end in August: their span is drawn whole.
    moves = events[events["event_type"] == "troop_movement"]
    assert timeline.dense_span(moves)[1] == date(2022, 8, 1)
    months = timeline.span_months(events)
    first_month = events["start"].min().to_period("M").to_timestamp().date()
    assert months[0] == first_month and months[-1] == date(2022, 12, 1)
    assert len(months) == (2022 - first_month.year) * 12 + 12 - first_month.month + 1
    assert timeline.dense_span(events.iloc[:0]) is None


def test_moment_numbers_never_overlap(events):
    moments = timeline.key_moments(events)
    for domain in (timeline.chart_domain(events), timeline.chart_domain(events, *timeline.dense_span(events))):
        lanes = timeline.moment_lanes(moments["day"], domain)
        first, last = (pd.Timestamp(d) for d in domain)
        x = (moments["day"] - first).dt.days / (last - first).days * timeline.MOMENT_PLOT_WIDTH
        for lane in set(lanes):
            xs = sorted(x[[n == lane for n in lanes]])
            assert all(b - a >= timeline.MOMENT_GAP_PX for a, b in itertools.pairwise(xs)), (domain, xs)
    # On the whole axis the two 2022 moments are 6 months apart, 14 px at phone width: two rows.
    whole = timeline.moment_lanes(moments["day"], timeline.chart_domain(events))
    assert len(set(whole)) == 2
    assert list(timeline.numbered_moments(moments)["number"]) == list(range(1, len(moments) + 1))


def test_the_strip_draws_each_type_with_the_maps_shape_and_colour(events):
    from geo import style

    spec = timeline.strip_chart(timeline.strip_frame(events), View(as_of=LAST)).to_dict()
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert points["mark"]["filled"] is True
    for channel, expected in (
        ("shape", lambda t: style.VEGA_SHAPES[style.type_shape(t)]),
        ("color", style.type_colour),
    ):
        scale = points["encoding"][channel]["scale"]
        assert set(scale["domain"]) == set(events["event_type"])
        assert scale["range"] == [expected(t) for t in scale["domain"]]
    assert {"square", "diamond", "triangle-up", "circle"} <= set(points["encoding"]["shape"]["scale"]["range"])
