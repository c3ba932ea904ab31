"""How we know: which articles report each event, what each article contributes, where they differ.

The ``sources`` column of an event names the articles (ids from
``sources.csv``) or, for imported rows, the dataset. The ``readings`` column
is our own wording of where the articles differ on a figure or a date, with
each reading followed or preceded by the id of the article that gives it;
:func:`split_readings` cuts it into one row per reading so that a table can
show both readings side by side with who says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from geo.events import format_date, source_list


def _articles(sources: pd.DataFrame) -> pd.DataFrame:
    return sources.set_index("source_id")


def article_label(source_id: str, sources: pd.DataFrame) -> str:
    """Return '[003] Last French troops leave Mali for Niger (no headline; our summary)', or the id for a dataset."""
    table = _articles(sources)
    if source_id in table.index:
        return f"[{source_id}] {table.loc[source_id, 'display']}"
    return f"{source_id} (dataset)"


def article_contributions(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return one row per article: how many events cite it, how many rest on it alone, and the period they cover.

    Columns: ``source_id``, ``article`` (headline or our label), ``outlet``,
    ``events``, ``only_source`` (events no other article reports),
    ``first``/``last`` (the first and last day covered, as dates) and
    ``period`` (from the earliest start to the latest end, each at its
    precision), ``types`` (the event types it reports). Articles that no event
    in ``events`` cites are listed with 0 events.
    """
    ids = events["sources"].map(source_list) if len(events) else pd.Series([], dtype=object)
    rows = []
    for _, article in sources.iterrows():
        sid = article["source_id"]
        cites = ids.map(lambda cell, sid=sid: sid in cell) if len(events) else pd.Series([], dtype=bool)
        cited = events[cites.to_numpy(dtype=bool)] if len(events) else events
        alone = int((ids[cites].map(len) == 1).sum()) if len(cited) else 0
        if len(cited):
            earliest = cited.loc[cited["start"].idxmin()]
            latest = cited.loc[cited["end"].idxmax()]
            end_precision = latest["end_precision"] if pd.notna(latest["end_date"]) else latest["date_precision"]
            first_label = format_date(earliest["start"], earliest["date_precision"])
            last_label = format_date(latest["end"], end_precision)
            period = first_label if first_label == last_label else f"{first_label} – {last_label}"
            first, last = earliest["start"], latest["end"]
            types = ", ".join(sorted(set(cited["event_type"].astype(str))))
        else:
            period, first, last, types = "", pd.NaT, pd.NaT, ""
        rows.append(
            {
                "source_id": sid,
                "article": article["display"],
                "outlet": article.get("outlet", "") or "",
                "events": len(cited),
                "only_source": alone,
                "first": first,
                "last": last,
                "period": period,
                "types": types,
            }
        )
    return pd.DataFrame(rows)


def _which(cell: str, sources: pd.DataFrame) -> str:
    return "; ".join(article_label(s, sources) for s in source_list(cell))


def reach(cell: str, sources: pd.DataFrame) -> int:
    """Return how many of the articles in ``sources`` a ``sources`` cell names."""
    known = set(sources["source_id"])
    return sum(1 for s in source_list(cell) if s in known)


