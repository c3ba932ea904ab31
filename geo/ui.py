"""The one module of ``geo/`` that imports Streamlit: cached loaders, session keys, the shared sidebar.

Every page calls :func:`sidebar` first; it returns the :class:`~geo.view.View`
that the page draws. The view lives in session state under ``view_*`` keys
that no widget owns, so it survives switching pages (Streamlit forgets a
widget's state when a page without that widget runs), and it is mirrored in
the URL's query parameters so a view can be shared by link.

Why this module is longer than the others (about 1,000 lines, against 600):
it is the one door to Streamlit (STYLE.md), so every piece of session state,
every cached loader and every widget callback the pages share lives here, and
splitting it would put Streamlit into a second module. What needs no
Streamlit has left it: the view's logic for filters and scenes, the pages'
CSS and script (geo.pagestyle), the exports (geo.snapshot). It reads in
sections: data (loaders, start-up file, upload), the view (state, URL, map
reports), the live map, the sidebar, helpers for the other pages, the export
panel.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import borders, filters, mapview, pagestyle
from geo.bases import BASES_CSV, load_bases
from geo.errors import DataError, RowProblem
from geo.escaping import markdown_literal as md
from geo.events import EVENT_TYPES, EVENTS_CSV, SOURCES_CSV, combine_events, load_events, load_sources
from geo.importers import FORMATS, MAX_FILE_MB, MEGABYTE, ImportResult, import_table
from geo.memo import frame_memo
from geo.view import View, clamp_date

# Session-state keys shared by the pages. view_* hold the view; w_* belong to widgets.
K_MODE, K_DATE, K_WINDOW = "view_mode", "view_date", "view_window"
K_COUNTRIES, K_TYPES, K_TEXT = "view_countries", "view_types", "view_text"
# K_CENTER/K_ZOOM: the map's extent as the map last reported it (for the URL and exports);
# K_MAP_START: where the map opens, set once per session (from a link) and when the map is rebuilt.
K_CENTER, K_ZOOM, K_MAP_START = "view_center", "view_zoom", "map_start"
K_DATES = "view_dates"
K_EARLIER, K_TILES, K_PLAYING = "show_earlier", "show_tiles", "playing"
# Playback in the map (geo.playback): where the playing started, and the id of its last message applied.
K_PLAY_FROM, K_PLAY_HANDLED = "play_from", "play_handled"
K_URL_PROBLEMS = "url_problems"
# Set once the session has run once: from its second run on, the sidebar draws its controls.
K_SESSION_RAN = "session_ran"
# True in the run that draws the page before its first map has shown (see sidebar): what is below the map waits too.
K_WAITING_FOR_MAP = "waiting_for_map"
#: The ``key`` given to ``st_folium``: its last report is kept in session state under it.
MAP_KEY = "map"
#: Where a map's iframe finds Leaflet and jQuery: ``static/`` (a link to ``geo/assets``) served by
#: Streamlit at ``/app/static/`` (``enableStaticServing`` in .streamlit/config.toml). Relative to the
#: component's page, ``/component/streamlit_folium.st_folium/index.html``, so a base URL path still works.
MAP_ASSET_URL = "../../app/static"
# Bring-your-own data: the imported file, which events to show, the last import's message, the combination.
K_IMPORTED, K_DATA_CHOICE, K_IMPORT_MESSAGE = "imported", "data_choice", "import_message"
K_COMBINED = "combined_events"
# The export panel's rendered animation, kept for the view it was made for.
K_GIF_READY = "export_gif_ready"

MODE_LABELS = {"as_of": "Everything up to a date", "window": "A window (from – to)"}
DATES_LABELS = {
    "precise": "Most precise (articles and public record)",
    "articles": "The articles' dates only",
}


# The curated files, like the imports below, are loaded once per process and shared read-only:
# st.cache_data would unpickle a new copy on every run, which also made every per-frame memo
# (geo.memo: event days, troop movements, the bases' hand-over days) start afresh each run.
@st.cache_resource(show_spinner="Loading events…")
def cached_events(path: str, modified: float) -> gpd.GeoDataFrame:
    """Load and validate an events file once per (path, modification time), shared read-only."""
    return load_events(path)


@st.cache_resource
def cached_sources(path: str, modified: float) -> pd.DataFrame:
    """Load the source articles once per (path, modification time), shared read-only."""
    return load_sources(path)


@st.cache_resource
def cached_bases(path: str, modified: float) -> gpd.GeoDataFrame:
    """Load the bases once per (path, modification time), shared read-only."""
    return load_bases(path)


@st.cache_data
def country_names() -> dict[str, str]:
    """Return ISO alpha-3 → English name for every Natural Earth country."""
    countries = borders.load_countries()
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def _stamp(path: Path) -> float:
    return path.stat().st_mtime


def curated_events() -> gpd.GeoDataFrame:
    """Return the curated events (``events.csv``); a broken file stops the page with :func:`refuse_data_file`."""
    return _or_refuse(cached_events, EVENTS_CSV)


def sources() -> pd.DataFrame:
    """Return the source articles (``sources.csv``); a broken file stops the page with :func:`refuse_data_file`."""
    return _or_refuse(cached_sources, SOURCES_CSV)


def bases() -> gpd.GeoDataFrame:
    """Return the bases (``bases.csv``); a broken file stops the page with :func:`refuse_data_file`."""
    return _or_refuse(cached_bases, BASES_CSV)


def _or_refuse(loader, path: Path):
    """Return ``loader(path, modified)``, or draw the refusal of a file that cannot be read and stop the run."""
    try:
        return loader(str(path), _stamp(path))
    except DataError as exc:
        refuse_data_file(path, exc.problems)
    except OSError as exc:
        refuse_data_file(path, [RowProblem(None, None, None, f"cannot be read ({exc.strerror or exc})")])


def refuse_data_file(path: Path, problems: list[RowProblem]) -> None:
    """Draw a clean page saying which file, row, column and value are wrong and how to fix them; stop the run.

    The values come from the file, so they are escaped into HTML and never read as Markdown.
    Every page loads the curated files first, so every page shows this instead of a traceback.
    """
    import html

    name = Path(path).name
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in (
            "" if p.row is None else str(p.row), p.column or "", "" if p.value is None else str(p.value), p.message,
        )) + "</tr>"
        for p in problems[:50]
    )  # fmt: skip
    more = f"<p>… and {len(problems) - 50} more.</p>" if len(problems) > 50 else ""
    page_style()
    st.title("The data could not be loaded")
    st.html(
        f"""<div class="data-refusal" role="alert">
        <p><strong>{html.escape(name)}</strong> ({html.escape(str(path))}) has {len(problems)} problem(s), so
        the dashboard does not draw anything from it rather than draw it wrong.</p>
        <table><thead><tr><th scope="col">row</th><th scope="col">column</th><th scope="col">value</th>
        <th scope="col">what is wrong</th></tr></thead><tbody>{rows}</tbody></table>{more}
        <p><strong>How to fix it:</strong> open {html.escape(name)} in a text editor or spreadsheet, go to each
        row listed (the header is row 1) and correct the cell in that column, as the message says (a place must
        be one of the gazetteer's names: see <code>geo/gazetteer.py</code>; the layout is in
        <code>docs/data.md</code>). Then reload this page: the file is read again when it changes.</p>
        </div>"""
    )
    st.stop()


# Bring-your-own data: what to show.
DATA_CHOICES = {"both": "Curated and imported", "imported": "Imported only", "curated": "Curated only"}
DATA_ENV = "SAHEL_DATA"
#: Largest upload or data file read, in MB of MEGABYTE bytes (as the uploader counts); .streamlit/config.toml sets the same.
MAX_UPLOAD_MB = MAX_FILE_MB
IMPORT_FORMATS = ("auto", *FORMATS)


def startup_data_path(argv: list[str] | None = None) -> str | None:
    """Return the file named by ``streamlit run dashboard.py -- --data FILE``, or by $SAHEL_DATA."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.data or os.environ.get(DATA_ENV) or None


