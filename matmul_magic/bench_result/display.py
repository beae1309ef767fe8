"""How a ``BenchResult`` shows itself: JSON for the labextension, HTML with SVG, aligned text.

All three are built from one table (``table(result)``), so they hold the same rows and the
same cell strings. User text (names, errors, notes) is escaped in HTML; the HTML uses no
script and inline styles only, so it renders in VS Code, Colab, GitHub and nbviewer.

No IPython import here: the magic and the CLI choose where the output goes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .result import MIME_TYPE, BenchProgress, BenchResult, BenchRow

MISSING = "-"
EXTRAPOLATED_MARK = "~"

_TIME_UNITS: tuple[tuple[str, float], ...] = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))
_RATE_UNITS: tuple[tuple[str, float], ...] = (
    ("TFLOP/s", 1e3),
    ("GFLOP/s", 1.0),
    ("MFLOP/s", 1e-3),
    ("kFLOP/s", 1e-6),
)

# Colours readable on light and dark backgrounds.
_KIND_COLOUR = {"course": "#4c78a8", "optional": "#54a24b", "user": "#f58518"}
_BAD_COLOUR = "#e45756"
_SERIES = (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2",
    "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac",
)  # fmt: skip


# -- numbers -----------------------------------------------------------------------------------


def pick_unit(
    values: Sequence[float | None],
    units: Sequence[tuple[str, float]],
    anchor: Callable[[list[float]], float] = min,
    default: int = 0,
) -> tuple[str, float]:
    """The largest unit (``units`` run large to small) in which ``anchor(values)`` is >= 1.

    Times anchor on the smallest value (no "0.00" cells); rates on the largest. Without a
    positive value the answer is ``units[default]``.
    """
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return units[default]
    reference = anchor(positive)
    for name, factor in units:
        if reference / factor >= 1:
            return name, factor
    return units[-1]


def fmt_number(value: float) -> str:
    """Three significant figures without an exponent for everyday sizes; thousands separated."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    if magnitude >= 1e-6:
        return f"{value:.{2 - math.floor(math.log10(magnitude))}f}"
    return f"{value:.2e}"


def fmt_error(value: float) -> str:
    return "0" if value == 0 else f"{value:.2g}" if abs(value) >= 1e-3 else f"{value:.1e}"


def fmt_time(seconds: float) -> str:
    """A single time in its own best unit (chart labels, progress)."""
    name, factor = pick_unit([seconds], _TIME_UNITS)
    return f"{fmt_number(seconds / factor)} {name}"


def fmt_tick(seconds: float) -> str:
    """A power of ten of seconds as an axis label: ``1 µs``, ``10 ms``, ``100 s``."""
    name, factor = pick_unit([seconds], _TIME_UNITS)
    return f"{round(seconds / factor):,} {name}"


def fmt_shape(shape: Sequence[int]) -> str:
    return "×".join(str(d) for d in shape)


# -- the shared table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool
    cell: Callable[[BenchRow], str]


def status_text(row: BenchRow) -> str:
    """``ok``, ``INCORRECT``, ``FAILED`` or ``skipped``, plus how far to trust the time:
    ``extrapolated`` (or ``estimate, unreliable``), a one-off first-call cost, over budget."""
    word = {"ok": "ok", "incorrect": "INCORRECT", "failed": "FAILED", "skipped": "skipped"}
    text = word[row.status]
    if row.extrapolated:
        mark = "extrapolated (estimate, unreliable)" if row.unreliable else "extrapolated"
        text = mark if row.status == "ok" else f"{text}, {mark}"
    if row.over_budget:
        text += ", one call over budget"
    if row.one_off is not None:
        text += f", first call +{fmt_time(row.one_off)} not counted"
    return text


def speedup_text(row: BenchRow) -> str:
    """``95,814× (92,940–98,689)``: the median ratio and its 95 % interval.

    An unreliable estimate is never shown as exact: two significant figures, marked ≈."""
    if row.speedup is None:
        return MISSING
    if row.unreliable:
        return f"≈ {float(f'{row.speedup:.2g}'):,.6g}×"
    text = fmt_number(row.speedup) + "×"
    if row.speedup_low is not None and row.speedup_high is not None:
        text += f" ({fmt_number(row.speedup_low)}–{fmt_number(row.speedup_high)})"
    return text


