"""ACLED, UCDP GED and point files map onto the events layout row by row; bad cells are refused precisely."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geo.errors import DataError, RowProblem
from geo.importers import EVENT_COLUMNS, ImportResult, core, detect_format, import_table

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"


def _plain(value):
    """Compare cells the way a CSV shows them: dates as ISO, blanks and NA as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if value == "":
        return None
    return value


def rows_by_line(result: ImportResult) -> dict[int, dict]:
    return {
        int(r["_row"]): {k: _plain(v) for k, v in r.items() if k != "geometry"} for _, r in result.events.iterrows()
    }


def refusals(result: ImportResult) -> list[tuple[int | None, str | None, object]]:
    return [(p.row, p.column, p.value) for p in result.problems]


def assert_row(actual: dict, **expected) -> None:
    for column, value in expected.items():
        if isinstance(value, float):
            assert actual[column] == pytest.approx(value), column
        else:
            assert actual[column] == value, f"{column}: {actual[column]!r} != {value!r}"


class Upload(io.BytesIO):
    """What Streamlit's file uploader hands over: bytes with a name."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


# --- ACLED -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acled_current() -> ImportResult:
    return import_table(FIXTURES / "acled_current.csv")


def test_acled_current_maps_every_good_row(acled_current):
    rows = rows_by_line(acled_current)
    assert acled_current.fmt == "acled"
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 15]
    assert_row(
        rows[2],
        event_id="acled-MLI26001",
        event_date="2022-08-07",
        date_precision="day",
        end_date=None,
        event_type="attack",
        title="Armed clash in Tessit",
        description="ACLED: Battles / Armed clash (Political violence); source: AFP; Reuters (International)",
        actors="Islamic State (Sahel);Military Forces of Mali (2021-)",
        location="Tessit",
        country="MLI",
        latitude=15.014,
        longitude=0.491,
        location_precision="place",
        fatalities=42,
        sources="acled",
        dataset="acled",
        source_id="MLI26001",
        date_note=None,
    )
    assert rows[2]["notes"].startswith("On 7 August 2022, IS Sahel militants attacked the Malian army camp in Tessit")
    # Strategic developments -> statement; ACLED's sub-type "Other" is not used as a title.
    assert_row(
        rows[3],
        event_id="acled-MLI26002",
        event_date="2022-08-15",
        event_type="statement",
        title="Strategic developments in Gao",
        actors="Military Forces of France (2017-)",
        fatalities=0,
        location_precision="place",
    )
    # time_precision 2 (a week): month precision, ACLED's own date kept in date_note.
    assert_row(
        rows[4],
        event_id="acled-MLI26003",
        event_date="2022-06-01",
        date_precision="month",
        event_type="massacre",
        title="Attack in Bankass",
        actors="Katiba Macina;Civilians (Mali)",
        location_precision="region",
        fatalities=132,
        date_note="ACLED time_precision 2 (a week or similar span around 2022-06-19); stored as month precision",
    )
    assert "with JNIM: Group for Support of Islam and Muslims" in rows[4]["description"]
    assert_row(rows[5], event_id="acled-BFO9001", event_date="2022-06-11", country="BFA", event_type="massacre")
    # time_precision 3 (a month) and geo_precision 3 (a larger region).
    assert_row(
        rows[6],
        event_date="2022-03-01",
        date_precision="month",
        location_precision="region",
        fatalities=300,
        date_note="ACLED time_precision 3 (only the month is known; ACLED coded 2022-03-27)",
    )
    assert_row(rows[7], event_id="acled-NIG3001", event_type="protest", country="NER", latitude=13.5116)
    # Riots -> protest; an empty fatalities cell stays unknown, never 0.
    assert_row(rows[15], event_type="protest", title="Mob violence in Bamako", fatalities=None)


def test_acled_current_refuses_bad_cells_with_row_column_value(acled_current):
    assert refusals(acled_current) == [
        (8, "event_date", "2022-13-45"),
        (9, "latitude", "abc"),
        (10, "fatalities", "-3"),
        (11, "event_type", "Skirmish"),
        (12, "latitude", "95.2"),
        (13, "longitude", ""),
        (14, "time_precision", "7"),
    ]
    messages = {p.row: p.message for p in acled_current.problems}
    assert "not a date" in messages[8] and "15 August 2022" in messages[8]
    assert "negative" in messages[10]
    assert "between -90 and 90" in messages[12]
    assert "missing" in messages[13]
    assert "1, 2, 3" in messages[14]


def test_events_frame_has_the_contract_columns_in_order(acled_current):
    columns = list(acled_current.events.columns)
    assert columns[: len(EVENT_COLUMNS) + 1] == [*EVENT_COLUMNS, "_row"]
    assert list(EVENT_COLUMNS[-3:]) == ["dataset", "source_id", "notes"]


def test_summary_counts_rows_dates_countries_types_and_problems(acled_current):
    assert acled_current.summary() == {
        "format": "acled",
        "rows_read": 14,
        "rows_kept": 7,
        "rows_refused": 7,
        "date_range": ("2022-02-04", "2022-09-18"),
        "countries": {"BFA": 1, "MLI": 5, "NER": 1},
        "types": {"attack": 1, "massacre": 3, "protest": 2, "statement": 1},
        "problems_by_column": {
            "event_date": 1,
            "event_type": 1,
            "fatalities": 1,
            "latitude": 2,
            "longitude": 1,
            "time_precision": 1,
        },
    }


def test_acled_old_layout_without_sub_event_type():
    result = import_table(FIXTURES / "acled_old.csv")
    rows = rows_by_line(result)
    assert result.fmt == "acled"
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 8, 12]
    # Upper-case headers, dd/mm/yyyy dates, pre-2019 event types, ally_actor_1.
    assert_row(
        rows[2],
        event_id="acled-MLI1001",
        event_date="2013-01-17",
        event_type="attack",
        title="Battle-Government regains territory in Konna",
        actors="Military Forces of France (2012-2017);Ansar Dine",
        fatalities=25,
        country="MLI",
    )
    assert "with Military Forces of Mali (2012-2013)" in rows[2]["description"]
    assert_row(rows[3], event_type="statement", location="Timbuktu")  # Non-violent transfer of territory
    assert_row(rows[4], event_type="attack", fatalities=77)  # Remote violence
    assert_row(rows[5], event_type="massacre", event_date="2015-11-20")  # Violence against civilians
    assert_row(rows[6], event_type="protest", event_date="2018-01-01", date_precision="month")  # Riots/Protests
    assert_row(rows[7], event_type="statement", event_date="2014-08-01", date_precision="month")  # HQ established
    assert_row(rows[8], event_type="statement", location="Kidal")  # Strategic development
    # No ISO numeric code: the iso3 column gives the country.
    assert_row(rows[12], event_id="acled-BFO1011", country="BFA", event_type="attack")
    assert refusals(result) == [
        (9, "country", "Atlantis"),
        (10, "fatalities", "2.5"),
        (11, "event_date", "31/02/2015"),
    ]


def test_acled_hdx_copy_with_bom_crlf_hashtag_row_and_multiline_quotes():
    data = (FIXTURES / "acled_hdx.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n#event+code," in data  # the fixture is what it claims
    result = import_table(FIXTURES / "acled_hdx.csv")
    rows = rows_by_line(result)
    assert result.fmt == "acled"
    assert result.rows_read == 7  # the hashtag row is not an event
    # Line 3's notes span two lines, line 8's three: the line numbers say so.
    assert sorted(rows) == [3, 5, 6, 8, 12]
    assert_row(
        rows[3],
        event_id="acled-BFO9101",
        event_date="2022-09-26",
        event_type="attack",
        location="Djibo",
        country="BFA",
        location_precision="region",
        fatalities=11,
        notes="On 26 September 2022, JNIM militants attacked a supply convoy bound for Djibo at Gaskinde, "
        "coded to Djibo (Djibo, Soum, Sahel).\n11 soldiers were killed, and about 50 civilians went missing.",
    )
    assert "source: AFP; Reuters; Lefaso.net, Ouagadougou (International)" in rows[3]["description"]
    assert_row(rows[5], event_id="acled-NIG3101", event_type="attack", title="Air/drone strike in Tillaberi")
    assert rows[6]["notes"].endswith(
        'supplying "intelligence" and weapons to armed groups, and asked for an emergency meeting.'
    )
    assert_row(rows[8], event_date="2022-08-01", date_precision="month", event_type="attack")
    assert rows[8]["notes"].count("\n") == 2
    assert_row(rows[12], event_type="protest", event_date="2022-08-21", location="Ouagadougou")
    assert refusals(result) == [(7, "latitude", ""), (11, "event_date", "32 August 2022")]


def _rewrite_acled(transform) -> bytes:
    """The current-layout fixture with each data row passed through ``transform(dict) -> dict``."""
    reader = csv.DictReader(io.StringIO((FIXTURES / "acled_current.csv").read_text(encoding="utf-8")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in reader:
        writer.writerow(transform(dict(row)))
    return out.getvalue().encode("utf-8")


def test_r_exports_write_na_for_blank_cells(acled_current):
    # Exports written from R (as in public ACLED extracts on GitHub) say NA where ACLED leaves a cell empty.
    na = ("assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "tags", "fatalities")
    result = import_table(
        Upload(_rewrite_acled(lambda r: {k: ("NA" if k in na and v == "" else v) for k, v in r.items()}), "r.csv")
    )
    assert rows_by_line(result) == rows_by_line(acled_current)
    assert refusals(result) == refusals(acled_current)
    assert rows_by_line(result)[3]["actors"] == "Military Forces of France (2017-)"


@pytest.mark.parametrize(
    "spelling",
    ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"],  # API, export tool, pre-2019 spreadsheets, old Excel copies
)
def test_acled_date_spellings(spelling, acled_current):
    def respell(row):
        with contextlib.suppress(ValueError):  # the fixture's impossible date stays as it is
            row["event_date"] = pd.Timestamp(row["event_date"]).strftime(spelling)
        return row

    result = import_table(Upload(_rewrite_acled(respell), "dates.csv"))
    assert {k: v["event_date"] for k, v in rows_by_line(result).items()} == {
        k: v["event_date"] for k, v in rows_by_line(acled_current).items()
    }


# --- UCDP GED ------------------------------------------------------------------------


def test_ucdp_official_release_maps_precisions_spans_and_countries():
    result = import_table(FIXTURES / "ucdp_official.csv")
    rows = rows_by_line(result)
    assert result.fmt == "ucdp"
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 8]
    assert_row(
        rows[2],
        event_id="ucdp-441201",
        event_date="2022-08-07",
        date_precision="day",
        end_date=None,
        event_type="attack",  # state-based
        title="State-based armed conflict: Government of Mali - IS",
        actors="Government of Mali;IS",
        location="Tessit village",
        country="MLI",
        latitude=15.014,
        longitude=0.491,
        location_precision="place",
        fatalities=79,  # best
        sources="ucdp",
        dataset="ucdp",
        source_id="441201",
        notes="Agence France Presse,2022-08-08,Mali: 42 soldiers killed in attack at Tessit;"
        "Reuters,2022-08-09,Mali says 42 soldiers killed in suspected jihadist attack",
    )
    assert "estimate 79-84" in rows[2]["description"]
    assert "deaths: side A 42, side B 37, civilians 0, unknown 0" in rows[2]["description"]
    # date_prec 2 (two to six days): day precision with the span in end_date; one-sided -> massacre.
    assert_row(
        rows[3],
        event_date="2022-06-11",
        date_precision="day",
        end_date="2022-06-12",
        end_precision="day",
        event_type="massacre",
        location_precision="region",  # where_prec 3
        date_note="UCDP date_prec 2: sometime between 2022-06-11 and 2022-06-12",
    )
    # date_prec 4 (a month), both ends in March: first of the month, no end_date; non-state -> attack.
    assert_row(
        rows[4],
        event_date="2022-03-01",
        date_precision="month",
        end_date=None,
        event_type="attack",
        location_precision="region",
    )
    # date_prec 5 (a year): 1 January; where_prec 6 (the whole country).
    assert_row(rows[5], event_date="2022-01-01", date_precision="year", end_date=None, location_precision="country")
    # date_prec 3 (a week across two months): day-precise bounds.
    assert_row(rows[6], event_date="2022-05-30", end_date="2022-06-05", end_precision="day", location_precision="place")
    # UCDP's country spellings.
    assert_row(rows[7], country="CIV", event_date="2021-06-07")  # "Cote D'Ivoire"
    assert_row(rows[8], country="COD", event_type="massacre")  # "DR Congo (Zaire)"
    assert refusals(result) == [
        (9, "type_of_violence", "4"),
        (10, "where_prec", "9"),
        (11, "date_end", "2022-07-01 00:00:00.000"),
        (12, "best", "many"),
        (13, "country", "Wakanda"),
    ]


def test_ucdp_web_download_with_est_columns_trailing_commas_and_us_dates():
    text = (FIXTURES / "ucdp_web.csv").read_text(encoding="utf-8")
    assert all(line.endswith(",") for line in text.splitlines())  # the fixture is what it claims
    result = import_table(FIXTURES / "ucdp_web.csv")
    rows = rows_by_line(result)
    assert result.fmt == "ucdp"
    assert sorted(rows) == [2, 3, 4, 8]
    assert_row(
        rows[2],
        event_id="ucdp-451301",
        event_date="2022-04-01",
        event_type="attack",
        fatalities=16,  # best_est
        location="Boni town",
        notes="Agence France Presse,2022-04-02,Mali army says 'terrorists' killed near Boni;"
        "Xinhua,2022-04-03,Malian army repels attack in central region;"
        "RFI,2022-04-03,Mali: attaque contre l'armée à Boni",
    )
    assert len(rows[2]["notes"].split(";")) == 3
    assert "estimate 16-20" in rows[2]["description"]
    assert_row(rows[3], event_type="massacre", country="NER", event_date="2022-03-20", end_date="2022-03-21")
    assert_row(rows[4], country="BFA", location_precision="region", fatalities=35)
    assert_row(rows[8], event_date="2022-06-05", country="BFA")  # "6/5/2022 0:00:00"
    assert refusals(result) == [
        (5, "best_est", "-1"),
        (6, "latitude", ""),
        (7, "date_end", "13/45/2022 00:00:00"),
        (7, "date_start", "13/45/2022 00:00:00"),
    ]


def test_ucdp_inside_a_zip_archive(tmp_path):
    archive = tmp_path / "ged-csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "ucdp_official.csv", "GEDEvent_v22_1.csv")
    result = import_table(archive)
    assert result.fmt == "ucdp"
    assert len(result.events) == 7


# --- our own layout --------------------------------------------------------------------


def test_the_curated_events_file_imports_as_the_events_layout():
    result = import_table(ROOT / "events.csv")
    assert result.fmt == "events"
    assert result.problems == []
    assert len(result.events) == result.rows_read == len(pd.read_csv(ROOT / "events.csv"))
    assert set(result.events["dataset"]) == {"curated"}


# --- point files -----------------------------------------------------------------------


def test_geojson_with_a_custom_date_column():
    result = import_table(FIXTURES / "points.geojson", date_column="reported_on")
    rows = rows_by_line(result)
    assert result.fmt == "geojson"
    assert sorted(rows) == [1, 2, 7]
    assert_row(
        rows[1],
        event_id="geojson-points-1",
        event_date="2022-08-15",
        date_precision="day",
        event_type="base_handover",
        title="Barkhane leaves Gao",
        location="16.2717, -0.0447",
        country="MLI",
        latitude=16.2717,
        longitude=-0.0447,
        sources="geojson",
        dataset="geojson",
        notes="Last French soldiers leave Mali",
        fatalities=None,
    )
    # No country in the file: the Natural Earth country holding the point.
    assert_row(rows[2], country="MLI", event_date="2022-06-13")
    assert_row(rows[7], country="MLI", event_date="2021-12-14", fatalities=0)  # "Mali", "14 December 2021"
    assert refusals(result) == [
        (3, "event_type", ""),
        (4, "geometry", "LineString"),
        (5, "reported_on", "last Sunday"),
        (6, "event_type", "raid"),
    ]


def test_geojson_event_type_chosen_by_the_analyst_fills_blank_types():
    result = import_table(FIXTURES / "points.geojson", date_column="reported_on", event_type="announcement")
    rows = rows_by_line(result)
    assert_row(rows[3], event_type="announcement", country="NER", title="Niger agrees to host French forces")
    assert rows[1]["event_type"] == "base_handover"  # the file's own type wins


def test_point_file_without_event_type_field_needs_the_callers_choice(tmp_path):
    path = tmp_path / "bases.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [-0.0447, 16.2717]},
                        "properties": {"name": "Gao base", "date": "2022-08-15"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="event_type"):
        import_table(path)
    result = import_table(path, event_type="base_handover")
    assert_row(rows_by_line(result)[1], event_type="base_handover", event_date="2022-08-15", title="Gao base")


def test_point_file_date_column_must_be_named_and_exist():
    with pytest.raises(DataError, match="reported_on"):
        import_table(FIXTURES / "points.geojson")  # no event_date/date field: the error lists the fields
    with pytest.raises(DataError, match="no field 'when'"):
        import_table(FIXTURES / "points.geojson", date_column="when")


def test_geopackage_in_a_projected_crs_is_reprojected(tmp_path):
    places = [("Menaka", 2.402, 15.918), ("Niamey", 2.1254, 13.5116), ("Ansongo", 0.5022, 15.6597)]
    frame = gpd.GeoDataFrame(
        {
            "title": [f"Event at {p[0]}" for p in places],
            "event_type": ["base_handover", "announcement", "attack"],
            "event_date": pd.to_datetime(["2022-06-13", "2022-08-16", "2022-05-02"]),
            "fatalities": [0, 0, 4],
        },
        geometry=[Point(lon, lat) for _, lon, lat in places],
        crs=4326,
    ).to_crs(32631)  # UTM zone 31N, metres
    path = tmp_path / "sahel.gpkg"
    frame.to_file(path, driver="GPKG")

    for source in (path, Upload(path.read_bytes(), "sahel.gpkg")):
        result = import_table(source)
        rows = rows_by_line(result)
        assert result.fmt == "gpkg"
        assert result.problems == []
        for i, (name, lon, lat) in enumerate(places, start=1):
            assert rows[i]["latitude"] == pytest.approx(lat, abs=1e-7)
            assert rows[i]["longitude"] == pytest.approx(lon, abs=1e-7)
            assert rows[i]["title"] == f"Event at {name}"
            assert rows[i]["event_id"] == f"geojson-sahel-{i}"
        assert_row(rows[1], event_type="base_handover", event_date="2022-06-13", country="MLI")
        assert_row(rows[2], country="NER", fatalities=0)
        assert_row(rows[3], event_type="attack", fatalities=4)


# --- format detection, overrides, limits ---------------------------------------------------


def test_detect_format_from_headers():
    assert detect_format(["event_id_cnty", "event_date", "event_type", "country", "latitude", "longitude"]) == "acled"
    header = (FIXTURES / "ucdp_web.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert detect_format(header) == "ucdp"
    assert detect_format([" EVENT_ID_CNTY", "Event_Date", "EVENT_TYPE", "COUNTRY", "LATITUDE", "LONGITUDE "]) == "acled"
    events_header = (ROOT / "events.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert detect_format(events_header) == "events"


def test_detect_format_says_what_each_format_needs():
    with pytest.raises(DataError) as info:
        detect_format(["date", "place", "lat", "lon"])
    message = str(info.value)
    assert "ACLED needs event_id_cnty, event_date" in message
    assert "UCDP GED needs id, type_of_violence, date_start" in message
    assert "best (or best_est)" in message
    assert "the events layout (docs/data.md) needs event_id, event_date, date_precision" in message
    assert "Found: date, place, lat, lon" in message


def test_format_override():
    assert import_table(FIXTURES / "ucdp_official.csv", fmt="ucdp").fmt == "ucdp"
    with pytest.raises(DataError, match="read as ACLED, but the columns event_id_cnty, event_date, event_type"):
        import_table(FIXTURES / "ucdp_official.csv", fmt="acled")
    with pytest.raises(DataError, match="expected a CSV table"):
        import_table(FIXTURES / "points.geojson", fmt="acled")
    with pytest.raises(DataError, match="expected a GeoPackage file"):
        import_table(FIXTURES / "acled_current.csv", fmt="gpkg")
    with pytest.raises(ValueError, match="fmt 'xlsx'"):
        import_table(FIXTURES / "acled_current.csv", fmt="xlsx")


def test_an_unrecognised_table_is_refused_whole(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("date,place,lat,lon\n2022-08-15,Gao,16.27,-0.04\n", encoding="utf-8")
    with pytest.raises(DataError, match="columns not recognised") as info:
        import_table(path)
    assert info.value.source == "other.csv"


@pytest.mark.parametrize("as_upload", [False, True])
def test_size_limit_names_the_limit_in_megabytes(as_upload):
    path = FIXTURES / "acled_current.csv"
    source = Upload(path.read_bytes(), path.name) if as_upload else path
    with pytest.raises(DataError, match=r"larger than the 1 kB limit"):
        import_table(source, max_bytes=1024)
    assert len(import_table(FIXTURES / "acled_current.csv", max_bytes=path.stat().st_size).events) == 7


def test_upload_reads_like_a_path():
    data = (FIXTURES / "acled_hdx.csv").read_bytes()
    from_upload = import_table(Upload(data, "conflict_data_bfa.csv"))
    from_path = import_table(FIXTURES / "acled_hdx.csv")
    assert rows_by_line(from_upload) == rows_by_line(from_path)
    assert refusals(from_upload) == refusals(from_path)


def test_malformed_csv_refuses_rows_not_the_file(tmp_path):
    lines = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    header, good, other = lines[0], lines[1], lines[2]
    extra = good.replace("Tessit,Tessit", "Tessit,,Tessit", 1).replace("MLI26001", "MLI90001", 1)
    unclosed = other.replace('in Mali.",', "in Mali.,", 1).replace("MLI26002", "MLI90002", 1)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join([header, good, extra, other, unclosed, good.replace("MLI26001", "MLI90003")]) + "\n")
    result = import_table(path)
    assert sorted(rows_by_line(result)) == [2, 4]
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (3, None, "32 fields"),
        (5, None, "34 fields"),
    ]
    assert "header has 31" in result.problems[0].message
    assert "lines 5-6 were read as one record" in result.problems[1].message
    assert "a quote opened on line 5 is not closed" in result.problems[1].message


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (bytes(range(256)) * 4, "columns not recognised"),
        (b"PK\x03\x04not really a zip", "ZIP"),
        (b"{ not json", "cannot read the GeoJSON"),
    ],
)
def test_files_that_are_not_tables_raise_data_error(data, match):
    with pytest.raises(DataError, match=match):
        import_table(Upload(data, "upload.bin"))


def test_windows_1252_csv_is_read(tmp_path):
    path = tmp_path / "cp1252.csv"
    text = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").replace("Djenne", "Djenné")
    path.write_bytes(text.encode("cp1252"))
    result = import_table(path)
    assert result.encoding == "cp1252"
    assert rows_by_line(result)[6]["location"] == "Djenné"


def test_imported_rows_go_through_geo_validation_validate_events(monkeypatch):
    calls = []

    def fake_validate(frame, *, source_ids, check_places, strict):
        calls.append((len(frame), source_ids, check_places, strict))
        first = frame.iloc[[0]]
        return frame.iloc[1:], [RowProblem(int(first["_row"].iloc[0]), "event_id", "x", "rejected by validate_events")]

    monkeypatch.setattr(core, "validate_events", fake_validate)
    result = import_table(FIXTURES / "acled_current.csv")
    assert calls == [(7, None, False, False)]
    assert len(result.events) == 6
    assert (2, "event_id", "x") in refusals(result)
    assert result.summary()["rows_refused"] == 8


def test_a_point_at_sea_is_refused_not_a_crash(tmp_path):
    lines = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "sea.csv"
    path.write_text(lines[0] + "\n" + lines[1].replace(",15.014,0.491,", ",0.5,0.491,") + "\n", encoding="utf-8")
    result = import_table(path)  # Tessit's row moved into the Gulf of Guinea
    assert result.events.empty
    assert [(p.row, p.column) for p in result.problems] == [(2, "latitude")]


# --- real exports, when someone has put them in tests/fixtures/real (see its README) ----

REAL = ROOT / "tests" / "fixtures" / "real"
_REAL_FILES = sorted(p for p in REAL.glob("*") if p.suffix.lower() in (".csv", ".zip"))


def _is_number(text: str, low: float, high: float) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return low <= value <= high


def _is_count(text: str) -> bool:
    return text.strip().upper() in ("", "NA") or (_is_number(text, 0, 1e7) and float(text) % 1 == 0)


def _is_date(text: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            day = dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        return dt.date(1900, 1, 1) <= day <= dt.date.today()
    return False


_ACLED_TYPES = {
    "battles", "explosions/remote violence", "violence against civilians", "protests", "riots",
    "strategic developments", "battle-no change of territory", "battle-government regains territory",
    "battle-non-state actor overtakes territory", "remote violence", "riots/protests", "strategic development",
    "non-violent transfer of territory", "headquarters or base established",
}  # fmt: skip


def _valid_acled(row: dict[str, str]) -> bool:
    """ACLED's codebook, checked without the importer's code."""
    get = lambda c: (row.get(c) or "").strip()  # noqa: E731
    return (
        bool(re.fullmatch(r"[A-Za-z0-9_-]+", get("event_id_cnty")))
        and _is_date(get("event_date"), ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y"))
        and get("time_precision") in ("", "1", "2", "3")
        and get("geo_precision") in ("", "1", "2", "3")
        and get("event_type").lower() in _ACLED_TYPES
        and _is_number(get("latitude"), -90, 90)
        and _is_number(get("longitude"), -180, 180)
        and (float(get("latitude")), float(get("longitude"))) != (0.0, 0.0)
        and _is_count(get("fatalities"))
        and get("country") != ""
    )


def _valid_ucdp(row: dict[str, str]) -> bool:
    """UCDP GED's codebook, checked without the importer's code."""
    get = lambda c: (row.get(c) or "").strip()  # noqa: E731
    formats = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
    best = get("best") if "best" in row else get("best_est")
    start, end = get("date_start"), get("date_end") or get("date_start")
    return (
        get("id") != ""
        and get("type_of_violence") in ("1", "2", "3")
        and get("date_prec") in ("1", "2", "3", "4", "5")
        and get("where_prec") in ("1", "2", "3", "4", "5", "6", "7")
        and _is_date(start, formats)
        and _is_date(end, formats)
        and pd.Timestamp(end.split(" ")[0]) >= pd.Timestamp(start.split(" ")[0])
        and _is_number(get("latitude"), -90, 90)
        and _is_number(get("longitude"), -180, 180)
        and _is_count(best)
        and get("country") != ""
    )


def _records_with_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as z:
            text = z.read(next(n for n in z.namelist() if n.lower().endswith(".csv"))).decode("utf-8-sig")
    else:
        text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    out, line = [], reader.line_num
    for record in reader:
        if any(cell.strip() for cell in record) and not record[0].startswith("#"):
            out.append((line + 1, dict(zip(header, record, strict=False))))
        line = reader.line_num
    return out


@pytest.mark.skipif(not _REAL_FILES, reason="no real ACLED/UCDP export in tests/fixtures/real (see its README)")
@pytest.mark.parametrize("path", _REAL_FILES, ids=[p.name for p in _REAL_FILES])
def test_real_exports_map_every_valid_row(path):
    result = import_table(path)
    assert result.fmt in ("acled", "ucdp")
    valid = _valid_acled if result.fmt == "acled" else _valid_ucdp
    kept = set(result.events["_row"].astype(int))
    problems: dict[int, list[RowProblem]] = {}
    for p in result.problems:
        problems.setdefault(p.row, []).append(p)
    # Besides bad cells, validate_events may refuse a point lying off its country, or a repeated id.
    excusable = ("outside", "duplicate event_id")
    records = _records_with_lines(path)
    assert result.rows_read == len(records)
    for line, row in records:
        if line in kept:
            continue
        assert line in problems, f"line {line} is neither kept nor refused"
        if valid(row):
            reasons = [str(p) for p in problems[line]]
            assert all(any(word in r for word in excusable) for r in reasons), f"line {line} is valid: {reasons}"


# --- property tests: nothing but DataError, every row accounted for -------------------


_GOOD_ACLED = [
    row
    for i, row in enumerate(csv.reader(io.StringIO((FIXTURES / "acled_current.csv").read_text(encoding="utf-8"))))
    if i in (0, 1, 2, 3, 4, 5, 6)
]
_HEADER = _GOOD_ACLED[0]
_MANGLEABLE = [_HEADER.index(c) for c in ("event_date", "latitude", "longitude", "fatalities")]
_cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from([",", '"', "\n", "\r", "-", "."]),
    max_size=12,
)


def _lines_of(text: str) -> int:
    return len(io.StringIO(text, newline="").readlines())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mangles=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(_MANGLEABLE), _cell_text),
        max_size=8,
    )
)
def test_mangled_cells_are_kept_or_refused_never_crash(mangles):
    rows = [list(r) for r in _GOOD_ACLED[1:]]
    for i, row in enumerate(rows):
        row[0] = f"MLI{7000 + i}"
    for index, column, text in mangles:
        rows[index][column] = text
    # CRLF as terminator so that csv quotes cells holding a lone CR as well as LF.
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(_HEADER)
    starts, line = [], 2
    for row in rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(row)
        starts.append(line)
        line += _lines_of(buf.getvalue())
        out.write(buf.getvalue())

    result = import_table(Upload(out.getvalue().encode("utf-8"), "mangled.csv"))

    kept = set(result.events["_row"].astype(int))
    refused = {p.row for p in result.problems}
    assert None not in refused
    assert kept.isdisjoint(refused)
    assert kept | refused == set(starts)
    assert result.rows_read == len(rows)
    untouched = {starts[i] for i in range(len(rows)) if i not in {m[0] for m in mangles}}
    assert untouched <= kept


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from([",", '"', "\n", ";", "x", '""', "\r"])),
        min_size=1,
        max_size=6,
    )
)
def test_stray_separators_and_quotes_raise_nothing_but_data_error(edits):
    text = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")
    for position, insert in edits:
        at = int(position * len(text))
        text = text[:at] + insert + text[at:]
    try:
        result = import_table(Upload(text.encode("utf-8"), "stray.csv"))
    except DataError:
        return
    kept = set(result.events["_row"].astype(int))
    refused = {p.row for p in result.problems if p.row is not None}
    assert kept.isdisjoint(refused)
    assert len(kept) + len(refused) == result.rows_read
