"""The command line: ``python -m geo.snapshot --date 2022-08-15 --out sahel.png`` (README, "Exports").

A bad option prints one line on stderr and exits with code 2; the file is written to a temporary name
beside the target and renamed, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import filters
from geo.errors import DataError
from geo.events import EVENT_TYPES, EVENTS_CSV, load_events, load_sources
from geo.snapshot import export_bytes
from geo.snapshot.options import EXPORT_FORMATS, SnapshotError, SnapshotOptions, options_for_file


class UsageError(Exception):
    """A bad command-line option: reported on one line of stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m geo.snapshot",
        description="Export a view of the dashboard: a static map, an HTML map, data with a manifest, or a GIF.",
    )
    p.add_argument("--date", help="show everything up to this day (YYYY-MM-DD; default: the last day in the data)")
    p.add_argument("--from", dest="date_from", help="show a window from this day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="... to this day (YYYY-MM-DD)")
    p.add_argument("--country", action="append", default=[], metavar="ISO3", help="keep this country (repeatable)")
    p.add_argument("--type", action="append", default=[], metavar="TYPE", help="keep this event type (repeatable)")
    p.add_argument("--text", default="", help="keep events mentioning every word of this text")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="what to write (default: from --out's extension)")
    p.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    p.add_argument("--dpi", type=int, default=SnapshotOptions.dpi, help="resolution of PNG/PDF/SVG (300 for print)")
    p.add_argument("--data", metavar="FILE", help="an events-layout CSV (or an ACLED/UCDP file) instead of events.csv")
    p.add_argument("--center", metavar="LAT,LON", help="map centre, as the dashboard's map (default: fit the events)")
    p.add_argument("--zoom", type=int, help="map zoom level, as the dashboard's map (with --center)")
    p.add_argument("--no-earlier", action="store_true", help="window mode: hide events that ended before the window")
    p.add_argument("--step", type=int, metavar="DAYS", help="GIF: days between frames (default: each event date)")
    p.add_argument("--frame-ms", type=int, default=SnapshotOptions.frame_ms, help="GIF: milliseconds per frame")
    return p


def _format_from(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".json"):
        return "manifest"
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in EXPORT_FORMATS else None


def _day(text: str, option: str) -> date:
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if pd.isna(parsed):
        raise UsageError(f"{option} {text!r} is not a date in the form YYYY-MM-DD")
    return parsed.date()


def load_data(path: str | Path | None) -> tuple[gpd.GeoDataFrame, Path]:
    """Load the events file the CLI is given: the curated one by default, or any file the importers read."""
    if path is None or Path(path).resolve() == EVENTS_CSV.resolve():
        return load_events(), EVENTS_CSV
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--data {str(path)!r} is not a file")
    try:
        from geo.importers import import_table
    except ImportError:
        import_table = None
    from geo.events import read_table, validate_events

    try:
        table = import_table(path).events if import_table is not None else read_table(path)
        events, _ = validate_events(table, check_places=False, strict=import_table is None, name=path.name)
    except DataError as exc:
        first = exc.problems[0] if getattr(exc, "problems", None) else exc
        more = f" (and {len(exc.problems) - 1} more problems)" if len(getattr(exc, "problems", [])) > 1 else ""
        raise UsageError(f"--data {path.name} was refused: {first}{more}") from exc
    if events.empty:
        raise UsageError(f"--data {path.name} holds no usable events")
    return events, path


def _view_from_args(args, events: gpd.GeoDataFrame) -> filters.View:
    first, last = filters.date_bounds(events)
    bounds = f"the data runs from {first} to {last}"
    window = args.date_from is not None or args.date_to is not None
    if window and args.date is not None:
        raise UsageError("give --date, or --from/--to, not both")

    def inside(day: date, option: str) -> date:
        if not first <= day <= last:
            raise UsageError(f"{option} {day} is outside the data ({bounds})")
        return day

    as_of = inside(_day(args.date, "--date"), "--date") if args.date else last
    date_from = inside(_day(args.date_from, "--from"), "--from") if args.date_from else first
    date_to = inside(_day(args.date_to, "--to"), "--to") if args.date_to else last
    if window and date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    present = sorted(set(events["geo_country"]))
    for country in args.country:
        if country not in present:
            raise UsageError(
                f"--country {country!r} is not a country with events in the data; choose from {', '.join(present)}"
            )
    for kind in args.type:
        if kind not in EVENT_TYPES:
            raise UsageError(f"--type {kind!r} is not an event type; choose from {', '.join(EVENT_TYPES)}")
    center = None
    if args.center is not None:
        try:
            lat, lon = (float(part) for part in args.center.split(","))
        except ValueError:
            raise UsageError(f"--center {args.center!r} is not LAT,LON in decimal degrees") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError(f"--center {args.center!r} is not a point on the map")
        center = (lat, lon)
    if args.zoom is not None and not 1 <= args.zoom <= 18:
        raise UsageError(f"--zoom {args.zoom} must be between 1 and 18")
    if args.zoom is not None and center is None:
        raise UsageError("--zoom needs --center")
    return filters.View(
        as_of=date_to if window else as_of, mode="window" if window else "as_of",
        date_from=date_from if window else None, date_to=date_to if window else None,
        countries=tuple(dict.fromkeys(args.country)), types=tuple(dict.fromkeys(args.type)), text=args.text.strip(),
        center=center, zoom=args.zoom if center is not None else None,
    )  # fmt: skip


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so no partial file is ever left."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--out {str(path)!r}: the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise UsageError(f"--out {str(path)!r} is a folder")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(f"--out {str(path)!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"--out {str(path)!r}: cannot write ({exc.strerror})") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0, or 2 for a bad option with one line on stderr)."""
    try:
        args = _parser().parse_args(argv)
        out = Path(args.out)
        fmt = args.format or _format_from(out)
        if fmt is None:
            raise UsageError(f"--out {args.out!r}: give --format, or a name ending in .{', .'.join(EXPORT_FORMATS)}")
        if not 10 <= args.dpi <= 1200:
            raise UsageError(f"--dpi {args.dpi} must be between 10 and 1200")
        if args.step is not None and args.step < 1:
            raise UsageError(f"--step {args.step} must be 1 or more days")
        if args.frame_ms < 20:
            raise UsageError(f"--frame-ms {args.frame_ms} must be 20 or more")
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():  # fail before the slow part
            raise UsageError(f"--out {args.out!r}: the folder {str(folder)!r} does not exist")
        try:  # a real probe, not os.access: root passes that check where the file system still refuses
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as exc:
            raise UsageError(f"--out {args.out!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc
        events, data_path = load_data(args.data)
        view = _view_from_args(args, events)
        from geo.bases import load_bases

        options = options_for_file(data_path, dpi=args.dpi, show_earlier=not args.no_earlier, step_days=args.step,
                                   frame_ms=args.frame_ms)  # fmt: skip
        data = export_bytes(fmt, events, load_sources(), load_bases(), view, options)
        write_atomically(out, data)
    except (UsageError, SnapshotError) as exc:
        print(f"geo.snapshot: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