def calls_text(row: BenchRow) -> str:
    """``4000 (40)``: calls timed, and in brackets the blocks (measurements) they came in."""
    return f"{row.runs} ({row.blocks})"


def _time_column(key: str, label: str, unit: tuple[str, float]) -> Column:
    name, factor = unit

    def cell(row: BenchRow) -> str:
        value = getattr(row, key)
        if value is None:
            return MISSING
        mark = EXTRAPOLATED_MARK if row.extrapolated else ""
        return mark + fmt_number(value / factor)

    return Column(key, f"{label} ({name})", True, cell)


def _optional_cell(key: str, fmt: Callable[[float], str]) -> Callable[[BenchRow], str]:
    def cell(row: BenchRow) -> str:
        value = getattr(row, key)
        return MISSING if value is None else fmt(value)

    return cell


def columns(result: BenchResult) -> list[Column]:
    """The table's columns; one empty in every row (e.g. % of peak on CPU) is left out.

    The three time columns share the unit picked from the medians, so they compare at a glance.
    """
    rows = result.rows
    time_unit = pick_unit([r.median for r in rows], _TIME_UNITS)
    rate_unit, rate_factor = pick_unit([r.gflops for r in rows], _RATE_UNITS, max, default=1)
    cols = [
        Column("name", "name", False, lambda r: r.name),
        Column("kind", "kind", False, lambda r: r.kind),
        _time_column("median", "median", time_unit),
        _time_column("iqr", "IQR", time_unit),
        _time_column("min", "min", time_unit),
        Column("runs", "calls (blocks)", True, calls_text),
        Column("speedup", f"speedup vs {result.baseline or '?'} (95% interval)", True,
               speedup_text),
        Column("gflops", rate_unit, True,
               _optional_cell("gflops", lambda v: fmt_number(v / rate_factor))),
        Column("pct_of_peak", "% of peak", True, _optional_cell("pct_of_peak", fmt_number)),
        Column("max_abs_err", "max abs err", True, _optional_cell("max_abs_err", fmt_error)),
        Column("exponent", "sweep exponent", True, _optional_cell("exponent", "{:.2f}".format)),
        Column("status", "status", False, status_text),
    ]  # fmt: skip
    always = {"name", "kind", "median", "runs", "status"}
    return [c for c in cols if c.key in always or any(getattr(r, c.key) is not None for r in rows)]


def table(result: BenchResult) -> tuple[list[Column], list[list[str]]]:
    """Columns and the cell strings of every row: what all three representations show."""
    cols = columns(result)
    return cols, [[c.cell(row) for c in cols] for row in result.rows]


_BUSY = "the machine may be busy"


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def warnings(result: BenchResult) -> list[tuple[str, str]]:
    """Warnings that apply to several rows, each said once: ``("noisy rows", "a, b (IQR …)")``."""
    out = []
    noisy = [r for r in result.rows if r.noisy]
    if noisy:
        spreads = [
            _percent(100 * r.iqr / r.median) if r.iqr is not None and r.median else "?"
            for r in noisy
        ]
        target = _percent(100 * result.threshold)
        out.append((
            "noisy rows",
            f"{', '.join(r.name for r in noisy)} (IQR {', '.join(spreads)} of the median; "
            f"target {target}): {_BUSY}",
        ))  # fmt: skip
    stalled = [r for r in result.rows if r.stalls]
    if stalled:
        counts = ", ".join(f"{r.name} {r.stalls}" for r in stalled)
        out.append(("stalls", f"blocks over 10× the median: {counts}; the machine was busy"))
    return out


def footnotes(result: BenchResult) -> list[tuple[str, str]]:
    """``(row name, text)`` for every error and note, in row order, then the shared warnings."""
    notes = []
    for row in result.rows:
        if row.error is not None:
            notes.append((row.name, f"error: {row.error}"))
        if row.note is not None:
            notes.append((row.name, row.note))
    return notes + warnings(result)


