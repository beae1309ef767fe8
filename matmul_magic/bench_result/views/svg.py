"""The HTML view's charts as inline SVG: median time per row (log scale), and time against
size (log-log) for a sweep. Colours come from the one palette (``format.colour``)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .format import (
    MISSING,
    RULES,
    colour,
    format_exponent_label,
    format_tick,
    kind_colour,
    series_colour,
    status_text,
)
from .table import median_cell, speedup_cell

Payload = Mapping[str, Any]
# Both charts are at most 440 px wide, so their 10-11 px text reads without scrolling in a
# VS Code output (460 px in a 600 px window) or an exported page at 600 px: each row's name
# and value go on a line over its bar, and the sweep's legend under its plot. Static HTML
# cannot choose a layout from the output's width, as the lab renderer does. A value label too
# long for the line over its bar (a row with every status badge) widens the chart: it scrolls.
_BAR = {"width": 440, "plot_x": 24, "bar_h": 14, "step": 36, "top": 6}
_SWEEP = {"left": 60, "top": 10, "plot_w": 356, "plot_h": 220}


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _svg_open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'style="display: block; margin: 6px 0; max-width: none;">'
        f"<title>{escape(title)}</title>"
    )


def _gridline(x1: float, y1: float, x2: float, y2: float, label: str, at: tuple) -> str:
    """A faint grid line plus its axis label at ``at = (x, y, text-anchor)``."""
    lx, ly, anchor = at
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        'stroke="currentColor" stroke-opacity="0.15"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="10" text-anchor="{anchor}" '
        f'fill="currentColor">{escape(label)}</text>'
    )


def _axis_title(x: float, y: float, text: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle" '
        f'fill="currentColor" fill-opacity="0.7">{escape(text)}</text>'
    )


def decades(values: Sequence[float]) -> tuple[int, int]:
    """The whole powers of ten that cover ``values`` (at least one decade)."""
    lo = math.floor(math.log10(min(values)))
    hi = math.ceil(math.log10(max(values)))
    return lo, max(hi, lo + 1)


def short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timed(row: Mapping[str, Any]) -> bool:
    return row.get("median") is not None and row["median"] > 0


def _interval(row: Mapping[str, Any]) -> tuple[float, float] | None:
    """The median's 95 % interval, when the row has one (and it is not unreliable)."""
    low, high = row.get("median_low"), row.get("median_high")
    if low is None or high is None or low <= 0 or row.get("unreliable"):
        return None
    return low, high


def _bar_style(row: Mapping[str, Any]) -> str:
    """Solid for a measured time; faint and dashed for an estimate or an unreliable time."""
    fill = colour("error") if row["status"] != "ok" else kind_colour(row["kind"])
    if row.get("unreliable"):
        return f"fill: {fill}; fill-opacity: 0.2; stroke: {fill}; stroke-dasharray: 2 3;"
    if row.get("extrapolated"):
        return f"fill: {fill}; fill-opacity: 0.35; stroke: {fill}; stroke-dasharray: 4 2;"
    return f"fill: {fill};"


def _value_label(row: Mapping[str, Any]) -> str:
    """A bar's value: its median, with the status when it is not a plain measured time."""
    label = median_cell(row)
    if row["status"] != "ok" or row.get("extrapolated") or row.get("unreliable"):
        label += f" ({status_text(row)})"
    return label


