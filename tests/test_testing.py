"""The inline-test API: fastcore.test's documented examples, our documented differences,
the failure diagnosis, ``near``, and ``collect_tests``.

The test functions are imported by name on purpose: they carry ``__test__ = False``, so
pytest must not collect them (it would fail on their ``a``/``b`` parameters if it did).
"""

from __future__ import annotations

import io
import operator
import random
import re
import subprocess
import sys
import warnings
from copy import copy
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import matmul_magic
from matmul_magic.testing import (
    ExceptionExpected,
    TestReport,
    collect_tests,
    equals,
    exception,
    is_close,
    near,
    nequals,
    test,
    test_close,
    test_eq,
    test_eq_type,
    test_fail,
    test_is,
    test_ne,
    test_near,
    test_shuffled,
    test_stdout,
    test_warns,
)

MODEST = settings(max_examples=60, deadline=None)
ROOT = Path(__file__).resolve().parents[1]
array = np.array


def failure(f) -> str:
    """The message of the AssertionError that ``f()`` raises."""
    with pytest.raises(AssertionError) as info:
        f()
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# fastcore.test's documented examples (nbs/00_test.ipynb), same pass/fail here
# ---------------------------------------------------------------------------------------------


def test_fastcore_test_fail_examples():
    def _fail():
        raise Exception("foobar")

    test_fail(_fail, contains="foo")

    def _fail():
        raise Exception()

    test_fail(_fail)

    def _fail():
        raise ValueError()

    test_fail(_fail, exc=ValueError)
    test_fail(lambda: test_fail(_fail, exc=IndexError), exc=AssertionError)

    def _fail_args(a):
        if a == 5:
            raise ValueError

    test_fail(_fail_args, args=(5,))
    test_fail(_fail_args, kwargs=dict(a=5))

    def _fail():
        raise ValueError("oops")

    test_fail(_fail, contains="oops")


def test_test_fail_messages():
    assert failure(lambda: test_fail(lambda: None, msg="hint")) == (
        "Expected Exception but none raised. hint"
    )
    message = failure(lambda: test_fail(lambda: 1 / 0, exc=KeyError))
    assert message.startswith("Expected KeyError but got ZeroDivisionError: division by zero")
    assert "'bar'" in failure(lambda: test_fail(lambda: 1 / 0, contains="bar"))


def test_test_fail_refuses_a_value_instead_of_a_function():
    # fastcore would call 3(), catch the TypeError and pass: the test would test nothing.
    with pytest.raises(
        TypeError, match=r"needs a function to call, such as lambda: g\(x\); got int 3"
    ):
        test_fail(3)


def test_fastcore_test_examples():
    test([1, 2], [1, 2], operator.eq)
    test_fail(lambda: test([1, 2], [1], operator.eq))
    test([1, 2], [1], operator.ne)
    test_fail(lambda: test([1, 2], [1, 2], operator.ne))

    def in_(x, xs):
        return x in xs

    test(2, [1, 2, 3], in_)
    test("b", "abc", in_)
    test(["abc"], ["abc"], equals)
    test_fail(lambda: test(["abc"], ["cab"], equals))


def test_fastcore_equals_examples():
    test([["abc"], ["a"]], [["abc"], ["a"]], equals)
    test([["abc"], ["a"], "b", [["x"]]], [["abc"], ["a"], "b", [["x"]]], equals)
    test(["abc"], ["ab"], nequals)


def test_fastcore_test_eq_examples():
    test_eq([1, 2], [1, 2])
    test_eq([1, 2], map(int, [1, 2]))
    test_eq(array([1, 2]), array([1, 2]))
    test_eq([array([1, 2]), 3], [array([1, 2]), 3])
    test_eq(dict(a=1, b=2), dict(b=2, a=1))
    test_fail(lambda: test_eq([1, 2], 1), contains="==")
    test_fail(lambda: test_eq(None, np.array([1, 2])), contains="==")
    test_eq({"a", "b", "c"}, {"c", "a", "b"})
    test_eq(array([1, 2]), [1, 2])


def test_fastcore_test_eq_tensor_examples():
    test_eq(torch.zeros(10), torch.zeros(10, dtype=torch.float64))
    test_eq(torch.zeros(10), torch.ones(10) - 1)
    test_fail(lambda: test_eq(torch.zeros(10), torch.ones(1, 10)), contains="==")
    test_eq(torch.zeros(3), [0, 0, 0])


