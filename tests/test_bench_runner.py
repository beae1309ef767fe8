"""``bench(...)`` structure: rows, operands, baseline, progress, extrapolation and sweeps."""

from __future__ import annotations

import gzip
import json
import pickle
import time

import numpy as np
import pytest
import torch
from bench_runner_common import FAST, SMALL, my_matmul

from matmul_magic.bench_result.result import BenchProgress, BenchResult
from matmul_magic.race import bench_operands, checking, plan
from matmul_magic.race.runner import bench, parse_shape

pytestmark = pytest.mark.usefixtures("no_mnist")


# -- the happy path ------------------------------------------------------------------------------


def test_default_operands_are_the_lessons_shape_with_seeded_random_data():
    threads_before = torch.get_num_threads()
    result = bench(only=FAST, budget=0.05, device="cpu")
    assert isinstance(result, BenchResult)
    assert result.shapes == {"a": (5, 784), "b": (784, 10)}
    assert result.operands == "random, seed 0"
    assert result.device == "cpu" and result.dtype == "float32"
    assert [r.name for r in result.rows] == FAST
    # one thread unless asked (stable while another program holds a core), then restored
    assert result.environment.threads == plan.DEFAULT_CPU_THREADS == 1
    assert torch.get_num_threads() == threads_before
    assert result.environment.timer == "time.perf_counter"
    assert result.environment.tf32 is None and result.environment.peak_gflops is None
    assert result.budget == 0.05 and result.elapsed > 0 and not result.interrupted


def test_local_mnist_rows_are_used_when_present(no_mnist):
    rng = np.random.default_rng(0)
    x_valid = rng.random((7, 784), dtype=np.float32)
    split = (x_valid, np.zeros(7, dtype=np.int64))
    (no_mnist / "data").mkdir()
    with gzip.open(no_mnist / "data" / "mnist.pkl.gz", "wb") as f:
        pickle.dump((split, split, split), f)
    seen = []
    result = bench(lambda a, b: seen.append(a.clone()) or a @ b, only=["<lambda>"], budget=0.02)
    assert result.operands == "mnist"
    torch.testing.assert_close(seen[-1], torch.from_numpy(x_valid[:5]))


def test_course_rows_come_in_lesson_order_then_optional_then_user():
    result = bench(my_matmul, shape=SMALL, budget=0.2, device="cpu")
    names = [r.name for r in result.rows]
    assert names[:5] == ["loops", "elementwise", "broadcast", "einsum", "torch"]
    assert names[-1] == "my_matmul"
    kinds = {r.name: r.kind for r in result.rows}
    assert kinds["loops"] == "course" and kinds["my_matmul"] == "user"
    assert all(kinds[n] == "optional" for n in names[5:-1])
    for row in result.rows:
        if row.status == "skipped":
            assert row.note.startswith("skipped")
            continue
        assert row.status == "ok", (row.name, row.error, row.note)
        assert row.correct is True and row.max_abs_err is not None
        assert row.median > 0 and row.iqr >= 0 and row.min <= row.median and row.runs >= 1
        assert row.gflops == pytest.approx(2 * 3 * 16 * 4 / row.median / 1e9)
        # the ratio of the medians, inside its interval when the blocks give one
        assert row.speedup == pytest.approx(result["loops"].median / row.median)
        if row.speedup_low is not None:
            assert 0 < row.speedup_low <= row.speedup <= row.speedup_high
    assert result.baseline == "loops" and result["loops"].speedup == 1.0


def test_result_round_trips_through_its_json_contract():
    result = bench(my_matmul, only=["torch", "my_matmul"], shape=SMALL, budget=0.05)
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    again = BenchResult.from_dict(payload)
    assert [r.name for r in again.rows] == ["torch", "my_matmul"]
    assert again.rows == result.rows


