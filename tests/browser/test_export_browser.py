"""Tier 3: the export panel's download buttons, clicked in Chromium, give the command line's bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from harness import REPO_ROOT, folium_frame, wait_for_app
from playwright.sync_api import expect

VIEW = "?date=2022-02-17&country=MLI&lat=15.5&lon=-1.5&zoom=5"


def _cli(tmp_path: Path, name: str, args: list[str]) -> bytes:
    out = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "geo.snapshot", *args, "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def _settled(page, quiet_ms: int = 1500, timeout_ms: int = 30_000) -> None:
    """Wait until the app is idle and the URL (where the map reports its centre and zoom) stops changing."""
    waited, last = 0, None
    while waited < timeout_ms:
        wait_for_app(page)
        if page.url == last:
            return
        last = page.url
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms


def _download(page, label: str) -> tuple[str, bytes]:
    _settled(page)
    button = page.get_by_role("button", name=label, exact=True)
    expect(button).to_be_visible()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_download_buttons_give_the_clis_bytes(streamlit_app, app_page, screenshots_dir, tmp_path):
    page = app_page(streamlit_app("dashboard.py") + VIEW)
    folium_frame(page)
    wait_for_app(page)
    page.get_by_text("Export this view").click()
    expect(page.get_by_role("button", name="CSV", exact=True)).to_be_visible()
    page.get_by_role("button", name="Render the animation (GIF)").scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / "export_panel.png", full_page=True)

    # The view as the page holds it now (the map reports its own centre back, a little moved).
    _settled(page)
    params = {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}
    assert params["date"] == "2022-02-17" and params["country"] == "MLI"
    args = ["--date", params["date"], "--country", params["country"]]

    name, data = _download(page, "CSV")
    assert name == "sahel-2022-02-17.csv"
    assert data == _cli(tmp_path, name, args)
    assert b"mali-demands-departure-2022-02-18" not in data  # after the date
    assert b"un-eu-missions-warning-2022-02-17" in data

    extent = ["--center", f"{params['lat']},{params['lon']}", "--zoom", params["zoom"]] if "zoom" in params else []
    name, data = _download(page, "PNG image")
    assert name == "sahel-2022-02-17.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data == _cli(tmp_path, name, args + extent)
