"""One call the check makes: a variant called on a slice of its operands (synchronised on
accelerators) and its answer judged against the float64 product (``correctness``), with what
the call wrote into its inputs noted on the task (``guard``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from . import correctness
from .bench_operands import is_oom, release_memory
from .errors import ACTIVE, row_error
from .guard import ArgsGuard
from .task import Task, slice_operands, slice_text


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def timed_call(fn: Callable[..., Any], a: Tensor, b: Tensor) -> tuple[Any, float]:
    """``fn(a, b)`` and its wall time in seconds, synchronised on accelerators."""
    sync(a.device)
    t0 = time.perf_counter()
    out = fn(a, b)
    sync(a.device)
    return out, time.perf_counter() - t0


def gate(task: Task, rows: int, cols: int, depth: int | None = None) -> float | None:
    """Call the variant on a slice and judge the answer: its time when correct, else None."""
    fn = task.variant.fn
    assert fn is not None
    args = slice_operands(task.a, task.b, rows, cols, depth)
    watch = ArgsGuard(args)  # what the call changes in its inputs (run.py says so on its row)
    whole = (rows, cols) == (task.m, task.n) and depth is None
    on = None if whole else slice_text(rows, cols, task.m, task.n, depth)
    refs = None
    if task.sources is not None:
        a, b = task.sources
        refs = (a[:rows, :depth], b[:depth, :cols]) if depth else (a[:rows], b[:, :cols])
    try:
        out, seconds = timed_call(fn, *args)
        task.written = watch.changes(on, refs)
        verdict = None if task.written else correctness.judge(out, *args)
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a user's function is a row error
        ACTIVE.reraise_if_user(exc)
        task.written = task.written or watch.changes(on, refs)
        task.error = row_error(exc)
        if is_oom(exc):
            release_memory()
        if on is not None:
            task.note = f"failed on {on}"
        return None
    if verdict is None:
        return None  # it wrote into its inputs: neither answer nor time can be trusted
    task.correct, task.max_abs_err = verdict.correct, verdict.max_abs_err
    if not verdict.correct:
        where = f" (checked on {on})" if on else ""
        task.note = f"{verdict.why}{where}; not timed"
        return None
    task.error, task.note = None, None
    return seconds


def recall(task: Task, rows: int, cols: int, depth: int | None = None) -> float:
    """One more call on a slice, for its time only (a failure counts as no news)."""
    try:
        args = slice_operands(task.a, task.b, rows, cols, depth)
        return timed_call(task.variant.fn, *args)[1]
    except BaseException as exc:  # noqa: BLE001
        ACTIVE.reraise_if_user(exc)
        return math.inf
