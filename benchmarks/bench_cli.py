"""Time ``python -m geo.snapshot`` for the curated data: one fresh process per run, as a script's loop runs it.

For each format asked for, prints one JSON object per line: the median and best wall time, the median CPU
and best CPU time (user + system, from each child's rusage, which a busy machine inflates less than
the wall time), the peak RSS, and the load average around the runs; then the slowest imports of one run (``-X importtime``).
The target (issue 16.3) is a PNG in 2 s or less on a quiet machine.

    python benchmarks/bench_cli.py                   # png and csv, 5 runs each
    python benchmarks/bench_cli.py --formats png --runs 9
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


def main() -> int:
    """Run the benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="png,csv", help="comma-separated export formats (default png,csv)")
    parser.add_argument("--runs", type=int, default=5, help="runs per format (default 5)")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
