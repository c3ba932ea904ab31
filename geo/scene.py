"""What a view shows, decided in one place for the dashboard's map and every export.

:func:`view_scene` is the one function that turns (events, bases, :class:`~geo.view.View`) into what
is drawn: single marks with their state, or grid cells above
:data:`geo.aggregate.AGGREGATE_THRESHOLD`; the troop movements and where each is on the date; the bases
in use or handed over; the counts beside the map; the period in words; and the points an extent must
hold when the view sets none. ``dashboard.py`` draws a :class:`Scene` with folium, and
:mod:`geo.snapshot` draws the same :class:`Scene` as a static map, an HTML map or a GIF frame, so an
export always shows what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import aggregate, filters
from geo.bases import base_status
from geo.memo import frame_memo
from geo.movements import movements_at
from geo.view import View


@dataclass(frozen=True)
class Scene:
    """Everything one view shows, computed once.

    Parameters
    ----------
    view
        The view drawn.
    marks
        The events in view (``marks.in_view``, what the counts use) and what is drawn of them: single
        marks with their status (``marks.shown``, ``marks.status``) or grid cells (``marks.cells``).
    moves
        Every troop movement with its ``state`` and position on the view's date (:func:`geo.movements.movements_at`).
    bases
        The bases with their ``status`` on the view's date (:func:`geo.bases.base_status`).
    counts
        ``events``, ``fatalities`` (known), ``unknown_toll`` and ``under_way`` (movements under way).
    period
        The period in words: 'up to 15 August 2022' or 'from 1 June 2022 to 31 July 2022'.
    zoom
        The Leaflet zoom the marks are laid out for (cells are binned at it).
    """

    view: View
    marks: aggregate.ViewMarks
    moves: gpd.GeoDataFrame
    bases: gpd.GeoDataFrame
    counts: dict[str, int]
    period: str
    zoom: int

    @property
    def in_view(self) -> pd.DataFrame:
        """Return the events in view: what the counts count."""
        return self.marks.in_view

    @property
    def shown(self) -> pd.DataFrame:
        """Return the events drawn one mark each (empty when cells are drawn)."""
        return self.marks.shown

    @property
    def status(self) -> np.ndarray:
        """Return each shown event's status: 'current', or 'earlier' for an event faded before a window."""
        return self.marks.status

    @property
    def cells(self) -> gpd.GeoDataFrame | None:
        """Return the grid cells drawn instead of single marks, or None."""
        return self.marks.cells

    @property
    def period_title(self) -> str:
        """Return the period as a heading: 'Events up to 15 August 2022'."""
        return f"Events {self.period}"

    @property
    def counts_text(self) -> str:
        """Return the counts in one line, as the static map's subtitle prints them."""
        c = self.counts
        return (
            f"{c['events']:,} events in view, {c['fatalities']:,} fatalities reported, "
            f"{c['unknown_toll']:,} with unknown toll, {c['under_way']} movement{'s' if c['under_way'] != 1 else ''} "
            "under way"
        )

    def fit_lonlat(self, within=None) -> tuple[np.ndarray, np.ndarray]:
        """Return (lon, lat) of what a map fitted to this scene must hold: its marks, then routes and bases.

        Empty when nothing is in view: a map then shows its default extent. Routes not yet started
        (planned) are left out, as they are not drawn. ``within(lon, lat) -> bool array``, when
        given and true for some marks, keeps only those marks (the routes and bases stay).
        """
        drawn = self.in_view if self.cells is not None else self.shown
        if drawn.empty:
            return np.array([]), np.array([])
        if within is not None:
            inside = within(drawn["longitude"].to_numpy(float), drawn["latitude"].to_numpy(float))
            if inside.any():
                drawn = drawn[inside]
        lon, lat = [drawn["longitude"].to_numpy(float)], [drawn["latitude"].to_numpy(float)]
        for route in self.moves.loc[self.moves["state"] != "planned", "geometry"] if len(self.moves) else []:
            coords = np.asarray(route.coords)
            lon.append(coords[:, 0])
            lat.append(coords[:, 1])
        if len(self.bases):
            lon.append(self.bases["longitude"].to_numpy(float))
            lat.append(self.bases["latitude"].to_numpy(float))
        return np.concatenate(lon), np.concatenate(lat)

    def at_zoom(self, zoom: int) -> Scene:
        """Return the scene laid out for another zoom: only grid cells depend on it, so they alone are re-binned."""
        zoom = int(zoom)
        if zoom == self.zoom:
            return self
        if self.cells is None:
            return replace(self, zoom=zoom)
        cells = aggregate.aggregate_events(self.in_view, zoom=zoom)
        return replace(self, marks=replace(self.marks, cells=cells), zoom=zoom)


