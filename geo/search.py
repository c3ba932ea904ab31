"""Search that forgives: accents and case ignored, places' other names, actors' other spellings.

A query is split into terms (a word, or a run of words that names a place or
an actor, as "Nations unies"); an event matches when every term matches its
``search_text`` (title, description, actors and location, lower-cased once
at load: :func:`geo.validation.validate_events`). A term matches its own letters
with or without accents ("Elysee" finds "Élysée", "Élysée" finds "Elysee"),
or any name it stands for: a town's other spellings from GeoNames and the
gazetteer ("Tombouctou" finds Timbuktu, "Segu" finds Ségou) and the actors'
spellings in :data:`ACTOR_SPELLINGS` ("Gueta" finds Goïta, "CEDEAO" finds
ECOWAS).

The haystack is never folded: each term becomes a regular expression whose
letters match their accented forms (``e`` → ``[eéèêë…]``), run by Arrow over
the whole column at once, so a search costs a few vectorised scans whatever
the number of rows; over ``search_text``, a categorical, each distinct text is
scanned once and the rows read their answer by code. :func:`explain` says,
in words, what each term matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

#: Other spellings of the actors the articles name, and their French names, by the data's spelling.
#: Accents need no entry here (they are ignored); these are different spellings.
ACTOR_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Goïta": ("Gueta", "Guèta", "Goyta"),
    "Ibrahim Boubacar Keïta": ("IBK",),
    "Maïga": ("Maiga", "Mayga"),
    "Élysée": ("Elysee Palace", "Elysée"),
    "ECOWAS": ("CEDEAO", "Cédéao"),
    "United Nations": ("ONU", "Nations unies", "UN"),
    "EU": ("Union européenne", "European Union"),
    "Wagner Group": ("Groupe Wagner", "Africa Corps"),
    "Chad": ("Tchad",),
    "Denmark": ("Danemark",),
    "Norway": ("Norvège",),
    "Hungary": ("Hongrie",),
    "Romania": ("Roumanie",),
    "Lithuania": ("Lituanie",),
    "Mauritania": ("Mauritanie",),
    "Canada": (),
    "junta": ("junte",),
    "coup": ("putsch", "coup d'État"),
    "Islamists": ("islamistes",),
    "jihadist": ("djihadiste", "jihadiste"),
}

#: Longest run of words tried as one name ("coup d'État", "Union européenne").
MAX_NAME_WORDS = 3
#: Alternate names shorter than this are left out: GeoNames lists airport codes (TOM, GAQ) and
#: transliterations (jaw) that would match inside unrelated words.
MIN_NAME_CHARS = 4
#: Rows looked at to show how a term was spelled where it matched ("'Elysee' matched 'élysée'").
EXAMPLE_ROWS = 100_000


def fold(text: str) -> str:
    """Return ``text`` without accents, lower-cased, with dashes and apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.translate(_PLAIN_PUNCTUATION).lower()
    return " ".join(bare.split())


_PLAIN_PUNCTUATION = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-", "’": "'", "ʼ": "'", "‘": "'"})


@lru_cache(maxsize=1)
def _letter_classes() -> dict[str, str]:
    """Return each plain letter's regex class of itself and every accented lower-case letter that folds to it."""
    variants: dict[str, set[str]] = {}
    for code in range(0x00C0, 0x0250):
        ch = chr(code).lower()
        plain = fold(ch)
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != ch:
            variants.setdefault(plain, set()).add(ch)
    classes = {letter: "[" + letter + "".join(sorted(chars)) + "]" for letter, chars in variants.items()}
    classes["-"] = "[-‐‑–— ]"
    classes["'"] = "['’ʼ‘]"
    classes[" "] = "[ -]"
    return classes


def term_pattern(text: str) -> str:
    """Return a regular expression that finds ``text`` in lower-cased text, whatever its accents.

    >>> bool(re.search(term_pattern("Elysee"), "sommet de l'élysée"))
    True
    """
    classes = _letter_classes()
    return "".join(classes.get(ch, re.escape(ch)) for ch in fold(text))


