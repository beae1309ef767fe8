"""The bench as aligned text (``text/plain``): terminal IPython, logs, ``repr``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .summary import (
    conditions,
    footnotes,
    headline,
    interrupted_text,
    legends,
    plain,
    sweep_caption,
)
from .table import Column, table


def _aligned(cols: Sequence[Column], cells: list[list[str]]) -> list[str]:
    """Header, rule and rows; numbers right-aligned, words left, one unit per column header."""
    widths = [max([len(c.header)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]

    def line(values: Sequence[str]) -> str:
        out = [
            v.rjust(w) if c.numeric else v.ljust(w)
            for v, w, c in zip(values, widths, cols, strict=True)
        ]
        return "  ".join(out).rstrip()

    return [line([c.header for c in cols]), line(["-" * w for w in widths])] + [
        line(row) for row in cells
    ]


def to_text(payload: Mapping[str, Any]) -> str:
    """An aligned table, one unit per column (in its header), then legends and notes."""
    cols, cells = table(payload)
    cells = [[plain(c) for c in row] for row in cells]
    lines = [headline(payload), conditions(payload)]
    if payload.get("interrupted"):
        lines.append(interrupted_text(payload))
    lines.append("")
    lines.extend(_aligned(cols, cells))
    lines.append("(no rows)" if not cells else "")
    lines.extend(legends(payload))
    if payload.get("sweep"):
        lines.append(sweep_caption(payload))
    notes = footnotes(payload)
    if notes:
        lines.append("")
        lines.extend(f"{plain(name)}: {plain(text)}" for name, text in notes)
    return "\n".join(lines)
