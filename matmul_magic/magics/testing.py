"""The inline-test magics: ``%test_eq``, ``%test_ne``, ``%test_near``, ``%test_close``,
``%test_is``, ``%test_shuffled`` and the ``%%tests`` cell magic.

A line magic's line is the argument list of the function of the same name in
``matmul_magic.testing``, parsed by Python's own parser and evaluated as the same
expression written in the caller's code would be (``_line``): ``%test_near t1,
matmul(m1, m2), rtol=1e-2`` calls ``test_near(t1, matmul(m1, m2), rtol=1e-2)``.

Only IPython is imported at module level; ``matmul_magic.testing`` (standard library only,
never torch) is imported when a magic runs or its help is shown.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)

from . import awaiting
from ._cell import cell_syntax_error, running_cell_number
from ._closures import MagicLineNames
from ._line import evaluate_call, evaluate_call_async, parse_arguments, test_names_visible
from ._registry import register, unregister

# The argument list of each line magic, as shown in its usage line.
USAGES: dict[str, str] = {
    **{name: f"%{name} a, b" for name in ("test_eq", "test_ne", "test_is", "test_shuffled")},
    "test_near": "%test_near a, b[, rtol=1e-3][, atol=1e-5 | eps=1e-5][, equal_nan=False]",
    "test_close": "%test_close a, b[, eps=1e-5 | atol=1e-5][, rtol=0][, equal_nan=False]",
}

_SUMMARIES: dict[str, str] = {
    "test_eq": "Test that a == b (lists, dicts, sets, tensors, arrays; shapes must match).",
    "test_ne": "Test that a != b.",
    "test_near": "Test that a and b are near: torch.allclose(a, b, rtol=1e-3, atol=1e-5).",
    "test_close": "Test that a is within eps (default 1e-5) of b.",
    "test_is": "Test that a is b.",
    "test_shuffled": (
        "Test that a and b hold the same items in a different order "
        "(tensors and arrays: their rows, along the first dimension)."
    ),
}


def called_like_a_function(line: str) -> str:
    """The argument list of a line written as a call's parentheses, else ``line`` itself.

    With automagic on (IPython's default), a one-line cell ``test_eq(a, b)`` in which
    ``test_eq`` is not a Python name runs ``%test_eq (a, b)``: that line is the call's
    parentheses, so ``a, b`` are its arguments (a test magic never takes one tuple).
    """
    text = line.strip()
    if not text.startswith("("):
        return line
    try:
        call = ast.parse(f"f{text}\n", mode="eval").body
    except SyntaxError:
        return line
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"):
        return line
    return text[1 : call.end_col_offset - 2]


def _usage_error(name: str, reason: str) -> UsageError:
    return UsageError(f"{reason}\nUsage: {USAGES[name]}\nSee %{name}? for help.")


def _short_help(name: str) -> str:
    return (
        f"{_SUMMARIES[name]}\n\nUsage::\n\n    {USAGES[name]}\n\n"
        f"The line is the argument list of matmul_magic.{name}, evaluated as the same "
        f"expression in your code\nwould be (a function's locals too). A malformed line "
        f"raises UsageError; a failed test, AssertionError."
    )


def full_help(name: str) -> str:
    """The magic's help followed by the signature and docstring of the API function."""
    from matmul_magic import testing

    function = getattr(testing, name)
    # The signature without type hints, which read as noise in `%magic?`.
    signature = inspect.signature(function)
    parameters = [p.replace(annotation=p.empty) for p in signature.parameters.values()]
    plain = signature.replace(parameters=parameters, return_annotation=signature.empty)
    api = inspect.getdoc(function) or ""
    return f"{_short_help(name)}\n\nmatmul_magic.{name}{plain}:\n\n{api}"


def _call_test(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    __tracebackhide__ = True  # noqa: F841
    from matmul_magic import testing
    from matmul_magic.testing.statements import raised_by_us

    function = getattr(testing, name)
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError as e:
        raise _usage_error(name, f"%{name}: {e}") from None
    try:
        function(*args, **kwargs)
    except (TypeError, ValueError) as e:
        if not raised_by_us(e):
            raise  # the user's own code (an __eq__ of theirs): its traceback, as is
        # A bad tolerance or values that cannot be compared: the API's clear message,
        # as the magic's usage error, not a traceback through the package.
        raise UsageError(f"%{name}: {e}") from None


def run_test_line(name: str, line: str, user_ns: dict[str, Any], local_ns: Any = None) -> None:
    """``%name line``: evaluate the line as the caller's code would, call the test."""
    __tracebackhide__ = True  # noqa: F841
    # `a, b;` as Python reads `f(a, b);`: the `;` ends the statement
    line = called_like_a_function(line.rstrip().removesuffix(";"))
    try:
        args, kwargs = evaluate_call(name, parse_arguments(line), line, user_ns, local_ns)
    except SyntaxError as e:  # not an argument list, or `await` outside an async function
        raise _usage_error(name, f"%{name}: cannot parse {line.strip()!r}: {e.msg}") from None
    _call_test(name, args, kwargs)


async def run_test_line_async(
    name: str, line: str, user_ns: dict[str, Any], local_ns: Any = None
) -> None:
    """``run_test_line`` for a line that awaits, awaited where the line is (``awaiting``)."""
    __tracebackhide__ = True  # noqa: F841
    line = called_like_a_function(line.rstrip().removesuffix(";"))
    try:
        call = parse_arguments(line)
        args, kwargs = await evaluate_call_async(name, call, line, user_ns, local_ns)
    except SyntaxError as e:
        raise _usage_error(name, f"%{name}: cannot parse {line.strip()!r}: {e.msg}") from None
    _call_test(name, args, kwargs)


def _test_line_magic(name: str) -> tuple[Any, Any]:
    """The line magic ``%name`` (parse the line, call ``matmul_magic.testing.<name>``) and
    its twin for a line that awaits (see ``awaiting``)."""

    @no_var_expand
    @needs_local_scope
    def magic(self: Magics, line: str, local_ns: dict[str, Any] | None = None) -> None:
        __tracebackhide__ = True  # noqa: F841
        run_test_line(name, line, self.shell.user_ns, local_ns)

    magic.__name__ = magic.__qualname__ = name
    magic.__doc__ = _short_help(name)
    # IPython's `%name?` calls `getdoc()` when an object has one: the API docstring is read
    # then, so loading the extension does not import the engine.
    magic.getdoc = lambda: full_help(name)  # type: ignore[attr-defined]

    async def awaited(self: Magics, line: str, local_ns: Any) -> None:
        __tracebackhide__ = True  # noqa: F841
        await run_test_line_async(name, line, self.shell.user_ns, local_ns)

    return line_magic(magic), awaited


@magics_class
class TestingMagics(Magics):
    """Inline tests for notebooks (fastcore-compatible), as magics."""

    test_eq, test_eq_async = _test_line_magic("test_eq")
    test_ne, test_ne_async = _test_line_magic("test_ne")
    test_near, test_near_async = _test_line_magic("test_near")
    test_close, test_close_async = _test_line_magic("test_close")
    test_is, test_is_async = _test_line_magic("test_is")
    test_shuffled, test_shuffled_async = _test_line_magic("test_shuffled")

    @no_var_expand
    @cell_magic
    def tests(self, line: str, cell: str) -> None:
        """Run the cell, record every failing test_* call, then report them all.

        Usage::

            %%tests
            test_eq(matmul(m1, m2), m1 @ m2)
            %test_near t1, t2, rtol=1e-2
            ...

        Each test statement of the cell (a top-level ``assert``, a call of a function whose name
        starts with ``test``, a ``%test_*`` line) is a test: a failing one is recorded instead of
        stopping the cell. Afterwards each failure is printed with its line number in the cell (the
        ``%%tests`` line is line 1) and its message, then a closing line ``N passed, M failed``. The
        cell fails with ``AssertionError`` when any test failed. Line numbers are the editor's,
        leading blank lines included. The test functions (``test_eq``, ``near`` ...) need no import
        here; a name of your own wins over them. Any other exception stops the cell as usual. The
        cell runs in the user namespace; the value of its last line is not displayed. It may
        ``await`` where a plain cell may (IPython's autoawait): ``x = await make()``.

        Plain-Python equivalent: ``with matmul_magic.collect_tests(): ...``.
        """
        __tracebackhide__ = True  # noqa: F841
        code, filename = self._cell_code(line, cell)
        names, collecting = self._collecting(filename)
        with names, collecting:
            exec(code, self.shell.user_global_ns, self.shell.user_ns)

    async def tests_async(self, line: str, cell: str) -> None:
        """``%%tests`` for a cell that awaits at its top level (see ``awaiting``)."""
        __tracebackhide__ = True  # noqa: F841
        code, filename = self._cell_code(line, cell, allow_await=True)
        names, collecting = self._collecting(filename)
        with names, collecting:
            running = eval(code, self.shell.user_global_ns, self.shell.user_ns)
            if inspect.iscoroutine(running):
                await running

    def _cell_code(self, line: str, cell: str, allow_await: bool = False) -> tuple[Any, str]:
        """The cell compiled as ``%%tests`` runs it, and the name its lines are cached under."""
        from matmul_magic.testing.statements import wrap_test_statements

        if line.strip():
            raise UsageError(f"%%tests takes no arguments, got {line.strip()!r}\nUsage: %%tests")
        shell = self.shell
        # Line 1 is the %%tests line, as in the editor. transform_cell drops the cell's
        # leading blank lines, so they are put back as newlines to keep the count.
        lines = cell.splitlines(True)
        blank = next((i for i, text in enumerate(lines) if text.strip()), len(lines))
        head = "\n" * (1 + blank)
        # Static transforms only (`%test_eq` lines): IPython's transform_cell also applies
        # automagic to a one-line cell, turning `test_eq(a, b)` into `%test_eq (a, b)`.
        body = awaiting.rewritten(
            shell, shell.input_transformer_manager.transform_cell("".join(lines[blank:]))
        )
        source = head + body
        # Tracebacks show the lines as the learner wrote them (`%test_eq a, b`): the
        # transforms keep every line where it was, so the raw cell lines up with the code.
        raw = head + "".join(lines[blank:])
        shown = raw if raw.count("\n") == source.count("\n") else source
        filename = shell.compile.cache(shown, running_cell_number(shell), raw_code="\n" + cell)
        try:
            tree = shell.compile.ast_parse(source, filename)
            tree = wrap_test_statements(MagicLineNames().visit(tree))
            with shell.compile.extra_flags(ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if allow_await else 0):
                code = shell.compile(tree, filename, "exec")
        except SyntaxError as error:
            raise cell_syntax_error("%%tests", error, magic_line_counted=True) from None
        return code, filename

    def _collecting(self, filename: str) -> tuple[Any, Any]:
        """The blocks a ``%%tests`` cell runs in: the test names visible, its tests collected
        (two plain ``with`` items: a generator's frames would show in the tally's traceback)."""
        from matmul_magic.testing import collect_tests

        show = functools.partial(_show_report, self.shell)
        return (
            test_names_visible(self.shell.user_global_ns),
            collect_tests(filename=filename, on_report=show),
        )


def _show_report(shell: Any, report: Any, stopped_by: str | None) -> None:
    """The report under the cell: HTML in a notebook, text in a terminal (in colour when
    it is a terminal and the shell has colours on)."""
    from IPython.display import display

    from matmul_magic.testing.report import ReportView

    display(ReportView(report, stopped_by, color=wants_color(shell)))


def wants_color(shell: Any) -> bool:
    """Colour for a terminal: the shell's colours are on and its output is a terminal."""
    if str(getattr(shell, "colors", "nocolor")).lower() == "nocolor":
        return False
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def load(ipython: Any) -> None:
    """Register the testing magics on ``ipython``, with what makes their lines read as
    Python: ``await`` where a cell may await, an enclosing function's variables."""
    register(ipython, TestingMagics)
    awaiting.load(ipython)
    if not any(type(t).__name__ == MagicLineNames.__name__ for t in ipython.ast_transformers):
        ipython.ast_transformers.append(MagicLineNames())


def unload(ipython: Any) -> None:
    """Remove every magic (and transformer) that ``load`` added."""
    unregister(ipython, TestingMagics)
    awaiting.unload(ipython)
    ipython.ast_transformers[:] = [
        t for t in ipython.ast_transformers if type(t).__name__ != MagicLineNames.__name__
    ]
