"""Text from data files, links and uploads, made safe for the three places it is shown.

Every string that a user can supply (a cell of an imported file, a file name,
a link parameter) reaches a reader through one of these doors:

* **HTML** (popups, tooltips, titles, the legend) -- :func:`html_text`.
  Besides HTML escaping, the braces are written as character references.
  folium builds its pages with Jinja, and branca's ``MacroElement.render``
  wraps the *already rendered* output of every element in a new
  ``Element(text)``, which is a ``jinja2.Template``: the figure's render then
  evaluates that text a second time. So ``{{7*7}}`` in a cell became ``49`` in
  the HTML export, and ``{{ cycler.__init__.__globals__.os.popen(...) }}``
  ran a shell command; a lone ``{%`` is a template syntax error that would
  crash the page. ``&#123;`` and ``&#125;`` are not Jinja syntax, and the
  browser shows them as ``{`` and ``}``.
* **Script** (data handed to JavaScript inside a folium template) --
  :func:`script_json`: JSON whose strings carry ``{ } < > & '`` as ``\\u``
  escapes, so it is inert both as a template and inside ``<script>``.
* **Markdown** (Streamlit's alerts, captions, ``st.markdown``) --
  :func:`markdown_literal`: an inline code span, so no image, link, autolink,
  emphasis, KaTeX ``$…$``, ``:red[…]`` colour or HTML renders; line breaks
  become spaces, so a value cannot start a heading or a list.

:func:`has_template_syntax` lets a renderer check, cheaply, that nothing it is
about to hand to folium could still be read as a template.
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd

__all__ = ["has_template_syntax", "html_text", "markdown_literal", "script_json"]

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
_SCRIPT_ESCAPES = {
    "{": "\\u007b",
    "}": "\\u007d",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCRIPT_SPECIAL = re.compile("[{}<>&']")
_BACKTICKS = re.compile("`+")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# Jinja's openers: a variable, a statement, a comment (and its line-statement
# prefixes are off in folium's default environment).
_TEMPLATE_OPENER = re.compile(r"\{[{%#]")


def _is_missing(value: object) -> bool:
    """Return True for None, NaN, pandas.NA and NaT (the missing values of a data frame's cells)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def html_text(value: object) -> str:
    """Return ``value`` as HTML text that no template engine will evaluate ('' for a missing value).

    >>> html_text("<b>{{7*7}}</b>")
    '&lt;b&gt;&#123;&#123;7*7&#125;&#125;&lt;/b&gt;'
    """
    if _is_missing(value):
        return ""
    return html.escape(str(value), quote=True).translate(_BRACES)


def script_json(value: object, **dumps_options) -> str:
    """Return ``value`` as JSON to embed in a ``<script>`` inside a folium template.

    Structural braces stay (JSON never writes ``{{``, ``{%`` or ``{#`` outside
    a string), and every ``{ } < > & '`` inside a string becomes a ``\\u``
    escape, which JavaScript reads back as the same character.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, **dumps_options)

    def escape_string(match: re.Match) -> str:
        return _SCRIPT_SPECIAL.sub(lambda ch: _SCRIPT_ESCAPES[ch.group()], match.group())

    return _JSON_STRING.sub(escape_string, text)


def markdown_literal(value: object) -> str:
    """Return ``value`` as Markdown that Streamlit shows as the same literal text, on one line.

    The text goes into an inline code span, the one Markdown construct whose
    content is never interpreted: backslash escapes and character references
    are not enough, because Streamlit's renderer still turns ``http://…``,
    ``www.…`` and ``a@b.c`` into links after unescaping them. The fence is one
    backtick longer than the longest run of backticks in the text, and padded
    with a space that CommonMark strips again.

    >>> markdown_literal("![x](http://host/b.png) `$x$`")
    '`` ![x](http://host/b.png) `$x$` ``'
    """
    if _is_missing(value):
        return ""
    # NUL would become U+FFFD in any CommonMark renderer anyway; say so here, where it is tested.
    text = _LINE_BREAKS.sub(" ", str(value)).replace("\x00", "\ufffd")
    if not text.strip():
        text = repr(text)  # a code span of spaces alone would keep its padding: show the quotes instead
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def has_template_syntax(text: str) -> bool:
    """Return True if ``text`` holds something Jinja would read as a variable, statement or comment."""
    return _TEMPLATE_OPENER.search(text) is not None
