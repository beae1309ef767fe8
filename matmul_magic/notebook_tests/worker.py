"""Runs one notebook in this (fresh) interpreter and reports, as JSON lines, what happened.

``python -m matmul_magic.notebook_tests.worker NOTEBOOK [--bench-budget S]``

The records go to the file descriptor that was stdout when the worker started; the
cells' own output (``print``, tracebacks, anything a C library writes to fd 1) goes to
stderr, so nothing a notebook prints can break the record stream. Records:

- ``{"type": "start", "cell": N}`` before cell N runs;
- ``{"type": "test", ...}`` per test site that ran in the cell (``recording.Recorder.take``);
- ``{"type": "bench", "cell": N, "rows": [...]}`` per bench a ``%%matmul_bench`` cell ran;
- ``{"type": "error", "cell": N, "line": L, "error": "...", "expected": bool, "stops": bool}``
  when the cell raised (an expected error is one in a cell tagged ``raises-exception``; an
  error that stops the run is any but an ``AssertionError``);
- ``{"type": "end", "cell": N}`` after the cell, then ``{"type": "done"}`` at the end.

Cells run in order in an IPython ``InteractiveShell`` (magics work, as in Jupyter;
``%matplotlib inline`` draws with the inline backend, as a kernel does) with the notebook's
folder as the working directory. The first unexpected error stops the run (unless the
notebook's metadata says ``execution.allow_errors``, nbmake's key). With ``--watch-fd`` the
worker ends itself when the runner holding that pipe's other end dies.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Any, TextIO

from .model import DEFAULT_BENCH_BUDGET


def _emit(stream: TextIO, record: dict[str, Any]) -> None:
    stream.write(json.dumps(record) + "\n")
    stream.flush()


def _error_text(
    error: BaseException, recorder: Any, cells: dict[int, Any]
) -> tuple[int | None, str]:
    """The running cell's line where ``error`` passed, and the diagnosis shown for it: the
    exception, the cell frames it went through, and the shape hint when there is one."""
    line = None
    frames = []
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        cell = recorder.cell_of(frame.f_code.co_filename)
        if cell not in cells:
            continue
        if cell == recorder.current_cell and line is None:
            line = lineno
        at = lineno + cells[cell].offset  # the editor's line
        frames.append(f"  cell {cell}, line {at}: {_nth_line(cells[cell].source, at)}")
    head = "".join(traceback.format_exception_only(type(error), error)).rstrip()
    from .recording import missing_name_hint

    hint_text = missing_name_hint(error)
    if hint_text:
        head += f"\n{hint_text}"
    if isinstance(error, SyntaxError) and not frames:  # the cell did not compile
        line = error.lineno
        head = f"SyntaxError: {error.msg}" + (f"\n    {error.text.strip()}" if error.text else "")
    text = "\n".join([head, *frames]) if frames else head
    try:
        from matmul_magic.hints.rules import hint_for_exception

        hint = hint_for_exception(error)
    except Exception:  # a hint is a bonus; never let it hide the error
        hint = None
    if hint is not None:
        text += "\n" + str(hint)
    return line, text


def run(path: Path, bench_budget: float, records: TextIO) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from .discovery import plan_notebook
    from .recording import Recorder, install_bench_hooks, install_test_hooks

    plan = plan_notebook(path)
    if plan.error is not None:
        _emit(records, {"type": "error", "cell": None, "line": None, "error": plan.error,
                        "expected": False})  # fmt: skip
        _emit(records, {"type": "done"})
        return

    class HeadlessShell(InteractiveShell):
        def enable_gui(self, gui: Any = None) -> None:
            """No event loop to hook (``%matplotlib inline``, ``%gui``): as a kernel does
            for the inline backend, there is nothing to do."""

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # parallel workers, no shared sqlite file
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    shell = HeadlessShell.instance(config=config)
    recorder = Recorder(shell=shell, bench_budget=bench_budget)
    cells = {c.number: c for c in plan.cells}
    install_test_hooks(recorder)
    install_bench_hooks(recorder)

    for cell in plan.cells:
        if cell.skip:
            continue
        _emit(records, {"type": "start", "cell": cell.number})
        recorder.current_cell, recorder.current_magic = cell.number, cell.magic
        recorder.cell_of_count[shell.execution_count] = cell.number
        result = shell.run_cell(cell.source, store_history=True)
        for record in recorder.take():
            _emit(records, record)
        error = result.error_before_exec or result.error_in_exec
        if getattr(error, "_matmul_magic_recorded", False):
            error = None  # a %%tests cell's closing "N of M tests failed": already recorded
        # A failed test (an AssertionError out of a loop, a function, a with block) is the
        # cell's failure at its line, and the notebook goes on; any other error stops it.
        expected = cell.expect_failure or plan.allow_errors
        stops = error is not None and not isinstance(error, AssertionError) and not expected
        if error is not None:
            line, text = _error_text(error, recorder, cells)
            _emit(records, {"type": "error", "cell": cell.number, "line": line, "error": text,
                            "expected": expected, "stops": stops})  # fmt: skip
        _emit(records, {"type": "end", "cell": cell.number})
        if stops:
            break
    _emit(records, {"type": "done"})


def _nth_line(source: str, line: int) -> str:
    lines = source.split("\n")
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _die_with_parent(fd: int) -> None:
    """End this worker and everything it started when the runner goes away, however it goes
    (Ctrl-C, SIGTERM, SIGKILL): the runner holds the other end of the pipe ``fd``, and the
    kernel closes it when the runner dies."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 1):
                pass
        os.killpg(os.getpgrp(), signal.SIGKILL)  # our own group: we are its leader

    threading.Thread(target=watch, name="watch-runner", daemon=True).start()
    _killed_with_parent()


def _killed_with_parent() -> None:
    """On Linux, also ask the kernel to kill this worker when the runner dies: the watching
    thread needs the GIL, which a notebook's C loop (``sum(range(10**13))``) can hold for
    hours, and the worker would outlive a SIGKILLed runner."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the runner died before the request took effect
        os.killpg(os.getpgrp(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matmul_magic.notebook_tests.worker")
    parser.add_argument("notebook")
    parser.add_argument("--bench-budget", type=float, default=DEFAULT_BENCH_BUDGET)
    parser.add_argument("--watch-fd", type=int, default=None)
    args = parser.parse_args(argv)
    if args.watch_fd is not None:
        _die_with_parent(args.watch_fd)
    # Records keep the original stdout; fd 1 (print, C libraries) now goes to stderr.
    records = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # A segfault prints the Python stack (with the cell) to stderr.
    faulthandler.enable(all_threads=False)
    path = Path(args.notebook).resolve()
    os.chdir(path.parent)
    sys.path.insert(0, str(path.parent))
    sys.argv = [str(path)]
    try:
        run(path, args.bench_budget, records)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        records.flush()
    # Skip interpreter teardown (history threads, atexit hooks): the parent has all it needs.
    os._exit(0)


if __name__ == "__main__":
    main()
