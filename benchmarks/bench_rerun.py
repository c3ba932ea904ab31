"""A whole rerun of the dashboard, profiled: what a slider move costs the server, script and sidebar included.

For each size the script writes a synthetic ACLED export (``bench_map.write_acled_csv``,
fixed seed), starts ``dashboard.py`` under Streamlit's ``AppTest`` with ``SAHEL_DATA``
set to it (curated and imported events shown, as a user bringing their file sees
them), runs it once (the import), then moves the date slider ``--moves`` times,
each move one rerun of the whole script: the data plumbing, the view, the counts,
the movements and bases, the layers, the map component's serialisation, the
sidebar and the header. Each rerun runs under ``cProfile`` (AppTest runs the
script in a thread of its own; the profiler is switched on in that thread).

Output: JSON lines: the machine and load average first; then per size
``first_run_s``, ``rerun_s`` (each move), ``rerun_median_s``, and ``top``: the
functions with the most cumulative time over the moves, in milliseconds per
rerun, from our code and the libraries it calls (``--top`` of them).

The start-up file limit (``geo.ui.MAX_UPLOAD_MB``, 200 MB) is raised for the run,
since a million synthetic events take 320 MB.

Usage::

    python benchmarks/bench_rerun.py                          # 100,000 and 1,000,000 events
    python benchmarks/bench_rerun.py --sizes 100000 --moves 10
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from bench_map import write_acled_csv  # noqa: E402

SIZES = (100_000, 1_000_000)
#: Frames whose time is reported: ours, and what a rerun calls in the libraries.
WATCHED = ("/geo/", "dashboard.py", "streamlit_folium", "/folium/", "/branca/", "pandas", "geopandas")


def profile_size(csv_path: Path, moves: int, top: int) -> dict:
    """Run the dashboard on ``csv_path`` under AppTest; profile ``moves`` slider reruns."""
    from streamlit.testing.v1 import AppTest, local_script_runner

    from geo import ui

    ui.MAX_UPLOAD_MB = max(ui.MAX_UPLOAD_MB, csv_path.stat().st_size // ui.MEGABYTE + 1)
    os.environ[ui.DATA_ENV] = str(csv_path)
    profiler = cProfile.Profile()
    profiling = {"on": False}
    run_thread = local_script_runner.LocalScriptRunner._run_script_thread

    def profiled(self) -> None:
        if not profiling["on"]:
            return run_thread(self)
        profiler.enable()
        try:
            return run_thread(self)
        finally:
            profiler.disable()

    local_script_runner.LocalScriptRunner._run_script_thread = profiled
    try:
        at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=900)
        start = time.perf_counter()
        at.run()
        first_run = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"the dashboard failed: {at.exception[0].message}")
        if at.error:
            # A refused start-up file leaves the curated events alone on the map: not what is measured.
            raise RuntimeError(f"the dashboard refused {csv_path.name}: {at.error[0].value}")
        at.run()  # the run the map's first report would cause
        profiling["on"] = True
        reruns = []
        for i in range(moves):
            slider = at.slider(key="w_date")
            slider.set_value(slider.value - timedelta(days=150 + 37 * i))  # the span is ten years
            start = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - start)
        in_view = next(m.value for m in at.metric if m.label == "Events in view")
    finally:
        local_script_runner.LocalScriptRunner._run_script_thread = run_thread
        ui.shared_import.clear()
        ui._startup_import.clear()
        ui._shared_combined.clear()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (_, _, _, cumulative, _) in stats.stats.items():
        if any(part in path for part in WATCHED):
            short = path.split("site-packages/")[-1].replace(str(REPO_ROOT) + "/", "")
            rows.append((cumulative, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    return {
        "first_run_s": round(first_run, 2),
        "rerun_s": [round(r, 3) for r in reruns],
        "rerun_median_s": round(statistics.median(reruns), 3),
        "events_in_view_last": in_view,
        "top": [[where, round(seconds * 1000 / moves, 1)] for seconds, where in rows[:top]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="event counts (default 100000,1000000)")
    parser.add_argument("--moves", type=int, default=8, help="slider reruns profiled per size (default 8)")
    parser.add_argument("--top", type=int, default=25, help="functions listed per size (default 25)")
    parser.add_argument(
        "--csv", type=Path, action="append", help="profile on this ACLED CSV (repeatable), not synthetic ones"
    )
    opts = parser.parse_args(argv)
    print(json.dumps({"machine": platform.machine(), "cpu_count": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 2), "python": platform.python_version()}),
          flush=True)  # fmt: skip
    for path in opts.csv or []:
        print(json.dumps({"file": str(path), **profile_size(path, opts.moves, opts.top),
                          "load_avg_1m": round(os.getloadavg()[0], 2)}), flush=True)  # fmt: skip
    if opts.csv:
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as folder:
        for n in (int(s.replace("_", "")) for s in opts.sizes.split(",")):
            path = Path(folder) / f"acled_synthetic_{n}.csv"
            write_acled_csv(path, n)
            line = {"n_events": n, **profile_size(path, opts.moves, opts.top)}
            line["load_avg_1m"] = round(os.getloadavg()[0], 2)
            print(json.dumps(line), flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
