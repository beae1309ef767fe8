"""Where `matmul_magic.testing` is stricter than fastcore: shapes, lengths, dtypes, odd tensors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from testing_failures import failure

from matmul_magic.testing import (
    equals,
    is_close,
    near,
    test_close,
    test_eq,
    test_fail,
    test_ne,
    test_near,
    test_shuffled,
    test_warns,
)

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
