"""What a map export prints around the scene: its extent, the filters in words, the attribution.

What the view shows (marks or cells, movements, bases, counts, the period) is :func:`geo.scene.view_scene`,
the same decision the dashboard draws; a :class:`Sheet` adds what only a printed or saved map needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo import borders
from geo.scene import Scene, view_scene
from geo.snapshot.data import cited_sources
from geo.snapshot.frame import MapFrame, html_view, view_frame
from geo.snapshot.options import SnapshotOptions, canonical_view, software_label
from geo.view import View


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    countries = borders.load_countries()
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def filters_text(view: View) -> str:
    """Return the filters in words: 'Mali (MLI), Niger (NER) · attack, coup · search “Gao”'."""
    names = _country_names()
    countries = ", ".join(f"{names.get(c, c)} ({c})" for c in view.countries) or "All countries"
    types = ", ".join(t.replace("_", " ") for t in view.types) or "all event types"
    parts = [countries, types]
    if view.text:
        parts.append(f"search “{view.text}”")
    return " · ".join(parts)


@dataclass(frozen=True)
class Sheet:
    """A scene as an export prints it: the scene, the ground it covers, and the words around the map."""

    scene: Scene
    frame: MapFrame
    filters: str
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


def build_sheet(
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    options: SnapshotOptions,
    *,
    frame: MapFrame | None = None,
    zoom: int | None = None,
) -> Sheet:
    """Return the sheet of ``view``: :func:`geo.scene.view_scene` (what the dashboard draws) and its extent.

    Without a map centre in the view, the extent fits the marks and the marks are laid out for the
    zoom that shows that extent at the dashboard's map height, as the HTML export opens at. An
    animation passes its whole range's ``frame`` and ``zoom``, so that marks do not jump between frames.
    """
    view = canonical_view(view)
    scene = view_scene(events, bases, view, show_earlier=options.show_earlier, zoom=zoom)
    frame = frame or view_frame(scene)
    if view.center is None and zoom is None:
        scene = scene.at_zoom(html_view(frame)[1])
    # With cells no event is drawn alone, but the events in view are still what the map cites.
    cited = scene.shown if scene.cells is None else events.loc[scene.in_view.index]
    article_ids, datasets = cited_sources(cited, sources)
    return Sheet(scene=scene, frame=frame, filters=filters_text(view), article_ids=article_ids, datasets=datasets)