def period_text(view: View) -> str:
    """Return the view's period in words: 'up to 15 August 2022' or 'from 1 June 2022 to 31 July 2022'."""
    first, last = view.window
    if view.mode == "window":
        return f"from {filters.format_day(first)} to {filters.format_day(last)}"
    return f"up to {filters.format_day(last)}"


def troop_movements(events: pd.DataFrame) -> pd.DataFrame:
    """Return the troop movements among ``events``, selected once per data set (its frames are shared read-only).

    The movements are a handful of rows; filtering them rather than the whole
    data set spares comparing and copying every event each run (at 100,000
    events, 50 ms a run). The filters treat each row on its own, so filtering
    this subset gives the same rows as filtering all and keeping the movements.
    """
    memo = frame_memo(events)
    if "troop_movements" not in memo:
        moves = events[(events["event_type"] == "troop_movement").to_numpy()]
        # A subset keeps all its frame's categories (every distinct search text of a million events),
        # and turning its rows into Series (the marks' iterrows) converts each category first: 14 ms
        # a run at 100,000 events, 35 ms at a million, for two rows.
        memo["troop_movements"] = moves.assign(
            **{
                c: moves[c].cat.remove_unused_categories()
                for c, t in moves.dtypes.items()
                if isinstance(t, pd.CategoricalDtype)
            }
        )
    return memo["troop_movements"]


def movement_view(view: View) -> View:
    """Return the view the movements are drawn for: movements ignore the type and text filters (a route is context)."""
    return view.with_changes(text="", types=("troop_movement",))


def view_scene(
    events: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    *,
    show_earlier: bool = True,
    zoom: int | None = None,
) -> Scene:
    """Return what ``view`` shows of ``events`` and ``bases``: the one decision the map and every export draw.

    Parameters
    ----------
    events
        Events as :func:`geo.events.load_events` returns them.
    bases
        Bases as :func:`geo.bases.load_bases` returns them.
    view
        The date or window and the filters; its ``zoom``, when set, lays out the marks.
    show_earlier
        In window mode, also draw the events that ended before the window, faded (the dashboard's checkbox).
    zoom
        The zoom to lay the marks out for when the view sets none (an export fitted to its marks); else
        :data:`geo.aggregate.DEFAULT_ZOOM`.
    """
    if view.zoom is not None:
        zoom = view.zoom
    zoom = int(aggregate.DEFAULT_ZOOM if zoom is None else zoom)
    marks = aggregate.view_marks(events, view, show_earlier=show_earlier, zoom=zoom)
    moves = movements_at(filters.filter_events(troop_movements(events), movement_view(view)), view.reference_date)
    counts = {
        **filters.summary_counts(marks.in_view),
        "under_way": int((moves["state"] == "under way").sum()) if len(moves) else 0,
    }
    return Scene(
        view=view,
        marks=marks,
        moves=moves,
        bases=filters.bases_in_view(base_status(bases, view.reference_date), view),
        counts=counts,
        period=period_text(view),
        zoom=zoom,
    )
