"""``%shapes expr, expr, ...``: open a ShapeExplorer on the values of those expressions."""

from __future__ import annotations

import ast
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class, needs_local_scope, no_var_expand

from matmul_magic.magics._line import evaluate_call, parse_arguments
from matmul_magic.magics._registry import register, unregister


def split_expressions(line: str) -> list[tuple[str, ast.expr]]:
    """The expressions of ``line``, read as a call's argument list, as (source text, node).

    ``a, b[:, None]`` is two expressions; ``(5, 1)`` is one (a shape), ``(5, 1), (1, 4)``
    two, and so is ``(a * 2), b``. ``UsageError`` if the line is not an argument list.
    """
    text = line.strip()
    if not text:
        raise UsageError("%shapes needs expressions, e.g. %shapes a, b[:, None]")
    try:
        call = parse_arguments(text)
    except SyntaxError as exc:
        raise UsageError(f"%shapes: cannot parse {text!r}: {exc.msg}") from None
    if call.keywords or any(isinstance(node, ast.Starred) for node in call.args):
        raise UsageError(f"%shapes takes values and shapes only, not keywords or *: {text!r}")
    source = f"f(\n{text}\n)"
    return [(ast.get_source_segment(source, node) or ast.unparse(node), node) for node in call.args]


def evaluate(
    line: str, namespace: dict[str, Any], local_ns: dict[str, Any] | None = None
) -> tuple[list[str], list[Any]]:
    """Evaluate ``line``'s expressions as the caller's own code would: (source texts, values)."""
    names = [source for source, _ in split_expressions(line)]
    call = parse_arguments(line.strip())
    try:
        values, _ = evaluate_call("shapes", call, line.strip(), namespace, local_ns)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"%shapes: {line.strip()}: {type(exc).__name__}: {exc}") from None
    return names, list(values)


@magics_class
class ShapesMagics(Magics):
    @no_var_expand
    @needs_local_scope
    @line_magic
    def shapes(self, line: str, local_ns: dict[str, Any] | None = None) -> Any:
        """Open a ShapeExplorer on tensors, arrays or shapes: ``%shapes a, b[:, None], (5, 1)``.

        Each comma-separated expression is evaluated in the notebook's namespace; the widget
        shows how their shapes broadcast, dimension by dimension. The widget is returned, so
        ``w = %shapes a, b`` keeps it (``w.result``, ``w.error``, ``w.shapes``).
        """
        names, values = evaluate(line, self.shell.user_ns, local_ns)
        from matmul_magic.widgets import ShapeExplorer

        try:
            return ShapeExplorer(*values, names=names)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"%shapes: {exc}") from None


def load(ipython: Any) -> None:
    register(ipython, ShapesMagics)


def unload(ipython: Any) -> None:
    unregister(ipython, ShapesMagics)
