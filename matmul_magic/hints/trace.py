"""What ``%%explain`` shows: a cell run once under the op recorder (:mod:`.recorder`), and its
trace (each op's input shapes, output shape and source line; broadcasts with their steps)
as text and HTML.

The cell runs exactly once; the recorder's mode exists only for that run, so nothing
outside ``%%explain`` pays for it.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import linecache
from dataclasses import dataclass, field
from html import escape
from operator import attrgetter
from typing import Any

from ..shapes import KIND_WORDS, format_shape
from .recorder import TraceEvent, make_recorder
from .render import BOX_STYLE, CELL_STYLE, HOT_STYLE, Shown


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass
class ExplainTrace(Shown):
    """What ``%%explain`` shows: the cell's tensor ops, grouped by source line."""

    source: str
    events: list[TraceEvent] = field(default_factory=list)
    value: Any = None  # the cell's last expression, as a cell's Out
    exception: BaseException | None = None
    hidden_ops: int = 0  # ops past the row cap (MAX_ROWS), counted but not shown
    hidden_lines: tuple[int, ...] = ()  # the lines those ops ran on

    @property
    def total_ops(self) -> int:
        return sum(event.count for event in self.events) + self.hidden_ops

    def _hidden_text(self) -> str:
        lines = _plural(len(self.hidden_lines), "line")
        return f"... {_plural(self.hidden_ops, 'more tensor op')} on {lines}, not shown"

    def _title(self) -> str:
        lines = len({event.line for event in self.events} | set(self.hidden_lines))
        return f"%%explain: {_plural(self.total_ops, 'tensor op')} on {_plural(lines, 'line')}"

    def lines(self) -> list[tuple[int, str, list[TraceEvent]]]:
        source_lines, line = self.source.splitlines(), attrgetter("line")
        out = []
        for lineno, events in itertools.groupby(sorted(self.events, key=line), line):
            text = source_lines[lineno - 1] if 0 < lineno <= len(source_lines) else ""
            out.append((lineno, text.strip(), list(events)))
        return out

    def to_text(self) -> str:
        out = [self._title()]
        for lineno, text, events in self.lines():
            out.append(f"line {lineno}: {text}")
            for event in events:
                times = f"x{event.count}" if event.count > 1 else ""
                flag = "!!" if event.error else "  "
                out.append(f"  {flag}{times:>5}  {event.text}")
                if event.error:
                    out.append(f"         {event.error}")
                if event.broadcast is not None:
                    out.append(f"         {_broadcast_steps(event.broadcast)}")
        if self.hidden_ops:
            out.append(self._hidden_text())
        return "\n".join(out)

    def to_html(self) -> str:
        parts = [f'<div data-matmul-magic="explain-trace" style="{BOX_STYLE}">']
        parts.append(f'<div style="font-weight: bold">{self._title()}</div>')
        for lineno, text, events in self.lines():
            parts.append(
                f'<div style="margin-top: 6px"><span style="opacity: 0.6">line {lineno}:</span>'
                f" <code>{escape(text)}</code></div>"
            )
            parts.append('<table style="border-collapse: collapse; margin-left: 1.5em">')
            for event in events:
                style = f"{CELL_STYLE}; {HOT_STYLE}" if event.error else CELL_STYLE
                attr = ' data-error="true"' if event.error else ""
                times = f"×{event.count}" if event.count > 1 else ""
                parts.append(
                    f'<tr{attr}><td style="{CELL_STYLE}; opacity: 0.6">{times}</td>'
                    f'<td style="{style}; text-align: left">{escape(event.text)}'
                )
                if event.error:
                    parts.append(f"<div>{escape(event.error)}</div>")
                if event.broadcast is not None:
                    parts.append(_broadcast_html(event.broadcast))
                parts.append("</td></tr>")
            parts.append("</table>")
        if self.hidden_ops:
            parts.append(f'<div style="margin-top: 6px">{escape(self._hidden_text())}</div>')
        parts.append("</div>")
        return "".join(parts)


def _broadcast_steps(explanation) -> str:
    """``broadcast: dim -2: 784 = 784 | dim -1: 1 -> 10 stretched``."""
    steps = []
    for column in explanation.columns:
        sizes = " vs ".join("-" if s is None else str(s) for s in column.sizes)
        # A clash is said by the result itself ("-> clash"), not again in the note.
        changed = [KIND_WORDS[k] for k in column.kinds if k in ("stretched", "missing")]
        result = "clash" if column.size is None else str(column.size)
        note = f" ({', '.join(sorted(set(changed)))})" if changed else ""
        steps.append(f"dim {column.dim}: {sizes} -> {result}{note}")
    return "broadcast: " + " | ".join(steps)