def event_table(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return the events as a table to read: date at its precision, place, toll, and which articles report them.

    Columns: ``date`` (at its precision), ``first day`` (for sorting),
    ``title``, ``type``, ``place``, ``country``, ``fatalities``, ``articles``
    (how many of the articles, a number to sort by), ``reported by`` ('3 of 5
    articles'), ``which`` (the articles by id and headline), ``readings``,
    ``the articles`` (the articles' own date), ``the public record`` (the
    record's date, place and toll with its reference ids, '' where it adds
    nothing), ``event_id``. ``date`` is where the event is placed: the more
    precise of the two.
    """
    total = len(sources)
    columns = ["date", "first day", "title", "type", "place", "country", "fatalities", "articles",
               "reported by", "which", "readings", "the articles", "the public record", "event_id"]  # fmt: skip
    if events.empty:
        return pd.DataFrame(columns=columns)
    counts = events["sources"].map(lambda cell: reach(cell, sources))
    table = pd.DataFrame(
        {
            "date": events["date_label"].astype(str).to_numpy(),
            "first day": pd.to_datetime(events["start"]).dt.date.to_numpy(),
            "title": events["title"].astype(str).to_numpy(),
            "type": events["event_type"].astype(str).str.replace("_", " ").to_numpy(),
            "place": events["location"].astype(str).to_numpy(),
            "country": events["geo_country"].astype(str).to_numpy(),
            "fatalities": events["fatalities"].to_numpy(),
            "articles": counts.astype(int).to_numpy(),
            "reported by": [f"{n} of {total} articles" for n in counts],
            "which": events["sources"].map(lambda cell: _which(cell, sources)).to_numpy(),
            "readings": events["readings"].fillna("").astype(str).to_numpy(),
            "the articles": events.get("articles_date_label", events["date_label"]).astype(str).to_numpy(),
            "the public record": [public_record_text(row) for row in events.to_dict("records")],
            "event_id": events["event_id"].astype(str).to_numpy(),
        }
    )
    return table[columns]


def toll_text(fatalities: pd.Series) -> pd.Series:
    """Return each toll as text: the number with thousands separators, or 'unknown' (never 'None', never 0)."""
    return pd.Series(
        ["unknown" if pd.isna(f) else f"{int(f):,}" for f in fatalities], index=fatalities.index, dtype=object
    )


def reading_table(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`event_table` for a page: tolls as text ('unknown'), ``which`` as article ids ('002, 003').

    The ids keep the column short enough to read without scrolling; the page's table of what each
    article contributes gives each id's headline.
    """
    table = event_table(events, sources)
    if table.empty:
        return table
    ids = events["sources"].map(lambda cell: ", ".join(source_list(cell))).to_numpy()
    return table.assign(fatalities=toll_text(table["fatalities"]).to_numpy(), which=ids)


def public_record_text(row: dict) -> str:
    """Return what the public record adds to one event, e.g. '7 August 2022 [R33; R34]', or ''."""
    parts = []
    label = row.get("record_date_label")
    if isinstance(label, str) and label:
        parts.append(label)
    place = row.get("record_place")
    if isinstance(place, str) and place:
        parts.append(f"at {place}")
    toll = row.get("record_fatalities")
    if toll is not None and not pd.isna(toll):
        parts.append(f"toll {int(toll)}")
    if not parts:
        return ""
    cited = "; ".join(s.strip() for s in str(row.get("record_sources") or "").split(";") if s.strip())
    return ", ".join(parts) + (f" [{cited}]" if cited else "")


def _id_pattern(ids: Iterable[str]) -> str:
    # Ids are whole tokens: '400' in '2,400' or '2021' must not read as an article,
    # while a list such as '(000, 001 and 004)' names three.
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return rf"(?<![\d,.\-])(?:{alternatives})(?!\d|,\d)"


def split_readings(text: str, ids: Iterable[str]) -> list[dict]:
    """Cut a ``readings`` cell into readings, each with the articles that give it.

    Understands the shapes used in ``events.csv``: ``'004 says June'``,
    ``'002 and 003: the accusation'``, ``'Planned length: 'several months'
    (001), '4-6 months' (003)'``. Clauses are separated by ';' or a full stop.
    A clause naming no article is our own note (``articles`` empty).

    Returns
    -------
    list of dict
        ``topic`` (the words before a colon, e.g. 'Planned length', or ''),
        ``reading`` (the text), ``articles`` (ids, in order).
    """
    ids = list(ids)
    if not str(text or "").strip() or not ids:
        return [{"topic": "", "reading": str(text or "").strip(), "articles": []}] if str(text or "").strip() else []
    one = _id_pattern(ids)
    group = rf"\(\s*({one}(?:\s*(?:,|and)\s*{one})*)\s*\)"
    rows: list[dict] = []
    for clause in re.split(r";\s*|(?<=\.)\s+(?=[A-Z0-9'])", str(text).strip()):
        clause = clause.strip()
        if not clause:
            continue
        topic, body = "", clause
        head = re.match(r"^([^:]{1,60}):\s+(.*)$", clause, re.S)
        if head and re.search(one, head.group(1)) and not re.sub(rf"{one}|\band\b|[,\s]", "", head.group(1)):
            # '002 and 003: the Europeans' accusation' (the words before the colon are only ids)
            rows.append({"topic": "", "reading": head.group(2).strip(), "articles": re.findall(one, head.group(1))})
            continue
        if head and not re.search(rf"['\"]|{one}", head.group(1)):
            topic, body = head.group(1).strip(), head.group(2).strip()
        if re.search(group, body):
            # "'several months' (001), '4-6 months' (003)."
            position = 0
            for match in re.finditer(rf"(.*?)\s*{group}\s*[,.]?\s*", body, re.S):
                reading = match.group(1).strip(" ,.")
                rows.append({"topic": topic, "reading": reading, "articles": re.findall(one, match.group(2))})
                position = match.end()
            rest = body[position:].strip(" ,.")
            if rest:
                rows.append({"topic": topic, "reading": rest, "articles": []})
            continue
        rows.append({"topic": topic, "reading": body, "articles": re.findall(one, body)})
    return rows


def readings_table(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return one row per reading of every event that has a ``readings`` cell.

    Columns: ``title``, ``date``, ``topic``, ``reading``, ``said by`` (the
    articles' headlines, or 'our note' for a clause that names none),
    ``articles`` (ids joined by ', '), ``differs`` (True when the event's
    readings come from more than one set of articles: the articles disagree,
    or each adds something the others do not say), ``event_id``.
    """
    columns = ["title", "date", "topic", "reading", "said by", "articles", "differs", "event_id"]
    ids = list(sources["source_id"])
    rows = []
    for _, event in events.iterrows():
        cell = event.get("readings")
        if cell is None or pd.isna(cell) or not str(cell).strip():
            continue
        parts = split_readings(str(cell), ids)
        sets = {tuple(p["articles"]) for p in parts if p["articles"]}
        for part in parts:
            rows.append(
                {
                    "event_id": event["event_id"],
                    "title": event["title"],
                    "date": event["date_label"],
                    "topic": part["topic"],
                    "reading": part["reading"],
                    "articles": ", ".join(part["articles"]),
                    "said by": "; ".join(article_label(a, sources) for a in part["articles"]) or "our note",
                    "differs": len(sets) > 1,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def reported_by_at_least(events: pd.DataFrame, sources: pd.DataFrame, articles: int) -> pd.DataFrame:
    """Return the events that at least ``articles`` of the articles in ``sources`` report."""
    if events.empty or articles <= 0:
        return events
    return events[events["sources"].map(lambda cell: reach(cell, sources) >= articles).to_numpy(dtype=bool)]


def references_table(events: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Return the public references the events cite in ``record_sources``, with how many events cite each.

    Columns: ``ref_id``, ``title``, ``publisher``, ``url``, ``published``,
    ``supports``, ``events``; in id order.
    """
    columns = ["ref_id", "title", "publisher", "url", "published", "supports", "events"]
    if events.empty or "record_sources" not in events:
        return pd.DataFrame(columns=columns)
    cited = events["record_sources"].fillna("").astype(str).map(source_list).explode().dropna()
    counts = cited[cited != ""].value_counts()
    table = references[references["ref_id"].isin(counts.index)].copy()
    table["events"] = table["ref_id"].map(counts).astype(int)
    return table.sort_values("ref_id")[columns].reset_index(drop=True)


def cited_before_the_event(events: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Return each (event, article) pair where the article was published before the event began.

    An article cannot report what had not happened when it was written; it
    can only announce a plan. The first day compared is the more precise of
    the articles' and the public record's. An article the row's ``date_note``
    names as background ('004 ... background only') is not counted.

    Columns: ``event_id``, ``source_id``, ``published``, ``start``.
    """
    columns = ["event_id", "source_id", "published", "start"]
    if events.empty or "published" not in sources:
        return pd.DataFrame(columns=columns)
    published = dict(zip(sources["source_id"], pd.to_datetime(sources["published"], errors="coerce"), strict=True))
    rows = []
    for event in events.to_dict("records"):
        note = str(event.get("date_note") or "")
        for sid in source_list(event["sources"]):
            day = published.get(sid)
            if day is None or pd.isna(day):
                continue
            background = "background" in note.lower() and re.search(_id_pattern([sid]), note) is not None
            if pd.Timestamp(event["start"]) > day and not background:
                rows.append(
                    {"event_id": event["event_id"], "source_id": sid, "published": day, "start": event["start"]}
                )
    return pd.DataFrame(rows, columns=columns)
