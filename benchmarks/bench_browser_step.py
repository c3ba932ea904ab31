"""Slider step in a real browser: from a key press on the date slider to the redrawn map, in Debian's Chromium.

Measures the target "in a real browser, the map updates within a second of a
slider move at 100,000 events". For each size the script writes a synthetic
ACLED export (``bench_map.write_acled_csv``, fixed seed) into a temporary
folder, or takes ``--csv FILE``, and starts ``streamlit run dashboard.py`` with
``SAHEL_DATA`` set to it, as a user bringing their own file would. *Show*
stays at its default, curated and imported events together, unless ``--show``
picks another choice of the sidebar's radio. The browser runs offline, through
``tests/browser/offline.py``, exactly as the tier-3 tests do.

First load
    ``first_load_s``: from ``page.goto`` on the fresh server (the file is
    imported then, and the script's modules too) until the file's marks (``path.aggregate-mark`` or
    ``path.event-mark``) are visible in the st_folium iframe *and* the app has
    finished its run; ``first_map_s``: until the marks alone.
    ``first_load_warm_s``: the same in a second browser context (a new
    session; Streamlit's cache holds the import).

One move
    The slider's thumb is focused and one key pressed, ``Shift+ArrowLeft`` or
    ``Shift+ArrowRight`` (a tenth of the span, react-aria's page step; PageUp and
    PageDown move a week in the dashboard), turning at either end, so that the moves
    sweep the span back and forth; or, with ``--input buttons``, one click on
    "◀ Previous" then "Next ▶". The sample is the wall time from just before
    the key press (or click) until all of these hold:

    * the URL's ``date=`` is the slider's new date (the dashboard publishes it
      from the sidebar, which runs after the map) and the app's script state
      is ``notRunning``: the rerun for the move has finished;
    * the st_folium iframe has received that rerun's map: streamlit-folium's
      render listener has run (a listener of ours, added after it, notes
      when) and, when the layers' script changed, none of the previous marks'
      SVG paths is still in the document and every path of the layers now on
      the map is: Leaflet has swapped the layers. Checked at every animation
      frame. When the count in view did not change, Streamlit may send the
      iframe nothing (the same map): the iframe gets ``GRACE_S`` to show
      otherwise, the sample stops when the rerun finished, and the move is
      listed in ``moves_map_unchanged`` and left out of the statistics;
    * then nothing more happens for ``--quiet`` seconds. If a rerun or a
      render starts within that window (a replaced iframe reports its centre,
      which reruns the script), the sample runs on to the end of it; the
      quiet window itself is not counted. Such moves are listed in
      ``extended_moves``.

    When Streamlit replaces the st_folium iframe during a move (listed in
    ``iframe_reloads``), the sample runs until the new iframe has drawn the
    view's layers.

    So a sample holds the server's rerun, the websocket, Streamlit's frontend,
    the iframe's ``eval`` of the new layers and Leaflet's SVG drawing; it
    includes the CDP round trips of the key press and of the checks (a few
    milliseconds), and the paint of the new paths only up to the animation
    frame that saw them. Timestamps taken inside the browser split it:
    ``map_median_s`` from the ``keydown`` (or ``pointerdown``) to the iframe's
    render of the new layers, ``idle_median_s`` to the end of the last script
    run.

Each size also reports whether the map kept its element, pan and zoom over the
moves (``map_kept``; a replaced iframe does not), how many feature groups the
iframe's ``window.feature_group`` holds at the end (streamlit-folium 0.27
appends to it at every swap and never empties it), the reruns per move, errors
in the browser console (also printed on stderr), and the "Events in view" and
marks drawn at each move.

Output: one JSON object per line: the machine first (``cpu_count``, the load
average at the start: other work on the machine shows in the numbers), then
one per size with ``n_events`` (with ``--csv``: the file's rows), ``moves``,
``median_s``, ``p95_s``, ``max_s``, ``samples_s`` and the rest above.

Usage::

    python benchmarks/bench_browser_step.py                      # 100,000 events, 20 moves
    python benchmarks/bench_browser_step.py --sizes 10000,100000 --moves 20
    python benchmarks/bench_browser_step.py --csv my_acled_export.csv --show imported

Needs ``/usr/bin/chromium`` and ``npm ci --prefix tests/browser``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))
sys.path.insert(0, str(REPO_ROOT))

from bench_map import write_acled_csv  # noqa: E402
from harness import (  # noqa: E402
    APP_IDLE,
    FOLIUM_IFRAME,
    StreamlitServer,
    folium_frame,
    launch_chromium,
    new_offline_page,
)
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

SIZES = (100_000,)
SLIDER = "[data-testid='stSlider'] input[type='range']"
MARKS = "path.aggregate-mark, path.event-mark"
SHOW_LABELS = {"both": "Curated and imported", "imported": "Imported only", "curated": "Curated only"}
#: Seconds the iframe has, after a rerun that kept the count in view, to show that its layers changed.
GRACE_S = 1.0

# Main page: the last input and every change of the script state, by the browser's clock.
MAIN_HOOKS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__bench = {input: null, states: []};
    const input = () => { window.__bench.input = Date.now(); };
    document.addEventListener("keydown", input, true);
    document.addEventListener("pointerdown", input, true);
    new MutationObserver(() => window.__bench.states.push([app.getAttribute("data-test-script-state"), Date.now()]))
        .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
RESET_MAIN = "() => { window.__bench.input = null; window.__bench.states = []; }"
# Iframe: streamlit-folium swaps the layers synchronously in its render listener; ours, added later,
# runs after it and notes each render and whether the layers' script changed.
FRAME_HOOKS = """() => {
    const bench = window.__benchMap = {fg: window.__GLOBAL_DATA__.last_feature_group, renders: []};
    window.Streamlit.events.addEventListener(window.Streamlit.RENDER_EVENT, () => {
        const fg = window.__GLOBAL_DATA__.last_feature_group;
        bench.renders.push([Date.now(), fg !== bench.fg]);
        bench.fg = fg;
    });
}"""
RENDERS = "() => window.__benchMap.renders"
# The SVG paths of the layers st_folium has on the map now (marks sit inside GeoJson layers: recurse).
LIVE_PATHS = """() => {
    const paths = [];
    const visit = (layer) => {
        if (layer._path) paths.push(layer._path);
        if (layer.eachLayer) layer.eachLayer(visit);
    };
    for (const group of window.feature_group || []) if (window.map.hasLayer(group)) visit(group);
    return paths;
}"""
# The map exists, has evaluated its layers, and every path of them is in the document.
FRAME_READY = f"""() => !!(window.map && window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.last_feature_group !== null
    && ({LIVE_PATHS})().every((p) => p.isConnected))"""
# Before a move: remember the layers' script and the paths now drawn; return the renders so far.
FRAME_BEFORE = f"""() => {{
    window.__benchPrevFg = window.__GLOBAL_DATA__.last_feature_group;
    window.__benchOld = ({LIVE_PATHS})();
    return window.__benchMap.renders.length;
}}"""
# After a move: the map got a render; if its layers changed, the old paths have left the document and the
# new ones are in it.
FRAME_UPDATED = f"""(before) => {{
    if (window.__benchMap.renders.length <= before) return false;
    if (window.__GLOBAL_DATA__.last_feature_group === window.__benchPrevFg) return true;
    if (window.__benchOld.some((p) => p.isConnected)) return false;
    return ({LIVE_PATHS})().every((p) => p.isConnected);
}}"""
# No render since the move, and the same layers' script as before it.
SAME_LAYERS = """(before) => window.__benchMap.renders.length === before
    && window.__GLOBAL_DATA__.last_feature_group === window.__benchPrevFg"""
LAYERS_CHANGED = "() => window.__GLOBAL_DATA__.last_feature_group !== window.__benchPrevFg"
MAIN_DONE = f"""([expected, previous]) => {{
    if (!document.querySelector("{APP_IDLE}")) return false;
    const day = new URLSearchParams(location.search).get("date");
    return expected ? day === expected : day !== previous;
}}"""
IDLE = f"""() => !!document.querySelector("{APP_IDLE}")"""
# Polled in the main page: a rerun started, the iframe rendered, or the iframe was replaced.
NOT_QUIET = f"""([runs, renders]) => {{
    const frame = document.querySelector("{FOLIUM_IFRAME}");
    const map = frame && frame.contentWindow && frame.contentWindow.__benchMap;
    return window.__bench.states.length !== runs || !map || map.renders.length !== renders;
}}"""
SLIDER_DAY = "(el) => new Date(Number(el.value) / 1000).toISOString().slice(0, 10)"


class BenchError(RuntimeError):
    """A wait timed out or the page did something the benchmark does not expect."""


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def _url_date(page) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('date')")


def _in_view(page) -> int:
    """Return the header's "Events in view"."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Events in view")
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().strip().replace(",", ""))


