"""The command line: ``python -m geo.snapshot --date 2022-08-15 --out sahel.png`` (README, "Exports").

It never ends in a traceback: a bad option, a refused file or a failed export prints one line
``geo.snapshot: error: …`` on stderr and exits with code 2 (128 + the signal's number when stopped by
one); what a ``--data`` file's import kept and refused is summed up on stderr first. The file is made
in memory and written by :func:`geo.snapshot.output.write_atomically`, so a failed or killed run
leaves nothing behind.
"""

from __future__ import annotations

import argparse
import gc
import sys
import warnings
from pathlib import Path

import pandas as pd

from geo import filters
from geo.errors import DataError
from geo.events import EVENT_TYPES, EVENTS_CSV
from geo.snapshot.options import (
    DATA_NAME_JOIN,
    EXPORT_FORMATS,
    SnapshotError,
    SnapshotOptions,
    UsageError,
    sha256_bytes,
)
from geo.snapshot.output import Stopped, TargetError, check_target, stopping_on_signals, write_atomically
from geo.view import View, parse_view

#: How many refused rows of an imported file the summary on stderr lists one by one.
SHOWN_REFUSALS = 5


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(message)


def _share(text: str) -> float:
    """Parse ``--max-refused``: a share of the rows read, as 0.05 or 5%."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share such as 0.05 or 5%") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1 (or 0% and 100%)")
    return value


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
    p.add_argument("--data", action="append", default=[], metavar="FILE",
                   help="an events-layout CSV, an ACLED/UCDP export or a point file instead of events.csv; "
                   "repeat it to show several files together (events.csv among them for the curated events)")  # fmt: skip
    p.add_argument("--input-format", metavar="FORMAT", help="the --data files' format (default: detected)")
    p.add_argument("--date-column", metavar="NAME", help="point files: the field holding each event's date")
    p.add_argument("--event-type", metavar="TYPE", help="point files: the event type of features without one")
    p.add_argument("--date-order", choices=("dmy", "mdy"), help="how to read dates like 2/1/1997 (day or month first)")
    p.add_argument("--max-refused", type=_share, metavar="SHARE",
                   help="exit with code 2 when an imported file refuses more than this share of its rows "
                   "(0.05 or 5%%; default: any share)")  # fmt: skip
    p.add_argument("--center", metavar="LAT,LON", help="map centre, as the dashboard's map (default: fit the events)")
    p.add_argument("--zoom", help="map zoom level, 1 to 18, as the dashboard's map (with --center)")
    p.add_argument("--dates", metavar="CHOICE",
                   help="place events at their most 'precise' date (default) or at the 'articles' dates, "
                   "as the dashboard's choice")  # fmt: skip
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


def _import_options(args) -> dict[str, str]:
    """Return the import options given on the command line, as :func:`geo.importers.import_table` takes them."""
    chosen = {"fmt": args.input_format, "date_column": args.date_column, "event_type": args.event_type,
              "date_order": args.date_order}  # fmt: skip
    return {key: value for key, value in chosen.items() if value is not None}


def _import(path: Path, import_options: dict[str, str], max_refused: float | None):
    """Return the events ``path`` holds, through the importers; the summary goes to stderr."""
    from geo.importers import import_table

    try:
        result = import_table(path, **import_options)
    except DataError as exc:
        first = exc.problems[0] if exc.problems else exc
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        raise UsageError(f"--data {path.name} was refused: {first}{more}") from exc
    except ValueError as exc:  # an unknown format or event type
        raise UsageError(f"--data {path.name}: {exc}") from exc
    for line in result.summary_lines(first=SHOWN_REFUSALS):  # counts, refusals by reason, the first few
        print(line, file=sys.stderr)
    refused = result.summary()["rows_refused"]
    if max_refused is not None and result.rows_read and refused / result.rows_read > max_refused:
        raise UsageError(
            f"--data {path.name}: {refused:,} of {result.rows_read:,} rows refused "
            f"({refused / result.rows_read:.1%}), more than --max-refused {max_refused:.1%}"
        )
    if result.events.empty:
        raise UsageError(f"--data {path.name} holds no usable events")
    return result.events


def _is_curated_copy(path: Path) -> bool:
    """Return whether ``path`` is a copy of the curated events.csv, which the dashboard reads as curated."""
    return (
        path.name == EVENTS_CSV.name
        and path.stat().st_size == EVENTS_CSV.stat().st_size
        and (path.read_bytes() == EVENTS_CSV.read_bytes())
    )


def load_data(
    paths: str | Path | list[str | Path] | None,
    import_options: dict[str, str] | None = None,
    *,
    max_refused: float | None = None,
):
    """Return (events, options naming their files) for the ``--data`` file or files: events.csv when none is given.

    The curated file is read by :func:`geo.events.load_events`; any other file by
    :func:`geo.importers.import_table`, which validates what it keeps; several files are combined as the
    dashboard's "Show: curated and imported" does.
    """
    from geo.events import combine_events, load_events_cached

    if paths is None or isinstance(paths, (str, Path)):
        paths = [] if paths is None else [paths]
    files = [Path(p) for p in paths] or [EVENTS_CSV]
    frames = []
    for path in files:
        if not path.is_file():
            raise UsageError(f"--data {str(path)!r} is not a file")
        if path.resolve() == EVENTS_CSV.resolve() or _is_curated_copy(path):
            frames.append(load_events_cached())
        else:
            frames.append(_import(path, import_options or {}, max_refused))
    if len(files) == 1:
        return frames[0], {"data_name": files[0].name, "data_sha256": sha256_bytes(files[0].read_bytes())}
    # As the dashboard names combined data; no one file's hash identifies it (the manifest's events_sha256 does).
    return combine_events(*frames), {"data_name": DATA_NAME_JOIN.join(p.name for p in files), "data_sha256": ""}


#: What each field of a view is called on the command line, for :meth:`geo.view.ViewProblem.text`.
CLI_NAMES = {"date": "--date", "from": "--from", "to": "--to", "country": "--country",
             "type": "--type", "center": "--center", "zoom": "--zoom", "dates": "--dates"}  # fmt: skip


def _view_from_args(args, events: pd.DataFrame) -> View:
    """Return the view the options ask for: :func:`geo.view.parse_view`, as a link is read, but strict."""
    first, last = filters.date_bounds(events)
    fields = {"date": args.date, "from": args.date_from, "to": args.date_to, "country": args.country,
              "type": args.type, "text": args.text, "center": args.center, "zoom": args.zoom,
              "dates": args.dates}  # fmt: skip
    view, problems = parse_view(
        fields, first=first, last=last, known_countries=set(events["geo_country"]), known_types=EVENT_TYPES
    )
    if problems:  # a link shows them all and goes on; a script is told of the first and nothing is written
        raise UsageError(problems[0].text(CLI_NAMES))
    return view


def _check_options(args) -> tuple[Path, str]:
    """Refuse bad options before the slow part; return the target and the format to write."""
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
    if args.event_type is not None and args.event_type not in EVENT_TYPES:
        raise UsageError(f"--event-type {args.event_type!r} is not an event type; choose from {', '.join(EVENT_TYPES)}")
    check_target(out)
    return out, fmt


def _run(args) -> tuple[Path, int]:
    """Export what ``args`` ask for; return the path written and its size."""
    out, fmt = _check_options(args)
    events, data_identity = load_data(args.data, _import_options(args), max_refused=args.max_refused)
    view = _view_from_args(args, events)
    from geo.bases import load_bases
    from geo.events import load_sources
    from geo.snapshot import export_bytes

    options = SnapshotOptions(dpi=args.dpi, show_earlier=not args.no_earlier, step_days=args.step,
                              frame_ms=args.frame_ms, **data_identity)  # fmt: skip
    from geo.gazetteer import UnknownPlace

    try:
        data = export_bytes(fmt, events, load_sources(), load_bases(), view, options)
    except UnknownPlace as exc:  # an imported movement whose route the importers let through (issue 17.3)
        names = ", ".join(args.data) or EVENTS_CSV.name
        raise UsageError(f"--data {names}: a troop movement's route cannot be drawn: {exc}") from exc
    write_atomically(out, data)
    return out, len(data)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code: 0, or 2 with one line on stderr, or 128 + a stopping signal."""
    # Warnings (GDAL's about a malformed file, pandas') would print before the one line that explains.
    with warnings.catch_warnings(), stopping_on_signals():
        warnings.simplefilter("ignore")
        try:
            out, size = _run(_parser().parse_args(argv))
        except TargetError as exc:
            print(f"geo.snapshot: error: --out {exc}", file=sys.stderr)
            return 2
        except (UsageError, SnapshotError, DataError) as exc:
            print(f"geo.snapshot: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        except (Stopped, KeyboardInterrupt) as exc:
            signum = exc.signum if isinstance(exc, Stopped) else 2
            print(f"geo.snapshot: stopped ({_one_line(exc) or 'SIGINT'}); nothing written", file=sys.stderr)
            return 128 + signum
        except Exception as exc:  # a bug or a file no check foresaw: still one line, never a traceback
            print(f"geo.snapshot: error: could not export ({type(exc).__name__}: {_one_line(exc)})", file=sys.stderr)
            return 2
    print(f"wrote {out} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    # One short run: what the imports built lives until exit, so it is moved out of the collector's
    # sight. Each full collection would walk all of it again, and so would the collections at exit:
    # about 0.2 s of CPU of a 1.7 s PNG. What the run itself leaves as cycles is still collected.
    gc.freeze()
    sys.exit(main())
