"""The tolerances of `near`, `test_near` and `test_close`, checked against torch and numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from testing_failures import failure

from matmul_magic.testing import (
    equals,
    is_close,
    near,
    nequals,
    test_close,
    test_fail,
    test_near,
)

MODEST = settings(max_examples=60, deadline=None)


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
