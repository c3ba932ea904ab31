"""Bring your own data in the app: a file named at start-up, a bad one refused, the choice of what to show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import ui
from geo.importers import import_table

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
PAGES = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_startup_data_path_from_arguments_and_environment(monkeypatch):
    monkeypatch.delenv(ui.DATA_ENV, raising=False)
    assert ui.startup_data_path(["--data", "x.csv"]) == "x.csv"
    assert ui.startup_data_path(["--other", "1"]) is None
    monkeypatch.setenv(ui.DATA_ENV, "y.csv")
    assert ui.startup_data_path([]) == "y.csv"


def test_dashboard_shows_imported_with_curated_then_alone(monkeypatch, events):
    monkeypatch.setenv(ui.DATA_ENV, str(FIXTURES / "acled_current.csv"))
    imported = import_table(FIXTURES / "acled_current.csv").events
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert _metric(at, "Events in view") == str(len(events) + len(imported))
    summary = " ".join(m.value for m in at.sidebar.markdown)
    assert "acled" in summary and "refused" in summary
    at.radio(key="w_data_choice").set_value("imported").run()
    assert not at.exception
    assert _metric(at, "Events in view") == str(len(imported))
    at.radio(key="w_data_choice").set_value("curated").run()
    assert _metric(at, "Events in view") == str(len(events))


def test_unreadable_startup_file_is_reported_and_curated_data_kept(monkeypatch, tmp_path, events):
    bad = tmp_path / "bad.csv"
    bad.write_text("this,is,not\nan,events,file\n", encoding="utf-8")
    monkeypatch.setenv(ui.DATA_ENV, str(bad))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    # Text from the file system shows as a literal code span (geo.escaping.markdown_literal): read it as shown.
    shown = [re.sub(r"(`+) (.*?) \1", r"\2", e.value) for e in at.error]
    assert any("bad.csv was refused" in text for text in shown), shown
    assert _metric(at, "Events in view") == str(len(events))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_runs_on_imported_data(monkeypatch, page):
    monkeypatch.setenv(ui.DATA_ENV, str(FIXTURES / "ucdp_official.csv"))
    at = AppTest.from_file(str(page), default_timeout=60).run()
    assert not at.exception, page.name


def test_imported_file_hash_is_kept_for_manifests(monkeypatch):
    import hashlib

    path = FIXTURES / "acled_current.csv"
    monkeypatch.setenv(ui.DATA_ENV, str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert at.session_state[ui.K_IMPORTED]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_data_section_draws_its_widgets_only_when_open(monkeypatch):
    """Closed, it sends nothing but its title (the map comes first); with a file loaded it opens on its result."""
    monkeypatch.delenv(ui.DATA_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert [e.label for e in at.sidebar.expander] == ["Data: bring your own"]
    assert not [w for w in at.sidebar.selectbox if w.key and w.key.startswith("w_import")]
    monkeypatch.setenv(ui.DATA_ENV, str(FIXTURES / "acled_current.csv"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert {w.key for w in at.sidebar.selectbox} >= {"w_import_format", "w_import_event_type"}
    assert at.radio(key="w_data_choice").value == "both"
