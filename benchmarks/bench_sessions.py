"""Many readers on one server: its memory with 1, 5, 10 and 20 browser sessions, and after they close.

Starts ``streamlit run dashboard.py`` with ``SAHEL_DATA`` set to a synthetic
ACLED export (``bench_map.write_acled_csv``, fixed seed; 100,000 events unless
``--events`` or ``--csv``), then opens browser sessions in Debian's Chromium,
offline (``tests/browser/offline.py``, as the tier-3 tests), each in its own
context (a new Streamlit session) and on its own link: a different date or
window, countries and types, read by the dashboard from the URL.

Phases
    The sessions are opened in steps up to 1, 5, 10 and 20 open at once
    (``--phases``); a step's new sessions load concurrently. Each phase
    reports the server's RSS once every session has drawn its map and the app
    is idle (``rss_mb``) and the highest RSS sampled during the phase
    (``peak_rss_mb``, every 0.2 s), and per new session its time to first map
    (from navigation start until the file's marks are in the map's iframe, by
    the browser's clock) and whether its "Events in view" and "Fatalities
    reported" equal those computed offline for its view
    (``geo.filters.filter_events`` on the same file imported here).
After
    Every context is closed, then the RSS is read again after ``--after``
    seconds (default 60). Streamlit keeps a closed session for
    ``server.disconnectedSessionTTL`` (120 s by default) in case it
    reconnects, so what a session holds outlives it by that much.

The last line gives the ratios the target is about: ``rss_ratio_20_over_1``
(target ≤ 1.3) and ``after_close_over_1`` (memory returned: near 1, not near
the 20-session figure). With ``--servers 2`` the sessions alternate between two
servers on the same file, and each server's RSS and PSS (its share of pages
mapped by several processes) are reported: how two processes behind a load
balancer cost on one machine.

Upload (``--upload FILE``)
    Instead of the phases: a server with no start-up file, one session that
    opens "Data: bring your own" and uploads FILE through the page's file
    input, as a person would. Reports the RSS before, the peak while the file
    is sent and imported, the RSS kept once the import is shown, and the RSS
    ``--after`` seconds after the session closed.

Output: JSON lines, the machine and load average first, the load average on
every line (other work on the machine shows in the numbers).

Usage::

    python benchmarks/bench_sessions.py                       # 100,000 events, 1/5/10/20 sessions
    python benchmarks/bench_sessions.py --phases 1,5 --after 10
    python benchmarks/bench_sessions.py --servers 2 --phases 2,10
    python benchmarks/bench_sessions.py --upload acled_600k.csv

Needs ``/usr/bin/chromium`` and ``npm ci --prefix tests/browser``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))
sys.path.insert(0, str(REPO_ROOT))

import psutil  # noqa: E402
from bench_map import write_acled_csv  # noqa: E402
from harness import APP_IDLE, StreamlitServer, launch_chromium, new_offline_page  # noqa: E402

from geo.view import View  # noqa: E402

PHASES = (1, 5, 10, 20)
MARKS = "path.aggregate-mark, path.event-mark"
COUNTRIES = ((), ("MLI",), ("BFA",), ("NER",), ("MLI", "NER"))
TYPES = ((), ("attack",), ("massacre", "protest"), ("statement",))

# In the session's page: poll the map's iframe (same origin; its document is written in place, so an
# observer set up in it at creation does not survive) and note when it first holds a mark.
FIRST_MAP_HOOK = f"""(() => {{
    if (window !== window.top) return;
    const timer = setInterval(() => {{
        for (const frame of document.querySelectorAll("iframe")) {{
            let doc = null;
            try {{ doc = frame.contentDocument; }} catch (e) {{ continue; }}
            if (doc && doc.querySelector("{MARKS}")) {{
                window.__firstMap = Date.now();
                clearInterval(timer);
                return;
            }}
        }}
    }}, 50);
}})()"""
FIRST_MAP_S = "() => (window.__firstMap - performance.timeOrigin) / 1000"
FIRST_MAP_SEEN = "() => !!window.__firstMap"


def load() -> float:
    """Return the 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def session_views(n: int, first, last) -> list:
    """Return ``n`` different views over the data's span: dates, windows, countries and types."""

    views = []
    for i in range(n):
        day = first + (last - first) * (0.35 + 0.6 * ((i * 7) % n) / max(n - 1, 1))
        countries, types = COUNTRIES[i % len(COUNTRIES)], TYPES[(i // len(COUNTRIES)) % len(TYPES)]
        if i % 3 == 2:  # every third a window of a year or so
            start = day - (last - first) * (0.08 + 0.01 * (i % 5))
            views.append(View(as_of=day, mode="window", date_from=start, date_to=day,
                                      countries=countries, types=types))  # fmt: skip
        else:
            views.append(View(as_of=day, countries=countries, types=types))
    return views


class RssSampler:
    """Sample the RSS of some processes every ``interval`` seconds in a thread; keep the highest sum per phase."""

    def __init__(self, pids: list[int], interval: float = 0.2) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> list[int]:
        """Return each process's RSS in bytes now."""
        return [p.memory_info().rss for p in self.processes]

    def pss(self) -> list[int]:
        """Return each process's PSS in bytes now (shared pages split between the processes mapping them)."""
        return [p.memory_full_info().pss for p in self.processes]

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.peak = max(self.peak, sum(self.rss()))
            except psutil.Error:
                return

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def take_peak(self) -> int:
        """Return the highest RSS since the last call, and start a new phase."""
        peak, self.peak = max(self.peak, sum(self.rss())), 0
        return peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def expected_counts(csv_path: Path, views: list) -> list[dict]:
    """Return the counts each view should show, computed here from the same file (curated and imported)."""
    from geo import filters
    from geo.events import combine_events, load_events
    from geo.importers import import_table

    events = combine_events(load_events(), import_table(csv_path).events)
    return [filters.summary_counts(filters.filter_events(events, view)) for view in views]


def _metric(page, label: str) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().strip().replace(",", ""))


def open_session(browser, url: str, view):
    """Open a context on ``url`` with the view's query parameters; return the page (not waited for)."""
    page = new_offline_page(browser)
    page.add_init_script(FIRST_MAP_HOOK)
    page.goto(f"{url}?{urlencode(view.to_params(), doseq=True)}", wait_until="commit", timeout=60_000)
    return page


def wait_drawn(page, timeout_s: float) -> float:
    """Wait until the session's map holds its marks and the app is idle; return the time to first map."""
    page.wait_for_function(FIRST_MAP_SEEN, polling=200, timeout=timeout_s * 1000)
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout_s * 1000)
    # The map reports its centre once drawn, which reruns the script: read the counts after that run.
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=timeout_s * 1000)
    page.wait_for_timeout(1000)
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout_s * 1000)
    return float(page.evaluate(FIRST_MAP_S))


