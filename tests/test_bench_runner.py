"""``bench(...)``: structure, flags and fault handling. Budgets are tiny; no timing is asserted."""

from __future__ import annotations

import gzip
import json
import pickle
import time

import numpy as np
import pytest
import torch

from matmul_magic.bench_result.result import BenchProgress, BenchResult
from matmul_magic.race import gate, ladder, operands, rounds, variants
from matmul_magic.race.runner import bench, parse_shape

FAST = ["einsum", "torch"]
SMALL = "3x16x4"


pytestmark = pytest.mark.usefixtures("no_mnist")


def my_matmul(a, b):
    return a @ b


# -- the happy path ------------------------------------------------------------------------------


def test_default_operands_are_the_lessons_shape_with_seeded_random_data():
    result = bench(only=FAST, budget=0.05, device="cpu")
    assert isinstance(result, BenchResult)
    assert result.shapes == {"a": (5, 784), "b": (784, 10)}
    assert result.operands == "random, seed 0"
    assert result.device == "cpu" and result.dtype == "float32"
    assert [r.name for r in result.rows] == FAST
    assert result.environment.threads == torch.get_num_threads()
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
        # the median of per-round ratios, inside its interval (no timing is asserted)
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
    assert operands.same_values(nan, nan.clone())  # an unchanged NaN is not a write
    assert not operands.same_values(nan, torch.tensor([float("nan"), 2.0]))


@pytest.mark.parametrize("kwargs", [{"shape": "8x16x4"}, {"shape": "8x16x4", "sweep": [8]}])
def test_operands_too_big_for_memory_are_a_value_error(monkeypatch, kwargs):
    def no_room(*args, **kw):
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] DefaultCPUAllocator: can't allocate memory: "
            "you tried to allocate 40000000000 bytes. Error code 12 (Cannot allocate memory)"
        )

    real = operands.random_operand
    calls = []

    def random(shape, seed, kind):
        calls.append(shape)
        # the main operands are fine when a sweep is asked for: its sizes are what fails
        return real(shape, seed, kind) if "sweep" in kwargs and len(calls) <= 2 else no_room()

    monkeypatch.setattr(operands, "random_operand", random)
    message = r"^the operands do not fit in cpu memory \(one of them needs 40 GB\); choose a"
    with pytest.raises(ValueError, match=message):
        bench(my_matmul, course=False, budget=0.05, **kwargs)


def test_no_room_for_the_copy_that_guards_the_operands_is_a_value_error(monkeypatch):
    def no_room(self, *args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(torch.Tensor, "clone", no_room)
    with pytest.raises(ValueError, match="^the operands do not fit in cpu memory; choose a"):
        bench(my_matmul, course=False, shape=SMALL, budget=0.05)


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
    result = bench(slow_user_fn, course=False, shape="8x4x8", budget=0.1)
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
    assert ladder.shape_of(1, 5, 10) == (1, 1)
    assert ladder.shape_of(4, 5, 10) == (1, 4)
    assert ladder.shape_of(23, 5, 10) == (2, 10)
    assert ladder.shape_of(80, 5, 10) == (5, 10)


# -- sweeps ------------------------------------------------------------------------------------


def test_sweep_adds_points_and_an_exponent_per_variant():
    result = bench(only=["loops", "torch"], sweep=[2, 4, 8], shape="2x3x2", budget=0.3)
    assert result.sweep_sizes == (2, 4, 8)
    for row in result.rows:
        assert [p.size for p in row.points] == [2, 4, 8]
        assert all((p.m, p.k, p.n) == (p.size,) * 3 for p in row.points)
        assert all(p.median and p.median > 0 for p in row.points)
        assert row.exponent is not None
    assert result.exponents.keys() == {"loops", "torch"}


def test_sweep_sizes_are_validated():
    with pytest.raises(ValueError, match="sweep"):
        bench(only=FAST, sweep=[0, 4])
    with pytest.raises(ValueError, match="sweep"):
        bench(only=FAST, sweep="a,b")


# -- faults ------------------------------------------------------------------------------------


def test_unknown_or_unavailable_device_lists_the_available_ones():
    with pytest.raises(ValueError, match="available: .*cpu"):
        bench(device="tpu", only=FAST)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' is not available"):
            bench(device="cuda", only=FAST)


def test_bad_dtype_is_a_value_error():
    with pytest.raises(ValueError, match="dtype"):
        bench(dtype="int7", only=FAST)


def test_incompatible_operands_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(4, 2\)"):
        bench(a=torch.ones(5, 3), b=torch.ones(4, 2), only=FAST)
    with pytest.raises(ValueError, match="incompatible"):
        bench(a=torch.ones(2, 3, 4), b=torch.ones(4, 2), only=FAST)


def test_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="functions"):
        bench(42, only=FAST)


