"""Shared fixtures: the real curated data, loaded once per test session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def events():
    from geo.events import load_events

    return load_events()


@pytest.fixture(scope="session")
def sources():
    from geo.events import load_sources

    return load_sources()


@pytest.fixture(scope="session")
def bases():
    from geo.bases import load_bases

    return load_bases()


@pytest.fixture(scope="session")
def options():
    """The export options of the curated events file (its name and SHA-256)."""
    from geo import snapshot
    from geo.events import EVENTS_CSV

    return snapshot.options_for_file(EVENTS_CSV)


@pytest.fixture(scope="session")
def places():
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def events_text() -> str:
    return (ROOT / "events.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def script_text():
    """Return a function undoing the ``\\uXXXX`` escapes folium writes into a map's JSON data.

    Popups travel as JSON strings in which ``<``, ``>``, ``&`` and ``'`` are
    written ``\\u003c``...: undone, a test reads the HTML the browser will be given.
    """
    return lambda html: re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
