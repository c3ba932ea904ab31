"""Read ACLED, UCDP GED and point files (GeoJSON, GeoPackage) into the events layout.

The events layout is the one described in ``docs/data.md``. Every importer
returns an :class:`ImportResult`: the rows it could map, one
:class:`~geo.errors.RowProblem` for every cell it had to refuse (with the line
number, the column and the value), and the format it read. A row with any
refused cell is left out; the other rows load. Only a file that cannot be read
at all (unknown layout, over the size limit, not a table) raises
:class:`~geo.errors.DataError`.

Formats
-------
``acled``
    ACLED CSV exports: the current column set (``event_id_cnty, event_date,
    year, time_precision, disorder_type, event_type, sub_event_type, actor1,
    assoc_actor_1, inter1, actor2, ..., iso, region, country, admin1..3,
    location, latitude, longitude, geo_precision, source, source_scale, notes,
    fatalities, tags, timestamp``), dyadic or monadic (one row per actor,
    no ``actor2``: the rows of one event are merged, its deaths counted
    once); the 2019-2023 one with ``data_id``,
    ``event_id_no_cnty`` and ``iso3``; and the older one without
    ``sub_event_type``/``disorder_type`` (``ally_actor_1`` instead of
    ``assoc_actor_1``, upper-case headers, ``GWNO``). The extra HXL hashtag row
    of the HDX copies (``#event+code, #date+occurred, ...``) is skipped.
``ucdp``
    UCDP Georeferenced Event Dataset (GED) CSV: the official release
    (``best, high, low``) and the web download (``best_est, high_est,
    low_est``, a trailing comma on every line).
``events``
    Our own layout (``docs/data.md``), e.g. a file saved from the dashboard.
``geojson``, ``gpkg``
    Points with attributes; the date column is chosen by the caller.

CSV files may be UTF-8 (with or without a byte-order mark) or UTF-16 with a
byte-order mark, Windows-1252 when they hold no UTF-8 at all (a mostly UTF-8
file keeps UTF-8 and refuses the rows holding stray bytes, by column;
``ImportResult.encoding`` says which), may end lines with CRLF, LF or CR, may
quote fields holding commas and line breaks, may be separated by ``,``, ``;``
or tabs (with ``;``, decimal commas such as ``12,2967`` are read where the
column uses no decimal point), and may come gzipped or inside a ZIP archive
holding one CSV. ACLED and UCDP tables may also come as an Excel workbook
(``.xlsx``, first sheet; ``geo.importers.xlsx``). Header names are matched
case-insensitively. A line holding nothing but separators is treated as a
blank line. Dates written ``1/2/2022`` are read in the order the column
settles (a first number above 12: day first; a second: month first) or the
caller's ``date_order``; a column that settles neither is refused whole.

Before a cell is read, a file is bounded: at most ``max_bytes`` after
unpacking (by default :data:`MAX_FILE_MB` MB of 1024 x 1024 bytes as
Streamlit's uploader counts them, :data:`MAX_FILE_BYTES`: the one limit the
dashboard and its uploader use too), a ZIP or gzip member at most 100 times its packed size beyond
16 MB, a header of at most 500 columns, cells of at most the csv module's
field size limit (each longer cell refuses its row).

``_row`` and ``RowProblem.row`` are the 1-based line on which a record starts
in the CSV file as a text editor shows it (the header is line 1; the HDX
hashtag row counts as a line; a quoted field with line breaks makes a record
span several lines). For GeoJSON and GeoPackage files they are the 1-based
position of the feature in its layer.

Layout
------
One module per step and per format, as geopandas lays out ``io/``:

``core``
    :func:`import_table`, :func:`detect_format`, :class:`ImportResult`: the
    dispatch to one reader per format, and validation by ``geo.events``.
``sniff``
    bytes: size limits, ZIP and gzip, the kind of file, the text encoding.
``csvfile``
    CSV text into cells (Arrow, or the csv module for what Arrow reads differently).
``cells``
    the cells of one file: text, numbers, codes, dates, each refused by row and column.
``countries``
    country names and codes into ISO alpha-3.
``xlsx``
    Excel workbooks into the same cells (openpyxl).
``acled``, ``ucdp``, ``layout``, ``points``
    the readers of ACLED, UCDP GED, the events layout and point files.

Whether a point lies in the country its row names is checked by
``geo.validation.validate_events`` through ``geo.frontiers``: the country as it
was on the event's date (South Sudan before 9 July 2011 was Sudan), points
in no polygon near their country (Abyei, offshore) kept with a note.
"""

from geo.importers.cells import EVENT_COLUMNS
from geo.importers.core import FORMATS, ImportResult, detect_format, import_table
from geo.importers.sniff import MAX_FILE_BYTES, MAX_FILE_MB, MEGABYTE

__all__ = [
    "EVENT_COLUMNS",
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_FILE_MB",
    "MEGABYTE",
    "ImportResult",
    "detect_format",
    "import_table",
]
