"""Time ``python -m geo.snapshot`` for the curated data: one fresh process per run, as a script's loop runs it.

For each format asked for, prints one JSON object per line: the median and best wall time, the median CPU
and best CPU time (user + system, from each child's rusage, which a busy machine inflates less than
the wall time), the peak RSS, and the load average around the runs; then the slowest imports of one run (``-X importtime``).
The target (issue 16.3) is a PNG in 2 s or less on a quiet machine.

With ``--phases``, further runs also say where their time went (wall and CPU per phase, medians over the runs):
``startup`` (the interpreter until the first line of the run), ``imports`` (the CLI's modules, pandas and
geopandas), ``countries`` (the Natural Earth countries, :func:`geo.borders._countries_cached`), ``data`` (the kept
curated events or their loading and validation, the sources and the bases), ``sheet`` (what the view shows and its extent),
``matplotlib`` (its import), ``drawing`` (the figure), ``savefig`` (rendering and encoding), ``write`` and
``exit`` (the interpreter's teardown). The run is the real ``python -m geo.snapshot`` (``runpy``) with
timers around those functions; ``--root`` times another checkout the same way (an older commit in a
``git worktree``), so that before and after can be run back to back, alternating.

    python benchmarks/bench_cli.py                   # png and csv, 5 runs each
    python benchmarks/bench_cli.py --formats png --runs 9
    python benchmarks/bench_cli.py --formats png --runs 5 --phases   # also: where the runs' time goes
    python benchmarks/bench_cli.py --formats png --phases --root /tmp/wt_before --root .
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

#: Run in the child by ``--phases``: the CLI as ``python -m`` runs it, with an exclusive timer around each
#: phase's function (a phase called inside another is taken out of the outer one), written as JSON to argv[1].
PHASE_PROBE = r"""
import json, os, resource, runpy, sys, time
clock = lambda: (time.time(), time.process_time())
marks = {"started": clock()}
import geo.snapshot.__main__, geo.snapshot.static as static, geo.snapshot.output as output
from geo import borders, events
marks["imported"] = clock()
spent, stack = {}, []

def timed(phase, function, before=None):
    def run(*args, **kwargs):
        start = clock()
        stack.append([0.0, 0.0])
        try:
            if before is not None:
                before()
            return function(*args, **kwargs)
        finally:
            inner_wall, inner_cpu = stack.pop()
            wall, cpu = clock()[0] - start[0], clock()[1] - start[1]
            total = spent.setdefault(phase, [0.0, 0.0])
            total[0] += wall - inner_wall
            total[1] += cpu - inner_cpu
            if stack:
                stack[-1][0] += wall
                stack[-1][1] += cpu
    return run

def import_matplotlib():
    start = clock()
    import matplotlib.figure
    total = spent.setdefault("matplotlib", [0.0, 0.0])
    total[0] += clock()[0] - start[0]
    total[1] += clock()[1] - start[1]
    stack[-1][0] += clock()[0] - start[0]
    stack[-1][1] += clock()[1] - start[1]

borders._countries_cached = timed("countries", borders._countries_cached)
events.load_events = timed("data", events.load_events)
if hasattr(events, "load_events_cached"):  # the kept curated frame (geo.diskcache); older checkouts have none
    events.load_events_cached = timed("data", events.load_events_cached)
