"""A magic line inside a nested function sees the enclosing functions' variables, as the
same expression written in Python does.

``def outer(): y = 2; def inner(): %test_eq y, 2`` must see ``y``. Python makes ``y`` a
free variable of ``inner`` only when ``inner``'s code names it, and a magic's line is a
string, so ``inner``'s locals (all a magic is given) lack it: a ``NameError``. This
transformer names, for the compiler, what each of our magic lines reads: the call becomes
``(lambda: (y,), <the call>)[1]``, a lambda that is never called but makes ``y`` a free
variable of ``inner``, so its value is among ``inner``'s locals when the line runs.
Only calls inside a function change; nothing is evaluated that was not before.
"""

from __future__ import annotations

import ast

from ._line import line_arguments, magic_in_code

# The line magics that read the caller's locals (IPython's needs_local_scope).
LOCAL_SCOPE_MAGICS = frozenset(
    {"test_eq", "test_ne", "test_near", "test_close", "test_is", "test_shuffled", "shapes"}
)


def _names_the_line_reads(call: ast.Call) -> list[str]:
    """The names the magic line of ``call`` reads, when ``call`` is one of our magic lines
    (``….run_line_magic('test_eq', 'y, 2')``); else none."""
    found = magic_in_code(call)
    if found is None or found[0] != "line" or found[1] not in LOCAL_SCOPE_MAGICS:
        return []
    arguments = line_arguments(found[2][0])
    if arguments is None:
        return []
    parts = [*arguments.args, *(k.value for k in arguments.keywords)]
    return sorted({n.id for p in parts for n in ast.walk(p) if isinstance(n, ast.Name)})


class MagicLineNames(ast.NodeTransformer):
    """Registered in ``shell.ast_transformers`` while the extension is loaded; ``%%tests``
    applies it to its own cell."""

    def __init__(self) -> None:
        self._depth = 0

    def _scope(self, node: ast.AST) -> ast.AST:
        self._depth += 1
        try:
            return self.generic_visit(node)
        finally:
            self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope  # noqa: N815

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        names = _names_the_line_reads(node) if self._depth else []
        if not names:
            return node
        never_called = ast.parse(f"lambda: ({', '.join(names)},)", mode="eval").body
        for new in ast.walk(never_called):
            ast.copy_location(new, node)  # the lambda's lines are the call's
        pair = ast.Tuple([never_called, node], ast.Load())
        wrapped = ast.Subscript(pair, ast.Constant(1), ast.Load())
        return ast.fix_missing_locations(ast.copy_location(wrapped, node))
