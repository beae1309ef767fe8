"""Record every tensor op a cell runs, with shapes and source line, under a TorchFunctionMode.

The cell runs exactly once, inside :class:`ShapeRecorder`; the mode exists only for that run,
so nothing outside ``%%explain`` pays for it. torch disables a mode while its own
``__torch_function__`` runs, so ops that torch calls internally are not recorded twice:
the trace holds what the cell asked for.
"""

from __future__ import annotations

import ast
import linecache
import sys
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..shapes import explain_broadcast, format_shape
from .render import _BOX, _CELL, _HOT

_SYMBOLS = {
    "mul": "*",
    "__mul__": "*",
    "__rmul__": "*",
    "add": "+",
    "__add__": "+",
    "__radd__": "+",
    "sub": "-",
    "__sub__": "-",
    "__rsub__": "-",
    "div": "/",
    "__truediv__": "/",
    "__rtruediv__": "/",
    "true_divide": "/",
    "matmul": "@",
    "__matmul__": "@",
    "__rmatmul__": "@",
    "pow": "**",
    "__pow__": "**",
    "floor_divide": "//",
    "__floordiv__": "//",
    "remainder": "%",
    "__mod__": "%",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "__eq__": "==",
    "__ne__": "!=",
    "__lt__": "<",
    "__le__": "<=",
    "__gt__": ">",
    "__ge__": ">=",
    "__and__": "&",
    "__or__": "|",
    "__xor__": "^",
    "add_": "+=",
    "sub_": "-=",
    "mul_": "*=",
    "div_": "/=",
    "__iadd__": "+=",
    "__isub__": "-=",
    "__imul__": "*=",
    "__itruediv__": "/=",
}
_ELEMENTWISE = frozenset(name for name, symbol in _SYMBOLS.items() if symbol != "@")


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _describe(value: Any, index: bool = False) -> str:
    """A short, shape-level description of one argument."""
    if _is_tensor(value):
        return format_shape(tuple(value.shape))
    if isinstance(value, slice):
        parts = ["" if p is None else str(p) for p in (value.start, value.stop)]
        text = ":".join(parts)
        return text + (f":{value.step}" if value.step is not None else "")
    if value is Ellipsis:
        return "..."
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return "int" if index else repr(value)  # loop indices vary: keep lines grouped
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_describe(v, index) for v in value)
        if type(value).__name__ == "Size":
            return format_shape(tuple(value))
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    return type(value).__name__


def _shape_of(value: Any) -> tuple[int, ...] | None:
    return tuple(value.shape) if _is_tensor(value) else None


@dataclass
class TraceEvent:
    """One recorded op (repeats on the same line with the same shapes fold into ``count``)."""

    line: int
    op: str  # torch's name: "mul", "matmul", "__getitem__", "einsum", ...
    text: str  # "(5, 784) @ (784, 10) -> (5, 10)"
    input_shapes: tuple[tuple[int, ...], ...]
    output_shape: tuple[int, ...] | None
    error: str | None = None
    count: int = 1
    broadcast: Any = None  # a shapes.BroadcastExplanation when inputs broadcast

    @property
    def key(self) -> tuple:
        return (self.line, self.text, self.error)


def _event_text(name: str, args: tuple, kwargs: dict, output: Any) -> str:
    symbol = _SYMBOLS.get(name)
    out = _output_text(output)
    if name == "__getitem__" and len(args) == 2:
        index = args[1] if isinstance(args[1], tuple) else (args[1],)
        return f"{_describe(args[0])}[{', '.join(_describe(i, True) for i in index)}]{out}"
    if name == "__setitem__" and len(args) == 3:
        index = args[1] if isinstance(args[1], tuple) else (args[1],)
        target = f"{_describe(args[0])}[{', '.join(_describe(i, True) for i in index)}]"
        return f"{target} = {_describe(args[2])}"
    if name in ("T", "mT", "H", "mH") and len(args) == 1:
        return f"{_describe(args[0])}.{name}{out}"
    if symbol and len(args) == 2 and not kwargs:
        return f"{_describe(args[0])} {symbol} {_describe(args[1])}{out}"
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)}){out}"


def _output_text(output: Any) -> str:
    if _is_tensor(output):
        return f" -> {format_shape(tuple(output.shape))}"
    if isinstance(output, (tuple, list)) and output and all(map(_is_tensor, output)):
        return " -> " + ", ".join(format_shape(tuple(o.shape)) for o in output)
    return ""