def attach_frame(page, timeout_s: float):
    """Return the st_folium iframe's frame once its map has drawn its layers, with our render listener in it."""
    frame = folium_frame(page, timeout=timeout_s * 1000)
    frame.wait_for_function(FRAME_READY, polling="raf", timeout=timeout_s * 1000)
    frame.evaluate(FRAME_HOOKS)
    return frame


def settle(page, frame, quiet_s: float, timeout_s: float):
    """Follow the reruns and renders that start until none has for ``quiet_s`` seconds.

    Returns the map's frame (a new one if the iframe was replaced), the ``perf_counter`` time at which the
    last of them had finished (None if there was none) and what they were.
    """
    deadline = time.monotonic() + timeout_s
    finished, seen = None, []
    while True:
        runs = page.evaluate("() => window.__bench.states.length")
        try:
            renders = len(frame.evaluate(RENDERS))
            page.wait_for_function(NOT_QUIET, arg=[runs, renders], polling="raf", timeout=quiet_s * 1000)
        except PlaywrightTimeout:
            return frame, finished, seen
        except PlaywrightError:
            if not frame.is_detached():
                raise
        if time.monotonic() > deadline:
            raise BenchError(f"the page did not stay still for {quiet_s} s within {timeout_s:.0f} s: {seen}")
        page.wait_for_function(IDLE, polling="raf", timeout=timeout_s * 1000)
        if frame.is_detached() or not frame.evaluate("() => !!window.__benchMap"):
            frame = attach_frame(page, timeout_s)
            seen.append("iframe replaced")
        else:
            frame.wait_for_function(FRAME_READY, polling="raf", timeout=timeout_s * 1000)
            seen.append("rerun" if page.evaluate("() => window.__bench.states.length") != runs else "render")
        finished = time.perf_counter()