def measure_upload(path: Path, opts) -> None:
    """Upload ``path`` in one session of a server started without data; print the RSS it costs and keeps."""
    from playwright.sync_api import sync_playwright

    mb = lambda value: round(value / 2**20)  # noqa: E731
    with StreamlitServer("dashboard.py", env={"SAHEL_DATA": ""}, timeout=120) as server, sync_playwright() as p:
        sampler = RssSampler([server.proc.pid]).start()
        browser = launch_chromium(p)
        try:
            page = new_offline_page(browser)
            page.add_init_script(FIRST_MAP_HOOK)
            page.goto(server.url, wait_until="commit", timeout=60_000)
            wait_drawn(page, opts.timeout)
            page.get_by_text("Data: bring your own").click()
            page.wait_for_timeout(1000)
            page.locator(APP_IDLE).wait_for(state="attached", timeout=opts.timeout * 1000)
            before = sum(sampler.rss())
            sampler.take_peak()
            start = time.perf_counter()
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
            page.get_by_text(f"{path.name}: ").first.wait_for(timeout=opts.timeout * 1000)
            page.locator(APP_IDLE).wait_for(state="attached", timeout=opts.timeout * 1000)
            loaded_s = time.perf_counter() - start
            message = page.get_by_text(f"{path.name}: ").first.inner_text()
            page.wait_for_timeout(5000)
            kept, peak = sum(sampler.rss()), sampler.take_peak()
            in_view = _metric(page, "Events in view")
            page.context.close()
            time.sleep(opts.after)
            after = sum(sampler.rss())
        finally:
            browser.close()
            sampler.stop()
    print(json.dumps({
        "upload": str(path), "bytes": path.stat().st_size, "load_avg_1m": load(), "seconds_to_loaded": round(loaded_s, 1),
        "message": message.splitlines()[0][:200], "events_in_view": in_view, "rss_mb_before": mb(before),
        "peak_rss_mb": mb(peak), "rss_mb_kept": mb(kept), "kept_over_before": round(kept / before, 2),
        "after_close_s": opts.after, "rss_mb_after_close": mb(after),
    }), flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the synthetic file (default 100000)")
    parser.add_argument("--csv", type=Path, help="serve this ACLED CSV instead of a synthetic one")
    parser.add_argument("--phases", default=",".join(map(str, PHASES)), help="sessions open at each phase")
    parser.add_argument("--after", type=float, default=60.0, help="seconds after closing to read the RSS again")
    parser.add_argument("--servers", type=int, default=1, help="servers on the same file, sessions alternating")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed for a session's first map")
    parser.add_argument("--upload", type=Path, help="measure one session uploading this file instead of the phases")
    opts = parser.parse_args(argv)
    if opts.upload:
        if not opts.upload.is_file():
            parser.error(f"--upload {str(opts.upload)!r} is not a file")
        print(json.dumps({"machine": platform.machine(), "cpu_count": os.cpu_count(), "load_avg_1m": load()}))
        logging.getLogger("offline").setLevel(logging.ERROR)
        measure_upload(opts.upload, opts)
        return 0
    phases = sorted({int(p) for p in opts.phases.split(",")})
    if phases[0] < 1 or opts.servers < 1:
        parser.error("--phases and --servers must be at least 1")

    from importlib.metadata import version

    from playwright.sync_api import sync_playwright

    from geo import filters

    logging.getLogger("offline").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    csv_path = opts.csv or folder / f"acled_synthetic_{opts.events}.csv"
    if not csv_path.exists():
        write_acled_csv(csv_path, opts.events)
    from geo.importers import import_table

    imported = import_table(csv_path).events
    first, last = filters.date_bounds(imported)
    views = session_views(phases[-1], first, last)
    expected = expected_counts(csv_path, views)
    del imported

    env = {"SAHEL_DATA": str(csv_path)}
    servers = [StreamlitServer("dashboard.py", env=env, timeout=120) for _ in range(opts.servers)]
    try:
        for server in servers:
            server.start()
        sampler = RssSampler([s.proc.pid for s in servers]).start()
        mb = lambda values: [round(v / 2**20) for v in values]  # noqa: E731
        started = mb(sampler.rss())
        print(json.dumps({
            "machine": platform.machine(), "cpu_count": os.cpu_count(), "load_avg_1m": load(),
            "python": platform.python_version(), "streamlit": version("streamlit"), "file": str(csv_path),
            "events": None if opts.csv else opts.events, "servers": opts.servers, "phases": phases,
            "rss_mb_started": started,
        }), flush=True)  # fmt: skip
        pages, results = [], {}
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                for n in phases:
                    new = range(len(pages), n)
                    opened = [(i, open_session(browser, servers[i % len(servers)].url, views[i])) for i in new]
                    sessions = []
                    for i, page in opened:
                        first_map = wait_drawn(page, opts.timeout)
                        shown = {"events": _metric(page, "Events in view"),
                                 "fatalities": _metric(page, "Fatalities reported")}  # fmt: skip
                        want = {k: expected[i][k] for k in shown}
                        sessions.append({"session": i, "server": i % len(servers), "first_map_s": round(first_map, 2),
                                         "counts_match": shown == want, "shown": shown, "expected": want,
                                         "view": views[i].to_params()})  # fmt: skip
                        pages.append(page)
                    rss = mb(sampler.rss())
                    line = {"phase": n, "sessions_open": len(pages), "load_avg_1m": load(), "rss_mb": sum(rss),
                            "rss_mb_per_server": rss, "pss_mb_per_server": mb(sampler.pss()),
                            "peak_rss_mb": round(sampler.take_peak() / 2**20),
                            "first_map_s": [s["first_map_s"] for s in sessions],
                            "counts_match": all(s["counts_match"] for s in sessions), "sessions": sessions}  # fmt: skip
                    results[n] = line
                    print(json.dumps(line), flush=True)
                for page in pages:
                    page.context.close()
                time.sleep(opts.after)
                after = mb(sampler.rss())
            finally:
                browser.close()
        sampler.stop()
        one, most = results[phases[0]]["rss_mb"], results[phases[-1]]["rss_mb"]
        print(json.dumps({
            "after_close_s": opts.after, "load_avg_1m": load(), "rss_mb_after_close": sum(after),
            "rss_mb_after_close_per_server": after,
            f"rss_ratio_{phases[-1]}_over_{phases[0]}": round(most / one, 2),
            f"after_close_over_{phases[0]}": round(sum(after) / one, 2),
            "all_counts_match": all(r["counts_match"] for r in results.values()),
        }), flush=True)  # fmt: skip
    finally:
        for server in servers:
            server.stop()
        if not opts.csv:
            csv_path.unlink(missing_ok=True)
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
