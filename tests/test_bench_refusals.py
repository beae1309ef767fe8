"""Arguments that cannot make a run are refused up front, in words (hostile review, items 3,
5, 6): sizes too large to allocate, a thread count torch cannot take, complex operands, a
malformed shape; numpy's numbers are numbers."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
import torch
from bench_runner_common import FAST, SMALL, my_matmul

from matmul_magic.race import bench_operands, options
from matmul_magic.race.runner import bench

pytestmark = pytest.mark.usefixtures("no_mnist")


@pytest.mark.parametrize(
    "kwargs, said",
    [
        ({"sweep": [2**31]}, "sweep size 2147483648 is too large: its two 2147483648×2147483648 "
                             "float32 operands take"),
        ({"shape": "1x1x4611686018427387904"}, "shape 1x1x4611686018427387904 is too large"),
        ({"shape": (2**40, 2**30, 1), "dtype": "float16"}, "float16 operands take"),
    ],
)  # fmt: skip
def test_sizes_no_allocation_can_hold_are_a_value_error_before_anything_runs(kwargs, said):
    with pytest.raises(ValueError, match=said) as caught:
        bench(my_matmul, course=False, **kwargs)
    assert "nothing was run" in str(caught.value)


def test_sizes_over_the_devices_memory_together_are_refused(monkeypatch):
    monkeypatch.setattr(bench_operands, "device_memory", lambda dev: 2 * 10**9)
    cpu = torch.device("cpu")
    bench_operands.check_sizes_fit((5, 784, 10), [8000], cpu, torch.float32)  # 1.02 GB: fits
    said = r"sweep size 20000 is too large.* 6.40 GB with the run's copy of each, more than cpu"
    with pytest.raises(ValueError, match=said + r" memory \(2.00 GB in all\)"):
        bench_operands.check_sizes_fit(None, [8, 20000], cpu, torch.float32)
    with pytest.raises(ValueError, match="the operands are too large together: 2.32 GB"):
        bench_operands.check_sizes_fit(None, [8000, 9000], cpu, torch.float32)


@pytest.mark.parametrize("threads", [2**63, 2**31, 1025, 0, np.int64(2**40)])
def test_a_thread_count_out_of_range_is_a_value_error_with_the_range(threads):
    before = torch.get_num_threads()
    with pytest.raises(ValueError, match="threads takes a whole number from 1 to 1024"):
        bench(my_matmul, course=False, shape=SMALL, budget=0.02, threads=threads)
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads takes a whole number from 1 to 1024"):
        options.parse_threads(str(threads))


@pytest.mark.parametrize("budget", [np.float64(0.05), np.int64(1), np.float32(0.05)])
def test_numpy_numbers_are_budgets(budget):
    result = bench(only="torch", shape=SMALL, budget=budget)
    assert result.budget == float(budget) and result["torch"].status == "ok"


def test_a_decimal_budget_is_taken_as_the_line_takes_it():
    result = bench(only="torch", shape=SMALL, budget=Decimal("0.05"))
    assert result.budget == 0.05 == options.parse_budget("0.05")


@pytest.mark.parametrize(
    "budget",
    [np.bool_(True), True, "1", np.float64("nan"), np.inf, 10**400, Decimal("nan")]
    # no repr, no float: the rule's words all the same
    + [pytest.param(10**5000, id="5001-digits"), Decimal("sNaN")],
)
def test_what_is_not_a_real_number_of_seconds_is_still_refused(budget):
    with pytest.raises((TypeError, ValueError), match="budget"):
        bench(only="torch", shape=SMALL, budget=budget)


@pytest.mark.parametrize(
    "a, b, said",
    [
        (torch.randn(3, 4, dtype=torch.complex64), None, r"a is complex \(complex64\)"),
        (torch.randn(3, 4), np.ones((4, 2), dtype=complex), r"b is complex \(complex128\)"),
        ([[1j, 2.0], [3.0, 4.0]], None, r"a is complex \(complex64\)"),
    ],
)
def test_complex_operands_are_refused_not_cast_to_real(a, b, said, recwarn):
    with pytest.raises(ValueError, match=said + ".*would drop the imaginary part"):
        bench(my_matmul, a=a, b=b, only=FAST, budget=0.05)
    assert not [w for w in recwarn if "imaginary" in str(w.message).lower()]


@pytest.mark.parametrize("on_meta", ["a", "b"])
def test_an_operand_on_the_meta_device_is_refused_by_name(on_meta):
    operands = {"a": torch.randn(5, 784), "b": torch.randn(784, 10)}
    operands[on_meta] = operands[on_meta].to("meta")
    with pytest.raises(ValueError, match=f"{on_meta} is on the meta device.*no values"):
        bench(my_matmul, **operands, only=FAST, budget=0.05)


@pytest.mark.parametrize("text", ["5x7x3x", "x5x7x3", "5xx7x3", "5x7x", " x ", "5,7,3,"])
def test_a_malformed_shape_is_a_value_error_naming_the_text(text):
    with pytest.raises(ValueError, match=f"got {text!r}"):
        bench(my_matmul, course=False, shape=text, budget=0.02)


@pytest.mark.parametrize("text", ["5x7x3", " 5 x 7 x 3 ", "5×7×3", "5,7,3", "5*7*3", "5X7X3"])
def test_well_formed_shapes_still_parse(text):
    assert options.parse_shape(text) == (5, 7, 3)