def one_off_text(result: BenchResult) -> str | None:
    """``one-off first-call costs, not counted: numba 1.20 s`` (JIT compiles, lazy set-up)."""
    costs = [f"{r.name} {fmt_time(r.one_off)}" for r in result.rows if r.one_off is not None]
    return "one-off first-call costs, not counted: " + ", ".join(costs) if costs else None


def headline(result: BenchResult) -> str:
    a, b = result.shapes["a"], result.shapes["b"]
    return (
        f"matmul bench on {result.device} ({result.dtype}): "
        f"a {fmt_shape(a)} @ b {fmt_shape(b)}, operands {result.operands}"
    )


def conditions(result: BenchResult) -> str:
    env = result.environment
    parts = []
    if env.device_name:
        parts.append(env.device_name)
    if env.torch:
        parts.append(f"torch {env.torch}")
    if env.threads is not None:
        parts.append(f"{env.threads} thread{'s' if env.threads != 1 else ''}")
    if env.tf32 is not None:
        parts.append(f"TF32 {'on' if env.tf32 else 'off'}")
    if env.stream:
        parts.append(f"stream {env.stream}")
    if env.timer:
        parts.append(f"timer {env.timer}")
    if env.l2_flush is not None:
        parts.append(f"L2 flush {'on' if env.l2_flush else 'off'}")
    if env.peak_gflops is not None:
        parts.append(f"peak {fmt_number(env.peak_gflops)} GFLOP/s")
    if result.budget is not None:
        parts.append(f"budget {fmt_time(result.budget)}")
    if result.elapsed is not None:
        parts.append(f"took {fmt_time(result.elapsed)}")
    parts.append(f"target IQR ≤ {_percent(100 * result.threshold)} of the median")
    if once := one_off_text(result):
        parts.append(once)
    return " · ".join(parts)


def interrupted_text(result: BenchResult) -> str:
    n = len(result.rows)
    return f"INTERRUPTED: showing the {n} row{'s' if n != 1 else ''} finished before the interrupt"


def sweep_text(result: BenchResult) -> str:
    sizes = result.sweep_sizes
    return (
        f"sweep over {len(sizes)} size{'s' if len(sizes) != 1 else ''} "
        f"({sizes[0]} to {sizes[-1]}); exponent = slope of log time vs log size"
    )


LEGEND = f"{EXTRAPOLATED_MARK} = estimated from slices of the output (the note says how)"
CALLS_LEGEND = "calls (blocks) = calls timed, in blocks of back-to-back calls: one measurement each"


# -- text/plain --------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """User text on one line: control characters would break the alignment."""
    return "".join(ch if ch.isprintable() else "�" for ch in text.replace("\n", "↵"))