def load_page(browser, url: str, timeout_s: float, console: list[str]):
    """Open ``url`` in a fresh offline context; return (page, frame, seconds to marks, seconds to marks and idle)."""
    page = new_offline_page(browser)
    page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    frame = folium_frame(page, timeout=timeout_s * 1000)
    frame.locator(MARKS).first.wait_for(state="visible", timeout=timeout_s * 1000)
    first_map = time.perf_counter() - start
    page.wait_for_function(IDLE, polling="raf", timeout=timeout_s * 1000)
    return page, frame, first_map, time.perf_counter() - start


def _describe_wait(page, frame, expected: str | None, before: int) -> str:
    """Say which end condition of a move failed (for the timeout message)."""
    updated = "(iframe replaced)" if frame.is_detached() else frame.evaluate(FRAME_UPDATED, before)
    return (
        f"URL date {_url_date(page)!r} (want {expected or 'a change'}), app idle {page.evaluate(IDLE)}, "
        f"map updated {updated}, script states {page.evaluate('() => window.__bench.states')}"
    )


def one_move(page, frame, how: str, direction: int, opts) -> tuple[dict, object]:
    """Make one move; return its sample (wall seconds, the browser's own timings) and the map's frame.

    The frame is a new one when Streamlit replaced the st_folium iframe during the move.
    """
    timeout_ms = opts.timeout * 1000
    slider = page.locator(SLIDER).first
    before = _url_date(page)
    in_view_before = _in_view(page)
    renders_before = frame.evaluate(FRAME_BEFORE)
    page.evaluate(RESET_MAIN)
    if how == "keys":
        key = "Shift+ArrowLeft" if direction < 0 else "Shift+ArrowRight"
        slider.focus()
        start = time.perf_counter()
        page.keyboard.press(key)
        expected = slider.evaluate(SLIDER_DAY)
        if expected == before:
            raise BenchError(f"the slider did not move from {before} ({key})")
    else:
        button = page.get_by_role("button", name="Previous" if direction < 0 else "Next")
        start = time.perf_counter()
        button.click()
        expected = None
    reloaded = unchanged = False
    try:
        page.wait_for_function(MAIN_DONE, arg=[expected, before], polling="raf", timeout=timeout_ms)
        main_done = time.perf_counter()
        same_count = _in_view(page) == in_view_before
        try:
            frame.wait_for_function(FRAME_UPDATED, arg=renders_before, polling="raf",
                                    timeout=GRACE_S * 1000 if same_count else timeout_ms)  # fmt: skip
        except PlaywrightError:
            if frame.is_detached():
                reloaded = True
                frame = attach_frame(page, opts.timeout)
            elif same_count and frame.evaluate(SAME_LAYERS, renders_before):
                unchanged = True
            else:
                raise
        end = main_done if unchanged else time.perf_counter()
        render = None if reloaded or unchanged else frame.evaluate(RENDERS)[renders_before]
        frame, later, extended = settle(page, frame, opts.quiet, opts.timeout)
    except PlaywrightError as exc:  # a timeout: say what was still missing
        raise BenchError(f"move from {before}: not done within {opts.timeout:.0f} s: {_describe_wait(page, frame, expected, renders_before)}") from exc  # fmt: skip
    reloaded = reloaded or "iframe replaced" in extended
    main = page.evaluate("() => window.__bench")
    idle_at = [t for state, t in main["states"] if state == "notRunning"]
    sample = {
        "wall_s": (later or end) - start,
        "date": _url_date(page),
        "map_s": (render[0] - main["input"]) / 1000 if main["input"] and render else None,
        "map_changed": reloaded or frame.evaluate(LAYERS_CHANGED),
        "idle_s": (idle_at[-1] - main["input"]) / 1000 if main["input"] and idle_at else None,
        "runs": sum(1 for state, _ in main["states"] if state == "running"),
        "reloaded": reloaded,
        "extended": extended,
        "in_view": _in_view(page),
        "marks": frame.locator(MARKS).count(),
    }
    return sample, frame


