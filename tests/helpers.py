"""What several test modules share: readers of a page's figures, a good row and synthetic events in the events layout."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from geo.events import COLUMNS
from geo.validation import validate_events


def app_metric(at: AppTest, label: str) -> str:
    """Return the value shown by the page's metric labelled ``label`` (AppTest)."""
    return next(m.value for m in at.metric if m.label == label)


def layout_row(**changes: str) -> dict[str, str]:
    """Return one good curated row in the events layout (an attack at Gao, article 003) with ``changes``; the rest blank."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        event_id="test-event",
        event_date="2022-08-15",
        date_precision="day",
        event_type="attack",
        title="Test",
        location="Gao",
        country="MLI",
        latitude="16.27167",
        longitude="-0.04472",
        sources="003",
    )
    row.update(changes)
    return row


# Towns well inside their country, so a few kilometres of jitter stays inside it too.
TOWNS = {
    "Bamako": ("MLI", 12.65, -8.00),
    "Gao": ("MLI", 16.27, -0.04),
    "Mopti": ("MLI", 14.49, -4.19),
    "Niamey": ("NER", 13.51, 2.11),
    "Zinder": ("NER", 13.80, 8.99),
    "Ouagadougou": ("BFA", 12.37, -1.53),
    "Bobo-Dioulasso": ("BFA", 11.18, -4.30),
}
TYPES = ("attack", "massacre", "protest", "statement", "insurgency")
WORDS = ("convoy", "ambush", "market", "drone", "checkpoint", "village")


def synthetic_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """Return ``n`` rows in the events layout (strings, as read from a CSV) around Sahel towns."""
    rng = np.random.default_rng(seed)
    names = list(TOWNS)
    town = rng.integers(0, len(names), n)
    lat = np.array([TOWNS[names[t]][1] for t in town]) + rng.uniform(-0.05, 0.05, n)
    lon = np.array([TOWNS[names[t]][2] for t in town]) + rng.uniform(-0.05, 0.05, n)
    day = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 9 * 365, n), unit="D")
    monthly = rng.random(n) < 0.1
    day = day.where(~monthly, day.to_period("M").to_timestamp())
    tolls = rng.integers(0, 60, n).astype(str).astype(object)
    tolls[rng.random(n) < 0.2] = ""  # unknown tolls
    return pd.DataFrame(
        {
            "event_id": [f"syn-{i}" for i in range(n)],
            "event_date": day.strftime("%Y-%m-%d"),
            "date_precision": np.where(monthly, "month", "day"),
            "event_type": np.array(TYPES)[rng.integers(0, len(TYPES), n)],
            "title": [f"Event {i} in {names[t]}" for i, t in enumerate(town)],
            "description": [" ".join(rng.choice(WORDS, 2)) for _ in range(n)],
            "location": [names[t] for t in town],
            "country": [TOWNS[names[t]][0] for t in town],
            "latitude": [f"{v:.5f}" for v in lat],
            "longitude": [f"{v:.5f}" for v in lon],
            "fatalities": tolls,
            "sources": "synthetic",
        }
    )


@cache
def synthetic_events(n: int = 1500):
    events, problems = validate_events(synthetic_frame(n), check_places=False, strict=True)
    assert problems == []
    return events