def to_text(result: BenchResult) -> str:
    """An aligned table, one unit per column (in its header), then notes."""
    cols, cells = table(result)
    cells = [[_plain(c) for c in row] for row in cells]
    widths = [max([len(c.header)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]

    def line(values: Sequence[str]) -> str:
        out = [
            v.rjust(w) if c.numeric else v.ljust(w)
            for v, w, c in zip(values, widths, cols, strict=True)
        ]
        return "  ".join(out).rstrip()

    lines = [headline(result)]
    if conds := conditions(result):
        lines.append(conds)
    if result.interrupted:
        lines.append(interrupted_text(result))
    lines.append("")
    lines.append(line([c.header for c in cols]))
    lines.append(line(["-" * w for w in widths]))
    lines.extend(line(row) for row in cells)
    if not cells:
        lines.append("(no rows)")
    if any(r.extrapolated for r in result.rows):
        lines.append(LEGEND)
    if cells:
        lines.append(CALLS_LEGEND)
    if result.sweep_sizes:
        lines.append(sweep_text(result))
    notes = footnotes(result)
    if notes:
        lines.append("")
        lines.extend(f"{_plain(name)}: {_plain(text)}" for name, text in notes)
    return "\n".join(lines)


# -- text/html ---------------------------------------------------------------------------------


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
_CELL = "padding: 2px 8px; border-bottom: 1px solid rgba(128,128,128,0.3);"


def to_html(result: BenchResult) -> str:
    """A table plus an inline-SVG log-scale bar chart (and a log-log sweep chart)."""
    cols, cells = table(result)
    parts = [f'<div data-matmul-magic="bench-html" style="{_FONT} color: inherit;">']
    parts.append(f'<div style="font-weight: 600;">{_e(headline(result))}</div>')
    if conds := conditions(result):
        parts.append(f'<div style="opacity: 0.75;">{_e(conds)}</div>')
    if result.interrupted:
        parts.append(
            f'<div style="color: {_BAD_COLOUR}; font-weight: 600;">{_e(interrupted_text(result))}'
            "</div>"
        )
    parts.append('<table style="border-collapse: collapse; margin: 6px 0;">')
    head = "".join(
        f'<th style="{_CELL} text-align: {"right" if c.numeric else "left"};">{_e(c.header)}</th>'
        for c in cols
    )
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row, values in zip(result.rows, cells, strict=True):
        bad = row.status in ("incorrect", "failed")
        style = f' style="color: {_BAD_COLOUR};"' if bad else ""
        tds = "".join(
            f'<td style="{_CELL} text-align: {"right" if c.numeric else "left"};'
            f'{" font-style: italic;" if c.key == "median" and row.extrapolated else ""}">'
            f"{_e(v)}</td>"
            for c, v in zip(cols, values, strict=True)
        )
        flag = "true" if row.extrapolated else "false"
        parts.append(
            f'<tr data-status="{_e(row.status)}" data-extrapolated="{flag}"{style}>{tds}</tr>'
        )
    parts.append("</tbody></table>")
    if not result.rows:
        parts.append("<div>(no rows)</div>")
    if any(r.extrapolated for r in result.rows):
        parts.append(f'<div style="opacity: 0.75;">{_e(LEGEND)}</div>')
    if result.rows:
        parts.append(f'<div style="opacity: 0.75;">{_e(CALLS_LEGEND)}</div>')
    chart = bar_chart_svg(result)
    if chart:
        parts.append(chart)
    if result.sweep_sizes:
        parts.append(f'<div style="opacity: 0.75;">{_e(sweep_text(result))}</div>')
        parts.append(sweep_chart_svg(result))
    notes = footnotes(result)
    if notes:
        parts.append('<ul style="margin: 4px 0; padding-left: 18px;">')
        parts.extend(f"<li><b>{_e(name)}</b>: {_e(text)}</li>" for name, text in notes)
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)


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


def _decades(values: Sequence[float]) -> tuple[int, int]:
    lo = math.floor(math.log10(min(values)))
    hi = math.ceil(math.log10(max(values)))
    return lo, max(hi, lo + 1)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart_svg(result: BenchResult) -> str:
    """Horizontal bars of median time on a log scale; rows without a time say why."""
    rows = result.rows
    timed = [r.median for r in rows if r.median is not None and r.median > 0]
    if not rows or not timed:
        return ""
    lo, hi = _decades(timed)
    label_w, plot_x, plot_w, bar_h, gap, top = 170, 176, 330, 16, 6, 6
    height = top + len(rows) * (bar_h + gap) + 34
    width = plot_x + plot_w + 170

    def x(seconds: float) -> float:
        return plot_x + plot_w * (math.log10(seconds) - lo) / (hi - lo)

    title = "median time per call (log scale, shorter is faster)"
    out = [_svg_open(width, height, title)]
    axis_y = top + len(rows) * (bar_h + gap)
    for decade in range(lo, hi + 1):
        gx = x(10.0**decade)
        label = fmt_tick(10.0**decade)
        out.append(_gridline(gx, top, gx, axis_y, label, (gx, axis_y + 13, "middle")))
    out.append(_axis_title(plot_x + plot_w / 2, axis_y + 27, title))
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        ty = y + bar_h - 4
        out.append(
            f'<text x="{label_w}" y="{ty}" font-size="11" text-anchor="end" fill="currentColor">'
            f"<title>{_e(row.name)}</title>{_e(_short(row.name))}</text>"
        )
        if row.median is None or row.median <= 0:
            out.append(
                f'<text x="{plot_x + 4}" y="{ty}" font-size="11" fill="currentColor" '
                f'fill-opacity="0.7">{_e(status_text(row))}</text>'
            )
            continue
        bad = row.status != "ok"
        colour = _BAD_COLOUR if bad else _KIND_COLOUR[row.kind]
        bar_w = max(x(row.median) - plot_x, 1.0)
        style = (
            f'fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-dasharray="4 2"'
            if row.extrapolated
            else f'fill="{colour}"'
        )
        label = (EXTRAPOLATED_MARK if row.extrapolated else "") + fmt_time(row.median)
        if bad or row.extrapolated:
            label += f" ({status_text(row)})"
        tip = label if row.speedup is None else f"{label}, speedup {speedup_text(row)}"
        out.append(
            f'<rect x="{plot_x}" y="{y}" width="{bar_w:.1f}" height="{bar_h}" {style}>'
            f"<title>{_e(row.name)}: {_e(tip)}</title></rect>"
        )
        out.append(
            f'<text x="{plot_x + bar_w + 4:.1f}" y="{ty}" font-size="10" fill="currentColor">'
            f"{_e(label)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def sweep_chart_svg(result: BenchResult) -> str:
    """Log-log time against size, one line per row; hollow markers are extrapolated points."""
    series = [
        (row, [(p.size, p.median, p.extrapolated) for p in row.points if p.median and p.median > 0])
        for row in result.rows
    ]
    series = [(row, pts) for row, pts in series if pts]
    if not series:
        return ""
    sizes = [s for _, pts in series for s, _, _ in pts]
    times = [t for _, pts in series for _, t, _ in pts]
    xlo, xhi = math.log10(min(sizes)), math.log10(max(sizes))
    if xhi == xlo:
        xhi = xlo + 1
    ylo, yhi = _decades(times)
    left, top, plot_w, plot_h = 60, 10, 360, 220
    legend_x = left + plot_w + 16
    width = legend_x + 190
    height = max(top + plot_h + 40, top + 18 * len(series) + 10)

    def px(size: float) -> float:
        return left + plot_w * (math.log10(size) - xlo) / (xhi - xlo)

    def py(seconds: float) -> float:
        return top + plot_h * (1 - (math.log10(seconds) - ylo) / (yhi - ylo))

    out = [
        _svg_open(width, height, "median time against size, log-log"),
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.3"/>',
    ]
    for decade in range(ylo, yhi + 1):
        gy = py(10.0**decade)
        label = fmt_tick(10.0**decade)
        out.append(_gridline(left, gy, left + plot_w, gy, label, (left - 4, gy + 3, "end")))
    for tick in _size_ticks(min(sizes), max(sizes)):
        gx = px(tick)
        bottom = top + plot_h
        out.append(_gridline(gx, top, gx, bottom, str(tick), (gx, bottom + 13, "middle")))
    out.append(_axis_title(left + plot_w / 2, top + plot_h + 28, "size (log scale)"))
    for i, (row, pts) in enumerate(series):
        colour = _SERIES[i % len(_SERIES)]
        path = " ".join(f"{px(s):.1f},{py(t):.1f}" for s, t, _ in pts)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5">'
            f"<title>{_e(row.name)}</title></polyline>"
        )
        hollow = "".join(
            f'<circle cx="{px(s):.1f}" cy="{py(t):.1f}" r="2" fill="none" stroke="{colour}"/>'
            for s, t, extrapolated in pts
            if extrapolated
        )
        out.append(hollow)
        exponent = "n/a" if row.exponent is None else f"{row.exponent:.2f}"
        ly = top + 12 + i * 18
        out.append(
            f'<line x1="{legend_x}" y1="{ly - 4}" x2="{legend_x + 14}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<text x="{legend_x + 18}" y="{ly}" font-size="11" fill="currentColor">'
            f"<title>{_e(row.name)}</title>{_e(_short(row.name, 18))} ∝ size^{_e(exponent)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _size_ticks(lo: int, hi: int) -> list[int]:
    ticks = []
    decade = 10 ** math.floor(math.log10(lo))
    while decade <= hi:
        for step in (1, 2, 5):
            tick = step * decade
            if lo <= tick <= hi:
                ticks.append(tick)
        decade *= 10
    return ticks or [lo, hi]


# -- the bundle --------------------------------------------------------------------------------


def mimebundle(result: BenchResult, include=None, exclude=None) -> dict[str, Any]:
    """``{MIME_TYPE: payload, "text/html": ..., "text/plain": ...}`` filtered like IPython asks."""
    makers: dict[str, Callable[[BenchResult], Any]] = {
        MIME_TYPE: BenchResult.to_dict,
        "text/html": to_html,
        "text/plain": to_text,
    }
    wanted = [m for m in makers if (not include or m in include) and not (exclude and m in exclude)]
    return {mime: makers[mime](result) for mime in wanted}


# -- progress ----------------------------------------------------------------------------------


def _progress_step(progress: BenchProgress) -> tuple[int, str]:
    """How far the run is (rows checked, or all of them) and what it is doing, in words."""
    total = len(progress.planned)
    if progress.phase == "done":
        return total, "done"
    if progress.current is None:  # the interleaved race: every checked row at once
        return total, "racing" + (" the sweep" if progress.phase == "sweep" else "")
    planned = progress.planned
    step = planned.index(progress.current) + 1 if progress.current in planned else 0
    doing = f"{progress.current}: checking"
    if progress.size is not None:
        doing += f" at size {progress.size}"
    return step, doing


def progress_line(progress: BenchProgress) -> str:
    """One line for a terminal: ``[2/6] einsum: checking  0.41 s of 1 s``, then ``racing``."""
    step, doing = _progress_step(progress)
    budget = f" of {fmt_time(progress.budget)}" if progress.budget is not None else ""
    return (
        f"matmul bench [{step}/{len(progress.planned)}] {_plain(doing)}  "
        f"{fmt_time(progress.elapsed)}{budget}"
    )


def _progress_rows(progress: BenchProgress) -> list[tuple[str, str, str]]:
    rows = [
        (row.name, "-" if row.median is None else fmt_time(row.median), status_text(row))
        for row in progress.rows
    ]
    if progress.current is not None:
        rows.append((progress.current, "…", "checking"))
    shown = {r.name for r in progress.rows} | {progress.current}
    later = "waiting" if progress.current is not None else "racing"
    rows.extend((name, "", later) for name in progress.planned if name not in shown)
    return rows


def progress_text(progress: BenchProgress) -> str:
    rows = _progress_rows(progress)
    width = max([len(_plain(name)) for name, _, _ in rows] + [4])
    lines = [progress_line(progress)]
    lines.extend(f"  {_plain(n).ljust(width)}  {t:>10}  {s}".rstrip() for n, t, s in rows)
    return "\n".join(lines)


def progress_html(progress: BenchProgress) -> str:
    total = max(len(progress.planned), 1)
    share = 100 * _progress_step(progress)[0] / total
    items = "".join(
        f'<tr><td style="{_CELL}">{_e(n)}</td><td style="{_CELL} text-align: right;">{_e(t)}</td>'
        f'<td style="{_CELL}">{_e(s)}</td></tr>'
        for n, t, s in _progress_rows(progress)
    )
    return (
        f'<div data-matmul-magic="bench-progress" style="{_FONT} color: inherit;">'
        f"<div>{_e(progress_line(progress))}</div>"
        '<div style="width: 320px; height: 6px; background: rgba(128,128,128,0.25); '
        'margin: 4px 0;">'
        f'<div style="width: {share:.0f}%; height: 6px; background: {_KIND_COLOUR["course"]};">'
        "</div></div>"
        f'<table style="border-collapse: collapse;">{items}</table></div>'
    )


def progress_mimebundle(progress: BenchProgress) -> dict[str, Any]:
    return {"text/html": progress_html(progress), "text/plain": progress_text(progress)}


class StreamProgress:
    """An ``on_progress`` callback for terminals: one line, rewritten in place on a TTY.

    On a pipe or file it writes a line per change instead, so logs stay readable. Call
    ``close()`` when the run ends to finish the line.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""
        self._open = False

    def __call__(self, progress: BenchProgress) -> None:
        line = progress_line(progress)
        state = line.rsplit("  ", 1)[0]  # without the clock: repeats of one step are not news
        if state == self._last:
            return
        self._last = state
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
            self._open = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._open = False
