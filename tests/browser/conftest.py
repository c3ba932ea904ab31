"""Tier-3 fixtures: Streamlit servers on free ports, Debian's Chromium, an offline network.

Fixtures
--------
browser (session)
    Playwright sync ``Browser``: Debian's ``/usr/bin/chromium``, headless.
streamlit_app(script="dashboard.py", args=(), env=None, root=None) -> str
    Starts ``streamlit run`` from the repo root, waits for ``/_stcore/health``,
    returns the base URL; the server is stopped at teardown.
app_page(url, wait=True) -> Page
    Opens ``url`` in a fresh offline context (see ``offline.py``) and waits until
    the script has finished running. ``page.aborted_urls`` lists refused
    requests; ``page.offline`` holds the full request log.
screenshots_dir -> Path
    ``tests/browser/screenshots/`` (git-ignored).

Helper (import it: ``from harness import folium_frame``)
    ``folium_frame(page, index=0)`` returns the Frame of the st_folium iframe
    once ``.leaflet-container`` is visible in it.

Without ``/usr/bin/chromium`` or ``tests/browser/node_modules`` (``npm ci
--prefix tests/browser``) every test here is skipped, unless ``CI`` is set:
then they fail, so that CI can never pass by testing nothing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The helper modules sit beside this file; make them importable whatever
# pytest's import mode, and for the benchmark, which imports them too.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    CHROMIUM_PATH,
    StreamlitServer,
    folium_frame,  # noqa: F401  (re-exported for tests)
    launch_chromium,
    new_offline_page,
    wait_for_app,
    wait_until_settled,
)
from offline import NODE_MODULES, PACKAGE_JSON, PackageIndex  # noqa: E402

SCREENSHOTS = HERE / "screenshots"


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _missing_prerequisites() -> list[str]:
    missing = []
    if not os.access(CHROMIUM_PATH, os.X_OK):
        missing.append(f"{CHROMIUM_PATH} (apt-get install chromium)")
    if not NODE_MODULES.is_dir():
        missing.append(f"{NODE_MODULES} (npm ci --prefix tests/browser)")
    else:
        wanted = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["devDependencies"]
        stale = PackageIndex(NODE_MODULES).missing(wanted)
        if stale:
            missing.append(f"npm packages {', '.join(stale)} (npm ci --prefix tests/browser)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install playwright)")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites():
    """Skip this folder when Chromium or the npm assets are missing; fail instead on CI."""
    missing = _missing_prerequisites()
    if missing:
        reason = "browser tests need " + "; ".join(missing)
        if _on_ci():
            pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations():
    """Give web-first assertions 15 s rather than 5: CI's two cores also run the Streamlit server."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # the folder is skipped or fails on the missing package elsewhere
        return
    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def streamlit_app():
    """Factory: ``streamlit_app(script="dashboard.py", args=(), env=None)`` -> base URL.

    Each call starts its own server; all are stopped at teardown.
    """
    servers: list[StreamlitServer] = []

    def start(script: str = "dashboard.py", args=(), env=None, timeout: float = 60.0, root=None) -> str:
        server = StreamlitServer(script, args=args, env=env, timeout=timeout, **({"root": root} if root else {}))
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def dashboard(streamlit_app):
    """The base URL of a server running ``dashboard.py`` (the main page; the other pages are under it)."""
    return streamlit_app("dashboard.py")


@pytest.fixture
def app_page(browser):
    """Factory: ``app_page(url, wait=True)`` -> Playwright ``Page`` in a fresh offline context.

    With ``wait`` the call returns once the app is idle
    (``[data-testid='stApp'][data-test-script-state='notRunning']``) and the
    URL has stopped changing: the map's report of its centre after load
    reruns the script, and a widget used during that rerun can lose its value
    (see ``harness.wait_until_settled``).
    """
    pages = []

    def open_page(url: str, wait: bool = True, timeout: float = 60_000):
        page = new_offline_page(browser)
        pages.append(page)
        page.goto(url)
        if wait:
            wait_for_app(page, timeout=timeout)
            wait_until_settled(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


@pytest.fixture
def screenshots_dir() -> Path:
    """``tests/browser/screenshots/``, created if needed (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