def _map_state(frame) -> dict:
    return frame.evaluate(
        """() => ({same: document.querySelector('.leaflet-container').dataset.benchSameMap === 'yes',
                  zoom: window.map.getZoom(), center: window.map.getCenter(),
                  feature_groups: (window.feature_group || []).length})"""
    )


def run_size(browser, csv_path: Path, n_events: int, opts) -> dict:
    """Start a server on ``csv_path``, time the first loads, then ``opts.moves`` moves; return the summary line."""
    console: list[str] = []
    timeout_s = opts.timeout
    with StreamlitServer("dashboard.py", env={"SAHEL_DATA": str(csv_path)}, timeout=timeout_s) as server:
        page, _, first_map, first_load = load_page(browser, server.url, timeout_s, console)
        page.context.close()
        page, frame, _, first_load_warm = load_page(browser, server.url, timeout_s, console)
        try:
            page.evaluate(MAIN_HOOKS)
            frame = attach_frame(page, timeout_s)
            # The map reports its centre once drawn, which reruns the script: let that pass first.
            frame = settle(page, frame, 1.0, timeout_s)[0]
            if opts.show != "both":
                choice = page.get_by_text(SHOW_LABELS[opts.show], exact=True)
                if not choice.is_visible():  # the expander opens by itself when the file's import says something
                    page.get_by_text("Data: bring your own").click()
                choice.click()
                page.wait_for_function(IDLE, polling="raf", timeout=timeout_s * 1000)
                frame = settle(page, frame, 1.0, timeout_s)[0]
            frame.evaluate("() => { document.querySelector('.leaflet-container').dataset.benchSameMap = 'yes'; }")
            map_before = _map_state(frame)

            samples = []
            direction = -1  # the view opens at the last date
            for i in range(opts.moves):
                if opts.input == "keys":
                    slider = page.locator(SLIDER).first
                    value, low, high = slider.evaluate("(el) => [Number(el.value), Number(el.min), Number(el.max)]")
                    if (direction < 0 and value <= low) or (direction > 0 and value >= high):
                        direction = -direction
                else:
                    # One more back than forward: the view opens at the last date, which need not be an event's,
                    # and "Next" goes no further than the last event's.
                    direction = -1 if i < (opts.moves + 2) // 2 else 1
                sample, frame = one_move(page, frame, opts.input, direction, opts)
                samples.append(sample)
            map_after = _map_state(frame)
            if opts.screenshots:
                page.screenshot(path=opts.screenshots / f"bench_browser_step_{n_events}.png")
        finally:
            page.context.close()

    # The statistics are over the moves that redrew the map; a move that left it as it was is listed apart.
    timed = [s for s in samples if s["map_changed"]] or samples
    wall = [s["wall_s"] for s in timed]
    map_s = [s["map_s"] for s in timed if s["map_s"] is not None]
    idle_s = [s["idle_s"] for s in timed if s["idle_s"] is not None]
    kept = map_after["same"] and (map_after["zoom"], map_after["center"]) == (map_before["zoom"], map_before["center"])
    return {
        "n_events": n_events,
        "show": opts.show,
        "input": opts.input,
        "moves": len(timed),
        "median_s": round(statistics.median(wall), 3),
        "p95_s": round(_percentile(wall, 95), 3),
        "max_s": round(max(wall), 3),
        "min_s": round(min(wall), 3),
        "under_1s": sum(1 for s in wall if s < 1.0),
        "map_median_s": round(statistics.median(map_s), 3) if map_s else None,
        "idle_median_s": round(statistics.median(idle_s), 3) if idle_s else None,
        "first_map_s": round(first_map, 2),
        "first_load_s": round(first_load, 2),
        "first_load_warm_s": round(first_load_warm, 2),
        "moves_map_unchanged": [[s["date"], round(s["wall_s"], 3)] for s in samples if not s["map_changed"]],
        "iframe_reloads": [[s["date"], s["in_view"]] for s in samples if s["reloaded"]],
        "extended_moves": [[s["date"], *s["extended"]] for s in samples if s["extended"]],
        "reruns_per_move_max": max(s["runs"] for s in samples),
        "map_kept": kept,
        "zoom": map_after["zoom"],
        "feature_groups_held": map_after["feature_groups"],
        "console_errors": len(console),
        "samples_s": [round(s, 3) for s in wall],
        "dates": [s["date"] for s in timed],
        "in_view": [s["in_view"] for s in timed],
        "marks": [s["marks"] for s in timed],
        "file": str(csv_path) if opts.csv else None,
        "_console": sorted(set(console)),
        "_map_before_after": None if kept else [map_before, map_after],
    }


