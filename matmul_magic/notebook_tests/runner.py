"""Running notebooks: one fresh interpreter per notebook, several at once, and the merge of
what each reported into its tests (found beforehand by ``discovery``).

Standard library only (plus ``discovery``, which reads notebooks with IPython's input
transformer).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .discovery import NotebookPlan, plan_notebook
from .model import NotebookReport, RunReport, TestResult

DEFAULT_BENCH_BUDGET = 0.2
_TAIL_CHARS = 3000


@dataclass
class Options:
    workers: int = 0  # 0: the CPU count
    timeout: float | None = None  # seconds per notebook
    bench_budget: float = DEFAULT_BENCH_BUDGET


@dataclass
class Execution:
    """What a worker process left behind."""

    records: list[dict[str, Any]]
    returncode: int | None
    timed_out: bool = False
    interrupted: bool = False
    output_tail: str = ""
    duration: float = 0.0


def worker_count(requested: int, notebooks: int) -> int:
    cpus = os.cpu_count() or 1
    return max(1, min(requested or cpus, max(notebooks, 1)))


class _Processes:
    """The worker processes now running, so that Ctrl-C can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def add(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._running.add(proc)

    def discard(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._running.discard(proc)

    def kill_all(self) -> None:
        self.stopping.set()
        with self._lock:
            for proc in list(self._running):
                _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and anything it started
    except (ProcessLookupError, PermissionError, OSError):
        try:
            proc.kill()
        except OSError:
            pass


def _environment(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    # N notebooks at once on C cores: each gets C/N threads unless the user chose.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, str(threads))
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def execute(
    plan: NotebookPlan,
    options: Options,
    processes: _Processes | None = None,
    threads: int = 1,
) -> Execution:
    """Run ``plan``'s notebook in a fresh interpreter; return its records."""
    processes = processes or _Processes()
    started = time.perf_counter()
    command = [
        sys.executable, "-m", "matmul_magic.notebook_tests.worker", str(plan.path.resolve()),
        "--bench-budget", repr(options.bench_budget),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=output,
            cwd=str(plan.path.resolve().parent),
            env=_environment(threads),
            start_new_session=True,  # Ctrl-C reaches us, not the notebooks
        )
        processes.add(proc)
        timed_out = threading.Event()
        timer = None
        if options.timeout:
            timer = threading.Timer(options.timeout, lambda: (timed_out.set(), _kill(proc)))
            timer.daemon = True
            timer.start()
        if processes.stopping.is_set():
            _kill(proc)
        records: list[dict[str, Any]] = []
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                try:
                    records.append(json.loads(raw))
                except json.JSONDecodeError:
                    continue
        except BaseException:  # Ctrl-C in pytest: the worker is in its own session, stop it
            _kill(proc)
            proc.wait()
            processes.discard(proc)
            raise
        returncode = proc.wait()
        if timer is not None:
            timer.cancel()
        processes.discard(proc)
        output.seek(0, os.SEEK_END)
        size = output.tell()
        output.seek(max(0, size - _TAIL_CHARS))
        tail = output.read().decode("utf-8", "replace")
    return Execution(
        records=records,
        returncode=returncode,
        timed_out=timed_out.is_set(),
        interrupted=processes.stopping.is_set() and not timed_out.is_set(),
        output_tail=tail,
        duration=time.perf_counter() - started,
    )


# -- merging records into tests ------------------------------------------------------------------


def _match(tests: list[TestResult], record: dict[str, Any], offset: int) -> TestResult | None:
    line = record.get("line")
    line = line + offset if line is not None else None
    candidates = [
        t
        for t in tests
        if t.kind == record["kind"]
        and t.cell == record.get("cell")
        and t.line == line
        and t.function == record.get("function")
    ]
    if not candidates:
        return None
    for test in candidates:
        if record.get("col") is not None and test.col == record["col"]:
            return test
    return candidates[0]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def merge(plan: NotebookPlan, execution: Execution | None, options: Options) -> NotebookReport:
    """The notebook's tests with their outcomes, from the records of its run."""
    report = NotebookReport(path=plan.name, tests=plan.tests, error=plan.error)
    if plan.error is not None:
        report.finished = True
        return report
    notebook_test = plan.tests[-1]
    if plan.skip is not None or execution is None:
        for test in plan.tests:
            test.outcome = "skipped" if test.skip_reason else None
            test.message = test.skip_reason or ""
        report.finished = plan.skip is not None
        return report

    report.duration = execution.duration
    offsets = {c.number: c.offset for c in plan.cells}
    started: list[int] = []
    ended: set[int] = set()
    done = False
    problems: list[tuple[int | None, int | None, str]] = []  # (cell, line, message)
    extras: list[str] = []
    cells_with_failure: set[int] = set()
    cells_with_error: set[int] = set()
    bench_rows: dict[int, list[dict[str, Any]]] = {}

    for record in execution.records:
        kind = record.get("type")
        if kind == "start":
            started.append(record["cell"])
        elif kind == "end":
            ended.add(record["cell"])
        elif kind == "done":
            done = True
        elif kind == "test":
            test = _match(plan.tests, record, offsets.get(record.get("cell"), 0))
            if record["failed"] and record.get("cell") is not None:
                cells_with_failure.add(record["cell"])
            if test is None:
                if record["failed"]:
                    line = record.get("line")
                    where = f"cell {record.get('cell')}, line {line}" if line else "outside a cell"
                    extras.append(f"{record['function']} failed ({where}):\n{record['message']}")
                continue
            test.calls += record["calls"]
            test.failed_calls += record["failed"]
            if record["failed"] and not test.message:
                test.message = record["message"]
        elif kind == "bench":
            bench_rows.setdefault(record["cell"], []).extend(record["rows"])
        elif kind == "error":
            cell, line = record.get("cell"), record.get("line")
            if cell is not None:
                cells_with_error.add(cell)
            if line is not None and cell is not None:
                line += offsets.get(cell, 0)
            if not record.get("expected"):
                problems.append((cell, line, record["error"]))
    report.benches = bench_rows

    last = started[-1] if started else None
    stopped_at = None
    if not done:
        stopped_at = last
        where = f"while cell {last} was running" if last is not None else "before any cell ran"
        if execution.interrupted:
            pass
        elif execution.timed_out:
            problems.append((last, None, f"timed out after {options.timeout:g} s {where}"))
        else:
            code = execution.returncode
            how = (
                f"killed by signal {-code}" if code is not None and code < 0
                else f"exit code {code}"
            )
            tail = execution.output_tail.strip()
            text = f"the interpreter died ({how}) {where}"
            if tail:
                text += "\nits last output:\n" + _indent(tail[-1500:])
            problems.append((last, None, text))
    elif problems:
        stopped_at = problems[0][0]

    # Bench verdicts: each function a %%matmul_bench cell defines must be a correct row.
    for test in plan.tests:
        if test.kind != "bench" or test.cell not in bench_rows:
            continue
        rows = [r for r in bench_rows[test.cell] if r["name"] == test.function]
        if not rows:
            names = ", ".join(r["name"] for r in bench_rows[test.cell]) or "none"
            test.calls, test.failed_calls = 1, 1
            test.message = f"{test.function} is not in the bench result (its rows: {names})"
        for row in rows:
            test.calls += 1
            if row["status"] in ("failed", "incorrect"):
                test.failed_calls += 1
                test.message = test.message or row["message"]
        if test.failed_calls:
            cells_with_failure.add(test.cell)

    ran = set(started)
    for test in plan.tests[:-1]:
        if test.skip_reason:
            test.outcome, test.message = "skipped", test.skip_reason
        elif test.calls == 0:
            if execution.interrupted and (test.cell is None or test.cell not in ended):
                test.outcome = None  # interrupted before it ran: not counted
            else:
                test.outcome = "skipped"
                if stopped_at is not None and test.cell is not None and test.cell > stopped_at:
                    test.message = f"not run: the notebook stopped at cell {stopped_at}"
                elif test.cell not in ran:
                    test.message = "not run"
                else:
                    test.message = "never ran (the code around it did not run)"
        elif test.failed_calls:
            test.outcome = "xfailed" if test.expect_failure else "failed"
            if test.calls > 1:
                test.message += (
                    f"\n({test.failed_calls} of {_plural(test.calls, 'call')} failed)"
                )
        else:
            test.outcome = "passed"

    for cell in plan.cells:
        if cell.expect_failure and cell.number in ended and cell.number not in (
            cells_with_failure | cells_with_error
        ):
            problems.append(
                (cell.number, None,
                 f"cell {cell.number} is tagged raises-exception, but nothing in it failed")
            )  # fmt: skip
    for extra in extras:
        problems.append((None, None, extra))

    if execution.interrupted and not done:
        notebook_test.outcome = None
        notebook_test.message = f"interrupted while cell {last} was running"
    elif problems:
        cell, line, _ = problems[0]
        notebook_test.outcome = "failed"
        notebook_test.cell, notebook_test.line = cell, line
        notebook_test.message = "\n".join(_located(c, ln, text) for c, ln, text in problems)
    else:
        notebook_test.outcome = "passed"
    notebook_test.calls = 1
    report.finished = done or not execution.interrupted
    return report


def _located(cell: int | None, line: int | None, text: str) -> str:
    if cell is not None and line is not None:
        return f"cell {cell}, line {line}: {text}"
    if cell is not None and f"cell {cell}" not in text:
        return f"cell {cell}: {text}"
    return text


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# -- many notebooks ------------------------------------------------------------------------------


def plan_all(paths: list[Path], names: dict[Path, str] | None = None) -> list[NotebookPlan]:
    names = names or {}
    return [plan_notebook(p, names.get(p)) for p in paths]


def run_plans(
    plans: list[NotebookPlan],
    options: Options,
    on_notebook: Callable[[NotebookReport], None] | None = None,
) -> RunReport:
    """Run every plan (``options.workers`` at a time); Ctrl-C keeps the results so far and
    returns a report with ``interrupted=True``."""
    started = time.perf_counter()
    runnable = [p for p in plans if p.error is None and p.skip is None]
    workers = worker_count(options.workers, len(runnable))
    threads = max(1, (os.cpu_count() or 1) // workers)
    processes = _Processes()
    reports: dict[int, NotebookReport] = {}
    run = RunReport()

    def finish(index: int, report: NotebookReport) -> None:
        reports[index] = report
        if on_notebook is not None:
            on_notebook(report)

    for index, plan in enumerate(plans):
        if plan.error is not None or plan.skip is not None:
            finish(index, merge(plan, None, options))

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook")
    futures: dict[Future, int] = {}
    try:
        for index, plan in enumerate(plans):
            if index not in reports:
                future = pool.submit(execute, plan, options, processes, threads)
                futures[future] = index
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures[future]
                finish(index, merge(plans[index], _result(future), options))
    except KeyboardInterrupt:
        run.interrupted = True
        processes.kill_all()
        for future in futures:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if index in reports:
                continue
            if future.done() and not future.cancelled():
                reports[index] = merge(plans[index], _result(future), options)
            else:
                reports[index] = merge(plans[index], None, options)
    finally:
        pool.shutdown(wait=True)
    run.notebooks = [reports[i] for i in range(len(plans)) if i in reports]
    run.duration = time.perf_counter() - started
    return run


def _result(future: Future) -> Execution:
    """The worker's records, or a failed start (the interpreter could not be started)."""
    try:
        return future.result()
    except Exception as error:  # e.g. OSError: no such interpreter, too many processes
        text = f"{type(error).__name__}: {error}"
        return Execution(records=[], returncode=None, output_tail=text)


def run_notebooks(
    paths: list[str | Path],
    *,
    workers: int = 0,
    timeout: float | None = None,
    bench_budget: float = DEFAULT_BENCH_BUDGET,
    on_notebook: Callable[[NotebookReport], None] | None = None,
) -> RunReport:
    """Run every notebook under ``paths`` (files or folders), each in a fresh interpreter,
    ``workers`` at a time (default: the CPU count), and report every test inside.

    Raises ``FileNotFoundError`` for a path that does not exist. A file that is not a
    notebook is a failed entry of the report, and the others still run.
    """
    from .discovery import find_notebooks

    found = find_notebooks(list(paths))
    options = Options(workers=workers, timeout=timeout, bench_budget=bench_budget)
    return run_plans(plan_all(found), options, on_notebook)
