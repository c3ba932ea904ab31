"""What a map export draws for one view: the events and their state, movements, bases, the wording."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import borders, filters
from geo.events import format_date, source_list
from geo.movements import movements_at
from geo.snapshot.frame import MapFrame, view_frame
from geo.snapshot.options import SnapshotOptions, canonical_view, software_label


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    countries = borders.load_countries()
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def period_text(view: filters.View) -> str:
    """Return 'Events up to 15 August 2022' or 'Events from 1 June 2022 to 31 July 2022'."""
    first, last = view.window
    if view.mode == "window":
        return f"Events from {format_date(first, 'day')} to {format_date(last, 'day')}"
    return f"Events up to {format_date(last, 'day')}"


def filters_text(view: filters.View) -> str:
    """Return the filters in words: 'Mali (MLI), Niger (NER) · attack, coup · search “Gao”'."""
    names = _country_names()
    countries = ", ".join(f"{names.get(c, c)} ({c})" for c in view.countries) or "All countries"
    types = ", ".join(t.replace("_", " ") for t in view.types) or "all event types"
    parts = [countries, types]
    if view.text:
        parts.append(f"search “{view.text}”")
    return " · ".join(parts)


@dataclass
class Scene:
    """Everything a map export draws for one view, computed once."""

    view: filters.View
    in_view: gpd.GeoDataFrame
    shown: gpd.GeoDataFrame
    status: np.ndarray
    moves: gpd.GeoDataFrame
    bases: gpd.GeoDataFrame
    frame: MapFrame
    period: str
    filters: str
    counts: str
    article_ids: list[str]
    datasets: list[str]

    @property
    def attribution(self) -> list[str]:
        """Return the attribution lines: data sources, the articles used, projection and software."""
        articles = ", ".join(self.article_ids) if self.article_ids else "none in view"
        first = (
            "Countries: Natural Earth 1:10m (public domain). Places: GeoNames (CC BY 4.0, geonames.org). "
            f"Articles: {articles} (sources.csv)."
        )
        if self.datasets:
            first += f" Imported data: {', '.join(self.datasets)}."
        f = self.frame
        centre = f"{abs(f.lat0):.2f}°{'N' if f.lat0 >= 0 else 'S'}, {abs(f.lon0):.2f}°{'E' if f.lon0 >= 0 else 'W'}"
        second = (
            f"Azimuthal equidistant projection centred on {centre}; scale bar measured on the WGS84 ellipsoid. "
            f"Made with {software_label()}."
        )
        return [first, second]


def _used_sources(events: pd.DataFrame, sources: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return (article ids from sources.csv, other source names such as imported datasets) cited by ``events``."""
    known = set(sources["source_id"])
    cited = {s for cell in events["sources"] for s in source_list(cell)}
    return sorted(cited & known), sorted(cited - known)


def build_scene(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: filters.View,
    options: SnapshotOptions,
    *,
    frame: MapFrame | None = None,
) -> Scene:
    """Return what the dashboard would draw for ``view``: the same filters, movements and bases as ``dashboard.py``."""
    from geo.bases import base_status

    view = canonical_view(view)
    in_view = filters.filter_events(events, view)
    shown, status = filters.events_with_status(events, view, show_earlier=options.show_earlier)
    moves = movements_at(filters.filter_events(events, view.with_changes(text="", types=())), view.reference_date)
    bases_now = base_status(bases, view.reference_date)
    counts = filters.summary_counts(in_view)
    under_way = int((moves["state"] == "under way").sum()) if len(moves) else 0
    counts_text = (
        f"{counts['events']:,} events in view, {counts['fatalities']:,} fatalities reported, "
        f"{counts['unknown_toll']:,} with unknown toll, {under_way} movement{'s' if under_way != 1 else ''} under way"
    )
    article_ids, datasets = _used_sources(shown, sources)
    return Scene(
        view=view,
        in_view=in_view,
        shown=shown,
        status=np.asarray(status),
        moves=moves,
        bases=bases_now,
        frame=frame or view_frame(view, shown, moves, bases_now),
        period=period_text(view),
        filters=filters_text(view),
        counts=counts_text,
        article_ids=article_ids,
        datasets=datasets,
    )
