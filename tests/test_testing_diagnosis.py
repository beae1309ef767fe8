"""How `matmul_magic.testing` failures explain themselves: what differs, compactly, cheaply."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from testing_failures import ROOT, failure

from matmul_magic.testing import (
    collect_tests,
    is_close,
    test_close,
    test_eq,
    test_fail,
    test_ne,
    test_near,
)

# ---------------------------------------------------------------------------------------------
# Failures say why: diagnosis for tensors and arrays
# ---------------------------------------------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    message = failure(lambda: test_eq(torch.zeros(5, 10), torch.zeros(4, 10)))
    assert "shapes: (5, 10) vs (4, 10)" in message
    assert "dtypes: torch.float32 vs torch.float32" in message
    assert "devices: cpu vs cpu" in message


def test_diagnosis_counts_and_locates_differences():
    a = torch.zeros(5, 10)
    b = a.clone()
    b[2, 3] = 0.5
    b[4, 9] = 0.25
    message = failure(lambda: test_eq(a, b))
    assert "differing elements: 2 of 50 (4%)" in message
    assert "largest abs diff: 0.5 at index (2, 3)" in message
    assert "largest rel diff: 1 at index (2, 3)" in message

    b = torch.ones(5, 10)
    b[1, 7] = 1.1
    message = failure(lambda: test_near(torch.ones(5, 10), b))
    assert "differing elements: 1 of 50" in message
    assert "largest abs diff: 0.1 at index (1, 7)" in message
    assert re.search(r"largest rel diff: 0\.0909\d* at index \(1, 7\)", message)
    assert "tolerance: |a - b| <= 1e-05 + 0.001 * |b|" in message


def test_diagnosis_for_numpy_and_mixed_dtypes():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    b = a.astype(np.float32)
    b[1, 2] = 7.5
    message = failure(lambda: test_eq(a, b))
    assert "dtypes: int64 vs float32" in message
    assert "largest abs diff: 2.5 at index (1, 2)" in message
    assert "devices" not in message


def test_diagnosis_reports_nans():
    a = torch.tensor([1.0, float("nan"), 3.0])
    message = failure(lambda: test_near(a, torch.tensor([1.0, 2.0, 3.0])))
    assert "NaN among the differing elements: 1 in a, 0 in b" in message
    assert "differing elements: 1 of 3" in message
    test_near(a, a.clone(), equal_nan=True)
    test_fail(lambda: test_near(a, a.clone()))


def test_big_tensors_print_compactly():
    a = torch.arange(1_000_000.0).reshape(1000, 1000)
    message = failure(lambda: test_eq(a, a + 1))
    assert len(message.splitlines()) < 60
    first = message.splitlines()[1]
    assert first.startswith("tensor([[0") and first.endswith("]], shape=(1000, 1000))")
    assert len(first) < 100
    assert "differing elements: 1000000 of 1000000" in message
    # numpy would print a (999, 1) array on 999 lines.
    column = np.zeros((999, 1))
    message = failure(lambda: test_eq(column, column + 1))
    assert len(message.splitlines()) < 60
    assert "array([[0.], ..., [0.]], shape=(999, 1))" in message


def test_long_plain_values_are_clipped():
    message = failure(lambda: test_eq("\n".join(map(str, range(5000))), ""))
    assert len(message.splitlines()) < 60
    assert "more characters" in message  # a string shows as its repr: one line
    message = failure(lambda: test_eq([list(range(i)) for i in range(300)], []))
    assert len(message.splitlines()) < 60 and "more characters" in message


def test_bfloat16_and_grad_tensors_are_diagnosed():
    a = torch.ones(3, dtype=torch.bfloat16)
    message = failure(lambda: test_near(a, torch.zeros(3)))
    assert "dtypes: torch.bfloat16 vs torch.float32" in message
    w = torch.ones(3, requires_grad=True)
    message = failure(lambda: test_near(w * 2, torch.ones(3)))
    assert "largest abs diff: 1 at index (0,)" in message


def test_tensor_against_list_names_the_list():
    message = failure(lambda: test_eq(torch.zeros(2), [0, 1]))
    assert "dtypes: torch.float32 vs list" in message
    assert "device: cpu" in message


def test_zero_d_tensors_and_python_scalars_mix():
    test_eq(torch.tensor(3), 3)
    test_eq(3.0, torch.tensor(3.0))
    test_near(torch.tensor(1.0), 1.0005)
    test_close(torch.tensor(2.0), 2.0)
    test_close(np.float64(2.0), torch.tensor(2.0))
    test_ne(torch.tensor(3), 4)
    assert is_close(3, torch.tensor(3.0))
    message = failure(lambda: test_eq(torch.tensor(3.0), 4))
    assert "shapes: () vs ()" in message and "largest abs diff: 1 at index ()" in message


class _ClaimsCuda(torch.Tensor):
    """A CPU tensor that reports another device: the message logic, without a GPU."""

    @property
    def device(self):
        return torch.device("cuda", 0)


def test_device_mismatch_is_named_and_compared_on_the_cpu():
    elsewhere = torch.ones(3).as_subclass(_ClaimsCuda)
    test_eq(torch.ones(3), elsewhere)
    test_near(torch.ones(3), elsewhere)
    message = failure(lambda: test_near(torch.ones(3), elsewhere + 1))
    assert "devices: cpu vs cuda:0 (different devices: compared on the CPU)" in message
    assert "differing elements: 3 of 3" in message


def test_different_devices_compare_on_the_cpu():
    if torch.cuda.is_available():
        a, b = torch.ones(3), torch.ones(3, device="cuda")
    else:
        pytest.skip("needs a second device (CUDA) to put tensors on different devices")
    test_eq(a, b)
    test_near(a, b)
    message = failure(lambda: test_eq(a, b + 1))
    assert "devices: cpu vs cuda:0 (different devices: compared on the CPU)" in message


# ---------------------------------------------------------------------------------------------
# Compact failures, full values on request
# ---------------------------------------------------------------------------------------------


def test_a_failing_5_by_10_comparison_is_compact():
    torch.manual_seed(0)
    a = torch.randn(5, 10)
    b = a.clone()
    b[2, 7] += 0.03
    message = failure(lambda: test_near(a, b))
    lines = message.splitlines()
    assert len(lines) <= 10
    assert lines[0] == "near:" and lines[1].endswith(", shape=(5, 10))")
    assert "largest abs diff: 0.03 at index (2, 7)" in message
    with pytest.raises(AssertionError) as info:
        test_near(a, b)
    assert info.value.a is a and info.value.b is b  # the full values, on request


def test_collected_failures_keep_their_error():
    a = torch.zeros(20)
    with collect_tests(show=False, raise_on_failure=False) as report:
        test_eq(a, a + 1)
    assert report.failures[0].error.a is a
    with pytest.raises(AssertionError) as info, collect_tests(show=False):
        test_eq(a, a + 1)
    assert info.value.report.failures[0].error.a is a  # after a %%tests cell: sys.last_value


def test_small_values_still_print_as_fastcore_does():
    assert failure(lambda: test_eq(torch.tensor([1, 2]), torch.tensor([1, 3]))).startswith(
        "==:\ntensor([1, 2])\ntensor([1, 3])\n"
    )


# ---------------------------------------------------------------------------------------------
# Diagnosing a failure costs about what the check did (figures: benchmarks/test_cost.py)
# ---------------------------------------------------------------------------------------------


def _traced_peak(f) -> int:
    """The peak of memory that Python and numpy allocate (tracemalloc) while ``f`` runs."""
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        with pytest.raises(AssertionError):
            f()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("check", [test_eq, test_near])
@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_a_failure_never_copies_a_whole_operand_to_float64(check, lib):
    n = 1_000_000
    a = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    if lib == "torch":
        a = torch.from_numpy(a)
    operand = 4 * n
    # numpy's own isclose makes full-size temporaries: compare with the passing check.
    passing = 0
    if lib == "numpy" and check is test_near:
        import tracemalloc

        tracemalloc.start()
        check(a, a.copy())
        passing = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    b = a + 1
    peak = _traced_peak(lambda: check(a, b))
    assert peak - passing < operand / 2  # a float64 copy would be 2 operands


def test_the_cost_benchmark_runs_and_reports_its_targets():
    # Only the report's shape: timings are not asserted in unit tests.
    done = subprocess.run(
        [sys.executable, "benchmarks/test_cost.py", "--sizes", "2e5", "--rounds", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for check in ("test_eq", "test_near"):
        assert f"{check:<9} n=2e+05" in done.stdout
    assert done.stdout.count("(target <= 3x)") == 2
    assert done.stdout.count("failing beyond passing") == 2
