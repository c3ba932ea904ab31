"""Tier 3: the export panel's download buttons, clicked in Chromium, give the command line's bytes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from harness import REPO_ROOT, folium_frame, wait_for_app, wait_until_settled
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


def _download(page, label: str) -> tuple[str, bytes]:
    wait_until_settled(page)
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
    wait_until_settled(page)
    params = {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}
    assert params["date"] == "2022-02-17" and params["country"] == "MLI"
    args = ["--date", params["date"], "--country", params["country"]]

    name, data = _download(page, "CSV")
    assert name == "sahel-2022-02-17.csv"
    assert data == _cli(tmp_path, name, args)
    assert b"mali-demands-departure-2022-02-18" not in data  # after the date
    assert b"barkhane-withdrawal-2022" in data  # starts on the date, in Mali

    extent = ["--center", f"{params['lat']},{params['lon']}", "--zoom", params["zoom"]] if "zoom" in params else []
    name, data = _download(page, "PNG image")
    assert name == "sahel-2022-02-17.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data == _cli(tmp_path, name, args + extent)


def test_html_export_opens_offline_with_its_marks_and_sourced_popups(browser, tmp_path, screenshots_dir):
    """The interactive export, opened from disk with no network at all, draws the view and its popups."""
    from datetime import date

    from harness import new_offline_page

    from geo import aggregate, snapshot
    from geo.bases import load_bases
    from geo.events import load_events, load_sources
    from geo.view import View

    events, sources, bases = load_events(), load_sources(), load_bases()
    view = View(as_of=date(2022, 8, 15))
    path = tmp_path / "view.html"
    path.write_bytes(snapshot.html_bytes(events, sources, bases, view, snapshot.SnapshotOptions()))
    shown = aggregate.view_marks(events, view).shown

    page = new_offline_page(browser)
    try:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        marks = page.locator("path.event-mark")
        expect(marks).to_have_count(len(shown))
        expect(marks.first).to_be_visible()
        # The export frames the Sahel (the Paris announcements lie off it): click a mark on screen.
        size = page.viewport_size
        on_screen = [
            i for i in range(marks.count())
            if (box := marks.nth(i).bounding_box()) and 0 <= box["x"] < size["width"] and 0 <= box["y"] < size["height"]
        ]  # fmt: skip
        assert on_screen, "no event mark inside the export's first view"
        marks.nth(on_screen[0]).click(force=True)  # marks may overlap at this zoom; the click reaches this one
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Reported by")
        assert page.aborted_urls == [] and errors == []
        page.wait_for_timeout(400)  # the popup's fade-in, for the screenshot
        page.screenshot(path=screenshots_dir / "export_html_offline.png")
    finally:
        page.context.close()


def _export(tmp_path: Path, name: str, view, events=None) -> Path:
    from geo import snapshot
    from geo.bases import load_bases
    from geo.events import load_events, load_sources

    path = tmp_path / name
    events = load_events() if events is None else events
    path.write_bytes(snapshot.html_bytes(events, load_sources(), load_bases(), view, snapshot.SnapshotOptions()))
    return path


def test_html_export_plays_offline_and_pause_holds(browser, tmp_path, screenshots_dir):
    """Opened from disk with no network, the export's ▶ Play moves the date and the marks; ⏸ Pause holds them."""
    from datetime import date

    from harness import new_offline_page

    from geo.events import load_events
    from geo.view import View

    events = load_events()
    view = View(as_of=date(2022, 2, 17))
    path = _export(tmp_path, "play.html", view)
    starts = events["start"].dt.date

    page = new_offline_page(browser)
    try:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        control, play, marks = (
            page.locator(".sahel-time"),
            page.locator(".sahel-time-play"),
            page.locator("path.event-mark"),
        )
        # It opens on the view's date, with that date's marks only (the later ones wait for Play).
        expect(control).to_have_attribute("data-day", "2022-02-17")
        expect(page.locator(".sahel-time-date")).to_have_text("17 Feb 2022")
        expect(marks).to_have_count(int((starts <= view.as_of).sum()))
        page.locator(".sahel-time-speed").select_option(label="a year per second")
        play.click()
        expect(play).to_have_text(re.compile("Pause"))
        page.wait_for_function("() => window.sahelTime.day > window.sahelTime.data.day + 120")
        play.click()
        expect(play).to_have_text(re.compile("Play"))
        paused = date.fromisoformat(control.get_attribute("data-day"))
        assert paused > date(2022, 6, 16)
        shown = int((starts <= paused).sum())
        assert shown > int((starts <= view.as_of).sum())  # later events appeared as their dates passed
        expect(marks).to_have_count(shown)
        label = page.locator(".sahel-time-date").text_content()
        page.wait_for_timeout(1500)  # nothing should move: a wait for a change that must not come
        assert (
            control.get_attribute("data-day") == paused.isoformat() and control.get_attribute("data-playing") == "false"
        )
        assert page.locator(".sahel-time-date").text_content() == label
        expect(marks).to_have_count(shown)
        assert page.aborted_urls == [] and errors == []
        page.screenshot(path=screenshots_dir / "export_html_paused.png")
    finally:
        page.context.close()


def test_html_export_above_the_threshold_offers_no_play_and_says_why(browser, tmp_path):
    from datetime import date

    from harness import new_offline_page

    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from helpers import synthetic_events

    from geo.events import combine_events, load_events
    from geo.view import View

    path = _export(
        tmp_path, "cells.html", View(as_of=date(2022, 12, 31)), combine_events(load_events(), synthetic_events())
    )
    page = new_offline_page(browser)
    try:
        page.goto(path.as_uri())
        play = page.locator(".sahel-time-play")
        expect(play).to_be_disabled()
        expect(play).to_have_attribute("title", re.compile("Too many events to play in the browser"))
        expect(page.locator("path.aggregate-mark").first).to_be_visible()
        day = page.locator(".sahel-time").get_attribute("data-day")
        play.click(force=True)
        page.wait_for_timeout(500)  # a disabled button does nothing: no change to wait for
        assert page.locator(".sahel-time").get_attribute("data-day") == day
        assert page.locator(".sahel-time").get_attribute("data-playing") != "true"
    finally:
        page.context.close()
