"""Running notebooks: one fresh interpreter per notebook, several at once; what each reported
is merged into its tests (found beforehand by ``discovery``) by ``outcomes``.

Standard library only (plus ``discovery``, which reads notebooks with IPython's input
transformer).
"""

from __future__ import annotations

import contextlib
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
from pathlib import Path
from typing import Any

from .discovery import NotebookPlan, find_notebooks, plan_notebook
from .model import (
    DEFAULT_BENCH_BUDGET,
    DEFAULT_TIMEOUT,
    Execution,
    NotebookReport,
    Options,
    RunReport,
)
from .outcomes import merge

_TAIL_CHARS = 3000


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
    except OSError:
        with contextlib.suppress(OSError):
            proc.kill()


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _environment(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    # N notebooks at once on C cores: each gets C/N threads unless the user chose any
    # thread count (MKL falls back on OMP_NUM_THREADS: setting it would override theirs).
    if not any(env.get(name) for name in THREAD_VARIABLES):
        for name in THREAD_VARIABLES:
            env[name] = str(threads)
    # As ipykernel does: figures go to the inline backend, so `%matplotlib` and
    # `%matplotlib inline` work as they do in Jupyter.
    env.setdefault("MPLBACKEND", INLINE_BACKEND)
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
    watch_read, watch_write = os.pipe()  # the worker dies when this end closes (we died)
    command = [
        sys.executable, "-m", "matmul_magic.notebook_tests.worker", str(plan.path.resolve()),
        "--bench-budget", repr(options.bench_budget), "--watch-fd", str(watch_read),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as output:
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=output,
                cwd=str(plan.path.resolve().parent),
                env=_environment(threads),
                start_new_session=True,  # Ctrl-C reaches us, not the notebooks
                pass_fds=(watch_read,),
            )
        except BaseException:
            os.close(watch_write)
            raise
        finally:
            os.close(watch_read)
        processes.add(proc)
        timed_out = threading.Event()
        timer = threading.Timer(plan.timeout or 0, lambda: (timed_out.set(), _kill(proc)))
        timer.daemon = True
        if plan.timeout:
            timer.start()
        if processes.stopping.is_set():
            _kill(proc)
        records: list[dict[str, Any]] = []
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                with contextlib.suppress(json.JSONDecodeError):
                    records.append(json.loads(raw))
        except BaseException:  # Ctrl-C in pytest: the worker is in its own session, stop it
            _kill(proc)
            raise
        finally:
            returncode = proc.wait()
            os.close(watch_write)
            timer.cancel()
            processes.discard(proc)
        output.seek(max(0, output.seek(0, os.SEEK_END) - _TAIL_CHARS))
        tail = output.read().decode("utf-8", "replace")
    return Execution(
        records=records,
        returncode=returncode,
        timed_out=timed_out.is_set(),
        timeout=plan.timeout,
        interrupted=processes.stopping.is_set() and not timed_out.is_set(),
        output_tail=tail,
        duration=time.perf_counter() - started,
    )


# -- many notebooks ------------------------------------------------------------------------------


def run_plans(
    plans: list[NotebookPlan],
    options: Options,
    on_notebook: Callable[[NotebookReport], None] | None = None,
) -> RunReport:
    """Run every plan (``options.workers`` at a time); Ctrl-C keeps the results so far and
    returns a report with ``interrupted=True``."""
    started = time.perf_counter()
    runnable = [i for i, p in enumerate(plans) if p.error is None and p.skip is None]
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
        if index not in runnable:
            finish(index, merge(plan, None, options))

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook")
    futures: dict[Future, int] = {}
    try:
        for index in runnable:
            futures[pool.submit(execute, plans[index], options, processes, threads)] = index
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures[future]
                finish(index, merge(plans[index], _result(future), options))
    except KeyboardInterrupt:
        run.interrupted = True
        processes.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if index not in reports:
                ran = future.done() and not future.cancelled()
                reports[index] = merge(plans[index], _result(future) if ran else None, options)
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
    timeout: float | None = DEFAULT_TIMEOUT,
    bench_budget: float = DEFAULT_BENCH_BUDGET,
    on_notebook: Callable[[NotebookReport], None] | None = None,
) -> RunReport:
    """Run every notebook under ``paths`` (files or folders), each in a fresh interpreter,
    ``workers`` at a time (default: the CPU count), and report every test inside. A notebook
    that runs longer than ``timeout`` seconds (``None``: no limit) fails as timed out.

    Raises ``FileNotFoundError`` for a path that does not exist. A file that is not a
    notebook is a failed entry of the report, and the others still run.
    """
    options = Options(workers=workers, timeout=timeout, bench_budget=bench_budget)
    plans = [plan_notebook(path, timeout=timeout) for path in find_notebooks(list(paths))]
    return run_plans(plans, options, on_notebook)
