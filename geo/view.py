"""The view: the whole state a user can share, and the one reading of it for links and the command line.

A :class:`View` is a date (or a window), countries, event types, free text,
the map's centre and zoom, and which dates to use. The pages read it from
and write it to the URL through :meth:`View.to_params` and
:meth:`View.from_params`; the command line reads the same fields through
:func:`parse_view`, so a link and a command refuse or clamp alike. Plain
functions over dicts, tested without Streamlit. What a view selects from the
events is :mod:`geo.filters`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from geo import record
from geo.errors import RowProblem
from geo.events import EARLIEST_DATE

MODES = ("as_of", "window")


#: The view's fields as :func:`parse_view` reads them, each a text as a person typed it (``country`` and
#: ``type`` a list of texts, ``center`` 'LAT,LON'); ``None`` or absent for a field not given.
VIEW_FIELDS = ("mode", "date", "from", "to", "country", "type", "text", "center", "zoom", "dates")
#: The zoom levels a link or the command line may ask for (the map's own range is 0 to 18).
ZOOM_RANGE = (1, 18)


@dataclass(frozen=True)
class View:
    """What the user is looking at.

    ``mode`` 'as_of' shows everything that has started by ``as_of``; 'window'
    shows what overlaps ``date_from``..``date_to``. Empty ``countries`` or
    ``types`` mean all. ``dates`` 'precise' places each event at its most
    precise date (the public record's where finer, :mod:`geo.record`);
    'articles' at the articles' own dates.

    Built from what a person typed (a link, the command line), a view comes
    from :func:`parse_view`, which checks each field against the data.
    """

    as_of: date
    mode: str = "as_of"
    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    text: str = ""
    center: tuple[float, float] | None = field(default=None, compare=False)
    zoom: int | None = field(default=None, compare=False)
    dates: str = "precise"

    def __post_init__(self) -> None:
        """Refuse a view no page could show, naming the field and its value (:func:`parse_view` clamps first)."""
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.center is not None:
            lat, lon = self.center
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"center {self.center!r} is not a (lat, lon) pair on the map")
        if self.zoom is not None and not 0 <= self.zoom <= 18:
            raise ValueError(f"zoom {self.zoom!r} is not a Leaflet zoom level (0 to 18)")
        if self.dates not in record.DATE_CHOICES:
            raise ValueError(f"dates {self.dates!r} is not one of {', '.join(record.DATE_CHOICES)}")

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Return the (first, last) day in view; 'as_of' runs from the beginning of time."""
        if self.mode == "window":
            first = pd.Timestamp(self.date_from or self.as_of)
            last = pd.Timestamp(self.date_to or self.as_of)
            return min(first, last), max(first, last)
        return EARLIEST_DATE, pd.Timestamp(self.as_of)

    @property
    def reference_date(self) -> pd.Timestamp:
        """Return the date that movements and bases are drawn at (the window's end)."""
        return self.window[1]

    def to_params(self) -> dict[str, str | list[str]]:
        """Return the view as URL query parameters (lists for repeated keys)."""
        params: dict[str, str | list[str]] = {"mode": self.mode}
        if self.mode == "window":
            first, last = self.window
            params["from"], params["to"] = first.date().isoformat(), last.date().isoformat()
        else:
            params["date"] = pd.Timestamp(self.as_of).date().isoformat()
        if self.countries:
            params["country"] = list(self.countries)
        if self.types:
            params["type"] = list(self.types)
        if self.text:
            params["q"] = self.text
        if self.dates != "precise":
            params["dates"] = self.dates
        if self.center is not None:
            params["lat"], params["lon"] = f"{self.center[0]:.4f}", f"{self.center[1]:.4f}"
        if self.zoom is not None:
            params["zoom"] = str(int(self.zoom))
        return params

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, str | list[str]],
        *,
        first: date,
        last: date,
        known_countries: Iterable[str] | None = None,
        known_types: Iterable[str] | None = None,
    ) -> tuple[View, list[RowProblem]]:
        """Build a view from URL query parameters, clamping or dropping what is invalid (:func:`parse_view`).

        Returns the view and a list of problems (column = the parameter name)
        to show the user; a bad parameter never raises.
        """

        def one(key: str) -> str | None:
            value = params.get(key)
            if isinstance(value, list):
                value = value[-1] if value else None
            return value

        def many(key: str) -> list[str]:
            value = params.get(key, [])
            return [value] if isinstance(value, str) else list(value)

        lat, lon = one("lat"), one("lon")
        center = None if lat is None and lon is None else f"{lat or ''},{lon or ''}"
        fields = {"mode": one("mode") or "as_of", "date": one("date"), "from": one("from"), "to": one("to"),
                  "country": many("country"), "type": many("type"), "text": one("q"), "center": center,
                  "zoom": one("zoom"), "dates": one("dates")}  # fmt: skip
        view, problems = parse_view(
            fields, first=first, last=last, known_countries=known_countries, known_types=known_types
        )
        return view, [problem.as_row_problem(URL_NAMES) for problem in problems]

    def with_changes(self, **changes) -> View:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


