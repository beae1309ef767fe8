"""The recording hooks the worker installs in its own interpreter before a notebook runs.

- Every outermost call of a ``test_*`` function of ``matmul_magic.testing`` (also through
  the ``%test_*`` magics and inside ``%%tests``) is recorded with the cell and line that
  called it, whether it passed, and its message. A failure is recorded and the run goes on,
  as inside ``%%tests``: one run reports every failing test.
- Every ``assert`` in a cell is rewritten (an IPython AST transformer) into a check that is
  recorded the same way; its message is evaluated only when it fails.
- ``bench()`` (and so ``%%matmul_bench``) runs within ``--bench-budget`` seconds at most;
  in a ``%%matmul_bench`` cell the verdict on each of the cell's functions is recorded.

Results are counted per call site (a loop makes one site with many calls) and sent when
the cell ends. The hooks replace module attributes in this process only: the worker is a
fresh interpreter that runs one notebook and exits.
"""

from __future__ import annotations

import ast
import builtins
import contextvars
import functools
import importlib.abc
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_CELL_LABEL = re.compile(r"In\[(\d+)\]")
CHECK = "__matmul_magic_check__"
FAIL = "__matmul_magic_fail__"


@dataclass
class SiteCount:
    calls: int = 0
    failed: int = 0
    message: str = ""


