"""The course's loops, whose cost is per multiply-add, timed on one output's first terms and
scaled by the terms (scripted clocks: what a busy machine would otherwise decide)."""

from __future__ import annotations

import pytest
import torch

from matmul_magic.race import calls as gated_calls
from matmul_magic.race import checking, estimate, plan
from matmul_magic.race.guard import Pair
from matmul_magic.race.task import Probe, Task, slice_operands
from matmul_magic.race.variants import Variant

PER_TERM = 25e-6
"""Seconds a multiply-add of the scripted loops takes (the lesson's loops: about 20 ms for
one output of 784 terms)."""


def loops(a, b):
    return a @ b


def _checked(monkeypatch, m, k, n, seconds=None, fn=loops, per_term=True, budget=1.0):
    """A loops-like step checked at ``budget`` among six, its calls taking ``seconds(a, b)``
    (by default ``PER_TERM`` for each multiply-add); and the shapes it was called on."""
    calls = []

    def scripted(f, a, b):
        calls.append((a.shape[0], a.shape[1], b.shape[1]))
        took = seconds(a, b) if seconds else PER_TERM * a.shape[0] * a.shape[1] * b.shape[1]
        return f(a, b), took

    monkeypatch.setattr(gated_calls, "timed_call", scripted)
    a, b = torch.randn(m, k), torch.randn(k, n)
    variant = Variant("loops", "course", fn, per_output=True, per_term=per_term)
    task = Task(variant, a, b)
    checking.check(task, plan.Plan.for_run(budget, variants=6))
    return task, calls


def _timed(task, times):
    probe = task.probes[-1]
    probe.times, probe.rounds = list(times), list(range(len(times)))
    return estimate.estimate(task)


def test_loops_is_timed_on_about_3_ms_of_one_outputs_terms_and_scaled_by_the_terms(monkeypatch):
    # One output (784 terms) takes 19.6 ms: the race times its first 120 terms (3 ms), and
    # the full call is 50 × 784 / 120 = 326.7 times that.
    task, calls = _checked(monkeypatch, 5, 784, 10)
    assert task.correct and task.depth_point is not None
    depth, seconds = task.depth_point
    assert depth == 120 and seconds == pytest.approx(120 * PER_TERM)
    assert [(p.rows, p.cols, p.depth) for p in task.probes] == [(1, 1, 120)]
    # The first 16 terms, one whole output (within the 24 ms call limit, so it checks the
    # estimate), then the slice itself, a[:1, :120] @ b[:120, :1]; each called twice.
    assert calls == [(1, 16, 1)] * 2 + [(1, 784, 1)] * 2 + [(1, 120, 1)] * 2
    est = _timed(task, [3.0e-3, 3.1e-3, 2.9e-3, 3.0e-3, 3.2e-3])
    assert est.measurement.median == pytest.approx(3.0e-3 * 50 * 784 / 120)
    assert est.fastest == pytest.approx(2.9e-3 * 50 * 784 / 120)
    assert not est.unreliable and not est.unconfirmed
    assert est.how.startswith("estimated from its time on a[:1, :120] @ b[:120, :1]")
    assert "(120 of 39,200 multiply-adds)" in est.how


def test_a_per_term_estimate_another_call_contradicts_is_unreliable(monkeypatch):
    # 10 ms a call whatever its size, plus 12.5 µs a term: the first 16 terms take 10.2 ms,
    # so one output is foretold far beyond the call limit and the race times 5 terms, in
    # 10.06 ms: 3.2 × the terms in 1.01 × the time, a 216 % miss.
    task, calls = _checked(monkeypatch, 5, 784, 10, lambda a, b: 0.01 + PER_TERM * a.shape[1] / 2)
    assert task.depth_point[0] == 5 and task.depth_checks[0][0] == 16
    assert all(depth < 784 for _, depth, _ in calls)  # no whole output was called
    est = _timed(task, [task.depth_point[1]] * 5)
    assert est.unreliable and "misses a measured slice by 216%" in est.how, est.how


