"""Tier 3, issue 17.2: text from a file or a link shows as literal text in every message box.

Streamlit renders alerts as Markdown: an image in a refused cell would make
every reader's browser fetch its URL, and links, KaTeX and colours would
render. The file name, a refused cell and a link parameter carry such
payloads here; the boxes must show them as the same characters, with no
image, link, formula or colour, and no request to the image's URL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

from harness import new_offline_page, wait_for_app, wait_until_settled
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
IMAGE = "![b](beacon.png)"  # relative: a browser that rendered it would ask the app's own server
CELL = f"{IMAGE} [link](http://127.0.0.1:9/x) $x^2$ :red[red] *em*"


def _refused_acled(folder: Path) -> Path:
    """An ACLED file whose only row has a date nobody can read: the whole file is refused, naming the cell."""
    with (FIXTURES / "acled_current.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, row = list(reader.fieldnames or []), next(reader)
    row["event_date"] = CELL
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    path = folder / f"{IMAGE} $y$ :blue[b].csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _assert_literal(box, text: str) -> None:
    expect(box).to_contain_text(text)
    for markup in ("img", "a", ".katex", "em", "span[style*='color']"):
        assert box.locator(markup).count() == 0, f"{markup} rendered in {box.inner_text()!r}"


def test_payloads_in_messages_render_as_text(streamlit_app, browser, tmp_path, screenshots_dir):
    path = _refused_acled(tmp_path)
    url = streamlit_app("dashboard.py", env={"SAHEL_DATA": str(path)})
    page = new_offline_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))  # loopback ones too, from the start
    page.goto(url + "?mode=as_of&date=2022-08-15&country=" + "%21%5Bc%5D%28beacon.png%29")
    wait_for_app(page)
    wait_until_settled(page)
    alerts = page.locator("[data-testid='stAlert']")
    refused = alerts.filter(has_text="no row could be read")
    expect(refused).to_have_count(1)
    _assert_literal(refused, path.name)
    _assert_literal(refused, CELL)
    link_warning = alerts.filter(has_text="Link parameter")
    expect(link_warning).to_have_count(1)
    _assert_literal(link_warning, "![c](beacon.png)")
    assert [u for u in requested if urlsplit(u).path.endswith("beacon.png")] == []
    page.screenshot(path=screenshots_dir / "messages_literal.png", full_page=True)
    page.context.close()