def test_fastcore_test_eq_dataframe_examples():
    pd = pytest.importorskip("pandas")
    df1 = pd.DataFrame(dict(a=[1, 2], b=["a", "b"]))
    df2 = pd.DataFrame(dict(a=[1, 2], b=["a", "b"]))
    df3 = pd.DataFrame(dict(a=[1, 2], b=["a", "c"]))
    test_eq(df1, df2)
    test_eq(df1.a, df2.a)
    test_fail(lambda: test_eq(df1, df3), contains="==")

    class T(pd.Series):
        pass

    test_eq(df1.iloc[0], T(df2.iloc[0]))


def test_fastcore_test_eq_type_examples():
    test_eq_type(1, 1)
    test_fail(lambda: test_eq_type(1, 1.0))
    test_eq_type([1, 1], [1, 1])
    test_fail(lambda: test_eq_type([1, 1], (1, 1)))
    test_fail(lambda: test_eq_type([1, 1], [1, 1.0]))


def test_fastcore_test_ne_examples():
    test_ne([1, 2], [1])
    test_ne([1, 2], [1, 3])
    test_ne(array([1, 2]), array([1, 1]))
    test_ne([array([1, 2]), 3], [array([1, 2])])
    test_ne([3, 4], array([3]))
    test_ne([3, 4], array([3, 5]))
    test_ne(dict(a=1, b=2), ["a", "b"])
    test_ne(["a", "b"], dict(a=1, b=2))


def test_fastcore_test_close_examples():
    test_close(1, 1.001, eps=1e-2)
    test_fail(lambda: test_close(1, 1.001))
    test_close([-0.001, 1.001], [0.0, 1.0], eps=1e-2)
    test_close(np.array([-0.001, 1.001]), np.array([0.0, 1.0]), eps=1e-2)
    test_close(array([-0.001, 1.001]), array([0.0, 1.0]), eps=1e-2)
    test_close(["a", "b"], ["a", "b"])
    test_fail(lambda: test_close(["a", "b"], ["a", "c"]))


def test_fastcore_test_is_examples():
    test_fail(lambda: test_is([1], [1]))
    a = [1]
    test_is(a, a)
    b = [2]
    test_fail(lambda: test_is(a, b))


def test_fastcore_test_shuffled_examples():
    a = list(range(50))
    b = copy(a)
    random.Random(0).shuffle(b)
    test_shuffled(a, b)
    test_fail(lambda: test_shuffled(a, a))
    test_fail(lambda: test_shuffled("abc", "abcabc"))
    test_shuffled(["a", 42, True], [42, True, "a"])


def test_fastcore_test_stdout_examples():
    test_stdout(lambda: print("hi"), "hi")
    test_fail(lambda: test_stdout(lambda: print("hi"), "ho"))
    test_stdout(lambda: 1 + 1, "")
    test_stdout(lambda: print("hi there!"), r"^hi.*!$", regex=True)
    assert "did not match" in failure(lambda: test_stdout(lambda: print("x"), "^y", regex=True))


def test_fastcore_test_warns_examples(capsys):
    test_warns(lambda: warnings.warn("Oh no!", stacklevel=2), {})
    test_fail(lambda: test_warns(lambda: 2 + 2), contains="No warnings raised")
    test_warns(lambda: warnings.warn("Oh no!", stacklevel=2), show=True)
    assert capsys.readouterr().out == "<class 'UserWarning'>: Oh no!\n"


def test_fastcore_exception_expected_examples():
    def _tst_1():
        assert False, "This is a test"  # noqa: B011

    def _tst_2():
        raise SyntaxError

    with ExceptionExpected():
        _tst_1()
    with ExceptionExpected(ex=AssertionError, regex="This is a test"):
        _tst_1()
    with ExceptionExpected(ex=SyntaxError):
        _tst_2()
    with exception:
        _tst_1()

    def _f():
        with ExceptionExpected():
            pass

    test_fail(partial(_f))

    def _f():
        with ExceptionExpected(SyntaxError):
            raise AssertionError

    test_fail(partial(_f))

    def _f():
        with ExceptionExpected(AssertionError, "Yes"):
            raise AssertionError("No")

    test_fail(partial(_f))


def test_exception_expected_raises_type_error_like_fastcore():
    with pytest.raises(TypeError, match=re.escape("Expected Exception() not raised.")):
        with exception:
            pass


