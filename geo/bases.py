"""Military bases the articles name, and whether each is in use on a given date."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import borders, gazetteer, record
from geo.errors import DataError, RowProblem
from geo.events import ROOT, period_end
from geo.memo import frame_memo

BASES_CSV = ROOT / "bases.csv"


def load_bases(path: str | Path = BASES_CSV) -> gpd.GeoDataFrame:
    """Return the bases as points (EPSG:4326) with ``opened``/``closed`` dates.

    ``opened`` empty means in use since before the data starts; ``closed``
    empty means still in use at the end of the data.

    Raises
    ------
    DataError
        If a base's location is not a gazetteer place, a date does not parse,
        or a ``record_sources`` id is not in ``references.csv``.
    """
    bases = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = []
    # The public record's references (geo.record), as for events: every id must be in references.csv.
    known = set(record.load_references()["ref_id"]) if "record_sources" in bases else set()
    for i, cell in enumerate(bases.get("record_sources", pd.Series(dtype=str))):
        unknown = [ref for ref in record.references_cited(cell) if ref not in known]
        if unknown:
            problems.append(RowProblem(i + 2, "record_sources", cell, f"unknown reference id {', '.join(unknown)}"))
    lon, lat = [], []
    for i, row in bases.iterrows():
        try:
            x, y = gazetteer.place_lonlat(row["location"])
        except gazetteer.UnknownPlace as exc:
            problems.append(RowProblem(i + 2, "location", row["location"], str(exc)))
            x = y = float("nan")
        lon.append(x)
        lat.append(y)
        for column in ("opened", "closed"):
            if row[column] and pd.isna(pd.to_datetime(row[column], format="%Y-%m-%d", errors="coerce")):
                problems.append(RowProblem(i + 2, column, row[column], "is not a date in the form YYYY-MM-DD"))
    if problems:
        raise DataError(problems, source=str(path))
    bases["longitude"], bases["latitude"] = lon, lat
    for column in ("opened", "closed"):
        bases[column] = pd.to_datetime(bases[column].replace("", None), format="%Y-%m-%d")
    return borders.as_points(bases)


def _handed_over_from(bases: gpd.GeoDataFrame) -> pd.Series:
    """Return the first day each base counts as handed over (NaT: never closed), once per bases frame."""
    memo = frame_memo(bases)
    if "handed_over_from" not in memo:
        closed = bases["closed"]
        closed_from = period_end(closed, bases["closed_precision"].where(closed.notna(), "day"))
        memo["handed_over_from"] = closed.where(bases["closed_precision"] == "day", closed_from + pd.Timedelta(days=1))
    return memo["handed_over_from"]


def base_status(bases: gpd.GeoDataFrame, when: pd.Timestamp) -> gpd.GeoDataFrame:
    """Return the bases that exist on ``when`` with ``status`` 'in use' or 'handed over'.

    A base whose ``opened`` date is after ``when`` is left out. A base counts as
    handed over from the first day after its closing period (for a day-precise
    date, that day itself: the hand-over happened on it).
    """
    when = pd.Timestamp(when)
    opened = bases["opened"].to_numpy()
    exists = pd.isna(opened) | (opened <= when.to_datetime64())
    handed_from = _handed_over_from(bases).to_numpy()[exists]
    shown = bases[exists].copy()
    shown["status"] = np.where(~pd.isna(handed_from) & (handed_from <= when.to_datetime64()), "handed over", "in use")
    return shown