#: What each field of :data:`VIEW_FIELDS` is called in a link (the problems name these columns).
URL_NAMES = {"mode": "mode", "date": "date", "from": "from", "to": "to", "country": "country", "type": "type",
             "text": "q", "center": "lat", "zoom": "zoom", "dates": "dates"}  # fmt: skip


@dataclass(frozen=True)
class ViewProblem:
    """A field of a view that cannot be taken as given, and what the lenient reading takes instead.

    ``message`` says what is wrong after the field and its value ("is outside the data (…)"); it may
    name other fields as ``{from}``, ``{to}``…, filled with the caller's names for them (``--to`` on
    the command line, ``to`` in a link). ``instead`` is what a link's reading does about it ("moved to
    2022-08-31", "ignored"); the command line refuses instead. ``shown`` is the value as a message
    prints it (quoted text, or the date read from it).
    """

    field: str
    value: str | None
    message: str
    instead: str
    shown: str | None = None

    def text(self, names: Mapping[str, str]) -> str:
        """Return the problem in one line, naming the fields as ``names`` does: '--date 2030-01-01 is outside …'."""
        message = self.message.format_map(names)
        if self.value is None:
            return message
        return f"{names[self.field]} {self.shown if self.shown is not None else repr(self.value)} {message}"

    def as_row_problem(self, names: Mapping[str, str]) -> RowProblem:
        """Return the problem as a notice of a lenient reading: the field's column, its value, what was done."""
        return RowProblem(None, names[self.field], self.value, f"{self.message.format_map(names)}; {self.instead}")