# ---------------------------------------------------------------------------------------------
# fastcore's message form: "{cname}:\n{a}\n{b}", cnames ==, !=, close, is
# ---------------------------------------------------------------------------------------------


def test_message_form_matches_fastcore():
    assert failure(lambda: test_eq([1, 2], [1])) == "==:\n[1, 2]\n[1]"
    assert failure(lambda: test_ne(1, 1)) == "!=:\n1\n1"
    assert failure(lambda: test_close(1, 1.001)) == "close:\n1\n1.001"
    assert failure(lambda: test_is([1], [1])) == "is:\n[1]\n[1]"
    assert failure(lambda: test_eq_type(1, 1.0)) == "==:\n<class 'int'>\n<class 'float'>"
    assert failure(lambda: test(1, 2, operator.eq)) == "eq:\n1\n2"
    assert failure(lambda: test(1, 2, operator.eq, "equal")) == "equal:\n1\n2"
    assert failure(lambda: test_near(1.0, 2.0)) == "near:\n1.0\n2.0"


def test_tensor_messages_start_with_fastcores_lines():
    a, b = torch.zeros(3), torch.ones(3)
    message = failure(lambda: test_eq(a, b))
    assert message.startswith(f"==:\n{a}\n{b}\n")
    message = failure(lambda: test_ne(a, a))
    assert message.startswith(f"!=:\n{a}\n{a}\n")
    message = failure(lambda: test_close(a, b))
    assert message.startswith(f"close:\n{a}\n{b}\n")


def test_failures_raise_even_without_assert_statements():
    # fastcore uses `assert`, which `python -O` strips: these must still fail there.
    code = (
        "from matmul_magic.testing import test_eq\n"
        "try:\n    test_eq(1, 2)\nexcept AssertionError as e:\n    print('failed', repr(str(e)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "failed '==:\\n1\\n2'"


# ---------------------------------------------------------------------------------------------
# Where we differ from fastcore, each written in a docstring
# ---------------------------------------------------------------------------------------------


def test_different_shapes_are_never_equal():
    # fastcore: np.array_equal-free broadcasting makes zeros(3) "equal" zeros(2, 3).
    assert not equals(torch.zeros(3), torch.zeros(2, 3))
    assert not equals(np.zeros(3), np.zeros((2, 3)))
    assert not equals(torch.zeros(1), 0.0)
    test_ne(torch.zeros(3), torch.zeros(2, 3))
    test_fail(lambda: test_eq(np.zeros(3), np.zeros((1, 3))), contains="==")
    assert "broadcast" in equals.__doc__


def test_different_shapes_are_never_near_or_close():
    assert not near(torch.zeros(3), torch.zeros(2, 3))
    assert not near(np.ones(3), np.ones((3, 1)))
    assert not is_close(torch.zeros(3), torch.zeros(2, 3))
    test_fail(lambda: test_near(torch.ones(4, 10), torch.ones(10)), contains="near")
    assert "broadcast" in near.__doc__ or "shapes" in near.__doc__


def test_test_close_does_not_truncate_iterables():
    # fastcore zips, so [1, 2, 3] is "close" to [1, 2] there.
    assert not is_close([1, 2, 3], [1, 2])
    assert not is_close((x for x in [1.0, 2.0]), [1.0])
    test_fail(lambda: test_close([1, 2, 3], [1, 2]), contains="close")
    test_fail(lambda: test_close([[1, 2], [3]], [[1, 2], [3, 4]]), contains="close")
    assert "truncate" in test_close.__doc__ and "lengths" in is_close.__doc__


def test_numpy_length_mismatch_is_an_assertion_error():
    # fastcore raises ValueError ("operands could not be broadcast") here.
    message = failure(lambda: test_close(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0])))
    assert "(3,) vs (2,)" in message
    test_fail(lambda: test_eq(np.arange(3), np.arange(2)), exc=AssertionError)
    test_fail(lambda: test_near(np.arange(3), np.arange(2)), exc=AssertionError)
    assert "ValueError" in is_close.__doc__


def test_warns_sees_warnings_that_filters_would_hide():
    # DeprecationWarning is ignored by default outside __main__; fastcore misses it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test_warns(lambda: warnings.warn("old", DeprecationWarning, stacklevel=2))
    assert "filter" in test_warns.__doc__


