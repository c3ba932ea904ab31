"""geo/escaping.py: text from data files stays text in HTML, in scripts, in Jinja and in Markdown."""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Template
from markdown_it import MarkdownIt

from geo.escaping import has_template_syntax, html_text, markdown_literal, script_json

#: What a hostile file or link puts in a cell (issue 17): templates, Markdown, HTML, formulas, mathtext.
PAYLOADS = [
    "{{7*7}}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(3) %}LOOP{% endfor %}",
    "{# comment #}",
    "{%",
    "![x](http://127.0.0.1:9/beacon.png)",
    "[link](http://example.com)",
    ":red[coloured] :material/home:",
    "$\\href{http://x}{y}$ and $x^2$",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "# heading\n- item\n> quote",
    "a\\b`c`*d*_e_",
]

PIECES = [*list("{}%#$![]()<>&'\"\\*_:x \né"), "{{"]
# Text a user might type or a file might hold: any printable characters, with the payloads' pieces favoured.
texts = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
)


@settings(deadline=None)  # timing depends on the machine's load, not on the code
@given(texts)
def test_html_text_reads_back_and_is_no_template(text):
    escaped = html_text(text)
    assert html.unescape(escaped) == text
    assert not has_template_syntax(escaped)
    assert "<" not in escaped and ">" not in escaped
    # Rendered as a template twice over (what branca does with every element's output), it is unchanged.
    # Jinja drops one final newline and writes every line break as "\n": layout, not evaluation.
    keep = {"keep_trailing_newline": True}
    same_lines = re.sub(r"\r\n?", "\n", escaped)
    assert Template(Template(escaped, **keep).render(), **keep).render() == same_lines


@settings(deadline=None)
@given(texts)
def test_script_json_reads_back_and_is_no_template(text):
    value = {"title": text, "nested": [{"popup": text, "n": 1}], text: None}
    encoded = script_json(value)
    assert json.loads(encoded) == value
    assert not has_template_syntax(encoded)
    assert "</" not in encoded and "<" not in encoded
    assert Template(encoded, keep_trailing_newline=True).render() == encoded  # JSON escapes every line break


def test_script_json_keeps_structure_that_is_not_a_string():
    assert script_json({"a": {"b": [1, {"c": 2}]}}) == '{"a": {"b": [1, {"c": 2}]}}'


def test_html_text_of_missing_values_is_empty():
    import numpy as np
    import pandas as pd

    assert [html_text(v) for v in (None, float("nan"), np.nan, pd.NA, pd.NaT)] == ["", "", "", "", ""]
    assert html_text(0) == "0"


def _rendered_text(markdown: str) -> str:
    """Render Markdown as CommonMark does and return the text of its one code span, as a reader sees it."""
    rendered = MarkdownIt("commonmark").render("before " + markdown + " after")
    found = re.fullmatch(r"<p>before <code>(.*)</code> after</p>\n", rendered, flags=re.S)
    assert found, rendered  # one paragraph holding one code span, nothing else
    assert "<" not in found.group(1), f"markup in {rendered!r}"
    return html.unescape(found.group(1))


@settings(max_examples=300, deadline=None)
@given(texts.filter(lambda t: t.strip()))
def test_markdown_literal_renders_as_the_same_text(text):
    one_line = re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text).replace("\x00", "\ufffd")
    assert _rendered_text(markdown_literal(text)) == one_line


@pytest.mark.parametrize("text", PAYLOADS)
def test_markdown_literal_of_each_payload_shows_one_line_of_text(text):
    assert _rendered_text(markdown_literal(text)) == re.sub(r"\n+", " ", text)


def test_markdown_literal_of_blank_text_shows_its_quotes():
    assert _rendered_text(markdown_literal("   ")) == "'   '"
    assert markdown_literal(None) == ""


def test_has_template_syntax():
    assert has_template_syntax("a {{ b }}") and has_template_syntax("{%") and has_template_syntax("{#")
    assert not has_template_syntax('.x { color: red } {} {"a": 1}')
