"""Evaluating a magic's line as a call's argument list, with the scope of the line's caller.

``%test_eq (lambda: z)(), 2`` or ``%shapes loc`` inside a function must see the function's
locals the way the same expression written in plain Python does: lambdas and comprehensions
close over them, and ``(y := 5)`` binds ``y``. So the line becomes the body of a small
function whose parameters are the caller's locals that the line names; what its walrus
targets hold afterwards is bound back in the caller (the user namespace at the top level,
the function's frame inside a function).

Names of ``matmul_magic.testing`` (``test_eq``, ``near`` ...) resolve without an import, but
behind every name of the user's: while the code runs, the user namespace's
``__builtins__`` is a copy of the builtins plus those names (see ``test_names_visible``).
Nothing is written into the user namespace.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from IPython.core.error import UsageError

_PACK = "__matmul_magic_arguments__"
_LOCALS = "__matmul_magic_locals__"
_SCOPE = "__matmul_magic_line__"
FILENAME = "<magic arguments>"


def _pack(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


def parse_arguments(line: str) -> ast.Call:
    """Parse ``line`` as the argument list of a call; raise ``SyntaxError`` if it is not one."""
    if "\n" in line or "\r" in line:
        raise SyntaxError("the arguments must fit on one line")
    # The newlines let a trailing `# comment` end before the closing parenthesis.
    call = ast.parse(f"f(\n{line}\n)", mode="eval").body
    # `1), g(2` parses as a tuple of two calls, not as one call with arguments: reject it.
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"):
        raise SyntaxError("not an argument list")
    return call


def magic_in_code(node: ast.AST) -> tuple[str, str, list[str]] | None:
    """``("line", name, [line])`` or ``("cell", name, [line, cell])`` when ``node`` runs a
    magic as IPython writes one in a cell's code (``get_ipython().run_line_magic('test_eq',
    'y, 2')``); else ``None``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    kind = {"run_line_magic": "line", "run_cell_magic": "cell"}.get(node.func.attr)
    if kind is None:  # most calls: this runs on every call of every cell
        return None
    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    count = 2 if kind == "line" else 3
    if node.keywords or len(node.args) != count or len(texts) != count:
        return None
    return kind, texts[0], texts[1:]


def line_arguments(line: str) -> ast.Call | None:
    """A magic line's argument list as its magic reads it (a trailing ``;`` ends the
    statement); ``None`` if it is not one: the magic says what is wrong when it runs."""
    try:
        return parse_arguments(line.rstrip().removesuffix(";"))
    except SyntaxError:
        return None


@contextmanager
def test_names_visible(namespace: dict[str, Any]) -> Iterator[None]:
    """While the block runs, code run with ``namespace`` as its globals (and functions it
    creates) also finds ``matmul_magic.testing``'s names, after the user's own and the
    builtins; ``namespace`` gets its own ``__builtins__`` back afterwards."""
    from matmul_magic import testing

    original = namespace.get("__builtins__", builtins)
    base = original if isinstance(original, dict) else vars(original)
    # The user's globals are looked up before any builtin; a real builtin wins over ours.
    overlay = {**{name: getattr(testing, name) for name in testing.__all__}, **base}
    namespace["__builtins__"] = overlay
    try:
        yield
    finally:
        if namespace.get("__builtins__") is overlay:
            namespace["__builtins__"] = original


def _frame_of(local_ns: Mapping[str, Any]) -> Any:
    frame = sys._getframe(2)
    while frame is not None and frame.f_locals is not local_ns:
        frame = frame.f_back
    return frame


def _bind_in_function(local_ns: Any, values: dict[str, Any]) -> None:
    """Bind ``values`` as local variables of the function whose ``f_locals`` is ``local_ns``."""
    # Found first: reading a frame's f_locals before 3.13 refreshes it from the fast locals.
    frame = _frame_of(local_ns) if sys.version_info < (3, 13) else None
    local_ns.update(values)  # from 3.13 (PEP 667) f_locals writes through
    if frame is not None:
        import ctypes  # only here: loading the extension stays cheap

        ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))


