"""The public-record layer: dates, places and figures that published references give beside the articles.

The five articles stay the primary sources of every curated event: its
``event_date``, ``date_precision``, place and figures are theirs. Where a
stored public reference (``references.csv``: Wikipedia, news agencies,
government communiqués relayed by the press) gives a more precise date, a
named place or a figure, the event carries it in the ``record_*`` columns,
with ``record_sources`` naming the references by id.

:func:`most_precise` decides, row by row, which date an event is placed at:
the public record's when it is strictly more precise than the articles'
(a day beats a month, a month beats a year), otherwise the articles'. The
map, the slider, the timeline and the exports use that date by default;
:func:`dated` swaps in the articles' dates for a view that asks for them
(:attr:`geo.view.View.dates`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.memo import frame_memo

ROOT = Path(__file__).resolve().parent.parent
REFERENCES_CSV = ROOT / "references.csv"

#: The optional columns of the public-record layer (``docs/data.md``).
RECORD_COLUMNS: tuple[str, ...] = (
    "record_date", "record_precision", "record_end_date", "record_end_precision", "record_place",
    "record_latitude", "record_longitude", "record_fatalities", "record_sources", "record_note",
)  # fmt: skip

#: Which ``dates`` a view may use: the most precise of articles and record, or the articles' alone.
DATE_CHOICES = ("precise", "articles")

_RANK = {"day": 0, "month": 1, "year": 2}


def load_references(path: str | Path = REFERENCES_CSV) -> pd.DataFrame:
    """Return the public references (``ref_id``, ``title``, ``publisher``, ``url``, ``published``, ``supports``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _rank(precision: pd.Series) -> np.ndarray:
    return precision.map(_RANK).fillna(9).to_numpy(dtype=float)


def most_precise(
    articles_date: pd.Series,
    articles_precision: pd.Series,
    record_date: pd.Series,
    record_precision: pd.Series,
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Return the date each event is placed at, its precision, and whether it is the public record's.

    The record's date wins only where it is strictly more precise than the
    articles' ("7 August 2022" over "August 2022"); at equal precision the
    articles stand, and a blank record changes nothing.
    """
    use = (record_date.notna() & (_rank(record_precision) < _rank(articles_precision))).to_numpy(dtype=bool)
    date = articles_date.where(~use, record_date)
    precision = articles_precision.where(~use, record_precision)
    return date, precision, use


def most_precise_end(
    articles_end: pd.Series,
    articles_end_precision: pd.Series,
    record_end: pd.Series,
    record_end_precision: pd.Series,
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Return each event's end: the record's where the articles give none or a vaguer one."""
    finer = _rank(record_end_precision) < _rank(articles_end_precision.fillna("none"))
    use = (record_end.notna() & (articles_end.isna().to_numpy() | finer)).to_numpy(dtype=bool)
    end = articles_end.where(~use, record_end)
    precision = articles_end_precision.where(~use, record_end_precision)
    return end, precision, use


def dated(events: pd.DataFrame, dates: str = "precise", *, sort: bool = True) -> pd.DataFrame:
    """Return the events placed at the chosen dates, in date order (unless ``sort`` is False).

    ``dates`` 'precise' returns ``events`` as they are (validated events are
    placed at their most precise date already); 'articles' returns a copy
    whose ``start``, ``end`` and ``date_label`` are the articles' own, sorted
    by that start.
    """
    if dates not in DATE_CHOICES:
        raise ValueError(f"{dates!r} is not one of {', '.join(DATE_CHOICES)}")
    if dates == "precise" or "dated_by_record" not in events or not bool(events["dated_by_record"].any()):
        return events
    swapped = events.assign(
        start=events["articles_start"], end=events["articles_end"], date_label=events["articles_date_label"]
    )
    return swapped.sort_values(["start", "event_id"], kind="stable") if sort else swapped


def references_cited(cell: str) -> list[str]:
    """Split a ``record_sources`` cell into its reference ids."""
    return [part.strip() for part in str(cell or "").split(";") if part.strip()]


def both_dates(row: pd.Series) -> str:
    """Return "the articles: August 2022 · the public record: 7 August 2022 [R33; R34]" (or the articles' alone)."""
    articles = f"the articles: {row.get('articles_date_label') or row.get('date_label') or ''}"
    label = row.get("record_date_label")
    if not isinstance(label, str) or not label:
        return articles
    cited = "; ".join(references_cited(row.get("record_sources")))
    return f"{articles} · the public record: {label}" + (f" [{cited}]" if cited else "")


def reference_links(cell: str, references: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Return (id, title and publisher, url) for each reference a ``record_sources`` cell names."""
    memo = frame_memo(references)
    if "links" not in memo:  # once per table: every popup with a record asks (2.5 ms each by DataFrame lookups)
        memo["links"] = {str(ref.ref_id): (str(ref.ref_id), f"{ref.title} ({ref.publisher})", ref.url)
                         for ref in references.itertuples(index=False)}  # fmt: skip
    return [memo["links"].get(ref_id, (ref_id, ref_id, "")) for ref_id in references_cited(cell)]
