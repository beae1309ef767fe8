"""Merging what a notebook's worker reported (its records) into the notebook's tests, which
``discovery`` found beforehand: each test's calls and failures, then its outcome, and the
notebook's own test ("it runs top to bottom").

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..bench_result.views.format import format_time
from .discovery import NotebookPlan
from .model import Execution, NotebookReport, Options, TestResult
from .report import indent, plural

Problem = tuple[int | None, int | None, str]  # (cell, line, message): fails the notebook's test


@dataclass
class _Tally:
    """What the records of one run said, cell by cell."""

    started: list[int] = field(default_factory=list)
    ended: set[int] = field(default_factory=set)
    done: bool = False  # the worker ran the last cell
    stopped_by: int | None = None  # the cell whose error stopped the run
    problems: list[Problem] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # failures at no test found beforehand
    cells_with_failure: set[int] = field(default_factory=set)
    cells_with_error: set[int] = field(default_factory=set)
    bench_rows: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def last(self) -> int | None:
        """The last cell that started."""
        return self.started[-1] if self.started else None


def merge(plan: NotebookPlan, execution: Execution | None, options: Options) -> NotebookReport:
    """The notebook's tests with their outcomes, from the records of its run."""
    report = NotebookReport(path=plan.name, tests=plan.tests, error=plan.error)
    if plan.error is not None:
        report.finished = True
        return report
    if plan.skip is not None or execution is None:
        for test in plan.tests:
            test.outcome = "skipped" if test.skip_reason else None
            test.message = test.skip_reason or ""
        report.finished = plan.skip is not None
        return report

    report.duration = execution.duration
    tally = _read_records(plan, execution.records)
    report.benches = tally.bench_rows
    stopped_at = _where_it_stopped(tally, execution, options)
    _bench_verdicts(plan, tally)
    for test in plan.tests[:-1]:
        _test_outcome(test, tally, execution, stopped_at)
    failed = tally.cells_with_failure | tally.cells_with_error
    for cell in plan.cells:
        if cell.expect_failure and cell.number in tally.ended and cell.number not in failed:
            text = f"cell {cell.number} is tagged raises-exception, but nothing in it failed"
            tally.problems.append((cell.number, None, text))
    tally.problems += [(None, None, extra) for extra in tally.extras]
    _notebook_outcome(plan.tests[-1], tally, execution)
    report.finished = tally.done or not execution.interrupted
    return report


def _read_records(plan: NotebookPlan, records: list[dict[str, Any]]) -> _Tally:
    tally = _Tally()
    offsets = {c.number: c.offset for c in plan.cells}
    for record in records:
        kind = record.get("type")
        if kind == "start":
            tally.started.append(record["cell"])
        elif kind == "end":
            tally.ended.add(record["cell"])
        elif kind == "done":
            tally.done = True
        elif kind == "test":
            _add_test_record(plan.tests, record, offsets.get(record.get("cell"), 0), tally)
        elif kind == "bench":
            tally.bench_rows.setdefault(record["cell"], []).extend(record["rows"])
        elif kind == "error":
            cell, line = record.get("cell"), record.get("line")
            if cell is not None:
                tally.cells_with_error.add(cell)
                if line is not None:
                    line += offsets.get(cell, 0)
            if not record.get("expected"):
                tally.problems.append((cell, line, record["error"]))
                if record.get("stops", True):
                    tally.stopped_by = cell
    return tally


def _add_test_record(
    tests: list[TestResult], record: dict[str, Any], offset: int, tally: _Tally
) -> None:
    test = _match(tests, record, offset)
    if record["failed"] and record.get("cell") is not None:
        tally.cells_with_failure.add(record["cell"])
    if test is None:
        if record["failed"]:
            line = record.get("line")
            where = f"cell {record.get('cell')}, line {line}" if line else "outside a cell"
            tally.extras.append(f"{record['function']} failed ({where}):\n{record['message']}")
        return
    test.calls += record["calls"]
    test.failed_calls += record["failed"]
    if record["failed"] and not test.message:
        test.message = record["message"]


