"""The data exports: the events in view as CSV and GeoJSON, the manifest that says what made them, a ZIP.

CSV cells a spreadsheet would run as formulas are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd

from geo import filters
from geo.events import COLUMNS, EVENTS_CSV, OPTIONAL_EXTRA, source_list
from geo.snapshot.options import (
    DATA_NAME_JOIN,
    SnapshotOptions,
    app_version,
    canonical_view,
    export_filename,
    sha256_bytes,
)
from geo.view import View

NUMERIC_COLUMNS = frozenset(
    {"latitude", "longitude", "fatalities", "troops", "record_latitude", "record_longitude", "record_fatalities"}
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cited_sources(events: pd.DataFrame, sources: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return (article ids from sources.csv, other source names such as imported datasets) cited by ``events``."""
    known = set(sources["source_id"])
    cited = {s for cell in events["sources"] for s in source_list(cell)}
    return sorted(cited & known), sorted(cited - known)


def neutralise(value: str) -> str:
    """Return a text cell that a spreadsheet will not run as a formula (a leading ' where it would)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _export_columns(events: pd.DataFrame) -> list[str]:
    from geo.record import RECORD_COLUMNS  # the public-record layer's optional columns (docs/data.md)

    return [*COLUMNS, *(c for c in OPTIONAL_EXTRA if c in events), *(c for c in RECORD_COLUMNS if c in events)]


def _cell(value, column: str):
    """Return a value as the events layout writes it: ISO dates, whole numbers, '' for missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in ("event_date", "end_date", "record_date", "record_end_date"):
        return pd.Timestamp(value).date().isoformat()
    if column in ("fatalities", "troops", "record_fatalities"):
        return int(value)
    if column in ("latitude", "longitude", "record_latitude", "record_longitude"):
        return float(value)
    return str(value)


def _layout_csv(rows: pd.DataFrame, *, safe: bool) -> bytes:
    """Return rows as CSV in the events layout; with ``safe``, text cells that look like formulas are neutralised."""
    columns = _export_columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows[columns].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = _cell(value, column)
            if isinstance(cell, float):
                cells.append(repr(cell))
            elif column in NUMERIC_COLUMNS or not safe:
                cells.append(cell)  # numbers stay numbers: a negative longitude is not a formula
            else:
                cells.append(neutralise(str(cell)))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def csv_bytes(events: pd.DataFrame, view: View) -> bytes:
    """Return the events in view as CSV in the events layout (``docs/data.md``), formulas neutralised."""
    return _layout_csv(filters.filter_events(events, canonical_view(view)), safe=True)


def dataset_sha256(events: pd.DataFrame) -> str:
    """Return the SHA-256 of all the events as a plain events-layout CSV: which rows an export was cut from.

    Unlike a file's hash it is the same whatever file or files the rows were read from (curated, imported,
    both combined), so the manifest identifies the data even when no single file holds it.
    """
    return sha256_bytes(_layout_csv(events, safe=False))


def geojson_bytes(events: pd.DataFrame, view: View) -> bytes:
    """Return the events in view as a GeoJSON FeatureCollection (RFC 7946: WGS84, lon/lat), one feature a line."""
    in_view = filters.filter_events(events, canonical_view(view))
    columns = _export_columns(in_view)
    features = []
    for _, row in in_view.iterrows():
        properties = {c: (_cell(row[c], c) if _cell(row[c], c) != "" else None) for c in columns}
        properties["date_label"] = row["date_label"]
        properties["geo_country"] = row["geo_country"]
        feature = {
            "type": "Feature",
            "id": row["event_id"],
            "geometry": {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]},
            "properties": properties,
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(features)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'.encode()


def bibliography(events: pd.DataFrame, sources: pd.DataFrame) -> list[dict[str, object]]:
    """Return the source articles the events cite, with how many events each backs."""
    ids, _ = cited_sources(events, sources)
    table = sources.set_index("source_id")
    counts = {i: int(sum(i in source_list(cell) for cell in events["sources"])) for i in ids}
    entries = []
    for i in ids:
        entry = {"source_id": i, "title": table.loc[i, "display"]}
        for column in ("headline", "outlet", "label", "file", "dating_note"):
            if column in table.columns and table.loc[i, column]:
                entry[column] = table.loc[i, column]
        entry["events"] = counts[i]
        entries.append(entry)
    return entries


