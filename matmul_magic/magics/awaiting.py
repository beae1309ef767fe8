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
from collections.abc import Iterator
from typing import Any

from IPython import get_ipython

from ._line import line_arguments, magic_in_code

# What a rewritten call awaits: this module, reached from the cell's own code.
_HERE = f"__import__({__name__!r}).magics.awaiting"
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


def _twin(shell: Any, kind: str, name: str) -> Any:
    """The coroutine method that runs the magic awaited: ``<name>_async`` of the ``Magics``
    that defines ``%name`` (``%%name`` for a cell); ``None`` when it has none."""
    owner = getattr(shell.find_magic(name, kind), "__self__", None)
    return getattr(owner, f"{name}_async", None)


def _magic_awaits(shell: Any, call: ast.Call) -> bool:
    """Whether ``call`` runs, on a line or cell that awaits at its top level, a magic that
    has an awaitable twin."""
    found = magic_in_code(call)
    if found is None or _twin(shell, found[0], found[1]) is None:
        return False
    kind, _, (line, *cell) = found
    if kind == "line":
        arguments = line_arguments(line)
        return arguments is not None and _awaits(arguments)
    try:
        # Only IPython's static transforms, as the magic compiles the body (no text rewrite)
        body = ast.parse(shell.input_transformer_manager.transform_cell(cell[0]))
    except SyntaxError:
        return False  # the magic says what is wrong when it runs
    return _awaits(body) or any(_calls_to_await(shell, body))


def _calls_to_await(shell: Any, node: ast.AST, may_await: bool = True) -> Iterator[ast.Call]:
    if isinstance(node, _SCOPES):
        may_await = False
    elif isinstance(node, ast.AsyncFunctionDef):
        may_await = True
    if may_await and isinstance(node, ast.Call) and _magic_awaits(shell, node):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _calls_to_await(shell, child, may_await)


def rewritten(shell: Any, source: str) -> str:
    """``source`` (a transformed cell) with each magic call that awaits awaited."""
    awaits = "await" in source or "async" in source
    if not (getattr(shell, "autoawait", False) and awaits and "_magic(" in source):
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(True)
    # Right to left, so that earlier offsets stay right; IPython writes each call on a line.
    found = sorted(_calls_to_await(shell, tree), key=lambda c: (c.lineno, c.col_offset))
    for call in reversed(found):
        if call.end_lineno != call.lineno:
            continue
        text = lines[call.lineno - 1].encode()  # offsets count UTF-8 bytes
        func, start, end = call.func, call.col_offset, call.end_col_offset
        new = f"(await {_HERE}.{func.attr}".encode() + text[func.end_col_offset : end] + b")"  # type: ignore[attr-defined]
        lines[call.lineno - 1] = (text[:start] + new + text[end:]).decode()
    return "".join(lines)


def rewrite_awaiting(lines: list[str]) -> list[str]:
    """IPython input transformer (``input_transformers_post``): ``rewritten``."""
    source = "".join(lines)
    new = rewritten(get_ipython(), source)
    return lines if new == source else new.splitlines(True)


async def run_line_magic(name: str, line: str) -> None:
    """``%name line`` for a line that awaits; the caller awaits it."""
    __tracebackhide__ = True  # noqa: F841
    local_ns = sys._getframe(1).f_locals  # the code that awaits this: the line's scope
    await _twin(get_ipython(), "line", name)(line, local_ns)


async def run_cell_magic(name: str, line: str, cell: str) -> Any:
    """``%%name`` for a cell that awaits; the caller awaits it."""
    __tracebackhide__ = True  # noqa: F841
    return await _twin(get_ipython(), "cell", name)(line, cell)


def load(ipython: Any) -> None:
    if rewrite_awaiting not in ipython.input_transformers_post:
        ipython.input_transformers_post.append(rewrite_awaiting)


def unload(ipython: Any) -> None:
    while rewrite_awaiting in ipython.input_transformers_post:
        ipython.input_transformers_post.remove(rewrite_awaiting)
