"""The project's own promises: README commands, CI, layout, and geo/ free of Streamlit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"```(?:sh|bash)?\n(.*?)\n```", readme, re.S)
    assert match, "README.md must open with a code block of set-up commands"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_dashboard_then_tests():
    commands = _readme_commands()
    assert len(commands) == 2
    assert "streamlit run dashboard.py" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci


def test_client_layout_is_kept():
    for name in ("requirements.txt", "README.md", "dashboard.py", "events.csv", "geo", "pages", "tests"):
        assert (ROOT / name).exists(), name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_geo_ui_imports_streamlit():
    offenders = [
        path.name
        for path in sorted((ROOT / "geo").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() != "geo/ui.py" and {"streamlit", "streamlit_folium"} & _imports(path)
    ]
    assert offenders == []


def test_requirements_are_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^\s]*", line), f"{name}: {line!r} is not pinned"


def _readme_module_rows() -> list[str]:
    """Return the modules named in the first column of README's module table, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `(geo/[^`]+\.py)` \|", readme, flags=re.M)


def _geo_modules() -> list[str]:
    """Return every module of geo/, packages included, but not geo/__init__.py (the table's caption says it)."""
    paths = sorted((ROOT / "geo").rglob("*.py"))
    return [p.relative_to(ROOT).as_posix() for p in paths if p.relative_to(ROOT).as_posix() != "geo/__init__.py"]


def test_readme_module_table_matches_the_layout():
    rows = _readme_module_rows()
    assert len(rows) == len(set(rows)), "README's module table names a module twice"
    assert sorted(rows) == sorted(_geo_modules()), (
        f"README's module table and geo/ differ: only in README {sorted(set(rows) - set(_geo_modules()))}, "
        f"only in geo/ {sorted(set(_geo_modules()) - set(rows))}"
    )


def test_every_public_name_resolves():
    import geo

    for name in geo.__all__:
        assert getattr(geo, name) is not None, name
