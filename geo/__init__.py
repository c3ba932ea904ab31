"""The dashboard's engine: pure functions over (Geo)DataFrames, tested without Streamlit.

Public names are listed in ``__all__`` and imported on first use (PEP 562),
so that ``import geo.events`` does not pay for matplotlib or folium.
Only :mod:`geo.ui` imports Streamlit; nothing here imports it.
"""

from __future__ import annotations

import importlib

_PUBLIC: dict[str, str] = {
    # errors
    "DataError": "geo.errors",
    "RowProblem": "geo.errors",
    # events and sources
    "EVENT_TYPES": "geo.events",
    "load_events": "geo.events",
    "load_sources": "geo.events",
    "read_table": "geo.events",
    "combine_events": "geo.events",
    "format_date": "geo.events",
    "format_period": "geo.events",
    "validate_events": "geo.validation",
    "events_frame": "geo.eventframe",
    # the public-record layer
    "load_references": "geo.record",
    "most_precise": "geo.record",
    "dated": "geo.record",
    "reference_checks": "geo.gazetteer",
    # importers
    "import_table": "geo.importers",
    "detect_format": "geo.importers",
    "ImportResult": "geo.importers",
    # places and borders
    "load_gazetteer": "geo.gazetteer",
    "resolve_place": "geo.gazetteer",
    "place_lonlat": "geo.gazetteer",
    "UnknownPlace": "geo.gazetteer",
    "load_countries": "geo.borders",
    "country_of_points": "geo.borders",
    "mali_niger_border": "geo.borders",
    "distance_km": "geo.borders",
    "distance_to_geometry_km": "geo.borders",
    # view and filtering
    "View": "geo.view",
    "filter_events": "geo.filters",
    "events_with_status": "geo.filters",
    "summary_counts": "geo.filters",
    "date_bounds": "geo.filters",
    "step_date": "geo.filters",
    # movements and bases
    "movements_at": "geo.movements",
    "route_length_km": "geo.movements",
    "position_at": "geo.movements",
    "load_bases": "geo.bases",
    "base_status": "geo.bases",
    # what a view shows, for the map and every export
    "Scene": "geo.scene",
    "view_scene": "geo.scene",
    "AGGREGATE_THRESHOLD": "geo.aggregate",
    "view_marks": "geo.aggregate",
    "aggregate_events": "geo.aggregate",
    "frame_memo": "geo.memo",
    "load_events_cached": "geo.events",
    "same_frame": "geo.diskcache",
    "side_by_side": "geo.parallel",
    # map
    "base_map": "geo.mapview",
    "dynamic_layers": "geo.mapview",
    "build_map": "geo.mapview",
    "event_features": "geo.marks",
    "spread_colocated": "geo.marks",
    "popup_html": "geo.popups",
    # playback in the browser
    "TimeControl": "geo.playback",
    "add_time_control": "geo.playback",
    "control_data": "geo.playback",
    "play_span": "geo.playback",
    "playing_view": "geo.playback",
    # exports
    "export_bytes": "geo.snapshot",
    "SnapshotOptions": "geo.snapshot",
    # text from files, escaped for where it goes
    "html_text": "geo.escaping",
    "markdown_literal": "geo.escaping",
    # countries as they were on an event's date
    "check_countries": "geo.frontiers",
    # pages' tables and charts
    "monthly_counts": "geo.timeline",
    "key_moments": "geo.timeline",
    "event_table": "geo.sourcing",
    "article_contributions": "geo.sourcing",
    "place_table": "geo.places",
    "distance_between": "geo.places",
    "known_gaps": "geo.about",
    "citation_url": "geo.about",
    # the map's look, legend, reading aids and what is on screen
    "TYPE_COLOURS": "geo.style",
    "PAGE_CSS": "geo.pagestyle",
    "type_colour": "geo.style",
    "legend_html": "geo.legend",
    "place_labels": "geo.map_aids",
    "off_screen_note": "geo.inview",
    "map_as_list_html": "geo.inview",
    # search that forgives accents, case and other spellings
    "search_mask": "geo.search",
}
#: Modules with no names here: geo.ui imports Streamlit, which a plain ``import geo`` must never pull in.
STREAMLIT_ONLY = ("geo.ui",)

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
