"""Import speed and memory: ``geo.importers.import_table`` on synthetic ACLED exports, each in a fresh process.

Files (written to a temporary folder with ``bench_map.write_acled_csv``'s fixed
seed: ACLED's column names and value shapes, every point inside its country):

``acled``
    ``n`` events that all validate (10,000 with ``--quick``; 100,000 and
    1,000,000 by default).
``outside``
    the same 10,000 (or ``--outside`` N) events, with 80% of the rows naming
    another of the three countries (name and ISO code), so that most points lie
    outside the country the row names: the path a refusal takes (issue 15:
    such a file of 3,822 rows took 52-61 s where others took 1-5 s).

For each file a fresh Python process imports it and reports the wall time of
``import_table`` alone and its CPU time (user + system, every thread: Arrow
parses on several), the rows read, kept and refused, rows per second, and
the process's peak resident memory (``VmHWM``: what the import added to an
interpreter that has already imported geo.importers' dependencies is
``peak_mb - start_mb``). The machine's load average (``os.getloadavg``) is
printed before and after every file: with other jobs on the machine the wall
time grows (the CPU time much less), so read them with it.

The target (issue 16 item 4) is a million-row ACLED file in at most 5 s and
1 GB of peak RSS on a quiet machine; for that file the ratios to both are
printed (above 1 misses).

Usage::

    python benchmarks/bench_import.py                   # 100,000 and 1,000,000 rows, and the outside file
    python benchmarks/bench_import.py --sizes 1000000   # only these sizes
    python benchmarks/bench_import.py --quick           # 10,000 rows: a few seconds
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

SIZES = (100_000, 1_000_000)
#: Issue 16 item 4: a million ACLED rows in at most this wall time and peak RSS.
TARGET_ROWS, TARGET_S, TARGET_MB = 1_000_000, 5.0, 1000
QUICK_SIZES = (10_000,)
OUTSIDE_ROWS = 10_000
QUICK_OUTSIDE_ROWS = 2_000
# The three countries of the synthetic data: a row moved to the next one names the wrong country.
_NEXT = {"Mali": ("Niger", "562"), "Niger": ("Burkina Faso", "854"), "Burkina Faso": ("Mali", "466")}


def _memory_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(path: str) -> dict:
    """Import ``path`` once in this process; what it took."""
    from geo.importers import import_table

    start_mb = _memory_mb("VmRSS")
    cpu = _cpu_seconds()
    started = time.perf_counter()
    result = import_table(path, max_bytes=2_000_000_000)  # a million synthetic rows are ~320 MB
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "rows_read": result.rows_read,
        "rows_kept": len(result.events),
        "rows_refused": len({p.row for p in result.problems if p.row is not None}),
        "start_mb": round(start_mb),
        "peak_mb": round(_memory_mb("VmHWM")),
    }


def write_outside(source: Path, path: Path, rows: int) -> None:
    """Copy the first ``rows`` of ``source``, 80% of them naming the wrong country (name and ISO code)."""
    with open(source, encoding="utf-8", newline="") as handle, open(path, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(handle)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i == rows:
                break
            if i % 5:
                row["country"], row["iso"] = _NEXT[row["country"]]
            writer.writerow(row)


def _run(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(path)], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker failed on {path.name}:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", help="comma-separated row counts of the valid files (default 100000,1000000)")
    parser.add_argument("--outside", type=int, help=f"rows of the outside file (default {OUTSIDE_ROWS:,})")
    parser.add_argument("--quick", action="store_true", help="10,000 rows and a 2,000-row outside file")
    parser.add_argument("--keep", type=Path, help="write the synthetic files into this folder and keep them")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0

    from bench_map import write_acled_csv

    sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(",")) if args.sizes else None
    sizes = sizes or (QUICK_SIZES if args.quick else SIZES)
    outside_rows = args.outside or (QUICK_OUTSIDE_ROWS if args.quick else OUTSIDE_ROWS)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"cpu_count {os.cpu_count()}; python {sys.version.split()[0]}")
    files = []
    for n in sizes:
        path = folder / f"acled_synthetic_{n}.csv"
        if not path.exists():
            write_acled_csv(path, n)
        files.append(("acled", path))
    base = folder / f"acled_synthetic_{max(outside_rows, 10_000)}.csv"
    if not base.exists():
        write_acled_csv(base, max(outside_rows, 10_000))
    outside = folder / f"acled_outside_{outside_rows}.csv"
    write_outside(base, outside, outside_rows)
    files.append(("outside", outside))

    for kind, path in files:
        before = _load()
        measured = _run(path)
        rate = measured["rows_read"] / measured["seconds"] if measured["seconds"] else float("inf")
        target = ""
        if kind == "acled" and measured["rows_read"] == TARGET_ROWS:
            target = (
                f"; target {TARGET_S:g} s and {TARGET_MB:,} MB: wall x{measured['seconds'] / TARGET_S:.2f}, "
                f"peak x{measured['peak_mb'] / TARGET_MB:.2f}"
            )
        print(
            f"{kind:8} {measured['rows_read']:>9,} rows read, {measured['rows_kept']:>9,} kept, "
            f"{measured['rows_refused']:>7,} refused: wall {measured['seconds']:6.2f} s, "
            f"CPU {measured['cpu_seconds']:6.2f} s, {rate:>9,.0f} rows/s, "
            f"peak {measured['peak_mb']:,} MB (interpreter {measured['start_mb']:,} MB); "
            f"{path.stat().st_size / 1e6:,.1f} MB file; load average {before} before, {_load()} after{target}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
