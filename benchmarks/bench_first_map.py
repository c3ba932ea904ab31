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
one line with the ratio of the medians, target / bare.

Usage: ``python benchmarks/bench_first_map.py [--target dashboard.py] [--rounds 5]``
Needs ``/usr/bin/chromium`` and ``npm ci --prefix tests/browser``.
"""

from __future__ import annotations

import argparse
import json
import logging
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
    opts = parser.parse_args(argv)
    if opts.rounds < 1:
        parser.error(f"--rounds must be at least 1, not {opts.rounds!r}")

    if not (REPO_ROOT / opts.target).is_file():
        parser.error(f"--target {opts.target!r} is not a file under {REPO_ROOT}")

    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    pages = {"bare": (BARE, BARE_READY), "target": (opts.target, TARGET_READY)}
    samples: dict[str, list[float]] = {"bare": [], "target": []}
    refused: set[str] = set()
    stubbed: set[str] = set()
    # Said once at the end rather than once per sample.
    logging.getLogger("offline").setLevel(logging.ERROR)
    timeout_ms = opts.timeout * 1000
    with StreamlitServer(BARE) as bare, StreamlitServer(opts.target) as target, sync_playwright() as p:
        urls = {"bare": bare.url, "target": target.url}
        browser = launch_chromium(p)
        try:
            for i in range(opts.warmup + opts.rounds):
                # Alternate the order so that neither page always runs on a warmer machine.
                for name in ("bare", "target") if i % 2 == 0 else ("target", "bare"):
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
        print(json.dumps(summary(name, script, samples[name])))
    ratio = statistics.median(samples["target"]) / statistics.median(samples["bare"])
    print(json.dumps({"ratio_target_over_bare": round(ratio, 2)}))
    if stubbed:
        print(f"note: served empty (no npm equivalent): {sorted(stubbed)}", file=sys.stderr)
    if refused:
        print(f"warning: CDN assets refused (not in tests/browser/node_modules): {sorted(refused)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
