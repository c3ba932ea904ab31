"""Point files (GeoJSON, GeoPackage) into the events layout.

Point files (GeoJSON, GeoPackage): fields whose names match ours are used
(``title, description, event_type, actors, location, country, fatalities,
date_precision, end_date, end_precision, location_precision, sources,
source_id, notes, ...``), ``name`` stands in for ``title`` and ``place`` for
``location`` (which is otherwise the point's coordinates as text). The date
comes from ``date_column``. There is no guessed default event type: a point
file without an ``event_type`` field
needs the caller's ``event_type`` (for instance picked by the analyst in the
upload form); without either the file is refused, because colouring unknown
points as attacks (or anything else) would put on the map a claim that nobody
made. Geometries are reprojected to EPSG:4326; a layer without a CRS is taken
as EPSG:4326 when its coordinates fit. ``country`` is copied when the file has
it (alpha-3 or a name); otherwise it is the Natural Earth country containing the
point (the same test ``geo.events`` makes), and the row is refused when the
point lies in no country.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import DataError, RowProblem
from geo.events import EVENT_TYPES, PRECISIONS
from geo.importers.cells import EVENT_COLUMNS, _assemble, _floor, _iso, _join, _layout_fields, _map_unique, _Rows, _slug
from geo.importers.countries import _iso3_from_name
from geo.importers.csvfile import _MAX_COLUMNS, _normalise_name, _too_wide
from geo.importers.layout import _ISO_DATE_FORMATS
from geo.importers.sniff import _file_error, _kind_label
from geo.validation import _country_of_points

_POINT_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d %B %Y")


def _read_points(data: bytes, name: str, kind: str) -> tuple[pd.DataFrame, list[RowProblem], int]:
    """Read a point layer into string cells plus ``latitude``/``longitude`` floats."""
    import geopandas
    import pyogrio
    from pyproj.exceptions import CRSError

    # GDAL identifies drivers partly by file extension, and complains about a
    # GeoPackage read from memory; a temporary file with the right suffix is quiet.
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / f"upload.{kind}"
        path.write_bytes(data)
        try:
            layers = pyogrio.list_layers(path)
            if len(layers) == 0:
                raise _file_error(name, f"the {_kind_label(kind)} file holds no layer")
            fields = pyogrio.read_info(path, layer=str(layers[0][0]))["fields"]
            if len(fields) > _MAX_COLUMNS:  # thousands of property keys cost a minute to read
                raise _too_wide(name, len(fields))
            frame = geopandas.read_file(path, layer=str(layers[0][0]))
        except DataError:
            raise
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as err:
            message = str(err).replace(str(path), name)
            raise _file_error(name, f"cannot read the {_kind_label(kind)} file ({message})") from None

    try:
        if frame.crs is None:
            if len(frame) and frame.geometry.notna().any():
                minx, miny, maxx, maxy = frame.total_bounds
                if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                    raise _file_error(
                        name, "the layer has no coordinate reference system and its coordinates are not degrees"
                    )
            frame = frame.set_crs(4326)
        elif not frame.crs.equals("EPSG:4326", ignore_axis_order=True):
            frame = frame.to_crs(4326)
    except CRSError as err:
        raise _file_error(name, f"cannot reproject the layer to EPSG:4326 ({err})") from None

    problems: list[RowProblem] = []
    geometry = frame.geometry
    rows = np.arange(1, len(frame) + 1, dtype="int64")
    lat = np.full(len(frame), np.nan)
    lon = np.full(len(frame), np.nan)
    for i, geom in enumerate(geometry):
        if geom is None or geom.is_empty:
            problems.append(RowProblem(int(rows[i]), "geometry", None, "the feature has no geometry"))
        elif geom.geom_type != "Point":
            problems.append(RowProblem(int(rows[i]), "geometry", geom.geom_type, "only Point features are read"))
        else:
            lon[i], lat[i] = geom.x, geom.y

    cells: dict[str, object] = {}
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        key = _normalise_name(column)
        if key in cells or key in ("latitude", "longitude", "_row"):
            continue
        cells[key] = _as_text(frame[column])
    raw = pd.DataFrame(cells, index=pd.RangeIndex(len(frame)), dtype=object)
    raw["_row"] = rows
    raw["_latitude"] = lat
    raw["_longitude"] = lon
    bad_geometry = {p.row for p in problems}
    raw["_bad_geometry"] = [int(r) in bad_geometry for r in rows]
    return raw, problems, len(frame)


def _as_text(values: pd.Series) -> list[str]:
    """Attribute values as the text a CSV would hold (dates as ISO, NA as empty)."""
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif v is None or (np.ndim(v) == 0 and pd.isna(v)):
            out.append("")
        elif isinstance(v, (dt.datetime, dt.date)):
            out.append(v.strftime("%Y-%m-%d"))
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


def _map_points(rows: _Rows, name: str, date_column: str | None, event_type: str | None) -> pd.DataFrame:
    """Map the features of a point layer, with fields named like ours."""
    fields = [c for c in rows.raw.columns if not c.startswith("_")]
    if date_column is None:
        date_column = next((c for c in ("event_date", "date") if c in fields), None)
        if date_column is None:
            raise _file_error(
                name, f"choose the field holding the date (date_column); the fields are {_listed(fields)}"
            )
    key = _normalise_name(date_column)
    if key not in fields:
        raise _file_error(name, f"there is no field {date_column!r}; the fields are {_listed(fields)}")
    if not rows.has("event_type") and event_type is None:
        raise _file_error(
            name,
            "the features have no event_type field: choose the type of these events (event_type=...) "
            f"from {', '.join(sorted(EVENT_TYPES))}",
        )
    rows.refusals.bad |= rows.raw["_bad_geometry"].to_numpy(dtype=bool)

    dates = rows.dates(key, _POINT_DATE_FORMATS)
    precision = rows.choice("date_precision", PRECISIONS, "date_precision").fillna("day")
    types = rows.choice("event_type", sorted(EVENT_TYPES), "event_type")
    if event_type is not None:
        types = types.where(rows.text("event_type").notna(), event_type)
    rows.refuse(types.isna() & rows.text("event_type").isna(), "event_type", "event_type is missing")

    lat = rows.raw["_latitude"].astype("float64")
    lon = rows.raw["_longitude"].astype("float64")
    place = rows.text("location")
    place = place.where(place.notna(), rows.text("place"))
    coords = pd.Series([f"{y:.4f}, {x:.4f}" for y, x in zip(lat, lon, strict=True)], index=rows.index, dtype=object)
    place = place.where(place.notna(), coords)
    title = rows.text("title")
    title = title.where(title.notna(), rows.text("name"))
    title = title.where(
        title.notna(), _join([types.fillna(""), place.map(lambda v: f"at {v}", na_action="ignore")], " ")
    )
    named = rows.text("country")
    country = _map_unique(named, _iso3_from_name)
    rows.refuse(named.notna() & country.isna(), "country", "unknown country name or code")
    unnamed = named.isna() & lat.notna() & lon.notna()
    if unnamed.any():
        found = _country_of_points(lon[unnamed].to_numpy(), lat[unnamed].to_numpy())
        country[unnamed] = found
        rows.refuse(unnamed & country.isna(), "geometry", "no country field, and the point lies in no country")
    end_date = rows.dates("end_date", _ISO_DATE_FORMATS, required=False)
    stem = _slug(pd.Series([Path(name).stem or "points"])).iat[0] or "points"
    ids = rows.text("event_id")
    default_ids = f"geojson-{stem}-" + rows.raw["_row"].astype(str)
    columns: dict[str, object] = {c: rows.text(c) for c in EVENT_COLUMNS}
    columns.update(
        {
            "event_id": _slug(ids.where(ids.notna(), default_ids)),
            "event_date": _iso(_floor(dates, precision)),
            "date_precision": precision,
            "end_date": _iso(end_date),
            "end_precision": rows.choice("end_precision", PRECISIONS, "end_precision"),
            "event_type": types,
            "title": title,
            "location": place,
            "country": country,
            "latitude": lat,
            "longitude": lon,
            **_layout_fields(rows),
            "sources": rows.text("sources").where(rows.text("sources").notna(), "geojson"),
            "dataset": "geojson",
        }
    )
    return _assemble(rows, columns)


def _listed(fields: list[str], most: int = 30) -> str:
    """Field names for a message: the first ``most`` of them, and how many more."""
    shown = ", ".join(fields[:most]) or "none"
    return shown + (f" and {len(fields) - most:,} more" if len(fields) > most else "")
