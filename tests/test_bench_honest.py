"""The bench off the happy path: fixed costs, tiny and huge budgets, half precision, odd
results, functions that raise anything. Structure and flags only: no figure is asserted
tighter than a busy machine allows (the figures live in benchmarks/)."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import torch

from matmul_magic.progression import COURSE
from matmul_magic.race import correctness, estimate, plan, timing
from matmul_magic.race.runner import bench
from matmul_magic.race.task import Probe, Task
from matmul_magic.race.variants import Variant

SMALL = "3x16x4"


pytestmark = pytest.mark.usefixtures("no_mnist")


def my_matmul(a, b):
    return a @ b


# -- fixed costs and extrapolation --------------------------------------------------------------


def test_a_fixed_per_call_cost_is_timed_on_the_full_call_not_multiplied():
    def fixed(a, b):
        time.sleep(0.015)
        return a @ b

    result = bench(fixed, only=["torch"], budget=0.5)  # the lesson's 5×784 @ 784×10
    row = result["fixed"]
    assert row.status == "ok" and not row.extrapolated, row.note
    assert 0.014 < row.median < 0.5  # was 0.79 s: 15 ms scaled by the 50 outputs


def test_an_estimate_adds_one_fixed_cost_to_the_per_output_work():
    task = Task(Variant("x", "user", my_matmul), torch.ones(8, 2), torch.ones(2, 8))
    task.correct = True
    # slices of 4 and 8 outputs: 30 ms fixed + 4 ms per output, measured in 5 rounds
    task.points = [(1, 1, 0.034), (1, 2, 0.038), (1, 4, 0.046), (1, 8, 0.062)]
    task.probes = [Probe(task, 1, 4, 0.046), Probe(task, 1, 8, 0.062)]
    for probe, seconds in zip(task.probes, (0.046, 0.062), strict=True):
        probe.times, probe.rounds = [seconds] * 5, list(range(5))
    est = estimate.estimate(task)
    # 30 ms + 64 × 4 ms = 286 ms; scaling the 8-output slice by 8 would say 496 ms
    assert est.measurement.median == pytest.approx(0.286)
    assert not est.unreliable and "30.0 ms fixed + 4.00 ms per output" in est.how
    assert est.per_round == {r: pytest.approx(0.286) for r in range(5)}


def test_a_model_that_misses_a_measured_slice_is_an_unreliable_estimate():
    def quadratic(a, b):  # not fixed + per-output: the fit cannot hold
        time.sleep(1e-3 * (a.shape[0] * b.shape[1]) ** 2)
        return a @ b

    result = bench(quadratic, course=False, shape="1x4x64", budget=0.5)
    row = result.rows[0]
    assert row.extrapolated and row.unreliable, row.note
    assert "estimate, unreliable" in row.note
    assert result.to_dict()["rows"][0]["unreliable"] is True


# -- budgets ------------------------------------------------------------------------------------


def test_a_microsecond_function_is_timed_in_blocks_of_many_calls_or_by_its_check():
    # A block is many calls; a row the race gave no block keeps its check's time instead.
    for row in bench(only=["torch", "einsum"], budget=0.05, shape=SMALL).rows:
        raced = "timed by its check's calls alone" not in (row.note or "")
        assert row.status == "ok" and (row.runs >= 2 * row.blocks or not raced), row
    for row in bench(only=["torch", "einsum"], budget=1e-6, shape=SMALL).rows:
        assert row.status == "ok" and row.median > 0, row
        assert "timed by its check's calls alone" in row.note
        assert row.noisy and row.median_low is None, row  # said to be not known to the target


def test_a_row_the_race_gave_no_block_keeps_its_checks_time_and_says_so():
    """Its check (two 60 ms calls) ends past the deadline, and no block starts after it: the
    budget is kept, and the row has its check's time, not nothing. (A call over the whole
    budget would stop the row instead: 60 ms leaves a busy machine 40 ms of oversleep.)"""

    def slow(a, b):
        time.sleep(0.06)
        return a @ b

    row = bench(slow, course=False, shape="1x4x1", budget=0.1)["slow"]
    assert row.status == "ok" and row.median >= 0.06 and (row.runs, row.blocks) == (1, 1)
    assert row.noisy and row.median_low is None  # one call: its precision is unknown
    assert "timed by its check's calls alone:" in row.note
    # The check runs on one thread; a run on more says so beside that time.
    row = bench(slow, course=False, shape="1x4x1", budget=0.1, threads=2)["slow"]
    assert "timed by its check's calls alone (on one thread)" in row.note


def test_a_call_longer_than_the_whole_budget_stops_the_row_after_it():
    def slow(a, b):
        time.sleep(0.25)
        return a @ b

    started = time.perf_counter()
    result = bench(slow, my_matmul, course=False, shape="1x4x1", budget=0.1)
    assert time.perf_counter() - started < 0.9  # one call, not a ladder of them
    row = result["slow"]
    assert row.over_budget and row.runs == 1 and row.median >= 0.25
    assert "more than the whole" in row.note
    assert result["my_matmul"].status == "ok"


def test_a_slice_longer_than_the_whole_budget_is_flagged_without_a_time():
    def slow(a, b):
        time.sleep(0.2)
        return a @ b

    result = bench(slow, course=False, shape="2x4x2", budget=0.05)
    row = result.rows[0]
    assert row.over_budget and row.median is None and row.status == "skipped"


def test_a_first_call_holding_a_one_off_cost_is_reported_and_not_counted():
    calls = []

    def compiles_first(a, b):
        if not calls:
            time.sleep(0.12)  # a JIT compile
        calls.append(1)
        return a @ b

    result = bench(compiles_first, course=False, shape=SMALL, budget=0.5)
    row = result.rows[0]
    assert row.status == "ok" and row.one_off is not None and row.one_off > 0.1
    assert "one-off first-call costs, not counted: compiles_first" in repr(result)
    assert row.median < 0.05


@pytest.mark.parametrize(
    ("budget", "error"),
    [(0, ValueError), (-1, ValueError), (float("inf"), ValueError), (float("nan"), ValueError),
     (3601, ValueError), (1e300, ValueError), (True, TypeError), ("1", TypeError)],
)  # fmt: skip
def test_bad_budgets_are_refused_before_anything_runs(budget, error):
    with pytest.raises(error, match="budget"):
        bench(only=["torch"], budget=budget)


def test_more_budget_never_plans_fewer_calls_or_blocks():
    budgets = [1e-3, 0.05, 0.5, 1, 3, 10, 60, 600, 3600]
    blocks = [plan.min_blocks(b) for b in budgets]
    seconds = [plan.block_seconds(b) for b in budgets]
    assert blocks == sorted(blocks) and seconds == sorted(seconds)
    calls = [plan.calls_per_block(5e-6, 1e-7, b) for b in budgets]
    assert calls == sorted(calls) and calls[0] > 1  # never one call of a microsecond function


def test_one_thread_by_default_all_cores_on_request_and_any_whole_number():
    before = torch.get_num_threads()
    assert bench(only=["torch"], shape=SMALL, budget=0.02).environment.threads == 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    result = bench(only=["torch"], shape=SMALL, budget=0.02, threads="all")
    assert result.environment.threads == cores
    assert (
        bench(only=["torch"], shape=SMALL, budget=0.02, threads=np.int64(2)).environment.threads
        == 2
    )
    assert torch.get_num_threads() == before
    with pytest.raises(TypeError, match="'all'"):
        bench(only=["torch"], threads="most")
    with pytest.raises(TypeError, match="threads"):
        bench(only=["torch"], threads=True)


def test_a_first_call_longer_than_the_budget_is_called_again_before_it_is_judged():
    """A compile (torch.compile, numba, Triton) on the first call: the second call tells it
    from a slow function, so the row races with its one-off cost reported."""
    calls = []

    def compiled(a, b):
        if not calls:
            time.sleep(0.6)  # the "compile", longer than the whole 0.3 s budget
        calls.append(1)
        return a @ b

    result = bench(compiled, only=["torch"], shape=SMALL, budget=0.3)
    row = result["compiled"]
    assert row.status == "ok" and not row.over_budget, row.note
    assert row.one_off == pytest.approx(0.6, abs=0.25) and row.median < 0.05
    assert len(calls) > 10  # it raced


def test_a_slice_far_slower_than_its_neighbours_foretold_is_called_again():
    """A recompile for a new shape halfway up the ladder is a one-off too, not the slope."""
    shapes = set()

    def recompiles(a, b):
        if len(shapes) == 1 and tuple(a.shape) not in shapes:  # the ladder's second shape
            time.sleep(0.2)
        shapes.add(tuple(a.shape))
        return a @ b

    result = bench(recompiles, course=False, shape="4x8x4", budget=0.5)
    row = result["recompiles"]
    assert row.status == "ok" and row.one_off == pytest.approx(0.2, abs=0.1), row
    assert row.median < 0.05


def test_threads_are_set_for_the_run_and_restored():
    before = torch.get_num_threads()
    result = bench(only=["torch"], shape=SMALL, budget=0.02, threads=1)
    assert result.environment.threads == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        bench(only=["torch"], threads=0)
    with pytest.raises(TypeError, match="threads"):
        bench(only=["torch"], threads=1.5)


def test_stalled_blocks_are_counted_and_named(monkeypatch):
    count = iter(range(10**6))

    class Stalling(timing.CpuClock):
        def __call__(self, fn, args, number):
            super().__call__(fn, args, number)
            return (50.0 if next(count) % 5 == 4 else 1.0) * 1e-4 * number

    monkeypatch.setattr(timing, "clock_for", lambda device, l2_flush=False: Stalling())
    # one thread: the scripted times are far above the real ones, which would read as contention
    result = bench(my_matmul, course=False, shape=SMALL, budget=0.05, threads=1)
    row = result.rows[0]
    assert row.stalls >= 1 and row.note is None  # a field, which the views word once
    assert f"blocks over 10× the median: my_matmul {row.stalls}" in repr(result)


# -- the correctness gate -----------------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "shape"), [(torch.float16, "2x2048x3"),
                                              (torch.bfloat16, "2x4096x3")])  # fmt: skip
def test_the_course_passes_its_own_gate_in_half_precision(dtype, shape):
    result = bench(only=["loops", "elementwise", "broadcast", "torch"], dtype=dtype,
                   shape=shape, budget=0.3)  # fmt: skip
    for row in result.rows:
        assert row.correct is True, (row.name, row.note)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_the_gate_passes_half_precision_accumulation_up_to_k_8192_and_no_wrong_element(dtype):
    torch.manual_seed(0)
    a, b = torch.rand(4, 8192).to(dtype), torch.randn(8192, 4).to(dtype)
    c = torch.zeros(4, 4, dtype=dtype)
    for k in range(a.shape[1]):  # the loops' order: one rounded term at a time
        c = c + a[:, k, None] * b[k]
    assert correctness.judge(c, a, b).correct
    wrong = (a.float() @ b.float()).to(dtype)
    wrong[1, 2] += float(wrong.abs().max()) + 1  # bf16 at K=8192 rounds by ~10% of |c|
    verdict = correctness.judge(wrong, a, b)
    assert not verdict.correct and "1 of 16 outputs" in verdict.why and "(1, 2)" in verdict.why


@pytest.mark.parametrize(
    ("result", "words"),
    [(lambda a, b: (a @ b) + 5j, "complex"),
     (lambda a, b: (a @ b).to_sparse(), "sparse"),
     (lambda a, b: torch.empty(a.shape[0], b.shape[1], device="meta"), "meta tensor"),
     (lambda a, b: (a @ b).numpy(), "returned ndarray, not a tensor"),
     (lambda a, b: None, "returned NoneType")],
)  # fmt: skip
def test_an_answer_that_is_not_a_dense_real_tensor_is_incorrect_in_words(result, words):
    r = bench(result, course=False, shape=SMALL, budget=0.02)
    row = r.rows[0]
    assert row.status == "incorrect" and words in row.note, row.note


# -- containment --------------------------------------------------------------------------------


def test_anything_a_function_raises_is_its_rows_error_and_the_others_carry_on():
    def exits(a, b):
        raise SystemExit(1)

    class Weird(BaseException):
        pass

    def weird(a, b):
        raise Weird("odd")

    result = bench(exits, weird, my_matmul, course=False, shape=SMALL, budget=0.05)
    assert result["exits"].status == "failed" and result["exits"].error.startswith("SystemExit")
    assert result["weird"].status == "failed" and "odd" in result["weird"].error
    assert result["my_matmul"].status == "ok"


def test_an_error_only_while_timing_is_contained_too():
    calls = []

    def exits_later(a, b):
        calls.append(1)
        if len(calls) > 30:
            raise SystemExit("late")
        return a @ b

    result = bench(exits_later, my_matmul, course=False, shape=SMALL, budget=0.05)
    assert result["exits_later"].status == "failed"
    assert result["my_matmul"].status == "ok"


def test_a_callable_object_without_a_usable_name_is_named_after_its_class():
    class Named:
        __name__ = 42

        def __call__(self, a, b):
            return a @ b

    class Raising:
        @property
        def __name__(self):
            raise RuntimeError("no")

        def __call__(self, a, b):
            return a @ b

    result = bench(Named(), Raising(), Raising(), course=False, shape=SMALL, budget=0.02)
    assert [r.name for r in result.rows] == ["Named", "Raising", "Raising (2)"]
    assert all(r.status == "ok" for r in result.rows)


def test_functions_passed_in_always_race_and_only_selects_course_rows():
    def einsum(a, b):
        return torch.einsum("ik,kj->ij", a, b)

    result = bench(einsum, my_matmul, only=["einsum", "torch"], shape=SMALL, budget=0.05)
    assert [r.name for r in result.rows] == ["einsum", "torch", "einsum (2)", "my_matmul"]
    assert [r.kind for r in result.rows] == ["course", "course", "user", "user"]
    result = bench(my_matmul, only="torch", shape=SMALL, budget=0.02)
    assert [r.name for r in result.rows] == ["torch", "my_matmul"]
    with pytest.raises(ValueError, match="'nope' is not in the race"):
        bench(my_matmul, only="nope")


def test_course_names_are_the_lessons():
    assert [name for name, _ in COURSE] == ["loops", "elementwise", "broadcast", "einsum", "torch"]


def test_threads_contending_with_another_process_are_named():
    from matmul_magic.race import rows

    task = Task(Variant("t", "user", my_matmul), torch.ones(5, 3), torch.ones(3, 2))
    task.points = [(5, 2, 1e-4)]  # the full call, sized with one thread
    slow = timing.Measurement((1e-3, 1.1e-3, 0.9e-3))
    note = rows.thread_contention(task, slow, threads=2)
    assert note.startswith("unreliable: 10× slower with 2 threads than with one")
    assert "threads=1" in note
    assert rows.thread_contention(task, slow, threads=1) is None
    assert rows.thread_contention(task, timing.Measurement((1.2e-4,)), threads=2) is None
