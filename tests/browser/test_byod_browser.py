"""Tier 3: bringing your own file in the browser; text from data files shows as text and runs nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from harness import folium_frame, wait_for_app
from playwright.sync_api import expect

from geo.events import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
XSS = "<img src=x onerror=alert(1)>"


def _events_file(path: Path) -> Path:
    row = {c: "" for c in COLUMNS}
    row.update(
        event_id="xss-1", event_date="2022-08-15", date_precision="day", event_type="attack", title=XSS,
        description="<script>alert(2)</script>", location="Gao", country="MLI", latitude="16.27167",
        longitude="-0.04472", sources="mine",
    )  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_html_in_a_data_file_shows_as_text(streamlit_app, app_page, tmp_path, screenshots_dir):
    url = streamlit_app("dashboard.py", env={"SAHEL_DATA": str(_events_file(tmp_path / "xss.csv"))})
    page = app_page(url + "?q=onerror")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frame = folium_frame(page)
    marks = frame.locator("path.event-mark")
    expect(marks).to_have_count(1)
    marks.first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(XSS)
    expect(popup).to_contain_text("<script>alert(2)</script>")
    assert popup.locator("img").count() == 0 and popup.locator("script").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    page.screenshot(path=screenshots_dir / "byod_xss_popup.png")


def test_upload_adds_the_events_and_a_bad_file_keeps_them(streamlit_app, app_page, tmp_path, screenshots_dir):
    page = app_page(streamlit_app("dashboard.py"))
    folium_frame(page)
    before = int(page.locator("[data-testid='stMetric']").filter(has_text="Events in view")
                 .locator("[data-testid='stMetricValue']").inner_text())  # fmt: skip
    page.get_by_text("Data: bring your own").click()
    # Let the rerun the map starts (it reports its centre) finish first: a rerun
    # while the file is being attached can replace the uploader and drop it.
    page.wait_for_timeout(1_000)
    wait_for_app(page)
    uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
    expect(uploader).to_be_attached()  # the section draws its widgets once opened
    uploader.set_input_files(str(ROOT / "tests" / "fixtures" / "import" / "acled_current.csv"))
    page.wait_for_timeout(500)
    wait_for_app(page)
    expect(page.get_by_text("acled_current.csv: 7 events loaded")).to_be_visible(timeout=30_000)
    value = (
        page.locator("[data-testid='stMetric']")
        .filter(has_text="Events in view")
        .locator("[data-testid='stMetricValue']")
    )
    expect(value).to_have_text(str(before + 7))

    bad = tmp_path / "notes.csv"
    bad.write_text("name,comment\nsomething,else\n", encoding="utf-8")
    uploader.set_input_files(str(bad))
    page.wait_for_timeout(500)
    wait_for_app(page)
    expect(page.get_by_text("notes.csv was refused")).to_be_visible()
    expect(value).to_have_text(str(before + 7))  # what was loaded stays
    page.screenshot(path=screenshots_dir / "byod_refused_upload.png", full_page=True)