def test_explicit_operands_and_dtype():
    a, b = torch.randn(4, 6, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    result = bench(a=a, b=b, only=FAST, budget=0.05)
    assert result.operands == "user" and result.dtype == "float64"
    assert result.shapes == {"a": (4, 6), "b": (6, 2)}
    assert bench(a=a, b=b, dtype="bf16", only=["torch"], budget=0.02).dtype == "bfloat16"


def test_baseline_can_be_chosen_and_falls_back_when_loops_is_absent():
    result = bench(only=FAST, shape=SMALL, budget=0.05)
    assert result.baseline == "einsum" and result["einsum"].speedup == 1.0
    result = bench(only=FAST, shape=SMALL, budget=0.05, baseline="torch")
    assert result.baseline == "torch" and result["torch"].speedup == 1.0
    with pytest.raises(ValueError, match="baseline 'nope'"):
        bench(only=FAST, shape=SMALL, baseline="nope")


def test_a_variant_that_writes_into_its_inputs_harms_no_other_row():
    def scales_a(a, b):
        a.mul_(2)
        return (a / 2) @ b

    def zeroes_b(a, b):
        b.zero_()
        return a @ torch.zeros_like(b)

    a, b = torch.randn(3, 16), torch.randn(16, 4)
    mine = a.clone(), b.clone()
    result = bench(scales_a, my_matmul, zeroes_b, a=a, b=b, course=False, budget=0.05)
    assert result["my_matmul"].status == "ok", result["my_matmul"].note
    for name, which in (("scales_a", "a"), ("zeroes_b", "b")):
        assert result[name].status == "incorrect" and result[name].median is None
        assert f"changed its input {which} in place" in result[name].note
    assert torch.equal(a, mine[0]) and torch.equal(b, mine[1])  # the user's tensors too
    nan = torch.tensor([float("nan"), 1.0])
    assert bench_operands.same_values(nan, nan.clone())  # an unchanged NaN is not a write
    assert not bench_operands.same_values(nan, torch.tensor([float("nan"), 2.0]))


def test_no_course_races_only_user_functions():
    result = bench(my_matmul, course=False, shape=SMALL, budget=0.02)
    assert [r.name for r in result.rows] == ["my_matmul"]


def test_progress_follows_the_contract():
    seen: list[BenchProgress] = []
    result = bench(only=FAST, shape=SMALL, budget=0.05, on_progress=seen.append)
    assert seen[0].rows == () and seen[0].current == "einsum"
    assert seen[0].planned == tuple(FAST)
    assert {p.phase for p in seen} <= {"check", "time", "sweep", "done"}
    assert seen[-1].phase == "done"
    assert [len(p.rows) for p in seen] == sorted(len(p.rows) for p in seen)
    assert seen[-1].current is None
    assert [r.name for r in seen[-1].rows] == [r.name for r in result.rows]
    assert all(r.median is not None for r in seen[-1].rows)


# -- extrapolation -----------------------------------------------------------------------------


def slow_user_fn(a, b):
    """About 2 ms per output: pure-Python-loop-like cost."""
    time.sleep(0.002 * a.shape[0] * b.shape[1])
    return a @ b


def test_a_slow_variant_is_timed_on_a_slice_and_flagged_extrapolated():
    result = bench(slow_user_fn, course=False, shape="8x4x8", budget=0.3)
    (row,) = result.rows
    assert row.status == "ok" and row.extrapolated
    assert "estimated from" in row.note and "per output" in row.note
    # 64 outputs at 2 ms would be ~0.13 s a call (a busy machine stretches short sleeps, so
    # only the order of magnitude is asserted; test_bench_honest pins the arithmetic)
    assert 0.05 < row.median < 1.5
    assert result.to_dict()["rows"][0]["extrapolated"] is True


def fixed_cost_fn(a, b):
    """A large fixed cost and nothing per output: slicing it would be wrong."""
    time.sleep(0.004)
    return a @ b


def test_fixed_cost_is_not_mistaken_for_work_per_output():
    result = bench(fixed_cost_fn, course=False, shape="8x4x8", budget=0.5)
    (row,) = result.rows
    assert not row.extrapolated, row.note


def test_shape_helpers():
    assert parse_shape("5x784x10") == (5, 784, 10)
    assert parse_shape((2, 3, 4)) == (2, 3, 4)
    for bad in ("5x784", "axbxc", (0, 1, 2)):
        with pytest.raises(ValueError):
            parse_shape(bad)
    assert checking.shape_of(1, 5, 10) == (1, 1)
    assert checking.shape_of(4, 5, 10) == (1, 4)
    assert checking.shape_of(23, 5, 10) == (2, 10)
    assert checking.shape_of(80, 5, 10) == (5, 10)


# -- sweeps ------------------------------------------------------------------------------------


def test_sweep_adds_points_and_an_exponent_per_variant():
    result = bench(only=["loops", "torch"], sweep=[2, 4, 8], shape="2x3x2", budget=1.0)
    assert result.sweep_sizes == (2, 4, 8)
    for row in result.rows:
        assert [p.size for p in row.points] == [2, 4, 8]
        assert all((p.m, p.k, p.n) == (p.size,) * 3 for p in row.points)
        # each size measured, or said not reached (a machine this busy cannot keep up)
        assert all(p.median > 0 or p.error.startswith("not measured") for p in row.points)
        assert row.points[0].median > 0
        # fitted only on medians known well enough, and said so otherwise (load decides)
        assert row.exponent is not None or "no exponent: " in row.note, row.note
    assert result.exponents.keys() == {"loops", "torch"}


def test_a_sweep_the_budget_cannot_reach_says_which_sizes_it_measured(monkeypatch):
    from matmul_magic.race import plan as race_plan

    monkeypatch.setattr(race_plan, "CHECK_SHARE", 0.0)  # the checks' share is spent at once
    result = bench(only=["torch"], sweep=[2, 4, 8], shape="2x3x2", budget=0.2)
    row = result["torch"]
    assert all(p.median is None for p in row.points)
    assert all(p.error.startswith("not measured: the budget was spent") for p in row.points)
    assert "a larger one would reach it" in row.points[0].error
    assert "swept 0 of 3 sizes" in row.note and row.exponent is None
    assert row.median is not None  # the main operands were still timed


def test_a_size_the_race_could_not_time_is_said_not_measured_not_left_empty(monkeypatch):
    """Sizes are checked only while the rounds left can still give every probe its first
    blocks: at budget=3 a 20-size sweep checked 17 sizes and timed none."""
    from matmul_magic.race import run as race_run

    monkeypatch.setattr(race_run.plan, "FLOOR_BLOCKS", 10**6)  # no budget affords a size
    result = bench(only=["torch"], sweep=[2, 4, 8], shape="2x3x2", budget=0.2)
    row = result["torch"]
    assert all(p.median is None for p in row.points)
    assert all(p.error.startswith("not measured: the budget was spent") for p in row.points)
    assert "swept 0 of 3 sizes" in row.note and row.median is not None


def test_a_checked_size_the_race_gave_no_block_is_said_not_measured(monkeypatch):
    """However the rounds run short, no point is left with neither a median nor a reason,
    and the row's note counts only the sizes with a median."""
    from matmul_magic.race import run as race_run

    monkeypatch.setattr(race_run.Race, "run", lambda self: None)  # no block for anyone
    result = bench(only=["torch"], sweep=[2, 4], shape="2x3x2", budget=0.2)
    row = result["torch"]
    assert all(p.median is None and p.error.startswith("not measured") for p in row.points)
    assert "swept 0 of 2 sizes" in row.note


def test_an_exponent_is_fitted_only_on_well_known_points():
    from matmul_magic.bench_result.result import SweepPoint
    from matmul_magic.race.rows import sweep_exponent

    def point(size, median, spread):
        return SweepPoint(size=size, m=size, k=size, n=size, median=median,
                          median_low=median * (1 - spread), median_high=median * (1 + spread),
                          iqr=0.0, runs=10, extrapolated=False, error=None)  # fmt: skip

    cubic = [point(s, s**3 * 1e-9, 0.01) for s in (8, 16, 32, 64)]
    exponent, note = sweep_exponent(tuple(cubic))
    assert exponent == pytest.approx(3.0) and note is None
    wild = point(128, 1.0, 0.9)  # known only to ±90 %: it would drag the slope
    exponent, note = sweep_exponent((*cubic, wild))
    assert exponent == pytest.approx(3.0) and "1 left out" in note
    exponent, note = sweep_exponent((cubic[0], cubic[1], wild))
    assert exponent is None and note.startswith("no exponent: 2 of 3 sizes")


def test_sweep_sizes_are_validated():
    with pytest.raises(ValueError, match="sweep"):
        bench(only=FAST, sweep=[0, 4])
    with pytest.raises(ValueError, match="sweep"):
        bench(only=FAST, sweep="a,b")
