"""The map's legend: an entry for every symbol the view draws, and only for those.

Event types present, each with its shape and colour; mark sizes when a toll
is known; the date-precision outlines present; faded earlier events; grid
cells; the movement states and base states present; the Mali–Niger border,
the place dots and the off-screen arrow. Swatches are small inline SVGs drawn
with the same shapes, colours and dash patterns as the map (:mod:`geo.style`),
and no entry wraps.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import pandas as pd

from geo import style
from geo.escaping import html_text as _esc

#: The tolls shown in the size key, and their labels.
SIZE_KEY = ((None, "unknown"), (10, "10"), (100, "100"))


def shape_path(shape: str, cx: float, cy: float, r: float) -> str:
    """Return the SVG path of a mark of ``shape`` with the area of a circle of radius ``r`` (as the map draws it)."""
    if shape == "square":
        h = 0.886 * r
        return f"M{cx - h:.2f},{cy - h:.2f}h{2 * h:.2f}v{2 * h:.2f}h{-2 * h:.2f}z"
    if shape == "diamond":
        a = 1.253 * r
        return f"M{cx:.2f},{cy - a:.2f}L{cx + a:.2f},{cy:.2f}L{cx:.2f},{cy + a:.2f}L{cx - a:.2f},{cy:.2f}z"
    if shape == "triangle":
        return (
            f"M{cx:.2f},{cy - 1.555 * r:.2f}L{cx + 1.347 * r:.2f},{cy + 0.778 * r:.2f}"
            f"L{cx - 1.347 * r:.2f},{cy + 0.778 * r:.2f}z"
        )
    return f"M{cx - r:.2f},{cy:.2f}a{r:.2f},{r:.2f} 0 1,0 {2 * r:.2f},0a{r:.2f},{r:.2f} 0 1,0 {-2 * r:.2f},0z"


def _mark(shape: str, fill: str, *, r: float = 6.0, dash: str | None = None, fill_opacity: float = 0.85,
          stroke_opacity: float = 0.95) -> str:  # fmt: skip
    size = 2 * r * (1.6 if shape in ("diamond", "triangle") else 1.0) + 4
    c = size / 2
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="{size:.0f}" height="{size:.0f}" viewBox="0 0 {size:.0f} {size:.0f}" aria-hidden="true" '
        'style="vertical-align:middle;flex:none">'
        f'<path d="{shape_path(shape, c, c + (0.2 * r if shape == "triangle" else 0), r)}" fill="{fill}" '
        f'fill-opacity="{fill_opacity}" stroke="{style.MARK_OUTLINE}" stroke-opacity="{stroke_opacity}" '
        f'stroke-width="1.6"{dash_attr}/></svg>'
    )


def _line(colour: str, *, width: float = 3, dash: str | None = None, arrow: bool = False) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    head = f'<path d="M15,2 L21,7 L15,12" fill="none" stroke="{colour}" stroke-width="2.5"/>' if arrow else ""
    return (
        '<svg width="22" height="14" viewBox="0 0 22 14" aria-hidden="true" style="vertical-align:middle;flex:none">'
        f'<path d="M1,7 H{18 if arrow else 21}" stroke="{colour}" stroke-width="{width}"{dash_attr} fill="none"/>'
        f"{head}</svg>"
    )


def _values(frame: pd.DataFrame, column: str) -> set:
    """Return the values of a column, or none when the frame lacks it (cells keep only what they count)."""
    return set(frame[column]) if column in frame.columns and len(frame) else set()


def _drawn(keys: Iterable[str], frame: pd.DataFrame | None, column: str) -> list[str]:
    """Return ``keys`` (in their order) that ``frame[column]`` holds; all of them when there is no frame."""
    return list(keys) if frame is None else [k for k in keys if k in _values(frame, column)]


def _img(svg: str) -> str:
    """Return an SVG swatch as an image: Streamlit's ``st.html`` strips inline SVG, but keeps data-URI images."""
    svg = svg.replace(' aria-hidden="true"', "").replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return f'<img alt="" src="data:image/svg+xml,{quote(svg)}" style="vertical-align:middle;flex:none">'


def _row(swatch: str, text: str) -> str:
    return (
        '<div class="legend-row" style="display:flex;align-items:center;gap:5px;white-space:nowrap;min-height:18px">'
        f"{_img(swatch) if swatch.startswith('<svg') else swatch}<span>{text}</span></div>"
    )


def _section(title: str, rows: Iterable[str]) -> str:
    rows = list(rows)
    if not rows:
        return ""
    return (
        f'<div class="legend-section" style="margin-top:6px"><div style="font-weight:700;white-space:nowrap">'
        f"{_esc(title)}</div>{''.join(rows)}</div>"
    )