_KIND_STYLE = {
    "equal": "",
    "stretched": "background: rgba(25, 118, 210, 0.22)",  # readable on light and dark themes
    "missing": "background: var(--jp-layout-color3, #e0e0e0); opacity: 0.7",
    "clash": HOT_STYLE,
}


def _broadcast_html(explanation) -> str:
    rows = []
    for index, shape in enumerate(explanation.shapes):
        cells = []
        for column in explanation.columns:
            size, kind = column.sizes[index], column.kinds[index]
            text = "1" if size is None else str(size)
            cells.append(
                f'<td style="{CELL_STYLE}; {_KIND_STYLE[kind]}" data-kind="{kind}" '
                f'title="{kind}">{text}</td>'
            )
        label = f'<td style="{CELL_STYLE}; opacity: 0.6">{escape(format_shape(shape))}</td>'
        rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    result = explanation.result
    cells = "".join(
        f'<td style="{CELL_STYLE}; font-weight: bold">{"?" if c.size is None else c.size}</td>'
        for c in explanation.columns
    )
    label = "result" if result is None else format_shape(result)
    rows.append(f'<tr><td style="{CELL_STYLE}; opacity: 0.6">= {escape(label)}</td>{cells}</tr>')
    return (
        '<table style="border-collapse: collapse; margin: 2px 0; font-size: 0.9em" '
        f'data-matmul-magic="broadcast-steps">{"".join(rows)}</table>'
    )


def _split_last_expression(source: str, filename: str, flags: int = 0):
    """Compile ``source`` as statements plus, if it ends with one, a final expression."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", flags=flags)
    tail = compile(last, filename, "eval", flags=flags) if last is not None else None
    return body, tail


_counter = 0
_OWN_FILES = frozenset({__file__, make_recorder.__code__.co_filename})


def _without_own_frames(tb):
    """The traceback minus this module's and the recorder's frames (the recorder sits between
    cell and torch)."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename not in _OWN_FILES:
            kept.append(tb)
        tb = tb.tb_next
    for entry, following in zip(kept, [*kept[1:], None], strict=False):
        entry.tb_next = following  # (a compile-time SyntaxError has no frames: kept is empty)
    return kept[0] if kept else None


def run_traced(source: str, namespace: dict, filename: str | None = None) -> ExplainTrace:
    """Run ``source`` once in ``namespace`` while recording tensor ops; never raises.

    The cell's exception, if any, is on ``trace.exception``; the value of a final
    expression on ``trace.value``. ``filename`` should be registered in ``linecache``
    (IPython's compiler does that); otherwise a fresh name is registered here so that
    tracebacks show the source.
    """
    __tracebackhide__ = True  # noqa: F841
    # Compiled without top-level await, the code never suspends: one step finishes it.
    try:
        _run(source, namespace, filename, 0).send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("run_traced: the cell suspended")  # unreachable without await


async def run_traced_async(
    source: str, namespace: dict, filename: str | None = None
) -> ExplainTrace:
    """``run_traced`` for a cell that awaits at its top level (IPython's autoawait)."""
    __tracebackhide__ = True  # noqa: F841
    return await _run(source, namespace, filename, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


async def _run(source: str, namespace: dict, filename: str | None, flags: int) -> ExplainTrace:
    __tracebackhide__ = True  # noqa: F841
    global _counter
    if filename is None:
        _counter += 1
        filename = f"<explain-{_counter}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    trace, recorder = ExplainTrace(source), make_recorder(filename)
    try:
        body, tail = _split_last_expression(source, filename, flags)
        with recorder:
            running = eval(body, namespace)
            if body.co_flags & inspect.CO_COROUTINE:
                await running
            if tail is not None:
                value = eval(tail, namespace)
                trace.value = await value if tail.co_flags & inspect.CO_COROUTINE else value
    except Exception as err:
        trace.exception = err.with_traceback(_without_own_frames(err.__traceback__))
    log = recorder.log
    trace.events, trace.hidden_ops = log.events, log.hidden_ops
    trace.hidden_lines = tuple(sorted(log.hidden_lines))
    return trace


def explain_code(source: str, namespace: dict[str, Any] | None = None) -> ExplainTrace:
    """Run ``source`` once, recording every tensor op, and return the trace.

    ``namespace`` is the globals dict the code runs in (a fresh one if omitted). The
    code's exception, if any, is not raised but kept on ``trace.exception``.

        >>> trace = explain_code("c = a @ b", {"a": torch.ones(5, 784), "b": torch.ones(784, 10)})
        >>> print(trace)  # (5, 784) @ (784, 10) -> (5, 10)
    """
    if not isinstance(source, str):
        raise TypeError(f"explain_code() takes source code as a str, got {type(source).__name__}.")
    return run_traced(source, {} if namespace is None else namespace)
