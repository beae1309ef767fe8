"""Slow steps timed on slices: the course's per-output loops scaled from one slice, a user's
function never from one, and the ladder that picks the slices (scripted clocks where a busy
machine would decide the outcome)."""

from __future__ import annotations

import math

import pytest
import torch

from matmul_magic.race import calls as gated_calls
from matmul_magic.race import checking, estimate, plan
from matmul_magic.race.runner import bench
from matmul_magic.race.task import Task
from matmul_magic.race.variants import Variant

pytestmark = pytest.mark.usefixtures("no_mnist")


def my_matmul(a, b):
    return a @ b


def test_a_users_estimate_never_comes_from_a_single_slice():
    task = Task(Variant("x", "user", my_matmul), torch.ones(4, 2), torch.ones(2, 4))
    task.correct, task.points = True, [(1, 1, 0.5)]
    checking._set_probes(task, plan.Plan.for_run(1.0))
    assert task.probes == [] and "second slice" in task.note
    assert estimate.estimate(task) is None


def _per_output_task(points):
    task = Task(Variant("loops", "course", my_matmul, per_output=True), *_ones(5, 784, 10))
    task.correct, task.points = True, points
    return task


def _ones(m, k, n):
    return torch.ones(m, k), torch.ones(k, n)


def test_a_per_output_course_step_is_one_slice_scaled_by_the_outputs():
    # The course's Python loops: 20 ms an output, with no fixed cost to fit. The slice the
    # race times is the smallest of at least 1 ms, at any budget, and the full call is 50
    # times it.
    task = _per_output_task([(1, 1, 3e-4), (1, 2, 6e-4), (1, 4, 1.2e-3), (1, 8, 2.4e-3)])
    checking._set_probes(task, plan.Plan.for_run(1.0, variants=6))
    assert [(p.rows, p.cols) for p in task.probes] == [(1, 4)]
    for budget in (0.05, 1.0, 10.0):
        task = _per_output_task([(1, 1, 0.020), (1, 2, 0.041)])
        checking._set_probes(task, plan.Plan.for_run(budget, variants=6))
        assert [(p.rows, p.cols) for p in task.probes] == [(1, 1)]
    task.probes[0].times, task.probes[0].rounds = [0.021, 0.020, 0.022, 0.019, 0.020], [*range(5)]
    est = estimate.estimate(task)
    assert est.measurement.median == pytest.approx(50 * 0.020)
    assert est.fastest == pytest.approx(50 * 0.019)
    assert "50 × its time on a[:1] @ b[:, :1]" in est.how
    assert not est.unreliable and not est.unconfirmed


def test_a_per_output_estimate_a_measured_slice_contradicts_is_unreliable():
    # 2 outputs in 60 ms where 1 took 20: not a cost per output, so the scaled figure is
    # marked, with by how much the slice missed it (3 × against the 2 × it foretold).
    task = _per_output_task([(1, 1, 0.020), (1, 2, 0.060)])
    checking._set_probes(task, plan.Plan.for_run(1.0, variants=6))
    task.probes[0].times, task.probes[0].rounds = [0.020] * 5, [*range(5)]
    est = estimate.estimate(task)
    assert est.unreliable and "misses a measured slice by 33%" in est.how


def test_the_loops_row_says_it_was_scaled_from_one_outputs_first_terms():
    result = bench(only=["loops", "torch"], budget=0.3)  # the lesson's 5×784 @ 784×10
    loops = result["loops"]
    assert loops.status == "ok" and loops.extrapolated, loops.note
    assert "estimated from its time on a[:1, :" in loops.note, loops.note
    assert "of 39,200 multiply-adds" in loops.note and "unconfirmed" not in loops.note
    assert loops.blocks >= 2 and loops.median > 0


def test_once_the_checks_share_is_spent_a_long_slice_is_called_once_not_best_of_two(
    monkeypatch,
):
    """At 0.05 s the checks alone ran past the budget: past their share, a course step's
    slice of a millisecond or more is called once; a user's first slice still twice (a
    compile is found so), and a shorter slice too (it costs less than its gate). (The clock
    is scripted: every call takes ``seconds``.)"""
    calls = []
    seconds = {"each": 0.0}

    def scripted(fn, a, b):
        calls.append((a.shape[0], b.shape[1]))
        return fn(a, b), seconds["each"]

    monkeypatch.setattr(gated_calls, "timed_call", scripted)
    a, b = torch.randn(5, 16), torch.randn(16, 10)
    for kind, deadline, each, first, later in (
        ("course", math.inf, 0.0015, 2, 2),
        ("course", 0.0, 0.0015, 1, 1),
        ("user", 0.0, 0.0015, 2, 1),
        ("course", 0.0, 0.0002, 2, 2),
    ):
        calls.clear()
        seconds["each"] = each
        task = Task(Variant("torch", kind, my_matmul), a, b)
        checking.check(task, plan.Plan.for_run(1.0, variants=6), deadline=deadline)
        assert task.correct and len(task.points) >= 2, task.points
        per_slice = [calls.count((r, c)) for r, c, _ in task.points]
        assert per_slice == [first] + [later] * (len(task.points) - 1), (kind, per_slice)


