"""`collect_tests`: every failure in a block recorded with its line, then one report."""

from __future__ import annotations

import io

import pytest
import torch

import matmul_magic
from matmul_magic.testing import (
    TestReport,
    collect_tests,
    exception,
    test_close,
    test_eq,
    test_eq_type,
    test_fail,
    test_near,
    test_shuffled,
)

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
    with pytest.raises(AssertionError, match=r"^2 passed, 2 failed \(lines \d+, \d+\)$"):
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
    assert f"line {first.line}: test_eq failed\n==:\n  a: 1\n  b: 2\n" in text
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
