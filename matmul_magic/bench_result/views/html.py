"""The bench as HTML (``text/html``) for front ends without the labextension: VS Code,
Colab, GitHub, nbviewer. No script, inline styles only; user text is always escaped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .format import colour
from .summary import conditions, footnotes, headline, interrupted_text, legends, sweep_caption
from .svg import bar_chart_svg, escape, sweep_chart_svg
from .table import Column, table

FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
CELL = "padding: 2px 8px; border-bottom: 1px solid rgba(128,128,128,0.3);"
_MUTED = "opacity: 0.75;"
_NAME = "max-width: 7em; overflow: hidden; text-overflow: ellipsis;"
# Name and status keep to 4 px padding: with them two columns fit 210 px (JupyterLab's output
# area at 600 px), and the columns after them scroll.
_TIGHT = "padding: 2px 4px;"


def _div(text: str, style: str = _MUTED) -> str:
    return f'<div style="{style}">{escape(text)}</div>'


def _scroll(chart: str) -> str:
    """A chart at its own size (its text stays 10 px or more), scrolling sideways in a
    narrow output rather than shrinking."""
    return f'<div style="overflow-x: auto; max-width: 100%;">{chart}</div>'


def _align(col: Column) -> str:
    return "right" if col.numeric else "left"


def _td(col: Column, value: str, row: Mapping[str, Any]) -> str:
    style = f"{CELL} text-align: {_align(col)};"
    if col.key in ("name", "status"):
        style += f" {_TIGHT}"
    if col.key == "name":
        style += " overflow-wrap: normal; word-break: normal;"
        name = escape(row["name"])
        # A name longer than 7em is cut with an ellipsis; the title has it in full. It may
        # wrap after each ``_``, never inside a word.
        inner = f'<div style="{_NAME}">{name.replace("_", "_<wbr>")}</div>'
        return f'<td data-column="name" style="{style}" title="{name}">{inner}</td>'
    title = ""
    if col.key in ("median", "speedup", "status") and row.get("unreliable"):
        style += " opacity: 0.8;"
        title = f' title="unreliable: {escape(row.get("note") or "see the notes")}"'
    if col.key == "median" and row.get("extrapolated"):
        style += " font-style: italic;"
    if col.numeric:
        style += " white-space: nowrap;"
    return f'<td data-column="{col.key}" style="{style}"{title}>{escape(value)}</td>'


def _table(payload: Mapping[str, Any]) -> list[str]:
    cols, cells = table(payload)
    head = "".join(
        f'<th style="{CELL} text-align: {_align(c)};">{escape(c.header)}</th>' for c in cols
    )
    parts = ['<div style="overflow-x: auto; max-width: 100%;">']
    parts.append('<table style="border-collapse: collapse; margin: 6px 0;">')
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row, values in zip(payload["rows"], cells, strict=True):
        bad = row["status"] in ("incorrect", "failed")
        style = f' style="color: {colour("error")};"' if bad else ""
        tds = "".join(_td(c, v, row) for c, v in zip(cols, values, strict=True))
        flags = " ".join(
            f'data-{key}="{"true" if row.get(key) else "false"}"'
            for key in ("extrapolated", "unreliable")
        )
        parts.append(f'<tr data-status="{escape(row["status"])}" {flags}{style}>{tds}</tr>')
    parts.append("</tbody></table></div>")
    return parts


def to_html(payload: Mapping[str, Any]) -> str:
    """A table plus an inline-SVG log-scale bar chart (and a log-log sweep chart)."""
    parts = [f'<div data-matmul-magic="bench-html" style="{FONT} color: inherit;">']
    parts.append(_div(headline(payload), "font-weight: 600;"))
    parts.append(_div(conditions(payload)))
    if payload.get("interrupted"):
        bad = f"color: {colour('error')}; font-weight: 600;"
        parts.append(_div(interrupted_text(payload), bad))
    parts.extend(_table(payload))
    if not payload["rows"]:
        parts.append("<div>(no rows)</div>")
    parts.extend(_div(text) for text in legends(payload))
    if chart := bar_chart_svg(payload):
        parts.append(_scroll(chart))
    if payload.get("sweep"):
        parts.append(_div(sweep_caption(payload)))
        parts.append(_scroll(sweep_chart_svg(payload)))
    notes = footnotes(payload)
    if notes:
        parts.append('<ul style="margin: 4px 0; padding-left: 18px;">')
        parts.extend(f"<li><b>{escape(name)}</b>: {escape(text)}</li>" for name, text in notes)
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)
