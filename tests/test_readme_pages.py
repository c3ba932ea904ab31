"""README.md lists every page in pages/ (datasette's habit: documentation that cannot fall behind)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pages_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Pages\s*\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, "README.md has no '## Pages' section"
    return match.group(1)


def test_readme_lists_every_page():
    section = _pages_section()
    pages = sorted((ROOT / "pages").glob("*.py"))
    assert len(pages) >= 4
    for page in pages:
        assert f"`pages/{page.name}`" in section, f"README.md's Pages section does not list pages/{page.name}"


def test_readme_lists_no_page_that_is_gone():
    listed = re.findall(r"`pages/([^`]+\.py)`", _pages_section())
    missing = [name for name in listed if not (ROOT / "pages" / name).is_file()]
    assert missing == []
