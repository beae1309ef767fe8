"""Live progress while ``bench()`` runs: an HTML panel updated in place, a text block, and
``StreamProgress``, the one-line terminal callback.

The views take a plain mapping (``progress_snapshot(progress)``): ``planned`` names, ``rows``
as payload dicts, ``current``, ``phase``, ``size``, ``elapsed``, ``budget``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from .format import colour, format_time, status_text
from .html import CELL, FONT, escape
from .summary import plain

Progress = Mapping[str, Any]


def progress_snapshot(progress: Any) -> dict[str, Any]:
    """The plain mapping the progress views read, from a ``BenchProgress`` (or a mapping)."""
    if isinstance(progress, Mapping):
        return dict(progress)
    keys = ("current", "phase", "size", "elapsed", "budget", "device", "dtype")
    snapshot = {key: getattr(progress, key, None) for key in keys}
    snapshot["planned"] = list(progress.planned)
    snapshot["rows"] = [row.to_dict() for row in progress.rows]
    return snapshot


def _step(progress: Progress) -> tuple[int, str]:
    """How far the run is (rows checked, or all of them) and what it is doing, in words."""
    planned = progress["planned"]
    current = progress.get("current")
    if progress.get("phase") == "done":
        return len(planned), "done"
    if current is None:  # the interleaved race: every checked row at once
        return len(planned), "racing" + (" the sweep" if progress.get("phase") == "sweep" else "")
    step = planned.index(current) + 1 if current in planned else 0
    doing = f"{current}: checking"
    if progress.get("size") is not None:
        doing += f" at size {progress['size']}"
    return step, doing


def progress_line(progress: Progress) -> str:
    """One line for a terminal: ``[2/6] einsum: checking  0.41 s of 1 s``, then ``racing``."""
    step, doing = _step(progress)
    budget = progress.get("budget")
    of = f" of {format_time(budget)}" if budget is not None else ""
    return (
        f"matmul bench [{step}/{len(progress['planned'])}] {plain(doing)}  "
        f"{format_time(progress.get('elapsed') or 0.0)}{of}"
    )


def _rows(progress: Progress) -> list[tuple[str, str, str]]:
    rows = [
        (row["name"], format_time(row.get("median")), status_text(row)) for row in progress["rows"]
    ]
    current = progress.get("current")
    if current is not None:
        rows.append((current, "…", "checking"))
    shown = {r["name"] for r in progress["rows"]} | {current}
    later = "waiting" if current is not None else "racing"
    rows.extend((name, "", later) for name in progress["planned"] if name not in shown)
    return rows


def share_done(progress: Progress) -> float:
    """How far the run is, 0 to 1: the race's elapsed share of the budget (the budget bounds
    the run), or the rows checked so far where there is no budget; 1 when done."""
    if progress.get("phase") == "done":
        return 1.0
    budget, elapsed = progress.get("budget"), progress.get("elapsed")
    if budget and elapsed is not None:
        return min(max(elapsed / budget, 0.0), 1.0)
    return _step(progress)[0] / max(len(progress["planned"]), 1) if progress.get("current") else 0.0


# Heights (px) of the final output's parts, so the progress output reserves its final height
# early and the page below does not jump when the result replaces it.
_RESERVE = {"header": 90, "row": 52, "notes": 70, "bar_axis": 40, "sweep": 300}


def reserved_height(progress: Progress) -> int:
    """About the height the finished bench will take: table and bar chart rows, notes, and a
    sweep chart once the sweep has begun."""
    n = len(progress["planned"])
    r = _RESERVE
    height = r["header"] + n * r["row"] + r["bar_axis"] + r["notes"]
    return height + (r["sweep"] if progress.get("phase") == "sweep" else 0)


def progress_text(progress: Progress) -> str:
    rows = _rows(progress)
    width = max([len(plain(name)) for name, _, _ in rows] + [4])
    lines = [progress_line(progress)]
    lines.extend(f"  {plain(n).ljust(width)}  {t:>10}  {s}".rstrip() for n, t, s in rows)
    return "\n".join(lines)


def progress_html(progress: Progress) -> str:
    share = 100 * share_done(progress)
    items = "".join(
        f'<tr><td style="{CELL}">{escape(n)}</td>'
        f'<td style="{CELL} text-align: right;">{escape(t)}</td>'
        f'<td style="{CELL}">{escape(s)}</td></tr>'
        for n, t, s in _rows(progress)
    )
    return (
        f'<div data-matmul-magic="bench-progress" style="{FONT} color: inherit; '
        f'min-height: {reserved_height(progress)}px;">'
        f"<div>{escape(progress_line(progress))}</div>"
        '<div role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{share:.0f}" style="width: 320px; max-width: 100%; height: 6px; '
        'background: rgba(128,128,128,0.25); margin: 4px 0;">'
        f'<div style="width: {share:.0f}%; height: 6px; background: {colour("accent")};">'
        "</div></div>"
        f'<table style="border-collapse: collapse;">{items}</table></div>'
    )


def progress_mimebundle(progress: Any) -> dict[str, Any]:
    """``text/html`` and ``text/plain`` of a progress snapshot (or a ``BenchProgress``)."""
    snapshot = progress_snapshot(progress)
    return {"text/html": progress_html(snapshot), "text/plain": progress_text(snapshot)}


CLOCK_STEP = 0.25
"""Seconds of run time between rewrites of a terminal's progress line for the clock alone."""


class StreamProgress:
    """An ``on_progress`` callback for terminals: one line, rewritten in place on a TTY.

    On a pipe or file it writes a line per change instead, so logs stay readable. Call
    ``close()`` when the run ends to finish the line.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""
        self._clock = 0.0
        self._open = False

    def __call__(self, progress: Any) -> None:
        snapshot = progress_snapshot(progress)
        line = progress_line(snapshot)
        state = line.rsplit("  ", 1)[0]  # without the clock: repeats of one step are not news
        elapsed = snapshot.get("elapsed") or 0.0
        # ... except on a TTY, rewritten in place, where the clock moves every CLOCK_STEP.
        ticked = self.tty and elapsed - self._clock >= CLOCK_STEP
        if state == self._last and not ticked:
            return
        self._last, self._clock = state, elapsed
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
