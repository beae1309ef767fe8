"""Static HTML pictures of the widgets' current state, for places without a widget manager.

``nbconvert --to html``, GitHub and nbviewer cannot run a widget; they show the ``text/html``
of the output instead. Each picture is a small table with inline styles and no script, built
from the same rules (``matmul_magic.shapes``) as the widget. Every label came from the user,
so everything is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from matmul_magic.shapes import KIND_LEGEND, explain_broadcast, format_shape, parse_einsum

_FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
_MONO = "font-family: var(--jp-code-font-family, monospace);"
_CELL = "padding: 2px 8px; border-bottom: 1px solid rgba(128,128,128,0.3);"
_DIM = _CELL + " text-align: center; min-width: 2.5em;" + _MONO
_BAD = "#c62828"
_OK = "#2e7d32"
# Rule colours, light enough to read black or white text on, and the live widget's hues (its
# stylesheet: equal green, stretched the accent blue, missing grey, clash red), so a learner who
# saw "stretched" in blue live sees it blue in the export too.
_RULE_BG = {
    "equal": "rgba(56,142,60,0.2)",
    "stretched": "rgba(25,118,210,0.22)",
    "missing": "rgba(128,128,128,0.18)",
    "clash": "rgba(211,47,47,0.3)",
}
# A summed einsum index: orange, as the live widget's summed chips.
_SUMMED_BG = "rgba(245,124,0,0.25)"
_NOTE = "matmul-magic widget, shown as a picture: run the notebook to use it"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _box(kind: str, title: str, body: Sequence[str]) -> str:
    return (
        f'<div data-matmul-magic="{_e(kind)}-static" style="{_FONT} color: inherit;">'
        f'<div style="font-weight: 600; margin-bottom: 4px;">{_e(title)}</div>'
        + "".join(body)
        + f'<div style="opacity: 0.7; font-size: 11px; margin-top: 4px;">{_e(_NOTE)}</div></div>'
    )


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], foot: Sequence[str] = ()) -> str:
    """Cells are already HTML (each escaped where it was built)."""
    th = "".join(f'<th style="{_CELL} text-align: left;">{h}</th>' for h in head)
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    tail = f"<tfoot><tr>{''.join(foot)}</tr></tfoot>" if foot else ""
    return (
        '<table style="border-collapse: collapse; margin: 4px 0;">'
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody>{tail}</table>"
    )


def _td(text: Any, style: str = _CELL, title: str | None = None) -> str:
    tip = f' title="{_e(title)}"' if title else ""
    return f'<td style="{style}"{tip}>{_e(text)}</td>'


def _label_cells(label: str, shape: Sequence[int] | None) -> list[str]:
    """A row's first two cells: its label in bold, and its shape (or that there is none)."""
    shown = format_shape(shape) if shape is not None else "no result"
    return [_td(label, _CELL + " font-weight: 600;"), _td(shown, _CELL + _MONO)]


def _message(text: str, ok: bool) -> str:
    colour = _OK if ok else _BAD
    return f'<p style="margin: 4px 0; color: {colour};">{_e(text)}</p>'


def shape_explorer_html(shapes: list[list[int]], names: list[str], error: str) -> str:
    """The operands right-aligned, one column per dimension coloured by the rule, the result."""
    explanation = explain_broadcast(*map(tuple, shapes))
    ndim = len(explanation.columns)
    head = ["operand", "shape"] + [f"dim {c - ndim}" for c in range(ndim)]
    rows = []
    for i, (shape, name) in enumerate(zip(shapes, names, strict=True)):
        cells = _label_cells(name, shape)
        for column in explanation.columns:
            size, kind = column.sizes[i], column.kinds[i]
            style = f"{_DIM} background: {_RULE_BG[kind]};"
            cells.append(_td(1 if size is None else size, style, f"{name}: {KIND_LEGEND[kind]}"))
        rows.append(cells)
    result = explanation.result
    foot = _label_cells("result", result)
    for column in explanation.columns:
        bad = column.size is None
        style = f"{_DIM} background: {_RULE_BG['clash']};" if bad else _DIM
        foot.append(_td("✗" if bad else column.size, style))
    legend = " · ".join(
        f'<span style="background: {_RULE_BG[k]}; padding: 0 4px;">{_e(t)}</span>'
        for k, t in KIND_LEGEND.items()
    )
    message = _message(error, False) if error else _message(explanation.reason, True)
    body = [_table(head, rows, foot), f'<div style="font-size: 11px;">{legend}</div>', message]
    return _box("shape-explorer", "Broadcasting", body)


