"""Draw a shape hint as text (terminals) and HTML (notebooks), from plain data.

Every string that came from the user (source lines, names, torch's message) is escaped in
the HTML. Styles are inline, with JupyterLab CSS variables and fallbacks, so the HTML reads
the same in JupyterLab, Notebook 7, VS Code and exported pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..shapes import format_shape


class Shown:
    """Shown as text in terminals and logs, as HTML in notebooks (``to_text``, ``to_html``)."""

    def __str__(self) -> str:
        return self.to_text()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.to_text(), "text/html": self.to_html()}


@dataclass(frozen=True)
class OperandRow:
    """One operand: its source text, its shape (None: unknown), and what to highlight."""

    label: str
    shape: tuple[int, ...] | None
    clash: frozenset[int] = frozenset()  # dims counted from the right (-1 = last) to highlight
    subscripts: tuple[str, ...] | None = None  # einsum labels, one per dim

    def cells(self) -> list[tuple[str, bool]] | None:
        """(text, highlighted) per dimension, left to right; None when the shape is unknown."""
        if self.shape is None:
            return None
        ndim = len(self.shape)
        labels = self.subscripts if self.subscripts and len(self.subscripts) == ndim else None
        return [
            (f"{labels[index]}={size}" if labels else str(size), index - ndim in self.clash)
            for index, size in enumerate(self.shape)
        ]


@dataclass(frozen=True)
class ShapeHint(Shown):
    """A hint for one shape error: the failing line, its operands aligned, what clashed, and
    at most one fix.

    ``fix`` is offered only when the fixed expression's shapes were checked to give the
    result that the line was evidently after, and how its operands were built (a ``view``, a
    slice) does not say it would compute something else: the corpus test holds each fix to
    the intended expression's values. ``edit`` is that fix as a change to ``line``
    (start column, end column, replacement). Otherwise ``fix`` is "" and ``explanation``
    says what clashed, suggesting nothing.
    """

    kind: str  # "broadcast", "matmul", "einsum", "expand", "view", "inplace", "rank", "cat"
    message: str  # torch's message, first line
    line: str  # the failing line, dedented
    mark: tuple[int, int] | None  # the failing operator's columns in ``line``
    rows: tuple[OperandRow, ...] = ()
    fix: str = ""
    explanation: str = ""
    edit: tuple[int, int, str] | None = None

    def fixed_line(self) -> str | None:
        """``line`` with the fix applied, or None when there is no fix or it spans lines."""
        if not self.fix or self.edit is None:
            return None
        start, end, replacement = self.edit
        return self.line[:start] + replacement + self.line[end:]

    def to_text(self) -> str:
        lines = [f"matmul-magic hint ({self.kind}):"]
        if self.line:
            lines.append("    " + self.line)
            if self.mark:
                start, end = self.mark
                lines.append("    " + " " * start + "^" * max(1, end - start))
        lines.extend("    " + row for row in _text_table(self.rows))
        if self.explanation:
            lines.append("    " + self.explanation)
        if self.fix:
            lines.append("    fix: " + self.fix)
        return "\n".join(lines)

    def to_html(self) -> str:
        kind = escape(self.kind)
        parts = [f'<div data-matmul-magic="shape-hint" data-kind="{kind}" style="{BOX_STYLE}">']
        parts.append('<div style="font-weight: bold">matmul-magic hint</div>')
        if self.line:
            start, end = self.mark or (len(self.line), len(self.line))
            marked = escape(self.line[start:end])
            marked = f'<mark style="{HOT_STYLE}">{marked}</mark>' if self.mark else marked
            line = escape(self.line[:start]) + marked + escape(self.line[end:])
            parts.append(f'<pre style="margin: 4px 0">{line}</pre>')
        if self.rows:
            parts.append(_html_table(self.rows))
        if self.explanation:
            parts.append(f'<div style="margin-top: 4px">{escape(self.explanation)}</div>')
        if self.fix:
            parts.append(f'<div style="margin-top: 4px"><b>fix:</b> {escape(self.fix)}</div>')
        parts.append("</div>")
        return "".join(parts)


def _text_table(rows: tuple[OperandRow, ...]) -> list[str]:
    """Right-aligned grid: every row padded on the left to the widest rank ('?': unknown)."""
    grid = []
    for row in rows:
        cells = row.cells()
        grid.append(["?"] if cells is None else [f"[{t}]" if hot else f" {t} " for t, hot in cells])
    columns = max(map(len, grid), default=0)
    grid = [[""] * (columns - len(cells)) + cells for cells in grid]
    widths = [max(len(cells[c]) for cells in grid) for c in range(columns)]
    label_width = max((len(row.label) for row in rows), default=0)
    out = []
    for row, cells in zip(rows, grid, strict=True):
        body = " ".join(text.rjust(width) for text, width in zip(cells, widths, strict=True))
        shape = "" if row.shape is None else format_shape(row.shape)  # '?' is in the grid
        out.append(f"{row.label.ljust(label_width)}  {body}   {shape}".rstrip())
    return out


BOX_STYLE = (
    "font-family: var(--jp-code-font-family, monospace); font-size: var(--jp-code-font-size, 13px);"
    " border-left: 3px solid var(--jp-warn-color1, #f57c00); padding: 4px 8px; margin: 4px 0;"
    " background: var(--jp-layout-color2, #f7f7f7); color: var(--jp-content-font-color1, #222)"
)
# A translucent red over the theme's own background, with the theme's text colour: readable
# (WCAG AA) in light and dark themes alike; the solid light pink was not, on dark.
HOT_STYLE = (
    "background: rgba(211, 47, 47, 0.25); color: inherit;"
    " box-shadow: inset 0 0 0 1px var(--jp-error-color1, #d32f2f);"
    " font-weight: bold; border-radius: 3px"
)
CELL_STYLE = "padding: 0 6px; text-align: right; vertical-align: top"


def _html_table(rows: tuple[OperandRow, ...]) -> str:
    ndim = max((len(row.shape) for row in rows if row.shape is not None), default=1)
    body = []
    label_style = f"{CELL_STYLE}; text-align: left; font-weight: bold"
    for row in rows:
        cells = row.cells()
        cells = [("?", False)] if cells is None else cells  # an unknown shape: one '?' cell
        tds = [f'<td style="{label_style}">{escape(row.label)}</td>']
        tds += [f'<td style="{CELL_STYLE}"></td>'] * (ndim - len(cells))
        for text, hot in cells:
            style = f"{CELL_STYLE}; {HOT_STYLE}" if hot else CELL_STYLE
            attr = ' data-clash="true"' if hot else ""
            tds.append(f'<td style="{style}"{attr}>{escape(text)}</td>')
        shape = "?" if row.shape is None else format_shape(row.shape)
        tds.append(f'<td style="{CELL_STYLE}; opacity: 0.7">{escape(shape)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return '<table style="border-collapse: collapse; margin: 2px 0">' + "".join(body) + "</table>"
