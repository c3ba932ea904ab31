"""Issue 17.1: text from a data file is never evaluated, in any export or on the live map.

folium renders each element's output a second time as a Jinja template, so a
cell holding ``{{7*7}}`` became ``49`` in the HTML export and
``{{ cycler.__init__.__globals__.os.popen(...) }}`` ran a command. Each input
format gets payloads in every text field it carries; every export and the
dashboard are built from it; nothing may be evaluated or run, and the literal
text must be there where the format carries the field.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geo import snapshot, ui
from geo.bases import load_bases
from geo.events import COLUMNS, load_sources
from geo.view import View

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"

#: Evaluated, it would read "XA49ZX"; a loop would repeat LOOP; "{%" alone is a syntax error.
SUM = "XA{{7*7}}ZX"
LOOP = "{% for x in 'abc' %}LOOP{% endfor %}"
OPEN = "half {% open"
COMMENT = "keep{# hidden #}me"


def _call(marker: Path) -> str:
    """A payload that, evaluated, creates ``marker`` through os.popen."""
    return f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def _payload(marker: Path) -> str:
    return f"{SUM} {LOOP} {OPEN} {COMMENT} {_call(marker)}"


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _fixture_rows(name: str) -> tuple[list[str], list[dict]]:
    with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


#: The free-text fields each layout carries into the events (names as in the files).
TEXT_FIELDS = {
    "events": ["title", "description", "actors", "location", "sources", "date_note", "readings"],
    "acled": [
        "actor1",
        "assoc_actor_1",
        "actor2",
        "assoc_actor_2",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "source",
        "notes",
    ],
    "ucdp": [
        "conflict_name",
        "dyad_name",
        "side_a",
        "side_b",
        "source_article",
        "source_headline",
        "where_description",
        "adm_1",
        "adm_2",
    ],
    "geojson": ["name", "notes"],
}


def payload_file(kind: str, folder: Path, text: str, fields: list[str] | None = None) -> Path:
    """Write a file of layout ``kind`` whose ``fields`` (default: every text field) hold ``text``."""
    fields = TEXT_FIELDS[kind] if fields is None else fields
    if kind == "events":
        row = {c: "" for c in COLUMNS}
        row.update(event_id="payload-1", event_date="2022-08-15", date_precision="day", event_type="attack",
                   location="Gao", country="MLI", latitude="16.27167", longitude="-0.04472", sources="mine")  # fmt: skip
        row.update({f: text for f in fields})
        return _write_csv(folder / "events_payload.csv", list(COLUMNS), [row])
    if kind in ("acled", "ucdp"):
        header, rows = _fixture_rows("acled_current.csv" if kind == "acled" else "ucdp_official.csv")
        for row in rows:
            row.update({f: text for f in fields if f in row})
        return _write_csv(folder / f"{kind}_payload.csv", header, rows)
    collection = json.loads((FIXTURES / "points.geojson").read_text(encoding="utf-8"))
    for feature in collection["features"]:
        # The date under the name the importer finds by itself (as the CLI has no --date-column yet).
        feature["properties"]["event_date"] = feature["properties"].pop("reported_on")
        feature["properties"].update({f: text for f in fields})
    path = folder / "points_payload.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def readable(data: bytes) -> str:
    """Return an export's text as a reader would get it: JSON \\u escapes and HTML references undone."""
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(html.unescape(text))


def assert_not_evaluated(text: str, marker: Path, where: str) -> None:
    assert "XA49ZX" not in text, f"{where}: {{{{7*7}}}} was evaluated"
    assert "LOOPLOOP" not in text, f"{where}: a loop was evaluated"
    assert not marker.exists(), f"{where}: the payload ran a command"


def _texts_of(fmt: str, data: bytes) -> str:
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(readable(archive.read(n)) for n in archive.namelist())
    if fmt in ("png", "pdf", "gif"):
        return ""  # drawn, not written: only the absence of side effects can be checked
    return readable(data)


