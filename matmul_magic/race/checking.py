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
  output's first terms, scaled by the multiply-adds (``terms.py``): their ladder starts on
  a few terms and calls a whole output only where the budget affords it.

Each call is made and judged by ``calls.gate``.

A first call much slower than the second holds a one-off cost (a JIT compile): it is
measured, reported on the row and not counted. A call slower than the whole budget ends the
task there (``over_budget``).
"""

from __future__ import annotations

import math
import time

import torch

from ..bench_result.views.format import format_time
from . import plan
from .calls import gate, recall
from .errors import ERROR_LIMIT as ERROR_LIMIT
from .errors import clip as clip
from .task import Probe, Task, slice_text
from .terms import depth_slice, first_terms

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
        if full_only or first_terms(task, the_plan):
            _ladder(task, the_plan, deadline, full_only=full_only)
        if not depth_slice(task, the_plan, deadline) and not task.points and task.timed_verdict:
            _ladder(task, the_plan, deadline)  # its terms could not be timed: whole outputs
    finally:
        if one_thread:
            torch.set_num_threads(threads)
    _set_probes(task, the_plan)


def _unless_one_off(task: Task, rows: int, cols: int, seconds: float) -> float:
    """A call's time, called again: an excess over the second call that is large (a
    compile, lazy set-up, a recompile for a new shape) is a one-off cost, reported and not
    charged to the budget; otherwise the better of the two."""
    again = recall(task, rows, cols)
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
        seconds = gate(task, rows, cols)
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
            seconds = min(seconds, recall(task, rows, cols))
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
        seconds = gate(task, task.m, task.n)
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
