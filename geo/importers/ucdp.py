"""UCDP GED CSV files into the events layout.

UCDP GED
--------
=======================  ==========================================
``type_of_violence``     our ``event_type``
=======================  ==========================================
1 (state-based)          attack
2 (non-state)            attack
3 (one-sided)            massacre
=======================  ==========================================

UCDP's codebook: ``date_prec`` 1 = exact date; 2 = a span of 2 to 6 days;
3 = a week; 4 = a month; 5 = a year; ``date_start`` and ``date_end`` bound
the span.

==============  ==================  =========================================
``date_prec``   ``date_precision``  dates
==============  ==================  =========================================
1, 2, 3         day                 ``event_date`` = ``date_start``;
                                    ``end_date`` = ``date_end`` (``day``)
                                    when it differs
4               month               first of the month of ``date_start``;
                                    ``end_date`` = first of the month of
                                    ``date_end`` when that month differs
5               year                1 January of ``date_start``'s year;
                                    ``end_date`` likewise when the year differs
==============  ==================  =========================================

``where_prec``: 1 exact place and 2 within about 25 km of a named place ->
``place``; 3 second-order division, 4 first-order division, 5 a part of a
country larger than a province, or a point between places or on a road or
river -> ``region``; 6 the whole country -> ``country``; 7 over water or in
international airspace -> ``region`` (the point stands for an area, as 3-5
do; it is not a whole country).

``fatalities`` is ``best`` (``best_est``); ``low``/``high`` go into
``description`` and the joined ``source_article`` text into ``notes``.

"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.importers.cells import _TEXT, _assemble, _floor, _iso, _join, _Rows
from geo.importers.countries import _countries

_UCDP_TYPES = {1: "attack", 2: "attack", 3: "massacre"}


_UCDP_TYPE_LABELS = {
    1: "State-based armed conflict",
    2: "Non-state conflict",
    3: "One-sided violence",
}


_UCDP_DATE_PRECISION = {1: "day", 2: "day", 3: "day", 4: "month", 5: "year"}


_UCDP_WHERE_PRECISION = {
    1: "place",
    2: "place",
    3: "region",
    4: "region",
    5: "region",
    6: "country",
    7: "region",
}


_UCDP_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
)


def _map_ucdp(rows: _Rows) -> pd.DataFrame:
    """Map UCDP GED rows (official release or web download) to the events layout."""
    suffix = "_est" if rows.has("best_est") and not rows.has("best") else ""
    ids = rows.required("id", "the UCDP event id")
    bad_id = ids.notna() & ~ids.fillna("").str.fullmatch(r"[0-9A-Za-z_-]+")
    rows.refuse(bad_id, "id", "not a UCDP event id (letters, digits, - or _)")
    violence_code = rows.numbers("type_of_violence")[0]
    event_type = rows.code("type_of_violence", _UCDP_TYPES, "type_of_violence", required=True)
    precision = rows.code("date_prec", _UCDP_DATE_PRECISION, "date_prec", required=True)
    start = rows.dates("date_start", _UCDP_DATE_FORMATS)
    end = rows.dates("date_end", _UCDP_DATE_FORMATS, required=False) if rows.has("date_end") else start.copy()
    end = end.where(end.notna(), start)
    rows.refuse(start.notna() & (end < start), "date_end", "date_end is before date_start")

    event_date = _floor(start, precision)
    end_floor = _floor(end, precision)
    has_end = end_floor.notna() & (end_floor != event_date)
    end_date = _iso(end_floor).where(has_end, None)
    end_precision = precision.where(has_end, None)
    prec_text = rows.numbers("date_prec")[0]
    note = pd.Series(np.nan, index=rows.index, dtype=_TEXT)
    span = (prec_text > 1) & start.notna() & precision.notna()  # a refused code (2.5) words no note
    note[span] = (
        "UCDP date_prec "
        + prec_text[span].astype("Int64").astype(str)
        + ": sometime between "
        + _iso(start)[span]
        + " and "
        + _iso(end)[span]
    )

    lat, lon = rows.coordinates("latitude", "longitude")
    location_precision = rows.code("where_prec", _UCDP_WHERE_PRECISION, "where_prec", required=True)
    best = rows.count("best" + suffix, "the best estimate of deaths")
    low = rows.count("low" + suffix, "the low estimate") if rows.has("low" + suffix) else None
    high = rows.count("high" + suffix, "the high estimate") if rows.has("high" + suffix) else None
    country, _ = _countries(rows, rows.text("country"), "country")

    label = violence_code.map(lambda v: _UCDP_TYPE_LABELS.get(int(v)) if v % 1 == 0 else None, na_action="ignore")
    dyad = rows.text("dyad_name")
    sides = _join([rows.text("side_a"), rows.text("side_b")], " - ")
    title = _join([label, dyad.where(dyad.notna(), sides)], ": ")
    deaths = "deaths: " + _join(
        [
            "side A " + rows.text("deaths_a"),
            "side B " + rows.text("deaths_b"),
            "civilians " + rows.text("deaths_civilians"),
            "unknown " + rows.text("deaths_unknown"),
        ],
        ", ",
    )
    estimate = None
    if low is not None and high is not None:
        estimate = pd.Series(
            [f"estimate {a}-{b}" if not (pd.isna(a) or pd.isna(b)) else None for a, b in zip(low, high, strict=True)],
            index=rows.index,
            dtype=object,
        )
    description = _join(
        [
            _join([pd.Series("UCDP GED", index=rows.index), label], ": "),
            rows.text("conflict_name"),
            deaths,
            estimate if estimate is not None else pd.Series(None, index=rows.index, dtype=object),
            "place: " + rows.text("where_description"),
        ],
        "; ",
    )
    location = rows.text("where_coordinates")
    for fallback in ("adm_2", "adm_1"):
        location = location.where(location.notna(), rows.text(fallback))
    return _assemble(
        rows,
        {
            "event_id": "ucdp-" + ids.fillna(""),
            "event_date": _iso(event_date),
            "date_precision": precision,
            "end_date": end_date,
            "end_precision": end_precision,
            "event_type": event_type,
            "title": title,
            "description": description,
            "actors": _join([rows.text("side_a"), rows.text("side_b")], ";"),
            "location": location,
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "location_precision": location_precision,
            "fatalities": best,
            "sources": "ucdp",
            "date_note": note,
            "dataset": "ucdp",
            "source_id": ids,
            "notes": rows.text("source_article"),
        },
    )
