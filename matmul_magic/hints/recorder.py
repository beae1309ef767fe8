"""The recorder behind ``%%explain``: a TorchFunctionMode that logs every tensor op issued from
the cell's code, with its shapes and source line, folding repeats so that loops stay short.

torch disables a mode while its own ``__torch_function__`` runs, so ops that torch calls
internally are not recorded twice: the log holds what the cell asked for.
"""

from __future__ import annotations

import sys
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from ..shapes import explain_broadcast
from .op_text import ELEMENTWISE, event_text, op_name, returns_tensor, shape_of


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


DISTINCT_PER_LINE = 20
"""Distinct ops kept per source line; the rest fold into one row, so that a loop whose
scalars vary (``t + i``) shows a few lines, not one per iteration (and memory stays small)."""


MAX_ROWS = 200
"""Rows kept in a whole trace; further ops are only counted ("N more ops on M lines"), so a
million iterations print the same few kilobytes as a thousand."""


class EventLog:
    """The ops recorded so far: a repeat (same line, same text) counts up its event, a line
    keeps ``DISTINCT_PER_LINE`` distinct events, and the whole log ``MAX_ROWS`` rows."""

    def __init__(self) -> None:
        self.events: list[TraceEvent] = []
        self._index: dict[tuple, TraceEvent] = {}
        self._distinct: dict[int, int] = {}
        self.hidden_ops = 0  # ops past MAX_ROWS rows, and the lines they ran on
        self.hidden_lines: set[int] = set()

    def record(self, line: int, func: Any, args: Any, kwargs: dict, output: Any, error) -> None:
        """Log one call of ``func`` from source line ``line`` (``error``: what it raised)."""
        name = op_name(func)
        if error is None and not returns_tensor(output) and name != "__setitem__":
            return  # .shape, len(), repr(), .item(): metadata, not tensor ops
        try:
            text = event_text(name, tuple(args), dict(kwargs), output)
        except Exception:  # an argument we cannot describe must not break the cell
            text = name
        message = None
        if error is not None:  # an empty message is the error's name alone
            first_line = next(iter(str(error).strip().splitlines()), "")
            message = f"{type(error).__name__}: {first_line}".removesuffix(": ")
        inputs = tuple(s for s in map(shape_of, args) if s is not None)
        event = TraceEvent(line, name, text, inputs, shape_of(output), error=message)
        existing = self._index.get(event.key)
        if existing is None and self._distinct.get(line, 0) >= DISTINCT_PER_LINE:
            # Errors fold too: a loop that raises and catches each time must not flood.
            text = "... more failing ops" if error is not None else "... more ops"
            event = TraceEvent(line, "", f"{text} with other shapes or values", (), None)
            existing = self._index.get(event.key)
        if existing is not None:
            existing.count += 1
            return
        if len(self.events) >= MAX_ROWS:  # the whole trace is capped: count the rest
            self.hidden_ops += 1
            self.hidden_lines.add(line)
            return
        self._distinct[line] = self._distinct.get(line, 0) + 1
        shapes = event.input_shapes
        if event.op in ELEMENTWISE and len(shapes) == 2 and shapes[0] != shapes[1]:
            with suppress(TypeError, ValueError):  # then no broadcast is drawn
                event.broadcast = explain_broadcast(*shapes)
        self._index[event.key] = event
        self.events.append(event)


def make_recorder(filename: str):
    """A TorchFunctionMode that records, in its ``log``, ops issued from code compiled as
    ``filename``; ops from anywhere else run unrecorded."""
    from torch.overrides import TorchFunctionMode

    class ShapeRecorder(TorchFunctionMode):
        def __init__(self) -> None:
            super().__init__()
            self.log = EventLog()

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
                self.log.record(line, func, args, kwargs, None, err)
                raise
            self.log.record(line, func, args, kwargs, output, None)
            return output

    return ShapeRecorder()
