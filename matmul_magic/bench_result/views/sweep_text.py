"""A sweep in a terminal: the time at every size as a table, and a log-log chart in text.

``sweep_table`` has a row per variant and a column per size (each time in its own unit with
its 95 % interval, ``≈`` where extrapolated, ``⚠`` where unreliable), then the fitted
exponent. ``sweep_chart`` draws log time against log size in Unicode braille (2×4 dots per
character, as plotext and uniplot draw), one numbered marker per measured point and braille
lines between them, with a legend. Hand-written rather than a
dependency: it is about a hundred lines, and the CLI stays standard library plus torch.
Neither imports torch. ``to_text_with_sweep`` is the CLI's whole text output. All take the
payload dict (``BenchResult.to_dict()``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .format import MISSING, RULES, format_exponent, format_point, format_tick
from .summary import plain
from .svg import decades, sweep_series
from .text import aligned, to_text

Payload = Mapping[str, Any]

MARKERS = "123456789abcdefghijklmnopqrstuvwxyz"
MAX_COLUMNS = 8
# Braille dot bits by [row within the cell][column within the cell] (Unicode's dot numbering).
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE = 0x2800


def _cell(row: Mapping[str, Any], size: int) -> str:
    for p in row.get("points") or ():
        if p["size"] == size:
            return format_point(p, bool(row.get("unreliable")))
    return MISSING


def _exponent(row: Mapping[str, Any]) -> str:
    """The fitted exponent; marked where the row's figures are unreliable."""
    text = format_exponent(row.get("exponent"))
    return text + RULES["unreliable_mark"] if row.get("unreliable") and text != MISSING else text


def shown_sizes(sizes: Sequence[int], limit: int = MAX_COLUMNS) -> list[int]:
    """At most ``limit`` of ``sizes``, evenly spread, the first and last always among them."""
    if len(sizes) <= limit:
        return list(sizes)
    picks = sorted({round(i * (len(sizes) - 1) / (limit - 1)) for i in range(limit)})
    return [sizes[i] for i in picks]


def _sizes(payload: Payload) -> list[int]:
    return list((payload.get("sweep") or {}).get("sizes") or ())


def sweep_table(payload: Payload, limit: int = MAX_COLUMNS) -> str:
    """Median time of every row at each sweep size (``limit`` columns at most, evenly spread),
    and the exponent; ``""`` without a sweep."""
    all_sizes = _sizes(payload)
    if not all_sizes:
        return ""
    sizes = shown_sizes(all_sizes, limit)
    header = ["name", *(f"{s}²" for s in sizes), "exponent"]
    body = [
        [plain(row["name"]), *(_cell(row, s) for s in sizes), _exponent(row)]
        for row in payload["rows"]
    ]
    title = "median time at each size ±95% interval (size×size @ size×size)"
    if len(sizes) < len(all_sizes):
        title += f"; {len(sizes)} of the {len(all_sizes)} sizes, all of them in --save"
    numeric = [False] + [True] * (len(header) - 1)
    return "\n".join([title, *aligned([header, *body], numeric)])


def _series(payload: Payload) -> list[tuple[str, list[tuple[int, float]]]]:
    series = sweep_series(payload)[: len(MARKERS)]
    return [(row["name"], sorted((p["size"], p["median"]) for p in pts)) for row, pts in series]


def sweep_chart(payload: Payload, width: int = 56, height: int = 12) -> str:
    """Log time against log size, ``width``×``height`` characters of plot; ``""`` if nothing
    to draw (fewer than two sizes or no timed point)."""
    sizes = _sizes(payload)
    series = _series(payload)
    if len(sizes) < 2 or not series:
        return ""
    lo, hi = decades([t for _, points in series for _, t in points])
    x0, x1 = math.log(sizes[0]), math.log(sizes[-1])
    dots_w, dots_h = 2 * width, 4 * height

    def px(size: float) -> int:
        return round((math.log(size) - x0) / (x1 - x0) * (dots_w - 1))

    def py(seconds: float) -> int:
        return round((hi - math.log10(seconds)) / (hi - lo) * (dots_h - 1))

    dots = [[0] * width for _ in range(height)]
    marks: dict[tuple[int, int], str] = {}
    for index, (_, points) in enumerate(series):
        pixels = [(px(s), py(t)) for s, t in points]
        for (xa, ya), (xb, yb) in zip(pixels, pixels[1:], strict=False):
            for x, y in _segment(xa, ya, xb, yb):
                dots[y // 4][x // 2] |= _DOTS[y % 4][x % 2]
        # Every point marked while they are sparse; on a dense sweep the line's two ends.
        ends = pixels if len(pixels) <= width // 4 else [pixels[0], pixels[-1]]
        for x, y in ends:
            marks[(y // 4, x // 2)] = MARKERS[index]

    ticks = {py(10.0**e) // 4: format_tick(10.0**e) for e in range(lo, hi + 1)}
    label_w = max(len(t) for t in ticks.values())
    lines = []
    for r in range(height):
        text = "".join(marks.get((r, c)) or chr(_BRAILLE + dots[r][c]) for c in range(width))
        text = text.replace(chr(_BRAILLE), " ")
        label = ticks.get(r, "")
        lines.append(f"{label.rjust(label_w)} {'┤' if label else '│'}{text.rstrip()}")
    axis = ["─"] * width
    labels = [" "] * (width + 8)
    for s in shown_sizes(sizes):
        c = px(s) // 2
        text = str(s)
        start = max(0, c - len(text) // 2)
        if all(ch == " " for ch in labels[max(0, start - 1) : start + len(text) + 1]):
            labels[start : start + len(text)] = text
            axis[c] = "┬"
    lines.append(" " * label_w + " └" + "".join(axis))
    lines.append(" " * (label_w + 2) + "".join(labels).rstrip())
    lines.append(" " * (label_w + 2) + "size (log scale); time per call (log scale)")
    legend = "  ".join(f"{MARKERS[i]} {plain(name)}" for i, (name, _) in enumerate(series))
    lines.append(" " * (label_w + 2) + legend)
    return "\n".join(lines)


def _segment(xa: int, ya: int, xb: int, yb: int) -> list[tuple[int, int]]:
    """The dots of a straight line from one pixel to another (Bresenham)."""
    points = []
    dx, dy = abs(xb - xa), -abs(yb - ya)
    sx, sy = (1 if xb > xa else -1), (1 if yb > ya else -1)
    err = dx + dy
    x, y = xa, ya
    while True:
        points.append((x, y))
        if x == xb and y == yb:
            return points
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x += sx
        if e2 <= dx:
            err += dx
            y += sy


def to_text_with_sweep(payload: Payload) -> str:
    """The bench's text table, then (with a sweep) the per-size table and the chart."""
    parts = [to_text(payload)]
    if table := sweep_table(payload):
        parts.append(table)
    if chart := sweep_chart(payload):
        parts.append(chart)
    return "\n\n".join(parts)