def _bar(row: Mapping[str, Any], y: float, x, chart_w: float) -> list[str]:
    """One row's bar, its interval as a whisker, and its value label at the end of the line
    over it; the tooltip adds the speedup and the note."""
    g = _BAR
    width = max(x(row["median"]) - g["plot_x"], 1.0)
    label = _value_label(row)
    speedup = speedup_cell(row)
    tip = label if speedup == MISSING else f"{label}, speedup {speedup}"
    if row.get("unreliable") and row.get("note"):
        tip += f"; {row['note']}"
    out = [
        f'<rect x="{g["plot_x"]}" y="{y}" width="{width:.1f}" height="{g["bar_h"]}" '
        f'style="{_bar_style(row)}"><title>{escape(row["name"])}: {escape(tip)}</title></rect>'
    ]
    if interval := _interval(row):
        x1, x2 = (max(x(v), g["plot_x"]) for v in interval)
        mid = y + g["bar_h"] / 2
        out.append(
            f'<path d="M{x1:.1f} {mid - 4:.1f}v8M{x1:.1f} {mid:.1f}H{x2:.1f}M{x2:.1f} '
            f'{mid - 4:.1f}v8" style="fill: none; stroke: currentColor; stroke-width: 1;"/>'
        )
    out.append(
        f'<text x="{chart_w - 4}" y="{y - 5}" font-size="11" text-anchor="end" '
        f'fill="currentColor">{escape(label)}</text>'
    )
    return out


def bar_chart_svg(payload: Payload) -> str:
    """Horizontal bars of median time on a log scale; rows without a time say why."""
    rows = payload["rows"]
    timed = [r["median"] for r in rows if _timed(r)]
    if not timed:
        return ""
    g, char_w = _BAR, RULES["char_width"]
    lo, hi = decades(timed + [iv[1] for r in rows if _timed(r) and (iv := _interval(r))])
    axis_y = g["top"] + len(rows) * g["step"]
    # Room on the line for the widest value and 4 characters of a name (the least it is cut to).
    widest = max(len(_value_label(r)) for r in rows if _timed(r))
    chart_w = max(g["width"], math.ceil((widest + 4) * char_w + 16))

    def x(seconds: float) -> float:
        return g["plot_x"] + (chart_w - 2 * g["plot_x"]) * (math.log10(seconds) - lo) / (hi - lo)

    title = "median time per call (log scale, shorter is faster)"
    out = [_svg_open(chart_w, axis_y + 34, title)]
    for decade in range(lo, hi + 1):
        gx = x(10.0**decade)
        tick = format_tick(10.0**decade)
        out.append(_gridline(gx, g["top"], gx, axis_y, tick, (gx, axis_y + 13, "middle")))
    out.append(_axis_title(chart_w / 2, axis_y + 27, title))
    for i, row in enumerate(rows):
        y = g["top"] + i * g["step"] + 18  # the bar's top; its name and value on the line over it
        value = _value_label(row) if _timed(row) else ""
        room = int((chart_w - 16 - len(value) * char_w) / char_w)
        name = short(row["name"], max(4, min(24, room)))
        out.append(
            f'<text x="4" y="{y - 5}" font-size="11" fill="currentColor">'
            f"<title>{escape(row['name'])}</title>{escape(name)}</text>"
        )
        if not _timed(row):
            out.append(
                f'<text x="{g["plot_x"] + 4}" y="{y + g["bar_h"] - 3}" font-size="11" '
                f'fill="currentColor" fill-opacity="0.7">{escape(status_text(row))}</text>'
            )
            continue
        out.extend(_bar(row, y, x, chart_w))
    out.append("</svg>")
    return "\n".join(out)


def size_ticks(lo: int, hi: int) -> list[int]:
    """1, 2 and 5 × 10^k between ``lo`` and ``hi``; the ends when none falls inside."""
    ticks = []
    decade = 10 ** math.floor(math.log10(lo))
    while decade <= hi:
        ticks.extend(step * decade for step in (1, 2, 5) if lo <= step * decade <= hi)
        decade *= 10
    return ticks or [lo, hi]


def sweep_series(payload: Payload) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """Each row with a timed sweep point, and those points."""
    series = [(row, [p for p in row.get("points") or () if _timed(p)]) for row in payload["rows"]]
    return [(row, points) for row, points in series if points]


