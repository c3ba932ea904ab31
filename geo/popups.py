"""The text of the map's popups, as HTML: pure functions of an event's row, no folium.

An event's popup (:func:`popup_html`): its title, date at its precision,
place, description, toll, readings and the articles that report it
(:func:`sources_html`), or, for an imported row, its data set and id; and
beside the articles' dates the public record's (:func:`record_html`), with
its references linked. Every string from a data file is escaped on its way
in (:func:`geo.escaping.html_text`), so the HTML holds text a browser shows as
is and no Jinja syntax for folium's second template pass. :mod:`geo.mapview`
and :mod:`geo.marks` put it on the map.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from geo import record
from geo.escaping import html_text as esc
from geo.events import source_list
from geo.memo import frame_memo


def sources_html(cell: str, sources: pd.DataFrame) -> str:
    """Return 'Reported by N of M articles' with the articles' headlines, escaped."""
    ids = source_list(cell)
    titles = _headlines(sources)
    known = [i for i in ids if i in titles]
    items = "".join(f"<li>[{esc(i)}] {esc(titles[i])}</li>" for i in known)
    others = [i for i in ids if i not in titles]
    if not known:
        return f"<div class='sources'>Source: {esc('; '.join(others))}</div>"
    return (
        f"<div class='sources'><b>Reported by {len(known)} of {len(titles)} articles</b>"
        f"<ul style='margin:2px 0 0 16px;padding:0'>{items}</ul></div>"
    )


def _headlines(sources: pd.DataFrame) -> dict[str, str]:
    """Return each source's displayed headline by id, worked out once per sources frame.

    A plain dict rather than the frame: indexing it cost a few milliseconds a popup, and
    building the dict again for every popup was a fifth of the map's marks.
    """
    memo = frame_memo(sources)
    if "headlines" not in memo:
        memo["headlines"] = dict(zip(sources["source_id"], sources["display"], strict=True))
    return memo["headlines"]


def record_html(row: pd.Series) -> str:
    """Return the popup's public-record lines: both dates, the record's place and toll, the references linked."""
    label = row.get("record_date_label")
    place, toll = row.get("record_place"), row.get("record_fatalities")
    has_place = isinstance(place, str) and bool(place)
    has_toll = toll is not None and not pd.isna(toll)
    if not (isinstance(label, str) and label) and not has_place and not has_toll:
        return ""
    lines = [f"<div class='record'><i>{esc(record.both_dates(row))}</i>"]
    if has_place:
        lines.append(f"<div>Public record, place: {esc(place)}</div>")
    if has_toll:
        lines.append(f"<div>Public record, toll: {int(toll)}</div>")
    links = "".join(
        f"<li>[{esc(ref_id)}] <a href='{esc(url)}' target='_blank' rel='noopener'>{esc(title)}</a></li>"
        if url else f"<li>[{esc(ref_id)}] {esc(title)}</li>"
        for ref_id, title, url in record.reference_links(row.get("record_sources"), _references())
    )  # fmt: skip
    if links:
        lines.append(f"<ul style='margin:2px 0 0 16px;padding:0'>{links}</ul>")
    lines.append("</div>")
    return "".join(lines)


@lru_cache(maxsize=1)
def _references() -> pd.DataFrame:
    """The public references, read once: every popup with a record links them."""
    return record.load_references()


def popup_html(row: pd.Series, sources: pd.DataFrame) -> str:
    """Return an event's popup: title, date at its precision, place, description, toll, readings, sources."""
    fatalities = row.get("fatalities")
    toll = "unknown" if fatalities is None or pd.isna(fatalities) else f"{int(fatalities)}"
    parts = [
        f"<div class='event-popup' style='width:300px'><h4 style='margin:0 0 4px'>{esc(row['title'])}</h4>",
        f"<div><b>{esc(row['date_label'])}</b> · {esc(str(row['event_type']).replace('_', ' '))}</div>",
        f"<div>{esc(row['location'])} ({esc(row['geo_country'])})</div>",
        f"<p style='margin:4px 0'>{esc(row.get('description'))}</p>",
        f"<div>Fatalities: {esc(toll)}</div>",
    ]
    parts.append(record_html(row))
    if row.get("troops") is not None and not pd.isna(row.get("troops")):
        parts.append(f"<div>Troops: {int(row['troops']):,}</div>")
    if row.get("readings"):
        parts.append(f"<div><i>Readings differ:</i> {esc(row['readings'])}</div>")
    if row.get("date_note"):
        parts.append(f"<div style='color:#555'><i>Date:</i> {esc(row['date_note'])}</div>")
    dataset = row.get("dataset")
    if isinstance(dataset, str) and dataset and dataset != "curated":
        # Imported rows cite their data set and its own id instead of the articles.
        parts.append(f"<div><b>Data set:</b> {esc(dataset.upper())}, id {esc(row.get('source_id'))}</div>")
        notes = str(row.get("notes") or "")
        if notes:
            parts.append(
                f"<div style='color:#555'><i>Notes:</i> {esc(notes[:600])}{'…' if len(notes) > 600 else ''}</div>"
            )
    else:
        parts.append(sources_html(row["sources"], sources))
    parts.append("</div>")
    return "".join(parts)


def movement_popup_html(move: pd.Series, sources: pd.DataFrame) -> str:
    """Return a troop movement's popup: the event's, then its route and geodesic length."""
    return popup_html(move, sources) + f"<div>Route: {esc(move['route'])} ({move['length_km']:.0f} km)</div>"


def base_popup_html(base: pd.Series) -> str:
    """Return a base's popup: its name, who holds it and whether it is in use, the note."""
    return f"<b>{esc(base['name'])}</b><br>{esc(base['operator'])}: {esc(base['status'])}<br>{esc(base['note'])}"


def place_popup_html(place: pd.Series) -> str:
    """Return a gazetteer place's popup: its name, where its coordinates come from, the note."""
    return f"<b>{esc(place['name'])}</b><br>{esc(place.get('basis', ''))}<br>{esc(place.get('note', ''))}"


def cell_popup_html(cell) -> str:
    """Return a grid cell's popup (a row of :func:`geo.aggregate.aggregate_events`): counts, main types, period."""
    events, fatalities = int(cell.events), int(cell.fatalities)
    return (
        f"<b>{events:,} events</b><br>{fatalities:,} fatalities known"
        f"<br>{esc(getattr(cell, 'top_types', ''))}<br>{esc(getattr(cell, 'period', ''))}"
    )
