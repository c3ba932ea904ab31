"""Results worked out once per data frame, kept as long as the frame lives.

The app's frames are shared read-only by every session (:mod:`geo.ui`), so
what is computed from a whole frame (the type codes, the event days, the
sidebar's choices, the troop movements, the bases' hand-over days) holds for
the frame's life. :func:`frame_memo` keys a dict by the frame's identity and
drops it when the frame is freed. A module of its own because the modules
that memoise (filters, aggregate, record, scene, bases) import one another.
"""

from __future__ import annotations

import weakref

import pandas as pd

__all__ = ["frame_memo"]

_MEMOS: dict[int, tuple[weakref.ref, dict]] = {}


def frame_memo(frame: pd.DataFrame) -> dict:
    """Return a dict that lives as long as ``frame`` does, for results computed from the whole frame.

    The frame must not be changed in place afterwards (the app never does: its frames are shared
    read-only); a new frame, even an equal one, gets a new dict.
    """
    key = id(frame)
    held = _MEMOS.get(key)
    if held is not None and held[0]() is frame:
        return held[1]

    def forget(ref: weakref.ref, key: int = key) -> None:
        if _MEMOS.get(key, (None,))[0] is ref:  # not a newer frame that took the same id
            _MEMOS.pop(key, None)

    memo: dict = {}
    _MEMOS[key] = (weakref.ref(frame, forget), memo)
    return memo