def _error_bars(pts: list[Mapping[str, Any]], px, py, c: str) -> str:
    """Each point's 95 % interval of its median as a vertical bar."""
    return "".join(
        f'<path d="M{px(p["size"]):.1f} {py(iv[1]):.1f}V{py(iv[0]):.1f}" '
        f'style="stroke: {c}; stroke-opacity: 0.6; stroke-width: 1;"/>'
        for p in pts
        if (iv := _interval(p))
    )


def _sweep_line(i: int, row: Mapping[str, Any], pts: list[Mapping[str, Any]], px, py) -> list[str]:
    """One row's line (dashed when unreliable), its points' intervals, hollow markers on
    its extrapolated points, and its legend entry."""
    c = series_colour(i)
    xy = [(px(p["size"]), py(p["median"]), p.get("extrapolated")) for p in pts]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in xy)
    hollow = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" style="fill: none; stroke: {c};"/>'
        for x, y, extrapolated in xy
        if extrapolated
    )
    unreliable = bool(row.get("unreliable"))
    exponent = "n/a" if row.get("exponent") is None else format_exponent_label(row["exponent"])
    mark = RULES["unreliable_mark"] if unreliable else ""
    label = f"{short(row['name'], 18)} {exponent}{mark}"
    why = row.get("note") or "see the notes"
    tip = row["name"] + (f": unreliable, {why}" if unreliable else "")
    dash = " stroke-dasharray: 4 3;" if unreliable else ""
    lx, ly = 4, _SWEEP["top"] + _SWEEP["plot_h"] + 52 + i * 18  # under the size axis
    return [
        f'<polyline points="{path}" style="fill: none; stroke: {c}; stroke-width: 1.5;{dash}">'
        f"<title>{escape(tip)}</title></polyline>",
        "" if unreliable else _error_bars(pts, px, py, c),
        hollow,
        f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 14}" y2="{ly - 4}" '
        f'style="stroke: {c}; stroke-width: 3;{dash}"/>'
        f'<text x="{lx + 18}" y="{ly}" font-size="11" fill="currentColor">'
        f"<title>{escape(tip)}</title>{escape(label)}</text>",
    ]


def sweep_chart_svg(payload: Payload) -> str:
    """Log-log time against size, one line per row; hollow markers are extrapolated points."""
    series = sweep_series(payload)
    if not series:
        return ""
    points = [p for _, pts in series for p in pts]
    sizes = [p["size"] for p in points]
    xlo, xhi = math.log10(min(sizes)), math.log10(max(sizes))
    xhi = xhi if xhi > xlo else xlo + 1
    times = ("median", "median_low", "median_high")
    spans = [v for p in points for v in map(p.get, times) if v and v > 0]
    ylo, yhi = decades(spans)
    left, top, plot_w, plot_h = (_SWEEP[k] for k in ("left", "top", "plot_w", "plot_h"))
    bottom = top + plot_h

    def px(size: float) -> float:
        return left + plot_w * (math.log10(size) - xlo) / (xhi - xlo)

    def py(seconds: float) -> float:
        return top + plot_h * (1 - (math.log10(seconds) - ylo) / (yhi - ylo))

    height = bottom + 44 + 18 * len(series)
    out = [
        _svg_open(left + plot_w + 24, height, "median time against size, log-log"),
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.3"/>',
    ]
    for decade in range(ylo, yhi + 1):
        gy = py(10.0**decade)
        tick = format_tick(10.0**decade)
        out.append(_gridline(left, gy, left + plot_w, gy, tick, (left - 4, gy + 3, "end")))
    for tick in size_ticks(min(sizes), max(sizes)):
        gx = px(tick)
        out.append(_gridline(gx, top, gx, bottom, str(tick), (gx, bottom + 13, "middle")))
    out.append(_axis_title(left + plot_w / 2, bottom + 28, "size (log scale)"))
    for i, (row, pts) in enumerate(series):
        out.extend(_sweep_line(i, row, pts, px, py))
    out.append("</svg>")
    return "\n".join(out)