def einsum_explorer_html(
    spec: str,
    shapes: list[list[int]],
    names: list[str],
    result: list[int] | None,
    summed: list[str],
    error: str,
    loops: str,
) -> str:
    """Each operand's axes labelled by the spec (summed ones marked), the output, the loops."""
    try:
        plan = parse_einsum(spec, *map(tuple, shapes))
    except ValueError:
        plan = None
    rows = []
    for i, (shape, name) in enumerate(zip(shapes, names, strict=True)):
        axes = _axes(plan.inputs[i], shape, set(plan.summed)) if plan else ""
        rows.append([*_label_cells(name, shape), f'<td style="{_CELL}">{axes}</td>'])
    out_axes = _axes(plan.output, plan.shape, set()) if plan else ""
    foot = [*_label_cells("output", result), f'<td style="{_CELL}">{out_axes}</td>']
    body = [
        f'<div style="{_MONO}">torch.einsum({_e(repr(spec))}, {_e(", ".join(names))})</div>',
        _table(["operand", "shape", "axes"], rows, foot),
    ]
    if error:
        body.append(_message(error, False))
    else:
        what = f"Summed over {', '.join(summed)}" if summed else "Nothing is summed"
        body.append(_message(f"{what}: output shape {format_shape(result)}.", True))
        body.append(
            f'<pre style="{_MONO} margin: 4px 0; padding: 4px 8px; '
            f'background: rgba(128,128,128,0.12);">{_e(loops)}</pre>'
        )
    return _box("einsum-explorer", "einsum", body)


def _axes(labels: Sequence[str], shape: Sequence[int], summed: set[str]) -> str:
    covered = len(shape) - (len(labels) - (1 if "..." in labels else 0))
    chips, at = [], 0
    for label in labels:
        for _ in range(covered if label == "..." else 1):
            shown = "…" if label == "..." else label
            bold = label in summed
            style = (
                f"display: inline-block; margin: 0 2px; padding: 0 4px; border-radius: 3px; {_MONO}"
                + (f" background: {_SUMMED_BG}; font-weight: 600;" if bold else
                   f" background: {_RULE_BG['missing']};")
            )  # fmt: skip
            tip = f"{shown} is summed over" if bold else f"{shown} is kept"
            chips.append(f'<span style="{style}" title="{_e(tip)}">{_e(shown)}={shape[at]}</span>')
            at += 1
    return "".join(chips)


def matmul_stepper_html(
    shapes: list[list[int]], values: list[Any], level: int, level_text: str, step: int, total: int
) -> str:
    """The product, the level's loop, how far the animation is, and small matrices' values.

    The operands are a and b, as in the lesson's ``matmul(a, b)`` the loops are written in.
    """
    (m, k), (_, n) = shapes
    a, b = "a", "b"
    body = [
        f'<div style="{_MONO}">{_e(a)} {_e(format_shape((m, k)))} @ {_e(b)} '
        f"{_e(format_shape((k, n)))} → c {_e(format_shape((m, n)))}</div>",
        f'<div style="margin: 4px 0;">level {level}: <code>{_e(level_text)}</code></div>',
        f"<div>step {step} of {total}</div>",
    ]
    if values:
        grids = [_grid(f"{a} {format_shape((m, k))}", values[0]),
                 _grid(f"{b} {format_shape((k, n))}", values[1])]  # fmt: skip
        body.append(
            '<div style="display: flex; gap: 16px; flex-wrap: wrap;">' + "".join(grids) + "</div>"
        )
    return _box("matmul-stepper", "Matmul stepper", body)


def _grid(caption: str, values: list[list[Any]]) -> str:
    rows = "".join("<tr>" + "".join(_td(v, _DIM) for v in row) + "</tr>" for row in values)
    return (
        f'<table style="border-collapse: collapse;"><caption style="text-align: left;">'
        f"{_e(caption)}</caption><tbody>{rows}</tbody></table>"
    )
