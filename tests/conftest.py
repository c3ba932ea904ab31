"""Shared fixtures: the real curated data, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def events():
    from geo.events import load_events

    return load_events()


@pytest.fixture(scope="session")
def sources():
    from geo.events import load_sources

    return load_sources()


@pytest.fixture(scope="session")
def places():
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def events_text() -> str:
    return (ROOT / "events.csv").read_text(encoding="utf-8")
