"""The check: call a variant on growing slices of the output, gate each answer, size its probes.

A *task* is one variant on one pair of operands (the main pair, or one sweep size). The
ladder calls it on one output (``a[:1] @ b[:, :1]``), then on twice as many outputs while
the next call is predicted (affine in the number of outputs, from the last two calls, so a
fixed per-call cost is not mistaken for work) to take at most the plan's call limit
(``Plan.call_limit``: 20 ms at the default budget, more where the budget affords the full
product enough blocks), and straight to the full product once that is predicted to cost at
most twice the last slice (a fixed cost dominates, so a slice would save nothing). Every
answer goes through the correctness gate. A fast variant reaches the full product in a few
microseconds; the pure-Python loops stop after a few outputs.

What the race then times, its *probes*:

- the full product, when the ladder reached it;
- otherwise the last two slices, so the full time is estimated from a fitted
  ``fixed + per-output × outputs`` model and never scaled from a single point;
- except for the course's Python loops over outputs (``Variant.per_output``), which have no
  fixed cost to fit: the smallest slice of at least ``plan.MIN_SLICE_SECONDS``, scaled by
  the outputs. Their ladder goes from one output straight to the full product when that is
  foretold within the call limit, else to one slice of about 1.5 ms, and stops there. All
  of their share of the race then goes to that slice's blocks (the 1 and 2 outputs the fit
  took for loops split its blocks in two, and their difference was multiplied by 49);
- and for the three loops, whose cost is per multiply-add (``Variant.per_term``), one
  output's first terms, about ``DEPTH_SLICE_SECONDS`` of them, once one whole output takes
  more than twice that (``_depth_slice``): scaled by the multiply-adds, and checked against
  the ladder's other calls. Their ladder starts on one output's first ``FIRST_TERMS`` terms
  and calls a whole output only when it is foretold within the call limit
  (``_first_terms``).

A first call much slower than the second holds a one-off cost (a JIT compile): it is
measured, reported on the row and not counted. A call slower than the whole budget ends the
task there (``over_budget``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from ..bench_result.views.format import format_count, format_time
from . import correctness, plan
from .bench_operands import is_oom, release_memory
from .errors import ACTIVE, row_error
from .errors import ERROR_LIMIT as ERROR_LIMIT
from .errors import clip as clip
from .guard import ArgsGuard
from .task import Probe, Task, slice_operands, slice_text

_SLOW_ON_ACCELERATORS = frozenset({"loops", "elementwise", "broadcast"})

ONE_OFF_SURPRISE = 10.0
"""A slice this many times slower than the slices before it predicted is called again: its
excess may be a one-off (a recompile for a new shape)."""


def shape_of(cells: int, m: int, n: int) -> tuple[int, int]:
    """The slice with about ``cells`` outputs: whole rows when it can, else part of one row."""
    if cells >= m * n:
        return m, n
    if cells >= n:
        return cells // n, n
    return 1, cells


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


def _gate(task: Task, rows: int, cols: int, depth: int | None = None) -> float | None:
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


def _recall(task: Task, rows: int, cols: int, depth: int | None = None) -> float:
    """One more call on a slice, for its time only (a failure counts as no news)."""
    try:
        args = slice_operands(task.a, task.b, rows, cols, depth)
        return timed_call(task.variant.fn, *args)[1]
    except BaseException as exc:  # noqa: BLE001
        ACTIVE.reraise_if_user(exc)
        return math.inf


def check(task: Task, the_plan: plan.Plan | None = None, deadline: float = math.inf) -> None:
    """Run the ladder (or, on accelerators, the one full call) and set the task's probes.

    Past ``deadline`` (``time.perf_counter()``) the ladder climbs no further than a slice
    of ``plan.MIN_SLICE_SECONDS``: the checks have spent their share of the budget."""
    the_plan = the_plan or plan.Plan.for_run()
    on_cpu = task.a.device.type == "cpu"
    climbs = task.variant.kind == "course" and task.variant.name in _SLOW_ON_ACCELERATORS
    # On a GPU every shape may mean a new compile or autotune (torch.compile, Triton): only
    # the Python-loop steps, which launch a kernel per scalar or row, climb. On the CPU, one
    # thread while sizing: a one-output product dispatched to a thread pool can cost
    # milliseconds of synchronisation on a busy machine and would look like real work.
    threads = torch.get_num_threads()
    one_thread = on_cpu and threads > 1
    if one_thread:
        torch.set_num_threads(1)
    try:
        full_only = not on_cpu and not climbs
        if full_only or _first_terms(task, the_plan):
            _ladder(task, the_plan, deadline, full_only=full_only)
        if not _depth_slice(task, the_plan, deadline) and not task.points and task.timed_verdict:
            _ladder(task, the_plan, deadline)  # its terms could not be timed: whole outputs
    finally:
        if one_thread:
            torch.set_num_threads(threads)
    _set_probes(task, the_plan)


def _unless_one_off(task: Task, rows: int, cols: int, seconds: float) -> float:
    """A call's time, called again: an excess over the second call that is large (a
    compile, lazy set-up, a recompile for a new shape) is a one-off cost, reported and not
    charged to the budget; otherwise the better of the two."""
    again = _recall(task, rows, cols)
    if seconds > plan.ONE_OFF_FACTOR * again and seconds - again > plan.ONE_OFF_MIN:
        task.one_off += seconds - again
    return min(seconds, again)


def _ladder(task: Task, the_plan: plan.Plan, deadline: float, full_only: bool = False) -> None:
    call_limit = the_plan.call_limit
    m, n, total = task.m, task.n, task.outputs
    cells = total if full_only else 1
    # A step whose cost is per output is predicted in proportion: a first call slower than
    # the second (a cold cache) would make the affine line flat, and send elementwise at
    # 64x784x64 to a 100+ ms full call at a 0.05 s budget.
    per_output = task.variant.per_output
    predict = _proportional if per_output else _predict
    while True:
        rows, cols = shape_of(cells, m, n)
        seconds = _gate(task, rows, cols)
        if seconds is None:
            if not task.points and (rows, cols) != (m, n):
                _judge_on_full(task, the_plan)
            return
        predicted = predict(task.points, rows * cols) if task.points else seconds
        # A first call is always called again, even one longer than the whole budget: that
        # is what a compile (torch.compile, numba, Triton) looks like, and only a second call
        # tells a compile from a slow function. The lesson's own steps (not the optional
        # compiled ones) have no one-off cost to find: a second call of a slow one would only
        # spend the budget. Once the checks' share is spent, nor does one of a millisecond
        # or more: the best of two calls is a luxury then (at 0.05 s the checks ran past the
        # budget), while a shorter call costs less than its gate.
        # A course step that is not a loop over outputs takes microseconds on one output:
        # a first call over the whole budget was a stall, which a second call tells (on a
        # loaded machine one such stall left torch with no figure at 0.05 s).
        course = task.variant.kind == "course"
        spent = time.perf_counter() >= deadline and seconds >= plan.MIN_SLICE_SECONDS
        stalled = seconds > the_plan.overrun_seconds and not per_output
        if not task.points and (stalled or not (course and (seconds > call_limit or spent))):
            seconds = _unless_one_off(task, rows, cols, seconds)
        elif seconds > max(ONE_OFF_SURPRISE * predicted, plan.ONE_OFF_MIN):
            # Far slower than the slices before it foretold: a recompile for a new shape?
            seconds = _unless_one_off(task, rows, cols, seconds)
        elif seconds <= call_limit and not spent:
            # Decisions rest on the best of two calls: one may have been descheduled.
            seconds = min(seconds, _recall(task, rows, cols))
        task.points.append((rows, cols, seconds))
        done = rows * cols
        if seconds > the_plan.overrun_seconds:
            task.over_budget = True
            return
        if done >= total:
            return
        if per_output:
            cells = _per_output_next(task.points, m, n, call_limit)
            if cells is None:
                return
            continue
        # The full call costs about what a slice does, or is predicted to take under
        # MIN_SLICE_SECONDS: call it now rather than gate every doubling on the way (each gate
        # costs more than such a call; a fast row climbed 1, 2, 4, 8, 10, 20, 40, 50 outputs,
        # which at small budgets spent the checks' share).
        if (
            _fixed_cost_dominates(task.points, total)
            or _predict(task.points, total) <= plan.MIN_SLICE_SECONDS
        ):
            cells = total
            continue
        nxt_rows, nxt_cols = shape_of(min(done * 2, total), m, n)
        predicted = _predict(task.points, nxt_rows * nxt_cols)
        # One point cannot be extrapolated from: take a second slice when it is affordable
        # (within a third of the budget, even once the checks' share is spent: without it the
        # row would have no figure at all).
        second = len(task.points) < 2 and predicted <= the_plan.second_point_seconds
        if predicted > call_limit and not second:
            return
        late = time.perf_counter() >= deadline
        if predicted > plan.MIN_SLICE_SECONDS and late and len(task.points) >= 2:
            # The checks' share is spent: time what the ladder has, or the full call when
            # the slices say it costs about what a slice does (a fixed cost dominates).
            if _predict(task.points, total) > 2 * seconds:
                return
            cells = total
            continue
        cells = nxt_rows * nxt_cols


DEPTH_SLICE_SECONDS = 3 * plan.MIN_SLICE_SECONDS
"""What a per-term step's slice of one output's terms aims at (less where the budget's call
limit is shorter, never under ``plan.MIN_SLICE_SECONDS``)."""

FIRST_TERMS = 16
"""The terms of a per-term step's first call (0.4 ms of the lesson's loops)."""


def _first_terms(task: Task, the_plan: plan.Plan) -> bool:
    """A per-term step's (``Variant.per_term``) first call: one output's first
    ``FIRST_TERMS`` terms, gated and called twice. Whether the ladder goes on to whole
    outputs: when one is foretold within the call limit or the check's share of the budget
    (``Plan.verdict_seconds``: the verdict and the largest error are then a whole
    output's, not a partial sum's), or when this call failed (whole outputs decide the
    verdict then). Otherwise ``_depth_slice`` times the terms alone, and says the verdict
    is a partial sum's: at a 0.05 s budget the lesson's one whole output took 22-33 ms of
    it, and ran it over."""
    if not task.variant.per_term or task.k <= FIRST_TERMS:
        return True
    verdict = (task.correct, task.max_abs_err, task.error, task.note)
    seconds = _gate(task, 1, 1, FIRST_TERMS)
    if seconds is None or seconds > the_plan.overrun_seconds:
        if not task.written:
            task.correct, task.max_abs_err, task.error, task.note = verdict
        return not task.written
    seconds = min(seconds, _recall(task, 1, 1, FIRST_TERMS))
    task.depth_checks.append((FIRST_TERMS, seconds))
    return seconds / FIRST_TERMS * task.k <= max(the_plan.call_limit, the_plan.verdict_seconds)


def _depth_slice(task: Task, the_plan: plan.Plan, deadline: float) -> bool:
    """For a step whose cost is per multiply-add (``Variant.per_term``) whose one output is
    beyond the call limit or takes more than twice ``DEPTH_SLICE_SECONDS``: one call on
    that output's first terms, about that long (``task.depth_point``), which the race then
    times. The lesson's loops take 20 ms an output; that one slice held half of a 1 s run's
    time in 20 blocks, which left every row's median known only to ±5-10 %. A slice that
    fails (it cannot for the course's loops) is not used, and the verdict stays the one its
    other calls gave. Whether it was made."""
    if not task.variant.per_term or task.correct is not True or task.error or task.written:
        return False
    if task.over_budget or (task.points and task.points[-1][:2] == (task.m, task.n)):
        return False
    k = task.k
    calls = [(r * c * k, s) for r, c, s in task.points] + task.depth_checks
    if k < 2 or not calls:
        return False
    rate = min(s / terms for terms, s in calls)  # per term, at the best rate
    if task.points and rate * k < 2 * DEPTH_SLICE_SECONDS:
        return False  # whole outputs are short enough to time
    target = min(DEPTH_SLICE_SECONDS, max(the_plan.call_limit, plan.MIN_SLICE_SECONDS))
    depth = min(k - 1, max(1, round(target / rate)))
    verdict = (task.correct, task.max_abs_err, task.error, task.note)
    seconds = _gate(task, 1, 1, depth)
    if seconds is None:
        if not task.written:
            task.correct, task.max_abs_err, task.error, task.note = verdict
        return False
    if task.points:  # the verdict is the whole outputs'
        task.correct, task.max_abs_err, task.error, task.note = verdict
    else:  # no whole output was called: the verdict is this partial sum's, and says so
        task.max_abs_err = None
        task.note = (
            f"checked on one output's first {format_count(depth)} of {format_count(k)} "
            f"terms (a whole output, foretold at {format_time(rate * k)}, is beyond this "
            "budget's share for a check): a partial sum's error is smaller than a whole "
            "output's, so none is shown"
        )
    if time.perf_counter() < deadline:
        seconds = min(seconds, _recall(task, 1, 1, depth))
    task.depth_point = (depth, seconds)
    return True


def _fixed_cost_dominates(points: list[tuple[int, int, float]], total: int) -> bool:
    """The full call is predicted to cost at most twice the last slice, even at the steepest
    growth any two neighbouring slices showed, once slices of whole rows were seen to grow
    (within one row a row-at-a-time algorithm costs the same for any number of columns, and
    one fast outlier must not send a slow variant to its full call)."""
    if len(points) < 3 or points[-1][0] == points[-2][0]:
        return False
    steepest = max(
        max(s1 - s0, 0.0) / (r1 * c1 - r0 * c0)
        for (r0, c0, s0), (r1, c1, s1) in zip(points, points[1:], strict=False)
    )
    rows, cols, seconds = points[-1]
    return seconds + steepest * (total - rows * cols) <= 2 * seconds


def _proportional(points: list[tuple[int, int, float]], outputs: int) -> float:
    """The next call's time for a step whose cost is per output: the last slice's rate."""
    rows, cols, seconds = points[-1]
    return seconds * outputs / (rows * cols)


def _per_output_next(
    points: list[tuple[int, int, float]], m: int, n: int, call_limit: float
) -> int | None:
    """The outputs of a per-output step's next call, or ``None`` when the ladder has what
    the race needs: the full product once it is foretold within the call limit, else one
    slice of at least ``MIN_SLICE_SECONDS``, reached in one step at the last slice's rate
    (doubling from one output, elementwise climbed 1, 2, 4, ..., 40 outputs, each called
    twice: 6-8 ms of a 0.05 s budget)."""
    rows, cols, seconds = points[-1]
    done, total = rows * cols, m * n
    rate = seconds / done
    if rate * total <= call_limit:
        return total
    if seconds >= plan.MIN_SLICE_SECONDS:
        return None
    want = max(2 * done, math.ceil(1.5 * plan.MIN_SLICE_SECONDS / rate))
    if want > n:
        want = max(want, (done // n + 1) * n)  # the next whole row at least
    want = min(want, total, math.floor(call_limit / rate)) if rate > 0 else min(want, total)
    nxt_rows, nxt_cols = shape_of(want, m, n)
    return nxt_rows * nxt_cols if nxt_rows * nxt_cols > done else None


def _predict(points: list[tuple[int, int, float]], outputs: int) -> float:
    """The next call's time: affine through the last two points, proportional from one."""
    rows, cols, seconds = points[-1]
    done = rows * cols
    if len(points) == 1:
        return seconds * outputs / done
    prev_rows, prev_cols, prev_seconds = points[-2]
    slope = max(seconds - prev_seconds, 0.0) / (done - prev_rows * prev_cols)
    return seconds + slope * (outputs - done)


def _judge_on_full(task: Task, the_plan: plan.Plan) -> None:
    """Only the one-output call failed: the full call decides, when it is affordable.

    (Some functions cannot take a 1×1 slice, e.g. one that squeezes its result.)
    """
    if task.outputs > 1 and the_plan.full_after_failed_slice and not task.written:
        failed = (task.error, task.note, task.correct, task.max_abs_err)
        seconds = _gate(task, task.m, task.n)
        if seconds is not None:
            task.points.append((task.m, task.n, seconds))
            return
        if task.error is None and failed[0] is not None:
            task.error, task.note, task.correct, task.max_abs_err = failed


def _set_probes(task: Task, the_plan: plan.Plan) -> None:
    if task.error is not None or task.correct is not True:
        return
    if task.depth_point is not None and not task.over_budget:
        depth, seconds = task.depth_point
        task.probes = [Probe(task, 1, 1, seconds, depth=depth)]
        return
    if not task.points:
        return
    budget = the_plan.budget
    rows, cols, seconds = task.points[-1]
    if task.over_budget:
        task.note = (
            f"one call on {slice_text(rows, cols, task.m, task.n)} took {format_time(seconds)}, "
            f"more than the whole {format_time(budget)} budget; stopped after it (a first call may "
            "include a one-off compile: a larger budget would tell)"
        )
        return
    if rows * cols == task.outputs:
        task.probes = [Probe(task, rows, cols, seconds)]
        return
    if task.variant.per_output:
        # The smallest slice of at least MIN_SLICE_SECONDS (else the largest): its fixed
        # cost, the empty output, is negligible there, and the shorter the slice the more
        # blocks (the same slice at any budget, so a larger one never buys fewer calls). Its
        # length is read at the ladder's best rate, so one stalled small call is not chosen.
        rate = min(s / (r * c) for r, c, s in task.points)
        long_enough = [p for p in task.points if p[0] * p[1] * rate >= plan.MIN_SLICE_SECONDS]
        task.probes = [Probe(task, *(long_enough[0] if long_enough else task.points[-1]))]
        return
    if len(task.points) < 2:
        task.note = (
            f"one call on {slice_text(rows, cols, task.m, task.n)} took {format_time(seconds)}: "
            "too slow to take the second slice an estimate needs within the budget; not timed"
        )
        return
    task.probes = [Probe(task, r, c, s) for r, c, s in task.points[-2:]]
