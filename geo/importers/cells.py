"""The cells of one file: text, numbers, codes and dates, each refused by row and column; the mapped frame."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.errors import DataError, Refusals, RowProblem
from geo.eventframe import combinations as _combinations
from geo.eventframe import release_arrow_memory as _release_arrow_memory
from geo.events import COLUMNS, LOCATION_PRECISIONS, OPTIONAL_EXTRA, parse_dates
from geo.validation import _fractional

# Cells that mean "no value": ACLED files written by R say NA.
_BLANKS = frozenset({"", "na", "n/a", "nan", "null", "none", "<na>"})


# Every way to write them: a cell whose lower case (str.lower) is in _BLANKS is
# one of these, since no character outside ASCII lower-cases to their letters.
_BLANK_SPELLINGS = pa.array(
    sorted({"".join(p) for word in _BLANKS for p in itertools.product(*({c, c.upper()} for c in word))}),
    pa.large_string(),
)


# The longest blank spelling, in UTF-8 bytes.
_BLANK_BYTES = max(len(word.encode()) for word in _BLANKS)


def _mixed_orders(column: str, day_first: str, month_first: str) -> DataError:
    """The whole file refused: its dates are written day first in some cells and month first in others."""
    return DataError(
        [
            RowProblem(
                None,
                column,
                None,
                f"the dates mix day first ({day_first}) and month first ({month_first}): fix the file, or "
                "choose date_order 'dmy' or 'mdy' to refuse the rows that do not fit",
            )
        ]
    )


# Dates written with slashes, day and month in an order the column must settle.
_SLASHED = ("%d/%m/%Y", "%m/%d/%Y")
_SLASHED_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year"}
#: The orders a caller may choose for such dates.
DATE_ORDERS = ("dmy", "mdy")
_EARLIEST = pd.Timestamp("1900-01-01")


# More deaths than any single recorded event; beyond it the cell is a typo.
_MAX_FATALITIES = 10_000_000


#: Columns of the events layout, in the order of ``docs/data.md``.
EVENT_COLUMNS: tuple[str, ...] = (*COLUMNS, *OPTIONAL_EXTRA)

#: Text cells and mapped text columns: Arrow-backed, NaN where blank (pandas'
#: own ``str``). A cell costs its UTF-8 bytes and an offset; as a Python
#: ``str`` in an object column it would cost some 60 bytes more.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


#: The characters ``str.strip()`` removes (``str.isspace``), so Arrow strips as Python does.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


_SPACES = pa.array(list(_WHITESPACE), pa.large_string())


def _byte_table(positions: Iterable[int]) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(positions)] = True
    return table


# The bytes a blank character's UTF-8 starts and ends with: the sieve of ``_has_outer_space``.
_SPACE_FIRST = _byte_table(c.encode()[0] for c in _WHITESPACE)
_SPACE_LAST = _byte_table(c.encode()[-1] for c in _WHITESPACE)


class _Rows:
    """The raw cells of one file and the refusals found in them so far."""

    def __init__(
        self,
        raw: pd.DataFrame,
        *,
        date_order: str | None = None,
        decimal_comma: bool = False,
        carriage_returns: bool = True,
    ) -> None:
        self.raw = raw.reset_index(drop=True)
        self.index = self.raw.index
        self.refusals = Refusals(self.raw["_row"].to_numpy())
        self.date_order = date_order
        self.decimal_comma = decimal_comma
        # False when the file holds no carriage return at all: no cell needs its line ends looked at.
        self.carriage_returns = carriage_returns
        #: What a person should know about how the cells were read (a date order found, decimal commas).
        self.notes: list[str] = []
        # The date order a column settled, and the cell that settled it: the file's other date columns share it.
        self._settled: tuple[str, str] | None = None
        self._texts: dict[str, pd.Series] = {}
        self._numbers: dict[str, tuple[pd.Series, pd.Series]] = {}

    def has(self, column: str) -> bool:
        return column in self.raw.columns

    def text(self, column: str) -> pd.Series:
        """Stripped cells, NA where blank (``""``, ``NA``, ``null``...) or absent.

        Computed once per column, in Arrow: strip as ``str.strip`` does, turn
        line ends inside quoted cells into ``\\n`` (CRLF files would leave
        ``\\r`` behind), and blank out the cells whose lower case is in
        ``_BLANKS``. Each step copies the column only when it changes a cell,
        so clean text shares the buffers of the cells as read.
        """
        cached = self._texts.get(column)
        if cached is not None:
            return cached
        if self.has(column):
            cells = pc.fill_null(_arrow_text(self.raw[column]), "")
            if _has_outer_space(cells):
                cells = pc.utf8_trim(cells, characters=_WHITESPACE)
            if self.carriage_returns and pc.any(pc.match_substring(cells, "\r")).as_py():
                cells = pc.replace_substring(pc.replace_substring(cells, "\r\n", "\n"), "\r", "\n")
            if _has_short_cells(cells, _BLANK_BYTES):  # a column of longer text holds no blank spelling
                blank = pc.is_in(cells, value_set=_BLANK_SPELLINGS)
                if pc.any(blank).as_py():
                    cells = pc.if_else(blank, _large(None), cells)
            values = pd.Series(cells, index=self.index, dtype=_TEXT)
        else:
            values = pd.Series(np.nan, index=self.index, dtype=_TEXT)
        self._texts[column] = values
        return values

    def forget_cells(self) -> None:
        """Let go of the cells, keeping the line numbers: the mapping is done."""
        self.raw = self.raw[["_row"]]
        self._texts.clear()
        self._numbers.clear()
        _release_arrow_memory()

    def refuse(self, mask: pd.Series, column: str | None, message: str) -> None:
        """Refuse every row where ``mask`` holds, naming ``column`` and its cell as read."""
        cells = self.raw[column] if column is not None and self.has(column) else None
        self.refusals.flag(mask, column, message, cells, blank="")

    @property
    def problems(self) -> list[RowProblem]:
        return self.refusals.problems

    def required(self, column: str, what: str) -> pd.Series:
        values = self.text(column)
        self.refuse(values.isna(), column, f"{what} is missing")
        return values

    def dates(self, column: str, formats: tuple[str, ...], *, required: bool = True) -> pd.Series:
        """Parse dates written in one of ``formats``; refuse the rest."""
        values = self.text(column)
        slashed = tuple(f for f in formats if f.startswith(_SLASHED))
        parsed = parse_dates(values, tuple(f for f in formats if f not in slashed))
        if slashed:
            parsed = self._slashed_dates(column, values, parsed)
        if required:
            self.refuse(values.isna(), column, "the date is missing")
        shown = ", ".join(_format_example(f) for f in formats)
        self.refuse(values.notna() & parsed.isna(), column, f"not a date in a form this format uses ({shown})")
        today = pd.Timestamp(dt.date.today()) + pd.Timedelta(days=1)
        out_of_range = parsed.notna() & ((parsed < _EARLIEST) | (parsed > today))
        self.refuse(out_of_range, column, "the date is before 1900 or in the future")
        return parsed.where(~out_of_range)

    def _slashed_dates(self, column: str, values: pd.Series, parsed: pd.Series) -> pd.Series:
        """Fill in ``parsed`` with the column's ``d/m/yyyy`` or ``m/d/yyyy`` dates, in one order for the column.

        The order is the caller's ``date_order``, or else what the column
        settles: a first number above 12 means day first, a second above 12
        month first. A column that settles neither is refused as a whole
        rather than guessed (a US spreadsheet's 2/1/1997 is 1 February, a
        European one's 2 January), and so is one that settles both.
        """
        left = values.notna() & parsed.isna()
        if not left.any():  # every date in another form: nothing to settle (and a million cells not scanned)
            return parsed
        parts = values.where(left).str.extract(_SLASHED_DATE)
        found = parts[0].notna()
        if not found.any():
            return parsed
        first, second = parts[0].astype(float), parts[1].astype(float)
        order = self.date_order
        if order is None:
            day_first, month_first = found & (first > 12) & (second <= 12), found & (second > 12) & (first <= 12)
            if day_first.any() and month_first.any():
                a, b = np.flatnonzero(day_first.to_numpy())[0], np.flatnonzero(month_first.to_numpy())[0]
                raise _mixed_orders(
                    column,
                    f"{values.iat[a]} on row {self.refusals.rows[a]}",
                    f"{values.iat[b]} on row {self.refusals.rows[b]}",
                )
            if day_first.any() or month_first.any():
                order = "dmy" if day_first.any() else "mdy"
                at = np.flatnonzero((day_first if order == "dmy" else month_first).to_numpy())[0]
                evidence = f"{values.iat[at]} on row {self.refusals.rows[at]}"
                if self._settled is not None and self._settled[0] != order:
                    first_seen = self._settled[1]
                    raise _mixed_orders(column, *((first_seen, evidence) if order == "mdy" else (evidence, first_seen)))
                self._settled = self._settled or (order, evidence)
                self.notes.append(f"{column}: dates read as {_ORDER_NAMES[order]}, as {evidence} settles")
            elif self._settled is not None:
                order = self._settled[0]
                self.notes.append(f"{column}: dates read as {_ORDER_NAMES[order]}, as {self._settled[1]} settles")
            else:
                raise DataError(
                    [
                        RowProblem(
                            None,
                            column,
                            values[found].iat[0],
                            "every date could be day/month/year or month/day/year (no day is above 12), and "
                            "reading them the wrong way would swap day and month: choose the order "
                            "(date_order 'dmy' or 'mdy'; --date-order on the command line, 'Date order' when "
                            "uploading)",
                        )
                    ]
                )
        else:
            self.notes.append(f"{column}: dates read as {_ORDER_NAMES[order]}, as asked")
        day, month = (first, second) if order == "dmy" else (second, first)
        stamp = pd.to_datetime(
            pd.DataFrame({"year": parts[2].astype(float), "month": month, "day": day}).where(found),
            errors="coerce",
        )
        return parsed.where(parsed.notna(), stamp.astype("datetime64[us]"))

    def numbers(self, column: str) -> tuple[pd.Series, pd.Series]:
        """Numeric cells, and the mask of non-blank cells that are not numbers.

        Plain decimals of up to 15 characters (``-12.345``: most coordinates
        and counts) are cast by Arrow, which reads them as ``pandas.to_numeric``
        does; every other distinct cell is parsed once by pandas (a million
        cells hold a few thousand such values), with a blank among them when
        the column has one so that pandas parses them as it would the column.
        """
        cached = self._numbers.get(column)
        if cached is not None:
            return cached
        values = self.text(column)
        codes, uniques = pd.factorize(values)
        # Each distinct cell parsed once: plain decimals (a million coordinates are nearly all
        # distinct) cast by Arrow, the rest as Python objects by pandas.
        distinct = pd.Series(uniques, dtype=_TEXT)
        parsed = np.full(len(distinct), np.nan)
        plain = np.zeros(len(distinct), dtype=bool) if self.decimal_comma else _plain_decimals(distinct)
        if plain.any():
            parsed[plain] = pc.cast(_arrow_text(distinct).filter(pa.array(plain)), pa.float64()).to_numpy()
        rest = np.flatnonzero(~plain)
        if len(rest):
            others = np.asarray(
                distinct.iloc[rest].to_numpy(dtype=object), dtype=object
            )  # not a loop over Arrow scalars
            # With a blank when the column has one, so that pandas parses them as it would the whole column.
            others = pd.Series(np.append(others, [None]) if (codes < 0).any() else others, dtype=object)
            if self.decimal_comma:
                others = self._decimal_commas(column, others)
            parsed[rest] = pd.to_numeric(others, errors="coerce").astype("float64").to_numpy()[: len(rest)]
        table = np.append(parsed, np.nan)[codes]
        numbers = pd.Series(table, index=self.index)
        numbers = numbers.where(np.isfinite(numbers))
        self._numbers[column] = numbers, values.notna() & numbers.isna()
        return self._numbers[column]

    def _decimal_commas(self, column: str, distinct: pd.Series) -> pd.Series:
        """In a ``;``-separated file, read ``12,2967`` as 12.2967 where no cell of the column uses a point.

        A column holding both ``12,5`` and ``12.5`` is left alone (its comma
        cells are refused as not numbers): which one means what is not clear.
        """
        text = distinct.dropna().astype(str)
        comma = text.str.fullmatch(r"[+-]?\d+,\d+")
        if not comma.any() or text.str.fullmatch(r"[+-]?\d*\.\d+").any():
            return distinct
        self.notes.append(f"{column}: decimal commas read as decimal points (the file is separated by ';')")
        fixed = distinct.copy()
        fixed[comma.reindex(distinct.index, fill_value=False)] = text[comma].str.replace(",", ".", regex=False)
        return fixed

    def coordinates(self, lat_column: str, lon_column: str) -> tuple[pd.Series, pd.Series]:
        lat = self._coordinate(lat_column, "latitude", 90)
        lon = self._coordinate(lon_column, "longitude", 180)
        self.refuse(
            (lat == 0) & (lon == 0), lat_column, "latitude and longitude are both 0, a placeholder rather than a place"
        )
        return lat, lon

    def _coordinate(self, column: str, what: str, limit: float) -> pd.Series:
        values, not_number = self.numbers(column)
        self.refuse(self.text(column).isna(), column, f"the {what} is missing")
        self.refuse(not_number, column, f"the {what} is not a number")
        outside = values.notna() & (values.abs() > limit)
        self.refuse(outside, column, f"the {what} must be between -{limit:g} and {limit:g}")
        return values.where(~outside)

    def count(self, column: str, what: str) -> pd.Series:
        """A whole number >= 0, NA where blank."""
        values, not_number = self.numbers(column)
        self.refuse(not_number, column, f"{what} is not a number")
        self.refuse(values < 0, column, f"{what} cannot be negative")
        self.refuse((values >= 0) & _fractional(values), column, f"{what} must be a whole number")
        self.refuse(values > _MAX_FATALITIES, column, f"{what} is implausibly large")
        good = values.notna() & (values >= 0) & ~_fractional(values) & (values <= _MAX_FATALITIES)
        return pd.array(values.where(good).round(), dtype="Int64")

    def code(self, column: str, allowed: dict[int, str], what: str, *, required: bool) -> pd.Series:
        """Map a numeric code through ``allowed``; refuse unknown codes."""
        text = self.text(column)
        numbers, _ = self.numbers(column)
        known = numbers.isin(list(allowed))
        if required:
            self.refuse(text.isna(), column, f"{what} is missing")
        codes = ", ".join(str(k) for k in allowed)
        self.refuse(text.notna() & ~known, column, f"{what} must be one of {codes}")
        # Arrow text (NaN where unknown), taken from the few labels: as Python
        # objects, every later comparison or fillna of the column was a pass
        # over a million of them (0.1 s each).
        names = list(dict.fromkeys(allowed.values()))
        picks = np.full(len(numbers), -1, dtype=np.int64)
        for key, label in allowed.items():
            picks[(numbers == key).to_numpy()] = names.index(label)
        labels = pa.array(names, pa.large_string()).take(pa.array(picks, mask=picks < 0))
        return pd.Series(pa.chunked_array([labels]), index=self.index, dtype=_TEXT)

    def route(self, column: str) -> pd.Series:
        """Route cells whose every stop is a gazetteer place; refuse the others.

        The map and the Places page place each stop with the gazetteer on
        every run, so an unknown stop must stop its row here, not every page later.
        """
        from geo import gazetteer
        from geo.events import route_stops

        routes = self.text(column)

        def unknown_stop(route: str) -> str | None:
            for stop in route_stops(route):
                try:
                    gazetteer.canonical_name(stop)
                except gazetteer.UnknownPlace as err:
                    return f"stop {err}"
            return None

        messages = _map_unique(routes, unknown_stop)
        for message in messages.dropna().unique():
            self.refuse(messages == message, column, message)
        return routes

    def choice(self, column: str, allowed: Iterable[str], what: str) -> pd.Series:
        """A cell that must be one of ``allowed`` (case-insensitive), NA where blank."""
        allowed = tuple(allowed)
        values = self.text(column).map(lambda v: v.lower(), na_action="ignore")
        self.refuse(values.notna() & ~values.isin(allowed), column, f"{what} must be one of {', '.join(allowed)}")
        return values.where(values.isin(allowed)).astype(object)


# Decimals that Arrow and pandas parse to the same float: at most 15 characters (so at most 15
# significant digits, exact in a double, one correctly rounded operation away from the value).
_PLAIN_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_PLAIN_DECIMAL_CHARS = 15


def _plain_decimals(values: pd.Series) -> np.ndarray:
    """Which cells are plain decimals (``-12.345``) that Arrow's cast reads as ``pandas.to_numeric`` does."""
    cells = _arrow_text(values)
    plain = pc.and_kleene(
        pc.match_substring_regex(cells, _PLAIN_DECIMAL),
        pc.less_equal(pc.binary_length(cells), _PLAIN_DECIMAL_CHARS),
    )
    return _numpy_bool(pc.fill_null(plain, False))


def _numpy_bool(values: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.to_numpy(), dtype=bool) if values.num_chunks else np.zeros(0, dtype=bool)


def _format_example(fmt: str) -> str:
    return dt.datetime(2022, 8, 15).strftime(fmt)


def _iso(dates: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, NA for NaT; each distinct date is formatted once."""
    codes, uniques = pd.factorize(dates)
    text = pa.array(uniques.strftime("%Y-%m-%d"), type=pa.large_string())
    taken = pc.take(text, pa.array(codes, mask=codes < 0))
    return pd.Series(pa.chunked_array([taken]), index=dates.index, dtype=_TEXT)


def _floor(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Store month- and year-precise dates as the 1st of the month / 1 January."""
    # numpy truncates datetimes to the month or year (NaT stays NaT) at a tenth of pandas' periods' cost.
    days = dates.to_numpy(dtype="datetime64[us]")
    month = pd.Series(days.astype("datetime64[M]").astype("datetime64[us]"), index=dates.index)
    year = pd.Series(days.astype("datetime64[Y]").astype("datetime64[us]"), index=dates.index)
    return dates.where(precision != "month", month).where(precision != "year", year)


def _join(parts: list[pd.Series | str], sep: str) -> pd.Series:
    """Join the non-blank parts of each row with ``sep``; NA when all are blank.

    A part is a column (NA or ``""`` is blank) or one text for every row. Two
    passes a part, whatever the column holds: the parts joined where both are
    present (null elsewhere), then the gaps filled from whichever is present;
    a part blank in every row is passed over, so that a join with one present
    part hands that part on as it is, without copying its text.
    """
    index = next(p.index for p in parts if isinstance(p, pd.Series))
    out: pa.ChunkedArray | pa.Scalar | None = None
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            text = _large(part)
        else:
            text = _blank_as_null(_arrow_text(part))
            if text.null_count == len(text):
                continue
        if out is None:
            out = text
            continue
        both = pc.binary_join_element_wise(out, text, _large(sep))  # null where either part is
        out = pc.coalesce(both, out, text)
    if out is None:
        return pd.Series(np.nan, index=index, dtype=_TEXT)
    if isinstance(out, pa.Scalar):
        out = pa.chunked_array([pa.array([out.as_py()] * len(index), pa.large_string())])
    return pd.Series(out, index=index, dtype=_TEXT)


def _per_combination(sources: list[pd.Series], build: Callable[..., pd.Series]) -> pd.Series:
    """``build(*sources)`` computed once per distinct combination of the sources' cells, as a categorical.

    A mapped text made of a few columns (ACLED's title from its event type,
    sub-type and place; its description; its actors) repeats across a
    million rows: the synthetic benchmark's million descriptions are a few
    thousand texts. Built on one row of each combination and held as codes,
    the column costs a fortieth of one text a row (79 MB to 2 MB), and
    ``geo.validation`` and ``geo.eventframe.search_text`` read it through
    its categories. A blank cell and an NA one are the same to every
    builder (``_join`` treats both as blank), and NA stays NA.
    """
    index = sources[0].index
    combination, first = _combinations(sources)
    picked = [source.iloc[first].reset_index(drop=True) for source in sources]
    built = build(*picked)
    codes, texts = pd.factorize(built)
    categories = pd.Index(texts, dtype="str")
    return pd.Series(pd.Categorical.from_codes(codes[combination], categories=categories), index=index)


def _as_plain_text(values: pd.Series) -> pd.Series:
    """A categorical of texts (:func:`_per_combination`'s) as ``_TEXT``, taken in Arrow from its categories."""
    codes = values.cat.codes.to_numpy()
    texts = pa.array(values.cat.categories.to_numpy(dtype=object), pa.large_string())
    taken = texts.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pa.chunked_array([taken]), index=values.index, dtype=_TEXT)


def _blank_as_null(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty cells as nulls (a caller's ``fillna("")``): ``_join`` treats both as blank."""
    empty = pc.equal(pc.binary_length(text), 0)
    return pc.if_else(empty, _large(None), text) if pc.any(empty).as_py() else text


def _large(value: str | None) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _arrow_text(values: pd.Series) -> pa.ChunkedArray:
    """A column as Arrow ``large_string``: text as it is, other values as ``str()`` gives them, NA as null."""
    try:
        array = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        array = pa.array(values.map(str, na_action="ignore"), type=pa.large_string(), from_pandas=True)
    array = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    return array if array.type == pa.large_string() else array.cast(pa.large_string())


def _has_outer_space(cells: pa.ChunkedArray) -> bool:
    """Whether ``str.strip`` would change a cell: whether one starts or ends with a blank character.

    Looked at in the bytes: a cell can start with a blank only if its first
    byte is the first byte of one (in UTF-8, a blank's first and last bytes
    are few: ``_SPACE_FIRST``, ``_SPACE_LAST``), and end with one only if its
    last byte is a blank's last byte. Only the cells that pass that sieve (a
    name ending in ``é`` does: its last byte ends ``\u2029`` too) have their
    first and last characters compared with the blanks.
    """
    for chunk in cells.chunks:
        if not len(chunk):
            continue
        if chunk.null_count:
            chunk = pc.fill_null(chunk, "")
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        if offsets[-1] == offsets[0]:
            continue  # every cell empty
        starts, ends = offsets[:-1], offsets[1:]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        # Every cell's first and last byte, read even for empty cells (a
        # neighbour's byte, clipped into the buffer) and masked after: that
        # spares selecting the filled cells before reading, two fancy
        # indexings of a million positions.
        first = data.take(starts, mode="clip")
        last = data.take(ends - 1, mode="clip")
        sieve = (_SPACE_FIRST[first] | _SPACE_LAST[last]) & (ends > starts)
        if not sieve.any():
            continue
        picked = chunk.take(pa.array(np.flatnonzero(sieve)))
        ends_of = (pc.utf8_slice_codeunits(picked, 0, 1), pc.utf8_slice_codeunits(picked, -1))
        if any(pc.any(pc.is_in(end, value_set=_SPACES)).as_py() for end in ends_of):
            return True
    return False


def _has_short_cells(cells: pa.ChunkedArray, most: int) -> bool:
    """Whether a cell holds at most ``most`` bytes, read from the offsets alone."""
    for chunk in cells.chunks:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
            if (np.diff(offsets) <= most).any():
                return True
    return False


def _slug(values: pd.Series) -> pd.Series:
    """Lower-case slugs fit for ``event_id``: ``[a-z0-9][a-z0-9_-]*``."""
    return values.astype(str).str.lower().str.replace(r"[^a-z0-9_-]+", "-", regex=True).str.strip("-_")


def _layout_fields(rows: _Rows) -> dict[str, pd.Series]:
    """The columns a file in our own layout (a table or a point file) names as ``docs/data.md`` does."""
    return {
        "location_precision": rows.choice("location_precision", LOCATION_PRECISIONS, "location_precision"),
        "fatalities": rows.count("fatalities", "the number of fatalities"),
        "troops": rows.count("troops", "the number of troops"),
        "route": rows.route("route"),
    }


def _assemble(rows: _Rows, columns: dict[str, object]) -> pd.DataFrame:
    """Build the events frame from per-column values and drop refused rows.

    Every text column is Arrow-backed (``_TEXT``, NaN where blank), those
    mapped from codes and constants too: ``validate_events`` reads each one
    as Arrow text, which from a column of Python objects would cost it a
    pass over a million of them per column.
    """
    rows.forget_cells()  # every refusal is made: what the mapped columns do not hold can go
    frame = {}
    for column in EVENT_COLUMNS:
        value = columns.get(column)
        if column in ("latitude", "longitude"):
            frame[column] = pd.Series(value, index=rows.index, dtype="float64")
        elif column in ("fatalities", "troops"):
            frame[column] = (
                pd.Series(value, index=rows.index, dtype="Int64")
                if value is not None
                else pd.Series(pd.NA, index=rows.index, dtype="Int64")
            )
        else:
            frame[column] = _as_text(value, rows.index)
    frame["_row"] = rows.raw["_row"].astype("int64")
    kept = pd.DataFrame(frame)
    del frame
    refused = rows.refusals.bad
    if refused.any():
        kept = kept.loc[~refused].reset_index(drop=True)
    return kept


def _as_text(value: object, index: pd.Index) -> pd.Series:
    """A mapped column as ``_TEXT``: a column of text or of codes' labels, one text for every row, or None (blank)."""
    if isinstance(value, pd.Series) and (value.dtype == _TEXT or isinstance(value.dtype, pd.CategoricalDtype)):
        return value  # text, or a categorical of texts built once per combination (_per_combination)
    if value is None:
        return pd.Series(pa.chunked_array([pa.nulls(len(index), pa.large_string())]), index=index, dtype=_TEXT)
    if isinstance(value, str):
        encoded = value.encode()
        offsets = np.arange(len(index) + 1, dtype=np.int64) * len(encoded)
        array = pa.LargeStringArray.from_buffers(len(index), pa.py_buffer(offsets), pa.py_buffer(encoded * len(index)))
        return pd.Series(pa.chunked_array([array]), index=index, dtype=_TEXT)
    # Labels of codes: a few distinct values, each turned into Arrow text once.
    codes, uniques = pd.factorize(pd.Series(value, index=index, dtype=object))
    labels = pa.array([str(u) for u in uniques], pa.large_string())
    taken = labels.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pa.chunked_array([taken]), index=index, dtype=_TEXT)


def _map_unique_text(values: pd.Series, function: Callable[[object], str | None]) -> pd.Series:
    """:func:`_map_unique` for a ``function`` that returns text or None: the answers as Arrow text (``_TEXT``, NaN for None).

    Later comparisons, ``where`` and ``notna`` of the column then run in
    Arrow, where on Python objects each is a pass over a million of them.
    """
    codes, uniques = pd.factorize(values)
    labels = pa.array([function(v) for v in uniques], pa.large_string())
    taken = labels.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pa.chunked_array([taken]), index=values.index, dtype=_TEXT)


def _map_unique(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """``values.map(function)`` computed once per distinct value; None where NA."""
    codes, uniques = pd.factorize(values)
    table = np.empty(len(uniques) + 1, dtype=object)  # the last slot, None, for code -1 (NA)
    table[: len(uniques)] = [function(v) for v in uniques]
    return pd.Series(table[codes], index=values.index, dtype=object)