def legend_html(
    shown: pd.DataFrame | None = None,
    status: Iterable[str] | None = None,
    moves: pd.DataFrame | None = None,
    bases: pd.DataFrame | None = None,
    cells: pd.DataFrame | None = None,
    *,
    floating: bool = True,
) -> str:
    """Return the legend for what the view draws (``None`` for any part: explain every symbol of it).

    Parameters
    ----------
    shown, status
        The event marks drawn and their status (``"earlier"`` marks are faded).
    moves
        The troop movements (column ``state``); planned ones are not drawn.
    bases
        The bases (column ``status``).
    cells
        The grid cells drawn instead of marks (:mod:`geo.aggregate`), or ``None``.
    floating
        Place it over the map's bottom-left corner; otherwise a plain block to set beside the map.
    """
    types = _type_rows(shown)
    has_marks = shown is None or len(shown) > 0
    known_toll = shown is None or ("fatalities" in shown and shown["fatalities"].notna().any())
    columns = "display:grid;grid-template-columns:auto auto;column-gap:12px" if floating and len(types) > 6 else ""
    place = (
        "position:fixed;bottom:36px;left:10px;z-index:9999;max-height:70%;overflow:auto;"
        if floating
        else "overflow-x:auto;"
    )
    body = (
        (_section("Event type", [f'<div style="{columns}">{"".join(types)}</div>']) if types else "")
        + (_section("Fatalities (area)", [_size_key()]) if has_marks and known_toll else "")
        + _section("Date known to", _outline_rows(shown, status) if has_marks else [])
        + _section("Grid cells", _cell_rows(cells))
        + _section("Moves and bases", _movement_rows(moves) + _base_rows(bases))
        + _section("On the map", _map_rows())
    )
    return (
        f'<div id="map-legend" style="{place}background:rgba(255,255,255,.95);color:#222;'
        'padding:6px 8px;border:1px solid #999;border-radius:4px;font:12px/1.35 sans-serif">'
        f'<details open><summary style="font-weight:700;cursor:pointer">Legend</summary>{body}</details></div>'
    )


def _type_rows(shown: pd.DataFrame | None) -> list[str]:
    """One row per event type drawn, in the style's order, then any type the style does not know."""
    present_types = _drawn(style.TYPE_COLOURS, shown, "event_type")
    unknown_types = [] if shown is None else sorted(_values(shown, "event_type") - set(style.TYPE_COLOURS))
    return [
        _row(_mark(style.type_shape(kind), style.type_colour(kind)), _esc(kind.replace("_", " ")))
        for kind in present_types + unknown_types
    ]


def _size_key() -> str:
    """The marks' sizes for the tolls of :data:`SIZE_KEY`, side by side."""
    return (
        '<div class="legend-row" style="display:flex;align-items:flex-end;gap:6px;white-space:nowrap">'
        + "".join(
            '<span style="display:inline-flex;flex-direction:column;align-items:center">'
            f"{_img(_mark('circle', '#FFFFFF', r=style.marker_radius(n)))}<span>{label}</span></span>"
            for n, label in SIZE_KEY
        )
        + "</div>"
    )


def _outline_rows(shown: pd.DataFrame | None, status: Iterable[str] | None) -> list[str]:
    """The outlines of the date precisions drawn, and the faded mark when earlier events are shown."""
    precisions = _drawn(style.PRECISION_DASH, shown, "date_precision")
    outlines = [_row(_mark("circle", "#FFFFFF", dash=style.PRECISION_DASH[p]), f"the {p}") for p in precisions]
    if status is None or "earlier" in set(status):
        outlines.append(_row(_mark("circle", "#999999", fill_opacity=0.25, stroke_opacity=0.35), "faded: earlier"))
    return outlines


def _movement_rows(moves: pd.DataFrame | None) -> list[str]:
    """The movement states drawn (planned ones are not), their route, and the force's dot while under way."""
    states = ["under way", "done"] if moves is None else [s for s in ("under way", "done") if s in set(moves["state"])]
    rows = []
    for state in states:
        colour = style.MOVEMENT_COLOURS[state]
        rows.append(_row(_line(colour, width=5, arrow=True), f"moved ({state})"))
    if states:
        rows.append(_row(_line(style.MOVEMENT_COLOURS[states[0]], width=2, dash="4 6"), "route"))
    if "under way" in states:
        dot = ('<svg width="22" height="18" viewBox="0 0 22 18" aria-hidden="true" style="flex:none"><circle cx="11" '
               f'cy="9" r="7" fill="{style.MOVEMENT_COLOURS["under way"]}" stroke="#fff" stroke-width="3"/></svg>')  # fmt: skip
        rows.append(_row(dot, "force now"))
    return rows


def _base_rows(bases: pd.DataFrame | None) -> list[str]:
    """The base states drawn: a filled box in use, an empty one handed over."""
    base_states = (
        list(style.BASE_COLOURS) if bases is None else [s for s in style.BASE_COLOURS if s in set(bases["status"])]
    )
    rows = []
    for state in base_states:
        colour = style.BASE_COLOURS[state]
        fill = colour if state == "in use" else "none"
        box = ('<svg width="22" height="16" viewBox="0 0 22 16" aria-hidden="true" style="flex:none">'
               f'<rect x="4" y="1" width="14" height="14" fill="{fill}" fill-opacity="0.6" stroke="{colour}" '
               'stroke-width="3"/></svg>')  # fmt: skip
        rows.append(_row(box, f"base {state}"))
    return rows


def _cell_rows(cells: pd.DataFrame | None) -> list[str]:
    """The grid cell's mark, when cells are drawn."""
    return [_row(_mark("circle", style.CELL_COLOUR, r=8), "many events")] if cells is not None and len(cells) else []


def _map_rows() -> list[str]:
    """What every map shows: the border, the named places and the off-screen arrow."""
    place_dot = (
        '<svg width="22" height="12" viewBox="0 0 22 12" aria-hidden="true" style="flex:none"><circle cx="11" cy="6" '
        f'r="3.5" fill="{style.LABEL_COLOUR}" stroke="#fff"/></svg>'
    )
    arrow = (
        '<span aria-hidden="true" style="flex:none;font:600 11px sans-serif;color:#fff;background:#222;'
        'border-radius:10px;padding:1px 6px">↑ 6</span>'
    )
    return [
        _row(_line(style.BORDER_COLOUR, width=style.BORDER_WEIGHT, dash=style.BORDER_DASH), "Mali–Niger border"),
        _row(place_dot, "named place"),
        _row(arrow, "off screen: click"),
    ]