# One copy of each data set per process, shared read-only by every session.
#
# st.cache_data hands every caller its own unpickled copy (and keeps the pickle too), so
# each reader of a 100,000-event file cost the server another ~150 MB, and the copies
# lingered as long as their sessions. st.cache_resource hands out the one object: a
# session keeps only a reference to it (and the file's name and hash), never a copy.
# Nothing may write to these frames; pandas' copy-on-write makes every filter, take and
# column assignment on them produce a new frame, and tests/test_sharing.py checks that a
# run leaves them unchanged.


@st.cache_resource(show_spinner="Reading the data file…", max_entries=8)
def shared_import(
    sha256: str, suffix: str, fmt: str | None, date_column: str | None, event_type: str | None,
    date_order: str | None, _name: str, _data: bytes,
) -> ImportResult:  # fmt: skip
    """Import a file's bytes once per process per (content, options), keyed by their SHA-256, shared read-only.

    The bytes themselves are not part of the key (their hash is) and are not kept: whoever uploads the
    same file gets the result already imported. ``suffix`` is in the key because the importer reads a
    ``.gpkg`` or ``.geojson`` name as a hint; the name itself is not, and appears only in errors, which
    are raised (never cached) with the uploader's own name.
    """
    upload = io.BytesIO(_data)
    upload.name = _name
    return import_table(upload, fmt=fmt, date_column=date_column, event_type=event_type, date_order=date_order,
                        max_bytes=MAX_UPLOAD_MB * MEGABYTE)  # fmt: skip


def cached_import(
    name: str,
    data: bytes,
    fmt: str | None,
    date_column: str | None,
    event_type: str | None,
    date_order: str | None = None,
) -> ImportResult:
    """Return a file's import, done once per process per (content, options) and shared by every session."""
    return _import_bytes(name, data, fmt, date_column, event_type, date_order)[1]