def _renamed(code: types.CodeType, old: str, new: str) -> types.CodeType:
    """``code`` with every nested code object called ``old`` renamed ``new``."""
    consts = tuple(
        _renamed(c, old, new) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    if code.co_name != old:
        return code.replace(co_consts=consts)
    qualname = {"co_qualname": new} if sys.version_info >= (3, 11) else {}
    return code.replace(co_consts=consts, co_name=new, **qualname)


def _line_function(
    magic: str,
    call: ast.Call,
    line: str,
    user_ns: dict[str, Any],
    local_ns: Any,
    is_async: bool,
) -> tuple[Any, list[Any], Any]:
    """The line as a function of the caller's locals it reads, their values, and what binds
    its walrus targets back once it has run (see ``evaluate_call``)."""
    in_function = local_ns is not None and local_ns is not user_ns
    targets = sorted({n.target.id for n in ast.walk(call) if isinstance(n, ast.NamedExpr)})
    frame = _frame_of(local_ns) if in_function and targets else None
    if frame is not None:
        code = frame.f_code
        known = {*code.co_varnames, *code.co_cellvars, *code.co_freevars}
        strangers = [t for t in targets if t not in known]
        if strangers:
            names = ", ".join(strangers)
            raise UsageError(
                f"%{magic}: cannot bind {names} here: inside a function a magic's line can "
                f"only bind the function's own local variables (assign {strangers[0]} = ... "
                f"before this line)"
            )
    # Parameters: the caller's locals the line names (so lambdas and comprehensions close
    # over them); at the top level, walrus targets the user has (read before rebinding).
    source_ns = local_ns if in_function else user_ns
    read = {n.id for n in ast.walk(call) if isinstance(n, ast.Name)}
    wanted = read if in_function else set(targets)
    passed = sorted(wanted & set(source_ns))
    parameters = ", ".join(passed)
    call.func = ast.Name(id=_PACK, ctx=ast.Load())
    # The line runs in a function of its own, nested so that the helpers it needs are
    # closures, not parameters: a traceback's frame reads `%test_eq(z)`. Its placeholder
    # call is on line 2, where `call`'s own nodes are too. `await` in the line makes it a
    # coroutine function, which the caller awaits (``evaluate_call_async``).
    kind = "async def" if is_async else "def"
    template = (
        f"def {_SCOPE}_outer({_PACK}, {_LOCALS}):\n"
        f" {kind} {_SCOPE}({parameters}): return ({_PACK}(), {_LOCALS}())\n"
        f" return {_SCOPE}\n"
    )
    tree = ast.parse(template)
    returned = tree.body[0].body[0].body[0]  # type: ignore[attr-defined]
    returned.value.elts[0] = call
    ast.fix_missing_locations(tree)
    # Tracebacks (a NameError, say) then show the user's line instead of "no source".
    lines = ["f(\n", f"{line}\n", ")\n"]
    linecache.cache[FILENAME] = (len(line), None, lines, FILENAME)
    code = _renamed(compile(tree, FILENAME, "exec"), _SCOPE, f"%{magic}")
    scope: dict[str, Any] = {}
    exec(code, user_ns, scope)
    function = scope[f"{_SCOPE}_outer"](_pack, locals)

    def bind(after: dict[str, Any]) -> None:
        bound = {t: after[t] for t in targets if t in after}
        if bound and in_function:
            _bind_in_function(local_ns, bound)
        elif bound:
            user_ns.update(bound)

    return function, [source_ns[name] for name in passed], bind


def evaluate_call(
    magic: str, call: ast.Call, line: str, user_ns: dict[str, Any], local_ns: Any = None
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Evaluate the arguments of ``call`` (parsed from ``line``) as the caller's code would.

    ``local_ns`` is the caller's ``f_locals`` when the line runs inside a function (IPython's
    ``needs_local_scope``), or the user namespace (or None) at the top level.
    """
    __tracebackhide__ = True  # noqa: F841  (an error shows the user's line, not this frame)
    with test_names_visible(user_ns):  # a function's builtins are fixed when it is made
        function, values, bind = _line_function(magic, call, line, user_ns, local_ns, False)
        (args, kwargs), after = function(*values)
    bind(after)
    return args, kwargs


async def evaluate_call_async(
    magic: str, call: ast.Call, line: str, user_ns: dict[str, Any], local_ns: Any = None
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``evaluate_call`` for a line that awaits (``%test_eq await make(), 1``)."""
    __tracebackhide__ = True  # noqa: F841
    with test_names_visible(user_ns):  # a function's builtins are fixed when it is made
        function, values, bind = _line_function(magic, call, line, user_ns, local_ns, True)
        (args, kwargs), after = await function(*values)
    bind(after)
    return args, kwargs
