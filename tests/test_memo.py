"""geo.memo: one dict per live frame, gone with the frame."""

import gc

import pandas as pd

from geo.bases import base_status, load_bases
from geo.memo import _MEMOS, frame_memo


def test_the_same_frame_gets_the_same_dict_and_an_equal_copy_its_own():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    memo = frame_memo(frame)
    memo["total"] = int(frame["a"].sum())
    assert frame_memo(frame) is memo
    assert frame_memo(frame.copy()) == {}  # equal data, another frame: nothing carried over


def test_a_freed_frames_dict_is_dropped():
    frame = pd.DataFrame({"a": [1]})
    frame_memo(frame)["x"] = 1
    key = id(frame)
    assert key in _MEMOS
    del frame
    gc.collect()
    assert key not in _MEMOS


def test_bases_status_is_the_same_with_the_memo_filled(events):
    """The hand-over days are memoised per bases frame: a second date reads them, and agrees with a fresh frame."""
    bases = load_bases()
    for when in ("2022-01-01", "2022-06-13", "2022-08-15", "2023-01-01"):
        memoised = base_status(bases, pd.Timestamp(when))
        fresh = base_status(load_bases(), pd.Timestamp(when))
        pd.testing.assert_frame_equal(memoised, fresh)
    assert set(base_status(bases, pd.Timestamp("2022-08-15"))["status"]) == {"in use", "handed over"}