def test_unknown_only_name_is_a_value_error():
    with pytest.raises(ValueError, match="'nope'.*loops"):
        bench(only=["nope"])


def test_bad_budget_is_a_value_error():
    with pytest.raises(ValueError, match="budget"):
        bench(only=FAST, budget=0)


def one_argument(a):
    return a


def boom(a, b):
    raise RuntimeError("<b>boom</b>")


def off_by_one(a, b):
    return a @ b + 1


def wrong_shape(a, b):
    return (a @ b).T


def returns_a_list(a, b):
    return (a @ b).tolist()


def test_faulty_variants_become_rows_and_the_others_carry_on():
    result = bench(
        one_argument, boom, off_by_one, wrong_shape, returns_a_list, my_matmul,
        only=["torch", "one_argument", "boom", "off_by_one", "wrong_shape", "returns_a_list",
              "my_matmul"],
        shape=SMALL, budget=0.1,
    )  # fmt: skip
    rows = {r.name: r for r in result.rows}
    assert rows["one_argument"].status == "failed"
    assert rows["one_argument"].error.startswith("TypeError:")
    assert rows["boom"].status == "failed" and rows["boom"].error == "RuntimeError: <b>boom</b>"
    assert rows["off_by_one"].status == "incorrect"
    assert rows["off_by_one"].max_abs_err == pytest.approx(1.0)
    assert rows["off_by_one"].median is None and "not timed" in rows["off_by_one"].note
    assert rows["wrong_shape"].status == "incorrect" and "shape" in rows["wrong_shape"].note
    assert rows["returns_a_list"].status == "incorrect"  # only a tensor is an answer
    assert "returned list, not a tensor" in rows["returns_a_list"].note
    for name in ("torch", "my_matmul"):
        assert rows[name].status == "ok" and rows[name].median > 0
    assert [r.name for r in result.rows][0] == "torch"


def test_a_function_that_fails_only_on_slices_is_judged_on_the_full_operands():
    def needs_five_rows(a, b):
        if a.shape[0] != 5:
            raise ValueError("only five rows, please")
        return a @ b

    result = bench(needs_five_rows, course=False, budget=0.05)
    assert result.rows[0].status == "ok" and not result.rows[0].extrapolated


def test_keyboard_interrupt_keeps_finished_rows():
    def interrupting(a, b):
        raise KeyboardInterrupt

    result = bench(interrupting, my_matmul, only=["torch", "interrupting", "my_matmul"],
                   shape=SMALL, budget=0.05)  # fmt: skip
    assert result.interrupted is True
    # The check had passed torch; the race, which comes after every check, never ran.
    assert [r.name for r in result.rows] == ["torch"]
    assert result.rows[0].correct is True and result.rows[0].median is None
    assert "interrupted" in result.rows[0].note
    assert result.to_dict()["interrupted"] is True


def test_interrupt_from_the_progress_callback_is_an_interrupt_too():
    def stop_once_timed(progress):
        if progress.rows:
            raise KeyboardInterrupt

    result = bench(only=FAST, shape=SMALL, budget=0.05, on_progress=stop_once_timed)
    assert result.interrupted and [r.name for r in result.rows] == FAST
    assert all(r.median is not None for r in result.rows)  # what was measured is kept


def test_out_of_memory_is_reported_on_its_row_and_memory_released(monkeypatch):
    released = []
    monkeypatch.setattr(ladder, "release_memory", lambda: released.append(True))

    def hungry(a, b):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 64.00 GiB")

    result = bench(hungry, my_matmul, course=False, shape=SMALL, budget=0.05)
    row = result["hungry"]
    assert row.status == "failed"
    assert row.error.startswith("torch.OutOfMemoryError: CUDA out of memory")
    assert released
    assert result["my_matmul"].status == "ok"


def test_out_of_memory_during_timing_is_caught_too(monkeypatch):
    monkeypatch.setattr(rounds, "release_memory", lambda: None)
    calls = []

    def fails_later(a, b):
        calls.append(1)
        if len(calls) > 6:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return a @ b

    result = bench(fails_later, course=False, shape=SMALL, budget=0.05)
    assert result.rows[0].status == "failed" and "out of memory" in result.rows[0].error


