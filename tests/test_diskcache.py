"""Frames kept between runs (geo.diskcache): exactly the derived frame, named by all it is derived from."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import shapely

from geo import diskcache, events
from geo.errors import DataError


@pytest.fixture
def cache_home(monkeypatch, tmp_path):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "sahel-withdrawal"


def kept_events(folder):
    return sorted(folder.glob("events-*.arrow"))


def test_the_kept_curated_frame_is_exactly_the_loaded_one(cache_home, monkeypatch):
    fresh = events.load_events()
    first = events.load_events_cached()
    assert diskcache.same_frame(first, fresh)
    assert len(kept_events(cache_home)) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("the kept frame should have been read")

    monkeypatch.setattr(events, "load_events", not_again)
    second = events.load_events_cached()
    assert diskcache.same_frame(second, fresh)
    # Column by column as well, so that a weaker same_frame could not hide a difference.
    assert list(second.columns) == list(fresh.columns)
    assert second.dtypes.to_dict() == fresh.dtypes.to_dict()
    assert second.crs == fresh.crs and second.geometry.name == fresh.geometry.name
    pd.testing.assert_frame_equal(pd.DataFrame(second.drop(columns="geometry")),
                                  pd.DataFrame(fresh.drop(columns="geometry")), check_exact=True)  # fmt: skip
    assert list(shapely.to_wkb(second.geometry.to_numpy())) == list(shapely.to_wkb(fresh.geometry.to_numpy()))


def test_a_changed_file_is_a_new_kept_frame(cache_home, tmp_path):
    copy = tmp_path / "events.csv"
    shutil.copyfile(events.EVENTS_CSV, copy)
    events.load_events_cached(copy)
    text = copy.read_text(encoding="utf-8")
    # The first event's title changes: a new fingerprint, so a new frame, read afresh.
    header, first, rest = text.split("\n", 2)
    title_at = header.split(",").index("title")
    frame = events.read_table(copy)
    old_title = frame.loc[0, "title"]
    assert old_title and old_title in first, "the test needs the title written plainly on its line"
    copy.write_text(f"{header}\n{first.replace(old_title, 'A title changed by the test', 1)}\n{rest}", "utf-8")
    changed = events.load_events_cached(copy)
    assert title_at >= 0 and "A title changed by the test" in set(changed["title"])
    assert len(kept_events(cache_home)) == 2


def test_the_fingerprint_follows_the_inputs_the_code_and_extra(tmp_path, monkeypatch):
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    first = diskcache.fingerprint([a])
    assert diskcache.fingerprint([a]) == first
    assert diskcache.fingerprint([a], extra=("other zip",)) != first
    a.write_text("x\n2\n")
    assert diskcache.fingerprint([a]) != first
    code = tmp_path / "package"
    shutil.copytree(diskcache.PACKAGE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(diskcache, "PACKAGE_DIR", code)
    before = diskcache.fingerprint([a])
    (code / "validation.py").write_text((code / "validation.py").read_text() + "\n# changed\n")
    assert diskcache.fingerprint([a]) != before


def test_a_damaged_kept_frame_is_loaded_afresh_and_rewritten(cache_home):
    fresh = events.load_events_cached()
    (path,) = kept_events(cache_home)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    again = events.load_events_cached()
    assert diskcache.same_frame(again, fresh)
    assert diskcache.same_frame(diskcache.read_frame(path), fresh)


def test_a_file_that_fails_to_load_is_never_kept(cache_home, tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text(events.EVENTS_CSV.read_text(encoding="utf-8").replace(",day,", ",fortnight,", 1), "utf-8")
    with pytest.raises(DataError):
        events.load_events_cached(bad)
    assert not cache_home.exists() or not kept_events(cache_home)


def test_a_folder_that_cannot_be_written_still_loads(monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert diskcache.same_frame(events.load_events_cached(), events.load_events())


def test_only_the_newest_kept_frames_stay(cache_home, tmp_path):
    copy = tmp_path / "events.csv"
    text = events.EVENTS_CSV.read_text(encoding="utf-8")
    for n in range(events.KEPT_EVENTS + 2):
        copy.write_text(text + "\n" * n, "utf-8")  # blank lines: the same events, other bytes
        events.load_events_cached(copy)
    assert len(kept_events(cache_home)) == events.KEPT_EVENTS


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(title=f["title"].astype("str")),  # the same text, another dtype
        lambda f: f.assign(fatalities=f["fatalities"].where(f.index != f["fatalities"].first_valid_index(), pd.NA)),
        lambda f: f[list(f.columns[::-1])],  # the columns' order
        lambda f: f.set_geometry(f.geometry.translate(1e-9, 0)),  # a point moved by a nanodegree
        lambda f: f.iloc[::-1],  # the rows' order
    ],
)
def test_same_frame_sees_any_change(events, change):
    # A toll becomes missing, above: the first event with one.
    assert diskcache.same_frame(events, events.copy())
    assert not diskcache.same_frame(events, change(events.copy()))


@pytest.mark.parametrize("fmt", ["png", "csv"])
def test_an_export_from_the_kept_frame_is_byte_identical(cache_home, monkeypatch, tmp_path, fmt):
    from geo.snapshot.__main__ import main

    outs = []
    for run in ("derived and kept", "read from the kept file"):
        out = tmp_path / f"{len(outs)}.{fmt}"
        assert main(["--date", "2022-08-15", "--out", str(out)]) == 0, run
        outs.append(out.read_bytes())
        assert len(kept_events(cache_home)) == 1
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("no cache can be kept here")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    out = tmp_path / f"uncached.{fmt}"
    assert main(["--date", "2022-08-15", "--out", str(out)]) == 0
    assert outs[0] == outs[1] == out.read_bytes()