def _import_bytes(
    name: str, data: bytes, fmt: str | None, date_column: str | None, event_type: str | None, date_order: str | None
) -> tuple[str, ImportResult]:
    """Return the bytes' SHA-256 and their shared import (see :func:`shared_import`)."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    return digest, shared_import(digest, suffix, fmt, date_column, event_type, date_order, name, data)


@st.cache_resource(show_spinner="Reading the data file…", max_entries=4)
def _startup_import(path: str, size: int, modified: float) -> tuple[str, ImportResult]:
    """Import the start-up file once per process per (path, size, modification time); its bytes are let go."""
    data = Path(path).read_bytes()
    return _import_bytes(Path(path).name, data, None, None, None, None)


def _load_startup_file() -> None:
    """Load the --data / $SAHEL_DATA file into this session (imported once per process); report a bad file."""
    path = startup_data_path()
    if not path or K_IMPORTED in st.session_state:
        return
    st.session_state[K_IMPORTED] = None
    try:
        stat = Path(path).stat()
        if stat.st_size > MAX_UPLOAD_MB * MEGABYTE:
            raise DataError([RowProblem(None, None, None, f"is {stat.st_size / MEGABYTE:.0f} MB; the limit is {MAX_UPLOAD_MB} MB")],
                            source=path)  # fmt: skip
        digest, result = _startup_import(str(Path(path).resolve()), stat.st_size, stat.st_mtime)
    except OSError as exc:
        st.session_state[K_IMPORT_MESSAGE] = ("error", f"{md(path)}: cannot read the file ({md(exc.strerror or exc)}).")
        return
    except DataError as exc:
        st.session_state[K_IMPORT_MESSAGE] = ("error", _data_error_text(exc, what=path))
        return
    _accept_import(Path(path).name, result, digest)


def _accept_import(name: str, result: ImportResult, sha256: str) -> None:
    if result.events.empty:
        st.session_state[K_IMPORT_MESSAGE] = (
            "error", f"{md(name)}: no row could be read, so nothing was loaded; the data shown is unchanged.\n\n"
            + "\n".join(f"- {md(p)}" for p in result.problems[:20]))  # fmt: skip
        return
    # The file's hash goes into export manifests, so a reader can tell which file a figure came from.
    # "result" is the shared import itself (a reference, not a copy): it keeps that import alive for
    # this session even if the cache lets it go, and is released with the session.
    summary = result.summary()  # once per import: it parses every date, which the sidebar would redo each run
    st.session_state[K_IMPORTED] = {"name": name, "result": result, "sha256": sha256, "summary": summary}
    st.session_state.setdefault(K_DATA_CHOICE, "both")
    refused = summary["rows_refused"]
    note = f"; {refused:,} rows refused (listed below)" if refused else ""
    st.session_state[K_IMPORT_MESSAGE] = ("success", f"{md(name)}: {len(result.events):,} events loaded{note}.")


def _on_upload() -> None:
    """Import the uploaded file; on failure keep what was loaded before and say why."""
    upload = st.session_state.get("w_upload")
    if upload is None or not hasattr(upload, "getvalue"):  # cleared, or its bytes already let go (below)
        return
    fmt = st.session_state.get("w_import_format", "auto")
    date_column = (st.session_state.get("w_import_date_column") or "").strip() or None
    event_type = st.session_state.get("w_import_event_type") or None
    date_order = st.session_state.get("w_import_date_order") or None
    try:
        digest, result = _import_bytes(upload.name, upload.getvalue(), None if fmt == "auto" else fmt, date_column,
                                       event_type, date_order)  # fmt: skip
    except DataError as exc:
        st.session_state[K_IMPORT_MESSAGE] = ("error", _data_error_text(exc, what=upload.name))
        return
    finally:
        _forget_uploaded_bytes(upload)
    _accept_import(upload.name, result, digest)


def _forget_uploaded_bytes(upload) -> None:
    """Let Streamlit drop its copy of an uploaded file once read: the import is shared, the bytes are not needed.

    Streamlit keeps every upload in memory for as long as the session lives (and two minutes after it
    closes), which for a 600,000-event ACLED export is 190 MB a session. Its own ``st.chat_input`` frees
    its files the same way; the uploader then reports the file as deleted on later runs, which
    :func:`_on_upload` ignores (it runs only when the user picks a file).
    """
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    file_id = getattr(upload, "file_id", None)
    if isinstance(manager, MemoryUploadedFileManager) and file_id:
        manager.remove_file(session_id=ctx.session_id, file_id=file_id)


def imported() -> dict | None:
    """Return {'name', 'result', 'sha256'} of the imported file, or None."""
    return st.session_state.get(K_IMPORTED)


@st.cache_resource(max_entries=8)
def _shared_combined(
    sha256: str, curated_modified: float, _curated: gpd.GeoDataFrame, _imported: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return curated and imported events as one frame, once per process per (imported file, events.csv)."""
    return combine_events(_curated, _imported)


def active_events() -> gpd.GeoDataFrame:
    """Return the events the pages show: curated, imported, or both, as the user chose."""
    # Curated first: its gazetteer reads GeoNames' whole table for a moment, better
    # before a large file is in memory than on top of it.
    curated = curated_events()
    _load_startup_file()
    loaded = imported()
    if not loaded:
        return curated
    choice = st.session_state.get(K_DATA_CHOICE, "both")
    if choice == "curated":
        return curated
    if choice == "imported":
        return loaded["result"].events
    try:
        # Combined once per process: concatenating and sorting 100,000 events took 0.2 s and 75 MB a session.
        return _shared_combined(loaded["sha256"], _stamp(EVENTS_CSV), curated, loaded["result"].events)
    except DataError as exc:
        st.session_state[K_IMPORT_MESSAGE] = ("error", _data_error_text(exc, what=loaded["name"]))
        return curated


def _data_error_text(error: DataError, *, what: str) -> str:
    lines = "\n".join(f"- {md(problem)}" for problem in error.problems[:50])
    more = f"\n- … and {len(error.problems) - 50:,} more" if len(error.problems) > 50 else ""
    return f"{md(what)} was refused; nothing from it was loaded and the data shown is unchanged.\n\n{lines}{more}"


def data_section() -> None:
    """Sidebar block: upload ACLED / UCDP / GeoJSON / GeoPackage data, see what was read, choose what to show."""
    # Drawn only while open (on_change="rerun" makes Streamlit track it): a closed expander's
    # uploader and selects would otherwise be sent and laid out with every page, before the map.
    section = st.expander("Data: bring your own", expanded=bool(st.session_state.get(K_IMPORT_MESSAGE)),
                          key="w_data_open", on_change="rerun")  # fmt: skip
    if not section.open:
        return
    with section:
        st.file_uploader(
            f"ACLED or UCDP GED CSV, events CSV, GeoJSON or GeoPackage (up to {MAX_UPLOAD_MB} MB)",
            type=["csv", "zip", "gz", "xlsx", "geojson", "json", "gpkg"], key="w_upload", on_change=_on_upload,
        )  # fmt: skip
        st.selectbox("Format", IMPORT_FORMATS, key="w_import_format",
                     help="Detected from the header; choose one to override.")  # fmt: skip
        st.text_input("Date column (GeoJSON / GeoPackage)", key="w_import_date_column")
        st.selectbox("Date order", ["", "dmy", "mdy"], key="w_import_date_order",
                     format_func=lambda o: {"": "from the file (a day above 12 settles it)", "dmy": "day/month/year",
                                            "mdy": "month/day/year"}[o],
                     help="For dates written 1/2/2022. A file whose dates could be read either way is refused "
                          "until you choose.")  # fmt: skip
        st.selectbox("Event type for points without one", ["", *EVENT_TYPES], key="w_import_event_type",
                     format_func=lambda t: t.replace("_", " ") or "(refuse points without a type)")  # fmt: skip
        message = st.session_state.get(K_IMPORT_MESSAGE)
        if message:
            (st.error if message[0] == "error" else st.success)(message[1])
        loaded = imported()
        if loaded:
            summary = loaded.get("summary") or loaded["result"].summary()
            first, last = summary["date_range"] or ("–", "–")
            st.markdown(
                f"**{md(loaded['name'])}** ({md(summary['format'])}): {summary['rows_read']:,} rows read, "
                f"{summary['rows_kept']:,} kept, {summary['rows_refused']:,} refused; {md(first)} to {md(last)}; "
                f"countries {md(', '.join(summary['countries']))}; types {md(', '.join(summary['types']))}."
            )
            st.radio("Show", list(DATA_CHOICES), format_func=DATA_CHOICES.get, key="w_data_choice",
                     index=list(DATA_CHOICES).index(st.session_state.get(K_DATA_CHOICE, "both")),
                     on_change=_copy("w_data_choice", K_DATA_CHOICE))  # fmt: skip
            problems = loaded["result"].problems
            if problems:
                st.dataframe(
                    pd.DataFrame([{"row": p.row, "column": p.column, "value": str(p.value), "why": p.message}
                                  for p in problems[:5000]]),
                    hide_index=True, height=200,
                )  # fmt: skip