def test_a_per_output_step_whose_first_call_was_cold_is_not_sent_to_its_full_call(monkeypatch):
    """A cold first call slower than the second (0.22 ms for 1 output, 0.09 ms for 2) made
    the affine line flat and predicted the full 64x64 call at 0.09 ms: elementwise took it,
    100-170 ms at a 0.05 s budget. (The clock is scripted: 45 µs an output after the first.)"""
    calls = []

    def scripted(fn, a, b):
        calls.append(1)
        return fn(a, b), 2.2e-4 if len(calls) == 1 else 4.5e-5 * a.shape[0] * b.shape[1]

    monkeypatch.setattr(gated_calls, "timed_call", scripted)
    a, b = torch.randn(64, 8), torch.randn(8, 64)
    task = Task(Variant("elementwise", "course", my_matmul, per_output=True), a, b)
    checking.check(task, plan.Plan.for_run(0.05, variants=5), deadline=0.0)
    assert task.correct and not task.over_budget
    assert task.points[-1][:2] != (64, 64) and task.extrapolated, task.points


def _elementwise_checked_at_28_us_an_output(monkeypatch, m, k, n):
    """Elementwise checked at 1 s among six steps, on a clock scripted to 28 µs an output."""

    def scripted(fn, a, b):
        return fn(a, b), 2.8e-5 * a.shape[0] * b.shape[1]

    monkeypatch.setattr(gated_calls, "timed_call", scripted)
    task = Task(Variant("elementwise", "course", my_matmul, per_output=True), *_ones(m, k, n))
    checking.check(task, plan.Plan.for_run(1.0, variants=6))
    return task


def test_a_per_output_steps_full_call_is_called_once_foretold_within_the_call_limit(monkeypatch):
    """Elementwise at 28 µs an output: its 1.4 ms full product fits the 24 ms call limit, so
    the ladder goes from one output straight to it, not through 2, 4, ..., 40 outputs."""
    task = _elementwise_checked_at_28_us_an_output(monkeypatch, 5, 784, 10)
    assert [(r, c) for r, c, _ in task.points] == [(1, 1), (5, 10)]
    assert not task.extrapolated


def test_a_per_output_steps_slice_is_read_at_its_best_rate_not_from_one_stalled_call():
    # 1 output stalled to 1.2 ms; the ladder's rate is 31 µs an output: 32 outputs is the
    # smallest slice of a millisecond (1 output would be scaled 4,096 times, fixed cost too).
    rate = 0.002 / 64
    points = [(1, 1, 0.0012)] + [(1, c, c * rate) for c in (2, 4, 8, 16, 32, 64)]
    task = Task(Variant("elementwise", "course", my_matmul, per_output=True), *_ones(64, 8, 64))
    task.correct, task.points = True, points
    checking._set_probes(task, plan.Plan.for_run(1.0, variants=6))
    assert [(p.rows, p.cols) for p in task.probes] == [(1, 32)]


def test_a_per_output_step_reaches_a_millisecond_slice_in_one_step_and_stops(monkeypatch):
    """Elementwise at 64x784x64, 28 µs an output: from one output straight to the 54 that
    take about 1.5 ms, and no further (doubling took 1, 2, 4, ..., each called twice)."""
    task = _elementwise_checked_at_28_us_an_output(monkeypatch, 64, 8, 64)
    assert [(r, c) for r, c, _ in task.points] == [(1, 1), (1, 54)]
    assert [(p.rows, p.cols) for p in task.probes] == [(1, 54)]


def test_a_fast_course_steps_first_call_over_the_budget_is_called_again(monkeypatch):
    """torch's one-output call stalled for 60 ms on a loaded machine, past a 0.05 s budget:
    called again, it is a stall, not a row over budget; loops' slow first call is not."""
    calls = []

    def scripted(fn, a, b):
        calls.append(1)
        slow = len(calls) == 1 or fn is not my_matmul
        return fn(a, b), 0.06 if slow else 1e-5

    monkeypatch.setattr(gated_calls, "timed_call", scripted)
    for step, per_output, stalled in (("torch", False, False), ("loops", True, True)):
        calls.clear()
        fn = my_matmul if step == "torch" else (lambda a, b: a @ b)
        task = Task(Variant(step, "course", fn, per_output=per_output), *_ones(5, 784, 10))
        checking.check(task, plan.Plan.for_run(0.05, variants=6), deadline=0.0)
        assert task.over_budget is stalled and task.correct, (step, task.points)
