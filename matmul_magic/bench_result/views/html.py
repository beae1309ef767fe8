"""The bench as HTML (``text/html``) for front ends without the labextension: VS Code,
Colab, GitHub, nbviewer. No script, inline styles only; user text is always escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .format import colour
from .summary import (
    CALLS_LEGEND,
    LEGEND,
    conditions,
    footnotes,
    headline,
    interrupted_text,
    sweep_caption,
)
from .svg import bar_chart_svg, sweep_chart_svg
from .table import Column, table

FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
CELL = "padding: 2px 8px; border-bottom: 1px solid rgba(128,128,128,0.3);"
_MUTED = "opacity: 0.75;"


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _div(text: str, style: str = _MUTED) -> str:
    return f'<div style="{style}">{escape(text)}</div>'


def _align(col: Column) -> str:
    return "right" if col.numeric else "left"


def _table(payload: Mapping[str, Any]) -> list[str]:
    cols, cells = table(payload)
    head = "".join(
        f'<th style="{CELL} text-align: {_align(c)};">{escape(c.header)}</th>' for c in cols
    )
    parts = ['<table style="border-collapse: collapse; margin: 6px 0;">']
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row, values in zip(payload["rows"], cells, strict=True):
        bad = row["status"] in ("incorrect", "failed")
        style = f' style="color: {colour("error")};"' if bad else ""
        italic = " font-style: italic;" if row.get("extrapolated") else ""
        tds = "".join(
            f'<td style="{CELL} text-align: {_align(c)};{italic if c.key == "median" else ""}">'
            f"{escape(v)}</td>"
            for c, v in zip(cols, values, strict=True)
        )
        flag = "true" if row.get("extrapolated") else "false"
        parts.append(
            f'<tr data-status="{escape(row["status"])}" data-extrapolated="{flag}"{style}>'
            f"{tds}</tr>"
        )
    parts.append("</tbody></table>")
    return parts


def to_html(payload: Mapping[str, Any]) -> str:
    """A table plus an inline-SVG log-scale bar chart (and a log-log sweep chart)."""
    rows = payload["rows"]
    parts = [f'<div data-matmul-magic="bench-html" style="{FONT} color: inherit;">']
    parts.append(_div(headline(payload), "font-weight: 600;"))
    parts.append(_div(conditions(payload)))
    if payload.get("interrupted"):
        bad = f"color: {colour('error')}; font-weight: 600;"
        parts.append(_div(interrupted_text(payload), bad))
    parts.extend(_table(payload))
    if not rows:
        parts.append("<div>(no rows)</div>")
    if any(r.get("extrapolated") for r in rows):
        parts.append(_div(LEGEND))
    if rows:
        parts.append(_div(CALLS_LEGEND))
    if chart := bar_chart_svg(payload):
        parts.append(chart)
    if payload.get("sweep"):
        parts.append(_div(sweep_caption(payload)))
        parts.append(sweep_chart_svg(payload))
    notes = footnotes(payload)
    if notes:
        parts.append('<ul style="margin: 4px 0; padding-left: 18px;">')
        parts.extend(f"<li><b>{escape(name)}</b>: {escape(text)}</li>" for name, text in notes)
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)