@pytest.fixture(scope="module")
def reference():
    return load_sources(), load_bases()


@pytest.mark.parametrize("kind", list(TEXT_FIELDS))
def test_no_export_evaluates_text_from_any_input_format(kind, tmp_path, reference):
    sources, bases = reference
    marker = tmp_path / "ran"
    path = payload_file(kind, tmp_path, _payload(marker))
    events, _ = snapshot.load_data(path)
    assert len(events), f"the {kind} payload file should still import"
    options = snapshot.options_for_file(path)
    view = View(as_of=date(2030, 1, 1))
    carried = {"html", "csv", "geojson", "zip"}  # formats that carry the events' text
    for fmt in snapshot.EXPORT_FORMATS:
        data = snapshot.export_bytes(fmt, events, sources, bases, view, options)
        text = _texts_of(fmt, data)
        assert_not_evaluated(text, marker, f"{kind} → {fmt}")
        if fmt in carried:
            for piece in (SUM, LOOP, OPEN, COMMENT):
                assert piece in text, f"{kind} → {fmt}: {piece!r} is not shown literally"


def test_the_reported_command_line_writes_the_payload_as_text(tmp_path):
    """The issue's reproduction: one ACLED row's notes, `python -m geo.snapshot --data FILE --format html`."""
    marker = tmp_path / "ran"
    path = payload_file("acled", tmp_path, f"id={_call(marker)} {SUM}", fields=["notes"])
    out = tmp_path / "map.html"
    done = subprocess.run([sys.executable, "-m", "geo.snapshot", "--data", str(path), "--format", "html",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = readable(out.read_bytes())
    assert_not_evaluated(text, marker, "cli html")
    assert SUM in text and "cycler.__init__.__globals__" in text


@pytest.mark.parametrize("kind", ["acled", "events"])
def test_the_live_map_evaluates_nothing(kind, tmp_path, monkeypatch):
    """The dashboard hands the map to st_folium, whose Python side renders it: nothing may run there."""
    marker = tmp_path / "ran"
    path = payload_file(kind, tmp_path, _payload(marker))
    monkeypatch.setenv(ui.DATA_ENV, str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    args = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    sent = readable("\n".join(str(v) for a in args for v in a.values()).encode())
    assert_not_evaluated(sent, marker, f"{kind} → live map")
    assert SUM in sent and COMMENT in sent


PAYLOAD_CHOICES = [
    "{{7*7}}",
    "{% for x in 'abc' %}LOOP{% endfor %}",
    "{%",
    "{#",
    "![x](http://127.0.0.1:9/beacon.png)",
    "<img src=x onerror=alert(1)>",
    "=1+1",
    "$\\href{http://x}{y}$",
    "$x^2$ costs $5",
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(list(TEXT_FIELDS)),
    chosen=st.data(),
    text=st.lists(st.sampled_from(PAYLOAD_CHOICES), min_size=1, max_size=3).map(" ".join),
)
def test_payloads_in_random_fields_break_no_export(kind, chosen, text, tmp_path_factory, reference):
    sources, bases = reference
    folder = tmp_path_factory.mktemp("payload")
    fields = chosen.draw(st.lists(st.sampled_from(TEXT_FIELDS[kind]), min_size=1, unique=True))
    marker = folder / "ran"
    path = payload_file(kind, folder, f"{text} {_call(marker)}", fields)
    try:
        events, _ = snapshot.load_data(path)
    except snapshot.UsageError:
        return  # refused with a message: nothing of it is drawn
    options = snapshot.options_for_file(path)
    view = View(as_of=date(2030, 1, 1))
    for fmt in ("png", "svg", "pdf", "html", "csv", "geojson", "manifest", "zip"):
        data = snapshot.export_bytes(fmt, events, sources, bases, view, options)
        assert_not_evaluated(_texts_of(fmt, data), marker, f"{kind} {fields} → {fmt}")
