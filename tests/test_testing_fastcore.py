"""fastcore.test's documented examples and failure-message form, kept by `matmul_magic.testing`."""

from __future__ import annotations

import operator
import random
import re
import subprocess
import sys
import warnings
from copy import copy
from functools import partial

import numpy as np
import pytest
import torch
from testing_failures import ROOT, failure

from matmul_magic.testing import (
    ExceptionExpected,
    equals,
    exception,
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

array = np.array


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


def test_test_fail_keeps_the_cause_of_its_failure():
    def wrong():
        raise KeyError("boom")

    with pytest.raises(AssertionError) as info:
        test_fail(wrong, exc=ValueError)
    assert isinstance(info.value.__cause__, KeyError)


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