def command_line(view: View, options: SnapshotOptions, *, extent: bool = False) -> list[str]:
    """Return the ``python -m geo.snapshot`` arguments that reproduce ``view`` (without --format/--out).

    With ``extent``, the map's centre and zoom and the DPI are included too (they matter to images only).
    """
    view = canonical_view(view)
    args = ["python", "-m", "geo.snapshot"]
    first, last = view.window
    if view.mode == "window":
        args += ["--from", first.date().isoformat(), "--to", last.date().isoformat()]
    else:
        args += ["--date", last.date().isoformat()]
    for country in view.countries:
        args += ["--country", country]
    for kind in view.types:
        args += ["--type", kind]
    if view.text:
        args += ["--text", view.text]
    if view.dates != "precise":
        args += ["--dates", view.dates]
    if not options.show_earlier:
        args.append("--no-earlier")
    if options.data_name != EVENTS_CSV.name:
        # Combined data is named "events.csv + mine.csv": each file is one --data, as the CLI combines them.
        for name in options.data_name.split(DATA_NAME_JOIN):
            args += ["--data", name]
    if extent and view.center is not None:
        args += ["--center", f"{view.center[0]:.4f},{view.center[1]:.4f}"]
        if view.zoom is not None:
            args += ["--zoom", str(int(view.zoom))]
    if extent and options.dpi != SnapshotOptions.dpi:
        args += ["--dpi", str(options.dpi)]
    return args


def manifest_bytes(events: pd.DataFrame, sources: pd.DataFrame, view: View, options: SnapshotOptions) -> bytes:
    """Return the manifest (JSON) of the data exports: view, data file hash, app version, bibliography, hashes."""
    view = canonical_view(view)
    in_view = filters.filter_events(events, view)
    first, last = view.window
    name, version = app_version()
    files = {}
    for fmt, data in (("csv", csv_bytes(events, view)), ("geojson", geojson_bytes(events, view))):
        files[export_filename(fmt, view)] = {"sha256": sha256_bytes(data), "bytes": len(data)}
    _, others = cited_sources(in_view, sources)
    from geo import record, sourcing  # the public-record layer: both dates of each event, and its references

    both = [
        {"event_id": row["event_id"], "the_articles": row.get("articles_date_label") or row["date_label"],
         "the_public_record": sourcing.public_record_text(row)}
        for row in in_view.to_dict("records")
        if sourcing.public_record_text(row)
    ]  # fmt: skip
    cited = sourcing.references_table(in_view, record.load_references())
    manifest = {
        "app": {"name": name, "version": version},
        "view": {
            "mode": view.mode,
            "date": last.date().isoformat(),
            "window": {
                "from": first.date().isoformat() if view.mode == "window" else None,
                "to": last.date().isoformat(),
            },
            "filters": {"countries": list(view.countries), "types": list(view.types), "text": view.text},
            "dates": view.dates,
            "url_query": view.with_changes(center=None, zoom=None).to_params(),
            "command": command_line(view, options),
        },
        "data": {
            "file": options.data_name,
            "sha256": options.data_sha256 or None,
            "rows": len(events),
            "events_sha256": dataset_sha256(events),
        },
        "rows": len(in_view),
        "event_ids": in_view["event_id"].tolist(),
        "files": files,
        "sources": bibliography(in_view, sources),
        "other_sources": others,
        "event_dates": both,
        "public_record": cited.drop(columns=["events"]).to_dict("records"),
        "attribution": [
            "Countries: Natural Earth 1:10m admin-0 countries (public domain), naturalearthdata.com",
            "Places: GeoNames (CC BY 4.0), https://www.geonames.org/",
        ],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def zip_bytes(events: pd.DataFrame, sources: pd.DataFrame, view: View, options: SnapshotOptions) -> bytes:
    """Return a ZIP of the CSV, the GeoJSON and the manifest; fixed dates and permissions keep its bytes stable."""
    members = (
        (export_filename("csv", view), csv_bytes(events, view)),
        (export_filename("geojson", view), geojson_bytes(events, view)),
        (export_filename("manifest", view), manifest_bytes(events, sources, view, options)),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system wrote it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()