def test_python_floats_take_the_dtype_they_are_compared_with():
    # As in torch arithmetic: [0.1] is float32 next to a float32 tensor, float64 next to float64.
    test_eq(torch.tensor([0.1]), [0.1])
    test_eq(torch.tensor([0.1], dtype=torch.float64), [0.1])
    test_eq(torch.tensor(0.1, dtype=torch.float64), 0.1)
    test_eq(np.array([0.1], dtype=np.float32), [0.1])
    test_eq(torch.tensor([1, 2]), [1.0, 2.0])
    test_ne(torch.tensor([1.5]), [1])
    test_ne(torch.tensor([1], dtype=torch.uint8), [-1])
    # Real arrays keep their dtype: float32(0.1) is not float64(0.1).
    test_ne(torch.tensor([0.1]), np.array([0.1]))


def test_mixed_containers_and_non_numeric_arrays():
    test_eq({"w": torch.ones(2), "b": 0}, {"b": 0, "w": torch.ones(2)})  # fastcore raises here
    test_ne({"w": torch.ones(2)}, {"w": torch.zeros(2)})
    test_ne({"a": 1}, {"b": 1})
    test_eq(np.array(["a", "b"]), ["a", "b"])
    test_eq(np.array([1, "a"], dtype=object), [1, "a"])
    test_eq(np.array([["a", "b"], ["c", "d"]]), [["a", "b"], ["c", "d"]])
    test_ne(np.array(["a", "b"]), ["a", "b", "c"])
    test_ne(torch.zeros(2), ["a", "b"])
    test_close(np.array(["a", "b"]), ["a", "b"])
    message = failure(lambda: test_close(np.array(["a", "b"]), np.array(["a", "c"])))
    assert "first difference at index (1,): 'b' vs 'c'" in message


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
    assert "more lines" in message


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
# near / test_near / test_close tolerances
# ---------------------------------------------------------------------------------------------


def test_near_is_the_lessons_allclose():
    assert near(torch.tensor([1.0, 2.0]), torch.tensor([1.0005, 2.001]))
    assert not near(torch.tensor([1.0]), torch.tensor([1.01]))
    assert near(1.0, 1.0005) and not near(1.0, 1.01)
    assert near([1.0, 2.0], [1.0, 2.0009])
    assert near(np.array([0.0]), np.array([1e-6]))
    assert not near(np.array([0.0]), np.array([1e-4]))
    assert near(torch.ones(3), torch.ones(3, dtype=torch.float64))  # allclose would raise
    assert near(torch.arange(3), torch.arange(3.0))
    assert near([torch.ones(2), torch.zeros(2)], [torch.ones(2), torch.zeros(2)])


def test_tolerance_overrides():
    test_near(1.0, 1.01, rtol=1e-1)
    test_near(0.0, 0.01, atol=0.1)
    test_near(0.0, 0.01, eps=0.1)
    test_fail(lambda: test_near(0.0, 0.01, atol=1e-3))
    test_close(1.0, 1.05, eps=0.1)
    test_close(1.0, 1.05, atol=0.1)
    test_close(100.0, 101.0, rtol=0.1)
    test_fail(lambda: test_close(100.0, 101.0))
    nan = float("nan")
    test_close([nan, 1.0], [nan, 1.0], equal_nan=True)
    test_fail(lambda: test_close([nan, 1.0], [nan, 1.0]))
    test_near(torch.tensor([nan]), torch.tensor([nan]), equal_nan=True)
    with pytest.raises(TypeError):
        test_near(1.0, 1.0, atol=1e-3, eps=1e-3)
    with pytest.raises(TypeError):
        test_close(1.0, 1.0, 1e-3, atol=1e-3)
    assert "tolerance: |a - b| < 0.1" in failure(lambda: test_close([1.0, 2.0], [1.0, 3], 0.1))


@pytest.mark.parametrize("a", [1.0, [1.0, 2.0], np.ones(2), torch.ones(2)])
def test_bad_tolerances_are_refused_alike_for_every_kind_of_value(a):
    for check in (near, test_near, is_close, test_close):
        with pytest.raises(ValueError, match="rtol must be a number >= 0, got -1"):
            check(a, a, rtol=-1)
        with pytest.raises(ValueError, match=r"atol \(or eps\) must be a number >= 0, got nan"):
            check(a, a, atol=float("nan"))
        with pytest.raises(TypeError, match="rtol must be a number, got str '1e-3'"):
            check(a, a, rtol="1e-3")
    with pytest.raises(ValueError, match=r"atol \(or eps\) must be a number >= 0, got -0.1"):
        test_close(a, a, eps=-0.1)


