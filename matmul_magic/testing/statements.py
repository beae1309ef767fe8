"""Which statements of a cell are tests, and running each one as a test.

A *test statement* is a top-level statement of a cell that is an ``assert``, a call of a
function whose name starts with ``test`` (``test_eq(...)``, fastcore's or the notebook's
own ``test_foo()``), a ``%test_*`` line, or a ``with expect_fail(...)``,
``with ExceptionExpected(...)`` or ``with exception`` block. ``%%tests`` and the notebook
runner run each test statement on its own: a failing one (an ``AssertionError``) is
recorded and the cell goes on. Nothing else changes: code inside a function, class,
``try``, ``with`` or loop body runs exactly as Python runs it, test calls and ``assert``
included.

``wrap_test_statements`` rewrites a cell's tree so that each test statement reports to the
innermost *sink* (``collect_tests``, or the runner's recorder) through ``start``, ``end``
and ``raised``. Standard library only.
"""

from __future__ import annotations

import ast
import os
import traceback
from typing import Protocol

Site = tuple[int, int, str, str]  # (line, col, kind, function): kind is "assert" or "test"

_MODULE = __name__
# `with` blocks that test that their body fails: each top-level one is a test statement
EXPECTING = frozenset({"expect_fail", "ExceptionExpected", "exception"})
_FAILURE = "__matmul_magic_failure__"
_ERROR = "__matmul_magic_error__"


class Sink(Protocol):
    def start(self, site: Site) -> None: ...
    def end(self, site: Site, error: AssertionError | None) -> None: ...
    def raised(self, site: Site, error: BaseException) -> None: ...


_SINKS: list[Sink] = []


def push_sink(sink: Sink) -> None:
    _SINKS.append(sink)


def pop_sink(sink: Sink) -> None:
    if sink in _SINKS:
        # the innermost copy: a sink pushed twice (nested blocks) leaves once per exit
        del _SINKS[len(_SINKS) - 1 - _SINKS[::-1].index(sink)]


def start(site: Site) -> None:
    if _SINKS:
        _SINKS[-1].start(site)


def end(site: Site, error: AssertionError | None) -> None:
    __tracebackhide__ = True  # noqa: F841
    if _SINKS:
        _SINKS[-1].end(site, error)
    elif error is not None:  # no one records it: the statement fails as Python would
        raise error


def raised(site: Site, error: BaseException) -> None:
    if _SINKS:
        _SINKS[-1].raised(site, error)


# matmul_magic/, not this subpackage: the magics' frames are ours too.
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def raised_by_us(error: BaseException) -> bool:
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    return bool(frames) and frames[-1].f_code.co_filename.startswith(PACKAGE_DIR)


def failure_message(site: Site, error: BaseException) -> str:
    """What a failed test statement says: the message of one of matmul-magic's test
    functions as it wrote it (``==:``, both values, the diagnosis); any other failure as
    Python shows it, ``AssertionError: ...``."""
    text = str(error)
    if site[2] == "test" and text and raised_by_us(error):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# -- which statements are tests -----------------------------------------------------------------


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def test_statement(node: ast.stmt) -> tuple[str, str] | None:
    """``(kind, function)`` when ``node`` is a test statement: ``("assert", "assert")``, or
    ``("test", name)`` for a call of ``name`` (a ``%name`` line included); else ``None``."""
    if isinstance(node, ast.Assert):
        return "assert", "assert"
    if isinstance(node, ast.With) and node.items:
        expr = node.items[0].context_expr
        name = _call_name(expr) if isinstance(expr, ast.Call) else getattr(expr, "id", None)
        return ("test", name) if name in EXPECTING else None
    if not isinstance(node, ast.Expr):
        return None
    value = node.value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return None
    name = _call_name(value)
    first = getattr(value.args[0], "value", None) if value.args else None  # a str: a Constant's
    if name == "run_line_magic" and isinstance(first, str):
        name = first  # `%test_eq ...` is get_ipython().run_line_magic('test_eq', ...)
    return ("test", name) if name is not None and name.startswith("test") else None


test_statement.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# What a test statement becomes (the statement goes where `pass` is); {m} is this module.
_WRAPPER = f"""\
{{m}}.start({{site}})
try:
    pass
except AssertionError as {_FAILURE}:
    {{m}}.end({{site}}, {_FAILURE})
except BaseException as {_ERROR}:
    {{m}}.raised({{site}}, {_ERROR})
    raise
else:
    {{m}}.end({{site}}, None)
"""


def _wrapped(node: ast.stmt, kind: str, function: str, line_offset: int) -> list[ast.stmt]:
    site = (node.lineno + line_offset, node.col_offset, kind, function)
    module = f"__import__({_MODULE!r}, fromlist=['start'])"
    wrapped = ast.parse(_WRAPPER.format(m=module, site=repr(site))).body
    for new in ast.walk(ast.Module(wrapped, [])):
        ast.copy_location(new, node)  # every line of the wrapper is the statement's
    wrapped[1].body = [node]  # type: ignore[attr-defined]
    return wrapped


def wrap_test_statements(tree: ast.Module, line_offset: int = 0) -> ast.Module:
    """``tree`` with each top-level test statement run as a test (see the module's doc).

    Sites carry ``node.lineno + line_offset``; the tree is changed in place and returned.
    """
    body: list[ast.stmt] = []
    for node in tree.body:
        found = test_statement(node)
        body += [node] if found is None else _wrapped(node, *found, line_offset)
    tree.body = body
    return tree