def parse_view(
    fields: Mapping[str, str | list[str] | None],
    *,
    first: date,
    last: date,
    known_countries: Iterable[str] | None = None,
    known_types: Iterable[str] | None = None,
) -> tuple[View, list[ViewProblem]]:
    """Read a view from the texts a person gave for its fields: the one check for links and the command line.

    About 100 lines on purpose: each field's check is a few lines that read the person's own text and
    add to one list of problems, in field order; split into a function per field, that order and the
    shared clamping would be spread over ten places.

    Parameters
    ----------
    fields
        Texts by the names in :data:`VIEW_FIELDS`. Without ``mode`` the view is a window when ``from``
        or ``to`` is given, else the state at ``date``.
    first, last
        The days the data covers: dates outside are moved to the nearer end.
    known_countries, known_types
        The values ``country`` and ``type`` may take (any, when ``None``); the problems list them.

    Returns
    -------
    The view a lenient reading gives (bad values clamped or dropped) and the problems, in the order of
    :data:`VIEW_FIELDS`. A link shows them as notices (:meth:`View.from_params`); the command line
    refuses the first.
    """
    problems: list[ViewProblem] = []
    bounds = f"the data runs from {first} to {last}"

    def text(key: str) -> str | None:
        value = fields.get(key)
        if isinstance(value, list | tuple):
            value = value[-1] if value else None
        return None if value is None else str(value)

    def day(key: str, default: date) -> date:
        given = text(key)
        if given is None:
            return default
        parsed = pd.to_datetime(given, format="%Y-%m-%d", errors="coerce")
        if pd.isna(parsed):
            problems.append(ViewProblem(key, given, "is not a date in the form YYYY-MM-DD", "ignored"))
            return default
        clamped = clamp_date(parsed.date(), first, last)
        if clamped != parsed.date():
            problems.append(
                ViewProblem(key, given, f"is outside the data ({bounds})", f"moved to {clamped}", str(parsed.date()))
            )
        return clamped

    mode = text("mode")
    window_given = text("from") is not None or text("to") is not None
    if mode is None:
        if window_given and text("date") is not None:
            problems.append(ViewProblem("date", None, "give {date}, or {from}/{to}, not both", "showing the window"))
        mode = "window" if window_given else "as_of"
    elif mode not in MODES:
        problems.append(ViewProblem("mode", mode, "must be 'as_of' or 'window'", "using 'as_of'"))
        mode = "as_of"
    as_of = day("date", last)
    date_from = day("from", first) if mode == "window" else None
    date_to = day("to", last) if mode == "window" else None
    if date_from is not None and date_to is not None and date_from > date_to:
        problems.append(
            ViewProblem("from", text("from"), f"is after {{to}} {date_to}", "the two swapped", str(date_from))
        )

    def known(key: str, allowed: Iterable[str] | None, what: str) -> tuple[str, ...]:
        values = fields.get(key) or []
        values = [values] if isinstance(values, str) else [str(v) for v in values if v]
        values = list(dict.fromkeys(values))
        if allowed is None:
            return tuple(values)
        # A set (from the data) is listed sorted, without the missing values an imported file may hold;
        # a sequence (EVENT_TYPES) in its own order.
        choices = (
            list(allowed) if isinstance(allowed, list | tuple) else sorted(v for v in allowed if isinstance(v, str))
        )
        for value in values:
            if value not in choices:
                listed = ", ".join(choices).replace("{", "{{").replace("}", "}}")  # messages name fields as {to}
                problems.append(ViewProblem(key, value, f"{what}; choose from {listed}", "ignored"))
        return tuple(v for v in values if v in choices)

    countries = known("country", known_countries, "is not a country with events in the data")
    types = known("type", known_types, "is not an event type")
    center = None
    given = text("center")
    if given is not None:
        try:
            lat, lon = (float(part) for part in given.split(","))
        except ValueError:
            problems.append(ViewProblem("center", given, "is not LAT,LON in decimal degrees", "ignored"))
        else:
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                center = (lat, lon)
            else:
                problems.append(ViewProblem("center", given, "is not a point on the map", "ignored"))
    zoom = None
    given = text("zoom")
    if given is not None:
        try:
            zoom = int(given)
        except ValueError:
            problems.append(ViewProblem("zoom", given, "is not a whole number", "ignored"))
        else:
            low, high = ZOOM_RANGE
            if not low <= zoom <= high:
                clamped = min(max(zoom, low), high)
                problems.append(ViewProblem("zoom", given, f"must be between {low} and {high}",
                                            f"moved to {clamped}", str(zoom)))  # fmt: skip
                zoom = clamped
        if zoom is not None and center is None:
            # A zoom is a zoom around a centre: without one (or with a bad one, already told) it means nothing.
            if text("center") is None:
                problems.append(ViewProblem("zoom", given, "needs {center}", "ignored", str(zoom)))
            zoom = None
    dates = text("dates") or "precise"
    if dates not in record.DATE_CHOICES:
        problems.append(ViewProblem("dates", dates, "must be 'precise' or 'articles'", "using 'precise'"))
        dates = "precise"
    view = View(
        as_of=as_of, mode=mode, date_from=date_from, date_to=date_to, countries=countries, types=types,
        text=(text("text") or "").strip(), center=center, zoom=zoom, dates=dates,
    )  # fmt: skip
    return view, problems


def clamp_date(value: date, first: date, last: date) -> date:
    """Return ``value`` moved into ``first``..``last``."""
    return min(max(value, first), last)
