"""Check that a refactor left the exports alone: the same views give the same bytes here and at a git ref.

Prints the SHA-256 of a PNG, an HTML map, a CSV and a manifest (and an SVG and a ZIP) of three views,
made from this checkout and, with ``--against REF``, from a temporary worktree of REF, and exits 1 if any
differ. Run from the repository's root::

    python .ci/export_digests.py --against main
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from geo.view import View

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("png", "svg", "html", "csv", "manifest", "zip")


def digests() -> dict[str, str]:
    """Return {'view/format': sha256} for the three views, made in this process from the tree it runs in."""
    sys.path.insert(0, str(Path.cwd()))
    from geo import snapshot
    from geo.bases import load_bases
    from geo.events import EVENTS_CSV, load_events, load_sources

    events, sources, bases = load_events(), load_sources(), load_bases()
    options = snapshot.options_for_file(EVENTS_CSV)
    views = {
        "as_of": View(as_of=date(2022, 8, 15)),
        "window": View(
            as_of=date(2022, 8, 15), mode="window", date_from=date(2022, 2, 1), date_to=date(2022, 8, 15),
            countries=("MLI", "NER"),
        ),
        "extent": View(
            as_of=date(2022, 6, 20), types=("attack", "troop_movement"), center=(15.5, -1.5), zoom=5
        ),
    }  # fmt: skip
    out = {}
    for name, view in views.items():
        for fmt in FORMATS:
            data = snapshot.export_bytes(fmt, events, sources, bases, view, options)
            out[f"{name}/{fmt}"] = snapshot.sha256_bytes(data)
    return out


def _at_ref(ref: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="export-digests-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), ref], check=True)
        try:
            result = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--json"], cwd=tree, check=True,
                capture_output=True, text=True,
            )  # fmt: skip
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return json.loads(result.stdout)


def main() -> int:
    """Print the digests (and compare them with ``--against REF``); return 1 if any differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REF", help="also make the exports at this git ref and compare")
    parser.add_argument("--json", action="store_true", help="print the digests as JSON only")
    args = parser.parse_args()
    here = digests()
    if args.json:
        print(json.dumps(here, sort_keys=True))
        return 0
    there = _at_ref(args.against) if args.against else {}
    differ = 0
    for key, digest in here.items():
        verdict = ""
        if there:
            same = there.get(key) == digest
            differ += not same
            verdict = "same" if same else f"DIFFERS (at {args.against}: {there.get(key, 'missing')[:16]})"
        print(f"{key:18} {digest[:16]} {verdict}")
    if there:
        print(f"{len(here) - differ} of {len(here)} exports identical to {args.against}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
