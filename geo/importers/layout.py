"""Files already in the events layout (``docs/data.md``), e.g. saved from the dashboard."""

from __future__ import annotations

import pandas as pd

from geo.events import EVENT_TYPES, PRECISIONS
from geo.importers.cells import EVENT_COLUMNS, _assemble, _iso, _layout_fields, _Rows

_ISO_DATE_FORMATS = ("%Y-%m-%d",)


def _map_events(rows: _Rows) -> pd.DataFrame:
    """Check and copy rows already in the events layout."""
    ids = rows.required("event_id", "event_id")
    rows.refuse(
        ids.notna() & ~ids.fillna("").str.fullmatch(r"[a-z0-9][a-z0-9_-]*"),
        "event_id",
        "event_id must be a slug ([a-z0-9][a-z0-9_-]*)",
    )
    event_date = rows.dates("event_date", _ISO_DATE_FORMATS)
    precision = rows.choice("date_precision", PRECISIONS, "date_precision")
    rows.refuse(rows.text("date_precision").isna(), "date_precision", "date_precision is missing")
    end_date = rows.dates("end_date", _ISO_DATE_FORMATS, required=False)
    end_precision = rows.choice("end_precision", PRECISIONS, "end_precision")
    event_type = rows.choice("event_type", sorted(EVENT_TYPES), "event_type")
    rows.refuse(rows.text("event_type").isna(), "event_type", "event_type is missing")
    lat, lon = rows.coordinates("latitude", "longitude")
    columns: dict[str, object] = {c: rows.text(c) for c in EVENT_COLUMNS}
    for column in ("title", "location", "country", "sources"):
        columns[column] = rows.required(column, column)
    columns.update(
        {
            "event_id": ids,
            "event_date": _iso(event_date),
            "date_precision": precision,
            "end_date": _iso(end_date),
            "end_precision": end_precision,
            "event_type": event_type,
            "latitude": lat,
            "longitude": lon,
            **_layout_fields(rows),
        }
    )
    return _assemble(rows, columns)
