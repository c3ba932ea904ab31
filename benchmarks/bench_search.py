"""Forgiving search against plain substring search over a million texts: seconds per query and the ratio.

Run: python benchmarks/bench_search.py [rows]. Prints numbers; asserts nothing (report `uptime` with them).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, as the other benchmarks
from geo import search

TEXTS = ["attack near gao", "clashes in ménaka region", "élysée summit on the sahel", "patrol out of timbuktu",
         "kati base shelled"]  # fmt: skip
QUERIES = ["gao", "Elysee", "Tombouctou", "Gueta", "gao base"]


def main(rows: int = 1_000_000) -> None:
    """Time each query both ways on ``rows`` lower-cased texts held as Arrow strings, as search_text is."""
    words = np.array(TEXTS * (rows // len(TEXTS)))
    haystack = pd.Series(pa.chunked_array([pa.array(words, type=pa.large_string())]), dtype="string")
    search.parse_query("warm")  # the name index reads GeoNames once per process
    print(f"{len(haystack):,} texts")
    for query in QUERIES:
        start = time.perf_counter()
        plain = np.ones(len(haystack), dtype=bool)
        for word in query.lower().split():
            plain &= haystack.str.contains(word, regex=False).to_numpy(dtype=bool, na_value=False)
        plain_s = time.perf_counter() - start
        start = time.perf_counter()
        forgiving = search.search_mask(haystack, query)
        forgiving_s = time.perf_counter() - start
        print(f"{query!r:14} plain {plain_s:.3f} s ({plain.sum():,} hits)  forgiving {forgiving_s:.3f} s "
              f"({forgiving.sum():,} hits)  ratio {forgiving_s / plain_s:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
