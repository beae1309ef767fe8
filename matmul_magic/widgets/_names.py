"""Operand labels from what the learner typed: ``ShapeExplorer(m, c)`` labels its rows m and c.

The ``executing`` package (which IPython's tracebacks already use) finds the call expression a
frame is running; the source text of each positional argument becomes its label. Anything it
cannot tell (a call from ``eval``, ``*args``, a frame without source) falls back to a, b, c.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Sequence
from types import FrameType

from matmul_magic.widgets.constants import OPERAND_NAMES

#: A label longer than this is the expression cut short: a table row must stay readable.
MAX_LABEL = 40


def labels(names: list[str] | None, count: int, guessed: list[str] | None = None) -> list[str]:
    """``names=`` when given, else the guessed expressions; where either has none, a, b, c…
    (:data:`~matmul_magic.widgets.constants.OPERAND_NAMES`), then ``x8``, ``x9``… past them
    (the widgets take at most 8)."""
    chosen = [str(n) for n in (names if names is not None else guessed or [])][:count]
    chosen += [""] * (count - len(chosen))
    letters = [*OPERAND_NAMES, *(f"x{i}" for i in range(len(OPERAND_NAMES), count))]
    return [name or letters[i] for i, name in enumerate(chosen)]


def _caller(skip_package: str) -> FrameType | None:
    """The first frame outside ``skip_package`` (the widget's own ``__init__`` chain)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(skip_package):
        frame = frame.f_back
    return frame


def argument_texts(owner: type, skip: int = 0) -> list[str] | None:
    """The source text of each positional argument in the call that created ``owner``.

    ``skip`` drops leading arguments that are not operands (EinsumExplorer's spec). None when
    the call cannot be found, calls something else, or unpacks ``*args``.
    """
    try:
        import executing
    except ImportError:  # pragma: no cover - IPython depends on it
        return None
    frame = _caller("matmul_magic.widgets")
    if frame is None:
        return None
    try:
        found = executing.Source.executing(frame)
        node = found.node
        text = found.source.text
    except Exception:  # noqa: BLE001 - any failure to read the source means "no names"
        return None
    if not isinstance(node, ast.Call) or not _calls(node.func, owner.__name__):
        return None
    args = node.args[skip:]
    if any(isinstance(arg, ast.Starred) for arg in args):
        return None
    try:
        return [_label(text, arg) for arg in args]
    except Exception:  # noqa: BLE001 - a label is a nicety; never fail the widget over one
        return None


def _label(text: str, arg: ast.expr) -> str:
    """The argument's source on one line; "" for a literal such as ``(5, 1)``, which the shape
    column already shows (the row then gets its letter)."""
    try:
        ast.literal_eval(arg)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        segment = ast.get_source_segment(text, arg) or ast.unparse(arg)
        return _short(" ".join(segment.split()))
    return ""


def _calls(func: ast.expr, name: str) -> bool:
    """Whether the call's target is the class: ``ShapeExplorer(...)``, ``mm.ShapeExplorer(...)``."""
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


_OPERAND = re.compile(r"\b[Oo]perand (\d+)\b")


def name_operands(message: str, names: Sequence[str]) -> str:
    """``"… in operand 0 …"`` with the operand's label: ``"… in m1 …"``, as the table calls it."""

    def name(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return names[index] if index < len(names) else match.group(0)

    return _OPERAND.sub(name, message)
