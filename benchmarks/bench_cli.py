"""Time ``python -m geo.snapshot`` for the curated data: one fresh process per run, as a script's loop runs it.

For each format asked for, prints one JSON object per line: the median and best wall time, the median CPU
and best CPU time (user + system, from each child's rusage, which a busy machine inflates less than
the wall time), the peak RSS, and the load average around the runs; then the slowest imports of one run (``-X importtime``).
The target (issue 16.3) is a PNG in 2 s or less on a quiet machine.

    python benchmarks/bench_cli.py                   # png and csv, 5 runs each
    python benchmarks/bench_cli.py --formats png --runs 9
    python benchmarks/bench_cli.py --formats png --runs 5 --phases   # also: where one run's time goes

``--phases`` runs the PNG export step by step in fresh processes (the steps ``geo.snapshot.__main__`` and
``geo.snapshot.static.image_bytes`` take, in their order) and prints each step's median wall and CPU:
imports, countries (the Natural Earth layer), data (events, sources, bases, the view), sheet
(what the view shows), drawing (the matplotlib figure), savefig (rendering and encoding).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_once(fmt: str, out: Path) -> tuple[float, float, float]:
    """Return (wall seconds, CPU seconds, peak RSS in MiB) of one CLI run writing ``out``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "geo.snapshot", "--format", fmt, "--out", str(out)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN's peak RSS would be the largest of all runs).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"geo.snapshot --format {fmt} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _slowest_imports(fmt: str, out: Path, top: int = 8) -> list[tuple[str, float]]:
    """Return the ``top`` imports with the largest cumulative time (seconds) in one run."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "geo.snapshot", "--format", fmt, "--out",
                           str(out)], cwd=ROOT, check=True, capture_output=True, text=True)  # fmt: skip
    rows = re.findall(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", done.stderr)
    # Only top-level imports (one space of indent): their cumulative times do not overlap.
    times = [(name, int(cumulative) / 1e6) for cumulative, indent, name in rows if len(indent) == 1]
    return sorted(times, key=lambda row: -row[1])[:top]


#: One PNG export step by step, run by ``python -c`` in a fresh process; prints {phase: [wall, cpu]} as JSON.
PHASES_SCRIPT = """
import json, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
import geopandas, matplotlib.figure
import geo.snapshot.__main__ as cli, geo.snapshot.static as static
from geo.snapshot.sheet import build_sheet
mark("imports")
from geo import borders
borders.load_countries()
mark("countries")
from geo.bases import load_bases
from geo.events import load_sources
args = cli._parser().parse_args(["--format", "png", "--out", sys.argv[1]])
events, identity = cli.load_data(None)
sources, bases, view = load_sources(), load_bases(), cli._view_from_args(args, events)
options = cli.SnapshotOptions(**identity)
mark("data")
sheet = build_sheet(events, sources, bases, view, options)
mark("sheet")
with static._RENDER_LOCK, static._rc():
    fig = static._figure(sheet, dpi=options.dpi)
    mark("drawing")
    static._save(fig, "png", dpi=options.dpi, title="", description="")
mark("savefig")
print(json.dumps({b[0]: [b[1] - a[1], b[2] - a[2]] for a, b in zip(marks, marks[1:])}))
"""


def _phases(out: Path, runs: int) -> dict[str, dict[str, float]]:
    """Return the median wall and CPU seconds of each phase of a PNG export, over ``runs`` fresh processes."""
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, str(out)], cwd=ROOT, check=True,
                              capture_output=True, text=True)  # fmt: skip
        samples.append(json.loads(done.stdout))
    return {
        phase: {"wall_s": round(statistics.median(s[phase][0] for s in samples), 3),
                "cpu_s": round(statistics.median(s[phase][1] for s in samples), 3)}
        for phase in samples[0]
    }  # fmt: skip


def main() -> int:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="png,csv", help="comma-separated export formats (default png,csv)")
    parser.add_argument("--runs", type=int, default=5, help="runs per format (default 5)")
    parser.add_argument("--phases", action="store_true", help="also time each phase of a PNG export (see above)")
    args = parser.parse_args()
    print(json.dumps({"machine": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()}))
    with tempfile.TemporaryDirectory() as folder:
        for fmt in args.formats.split(","):
            out = Path(folder) / f"bench.{fmt}"
            _run_once(fmt, out)  # warm the page cache, as a loop's later runs are
            load_before = os.getloadavg()
            timings = [_run_once(fmt, out) for _ in range(args.runs)]
            load_after = os.getloadavg()
            walls, cpus, rss = ([t[i] for t in timings] for i in range(3))
            print(json.dumps({
                "format": fmt, "runs": args.runs, "wall_median_s": round(statistics.median(walls), 2),
                "wall_best_s": round(min(walls), 2), "cpu_median_s": round(statistics.median(cpus), 2),
                "cpu_best_s": round(min(cpus), 2), "peak_rss_mib": round(max(rss)),
                "target_s": 2.0 if fmt == "png" else None,
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
            }))  # fmt: skip
            print(json.dumps({"format": fmt, "slowest_imports_s": _slowest_imports(fmt, out)}))
        if args.phases:
            load_before = os.getloadavg()
            phases = _phases(Path(folder) / "phases.png", args.runs)
            print(json.dumps({"format": "png", "runs": args.runs, "phases": phases,
                              "load_average_before": [round(x, 2) for x in load_before],
                              "load_average_after": [round(x, 2) for x in os.getloadavg()]}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