def _init_state(events: gpd.GeoDataFrame) -> None:
    """Set the view from the URL on a session's first run; keep it afterwards."""
    if K_MODE in st.session_state:
        return
    first, last = filters.date_bounds(events)
    view, problems = View.from_params(
        {key: st.query_params.get_all(key) for key in st.query_params},
        first=first,
        last=last,
        known_countries=set(events["geo_country"]),
        known_types=set(EVENT_TYPES),
    )
    window_from, window_to = view.window if view.mode == "window" else (pd.Timestamp(first), pd.Timestamp(last))
    st.session_state[K_MODE] = view.mode
    st.session_state[K_DATE] = view.as_of
    st.session_state[K_WINDOW] = (window_from.date(), window_to.date())
    st.session_state[K_COUNTRIES] = list(view.countries)
    st.session_state[K_TYPES] = list(view.types)
    st.session_state[K_TEXT] = view.text
    st.session_state[K_CENTER] = view.center
    st.session_state[K_ZOOM] = view.zoom
    st.session_state[K_MAP_START] = (view.center or mapview.DEFAULT_CENTER, view.zoom or mapview.DEFAULT_ZOOM)
    st.session_state[K_DATES] = view.dates
    st.session_state[K_EARLIER] = True
    st.session_state[K_TILES] = False
    st.session_state[K_PLAYING] = False
    st.session_state[K_PLAY_FROM] = view.as_of
    st.session_state[K_PLAY_HANDLED] = None
    st.session_state[K_URL_PROBLEMS] = [str(p) for p in problems]


def current_view() -> View:
    """Return the view held in session state."""
    window = st.session_state[K_WINDOW]
    return View(
        as_of=st.session_state[K_DATE],
        mode=st.session_state[K_MODE],
        date_from=window[0],
        date_to=window[1],
        countries=tuple(st.session_state[K_COUNTRIES]),
        types=tuple(st.session_state[K_TYPES]),
        text=st.session_state[K_TEXT],
        center=st.session_state.get(K_CENTER),
        zoom=st.session_state.get(K_ZOOM),
        dates=st.session_state.get(K_DATES, "precise"),
    )


def map_start() -> tuple[tuple[float, float], int]:
    """Return where the map opens, (lat, lon) and zoom: the link's view on a session's first run, else the default.

    The map owns its viewport. The app tells it where to open (through the
    folium map's own location, see :func:`geo.mapview.base_map`) and never
    passes ``center``/``zoom`` to ``st_folium``: streamlit-folium moves the map
    to any ``center`` that differs from the last one passed, and a value taken
    from the map's report is always one run behind the map, so echoing it
    moved the map back to its previous view, which it reported, and so on for
    ever (issue 11).
    """
    return st.session_state[K_MAP_START]


def on_map_report() -> None:
    """``st_folium``'s ``on_change``: record the reported centre and zoom, and apply a playback message.

    It runs before the script, so the run it starts already draws at the new
    zoom (cells and spread marks depend on it) and publishes the new extent.
    """
    from geo import playback

    report = st.session_state.get(MAP_KEY) or {}
    centre, zoom = report.get("center"), report.get("zoom")
    if isinstance(centre, dict) and centre.get("lat") is not None and zoom is not None:
        st.session_state[K_CENTER] = (round(float(centre["lat"]), 4), round(float(centre["lng"]), 4))
        st.session_state[K_ZOOM] = int(zoom)
    message = playback.read_message(report.get("selected_tags"))
    if message is None or message["id"] == st.session_state.get(K_PLAY_HANDLED):
        return
    st.session_state[K_PLAY_HANDLED] = message["id"]
    if message["action"] == "play":
        st.session_state[K_PLAYING] = True
        st.session_state[K_PLAY_FROM] = message["date"]
        return
    st.session_state[K_PLAYING] = False
    # Paused (or at the end): the sidebar, the counts and the URL take the date the map shows.
    if st.session_state[K_MODE] == "window":
        start, _ = st.session_state[K_WINDOW]
        st.session_state[K_WINDOW] = (start, max(start, message["date"]))
    else:
        st.session_state[K_DATE] = message["date"]


@dataclass(frozen=True)
class _RenderedBase:
    """What ``st_folium`` sends for the base map, rendered once per process for each way the map opens."""

    script: str
    html: str
    header: str
    map_id: str
    bounds: tuple
    zoom: int
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    layer_control: str
    hash_key: str  # the component's key, a hash of the base's script (a regex pass over its 0.2 MB)


