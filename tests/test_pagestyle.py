"""The head start the dashboard gives the map's code: Streamlit's component module and its imports."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit

from geo import pagestyle

STREAMLIT_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"


def test_map_component_modules_are_files_of_the_installed_streamlit():
    names = pagestyle.map_component_modules(STREAMLIT_JS)
    assert names[0].startswith("ComponentInstance.")
    assert len(names) > 1
    assert all((STREAMLIT_JS / name).is_file() for name in names)


def test_map_component_modules_is_empty_for_another_build(tmp_path):
    assert pagestyle.map_component_modules(tmp_path) == []
    (tmp_path / "ComponentInstance.a.js").write_text("")
    (tmp_path / "ComponentInstance.b.js").write_text("")
    assert pagestyle.map_component_modules(tmp_path) == []


def test_module_preload_js_quotes_the_names_as_json():
    script = pagestyle.module_preload_js(['a".js'])
    assert json.dumps(['a".js']) in script
    assert "modulepreload" in script
