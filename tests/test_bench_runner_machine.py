"""``bench(...)`` and the machine: devices, dtypes, peaks, noisy timings, absent optional steps."""

from __future__ import annotations

import pytest
import torch
from bench_runner_common import SMALL, my_matmul

from matmul_magic.race import bench_operands, checking, variants
from matmul_magic.race.runner import bench
from matmul_magic.race.task import Task

pytestmark = pytest.mark.usefixtures("no_mnist")


def test_skipped_optional_step_is_a_skipped_row(monkeypatch):
    from matmul_magic import progression

    monkeypatch.setattr(progression, "_have", lambda module: False)
    result = bench(only=["torch", "numba"], shape=SMALL, budget=0.02)
    numba_row = result["numba"]
    assert numba_row.status == "skipped" and numba_row.kind == "optional"
    assert numba_row.note == "skipped: numba is not installed" and numba_row.median is None


def test_a_noisy_row_is_flagged_and_said_once(monkeypatch):
    from matmul_magic.race import timing

    drift = iter(range(10**6))

    class Drifting(timing.CpuClock):
        # Each block 10 % slower than the last: however many blocks the machine's speed
        # allows, the median's interval spans several of them (a jitter over three values
        # gave ties, and with enough blocks an exact median: not noisy at all)
        def __call__(self, fn, args, number):
            super().__call__(fn, args, number)
            return 1e-3 * 1.1 ** next(drift) * number

    monkeypatch.setattr(timing, "clock_for", lambda device, l2_flush=False: Drifting())
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
    monkeypatch.setattr(checking, "gate", lambda task, r, c, depth=None: gates.append((r, c)))
    a, b = torch.empty(5, 7, device="meta"), torch.empty(7, 3, device="meta")
    variant = variants.Variant(name, kind, my_matmul)
    checking.check(Task(variant, a, b))
    assert gates[0] == ((1, 1) if climbs else (5, 3))


def test_release_memory_empties_the_cuda_cache_when_there_is_one(monkeypatch):
    emptied = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    bench_operands.release_memory()
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


def test_each_rows_blocks_are_divided_by_the_load_the_other_rows_saw(monkeypatch):
    """The rows' figures come through ``round_loads`` of the timed main tasks, each row's
    estimate given its own loads (the correction itself: tests/test_race.py)."""
    from matmul_magic.race import run

    given, passed = [], []
    monkeypatch.setattr(run, "round_loads", lambda tasks: given.append(tasks) or {
        id(t): {-2: t.variant.name} for t in tasks})  # fmt: skip
    real = run.estimate
    monkeypatch.setattr(run, "estimate", lambda task, load=None: passed.append(
        (task.variant.name, load)) or real(task))  # fmt: skip
    bench(my_matmul, only=["torch"], shape=SMALL, budget=0.02)
    assert [t.variant.name for t in given[-1]] == ["torch", "my_matmul"]
    assert ("my_matmul", {-2: "my_matmul"}) in passed and ("torch", {-2: "torch"}) in passed