def _op_name(func: Any) -> str:
    name = getattr(func, "__name__", None) or type(func).__name__
    if name == "__get__":  # a property such as .T or .shape: name it by the property
        owner = getattr(func, "__self__", None)
        return getattr(owner, "__name__", name)
    return name


def _load_mode_base():
    from torch.overrides import TorchFunctionMode

    return TorchFunctionMode


DISTINCT_PER_LINE = 20
"""Distinct ops kept per source line; the rest fold into one row, so that a loop whose
scalars vary (``t + i``) shows a few lines, not one per iteration (and memory stays small)."""


MAX_ROWS = 200
"""Rows kept in a whole trace; further ops are only counted ("N more ops on M lines"), so a
million iterations print the same few kilobytes as a thousand."""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def make_recorder(filename: str):
    """A TorchFunctionMode that records ops issued from code compiled as ``filename``."""
    base = _load_mode_base()

    class ShapeRecorder(base):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[TraceEvent] = []
            self._index: dict[tuple, TraceEvent] = {}
            self._distinct: dict[int, int] = {}
            self.hidden_ops = 0  # ops past MAX_ROWS rows, and the lines they ran on
            self.hidden_lines: set[int] = set()

        def _line(self) -> int | None:
            frame = sys._getframe(2)
            while frame is not None:
                if frame.f_code.co_filename == filename:
                    return frame.f_lineno
                frame = frame.f_back
            return None

        def __torch_function__(self, func, types, args=(), kwargs=None):
            __tracebackhide__ = True  # noqa: F841  (IPython hides this frame in tracebacks)
            kwargs = kwargs or {}
            line = self._line()
            if line is None:
                return func(*args, **kwargs)
            try:
                output = func(*args, **kwargs)
            except Exception as err:
                self._record(line, func, args, kwargs, None, err)
                raise
            self._record(line, func, args, kwargs, output, None)
            return output

        def _record(self, line, func, args, kwargs, output, error) -> None:
            name = _op_name(func)
            returns_tensor = _is_tensor(output) or (
                isinstance(output, (tuple, list)) and output and all(map(_is_tensor, output))
            )
            if error is None and not returns_tensor and name != "__setitem__":
                return  # .shape, len(), repr(), .item(): metadata, not tensor ops
            try:
                text = _event_text(name, tuple(args), dict(kwargs), output)
            except Exception:  # an argument we cannot describe must not break the cell
                text = name
            first_line = str(error).strip().splitlines()[0] if error is not None else None
            message = f"{type(error).__name__}: {first_line}" if error is not None else None
            event = TraceEvent(
                line=line,
                op=name,
                text=text,
                input_shapes=tuple(s for s in map(_shape_of, args) if s is not None),
                output_shape=_shape_of(output),
                error=message,
            )
            existing = self._index.get(event.key)
            if existing is None and self._distinct.get(line, 0) >= DISTINCT_PER_LINE:
                # Errors fold too: a loop that raises and catches each time must not flood.
                text = "... more failing ops" if error is not None else "... more ops"
                event = TraceEvent(line, "", f"{text} with other shapes or values", (), None)
                existing = self._index.get(event.key)
                if existing is None and len(self.events) < MAX_ROWS:
                    self._index[event.key] = event
                    self.events.append(event)
                    return
            if existing is not None:
                existing.count += 1
                return
            if len(self.events) >= MAX_ROWS:  # the whole trace is capped: count the rest
                self.hidden_ops += 1
                self.hidden_lines.add(line)
                return
            self._distinct[line] = self._distinct.get(line, 0) + 1
            shapes = event.input_shapes
            if name in _ELEMENTWISE and len(shapes) == 2 and shapes[0] != shapes[1]:
                try:
                    event.broadcast = explain_broadcast(*shapes)
                except (TypeError, ValueError):
                    event.broadcast = None
            self._index[event.key] = event
            self.events.append(event)

    return ShapeRecorder()