def _walk_links(element, css: list[str], js: list[str]) -> None:
    """Collect the script and style links of ``element`` and its children, in st_folium's order."""
    import branca.colormap
    import folium.elements

    if isinstance(element, branca.colormap.ColorMap):
        js[:0] = ["https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
    if isinstance(element, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    for child in getattr(element, "_children", {}).values():
        _walk_links(child, css, js)


@st.cache_resource(max_entries=32, show_spinner=False)
def _rendered_base(
    tiles: bool, center: tuple[float, float], zoom: int, layer_names: tuple[tuple[str, bool, bool, bool], ...]
) -> _RenderedBase:
    """Render the base map (countries, labels, border, aids) as ``st_folium`` would, once per process.

    Rendering it cost about half of every rerun (branca compiles each
    element's output as a template again). The base only depends on the
    arguments here, and folium's ids in it are fixed (``mapview._stable_ids``),
    so each run would send the same bytes. ``layer_names`` (name, overlay,
    control, show of each dynamic layer) fixes the layer control, which lists
    the base's layers and the dynamic ones by name.
    """
    import folium
    import streamlit_folium as sf

    fmap = mapview.base_map(tiles=tiles, legend=False, center=center, zoom=zoom, asset_url=MAP_ASSET_URL)
    # The same steps, in the same order, as streamlit_folium.st_folium (0.27.4).
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    bounds = fmap.get_bounds()
    for idx, (name, overlay, control, show) in enumerate(layer_names):
        stand_in = folium.FeatureGroup(name=name, overlay=overlay, control=control, show=show)
        stand_in._id = f"feature_group_{idx}"
        stand_in.add_to(fmap)
    layer_control = sf._get_layer_control_string(folium.LayerControl(collapsed=True), fmap)
    css: list[str] = []
    js: list[str] = []
    _walk_links(fmap, css, js)
    return _RenderedBase(script=script, html=html, header=header, map_id=sf.get_full_id(fmap),
                         bounds=tuple(map(tuple, bounds)), zoom=fmap.options.get("zoom"), css_links=tuple(css),
                         js_links=tuple(js), layer_control=layer_control,
                         hash_key=sf.generate_js_hash(script, MAP_KEY, False))  # fmt: skip


def live_map(layers: list, *, tiles: bool, height: int, returned_objects: list[str]) -> dict | None:
    """Draw the dashboard's map: ``st_folium`` with the base rendered once per process and the layers each run.

    The arguments sent to the component are those ``st_folium(fmap, key=MAP_KEY,
    feature_group_to_add=layers, layer_control=folium.LayerControl(collapsed=True),
    use_container_width=True, on_change=on_map_report, ...)`` would send, with no
    ``center`` or ``zoom`` (the map owns its viewport, see :func:`map_start`);
    tests/test_live_map.py compares the two.
    """
    import folium
    import streamlit_folium as sf

    center, zoom = map_start()
    signature = tuple((layer.layer_name, layer.overlay, layer.control, layer.show) for layer in layers)
    base = _rendered_base(tiles, tuple(center), int(zoom), signature)
    # A stand-in parent for the layers: their script names it, and streamlit-folium renames it map_div.
    parent = folium.Map(location=list(center), zoom_start=int(zoom), tiles=None)
    layer_script = "".join(sf._get_feature_group_string(layer, map=parent, idx=idx) for idx, layer in enumerate(layers))
    css, js = list(base.css_links), list(base.js_links)
    for layer in layers:
        _walk_links(layer, css, js)
    hash_key = base.hash_key

    def on_change() -> None:
        st.session_state[MAP_KEY] = st.session_state.get(hash_key, {})
        on_map_report()

    (south, west), (north, east) = base.bounds
    defaults = dict.fromkeys(("last_clicked", "last_object_clicked", "last_object_clicked_count",
                              "last_object_clicked_tooltip", "last_object_clicked_popup", "all_drawings",
                              "last_active_drawing", "bounds", "zoom", "last_circle_radius", "last_circle_polygon",
                              "selected_layers", "selected_tags", "last_geocoder_result"))  # fmt: skip
    defaults["bounds"] = {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}
    defaults["zoom"] = base.zoom
    return sf._component_func(
        script=base.script, header=base.header, html=base.html, id=base.map_id, key=hash_key, height=height,
        width=None, returned_objects=returned_objects, default={k: v for k, v in defaults.items() if k in returned_objects},
        zoom=None, center=None, feature_group=layer_script, return_on_hover=False, layer_control=base.layer_control,
        pixelated=False, css_links=list(dict.fromkeys(css)), js_links=list(dict.fromkeys(js)), on_change=on_change,
        wrap_longitude=False,
    )  # fmt: skip


def _reopen_map_here() -> None:
    """Before a change that rebuilds the map (its script changes), open the new one where the user left the old."""
    if st.session_state.get(K_CENTER) is not None and st.session_state.get(K_ZOOM) is not None:
        st.session_state[K_MAP_START] = (st.session_state[K_CENTER], st.session_state[K_ZOOM])


def _on_tiles() -> None:
    st.session_state[K_TILES] = st.session_state["w_tiles"]
    _reopen_map_here()


def _copy(widget_key: str, view_key: str):
    def callback() -> None:
        value = st.session_state[widget_key]
        st.session_state[view_key] = tuple(value) if isinstance(value, tuple) else value

    return callback


def _step(events: gpd.GeoDataFrame, direction: int):
    def callback() -> None:
        st.session_state[K_DATE] = filters.step_date(events, st.session_state[K_DATE], direction)
        st.session_state[K_PLAYING] = False

    return callback


def _shift(days: int, first: date, last: date):
    """Return a callback that moves the date by ``days`` (a week back or on), within the data."""

    def callback() -> None:
        st.session_state[K_DATE] = clamp_date(st.session_state[K_DATE] + timedelta(days=days), first, last)
        st.session_state[K_PLAYING] = False

    return callback


def _copy_date(widget_key: str):
    """Return a callback that makes a date widget's value the view's date (and stops playback)."""

    def callback() -> None:
        value = st.session_state[widget_key]
        if value is not None:  # a cleared date field keeps the date shown
            st.session_state[K_DATE] = value
        st.session_state[K_PLAYING] = False

    return callback


def _date_controls(events: gpd.GeoDataFrame, first: date, last: date) -> None:
    st.radio("Show", list(MODE_LABELS), format_func=MODE_LABELS.get, key="w_mode",
             index=list(MODE_LABELS).index(st.session_state[K_MODE]), on_change=_copy("w_mode", K_MODE))  # fmt: skip
    if st.session_state[K_MODE] == "as_of":
        day = clamp_date(st.session_state[K_DATE], first, last)
        st.session_state["w_day"] = day
        st.session_state["w_date"] = day
        st.date_input("Date", min_value=first, max_value=last, key="w_day", format="YYYY-MM-DD",
                      help="Type a day (2022-02-17) or pick one", on_change=_copy_date("w_day"))  # fmt: skip
        st.slider("As of", min_value=first, max_value=last, key="w_date", step=timedelta(days=1),
                  format="D MMM YYYY", on_change=_copy_date("w_date"),
                  help="← → a day, PageUp / PageDown a week, Home / End the first and last day")  # fmt: skip
        previous, following = st.columns(2)
        previous.button("◀ Previous", key="w_prev", help="Go to the previous date with an event",
                        on_click=_step(events, -1), width="stretch")  # fmt: skip
        following.button("Next ▶", key="w_next", help="Go to the next date with an event",
                         on_click=_step(events, 1), width="stretch")  # fmt: skip
        week_back, week_on = st.columns(2)
        week_back.button("− 1 week", key="w_week_prev", help="Seven days earlier (PageDown on the slider)",
                         on_click=_shift(-7, first, last), width="stretch")  # fmt: skip
        week_on.button("+ 1 week", key="w_week_next", help="Seven days later (PageUp on the slider)",
                       on_click=_shift(7, first, last), width="stretch")  # fmt: skip
        st.html(pagestyle.WEEK_KEYS_JS, unsafe_allow_javascript=True)
    else:
        start, end = st.session_state[K_WINDOW]
        st.session_state["w_window"] = (clamp_date(start, first, last), clamp_date(end, first, last))
        st.slider("From – to", min_value=first, max_value=last, key="w_window", step=timedelta(days=1),
                  format="D MMM YYYY", on_change=_copy("w_window", K_WINDOW))  # fmt: skip
        st.checkbox("Show earlier events, faded", key="w_earlier", value=st.session_state[K_EARLIER],
                    on_change=_copy("w_earlier", K_EARLIER))  # fmt: skip
    if st.session_state[K_PLAYING]:
        st.caption(f"Playing on the map from {filters.format_day(st.session_state[K_PLAY_FROM])}: "
                   "pause there to read the counts for a date.")  # fmt: skip
    else:
        st.caption("▶ Play on the map plays the events in the browser, a week, a month or a year a second.")


def _present(events: gpd.GeoDataFrame, column: str) -> frozenset:
    """Return the distinct values of a column, worked out once per data set (the frames are shared read-only)."""
    memo = frame_memo(events)
    key = ("present", column)
    if key not in memo:
        # unique() rather than set(): iterating 100,000 Arrow strings one by one cost 0.15 s every run.
        memo[key] = frozenset(events[column].unique())
    return memo[key]


def _filter_controls(events: gpd.GeoDataFrame) -> None:
    names = country_names()
    present = sorted(_present(events, "geo_country"), key=lambda iso3: names.get(iso3, iso3))
    st.session_state["w_countries"] = [c for c in st.session_state[K_COUNTRIES] if c in present]
    st.multiselect("Countries", present, key="w_countries", format_func=lambda c: f"{names.get(c, c)} ({c})",
                   placeholder="All countries", on_change=_copy("w_countries", K_COUNTRIES),
                   help="An event belongs to the country it took place in; a troop movement to every "
                        "country its route crosses.")  # fmt: skip
    if st.session_state[K_COUNTRIES]:
        note = filters.movement_count_note(events, current_view())
        if note:
            st.caption(md(note))
    present_types = _present(events, "event_type")
    kinds = [t for t in EVENT_TYPES if t in present_types]
    st.session_state["w_types"] = [t for t in st.session_state[K_TYPES] if t in kinds]
    st.multiselect("Event types", kinds, key="w_types", format_func=lambda t: t.replace("_", " "),
                   placeholder="All types", on_change=_copy("w_types", K_TYPES))  # fmt: skip
    st.session_state["w_text"] = st.session_state[K_TEXT]
    st.text_input("Search titles and descriptions", key="w_text", placeholder="e.g. Gao, coup, Tombouctou",
                  on_change=_copy("w_text", K_TEXT),
                  help="Accents and case are ignored; places' other names (Tombouctou, Segou) and actors' "
                       "spellings (Gueta, CEDEAO) are searched too.")  # fmt: skip
    if st.session_state[K_TEXT].strip():
        for note in filters.search_notes(events, st.session_state[K_TEXT]):
            st.caption(md(note))
    # Where each event is placed in time: its most precise date, or the articles' own (geo.record).
    st.radio("Dates", list(DATES_LABELS), format_func=DATES_LABELS.get, key="w_dates",
             index=list(DATES_LABELS).index(st.session_state.get(K_DATES, "precise")),
             on_change=_copy("w_dates", K_DATES),
             help="The public record (references.csv) often gives the day where the articles give a month or year.")  # fmt: skip


def prepare_view(events: gpd.GeoDataFrame) -> View:
    """Return the view before the sidebar is drawn, so a page can send its map first.

    Widget callbacks update the view keys before a rerun starts, so this is
    the view the sidebar will show; :func:`sidebar` must still be called.
    """
    _init_state(events)
    return current_view()


def sidebar(events: gpd.GeoDataFrame | None = None, *, notices=None, after_first_map: bool = False) -> View:
    """Draw the shared sidebar (date, filters) and return the view; mirror it in the URL.

    ``notices`` is the container for warnings about the link's parameters
    (default: where the call stands on the page). With ``after_first_map``, a
    browser's first run of the session draws the controls' place only, and the
    next run (the one the map's first report of its view starts) draws them:
    see :func:`_controls_wait_for_the_map`.
    """
    events = active_events() if events is None else events
    _init_state(events)
    first, last = filters.date_bounds(events)
    page_style()
    with st.sidebar:
        st.header("View")
        waiting = after_first_map and _controls_wait_for_the_map()
        st.session_state[K_WAITING_FOR_MAP] = waiting
        if waiting:
            st.caption("The date and filter controls appear as soon as the map has drawn.")
            # Should the map never report (its frame blocked, say), the controls are one click away.
            st.button("Show the controls", key="w_show_controls")
        else:
            _date_controls(events, first, last)
            _filter_controls(events)
            st.checkbox("Web map tiles (needs internet)", key="w_tiles", value=st.session_state[K_TILES],
                        on_change=_on_tiles)  # fmt: skip
            data_section()
    for problem in st.session_state.get(K_URL_PROBLEMS, []):
        (notices or st).warning(f"Link parameter {md(problem)}")
    view = current_view()
    publish(view)
    return view


def _controls_wait_for_the_map() -> bool:
    """Return True on a browser's first run of the session (and mark the session as having run).

    The sidebar's two dozen widgets made the first map show 0.6-0.8 s later
    (benchmarks/bench_first_map.py): the browser loads and runs each widget's
    code on the same thread that builds the map's frame, even though the map is
    sent first. The map reports its view once drawn, and that report reruns the
    page, so the controls are drawn a moment later in that run while the map is
    already on screen. A session without a browser (AppTest, which sends no
    headers) has no map to wait for and gets the controls at once.
    """
    first_run = not st.session_state.get(K_SESSION_RAN)
    st.session_state[K_SESSION_RAN] = True
    return first_run and bool(st.context.headers.get("User-Agent"))


def waiting_for_first_map() -> bool:
    """Return True in the run that draws the page before its first map has shown (the controls wait then)."""
    return bool(st.session_state.get(K_WAITING_FOR_MAP))


def page_style() -> None:
    """Add the shared layout rules (:data:`geo.pagestyle.PAGE_CSS`) to the page; a style-only block takes no room."""
    st.html(pagestyle.PAGE_CSS)


def publish(view: View) -> None:
    """Write the view into the URL's query parameters (only when it changed, to spare reruns)."""
    wanted = view.to_params()
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


# --- Helpers for the pages in pages/ (timeline, sources, places, about) ---------------------------


@st.cache_data
def place_distances() -> pd.DataFrame:
    """Return each gazetteer place's distance to the Mali–Niger border and to Bamako (computed once)."""
    from geo import gazetteer, places

    return places.place_distances(gazetteer.load_gazetteer())


def move_date_to(day: date, events: gpd.GeoDataFrame) -> None:
    """Move the shared view to ``day`` (see :func:`geo.timeline.move_view_to`) and stop playback."""
    from geo import timeline

    _init_state(events)  # a no-op once the sidebar has run
    first, last = filters.date_bounds(events)
    moved = timeline.move_view_to(current_view(), day, first, last)
    st.session_state[K_DATE] = moved.as_of
    st.session_state[K_WINDOW] = (moved.window[0].date(), moved.window[1].date())
    st.session_state[K_PLAYING] = False


def on_chart_pick(chart_key: str, events: gpd.GeoDataFrame):
    """Return an ``on_select`` callback for ``st.altair_chart``: the day chosen on the chart becomes the view's date.

    A callback rather than ``on_select="rerun"``: it runs only when the
    selection changes, so a selection left on the chart never pulls the date
    back after the user moves the slider.
    """
    from geo import timeline

    def callback() -> None:
        state = st.session_state.get(chart_key)
        if not state:
            return
        first, last = filters.date_bounds(events)
        day = timeline.picked_date(state.get("selection"), first, last)
        if day is not None:
            move_date_to(day, events)

    return callback


def date_picking_chart(chart, key: str, events: gpd.GeoDataFrame) -> None:
    """Draw an Altair chart whose clicked point moves the shared date (see :func:`on_chart_pick`)."""
    st.altair_chart(chart, key=key, on_select=on_chart_pick(key, events), width="stretch")


def app_url() -> str | None:
    """Return the app's address as the browser sees it (no page path, no query), or None outside a browser."""
    try:
        return st.context.url
    except Exception:  # AppTest and bare mode have no browser context
        return None


# --- Export panel: download buttons for the current view, from geo/snapshot.py ----------------------

#: Animation steps offered in the export panel: label -> days between frames (None: each event date).
EXPORT_STEPS = {"each event date": None, "every 7 days": 7, "every 30 days": 30}


@st.cache_data(show_spinner=False)
def _file_sha256(path: str, modified: float) -> str:
    """Return the SHA-256 of a file's bytes once per (path, modification time)."""
    from geo import snapshot

    return snapshot.sha256_bytes(Path(path).read_bytes())


@st.cache_data(show_spinner=False, max_entries=48)
def _export_cached(
    fmt: str,
    view_key: str,
    data_name: str,
    data_sha256: str,
    events_sha256: str,
    show_earlier: bool,
    dpi: int,
    step_days: int | None,
    sources_modified: float,
    bases_modified: float,
    _events: gpd.GeoDataFrame,
    _view: View,
) -> bytes:
    """Return one export's bytes, cached per view and options.

    ``view_key`` (:func:`geo.snapshot.view_key`) stands for ``_view`` and ``events_sha256``
    (:func:`geo.snapshot.dataset_sha256`) for ``_events``; the underscored arguments are not hashed, so
    every input that changes the bytes is in the key.
    """
    from geo import snapshot

    options = snapshot.SnapshotOptions(dpi=dpi, show_earlier=show_earlier, data_name=data_name,
                                       data_sha256=data_sha256, step_days=step_days)  # fmt: skip
    return snapshot.export_bytes(fmt, _events, sources(), bases(), _view, options)


def export_file(
    fmt: str,
    events: gpd.GeoDataFrame,
    view: View,
    *,
    data_path: Path = EVENTS_CSV,
    data_name: str | None = None,
    data_sha256: str | None = None,
    show_earlier: bool = True,
    dpi: int = 100,
    step_days: int | None = None,
    progress=None,
) -> bytes:
    """Return the bytes a download button of the export panel serves: what ``python -m geo.snapshot`` writes.

    With ``progress`` (a callback that draws on the page) the file is made afresh: a cached function must
    not draw elements, since Streamlit replays them on every cache hit.
    """
    from geo import snapshot

    path = Path(data_path)
    name = data_name if data_name is not None else path.name
    sha256 = data_sha256 if data_sha256 is not None else _file_sha256(str(path), _stamp(path))
    if progress is not None:
        options = snapshot.SnapshotOptions(dpi=dpi, show_earlier=show_earlier, data_name=name,
                                           data_sha256=sha256, step_days=step_days)  # fmt: skip
        return snapshot.export_bytes(fmt, events, sources(), bases(), view, options, progress=progress)
    return _export_cached(
        fmt, snapshot.view_key(view), name, sha256, snapshot.dataset_sha256(events), bool(show_earlier), int(dpi),
        step_days, _stamp(SOURCES_CSV), _stamp(BASES_CSV), events, view,
    )  # fmt: skip


def _data_identity(data_path: Path) -> tuple[str, str]:
    """Return the name and SHA-256 of the file the events on screen come from, for the manifest.

    With imported data on screen (the "bring your own data" section keeps it in session state under
    ``imported``, and what to show under ``data_choice``) the name says so; the file's hash is known
    only if that section records it (``sha256``), else it is left empty and the manifest's
    ``events_sha256`` identifies the rows.
    """
    path = Path(data_path)
    curated = (path.name, _file_sha256(str(path), _stamp(path)))
    loaded = st.session_state.get(K_IMPORTED)
    choice = st.session_state.get(K_DATA_CHOICE, "both")
    if not isinstance(loaded, dict) or choice == "curated":
        return curated
    name, digest = str(loaded.get("name", "imported data")), str(loaded.get("sha256") or "")
    if choice == "imported":
        return name, digest
    from geo import snapshot

    return snapshot.DATA_NAME_JOIN.join((curated[0], name)), ""


def export_panel(
    events: gpd.GeoDataFrame,
    view: View,
    *,
    data_path: Path = EVENTS_CSV,
    show_earlier: bool | None = None,
) -> None:
    """Draw download buttons for the view: PNG, SVG, PDF, HTML, CSV, GeoJSON, manifest, ZIP, and a GIF.

    Files are made when a button is clicked (deferred ``data``), from :func:`export_file`, so moving the
    slider costs nothing; the GIF is rendered on request with a progress bar.
    """
    import shlex
    from functools import partial

    from geo import snapshot

    if show_earlier is None:
        show_earlier = bool(st.session_state.get(K_EARLIER, True))
    st.caption(
        "Files of exactly this view: the date, the filters and the map's extent. The same view gives the same "
        "bytes every time, here or from the command line."
    )
    dpi = st.radio("Image resolution", [100, 300], key="w_export_dpi", horizontal=True,
                   format_func=lambda d: f"{d} dpi" + (" (print)" if d >= 300 else " (screen)"))  # fmt: skip
    data_name, data_sha256 = _data_identity(Path(data_path))
    common = {"data_path": data_path, "data_name": data_name, "data_sha256": data_sha256,
              "show_earlier": show_earlier, "dpi": dpi}  # fmt: skip
    buttons = (
        ("png", "PNG image"), ("svg", "SVG image"), ("pdf", "PDF"), ("html", "Interactive HTML"),
        ("csv", "CSV"), ("geojson", "GeoJSON"), ("manifest", "Manifest (JSON)"), ("zip", "Data + manifest (ZIP)"),
    )  # fmt: skip
    for row in (buttons[:4], buttons[4:]):
        for column, (fmt, label) in zip(st.columns(len(row)), row, strict=True):
            column.download_button(
                label, data=partial(export_file, fmt, events, view, **common),
                file_name=snapshot.export_filename(fmt, view), mime=snapshot.MIME_TYPES[fmt],
                key=f"w_export_{fmt}", on_click="ignore", width="stretch",
            )  # fmt: skip

    steps = st.selectbox("Animation steps", list(EXPORT_STEPS), key="w_export_step")
    step_days = EXPORT_STEPS[steps]
    ready_key = (snapshot.view_key(view), step_days, show_earlier, data_name, len(events))
    if st.button("Render the animation (GIF)", key="w_export_gif_render"):
        bar = st.progress(0.0, text="Rendering the animation…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Rendering frame {done} of {total}…")

        try:
            gif = export_file("gif", events, view, **common, step_days=step_days, progress=progress)
            # Kept for this session only: one animation at a time, dropped when the view changes.
            st.session_state[K_GIF_READY] = (ready_key, gif)
        except snapshot.SnapshotError as exc:
            st.warning(f"No animation: {md(exc)}.")
        bar.empty()
    ready = st.session_state.get(K_GIF_READY)
    if ready is not None and ready[0] == ready_key:
        gif = ready[1]
        st.download_button(f"Animated GIF ({len(gif) / 1e6:.1f} MB)", data=gif,
                           file_name=snapshot.export_filename("gif", view), mime=snapshot.MIME_TYPES["gif"],
                           key="w_export_gif", on_click="ignore")  # fmt: skip

    options = snapshot.SnapshotOptions(show_earlier=show_earlier, data_name=data_name, dpi=dpi)
    command = [*snapshot.command_line(view, options, extent=True), "--out", snapshot.export_filename("png", view)]
    st.caption("The same PNG from the command line:")
    st.code(shlex.join(command), language="bash")
