"""``await`` in a test magic's line and in ``%%tests`` and ``%%explain`` cells, as in a
plain cell of an async-capable shell (IPython's autoawait): ``%%tests`` /
``x = await make()`` / ``test_eq(x, 1)`` runs as the same lines would without the magic.

A magic is a plain function call: IPython turns ``%%tests`` into
``get_ipython().run_cell_magic(...)``, and it runs a cell on its event loop only when the
cell's *transformed* text awaits. So while the extension is loaded, ``rewrite_awaiting``
(an input transformer that runs after IPython's own) turns such a call, when its line or
cell awaits at its top level and the call stands where ``await`` is allowed (the top level
of a cell, or an ``async def``), into ``await`` of this module's ``run_line_magic`` or
``run_cell_magic``. IPython then awaits it as it awaits ``x = await make()``: on the
kernel's loop in Jupyter, on its own loop in a terminal, ``InteractiveShell`` or the
notebook runner. Anywhere else ``await`` is refused as Python refuses it, and with
``%autoawait off`` nothing changes.
"""

from __future__ import annotations

import ast
import sys
from typing import Any

TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
# What a rewritten call awaits: this module, reached from the cell's own code.
_HERE = f"__import__({__name__!r}).magics.awaiting"
_CELL_MAGICS = frozenset({"tests", "explain"})
_LINE_MAGICS = frozenset(
    {"test_eq", "test_ne", "test_near", "test_close", "test_is", "test_shuffled"}
)
_SCOPES = (ast.FunctionDef, ast.Lambda, ast.ClassDef)


def _awaits(tree: ast.AST) -> bool:
    """Whether ``tree`` awaits outside any function or class it defines."""
    if isinstance(tree, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
        return True
    if isinstance(tree, ast.comprehension) and tree.is_async:
        return True
    if isinstance(tree, (*_SCOPES, ast.AsyncFunctionDef)):
        return False
    return any(_awaits(child) for child in ast.iter_child_nodes(tree))


def _string_arguments(call: ast.Call, count: int) -> list[str] | None:
    if len(call.args) != count or call.keywords:
        return None
    values = [a.value for a in call.args if isinstance(a, ast.Constant)]
    return values if all(isinstance(v, str) for v in values) and len(values) == count else None


def _magic_awaits(shell: Any, call: ast.Call) -> str | None:
    """``run_line_magic`` or ``run_cell_magic`` when ``call`` runs one of our magics on a
    line or cell that awaits at its top level; else ``None``."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    try:
        if func.attr == "run_line_magic":
            name, line = _string_arguments(call, 2) or ("", "")
            arguments = f"f(\n{line.rstrip().removesuffix(';')}\n)"
            return func.attr if name in _LINE_MAGICS and _awaits(ast.parse(arguments)) else None
        if func.attr == "run_cell_magic":
            name, _, cell = _string_arguments(call, 3) or ("", "", "")
            if name not in _CELL_MAGICS:
                return None
            body = rewritten(shell, shell.input_transformer_manager.transform_cell(cell))
            return func.attr if _awaits(ast.parse(body)) else None
    except SyntaxError:
        return None  # the magic says what is wrong when it runs
    return None


def _calls_to_await(shell: Any, node: ast.AST, may_await: bool, found: list[ast.Call]) -> None:
    if isinstance(node, _SCOPES):
        may_await = False
    elif isinstance(node, ast.AsyncFunctionDef):
        may_await = True
    if may_await and isinstance(node, ast.Call) and _magic_awaits(shell, node):
        found.append(node)
        return
    for child in ast.iter_child_nodes(node):
        _calls_to_await(shell, child, may_await, found)


def rewritten(shell: Any, source: str) -> str:
    """``source`` (a transformed cell) with each magic call that awaits awaited."""
    if not getattr(shell, "autoawait", False) or "await" not in source and "async" not in source:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    found: list[ast.Call] = []
    _calls_to_await(shell, tree, True, found)
    lines = source.splitlines(True)
    # Right to left, so that earlier offsets stay right; IPython writes each call on a line.
    for call in sorted(found, key=lambda c: (c.lineno, c.col_offset), reverse=True):
        func = call.func
        if call.end_lineno != call.lineno:
            continue
        text = lines[call.lineno - 1].encode()  # offsets count UTF-8 bytes
        start, name_end, end = call.col_offset, func.end_col_offset, call.end_col_offset
        method = func.attr  # type: ignore[attr-defined]
        new = f"(await {_HERE}.{method}".encode() + text[name_end:end] + b")"
        lines[call.lineno - 1] = (text[:start] + new + text[end:]).decode()
    return "".join(lines)


def rewrite_awaiting(lines: list[str]) -> list[str]:
    """IPython input transformer (``input_transformers_post``): ``rewritten``."""
    from IPython import get_ipython

    source = "".join(lines)
    new = rewritten(get_ipython(), source)
    return lines if new == source else new.splitlines(True)


async def run_line_magic(name: str, line: str) -> None:
    """``%name line`` for a line that awaits; the caller awaits it."""
    __tracebackhide__ = True  # noqa: F841
    from IPython import get_ipython

    from .testing import run_test_line_async

    shell = get_ipython()
    local_ns = sys._getframe(1).f_locals  # the code that awaits this: the line's scope
    await run_test_line_async(name, line, shell.user_ns, local_ns)


async def run_cell_magic(name: str, line: str, cell: str) -> Any:
    """``%%name`` for a cell that awaits; the caller awaits it."""
    __tracebackhide__ = True  # noqa: F841
    from IPython import get_ipython

    shell = get_ipython()
    magics = shell.find_cell_magic(name).__self__
    return await getattr(magics, f"{name}_async")(line, cell)


def load(ipython: Any) -> None:
    if rewrite_awaiting not in ipython.input_transformers_post:
        ipython.input_transformers_post.append(rewrite_awaiting)


def unload(ipython: Any) -> None:
    while rewrite_awaiting in ipython.input_transformers_post:
        ipython.input_transformers_post.remove(rewrite_awaiting)