events.load_sources = timed("data", events.load_sources)
import geo.bases
geo.bases.load_bases = timed("data", geo.bases.load_bases)
static.build_sheet = timed("sheet", static.build_sheet)
static._rc = timed("drawing", static._rc, import_matplotlib)
static._figure = timed("drawing", static._figure, import_matplotlib)
static._save = timed("savefig", static._save)
output.write_atomically = timed("write", output.write_atomically)
sys.argv = ["geo.snapshot", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("geo.snapshot", run_name="__main__")
except SystemExit as stop:
    code = stop.code
marks["ran"] = clock()
with open(os.environ["PHASE_FILE"], "w") as out:
    json.dump({"marks": marks, "spent": spent}, out)
sys.exit(code)
"""

PHASES = ("startup", "imports", "countries", "data", "sheet", "matplotlib", "drawing", "savefig", "write", "other", "exit")  # fmt: skip


def _run_once(fmt: str, out: Path, root: Path = ROOT, phase_file: Path | None = None) -> tuple[float, float, float]:
    """Return (wall seconds, CPU seconds, peak RSS in MiB) of one CLI run writing ``out`` (its phases to ``phase_file``)."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "geo.snapshot"]
    env = None
    if phase_file is not None:
        command = [sys.executable, "-c", PHASE_PROBE, "geo.snapshot"]
        env = {**os.environ, "PHASE_FILE": str(phase_file), "PYTHONPATH": str(root)}
    child = subprocess.Popen([*command, "--format", fmt, "--out", str(out)], cwd=root, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN's peak RSS would be the largest of all runs).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"geo.snapshot --format {fmt} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _phases_once(fmt: str, out: Path, root: Path, phase_file: Path) -> dict[str, tuple[float, float]]:
    """Return {phase: (wall s, CPU s)} of one CLI run in ``root``, as :data:`PHASES` names them."""
    started = time.time()
    wall, cpu, _ = _run_once(fmt, out, root, phase_file)
    probe = json.loads(phase_file.read_text())
    marks, spent = probe["marks"], probe["spent"]
    phases = {"startup": (marks["started"][0] - started, marks["started"][1]),
              "imports": (marks["imported"][0] - marks["started"][0], marks["imported"][1] - marks["started"][1])}  # fmt: skip
    phases.update({name: tuple(spent.get(name, (0.0, 0.0))) for name in PHASES[2:-2]})
    ran_wall, ran_cpu = marks["ran"][0] - marks["imported"][0], marks["ran"][1] - marks["imported"][1]
    phases["other"] = (ran_wall - sum(w for w, _ in phases.values()) + phases["startup"][0] + phases["imports"][0],
                       ran_cpu - sum(c for _, c in phases.values()) + phases["startup"][1] + phases["imports"][1])  # fmt: skip
    phases["exit"] = (started + wall - marks["ran"][0], cpu - marks["ran"][1])
    return phases


def _slowest_imports(fmt: str, out: Path, top: int = 8) -> list[tuple[str, float]]:
    """Return the ``top`` imports with the largest cumulative time (seconds) in one run."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "geo.snapshot", "--format", fmt, "--out",
                           str(out)], cwd=ROOT, check=True, capture_output=True, text=True)  # fmt: skip
    rows = re.findall(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", done.stderr)
    # Only top-level imports (one space of indent): their cumulative times do not overlap.
    times = [(name, int(cumulative) / 1e6) for cumulative, indent, name in rows if len(indent) == 1]
    return sorted(times, key=lambda row: -row[1])[:top]


def main() -> int:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="png,csv", help="comma-separated export formats (default png,csv)")
    parser.add_argument("--runs", type=int, default=5, help="runs per format (default 5)")
    parser.add_argument("--phases", action="store_true", help="time each phase of the runs (image formats)")
    parser.add_argument("--root", action="append", type=Path,
                        help="with --phases: a checkout to time (repeat it; runs alternate between them)")  # fmt: skip
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
        _print_phases(args.formats.split(","), args.runs, [r.resolve() for r in args.root or [ROOT]])
    return 0


def _print_phases(formats: list[str], runs: int, roots: list[Path]) -> int:
    """Time each phase of ``runs`` runs per format and checkout, alternating checkouts; print medians as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        phase_file = Path(folder) / "phases.json"
        for fmt in formats:
            out = Path(folder) / f"bench.{fmt}"
            for root in roots:
                _run_once(fmt, out, root)  # warm the page cache (and the countries layer)
            load_before = os.getloadavg()
            seen = {root: [] for root in roots}
            for _ in range(runs):
                for root in roots:
                    seen[root].append(_phases_once(fmt, out, root, phase_file))
            load_after = os.getloadavg()
            for root in roots:
                rows = seen[root]
                print(json.dumps({
                    "format": fmt, "root": str(root), "runs": runs,
                    "phases_median_wall_cpu_s": {
                        name: [round(statistics.median(r[name][0] for r in rows), 3),
                               round(statistics.median(r[name][1] for r in rows), 3)] for name in PHASES},
                    "total_median_wall_cpu_s": [round(statistics.median(sum(w for w, _ in r.values()) for r in rows), 3),
                                                round(statistics.median(sum(c for _, c in r.values()) for r in rows), 3)],
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after],
                }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