def _match(tests: list[TestResult], record: dict[str, Any], offset: int) -> TestResult | None:
    line = record.get("line")
    line = line + offset if line is not None else None
    here = [t for t in tests if t.cell == record.get("cell") and t.line == line]
    candidates = [
        t for t in here if (t.kind, t.function) == (record["kind"], record.get("function"))
    ]
    if not candidates:  # e.g. a %%tests line whose test_foo() ran test_eq: the line's test
        candidates = [t for t in here if t.kind in ("test", "assert")]
    if not candidates:
        return None
    col = record.get("col")
    return next((t for t in candidates if col is not None and t.col == col), candidates[0])


def _where_it_stopped(tally: _Tally, execution: Execution, options: Options) -> int | None:
    """The cell the run stopped at (None if it ran through); a run that never reached its
    end adds the reason (a timeout, a dead interpreter) to the problems."""
    last = tally.last
    if tally.done:
        return tally.stopped_by
    where = f"while cell {last} was running" if last is not None else "before any cell ran"
    if execution.timed_out:
        limit = execution.timeout or options.timeout or 0
        tally.problems.append((last, None, f"timed out after {format_time(limit)} {where}"))
    elif not execution.interrupted:
        code = execution.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        tail = execution.output_tail.strip()
        text = f"the interpreter died ({how}) {where}"
        if tail:
            text += "\nits last output:\n" + indent(tail[-1500:])
        tally.problems.append((last, None, text))
    return last


def _bench_verdicts(plan: NotebookPlan, tally: _Tally) -> None:
    """Each function a ``%%matmul_bench`` cell defines must be a correct row of its result."""
    for test in plan.tests:
        if test.kind != "bench" or test.cell not in tally.bench_rows:
            continue
        rows = [r for r in tally.bench_rows[test.cell] if r["name"] == test.function]
        if not rows:
            names = ", ".join(r["name"] for r in tally.bench_rows[test.cell]) or "none"
            test.calls, test.failed_calls = 1, 1
            test.message = f"{test.function} is not in the bench result (its rows: {names})"
        for row in rows:
            test.calls += 1
            if row["status"] in ("failed", "incorrect"):
                test.failed_calls += 1
                test.message = test.message or row["message"]
        if test.failed_calls:
            tally.cells_with_failure.add(test.cell)


def _test_outcome(
    test: TestResult, tally: _Tally, execution: Execution, stopped_at: int | None
) -> None:
    if test.skip_reason:
        test.outcome, test.message = "skipped", test.skip_reason
    elif test.calls == 0:
        if execution.interrupted and (test.cell is None or test.cell not in tally.ended):
            test.outcome = None  # interrupted before it ran: not counted
        else:
            test.outcome = "skipped"
            if stopped_at is not None and test.cell is not None and test.cell > stopped_at:
                test.message = f"not run: the notebook stopped at cell {stopped_at}"
            elif test.cell not in tally.started:
                test.message = "not run"
            else:
                test.message = "never ran (the code around it did not run)"
    elif test.failed_calls:
        test.outcome = "xfailed" if test.expect_failure else "failed"
        if test.calls > 1:
            test.message += f"\n({test.failed_calls} of {plural(test.calls, 'call')} failed)"
    else:
        test.outcome = "passed"


def _notebook_outcome(notebook_test: TestResult, tally: _Tally, execution: Execution) -> None:
    """The notebook's own test: failed by the first problem, each problem in its message."""
    if execution.interrupted and not tally.done:
        notebook_test.outcome = None
        notebook_test.message = f"interrupted while cell {tally.last} was running"
    elif tally.problems:
        cell, line, _ = tally.problems[0]
        notebook_test.outcome = "failed"
        notebook_test.cell, notebook_test.line = cell, line
        notebook_test.message = "\n".join(_located(c, ln, t) for c, ln, t in tally.problems)
    else:
        notebook_test.outcome = "passed"
    notebook_test.calls = 1


def _located(cell: int | None, line: int | None, text: str) -> str:
    if cell is not None and line is not None:
        return f"cell {cell}, line {line}: {text}"
    if cell is not None and f"cell {cell}" not in text:
        return f"cell {cell}: {text}"
    return text