def test_at_a_tiny_budget_loops_never_calls_a_whole_output(monkeypatch):
    # At 0.05 s one whole output (19.6 ms) is beyond the 1.7 ms call limit: the first 16
    # terms, then a slice of about the call limit, 67 terms; the estimate is checked
    # against the 16.
    # Its verdict is then a partial sum's: no largest error is shown (a partial sum's is
    # smaller than a whole output's), and the note says so; the estimate is unconfirmed.
    task, calls = _checked(monkeypatch, 5, 784, 10, budget=0.05)
    assert calls == [(1, 16, 1), (1, 16, 1), (1, 67, 1), (1, 67, 1)]
    assert task.correct and task.points == [] and task.depth_point[0] == 67
    assert task.max_abs_err is None
    assert task.note.startswith("checked on one output's first 67 of 784 terms"), task.note
    est = _timed(task, [67 * PER_TERM] * 5)
    assert est.measurement.median == pytest.approx(784 * 50 * PER_TERM)
    assert not est.unreliable and "(67 of 39,200 multiply-adds)" in est.how
    assert est.unconfirmed and "unconfirmed: no whole output was timed" in est.how


def test_from_a_third_of_a_second_the_verdict_is_a_whole_outputs(monkeypatch):
    # At 0.3 s the call limit (10 ms) is shorter than one output (19.6 ms), but the check's
    # share (25 ms) is not: the whole output is called, once, for the verdict and the error.
    task, calls = _checked(monkeypatch, 5, 784, 10, budget=0.3)
    assert calls[:3] == [(1, 16, 1), (1, 16, 1), (1, 784, 1)] and calls.count((1, 784, 1)) == 1
    assert task.points[0][:2] == (1, 1) and task.max_abs_err is not None and task.note is None
    assert task.depth_point is not None


def test_a_call_on_a_few_terms_is_too_short_to_judge_the_estimate_by(monkeypatch):
    # The first 16 terms ran cold, 40 µs a term (0.64 ms) where the rest run at 25: under a
    # millisecond, that call does not make the estimate unreliable; the whole output checks it.
    def cold_first(a, b):
        return 4e-5 * a.shape[1] if a.shape[1] == 16 else PER_TERM * a.shape[1]

    task, _ = _checked(monkeypatch, 5, 784, 10, cold_first)
    est = _timed(task, [task.depth_point[1]] * 5)
    assert not est.unreliable and "unconfirmed" not in est.how, est.how


@pytest.mark.parametrize("budget", [1.0, 0.05])
@pytest.mark.parametrize("works_on", [{784}, {16, 784}])
def test_a_slice_of_terms_that_fails_leaves_the_verdict_and_the_whole_output(
    monkeypatch, budget, works_on
):
    # A function that fails on the slices of terms (the first 16, or the timed slice only)
    # is judged and timed on whole outputs, whatever the budget.
    def whole_outputs_only(a, b):
        if a.shape[1] not in works_on:
            raise ValueError("only the lesson's k")
        return a @ b

    task, _ = _checked(monkeypatch, 5, 784, 10, fn=whole_outputs_only, budget=budget)
    assert task.correct is True and task.error is None and task.note is None
    assert task.depth_point is None and task.points[0][:2] == (1, 1)
    assert [(p.rows, p.cols, p.depth) for p in task.probes] == [(1, 1, None)]


@pytest.mark.parametrize(
    ("m", "k", "n", "per_term"),
    [
        (5, 784, 10, False),  # elementwise: one vectorised product an output, not per term
        (64, 16, 64, True),  # one output of 16 terms takes 0.4 ms: whole outputs are short
        (2, 8, 2, True),  # the whole product fits: timed whole
    ],
)
def test_terms_are_sliced_only_for_a_per_term_step_whose_output_is_long(
    monkeypatch, m, k, n, per_term
):
    task, calls = _checked(monkeypatch, m, k, n, per_term=per_term)
    assert task.correct and task.depth_point is None
    assert all(p.depth is None for p in task.probes)
    assert all(depth == k for _, depth, _ in calls)


def test_a_slice_of_terms_is_the_same_slice_everywhere_it_is_made():
    # What the race calls (the probe's operands), what its watch compares them with (the
    # pair's views of the sources), and what the check gated (slice_operands) agree.
    a, b = torch.randn(5, 784), torch.randn(784, 10)
    pair = Pair(a, b)
    task = Task(Variant("loops", "course", loops, per_term=True), *pair.working)
    probe = Probe(task, 1, 1, 3e-3, depth=120)
    task.probes, task.depth_point, task.points = [probe], (120, 3e-3), [(1, 1, 0.02)]
    for got, want in zip(probe.args(), pair.slices(1, 1, 120), strict=True):
        assert got.shape == want.shape and torch.equal(got, want)
    for got, want in zip(slice_operands(a, b, 1, 1, 120), probe.args(), strict=True):
        assert torch.equal(got, want)
    assert probe.terms == 120 and task.terms == 39_200 and not probe.whole
    assert task.extrapolated and task.ladder_seconds(probe) == 3e-3
