"""Shape errors explained: a hint for a torch shape error, and a per-line trace of a cell's ops.

Plain functions, no IPython: ``%load_ext matmul_magic`` wires them to the shell
(:mod:`matmul_magic.magics.explain`). Neither function runs the failing code twice:

- :func:`hint_for_exception` reads a raised exception's traceback (the failing frame's
  variables and the line's syntax tree) and returns a :class:`ShapeHint`, or None;
- :func:`explain_code` runs source once under a torch function mode and returns an
  :class:`ExplainTrace` (op, input shapes, output shape, source line; broadcast steps).
"""

from __future__ import annotations

from typing import Any

from .hints.render import OperandRow, ShapeHint
from .hints.rules import hint_for_exception, matmul_shape
from .hints.trace import ExplainTrace, TraceEvent, run_traced

__all__ = [
    "ExplainTrace",
    "OperandRow",
    "ShapeHint",
    "TraceEvent",
    "explain_code",
    "hint_for_exception",
    "matmul_shape",
]


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
