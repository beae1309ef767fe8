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


def progress_text(progress: Progress) -> str:
    rows = _rows(progress)
    width = max([len(plain(name)) for name, _, _ in rows] + [4])
    lines = [progress_line(progress)]
    lines.extend(f"  {plain(n).ljust(width)}  {t:>10}  {s}".rstrip() for n, t, s in rows)
    return "\n".join(lines)


def progress_html(progress: Progress) -> str:
    share = 100 * _step(progress)[0] / max(len(progress["planned"]), 1)
    items = "".join(
        f'<tr><td style="{CELL}">{escape(n)}</td>'
        f'<td style="{CELL} text-align: right;">{escape(t)}</td>'
        f'<td style="{CELL}">{escape(s)}</td></tr>'
        for n, t, s in _rows(progress)
    )
    return (
        f'<div data-matmul-magic="bench-progress" style="{FONT} color: inherit;">'
        f"<div>{escape(progress_line(progress))}</div>"
        '<div style="width: 320px; height: 6px; background: rgba(128,128,128,0.25); '
        'margin: 4px 0;">'
        f'<div style="width: {share:.0f}%; height: 6px; background: {colour("accent")};">'
        "</div></div>"
        f'<table style="border-collapse: collapse;">{items}</table></div>'
    )


def progress_mimebundle(progress: Any) -> dict[str, Any]:
    """``text/html`` and ``text/plain`` of a progress snapshot (or a ``BenchProgress``)."""
    snapshot = progress_snapshot(progress)
    return {"text/html": progress_html(snapshot), "text/plain": progress_text(snapshot)}


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

    def __call__(self, progress: Any) -> None:
        line = progress_line(progress_snapshot(progress))
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
