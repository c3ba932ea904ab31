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
        for path in sorted((ROOT / "geo").glob("*.py"))
        if path.name != "ui.py" and {"streamlit", "streamlit_folium"} & _imports(path)
    ]
    assert offenders == []


def test_requirements_are_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^\s]*", line), f"{name}: {line!r} is not pinned"


def test_readme_lists_every_geo_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "geo").glob("*.py")):
        if path.name != "__init__.py":
            assert f"`geo/{path.name}`" in readme, f"README.md does not describe geo/{path.name}"


def test_every_public_name_resolves():
    import geo

    for name in geo.__all__:
        assert getattr(geo, name) is not None, name
