"""The validated rows as the app's events frame: typed, in date order, with what every step reads prepared once.

:func:`geo.validation.validate_events` checks the rows; this builds what it
returns from the kept ones. What the map does on every slider step is
prepared here once, at load: events sorted by date (the date cut is a binary
search), ``geo_country`` found once (a country filter is a column
comparison), ``date_label`` formatted once per distinct period, and
``search_text``, the searched columns joined and lower-cased (a categorical:
each distinct text is held and searched once). Each event is placed at its
most precise date (:mod:`geo.record`), the articles' own dates kept beside it.

``event_type`` and ``geo_country`` stay text columns rather than
categoricals: a categorical's ``value_counts`` and ``groupby`` list every
category, seen or not, which changes what callers count (the importers'
summary among them), and a country or type filter over Arrow-backed text
already takes about 15 ms per million events.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import borders, record
from geo.events import OPTIONAL_EXTRA, SEARCH_COLUMNS, format_period, period_end
from geo.parallel import hand_back_freed_memory, side_by_side


def date_order(keep: np.ndarray, start: pd.Series, ids: pd.Series) -> np.ndarray:
    """Return the positions ``keep`` ordered by date, then by id (ids of kept rows are unique)."""
    if len(keep) < 2:
        return keep
    days = start.to_numpy(dtype="datetime64[ns]").view(np.int64)
    cells = ids.array.__arrow_array__() if getattr(ids.dtype, "storage", None) == "pyarrow" else None
    if cells is not None:
        # One Arrow sort on (day, id): a third of the time of ranking the ids
        # and then sorting the ranks (0.1 s against 0.34 s at a million rows),
        # and no copy of the ids when every row is kept. Arrow orders text by
        # its UTF-8 bytes, as pandas' argsort of Arrow text does.
        if len(keep) < len(ids):
            days, cells = days[keep], cells.take(pa.array(keep))
        table = pa.table({"day": days, "id": cells})
        return keep[pc.sort_indices(table, sort_keys=[("day", "ascending"), ("id", "ascending")]).to_numpy()]
    days = days[keep]
    id_rank = np.empty(len(keep), dtype=np.int64)
    id_rank[np.asarray(ids.iloc[keep].argsort())] = np.arange(len(keep))
    return keep[np.lexsort((id_rank, days))]


def events_frame(
    columns: dict[str, pd.Series],
    extras: dict[str, pd.Series],
    rows: np.ndarray,
    line_numbers: np.ndarray,
    geo_country: np.ndarray,
    record_parts: dict[str, pd.Series] | None,
) -> gpd.GeoDataFrame:
    """Return the rows at positions ``rows`` (in that order) as the typed events GeoDataFrame, in EPSG:4326.

    Parameters
    ----------
    columns
        The checked columns of the layout (``geo.events.COLUMNS``), by
        position in the table; each is taken out of the dict as it is copied,
        so that a caller holding no other reference has it freed then: a
        million rows never hold two copies of the table.
    extras
        The optional columns present (``geo.events.OPTIONAL_EXTRA``), taken out likewise.
    rows
        The kept positions in their final order (:func:`date_order`).
    line_numbers
        Each row's line number in its file, by position.
    geo_country
        Each row's country as found from its point (or the named one, kept).
    record_parts
        The typed public-record columns and ``placed``, or ``None`` when the
        table has none.
    """
    # One take per column instead of a filter then a sort, and none at all
    # when the table is already in order.
    count = len(line_numbers)
    in_order = len(rows) == count and bool((rows == np.arange(count)).all())

    def pick(series: pd.Series) -> pd.Series:
        return (series if in_order else series.take(rows)).reset_index(drop=True)

    def take_out(source: dict[str, pd.Series], column: str) -> pd.Series:
        return pick(source.pop(column))

    # The layout's columns are taken side by side (Arrow and numpy take without Python's lock:
    # 0.48 s of one core at a million rows), each let go as its copy is made. The extras (the
    # notes the biggest) are taken one at a time, each converted as it comes.
    names = list(columns)
    taken = side_by_side([functools.partial(take_out, columns, c) for c in names], size=count)
    typed = pd.DataFrame(dict(zip(names, taken, strict=True)), copy=False)
    del taken
    typed["end_precision"] = typed["end_precision"].replace("", pd.NA)
    typed["location_precision"] = typed["location_precision"].replace("", "place")
    typed["fatalities"] = typed["fatalities"].astype("Int64")
    typed["troops"] = typed["troops"].astype("Int64")
    for extra in OPTIONAL_EXTRA:
        typed[extra] = take_out(extras, extra).astype("str").fillna("") if extra in extras else ""
    if "dataset" in typed:
        typed["dataset"] = typed["dataset"].replace("", "curated")
    release_arrow_memory()  # the caller's columns, now sorted copies
    typed["_row"] = line_numbers[rows]
    typed["start"] = typed["event_date"]
    typed["end"] = period_end(
        typed["end_date"].fillna(typed["event_date"]),
        typed["end_precision"]
        .fillna(typed["date_precision"])
        .where(typed["end_date"].notna(), typed["date_precision"]),
    )
    typed["geo_country"] = _located(geo_country, rows, typed["country"])
    typed["date_label"] = _date_label_column(typed)
    if record_parts is None:
        typed["articles_start"], typed["articles_end"] = typed["start"], typed["end"]
        typed["articles_date_label"] = typed["date_label"]
        typed["dated_by_record"] = False
        typed["placed_precision"] = typed["date_precision"]
    else:
        _place_at_most_precise(typed, {k: pick(v) for k, v in record_parts.items() if k != "placed"})
    typed["search_text"] = search_text(typed)
    release_arrow_memory()  # the search text's scratch, before GEOS allocates the points
    return borders.as_points(typed)


def _located(geo_country: np.ndarray, rows: np.ndarray, country: pd.Series) -> pd.Series:
    """Return ``geo_country`` (codes by position, None where the point is in no country) at ``rows``, the named ``country`` filling the gaps.

    Taken as Arrow text from the few distinct codes: through Python objects
    (a take, a fillna and a conversion of a million of them) it cost 0.3 s.
    """
    codes, uniques = pd.factorize(geo_country)
    picked = codes[rows]
    found = pa.array(list(uniques), pa.large_string()).take(pa.array(picked, mask=picked < 0))
    named = pa.array(country.astype("string"), pa.large_string())
    return pd.Series(pc.coalesce(found, named), index=country.index, dtype="str")


def _place_at_most_precise(typed: pd.DataFrame, parts: dict[str, pd.Series]) -> None:
    """Keep the articles' dates in ``articles_*`` and place each event at its most precise date (in place)."""
    for column, values in parts.items():
        typed[column] = values.to_numpy() if column.startswith("record_") else values
    typed["record_fatalities"] = typed["record_fatalities"].astype("Int64")
    typed["articles_start"], typed["articles_end"] = typed["start"], typed["end"]
    typed["articles_date_label"] = typed["date_label"]
    first, first_precision, by_record = record.most_precise(
        typed["event_date"], typed["date_precision"], typed["record_date"], typed["record_precision"]
    )
    last, last_precision, end_by_record = record.most_precise_end(
        typed["end_date"], typed["end_precision"], typed["record_end_date"], typed["record_end_precision"]
    )
    typed["dated_by_record"] = by_record | end_by_record
    typed["placed_precision"] = first_precision
    typed["start"] = first
    typed["end"] = period_end(last.fillna(first), last_precision.where(last.notna(), first_precision).fillna("day"))
    placed = pd.DataFrame(
        {"event_date": first, "date_precision": first_precision, "end_date": last, "end_precision": last_precision}
    )
    typed["date_label"] = np.where(typed["dated_by_record"], _date_labels(placed), typed["articles_date_label"])
    recorded = pd.DataFrame(
        {"event_date": typed["record_date"], "date_precision": typed["record_precision"],
         "end_date": typed["record_end_date"], "end_precision": typed["record_end_precision"]}
    )  # fmt: skip
    has = typed["record_date"].notna().to_numpy()
    labels = np.full(len(typed), "", dtype=object)
    if has.any():
        labels[has] = _date_labels(recorded[has].reset_index(drop=True))
    typed["record_date_label"] = labels


