"""What an export is asked for: the formats, the options beyond the view, and the names of the files."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo.events import EVENTS_CSV, ROOT
from geo.view import View

EXPORT_FORMATS = ("png", "svg", "pdf", "html", "csv", "geojson", "manifest", "zip", "gif")
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "manifest": "application/json",
    "zip": "application/zip",
    "gif": "image/gif",
}
EXTENSIONS = {"manifest": "manifest.json"}
TITLE = "France's withdrawal from Mali, 2022"
#: How the name of data combined from several files is written: "events.csv + mine.csv".
DATA_NAME_JOIN = " + "


Progress = Callable[[int, int], None]


class UsageError(Exception):
    """A bad command-line option or target: reported on one line of stderr, exit code 2."""


class SnapshotError(ValueError):
    """A request that cannot be exported (an empty range, too many frames); the message says why."""


@dataclass(frozen=True)
class SnapshotOptions:
    """How to export, beyond the view itself.

    Parameters
    ----------
    dpi
        Resolution of PNG (and of raster parts of PDF/SVG); 300 for print.
    show_earlier
        In 'window' mode, draw the events that ended before the window, faded (as the dashboard's checkbox).
    data_name, data_sha256
        The events file the data came from: its name (no folders, so manifests match across machines) and
        the SHA-256 of its bytes. :func:`options_for_file` fills both.
    step_days
        Animation: days between frames; ``None`` steps from one event date to the next, as the Play button does.
    frame_ms, frame_dpi, max_frames
        Animation: time per frame, resolution of frames, and a limit that refuses runaway ranges.
    """

    dpi: int = 100
    show_earlier: bool = True
    data_name: str = EVENTS_CSV.name
    data_sha256: str = ""
    step_days: int | None = None
    frame_ms: int = 900
    frame_dpi: int = 80
    max_frames: int = 240


#: The options of a plain export of the curated data (the default argument of every export function).
DEFAULT_OPTIONS = SnapshotOptions()


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def options_for_file(path: str | Path = EVENTS_CSV, **changes) -> SnapshotOptions:
    """Return options that name the events file at ``path`` and carry its SHA-256."""
    path = Path(path)
    return SnapshotOptions(data_name=path.name, data_sha256=sha256_bytes(path.read_bytes()), **changes)


@lru_cache(maxsize=1)
def app_version() -> tuple[str, str]:
    """Return (name, version) from ``pyproject.toml``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def software_label() -> str:
    """Return 'name version' of this app, as exports record what made them."""
    name, version = app_version()
    return f"{name} {version}"


def canonical_view(view: View) -> View:
    """Return the view with fields that do not change what it shows normalised (window mode ignores ``as_of``)."""
    if view.mode == "window":
        first, last = view.window
        return view.with_changes(as_of=last.date(), date_from=first.date(), date_to=last.date())
    return view.with_changes(date_from=None, date_to=None)


def view_key(view: View) -> str:
    """Return a string that identifies everything an export depends on in ``view`` (a cache key)."""
    view = canonical_view(view)
    return json.dumps(
        {**view.to_params(), "center": view.center, "zoom": view.zoom}, sort_keys=True, separators=(",", ":")
    )


def basename(view: View) -> str:
    """Return the file name stem of an export: 'sahel-2022-08-15' or 'sahel-2022-06-01_2022-07-31'."""
    first, last = view.window
    if view.mode == "window":
        return f"sahel-{first.date().isoformat()}_{last.date().isoformat()}"
    return f"sahel-{last.date().isoformat()}"


def export_filename(fmt: str, view: View) -> str:
    """Return the file name of an export of ``view`` in format ``fmt``."""
    _check_format(fmt)
    return f"{basename(view)}.{EXTENSIONS.get(fmt, fmt)}"


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise SnapshotError(f"{fmt!r} is not an export format; expected one of {', '.join(EXPORT_FORMATS)}")