@dataclass(frozen=True)
class Term:
    """One term of a query: what was typed, and the names it stands for (``kind`` of each: place or actor)."""

    typed: str
    names: tuple[tuple[str, str], ...] = ()

    @property
    def patterns(self) -> tuple[str, ...]:
        """Return the regular expressions any of which the term matches: its own, then each name's."""
        return tuple(dict.fromkeys([term_pattern(self.typed), *(term_pattern(name) for _, name in self.names)]))


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[tuple[str, str], ...]]:
    """Return folded spelling → the (kind, name) it stands for: places' and actors' other names."""
    from geo import gazetteer

    found: dict[str, set[tuple[str, str]]] = {}
    for place, spellings in gazetteer.place_spellings().items():
        for spelling in spellings:
            key = fold(spelling)
            if len(key) >= MIN_NAME_CHARS and _latin(key) and key != fold(place):
                found.setdefault(key, set()).add(("place", place))
    for actor, spellings in ACTOR_SPELLINGS.items():
        for spelling in spellings:
            key = fold(spelling)
            if key != fold(actor):
                found.setdefault(key, set()).add(("actor", actor))
    # A spelling two places share says nothing about which is meant.
    return {
        key: tuple(sorted(names))
        for key, names in found.items()
        if len({name for kind, name in names if kind == "place"}) <= 1
    }


def _latin(folded: str) -> bool:
    return bool(folded) and all(ch.isascii() and (ch.isalnum() or ch in " -'") for ch in folded)


def parse_query(text: str) -> list[Term]:
    """Return the terms of a query: runs of up to :data:`MAX_NAME_WORDS` words naming something, else words."""
    words = str(text).split()
    index = _name_index()
    terms: list[Term] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            names = index.get(fold(phrase))
            if names or size == 1:
                terms.append(Term(phrase, names or ()))
                i += size
                break
    return terms


def term_mask(haystack: pd.Series, term: Term) -> np.ndarray:
    """Return which lower-cased texts contain the term, with or without accents, or a name it stands for."""
    # One alternation, one scan of the column, however many names the term stands for.
    either = "|".join(f"(?:{pattern})" for pattern in term.patterns)
    return _contains(haystack, either)


def _contains(haystack: pd.Series, pattern: str) -> np.ndarray:
    """Return which texts hold a match of ``pattern``; a categorical's distinct texts are each scanned once."""
    if isinstance(haystack.dtype, pd.CategoricalDtype):
        # search_text is a categorical of distinct texts: scan those the rows use, each once, then
        # read each row's answer by its code (a few rows of a big frame scan only their own texts).
        codes = haystack.cat.codes.to_numpy().astype(np.int64) + 1  # 0: no text, which matches nothing
        used = np.flatnonzero(np.bincount(codes, minlength=len(haystack.cat.categories) + 1)[1:])
        found = np.zeros(len(haystack.cat.categories) + 1, dtype=bool)
        texts = pd.Series(haystack.cat.categories.take(used))
        found[used + 1] = texts.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)
        return found[codes]
    return haystack.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)


def search_mask(haystack: pd.Series, text: str) -> np.ndarray:
    """Return which lower-cased texts match every term of ``text`` (see :func:`parse_query`)."""
    mask = np.ones(len(haystack), dtype=bool)
    for term in parse_query(text):
        mask &= term_mask(haystack, term)
    return mask


def explain(haystack: pd.Series, text: str) -> list[str]:
    """Return a sentence per term not found as typed, saying what it matched: "'Tombouctou' matched place Timbuktu".

    Looks at the first :data:`EXAMPLE_ROWS` texts only (what the user reads is the same for a
    million rows), so it stays cheap.
    """
    sample = haystack.iloc[:EXAMPLE_ROWS]
    sentences = []
    for term in parse_query(text):
        own = term_pattern(term.typed)
        spelled = _first_spelling(sample, own)
        matched = [f"{kind} {name}" for kind, name in term.names if _first_spelling(sample, term_pattern(name))]
        parts = []
        if spelled is not None and spelled != term.typed.lower():
            parts.append(f"'{spelled}' (accents and case ignored)")
        parts += matched
        if parts:
            sentences.append(f"'{term.typed}' matched " + _join(parts))
        elif spelled is not None:
            continue  # found as typed: nothing to explain
        elif term.names:
            stands = _join([f"{kind} {name}" for kind, name in term.names])
            sentences.append(f"'{term.typed}' (also searched as {stands}) matched nothing")
        else:
            sentences.append(f"'{term.typed}' matched nothing")
    return sentences


def _first_spelling(sample: pd.Series, pattern: str) -> str | None:
    """Return how ``pattern`` is spelled where it first matches in ``sample``, or None."""
    hits = sample[_contains(sample, pattern)]
    if hits.empty:
        return None
    found = re.search(pattern, str(hits.iloc[0]))
    return found.group(0) if found else None


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