def _lowered_dictionary(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """A text column as (a code per row, its distinct cells lower-cased as Arrow text); blank cells are ``""``.

    The codes are pandas' (a categorical's own), the last text the ``""``
    that missing cells (code -1) are given. Unicode lower-casing costs 40
    times ASCII's and gives the same bytes on ASCII text: only the cells
    with other characters (an accent) get it.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, distinct = pd.factorize(values)
    texts = pa.array([*pd.Series(distinct, dtype=object).astype(str), ""], pa.large_string())
    ascii = pc.string_is_ascii(texts)
    lowered = pc.ascii_lower(texts)
    if not pc.all(ascii).as_py():
        other = pc.invert(ascii)
        lowered = pc.replace_with_mask(lowered, other, pc.utf8_lower(texts.filter(other)))
    codes = codes.astype(np.int64)
    return np.where(codes < 0, len(texts) - 1, codes), lowered


def release_arrow_memory() -> None:
    """Hand the memory Arrow, and the C library's ``malloc``, have freed back to the system.

    Arrow's allocator keeps freed memory for its own reuse, and until it lets
    it go it counts in the process's peak: at a million rows the columns
    replaced by their sorted copies, or a step's scratch, are hundreds of
    megabytes. numpy's arrays come from ``malloc``, which keeps what threads
    other than the main one freed (:func:`geo.parallel.hand_back_freed_memory`).
    """
    pa.default_memory_pool().release_unused()
    hand_back_freed_memory()


def combinations(columns: list[pd.Series | np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct combinations of the columns' cells (NA a value of its own) in order of their first rows.

    Returns each row's number and the first row of each number: what is
    built from a few columns (a label, a joined text) is then built once per
    combination and taken for every row. Each column is factorized by pandas
    (an Arrow column by Arrow's hash table, a categorical by its codes) and
    the codes combined into one integer key, renumbered only when the key
    would outgrow an int64 and once at the end: no sort, no grouping.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1  # how many values the key can take
    for column in columns:
        codes, uniques = pd.factorize(column)
        size = len(uniques) + 1  # code -1 (NA) too
        if span * size >= 1 << 62:
            key = pd.factorize(key)[0]
            span = int(key.max()) + 1 if len(key) else 1
        key = key * size + (codes + 1)
        span *= size
    key = pd.factorize(key)[0]
    return key, np.flatnonzero(first_appearances(key))


def first_appearances(codes: np.ndarray) -> np.ndarray:
    """Where each of ``pandas.factorize``'s codes appears first (``~Series.duplicated()``), from the codes alone.

    factorize numbers values in order of first appearance, so a row holds a
    value's first appearance exactly where the running maximum of the codes
    grows: two numpy passes, where ``duplicated`` hashes every value again
    (a million Arrow strings through Python objects: a quarter of a second).
    Missing values (code -1) are never a first appearance.
    """
    grows = np.zeros(len(codes), dtype=bool)
    if len(codes):
        running = np.maximum.accumulate(codes)
        grows[0] = codes[0] >= 0
        np.greater(running[1:], running[:-1], out=grows[1:])
    return grows


def _date_labels(typed: pd.DataFrame) -> np.ndarray:
    """Return each event's :func:`~geo.events.format_period`, formatted once per distinct (date, precision, end, precision)."""
    if typed.empty:
        return np.array([], dtype=object)
    codes, labels = _distinct_date_labels(typed)
    return labels[codes]


def _date_label_column(typed: pd.DataFrame) -> pd.Series:
    """:func:`_date_labels` as a text column, taken in Arrow from the distinct labels (not a million Python strings)."""
    if typed.empty:
        return pd.Series(_date_labels(typed), index=typed.index, dtype="str")
    codes, labels = _distinct_date_labels(typed)
    return pd.Series(pa.array(labels, pa.large_string()).take(pa.array(codes)), index=typed.index, dtype="str")


def _distinct_date_labels(typed: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    columns = ["event_date", "date_precision", "end_date", "end_precision"]
    codes, first = combinations([typed[c] for c in columns])
    distinct = typed[columns].iloc[first]
    return codes, np.array([format_period(row) for row in distinct.to_dict("records")], dtype=object)


def search_text(typed: pd.DataFrame) -> pd.Series:
    """Return the searched columns joined by spaces and lower-cased, once, for the text filter (:func:`geo.filters.rows_in_view`).

    A categorical of the distinct texts: each distinct combination of the
    searched cells is joined and lower-cased once, and every row holds only
    its text's code. A title, a description, an actor list and a place
    repeat across a million events (ACLED's a few hundred thousand
    combinations; the synthetic benchmark's 190,000), so the column takes a
    fifth of the memory of one text per row (37 MB against 168 MB at a
    million synthetic rows), and a search scans each distinct text once
    (:func:`geo.search.term_mask`). A searched column that is itself
    categorical is read through its codes, never expanded to one text a row.
    """
    if not len(typed):
        return pd.Series(pd.Categorical([], categories=pd.Index([], dtype="str")), index=typed.index)
    parts = [_lowered_dictionary(typed[c]) for c in SEARCH_COLUMNS]
    combination, first = combinations([codes for codes, _ in parts])
    # Lower-casing is per character (Arrow's, like ASCII's), so the lower-cased
    # parts joined are the joined text lower-cased: each column's few distinct
    # cells are lower-cased, not the 190,000 texts.
    distinct = [dictionary.take(pa.array(codes[first])) for codes, dictionary in parts]
    lowered = pc.binary_join_element_wise(*distinct, pa.scalar(" ", pa.large_string()))
    # Two combinations can give one text ("a b" + "c", "a" + "b c"; "Gao" and "GAO"): a category each.
    encoded = pc.dictionary_encode(lowered)
    codes = encoded.indices.to_numpy(zero_copy_only=False)[combination]
    del lowered, distinct
    categories = pd.Index(pd.array(encoded.dictionary, dtype="str"))
    searched = pd.Categorical.from_codes(codes, categories=categories)
    # Checking that the categories are distinct left pandas' hash table of them cached on
    # the index, built from a Python string per category (37 MB at a million synthetic
    # rows): the search reads the categories as Arrow text and never looks one up.
    searched.categories._cache.pop("_engine", None)
    return pd.Series(searched, index=typed.index)
