"""The HTML view's charts as inline SVG: median time per row (log scale), and time against
size (log-log) for a sweep. Colours come from the one palette (``format.colour``)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from .format import (
    ESTIMATE,
    MISSING,
    colour,
    format_exponent,
    format_speedup,
    format_tick,
    format_time,
    kind_colour,
    series_colour,
    status_text,
)

Payload = Mapping[str, Any]
_BAR = {"label_w": 170, "plot_x": 176, "plot_w": 330, "bar_h": 16, "gap": 6, "top": 6}
_SWEEP = {"left": 60, "top": 10, "plot_w": 360, "plot_h": 220}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _svg_open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" style="display: block; margin: 6px 0;">'
        f"<title>{_e(title)}</title>"
    )


def _gridline(x1: float, y1: float, x2: float, y2: float, label: str, at: tuple) -> str:
    """A faint grid line plus its axis label at ``at = (x, y, text-anchor)``."""
    lx, ly, anchor = at
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        'stroke="currentColor" stroke-opacity="0.15"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="10" text-anchor="{anchor}" '
        f'fill="currentColor">{_e(label)}</text>'
    )


def _axis_title(x: float, y: float, text: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle" '
        f'fill="currentColor" fill-opacity="0.7">{_e(text)}</text>'
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


def _bar(row: Mapping[str, Any], y: float, width: float) -> list[str]:
    """One row's bar and its value label (hatched-looking and dashed when extrapolated)."""
    g = _BAR
    bad = row["status"] != "ok"
    fill = colour("error") if bad else kind_colour(row["kind"])
    style = (
        f"fill: {fill}; fill-opacity: 0.35; stroke: {fill}; stroke-dasharray: 4 2;"
        if row.get("extrapolated")
        else f"fill: {fill};"
    )
    label = (ESTIMATE if row.get("extrapolated") else "") + format_time(row["median"])
    if bad or row.get("extrapolated"):
        label += f" ({status_text(row)})"
    speedup = format_speedup(
        row.get("speedup"), row.get("speedup_low"), row.get("speedup_high"), row.get("unreliable")
    )
    tip = label if speedup == MISSING else f"{label}, speedup {speedup}"
    return [
        f'<rect x="{g["plot_x"]}" y="{y}" width="{width:.1f}" height="{g["bar_h"]}" '
        f'style="{style}"><title>{_e(row["name"])}: {_e(tip)}</title></rect>',
        f'<text x="{g["plot_x"] + width + 4:.1f}" y="{y + g["bar_h"] - 4}" font-size="10" '
        f'fill="currentColor">{_e(label)}</text>',
    ]


def bar_chart_svg(payload: Payload) -> str:
    """Horizontal bars of median time on a log scale; rows without a time say why."""
    rows = payload["rows"]
    timed = [r["median"] for r in rows if _timed(r)]
    if not timed:
        return ""
    g = _BAR
    lo, hi = decades(timed)
    step = g["bar_h"] + g["gap"]
    axis_y = g["top"] + len(rows) * step

    def x(seconds: float) -> float:
        return g["plot_x"] + g["plot_w"] * (math.log10(seconds) - lo) / (hi - lo)

    title = "median time per call (log scale, shorter is faster)"
    out = [_svg_open(g["plot_x"] + g["plot_w"] + 170, axis_y + 34, title)]
    for decade in range(lo, hi + 1):
        gx = x(10.0**decade)
        tick = format_tick(10.0**decade)
        out.append(_gridline(gx, g["top"], gx, axis_y, tick, (gx, axis_y + 13, "middle")))
    out.append(_axis_title(g["plot_x"] + g["plot_w"] / 2, axis_y + 27, title))
    for i, row in enumerate(rows):
        y = g["top"] + i * step
        ty = y + g["bar_h"] - 4
        out.append(
            f'<text x="{g["label_w"]}" y="{ty}" font-size="11" text-anchor="end" '
            f'fill="currentColor"><title>{_e(row["name"])}</title>{_e(short(row["name"]))}</text>'
        )
        if not _timed(row):
            out.append(
                f'<text x="{g["plot_x"] + 4}" y="{ty}" font-size="11" fill="currentColor" '
                f'fill-opacity="0.7">{_e(status_text(row))}</text>'
            )
            continue
        out.extend(_bar(row, y, max(x(row["median"]) - g["plot_x"], 1.0)))
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


def _sweep_series(payload: Payload) -> list[tuple[Mapping[str, Any], list[tuple]]]:
    series = []
    for row in payload["rows"]:
        points = [
            (p["size"], p["median"], p.get("extrapolated", False))
            for p in row.get("points") or ()
            if p.get("median") is not None and p["median"] > 0
        ]
        if points:
            series.append((row, points))
    return series


def _sweep_line(i: int, row: Mapping[str, Any], pts: list[tuple], px, py) -> list[str]:
    """One row's line, hollow markers on its extrapolated points, and its legend entry."""
    c = series_colour(i)
    path = " ".join(f"{px(s):.1f},{py(t):.1f}" for s, t, _ in pts)
    hollow = "".join(
        f'<circle cx="{px(s):.1f}" cy="{py(t):.1f}" r="2" style="fill: none; stroke: {c};"/>'
        for s, t, extrapolated in pts
        if extrapolated
    )
    exponent = "n/a" if row.get("exponent") is None else format_exponent(row["exponent"])
    lx = _SWEEP["left"] + _SWEEP["plot_w"] + 16
    ly = _SWEEP["top"] + 12 + i * 18
    return [
        f'<polyline points="{path}" style="fill: none; stroke: {c}; stroke-width: 1.5;">'
        f"<title>{_e(row['name'])}</title></polyline>",
        hollow,
        f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 14}" y2="{ly - 4}" '
        f'style="stroke: {c}; stroke-width: 3;"/>'
        f'<text x="{lx + 18}" y="{ly}" font-size="11" fill="currentColor">'
        f"<title>{_e(row['name'])}</title>{_e(short(row['name'], 18))} ∝ size^{_e(exponent)}"
        "</text>",
    ]


def sweep_chart_svg(payload: Payload) -> str:
    """Log-log time against size, one line per row; hollow markers are extrapolated points."""
    series = _sweep_series(payload)
    if not series:
        return ""
    sizes = [s for _, pts in series for s, _, _ in pts]
    xlo, xhi = math.log10(min(sizes)), math.log10(max(sizes))
    xhi = xhi if xhi > xlo else xlo + 1
    ylo, yhi = decades([t for _, pts in series for _, t, _ in pts])
    left, top, plot_w, plot_h = (_SWEEP[k] for k in ("left", "top", "plot_w", "plot_h"))
    bottom = top + plot_h

    def px(size: float) -> float:
        return left + plot_w * (math.log10(size) - xlo) / (xhi - xlo)

    def py(seconds: float) -> float:
        return top + plot_h * (1 - (math.log10(seconds) - ylo) / (yhi - ylo))

    height = max(bottom + 40, top + 18 * len(series) + 10)
    out = [
        _svg_open(left + plot_w + 206, height, "median time against size, log-log"),
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
