"""Equality that is exact (issue 24): integers at any size, NaN and unhashable items in
``test_shuffled``, 0-d arrays against tensors, strings shown as ``repr``, recursive
containers refused, ``test_fail`` with a tuple of exceptions, and the rest of fastcore's
API (``expect_fail``, ``test_fig_exists``, ``TEST_IMAGE``, ``TEST_IMAGE_BW``, ``all_equal``).

The checks are notebook cells: each runs in an ``InteractiveShell``, through
``matmul-magic test`` and through ``pytest --matmul-magic``, and passes in all three.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from magic_cells import run
from notebook_writer import write_notebook

import matmul_magic
from matmul_magic.notebook_tests import run_notebooks
from matmul_magic.testing import test_eq, test_shuffled

pytest_plugins = ["pytester"]

CELLS = [
    "from matmul_magic import *\nimport numpy as np, torch",
    # integers compare as integers, in every test function
    "test_fail(lambda: test_close(2**53 + 1, 2**53, eps=0.5), contains='close')\n"
    "test_fail(lambda: test_close(torch.tensor([2**53 + 1]), torch.tensor([2**53]), eps=0.5))\n"
    "test_fail(lambda: test_near(np.array([2**62 + 1]), np.array([2**62]), rtol=0, atol=0))\n"
    "test_fail(lambda: test_near(2**80 + 1, 2**80, rtol=0, atol=0))\n"
    "test_close(2**53 + 1, 2**53, eps=2)\n"
    # |a - b| = 2**64 - 1: no int64 overflow may make it look small
    "test_fail(lambda: test_near(np.array([-2**63]), np.array([2**63 - 1]), rtol=1, atol=0))",
    # test_shuffled: NaN matches NaN, str is not a list, unhashable items
    "test_shuffled(torch.tensor([float('nan'), 1.]), torch.tensor([1., float('nan')]))\n"
    "test_shuffled([float('nan'), 1.0], [1.0, float('nan')])\n"
    "test_fail(lambda: test_shuffled(['a', 'b'], 'ba'), contains='string')\n"
    "test_shuffled([[1], [2, 3]], [[2, 3], [1]])\n"
    "test_fail(lambda: test_shuffled([[1], [2]], [[2], [2]]))",
    # ... and in the order check too: NaN where NaN was is no shuffle
    "nan = float('nan')\n"
    "test_fail(lambda: test_shuffled([nan, 1.0], [float('nan'), 1.0]), contains='same order')\n"
    "test_fail(lambda: test_shuffled(torch.tensor([nan, 1.]), torch.tensor([nan, 1.])),\n"
    "          contains='same order')\n"
    "test_fail(lambda: test_shuffled(np.array([[nan, 1.], [2., 3.]]),\n"
    "                                np.array([[nan, 1.], [2., 3.]])), contains='same order')\n"
    "test_shuffled(np.array([[nan, 1.], [2., 3.]]), np.array([[2., 3.], [nan, 1.]]))\n"
    "test_shuffled((x for x in [nan, 1.0]), [1.0, nan])",
    # test_fail with a tuple of exceptions; a self-containing list is a clear error
    "test_fail(lambda: int('x'), exc=(ValueError, TypeError))\n"
    "test_fail(lambda: test_fail(lambda: None, exc=(ValueError, TypeError)),\n"
    "          contains='Expected ValueError or TypeError but none raised')\n"
    "l = [1]; l.append(l)\n"
    "test_fail(lambda: test_eq(l, l), exc=ValueError, contains='recursive container')",
    # 0-d arrays and NumPy scalars meet tensors alike
    "test_eq(np.float64(0.1), torch.tensor(0.1))\ntest_eq(np.array(0.1), torch.tensor(0.1))\n"
    "test_eq(np.array(3), 3)",
    # failure messages show strings as repr
    "test_fail(lambda: test_eq('hi ', 'hi'), contains=\"'hi '\")\n"
    "test_fail(lambda: test_eq('', ' '), contains=\"''\")",
    # the rest of fastcore's API
    "with expect_fail(ZeroDivisionError, regex='divi'):\n    1 / 0\n"
    "test_eq(TEST_IMAGE, 'images/puppy.jpg')\ntest_eq(TEST_IMAGE_BW, 'images/mnist3.png')\n"
    "assert all_equal([1, [2]], (1, (2,))) and not all_equal([1], [1, 2])",
]


def test_exactness_in_a_shell_through_the_runner_and_pytest(ip, tmp_path, pytester):
    for cell in CELLS:
        assert run(ip, cell) is None, cell
    path = write_notebook(tmp_path / "exact.ipynb", *CELLS)
    tests = run_notebooks([path], workers=1).notebooks[0].tests
    assert {t.outcome for t in tests} == {"passed"}, [(t.test_id, t.message) for t in tests]
    write_notebook(pytester.path / "exact.ipynb", *CELLS)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(tests))


def test_expect_fail_fails_when_nothing_or_the_wrong_thing_is_raised():
    with pytest.raises(AssertionError, match="Expected ValueError but none raised"):
        with matmul_magic.expect_fail(ValueError):
            pass
    with pytest.raises(AssertionError, match="Expected 'boom' in the exception"):
        with matmul_magic.expect_fail(ValueError, contains="boom"):
            raise ValueError("bang")
    with pytest.raises(KeyError):  # another exception is not swallowed
        with matmul_magic.expect_fail(ValueError):
            raise KeyError("k")


def test_test_fig_exists_on_a_drawn_and_an_empty_figure():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.imshow(np.zeros((4, 4)))
    plt.close(fig)  # a closed figure's canvas is detached (matplotlib 3.11): still works
    matmul_magic.test_fig_exists(ax)


def test_exact_comparisons_as_plain_calls():
    big = list(range(10**4))
    test_eq(big, list(big))  # the fast path agrees with the item-by-item one
    with pytest.raises(AssertionError):
        test_eq(big, [*big[:-1], 0])
    with pytest.raises(AssertionError):
        test_eq([1, [2]], [1, [3]])
    test_eq([1, torch.tensor([2])], (1, [2]))  # mixed items still use equals
    with pytest.raises(AssertionError):
        test_shuffled("abc", "abcabc")
