"""Time to first map: a target page against the bare one-map page, in Debian's Chromium, offline.

Starts two Streamlit servers in the same run, ``benchmarks/bare_map_page.py``
and the target (``dashboard.py`` unless ``--target``), and loads each page
several times, alternating which goes first in each round. One sample is the
time from ``page.goto`` to

* bare page: ``.leaflet-container`` visible in the st_folium iframe;
* target: a ``.leaflet-container`` holding at least one visible
  ``path.leaflet-interactive`` (an SVG vector layer: GeoJson, CircleMarker,
  PolyLine...) in the first st_folium iframe.

Each sample uses a fresh browser context (cold browser cache) routed through
``tests/browser/offline.py``, exactly as the tier-3 tests are; the first
``--warmup`` rounds are dropped (they include the servers' first imports).

Prints one JSON line per page (median, min, max seconds and the samples), then
one line with the ratio of the medians, target / bare, and the load average
before and after the runs.

With ``--root PATH`` the target page of another checkout (an older commit in a
``git worktree``) is loaded in the same rounds, so that before and after are
measured back to back against the same bare page; its ratio is printed too.

Usage: ``python benchmarks/bench_first_map.py [--target dashboard.py] [--rounds 5] [--root /tmp/wt_before]``
Needs ``/usr/bin/chromium`` and ``npm ci --prefix tests/browser``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

from harness import FOLIUM_IFRAME, StreamlitServer, launch_chromium, new_offline_page  # noqa: E402

BARE = "benchmarks/bare_map_page.py"
BARE_READY = ".leaflet-container"
TARGET_READY = ".leaflet-container path.leaflet-interactive >> visible=true"


def time_first_map(browser, url: str, ready: str, timeout_ms: float):
    """Load ``url`` in a fresh offline context; return seconds until ``ready`` shows, and the router."""
    page = new_offline_page(browser)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        page.frame_locator(FOLIUM_IFRAME).first.locator(ready).first.wait_for(state="visible", timeout=timeout_ms)
        return time.perf_counter() - start, page.offline
    finally:
        page.context.close()


def summary(name: str, script: str, samples: list[float]) -> dict:
    """Return the JSON-ready summary of one page's samples (seconds)."""
    return {
        "page": name,
        "script": script,
        "rounds": len(samples),
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "samples_s": [round(s, 3) for s in samples],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="dashboard.py", help="page to compare with the bare map page")
    parser.add_argument("--rounds", type=int, default=5, help="measured loads of each page")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per load")
    parser.add_argument("--root", type=Path, help="also time the target page of this checkout (e.g. an older commit)")
    opts = parser.parse_args(argv)
    if opts.rounds < 1:
        parser.error(f"--rounds must be at least 1, not {opts.rounds!r}")

    if not (REPO_ROOT / opts.target).is_file():
        parser.error(f"--target {opts.target!r} is not a file under {REPO_ROOT}")

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    if opts.root is not None and not (opts.root / opts.target).is_file():
        parser.error(f"--root {str(opts.root)!r} holds no {opts.target!r}")

    pages = {"bare": (BARE, BARE_READY), "target": (opts.target, TARGET_READY)}
    roots = {"bare": REPO_ROOT, "target": REPO_ROOT}
    if opts.root is not None:
        pages["other"] = (opts.target, TARGET_READY)
        roots["other"] = opts.root.resolve()
    samples: dict[str, list[float]] = {name: [] for name in pages}
    refused: set[str] = set()
    stubbed: set[str] = set()
    # Said once at the end rather than once per sample.
    logging.getLogger("offline").setLevel(logging.ERROR)
    timeout_ms = opts.timeout * 1000
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        urls = {
            name: stack.enter_context(StreamlitServer(script, root=roots[name])).url
            for name, (script, _) in pages.items()
        }
        p = stack.enter_context(sync_playwright())
        browser = launch_chromium(p)
        names = list(pages)
        try:
            for i in range(opts.warmup + opts.rounds):
                # Rotate the order so that no page always runs on a warmer machine.
                shift = i % len(names)
                for name in names[shift:] + names[:shift]:
                    try:
                        seconds, router = time_first_map(browser, urls[name], pages[name][1], timeout_ms)
                    except PlaywrightTimeout:
                        print(
                            f"{pages[name][0]}: no {pages[name][1]!r} visible in an st_folium iframe "
                            f"within {opts.timeout:.0f} s",
                            file=sys.stderr,
                        )
                        return 1
                    refused.update(router.aborted_cdn_assets)
                    stubbed.update(router.stubbed)
                    if i >= opts.warmup:
                        samples[name].append(seconds)
        finally:
            browser.close()

    for name, (script, _) in pages.items():
        print(json.dumps({**summary(name, script, samples[name]), "root": str(roots[name])}))
    bare_median = statistics.median(samples["bare"])
    ratios = {f"ratio_{name}_over_bare": round(statistics.median(samples[name]) / bare_median, 2) for name in pages}
    ratios.pop("ratio_bare_over_bare")
    first = {"ratio_target_over_bare": ratios.pop("ratio_target_over_bare")}
    load = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps({**first, **ratios, **load}))
    if stubbed:
        print(f"note: served empty (no npm equivalent): {sorted(stubbed)}", file=sys.stderr)
    if refused:
        print(f"warning: CDN assets refused (not in tests/browser/node_modules): {sorted(refused)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