@dataclass
class ExplainTrace:
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

    def _line_count(self) -> int:
        return len({event.line for event in self.events} | set(self.hidden_lines))

    def lines(self) -> list[tuple[int, str, list[TraceEvent]]]:
        source_lines = self.source.splitlines()
        grouped: dict[int, list[TraceEvent]] = {}
        for event in self.events:
            grouped.setdefault(event.line, []).append(event)
        out = []
        for lineno in sorted(grouped):
            text = source_lines[lineno - 1] if 0 < lineno <= len(source_lines) else ""
            out.append((lineno, text.strip(), grouped[lineno]))
        return out

    def to_text(self) -> str:
        ops = _plural(self.total_ops, "tensor op")
        lines = _plural(self._line_count(), "line")
        out = [f"%%explain: {ops} on {lines}"]
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
        lines = self._line_count()
        parts = [f'<div data-matmul-magic="explain-trace" style="{_BOX}">']
        parts.append(
            f'<div style="font-weight: bold">%%explain: {_plural(self.total_ops, "tensor op")} '
            f"on {_plural(lines, 'line')}</div>"
        )
        for lineno, text, events in self.lines():
            parts.append(
                f'<div style="margin-top: 6px"><span style="opacity: 0.6">line {lineno}:</span>'
                f" <code>{escape(text)}</code></div>"
            )
            parts.append('<table style="border-collapse: collapse; margin-left: 1.5em">')
            for event in events:
                style = f"{_CELL}; {_HOT}" if event.error else _CELL
                attr = ' data-error="true"' if event.error else ""
                times = f"×{event.count}" if event.count > 1 else ""
                parts.append(
                    f'<tr{attr}><td style="{_CELL}; opacity: 0.6">{times}</td>'
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

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.to_text(), "text/html": self.to_html()}

    def __str__(self) -> str:
        return self.to_text()


from ..shapes import KIND_WORDS as _KIND_WORDS  # noqa: E402  (one wording per kind)


def _broadcast_steps(explanation) -> str:
    """``broadcast: dim -2: 784 = 784 | dim -1: 1 -> 10 stretched``."""
    steps = []
    for column in explanation.columns:
        sizes = " vs ".join("-" if s is None else str(s) for s in column.sizes)
        changed = [_KIND_WORDS[k] for k in column.kinds if k in ("stretched", "missing", "clash")]
        result = "clash" if column.size is None else str(column.size)
        note = f" ({', '.join(sorted(set(changed)))})" if changed else ""
        steps.append(f"dim {column.dim}: {sizes} -> {result}{note}")
    return "broadcast: " + " | ".join(steps)


_KIND_STYLE = {
    "equal": "",
    "stretched": "background: rgba(25, 118, 210, 0.22)",  # readable on light and dark themes
    "missing": "background: var(--jp-layout-color3, #e0e0e0); opacity: 0.7",
    "clash": _HOT,
}


def _broadcast_html(explanation) -> str:
    rows = []
    for index, shape in enumerate(explanation.shapes):
        cells = []
        for column in explanation.columns:
            size, kind = column.sizes[index], column.kinds[index]
            text = "1" if size is None else str(size)
            cells.append(
                f'<td style="{_CELL}; {_KIND_STYLE[kind]}" data-kind="{kind}" '
                f'title="{kind}">{text}</td>'
            )
        label = f'<td style="{_CELL}; opacity: 0.6">{escape(format_shape(shape))}</td>'
        rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    result = explanation.result
    cells = "".join(
        f'<td style="{_CELL}; font-weight: bold">{"?" if c.size is None else c.size}</td>'
        for c in explanation.columns
    )
    label = "result" if result is None else format_shape(result)
    rows.append(f'<tr><td style="{_CELL}; opacity: 0.6">= {escape(label)}</td>{cells}</tr>')
    return (
        '<table style="border-collapse: collapse; margin: 2px 0; font-size: 0.9em" '
        f'data-matmul-magic="broadcast-steps">{"".join(rows)}</table>'
    )


def _split_last_expression(source: str, filename: str):
    """Compile ``source`` as statements plus, if it ends with one, a final expression."""
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec")
    tail = compile(last, filename, "eval") if last is not None else None
    return body, tail


_counter = 0


def _without_own_frames(tb):
    """The traceback minus this module's frames (the recorder sits between cell and torch)."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
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
    global _counter
    __tracebackhide__ = True  # noqa: F841
    if filename is None:
        _counter += 1
        filename = f"<explain-{_counter}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    trace = ExplainTrace(source)
    recorder = make_recorder(filename)
    try:
        body, tail = _split_last_expression(source, filename)
        with recorder:
            exec(body, namespace)
            if tail is not None:
                trace.value = eval(tail, namespace)
    except Exception as err:
        trace.exception = err.with_traceback(_without_own_frames(err.__traceback__))
    trace.events = recorder.events
    trace.hidden_ops = recorder.hidden_ops
    trace.hidden_lines = tuple(sorted(recorder.hidden_lines))
    return trace
