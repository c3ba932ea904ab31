"""Snapshots of a view: static maps (PNG, SVG, PDF), a self-contained HTML map, data with a manifest, a GIF.

Every export is a pure function of (events, sources, bases, :class:`~geo.view.View`,
:class:`SnapshotOptions`) returning bytes, and the same inputs give the same
bytes: no timestamps, no random ids, fixed fonts and DPI. The dashboard's
download buttons (``geo/ui.py``) and the command line (``python -m geo.snapshot``)
both call :func:`export_bytes`, so a file from one can be diffed against the other.

One module per part, each loaded on first use (PEP 562) so that a CSV export or
``--help`` does not pay for matplotlib:

- :mod:`~geo.snapshot.options`: the formats, :class:`SnapshotOptions`, file names, the view's cache key;
- :mod:`~geo.snapshot.frame`: the ground a static map covers, its projection and scale bar;
- :mod:`~geo.snapshot.sheet`: what an export prints around the view's :class:`geo.scene.Scene`: extent, wording;
- :mod:`~geo.snapshot.static`: PNG, SVG and PDF drawn with geopandas and matplotlib;
- :mod:`~geo.snapshot.animation`: the GIF;
- :mod:`~geo.snapshot.interactive`: the HTML map with Leaflet inlined;
- :mod:`~geo.snapshot.data`: CSV, GeoJSON, the manifest and the ZIP;
- :mod:`~geo.snapshot.output`: writing a file whole or not at all;
- :mod:`~geo.snapshot.__main__`: the command line.
"""

from __future__ import annotations

import importlib

import geopandas as gpd
import pandas as pd

from geo.snapshot.options import (
    DATA_NAME_JOIN,
    DEFAULT_OPTIONS,
    EXPORT_FORMATS,
    MIME_TYPES,
    Progress,
    SnapshotError,
    SnapshotOptions,
    UsageError,
    app_version,
    export_filename,
    options_for_file,
    sha256_bytes,
    view_key,
)
from geo.view import View

#: Name -> the module of this package that defines it, imported when the name is first asked for.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("FIGSIZE", "MAP_BOX", "LEGEND_BOX", "MapFrame", "frame_at", "frame_around", "view_frame", "html_view",
         "scale_bar", "nice_length_km"), "frame"),
    **dict.fromkeys(("Sheet", "build_sheet", "filters_text"), "sheet"),
    **dict.fromkeys(("image_bytes", "faded_colour"), "static"),
    **dict.fromkeys(("animation_dates", "gif_bytes"), "animation"),
    **dict.fromkeys(("ASSETS", "inline_assets", "html_bytes"), "interactive"),
    **dict.fromkeys(
        ("NUMERIC_COLUMNS", "FORMULA_START", "neutralise", "csv_bytes", "geojson_bytes", "dataset_sha256",
         "bibliography", "command_line", "manifest_bytes", "zip_bytes"), "data"),
    **dict.fromkeys(("check_target", "write_atomically", "TargetError"), "output"),
    **dict.fromkeys(("main", "load_data"), "__main__"),
}  # fmt: skip


def export_bytes(
    fmt: str,
    events: gpd.GeoDataFrame,
    sources: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    view: View,
    options: SnapshotOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
) -> bytes:
    """Return the export of ``view`` in ``fmt`` (one of :data:`EXPORT_FORMATS`): what the UI and the CLI both write."""
    export_filename(fmt, view)  # refuses an unknown format with the list of known ones
    if fmt in ("png", "svg", "pdf"):
        from geo.snapshot.static import image_bytes

        return image_bytes(events, sources, bases, view, options, fmt=fmt)
    if fmt == "html":
        from geo.snapshot.interactive import html_bytes

        return html_bytes(events, sources, bases, view, options)
    if fmt == "gif":
        from geo.snapshot.animation import gif_bytes

        return gif_bytes(events, sources, bases, view, options, progress=progress)
    from geo.snapshot import data

    if fmt == "csv":
        return data.csv_bytes(events, view)
    if fmt == "geojson":
        return data.geojson_bytes(events, view)
    if fmt == "manifest":
        return data.manifest_bytes(events, sources, view, options)
    return data.zip_bytes(events, sources, view, options)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"geo.snapshot.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'geo.snapshot' has no attribute {name!r}")


__all__ = [
    "DATA_NAME_JOIN", "DEFAULT_OPTIONS", "EXPORT_FORMATS", "MIME_TYPES", "Progress", "SnapshotError", "SnapshotOptions", "UsageError",
    "app_version", "export_bytes", "export_filename", "options_for_file", "sha256_bytes", "view_key",
]  # fmt: skip
__all__ += sorted(_LAZY)


def __dir__() -> list[str]:
    return __all__
