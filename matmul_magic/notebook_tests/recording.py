"""The recording hooks the worker installs in its own interpreter before a notebook runs.

- Each *test statement* of a cell (a top-level ``assert``, a top-level call of a function
  whose name starts with ``test``, a ``%test_*`` line: ``matmul_magic.testing.statements``)
  is recorded with its cell and line, whether it passed, and its message; a failure is
  recorded and the cell goes on. Everything else (code in functions, loops, ``try`` and
  ``with`` blocks, test calls and ``assert`` there included) runs exactly as in Jupyter.
- Each test of a ``%%tests`` cell is recorded from the cell's own report.
- ``bench()`` (and so ``%%matmul_bench``) runs within ``--bench-budget`` seconds at most;
  in a ``%%matmul_bench`` cell the verdict on each of the cell's functions is recorded.

Results are counted per site (a ``%%tests`` loop makes one site with many calls) and sent
when the cell ends. The hooks replace module attributes in this process only: the worker
is a fresh interpreter that runs one notebook and exits.
"""

from __future__ import annotations

import ast
import functools
import importlib.abc
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..bench_result.views.format import format_error

_CELL_LABEL = re.compile(r"In\[(\d+)\]")


@dataclass
class SiteCount:
    calls: int = 0
    failed: int = 0
    message: str = ""


@dataclass
class Recorder:
    """Counts results per site, for the cell now running; maps cell files to cell numbers."""

    shell: Any
    bench_budget: float
    cell_of_count: dict[int, int] = field(default_factory=dict)  # execution count -> cell
    current_cell: int | None = None
    current_magic: str | None = None
    sites: dict[tuple, SiteCount] = field(default_factory=dict)
    benches: list[dict[str, Any]] = field(default_factory=list)

    def cell_of(self, filename: str) -> int | None:
        label = self.shell.compile.format_code_name(filename)
        found = _CELL_LABEL.fullmatch(label[1]) if label else None
        return self.cell_of_count.get(int(found[1])) if found else None

    def add(self, key: tuple, passed: bool, message: Callable[[], str] | str = "") -> None:
        count = self.sites.setdefault(key, SiteCount())
        count.calls += 1
        if not passed:
            count.failed += 1
            if count.failed == 1:
                count.message = message() if callable(message) else message

    def take(self) -> list[dict[str, Any]]:
        """The records of the cell that just ran, and a clean slate for the next."""
        records = [
            {"type": "test", "kind": kind, "cell": cell, "line": line, "col": col,
             "function": function, "calls": count.calls, "failed": count.failed,
             "message": count.message}
            for (kind, cell, line, col, function), count in self.sites.items()
        ] + self.benches  # fmt: skip
        self.sites, self.benches = {}, []
        return records


class TestStatements(ast.NodeTransformer):
    """Each top-level test statement of a cell (``statements.test_statement``) runs as a
    test: its failure is recorded and the cell goes on. Nothing nested is touched."""

    def visit_Module(self, node: ast.Module) -> ast.Module:
        from matmul_magic.testing.statements import wrap_test_statements

        return wrap_test_statements(node)


class RecorderSink:
    """Where the test statements of a plain cell report (``statements.Sink``)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def _key(self, site: tuple) -> tuple:
        line, col, kind, function = site
        return (kind, self.recorder.current_cell, line, col, function)

    def start(self, site: tuple) -> None:
        pass

    def end(self, site: tuple, error: AssertionError | None) -> None:
        from matmul_magic.testing.statements import failure_message

        self.recorder.add(self._key(site), error is None, lambda: failure_message(site, error))

    def raised(self, site: tuple, error: BaseException) -> None:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            return
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        hint = missing_name_hint(error)
        message = f"raised {text}" + (f"\n{hint}" if hint else "")
        self.recorder.add(self._key(site), False, message)


def missing_name_hint(error: BaseException) -> str | None:
    """For a ``NameError`` on one of matmul-magic's names: how to get it."""
    name = getattr(error, "name", None)
    if not isinstance(error, NameError) or not name:
        return None
    import matmul_magic

    if name not in getattr(matmul_magic, "__all__", ()):
        return None
    return (
        f"{name} is matmul-magic's: add `from matmul_magic import *` (after `%load_ext` only "
        f"the %{name} magic line and %%tests cells see it)"
        if name.startswith("test")
        else f"{name} is matmul-magic's: add `from matmul_magic import *`"
    )


def install_test_hooks(recorder: Recorder) -> None:
    """Record each test statement of every cell, and each test of every ``%%tests`` cell."""
    import matmul_magic
    from matmul_magic import testing
    from matmul_magic.testing.statements import push_sink

    push_sink(RecorderSink(recorder))
    recorder.shell.ast_transformers.append(TestStatements())

    class collect_tests(testing.collect_tests):  # noqa: N801  (the same name the API has)
        __doc__ = testing.collect_tests.__doc__

        def __enter__(self) -> Any:
            if self.filename is None:  # the caller's file, not this one
                self.filename = sys._getframe(1).f_code.co_filename
            return super().__enter__()

        def __exit__(self, *exc: Any) -> bool:
            __tracebackhide__ = True  # noqa: F841
            cell = recorder.current_cell
            for name, line, failure in self.report.checks:
                kind = "assert" if name == "assert" else "test"
                message = "" if failure is None else failure.message
                recorder.add((kind, cell, line, None, name), failure is None, message)
            try:
                return super().__exit__(*exc)
            except AssertionError as error:
                # "N passed, M failed": each failure is already a recorded test.
                error._matmul_magic_recorded = True  # type: ignore[attr-defined]
                raise

    testing.collect_tests = collect_tests  # type: ignore[misc]
    if "collect_tests" in vars(matmul_magic):
        matmul_magic.collect_tests = collect_tests  # type: ignore[attr-defined]


# -- bench -------------------------------------------------------------------------------------


def _row_message(row: Any) -> str:
    if getattr(row, "error", None):
        return f"{row.name} raised: {row.error}"
    if getattr(row, "note", None):
        return f"{row.name} is incorrect: {row.note}"
    text = f"{row.name} is incorrect: its result differs from torch's a @ b"
    if getattr(row, "max_abs_err", None) is not None:
        text += f" (largest abs error {format_error(row.max_abs_err)})"
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
        sys.modules["matmul_magic.race"].bench = capped  # imported before its runner
        if "bench" in vars(sys.modules["matmul_magic"]):
            sys.modules["matmul_magic"].bench = capped

    if name in sys.modules:
        patch(sys.modules[name])
    else:
        sys.meta_path.insert(0, _PatchOnImport(name, patch))
