"""The fast paths of validation and the events frame give what the plain ones give.

``geo.validation._text`` finds padded cells with the importers' byte sieve
when the text is Arrow-backed and long, ``geo.eventframe.date_order`` sorts Arrow ids
with one Arrow sort, and ``geo.eventframe.search_text`` lower-cases ASCII rows
as ASCII: each is checked here against the general path on the same cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from helpers import layout_row

from geo import eventframe
from geo.events import SEARCH_COLUMNS
from geo.validation import _text, validate_events

ARROW = pd.StringDtype("pyarrow")
PYTHON = pd.StringDtype("python")

# Cells a padding check can get wrong: Python's blanks beyond ASCII at either
# end, and a last byte shared with a blank's last byte (é and U+2029 both end in 0xA9).
CELLS = [
    "Gao", " Gao", "Gao\t", "\u3000Kidal", "Kidal\x85", "\xa0Ménaka\u2029", "Ségou", "café",
    "Tombouctou\u202f", "\x1cx", "", None, "  ", "İstanbul", "straße", "ǅ",
]  # fmt: skip


@pytest.mark.parametrize("cells", [CELLS, ["Gao", "Ségou", "café", "", None], ["only ascii", "x"]])
@pytest.mark.parametrize("copies", [1, 700])  # over 10,000 cells: the byte sieve's path
def test_text_strips_arrow_cells_as_python_cells(cells, copies):
    cells = cells * copies
    arrow, python = _text(pd.Series(cells, dtype=ARROW)), _text(pd.Series(cells, dtype=PYTHON))
    assert arrow.tolist() == python.tolist() == [(c or "").strip() for c in cells]


def test_date_order_sorts_arrow_ids_as_the_general_path(events):
    # The curated ids, repeated on other days and with accents, so that dates tie and ids decide.
    ids = [f"{i}{suffix}" for i in events["event_id"] for suffix in ("", "-é", "-Z", "-a")]
    days = pd.Series(pd.to_datetime(np.resize(events["start"].to_numpy(), len(ids)))).sample(frac=1, random_state=3)
    days = days.reset_index(drop=True)
    for keep in (np.arange(len(ids)), np.arange(0, len(ids), 3), np.array([5, 1])):
        fast = eventframe.date_order(keep, days, pd.Series(ids, dtype=ARROW))
        general = eventframe.date_order(keep, days, pd.Series(ids, dtype=PYTHON))
        assert fast.tolist() == general.tolist()
        assert sorted(fast.tolist()) == sorted(keep.tolist())
        order = list(zip(days.iloc[fast], (ids[i] for i in fast), strict=True))
        assert order == sorted(order, key=lambda pair: (pair[0], pair[1].encode()))


def test_search_text_lower_cases_mixed_rows_as_unicode(events):
    typed = events[list(SEARCH_COLUMNS)].astype("string").fillna("")
    # Some rows gain characters whose lower case is longer or different; the others stay ASCII.
    typed.loc[::3, "title"] = typed["title"].iloc[::3] + " İSTANBUL ẞ ǅ ÉCOLE"
    joined = pc.binary_join_element_wise(
        *(pa.array(typed[c], pa.large_string()) for c in SEARCH_COLUMNS), pa.scalar(" ", pa.large_string())
    )
    lowered = pc.utf8_lower(joined).to_pylist()
    assert eventframe.search_text(typed).tolist() == lowered
    assert eventframe.search_text(typed.iloc[1::3]).tolist() == lowered[1::3]


def test_numbers_given_as_numbers_are_checked_as_text_ones():
    rows = [
        layout_row(event_id=f"e{i}", latitude=lat, longitude=lon, fatalities=fat)
        for i, (lat, lon, fat) in enumerate([("16.27167", "-0.04472", "3"), ("", "-0.04472", "-1"), ("91", "", "2.5")])
    ]
    frame = pd.DataFrame(rows, dtype=ARROW).assign(_row=[2, 3, 4])
    typed = frame.assign(**{c: pd.to_numeric(frame[c]) for c in ("latitude", "longitude")})
    typed["fatalities"] = pd.to_numeric(frame["fatalities"]).astype("Float64")
    options = {"strict": False, "check_places": False}
    _, from_text = validate_events(frame, **options)
    _, from_numbers = validate_events(typed, **options)
    assert [(p.row, p.column, p.message) for p in from_numbers] == [(p.row, p.column, p.message) for p in from_text]
    assert {(p.row, p.column) for p in from_text} >= {(3, "latitude"), (3, "fatalities"), (4, "longitude")}
