"""``%shapes expr, expr, ...``: open a ShapeExplorer on the values of those expressions."""

from __future__ import annotations

import ast
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from matmul_magic.magics._registry import register, unregister


def split_expressions(line: str) -> list[tuple[str, ast.expr]]:
    """The comma-separated expressions of ``line`` as (source text, node); ``UsageError`` if bad.

    ``a, b[:, None]`` is two expressions; ``(5, 1)`` is one (a shape), ``(5, 1), (1, 4)`` two.
    """
    text = line.strip()
    if not text:
        raise UsageError("%shapes needs expressions, e.g. %shapes a, b[:, None]")
    try:
        body = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise UsageError(f"%shapes: cannot parse {text!r}: {exc.msg}") from None
    bare_tuple = (
        isinstance(body, ast.Tuple)
        and body.elts
        and (body.elts[0].lineno, body.elts[0].col_offset) == (body.lineno, body.col_offset)
    )
    nodes = body.elts if bare_tuple else [body]
    return [(ast.get_source_segment(text, node) or ast.unparse(node), node) for node in nodes]


def evaluate(line: str, namespace: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Evaluate each expression of ``line`` in ``namespace``: (source texts, values)."""
    names, values = [], []
    for source, node in split_expressions(line):
        code = compile(ast.Expression(node), "<%shapes>", "eval")
        try:
            values.append(eval(code, namespace))  # noqa: S307 - the user's own expression
        except Exception as exc:
            raise UsageError(f"%shapes: {source}: {type(exc).__name__}: {exc}") from None
        names.append(source)
    return names, values


@magics_class
class ShapesMagics(Magics):
    @line_magic
    def shapes(self, line: str) -> Any:
        """Open a ShapeExplorer on tensors, arrays or shapes: ``%shapes a, b[:, None], (5, 1)``.

        Each comma-separated expression is evaluated in the notebook's namespace; the widget
        shows how their shapes broadcast, dimension by dimension. The widget is returned, so
        ``w = %shapes a, b`` keeps it (``w.result``, ``w.error``, ``w.shapes``).
        """
        names, values = evaluate(line, self.shell.user_ns)
        from matmul_magic.widgets import ShapeExplorer

        try:
            return ShapeExplorer(*values, names=names)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"%shapes: {exc}") from None


def load(ipython: Any) -> None:
    register(ipython, ShapesMagics)


def unload(ipython: Any) -> None:
    unregister(ipython, ShapesMagics)
