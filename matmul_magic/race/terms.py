"""The check of a step whose cost is per multiply-add (``Variant.per_term``: the lesson's
three loops): one output's first terms, timed and scaled by the multiply-adds, so that a
20 ms output does not hold half of a run in a few blocks."""

from __future__ import annotations

import time

from ..bench_result.views.format import format_count, format_time
from . import plan
from .calls import gate, recall
from .task import Task

DEPTH_SLICE_SECONDS = 3 * plan.MIN_SLICE_SECONDS
"""What a per-term step's slice of one output's terms aims at (less where the budget's call
limit is shorter, never under ``plan.MIN_SLICE_SECONDS``)."""

FIRST_TERMS = 16
"""The terms of a per-term step's first call (0.4 ms of the lesson's loops)."""


def first_terms(task: Task, the_plan: plan.Plan) -> bool:
    """A per-term step's (``Variant.per_term``) first call: one output's first
    ``FIRST_TERMS`` terms, gated and called twice. Whether the ladder goes on to whole
    outputs: when one is foretold within the call limit or the check's share of the budget
    (``Plan.verdict_seconds``: the verdict and the largest error are then a whole
    output's, not a partial sum's), or when this call failed (whole outputs decide the
    verdict then). Otherwise ``depth_slice`` times the terms alone, and says the verdict
    is a partial sum's: at a 0.05 s budget the lesson's one whole output took 22-33 ms of
    it, and ran it over."""
    if not task.variant.per_term or task.k <= FIRST_TERMS:
        return True
    verdict = (task.correct, task.max_abs_err, task.error, task.note)
    seconds = gate(task, 1, 1, FIRST_TERMS)
    if seconds is None or seconds > the_plan.overrun_seconds:
        if not task.written:
            task.correct, task.max_abs_err, task.error, task.note = verdict
        return not task.written
    seconds = min(seconds, recall(task, 1, 1, FIRST_TERMS))
    task.depth_checks.append((FIRST_TERMS, seconds))
    return seconds / FIRST_TERMS * task.k <= max(the_plan.call_limit, the_plan.verdict_seconds)


def depth_slice(task: Task, the_plan: plan.Plan, deadline: float) -> bool:
    """For a step whose cost is per multiply-add (``Variant.per_term``) whose one output is
    beyond the call limit or takes more than twice ``DEPTH_SLICE_SECONDS``: one call on
    that output's first terms, about that long (``task.depth_point``), which the race then
    times. The lesson's loops take 20 ms an output; that one slice held half of a 1 s run's
    time in 20 blocks, which left every row's median known only to ±5-10 %. A slice that
    fails (it cannot for the course's loops) is not used, and the verdict stays the one its
    other calls gave. Whether it was made."""
    if not task.variant.per_term or not task.timed_verdict:
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
    seconds = gate(task, 1, 1, depth)
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
        seconds = min(seconds, recall(task, 1, 1, depth))
    task.depth_point = (depth, seconds)
    return True