@dataclass
class Recorder:
    """Counts results per site, for the cell now running; maps cell files to cell numbers."""

    shell: Any
    cell_of_count: dict[int, int] = field(default_factory=dict)  # execution count -> cell
    current_cell: int | None = None
    current_magic: str | None = None
    sites: dict[tuple, SiteCount] = field(default_factory=dict)
    benches: list[dict[str, Any]] = field(default_factory=list)
    bench_budget: float = 0.2

    def cell_of(self, filename: str) -> int | None:
        label = self.shell.compile.format_code_name(filename)
        found = _CELL_LABEL.fullmatch(label[1]) if label else None
        return self.cell_of_count.get(int(found[1])) if found else None

    def locate(self, frame: Any) -> tuple[int | None, int | None, int | None]:
        """(cell, line, col) of the innermost frame running a notebook cell's code."""
        while frame is not None:
            cell = self.cell_of(frame.f_code.co_filename)
            if cell is not None:
                col = None
                try:
                    positions = list(frame.f_code.co_positions())
                    col = positions[frame.f_lasti // 2][2]
                except (AttributeError, IndexError):  # Python 3.10 has no positions
                    pass
                return cell, frame.f_lineno, col
            frame = frame.f_back
        return self.current_cell, None, None

    def add(self, key: tuple, passed: bool, message: Callable[[], str] | str = "") -> None:
        count = self.sites.setdefault(key, SiteCount())
        count.calls += 1
        if not passed:
            count.failed += 1
            if count.failed == 1:
                count.message = message() if callable(message) else message

    def take(self) -> list[dict[str, Any]]:
        """The records of the cell that just ran, and a clean slate for the next."""
        records = []
        for key, count in self.sites.items():
            kind, cell, line, col, function = key
            records.append({
                "type": "test", "kind": kind, "cell": cell, "line": line, "col": col,
                "function": function, "calls": count.calls, "failed": count.failed,
                "message": count.message,
            })  # fmt: skip
        records += self.benches
        self.sites, self.benches = {}, []
        return records


# How many recorded test calls are running: only the outermost one records.
_ACTIVE: contextvars.ContextVar[int] = contextvars.ContextVar("matmul_magic_active", default=0)
_REPORTS: list[Any] = []  # the reports of the collect_tests blocks now open (%%tests)


def _recording(recorder: Recorder, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        if _ACTIVE.get():
            return fn(*args, **kwargs)
        cell, line, col = recorder.locate(sys._getframe(1))
        key = ("test", cell, line, col, fn.__name__)
        token = _ACTIVE.set(1)
        report = _REPORTS[-1] if _REPORTS else None
        before = len(report.failures) if report is not None else 0
        try:
            fn(*args, **kwargs)
        except AssertionError as error:
            recorder.add(key, False, str(error))
            return None  # recorded: the run goes on, as in %%tests
        finally:
            _ACTIVE.reset(token)
        if report is not None and len(report.failures) > before:  # %%tests caught it
            recorder.add(key, False, report.failures[-1].message)
        else:
            recorder.add(key, True)
        return None

    wrapper.__test__ = False  # type: ignore[attr-defined]
    return wrapper


def install_test_hooks(recorder: Recorder) -> None:
    """Replace matmul-magic's test functions by recording twins, in this process."""
    import matmul_magic
    from matmul_magic import testing

    from .discovery import inline_test_names

    for name in inline_test_names():
        twin = _recording(recorder, getattr(testing, name))
        setattr(testing, name, twin)
        if name in vars(matmul_magic):  # already looked up through the lazy exports
            setattr(matmul_magic, name, twin)

    class collect_tests(testing.collect_tests):  # noqa: N801  (the same name the API has)
        __doc__ = testing.collect_tests.__doc__

        def __enter__(self) -> Any:
            if self.filename is None:  # the caller's file, not this one
                self.filename = sys._getframe(1).f_code.co_filename
            report = super().__enter__()
            _REPORTS.append(report)
            return report

        def __exit__(self, *exc: Any) -> bool:
            __tracebackhide__ = True  # noqa: F841
            if _REPORTS and _REPORTS[-1] is self.report:
                _REPORTS.pop()
            try:
                return super().__exit__(*exc)
            except AssertionError as error:
                # "N of M tests failed": each failure is already a recorded test.
                error._matmul_magic_recorded = True  # type: ignore[attr-defined]
                raise

    class ExceptionExpected(testing.ExceptionExpected):
        """Failures inside are what the block expects: they are not recorded."""

        __doc__ = testing.ExceptionExpected.__doc__

        def __enter__(self) -> None:
            self._active = _ACTIVE.set(_ACTIVE.get() + 1)
            return super().__enter__()

        def __exit__(self, *exc: Any) -> bool:
            __tracebackhide__ = True  # noqa: F841
            _ACTIVE.reset(self._active)
            return super().__exit__(*exc)

    for name, value in (
        ("collect_tests", collect_tests),
        ("ExceptionExpected", ExceptionExpected),
        ("exception", ExceptionExpected()),
    ):
        setattr(testing, name, value)
        if name in vars(matmul_magic):
            setattr(matmul_magic, name, value)


# -- assert ------------------------------------------------------------------------------------


class AssertRecorder(ast.NodeTransformer):
    """``assert t, m`` -> ``if not __check__(t, site): __fail__(site, m)``: recorded, not raised.

    The site (cell, line, col) is fixed when the cell is compiled, so an assert in a
    function defined by one cell and called from another is still the first cell's test.
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        site = ast.Tuple(
            elts=[
                ast.Constant(self.recorder.current_cell),
                ast.Constant(node.lineno),
                ast.Constant(node.col_offset),
            ],
            ctx=ast.Load(),
        )
        message = node.msg if node.msg is not None else ast.Constant(None)
        check = ast.Call(func=ast.Name(CHECK, ast.Load()), args=[node.test, site], keywords=[])
        fail = ast.Expr(
            ast.Call(func=ast.Name(FAIL, ast.Load()), args=[site, message], keywords=[])
        )
        new = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=check), body=[fail], orelse=[])
        return ast.fix_missing_locations(ast.copy_location(new, node))


def install_assert_hooks(recorder: Recorder) -> None:
    def check(value: Any, site: tuple) -> bool:
        passed = bool(value)
        if passed:
            recorder.add(("assert", *site, "assert"), True)
        return passed

    def fail(site: tuple, message: Any) -> None:
        text = "AssertionError" if message is None else f"AssertionError: {message}"
        recorder.add(("assert", *site, "assert"), False, text)

    setattr(builtins, CHECK, check)
    setattr(builtins, FAIL, fail)
    recorder.shell.ast_transformers.append(AssertRecorder(recorder))


# -- bench -------------------------------------------------------------------------------------


def _row_message(row: Any) -> str:
    if getattr(row, "error", None):
        return f"{row.name} raised: {row.error}"
    if getattr(row, "note", None):
        return f"{row.name} is incorrect: {row.note}"
    text = f"{row.name} is incorrect: its result differs from torch's a @ b"
    if getattr(row, "max_abs_err", None) is not None:
        text += f" (largest abs error {row.max_abs_err:.3g})"
    return text


def _capped_bench(recorder: Recorder, bench: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(bench)
    def capped(*fns: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        budget = kwargs.get("budget")
        kwargs["budget"] = (
            recorder.bench_budget if budget is None else min(budget, recorder.bench_budget)
        )
        result = bench(*fns, **kwargs)
        if recorder.current_magic == "matmul_bench":
            recorder.benches.append({
                "type": "bench", "cell": recorder.current_cell,
                "rows": [
                    {
                        "name": row.name, "kind": row.kind, "status": row.status,
                        "message": "" if row.status in ("ok", "skipped") else _row_message(row),
                    }
                    for row in result.rows
                ],
            })  # fmt: skip
        return result

    return capped


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Calls ``patch(module)`` right after ``name`` is first imported (torch stays unloaded
    until the notebook asks for it)."""

    def __init__(self, name: str, patch: Callable[[Any], None]) -> None:
        self.name, self.patch = name, patch

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module
        patch = self.patch

        def exec_and_patch(module: Any) -> None:
            exec_module(module)
            patch(module)

        spec.loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def install_bench_hooks(recorder: Recorder) -> None:
    name = "matmul_magic.race.runner"

    def patch(runner: Any) -> None:
        capped = _capped_bench(recorder, runner.bench)
        runner.bench = capped
        package = sys.modules.get("matmul_magic.race")
        if package is not None:
            package.bench = capped
        if "bench" in vars(sys.modules["matmul_magic"]):
            sys.modules["matmul_magic"].bench = capped

    if name in sys.modules:
        patch(sys.modules[name])
    else:
        sys.meta_path.insert(0, _PatchOnImport(name, patch))


def install(recorder: Recorder) -> None:
    install_test_hooks(recorder)
    install_assert_hooks(recorder)
    install_bench_hooks(recorder)