def _rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.DictReader(f))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", help="comma-separated event counts of synthetic ACLED files (default 100000)")
    parser.add_argument("--csv", type=Path, help="time this CSV (ACLED, UCDP, events layout), not synthetic ones")
    parser.add_argument("--moves", type=int, default=20, help="slider moves per size (default 20)")
    parser.add_argument("--input", choices=("keys", "buttons"), default="keys",
                        help="Shift+arrow keys on the slider (default) or the Previous/Next buttons")  # fmt: skip
    parser.add_argument("--show", choices=tuple(SHOW_LABELS), default="both", help="the sidebar's Show choice")
    parser.add_argument("--quiet", type=float, default=0.5,
                        help="a move ends once nothing has happened for this long; not counted (default 0.5 s)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per wait (default 120)")
    parser.add_argument("--screenshots", type=Path, help="save the page after the last move into this folder")
    opts = parser.parse_args(argv)
    if opts.moves < 1:
        parser.error(f"--moves must be at least 1, not {opts.moves!r}")
    if opts.csv and opts.sizes:
        parser.error("give --sizes or --csv, not both")
    if opts.csv and (not opts.csv.is_file() or opts.csv.suffix.lower() != ".csv"):
        parser.error(f"--csv {str(opts.csv)!r} is not a .csv file")
    sizes = tuple(int(s.replace("_", "")) for s in opts.sizes.split(",")) if opts.sizes else SIZES

    from importlib.metadata import version

    from playwright.sync_api import sync_playwright

    logging.getLogger("offline").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="bench-browser-step-"))
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            print(json.dumps({
                "machine": platform.machine(), "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
                "python": platform.python_version(), "chromium": browser.version, "streamlit": version("streamlit"),
                "streamlit_folium": version("streamlit-folium"), "moves": opts.moves, "input": opts.input,
                "show": opts.show, "quiet_s": opts.quiet,
            }), flush=True)  # fmt: skip
            try:
                runs = [(opts.csv, _rows(opts.csv))] if opts.csv else [(folder / f"acled_synthetic_{n}.csv", n) for n in sizes]  # fmt: skip
                for path, n in runs:
                    if not path.exists():
                        write_acled_csv(path, n)
                    try:
                        line = run_size(browser, path, n, opts)
                    except BenchError as exc:
                        print(f"{n} events: {exc}", file=sys.stderr)
                        return 1
                    for message in line.pop("_console"):
                        print(f"{n} events: {message}", file=sys.stderr)
                    moved = line.pop("_map_before_after")
                    if moved:
                        print(f"{n} events: the map did not keep its element, pan or zoom: {moved}", file=sys.stderr)
                    print(json.dumps(line), flush=True)
            finally:
                browser.close()
    finally:
        for path in folder.glob("*.csv"):
            path.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
