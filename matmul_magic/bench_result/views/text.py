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
from .table import table


def aligned(rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    """``rows`` (the header first) with a rule under the header; numbers right-aligned, words
    left, each column as wide as its widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(numeric))]

    def line(values: Sequence[str]) -> str:
        out = [
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(out).rstrip()

    lines = [line(row) for row in rows]
    return lines[:1] + [line(["-" * w for w in widths])] + lines[1:]


def to_text(payload: Mapping[str, Any]) -> str:
    """An aligned table, one unit per column (in its header), then legends and notes."""
    cols, cells = table(payload)
    cells = [[plain(c) for c in row] for row in cells]
    lines = [headline(payload), conditions(payload)]
    if payload.get("interrupted"):
        lines.append(interrupted_text(payload))
    lines.append("")
    lines.extend(aligned([[c.header for c in cols], *cells], [c.numeric for c in cols]))
    lines.append("(no rows)" if not cells else "")
    lines.extend(legends(payload))
    if payload.get("sweep"):
        lines.append(sweep_caption(payload))
    notes = footnotes(payload)
    if notes:
        lines.append("")
        lines.extend(f"{plain(name)}: {plain(text)}" for name, text in notes)
    return "\n".join(lines)
