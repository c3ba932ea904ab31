"""Marks as plain GeoJSON features: where each event is drawn, and how marks at one place are spread."""

import math

import pandas as pd

from geo import marks


def test_colocated_marks_are_spread_but_keep_true_coordinates(events, sources):
    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    shown_lat, shown_lon = marks.spread_colocated(lat, lon)
    positions = set(zip(shown_lat.round(6), shown_lon.round(6), strict=True))
    assert len(positions) == len(events)
    # At zoom 5 one pixel is about 0.04 degrees: a ring of a few pixels, never far from the place.
    assert max(abs(shown_lat - lat).max(), abs(shown_lon - lon).max()) < 1.0
    # Zooming in shrinks the ring in degrees (it stays the same on screen).
    near_lat, _ = marks.spread_colocated(lat, lon, zoom=9)
    assert abs(near_lat - lat).max() < abs(shown_lat - lat).max() / 10


def _cells_equal(left, right) -> bool:
    """Equal, of the same type, and NaN or NaT where the other is (neither equals itself)."""
    if type(left) is not type(right):
        return False
    if left is pd.NaT or (isinstance(left, float) and math.isnan(left)):
        return right is pd.NaT or (isinstance(right, float) and math.isnan(right))
    return left == right


def _assert_same_records(frame):
    mine, pandas_own = marks._plain_records(frame), frame.to_dict("records")
    assert len(mine) == len(pandas_own)
    for row, expected in zip(mine, pandas_own, strict=True):
        assert list(row) == list(expected)
        assert all(_cells_equal(row[k], expected[k]) for k in row), (row, expected)


def test_plain_records_are_what_to_dict_gives_for_the_curated_events(events):
    frame = events.drop(columns=events.geometry.name)
    _assert_same_records(frame)
    _assert_same_records(frame.iloc[::3])
    _assert_same_records(frame.iloc[:0])


def test_plain_records_of_a_categorical_with_unused_categories_and_each_dtypes_missing_value():
    # Every kind of column the events frame holds, each with a missing cell: a categorical (missing is
    # NaN), nullable integers (None), Arrow text (None), pandas' "str" text (NaN), floats, dates (NaT).
    many = pd.Categorical([f"text {i}" for i in range(3)] + [None], categories=[f"text {i}" for i in range(10_000)])
    frame = pd.DataFrame(
        {
            "search_text": many,
            "fatalities": pd.array([1, None, 3, 4], dtype="Int64"),
            "actors": pd.array(["a", None, "c", "d"], dtype="string[pyarrow]"),
            "record_note": pd.Series(["x", None, "z", "w"], dtype=pd.StringDtype("pyarrow", na_value=float("nan"))),
            "latitude": [1.5, float("nan"), 2.5, 3.0],
            "start_date": pd.to_datetime(["2022-02-17", None, "2022-08-15", "2013-01-11"]),
        },
        index=[10, 20, 30, 40],
    )
    _assert_same_records(frame)
    _assert_same_records(frame.iloc[[3, 0]])