def test_release_memory_runs_on_cpu():
    operands.release_memory()  # no GPU: gc only, no error


def test_the_gate_allows_the_dtypes_rounding_and_no_more():
    a, b = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0, 0.0], [0.0, 1000.0]])
    ref = a @ b
    assert gate.judge(ref, a, b).correct
    eps = torch.finfo(torch.float32).eps
    assert gate.judge(ref + torch.tensor([[0.0, 2000 * eps]]), a, b).correct  # rounding
    verdict = gate.judge(ref * (1 + 5e-3), a, b)
    assert not verdict.correct and verdict.max_abs_err == pytest.approx(20.0)
    assert not gate.judge(torch.full_like(ref, float("nan")), a, b).correct
    assert not gate.judge(object(), a, b).correct


def test_skipped_optional_step_is_a_skipped_row(monkeypatch):
    from matmul_magic import progression

    monkeypatch.setattr(progression, "_have", lambda module: False)
    result = bench(only=["torch", "numba"], shape=SMALL, budget=0.02)
    numba_row = result["numba"]
    assert numba_row.status == "skipped" and numba_row.kind == "optional"
    assert numba_row.note == "skipped: numba is not installed" and numba_row.median is None


def test_a_noisy_row_is_flagged_and_said_once(monkeypatch):
    from matmul_magic.race import timing

    jitter = iter(range(10**6))

    class Jittery(timing.CpuClock):
        def __call__(self, fn, args, number):
            super().__call__(fn, args, number)
            return (1.0 + (next(jitter) % 3)) * 1e-3 * number

    monkeypatch.setattr(timing, "clock_for", lambda device, l2_flush=False: Jittery())
    # one thread: the scripted times are far above the real ones, which would read as contention
    result = bench(my_matmul, course=False, shape=SMALL, budget=0.02, threads=1)
    row = result.rows[0]
    assert row.noisy and row.note is None  # the flag says it; the views word it once
    assert "the machine may be busy" in repr(result)


@pytest.mark.parametrize(("name", "kind", "climbs"), [("torch", "course", False),
                                                      ("loops", "course", True),
                                                      ("loops", "user", False)])  # fmt: skip
def test_on_accelerators_only_the_python_loop_steps_are_sliced(monkeypatch, name, kind, climbs):
    gates = []
    monkeypatch.setattr(ladder, "_gate", lambda task, r, c: gates.append((r, c)))
    a, b = torch.empty(5, 7, device="meta"), torch.empty(7, 3, device="meta")
    variant = variants.Variant(name, kind, my_matmul)
    ladder.check(ladder.Task(variant, a, b), budget=1.0)
    assert gates[0] == ((1, 1) if climbs else (5, 3))


def test_release_memory_empties_the_cuda_cache_when_there_is_one(monkeypatch):
    emptied = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    operands.release_memory()
    assert emptied == [True]


def test_known_peak_fills_pct_of_peak(monkeypatch):
    monkeypatch.setenv("MATMUL_MAGIC_PEAK_GFLOPS", "100")
    result = bench(only=["torch"], shape=SMALL, budget=0.02)
    row = result.rows[0]
    assert result.environment.peak_gflops == 100.0
    assert row.pct_of_peak == pytest.approx(row.gflops)  # gflops / 100 GFLOP/s × 100 %


def test_device_and_dtype_resolution(monkeypatch):
    from matmul_magic.race import devices

    assert devices.resolve_device(None) == torch.device(devices.available_devices()[0])
    assert devices.resolve_device("CPU") == torch.device("cpu")
    assert devices.resolve_dtype(None) == torch.float32
    assert devices.resolve_dtype("bf16") == torch.bfloat16
    assert devices.resolve_dtype(torch.float16) == torch.float16
    with pytest.raises(ValueError, match="not supported"):
        devices.resolve_dtype(torch.int32)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert devices.available_devices()[:3] == ["cuda", "cuda:0", "cuda:1"]
    assert devices.available_devices()[-1] == "cpu"


def test_cuda_peaks_follow_the_data_sheet():
    from matmul_magic.race import devices

    assert devices.cuda_peak_gflops("NVIDIA H200", "bfloat16") == pytest.approx(989_400)
    assert devices.cuda_peak_gflops("NVIDIA H100 PCIe", "bfloat16") == pytest.approx(756_000)
    assert devices.cuda_peak_gflops("NVIDIA GeForce GTX 1080", "float32") is None
    assert devices.peak_gflops(torch.device("cpu"), torch.float32) is None