def test_near_and_close_look_inside_dicts_and_sets():
    assert near({"w": torch.ones(2)}, {"w": torch.ones(2) + 1e-6})
    assert not near({"w": 1.0}, {"w": 2.0})
    assert not is_close({"w": 1.0}, {"v": 1.0})
    assert is_close({1, 2}, {2, 1}) and not is_close({1, 2}, {1, 3})


def test_close_keeps_fastcores_strict_bound():
    assert not is_close(1.0, 1.5, eps=0.5)
    assert is_close(1.0, 1.25, eps=0.5)
    assert is_close(float("inf"), float("inf"))


# ---------------------------------------------------------------------------------------------
# Property tests against torch and numpy
# ---------------------------------------------------------------------------------------------

floats = st.floats(-1e3, 1e3, allow_nan=False, width=32)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)


@st.composite
def close_pairs(draw, dtype=np.float32):
    shape = draw(shapes)
    a = draw(hnp.arrays(dtype, shape, elements=floats))
    noise = draw(hnp.arrays(dtype, shape, elements=st.sampled_from([0.0, 1e-6, 1e-4, 1e-2, 1.0])))
    return a, np.asarray(a + noise, dtype=dtype)


@MODEST
@given(close_pairs())
def test_near_agrees_with_torch_allclose(pair):
    a, b = map(torch.from_numpy, pair)
    assert near(a, b) == torch.allclose(a, b, rtol=1e-3, atol=1e-5)
    assert near(a, b, rtol=0.1, atol=0.0) == torch.allclose(a, b, rtol=0.1, atol=0.0)


@MODEST
@given(close_pairs(np.float64))
def test_near_agrees_with_numpy_allclose(pair):
    a, b = pair
    assert near(a, b) == np.allclose(a, b, rtol=1e-3, atol=1e-5)
    assert near(a.tolist(), b.tolist()) == np.allclose(a, b, rtol=1e-3, atol=1e-5)


@MODEST
@given(close_pairs(np.float64))
def test_is_close_agrees_with_fastcores_formula(pair):
    a, b = pair
    assert is_close(a, b) == bool((abs(a - b) < 1e-5).all())
    assert is_close(a, b, eps=1e-3) == bool((abs(a - b) < 1e-3).all())


@MODEST
@given(
    hnp.arrays(np.int32, shapes, elements=st.integers(-3, 3)),
    st.data(),
)
def test_equals_agrees_with_torch_equal(a, data):
    b = data.draw(
        st.one_of(st.just(a.copy()), hnp.arrays(np.int32, a.shape, elements=st.integers(-3, 3)))
    )
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    assert equals(ta, tb) == torch.equal(ta, tb)
    assert equals(a, b) == np.array_equal(a, b)
    assert equals(ta, b.tolist()) == np.array_equal(a, b)
    assert nequals(ta, tb) != torch.equal(ta, tb)


@MODEST
@given(shapes, shapes)
def test_shapes_decide_before_values(s1, s2):
    same = tuple(s1) == tuple(s2)
    assert equals(torch.zeros(s1), torch.zeros(s2)) == same
    assert near(np.zeros(s1), np.zeros(s2)) == same


# ---------------------------------------------------------------------------------------------
# collect_tests: every failure, with its line
# ---------------------------------------------------------------------------------------------


def _line_of(marker: str) -> int:
    with open(__file__) as f:
        for number, text in enumerate(f, start=1):
            if text.rstrip().endswith(f"# {marker}"):
                return number
    raise LookupError(marker)


def test_collect_tests_records_every_failure_with_its_line():
    out = io.StringIO()
    with pytest.raises(AssertionError, match=r"^2 of 4 tests failed \(lines \d+, \d+\)$"):
        with collect_tests(file=out) as report:
            test_eq(1, 1)
            test_eq(1, 2)  # first-failure
            test_near(torch.ones(3), torch.ones(3))
            test_close([1.0], [2.0])  # second-failure
    assert isinstance(report, TestReport)
    assert (report.passed, report.failed) == (2, 2)
    first, second = report.failures
    assert (first.name, first.line, first.message) == (
        "test_eq",
        _line_of("first-failure"),
        "==:\n1\n2",
    )
    assert (second.name, second.line) == ("test_close", _line_of("second-failure"))
    text = out.getvalue()
    assert f"line {first.line}: test_eq failed\n==:\n1\n2\n" in text
    assert text.endswith("2 passed, 2 failed\n")


