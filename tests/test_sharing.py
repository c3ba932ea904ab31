"""One copy of the data per process: sessions share the imported frames, read them only, and keep no copies."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import filters, ui
from geo.view import View

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
ACLED = ROOT / "tests" / "fixtures" / "import" / "acled_current.csv"
#: Seconds a run may take: generous, since the machine running the tests may be busy (nothing here is timed).
TIMEOUT_S = 240


@pytest.fixture
def startup_file(monkeypatch):
    """Start every session on the ACLED fixture, with the process's shared imports emptied first."""
    monkeypatch.setenv(ui.DATA_ENV, str(ACLED))
    ui.shared_import.clear()
    ui._startup_import.clear()
    ui._shared_combined.clear()
    yield ACLED
    ui.shared_import.clear()
    ui._startup_import.clear()
    ui._shared_combined.clear()


def _metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _active_events_script() -> None:
    """A page that keeps what ``ui.active_events`` returned, to compare between sessions."""
    import streamlit as st

    from geo import ui

    st.session_state["shown"] = ui.active_events()


def _upload_script() -> None:
    """A page that imports the same bytes under this session's own file name, as the uploader would."""
    import streamlit as st

    from geo import ui

    name = st.session_state["upload_name"]
    st.session_state["uploaded"] = ui.cached_import(name, st.session_state["upload_bytes"], None, None, None)


def test_two_sessions_share_one_imported_frame(startup_file):
    first = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    second = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    assert not first.exception and not second.exception
    one, other = first.session_state[ui.K_IMPORTED], second.session_state[ui.K_IMPORTED]
    assert one["result"] is other["result"]
    assert one["result"].events is other["result"].events
    assert one["sha256"] == other["sha256"]


def test_two_sessions_share_the_combined_frame(startup_file):
    first = AppTest.from_function(_active_events_script, default_timeout=TIMEOUT_S).run()
    second = AppTest.from_function(_active_events_script, default_timeout=TIMEOUT_S).run()
    shown = first.session_state["shown"]
    assert len(shown) > len(first.session_state[ui.K_IMPORTED]["result"].events)  # curated and imported together
    assert shown is second.session_state["shown"]


def test_same_uploaded_bytes_are_imported_once_whoever_uploads_them(startup_file):
    data = ACLED.read_bytes()
    results = []
    for name in ("acled_current.csv", "my_copy.csv"):
        at = AppTest.from_function(_upload_script, default_timeout=TIMEOUT_S)
        at.session_state["upload_name"], at.session_state["upload_bytes"] = name, data
        at.run()
        assert not at.exception
        results.append(at.session_state["uploaded"])
    result_a, result_b = results
    assert result_a is result_b
    # and the start-up file with the same bytes is that same import
    dashboard = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    assert dashboard.session_state[ui.K_IMPORTED]["result"] is result_a


def test_one_sessions_filters_never_change_anothers(startup_file):
    first = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    second = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    everything = _metric(second, "Events in view")
    shared = first.session_state[ui.K_IMPORTED]["result"].events
    country = shared["geo_country"].value_counts().index[0]
    day = shared["start"].iloc[len(shared) // 2].date()  # a date inside the data, with events after it

    first.multiselect(key="w_countries").set_value([country]).run()
    first.radio(key="w_data_choice").set_value("imported").run()
    first.slider(key="w_date").set_value(day).run()
    assert not first.exception
    assert first.session_state[ui.K_DATE] == day
    view = View(as_of=day, countries=(country,))
    assert _metric(first, "Events in view") == len(filters.filter_events(shared, view))
    assert _metric(first, "Events in view") < everything

    second.run()
    assert _metric(second, "Events in view") == everything
    assert second.session_state[ui.K_COUNTRIES] == []
    assert second.session_state[ui.K_DATA_CHOICE] == "both"


def test_a_filter_run_leaves_the_shared_frame_unchanged(startup_file):
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    shared = at.session_state[ui.K_IMPORTED]["result"].events
    before = shared.copy(deep=True)
    columns, attrs = list(shared.columns), dict(shared.attrs)
    combined = AppTest.from_function(_active_events_script, default_timeout=TIMEOUT_S).run().session_state["shown"]
    combined_before = combined.copy(deep=True)

    at.radio(key="w_mode").set_value("window").run()
    days = shared["start"].dt.date
    at.slider(key="w_window").set_value((days.iloc[1], days.iloc[-2])).run()
    at.multiselect(key="w_types").set_value(["attack", "clash"]).run()
    at.text_input(key="w_text").set_value("gao").run()
    at.radio(key="w_data_choice").set_value("imported").run()
    at.toggle(key="w_export_open").set_value(True).run()
    assert not at.exception

    assert shared is at.session_state[ui.K_IMPORTED]["result"].events
    assert list(shared.columns) == columns and dict(shared.attrs) == attrs
    pd.testing.assert_frame_equal(pd.DataFrame(shared), pd.DataFrame(before))
    pd.testing.assert_frame_equal(pd.DataFrame(combined), pd.DataFrame(combined_before))  # the filters ran on it first


def test_a_session_keeps_no_copy_of_the_data(startup_file):
    """Besides the reference to the shared import, session state holds no frame and no file's bytes."""
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    at.radio(key="w_data_choice").set_value("imported").run()
    state = {key: at.session_state[key] for key in at.session_state}
    shared = state[ui.K_IMPORTED]["result"]
    for key, value in state.items():
        if key == ui.K_IMPORTED:
            assert set(value) <= {"name", "result", "sha256", "summary"} and value["result"] is shared
            continue
        assert not isinstance(value, (pd.DataFrame, bytes, bytearray, tuple)) or _small(value), key


def _small(value) -> bool:
    """A tuple of view values (dates, a window) is fine; one that carries a frame or bytes is not."""
    return isinstance(value, tuple) and not any(isinstance(v, (pd.DataFrame, bytes, bytearray)) for v in value)


def test_a_closed_sessions_data_is_released(startup_file):
    """Once the session is gone and the cache lets go, nothing else holds the imported frame."""
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT_S).run()
    held = weakref.ref(at.session_state[ui.K_IMPORTED]["result"].events)
    del at
    st.cache_resource.clear()
    gc.collect()
    assert held() is None


def _curated_script() -> None:
    """A page that keeps the curated frames ``geo.ui`` hands out, to compare between sessions."""
    import streamlit as st

    from geo import ui

    st.session_state["curated"] = (ui.curated_events(), ui.sources(), ui.bases())


def test_every_page_shares_the_curated_frames_and_leaves_them_unchanged(monkeypatch):
    """The curated events, sources and bases are one object per process, which no page changes."""
    monkeypatch.delenv(ui.DATA_ENV, raising=False)
    first = AppTest.from_function(_curated_script, default_timeout=TIMEOUT_S).run().session_state["curated"]
    copies = [frame.copy(deep=True) for frame in first]
    columns = [list(frame.columns) for frame in first]
    for page in [DASHBOARD, *sorted(str(p) for p in (ROOT / "pages").glob("*.py"))]:
        at = AppTest.from_file(page, default_timeout=TIMEOUT_S).run()
        assert not at.exception, page
    again = AppTest.from_function(_curated_script, default_timeout=TIMEOUT_S).run().session_state["curated"]
    for frame, later, copy, names in zip(first, again, copies, columns, strict=True):
        assert later is frame
        assert list(frame.columns) == names
        pd.testing.assert_frame_equal(pd.DataFrame(frame), pd.DataFrame(copy))
