"""Start a Streamlit server, drive Debian's Chromium at it offline, and find the folium map.

Shared by ``tests/browser/conftest.py`` (the tier-3 fixtures) and
``benchmarks/bench_first_map.py``. Network routing lives in ``offline.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from offline import OfflineRouter

REPO_ROOT = Path(__file__).resolve().parents[2]

# Debian's chromium: Playwright must never download a browser of its own.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The app has finished a run of its script (first run included).
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# streamlit-folium draws each map in a components.v1 iframe titled after the component; the
# map's own script then retitles it "Map of ..." (geo.map_aids.KeyboardAccess) for screen readers.
FOLIUM_IFRAME = "iframe[title='streamlit_folium.st_folium'], iframe[title^='Map of']"


def launch_chromium(playwright):
    """Launch Debian's headless Chromium with the flags that keep it quiet and offline."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """One ``streamlit run`` process on a free port of 127.0.0.1, started from the repo root.

    Parameters
    ----------
    script : str
        Path of the page, relative to the repo root (or absolute).
    args : list of str, optional
        Arguments for the script, passed after ``--``.
    env : dict, optional
        Variables added to (or overriding) this process's environment.
    timeout : float
        Seconds to wait for ``/_stcore/health`` to answer ``ok``.
    root : Path
        The folder the app runs from (default: this repo; a test may run a copy with a changed file).
    """

    def __init__(
        self, script: str = "dashboard.py", args=None, env=None, timeout: float = 60.0, root: Path = REPO_ROOT
    ) -> None:
        self.root = Path(root)
        self.script = script
        self.args = list(args or [])
        self.env = dict(env or {})
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None
        # Files, not pipes: a pipe nobody reads fills up and blocks the server.
        # They live as long as the server and are closed by stop().
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115

    def command(self) -> list[str]:
        """Return the ``streamlit run`` command line."""
        cmd = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        return cmd + (["--", *self.args] if self.args else [])

    def stderr(self) -> str:
        """Return what the server wrote to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def start(self) -> str:
        """Start the server, wait until it is healthy, and return its base URL."""
        script_path = self.root / self.script
        if not script_path.is_file():
            raise FileNotFoundError(f"{self.script!r} is not a file under {self.root}")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=self._stderr,
            start_new_session=True,
        )
        health = f"{self.url}_stcore/health"
        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit run {self.script} exited with code {self.proc.returncode} before "
                    f"{health} answered.\n--- stderr ---\n{self.stderr()}"
                )
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:
                    if resp.status == 200 and resp.read().strip() == b"ok":
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"streamlit run {self.script} did not answer {health} within {self.timeout:.0f} s."
                    f"\n--- stderr ---\n{self.stderr()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after 10 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._stdout.close()
        self._stderr.close()

    def __enter__(self) -> StreamlitServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# Counts, in the top page, every script run and every value a component (the map) sends.
#
# Runs are read from Streamlit's own websocket messages, not from stApp's data-test-script-state:
# when a widget is used while a run is going (the map's report rerun, say), the server stops that
# run and starts the next one at once, so the attribute stays "running" and a counter of its
# transitions misses the second run (issue 11: a slider key lost under load was in fact a rerun
# the old counter never saw). Each run starts with a ForwardMsg ``new_session`` and ends with
# ``script_finished`` or, when replaced, with the next ``new_session``. The messages are protobuf;
# only their top-level field numbers are read (streamlit/proto: ForwardMsg new_session = 4,
# script_finished = 6; BackMsg rerun_script = 11), checked against Streamlit's own classes in
# tests/browser/test_harness.py.
#
# ``seq`` numbers every rerun request sent ("send") and every run started ("start"); ``events`` keeps
# [seq, kind] for :func:`rerun`. A report's rerun has begun once ``started`` passes ``startedAtReport``.
RUN_COUNTER_JS = """
(() => {
  if (window.top !== window || window.__stRuns) { return; }
  const runs = window.__stRuns = {started: 0, finished: 0, running: false, reports: 0, startedAtReport: -1,
                                  seq: 0, events: []};
  const note = (kind) => { runs.seq += 1; runs.events.push([runs.seq, kind]); };
  // The numbers of a protobuf message's top-level fields, in order.
  const fields = (buffer) => {
    const bytes = new Uint8Array(buffer);
    const out = [];
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), wire = tag % 8, field = Math.floor(tag / 8);
      if (wire === 0) { varint(); }
      else if (wire === 2) { const length = varint(); i += length; }  // not i += varint(): i is read first
      else if (wire === 1) { i += 8; }
      else if (wire === 5) { i += 4; }
      else { break; }
      out.push(field);
    }
    return out;
  };
  const forward = (buffer) => {
    for (const field of fields(buffer)) {
      if (field === FORWARD_NEW_SESSION) {
        if (runs.running) { runs.finished += 1; }  // the run it replaces ended for a rerun
        runs.started += 1; runs.running = true; note("start");
      } else if (field === FORWARD_SCRIPT_FINISHED && runs.running) {
        runs.finished += 1; runs.running = false;
      }
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer) { forward(event.data); }
      });
    }
    send(data) {
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        const buffer = data instanceof ArrayBuffer ? data
                     : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
        if (fields(buffer).includes(BACK_RERUN_SCRIPT)) { note("send"); }
      }
      return super.send(data);
    }
  };
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (data && data.isStreamlitMessage && data.type === "streamlit:setComponentValue") {
      runs.reports += 1;
      runs.startedAtReport = runs.started;
    }
  });
})();
"""
# Streamlit's protobuf field numbers that RUN_COUNTER_JS reads (tests/browser/test_harness.py checks them).
PROTO_FIELDS = {"FORWARD_NEW_SESSION": 4, "FORWARD_SCRIPT_FINISHED": 6, "BACK_RERUN_SCRIPT": 11}
for _name, _number in PROTO_FIELDS.items():
    RUN_COUNTER_JS = RUN_COUNTER_JS.replace(_name, str(_number))