def test_collect_tests_without_raising_or_printing(capsys):
    with collect_tests(raise_on_failure=False, show=False) as report:
        test_eq(1, 2)
        test_shuffled([1, 2], [1, 2])  # fails inside its test_ne: one failure, not two
        test_eq_type([1], [1])
        test_fail(lambda: test_eq(1, 2))  # the inner failure is test_fail's success
        with exception:
            test_eq(1, 2)  # ExceptionExpected still sees the AssertionError
    assert (report.passed, report.failed) == (2, 2)
    assert [f.name for f in report.failures] == ["test_eq", "test_shuffled"]
    assert capsys.readouterr().out == ""
    assert report.summary() == "2 passed, 2 failed"


def test_collect_tests_lets_other_exceptions_through(capsys):
    with pytest.raises(ZeroDivisionError):
        with collect_tests():
            test_eq(1, 2)
            1 / 0  # noqa: B018
            test_eq(1, 2)
    out = capsys.readouterr().out
    assert "0 passed, 1 failed, then ZeroDivisionError stopped the run" in out
    # The collector is gone: failures raise again.
    test_fail(lambda: test_eq(1, 2), exc=AssertionError)


def test_collect_tests_all_passing(capsys):
    with collect_tests() as report:
        test_eq(1, 1)
        test_near(1.0, 1.0)
    assert report.ok and capsys.readouterr().out == "2 passed, 0 failed\n"


def test_collect_tests_is_exported():
    assert matmul_magic.collect_tests is collect_tests
    assert "collect_tests" in matmul_magic.__all__


# ---------------------------------------------------------------------------------------------
# Packaging details
# ---------------------------------------------------------------------------------------------


def test_every_public_name_is_exported():
    names = ["test", "test_eq", "test_ne", "test_eq_type", "is_close", "test_close", "test_is",
             "test_shuffled", "test_stdout", "test_warns", "test_fail", "ExceptionExpected",
             "exception", "equals", "nequals", "near", "test_near"]  # fmt: skip
    namespace: dict = {}
    exec("from matmul_magic import *", namespace)
    for name in names:
        assert namespace[name] is getattr(matmul_magic, name)


def test_pytest_does_not_collect_the_helpers():
    assert test_eq.__test__ is False and TestReport.__test__ is False
    assert collect_tests.__test__ is False


def test_importing_the_api_imports_neither_torch_nor_numpy():
    code = (
        "import sys, matmul_magic.testing as t\n"
        "t.test_eq([1, 2], (1, 2)); t.test_close(1, 1.000001)\n"
        "print('torch' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "True"]  # test_close on numbers needs numpy
    code = "import sys, matmul_magic.testing; print('torch' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------
# Strict where fastcore is loose (issue 11)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (torch.tensor([1, 2]), {1: "a", 2: "b"}),
        (np.array([1, 2]), {1: "a", 2: "b"}),
        (torch.tensor([1, 2]), {1, 2}),
        (np.array([1, 2]), frozenset({1, 2})),
        (torch.tensor([1, 2]), {1: "a", 2: "b"}.keys()),
    ],
)
def test_a_keyed_or_unordered_container_never_equals_an_array(a, b):
    assert not equals(a, b) and not equals(b, a)
    assert "never equals an array" in failure(lambda: test_eq(a, b))
    test_ne(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (torch.tensor([16777217]), torch.tensor([16777216.0])),
        (torch.tensor([2**40 + 1]), [2.0**40]),
        (np.array([2**53 + 1]), np.array([2.0**53])),
        (torch.tensor([2**53 + 1]), torch.tensor([2.0**53], dtype=torch.float64)),
        (torch.tensor([1]), torch.tensor([1.5])),
        (torch.tensor([1]), torch.tensor([1 + 1j])),
        (torch.tensor([0], dtype=torch.int8), torch.tensor([256.0])),  # out of int8's range
        (torch.tensor([1]), torch.tensor([float("nan")])),
    ],
)
def test_integers_and_floats_are_compared_exactly(a, b):
    assert not equals(a, b) and not equals(b, a)
    message = failure(lambda: test_eq(a, b))
    assert "differing elements: 1 of 1" in message