def install_run_counter(context) -> None:
    """Count script runs and component reports in every page of ``context`` (see ``runs``)."""
    context.add_init_script(RUN_COUNTER_JS)


def new_offline_page(browser, viewport=None):
    """Open a page in a fresh context whose network goes through an :class:`OfflineRouter`.

    The router is on ``page.offline``; ``page.aborted_urls`` is its list of
    refused URLs (the same list object, so it fills as the page loads).
    The page counts its script runs (:func:`runs`).
    """
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    install_run_counter(context)
    router = OfflineRouter().install(context)
    page = context.new_page()
    page.offline = router
    page.aborted_urls = router.aborted
    return page


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the Streamlit app in ``page`` has finished running its script."""
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout)


# Idle, every run that started has finished, the maps expected are on the page and have reported
# their view, and the rerun of the last report has begun (and so, being idle, finished).
_SETTLED_JS = """
([maps]) => {
  const runs = window.__stRuns;
  if (!runs || !document.querySelector(IDLE)) { return false; }
  if (runs.started === 0 || runs.running) { return false; }
  const frames = Array.from(document.querySelectorAll(MAP));
  if (frames.length < maps) { return false; }
  // A map reports once it is drawn, unless it was asked to return nothing (returned_objects=[]).
  let reporting = 0;
  for (const frame of frames) {
    const data = frame.contentWindow && frame.contentWindow.__GLOBAL_DATA__;
    if (!data) { return false; }
    if (!Array.isArray(data.returned_objects) || data.returned_objects.length > 0) { reporting += 1; }
  }
  if (runs.reports < reporting) { return false; }
  return runs.reports === 0 || runs.started > runs.startedAtReport;
}
""".replace("IDLE", repr(APP_IDLE)).replace("MAP", repr(FOLIUM_IFRAME))


def runs(page) -> dict:
    """Return ``{started, finished, running, reports, seq, ...}``: script runs and component reports seen so far."""
    return page.evaluate("() => window.__stRuns ? {...window.__stRuns} : null")


def wait_until_settled(page, maps: int | None = None, timeout_ms: int = 60_000) -> None:
    """Wait until the app is idle with nothing left to run: its maps have reported and their rerun is done.

    After a page loads, the map reports its centre and zoom, which reruns the
    script and rewrites the URL. A widget used during that rerun can lose its
    new value to it, so tests wait for it to pass before acting, as a person
    who reads the page first does. The report can come seconds after the first
    run on a busy machine (Streamlit loads the component's code lazily, so the
    map's iframe may not even exist when the first run ends): ``maps`` says how
    many maps to wait for; None counts one on the app's main page (``/``, the
    dashboard) and none elsewhere, beyond those already on the page.
    """
    if maps is None:
        maps = 1 if urlparse(page.url).path in ("", "/") else 0
    page.wait_for_function(_SETTLED_JS, arg=[maps], timeout=timeout_ms, polling=100)


# The first rerun request sent after ``seq``, a run that started after it, and nothing running now.
_RERUN_DONE_JS = """
([seq]) => {
  const runs = window.__stRuns;
  if (!runs || runs.running || !document.querySelector(IDLE)) { return false; }
  const sent = runs.events.find(([at, kind]) => at > seq && kind === "send");
  return !!sent && runs.events.some(([at, kind]) => at > sent[0] && kind === "start");
}
""".replace("IDLE", repr(APP_IDLE))


@contextmanager
def rerun(page, timeout_ms: int = 60_000):
    """Around a user action that reruns the script: on exit, wait until the run serving it has finished.

    That is the first run to start after the action's rerun request went out;
    it may replace a run that was going when the action came (the server then
    stops that one and starts the next at once). ``wait_for_app`` alone returns
    at once after a click, because the app is still idle until the click's
    rerun begins.
    """
    before = runs(page)["seq"]
    yield
    page.wait_for_function(_RERUN_DONE_JS, arg=[before], timeout=timeout_ms, polling=100)


def metric_value(page, label: str):
    """The value of the metric labelled ``label``, as a locator (so ``expect()`` can wait on it)."""
    return page.locator("[data-testid='stMetric']").filter(has_text=label).locator("[data-testid='stMetricValue']")


def url_params(page) -> dict[str, list[str]]:
    """The page URL's query parameters, each a list of its values."""
    return parse_qs(urlparse(page.url).query)


def folium_frame(page, index: int = 0, timeout: float = 30_000):
    """Return the Playwright ``Frame`` of the ``index``-th st_folium map once its map is visible.

    Waits for the iframe ``iframe[title='streamlit_folium.st_folium']`` and
    then for ``.leaflet-container`` to be visible inside it.
    """
    iframe = page.locator(FOLIUM_IFRAME).nth(index)
    iframe.wait_for(state="attached", timeout=timeout)
    frame = iframe.element_handle(timeout=timeout).content_frame()
    if frame is None:  # pragma: no cover - only if the iframe is detached meanwhile
        raise RuntimeError(f"the st_folium iframe #{index} has no content frame")
    frame.locator(".leaflet-container").first.wait_for(state="visible", timeout=timeout)
    return frame