def test_an_exact_mismatch_shows_enough_digits_to_differ():
    message = failure(lambda: test_eq(torch.tensor([16777217]), torch.tensor([16777216.0])))
    assert "(a=16777217, b=16777216)" in message


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (torch.tensor([16777217]), [16777217.0]),  # a Python float is a double
        (torch.tensor([2**40 + 1]), torch.tensor([2.0**40 + 1], dtype=torch.float64)),
        (np.array([3, -4], dtype=np.int8), np.array([3.0, -4.0], dtype=np.float16)),
        (torch.tensor([2], dtype=torch.uint8), torch.tensor([2 + 0j])),
    ],
)
def test_integers_equal_the_floats_that_hold_them(a, b):
    test_eq(a, b)
    test_eq(b, a)


def test_shuffled_tensors_are_permutations_along_the_first_dimension():
    t = torch.arange(12).reshape(4, 3)
    test_shuffled(t, t[[2, 0, 3, 1]])
    test_shuffled(torch.tensor([1, 2, 3]), torch.tensor([3, 1, 2]))
    test_shuffled(np.array([1.0, 2.0, 3.0]), [3, 1, 2])
    assert "not a permutation" in failure(lambda: test_shuffled(t, t.flip(1)))
    assert "not a permutation" in failure(
        lambda: test_shuffled(torch.tensor([1, 2, 2]), torch.tensor([2, 1, 1]))
    )
    failure(lambda: test_shuffled(t, t))  # the same order is no shuffle
    failure(lambda: test_shuffled(t, t[:3]))


def test_a_pandas_series_equals_a_list_like_an_ndarray_does():
    pd = pytest.importorskip("pandas")
    test_eq(pd.Series([1, 2]), [1, 2])
    test_eq([1, 2], pd.Series([1, 2]))
    test_eq(pd.DataFrame({"x": [1, 2]}), np.array([[1], [2]]))
    test_ne(pd.Series([1, 2]), [1, 3])
    test_ne(pd.Series([1, 2]), {0: 1, 1: 2})
    test_ne(pd.Series([1, 2]), pd.Series([1, 2], index=[5, 6]))  # two frames: .equals


# ---------------------------------------------------------------------------------------------
# Failures never crash: unsupported comparisons are TypeErrors, differences AssertionErrors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda: torch.ones(3, device="meta"), ".shape"),
        (lambda: torch.ones(3).to_sparse(), ".to_dense()"),
        (lambda: torch.ones(2, 2).to_sparse_csr(), ".to_dense()"),
        (
            lambda: torch.nested.nested_tensor([torch.ones(2), torch.ones(3)]),
            ".to_padded_tensor(0)",
        ),
        (
            lambda: torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.quint8),
            ".dequantize()",
        ),
    ],
)
@pytest.mark.parametrize("check", [test_eq, test_ne, test_near, test_close])
def test_an_unsupported_tensor_is_a_type_error_saying_how_to_convert(make, hint, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nested tensors: "prototype stage"
        odd = make()
    with pytest.raises(TypeError, match="cannot compare") as info:
        check(odd, torch.ones(3))
    assert hint in str(info.value)


def test_float8_is_compared_not_crashed():
    f8 = torch.float8_e4m3fn
    ones, zeros = torch.ones(3, dtype=f8), torch.zeros(3, dtype=f8)
    test_near(ones, ones)
    test_eq(ones, ones)
    test_close(ones, torch.ones(3))
    message = failure(lambda: test_near(ones, zeros))
    assert "differing elements: 3 of 3" in message and "dtypes: torch.float8_e4m3fn" in message
    assert "differing elements: 3 of 3" in failure(lambda: test_eq(ones, zeros))


def test_a_torch_error_in_a_comparison_becomes_a_type_error(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("\"isclose_cpu\" not implemented for 'Weird'")

    monkeypatch.setattr(torch, "isclose", broken)
    with pytest.raises(TypeError, match=r"cannot compare torch.float32 with torch.float32 \("):
        test_near(torch.ones(2), torch.zeros(2))


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


def test_test_fail_keeps_the_cause_of_its_failure():
    def wrong():
        raise KeyError("boom")

    with pytest.raises(AssertionError) as info:
        test_fail(wrong, exc=ValueError)
    assert isinstance(info.value.__cause__, KeyError)
