"""Inline tests for notebooks: fastcore.test's API plus the lesson's ``near`` and ``test_near``.

Every ``test_*`` function raises ``AssertionError`` with fastcore's message form
``"{cname}:\\n{a}\\n{b}"`` when it fails. For tensors and arrays a short diagnosis follows
those lines: shapes, dtypes and devices, how many elements differ, and the largest absolute
and relative difference with its index. A value of more than 10 elements prints as one
summary line (its corners); the ``AssertionError`` keeps both values in full as ``.a`` and
``.b``. Explaining a failure works a chunk at a time, so it costs about what the check did.

Where this module differs from fastcore.test (where fastcore is silently wrong), each function's
docstring says so, and the README's table under "Notebooks as test suites" lists every case,
run under both.

Inside ``collect_tests()`` (and the ``%%tests`` cell magic) failing ``test_*`` calls are
recorded instead of raised, so one run reports every failure.

torch and numpy are never imported here at module level: a value can only be a tensor
if torch is already imported, so checks look in ``sys.modules``; numpy is imported on
the first numeric comparison that needs it. ``import matmul_magic.testing`` costs only
the standard library.
"""

from __future__ import annotations

from .api import (
    ExceptionExpected,
    exception,
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
from .collect import collect_tests
from .compare import all_equal, equals, is_close, near, nequals
from .extras import TEST_IMAGE, TEST_IMAGE_BW, expect_fail, test_fig_exists
from .report import TestFailure, TestReport

__all__ = [
    "test",
    "test_eq",
    "test_ne",
    "test_eq_type",
    "is_close",
    "test_close",
    "test_is",
    "test_shuffled",
    "test_stdout",
    "test_warns",
    "test_fail",
    "expect_fail",
    "test_fig_exists",
    "TEST_IMAGE",
    "TEST_IMAGE_BW",
    "ExceptionExpected",
    "exception",
    "equals",
    "all_equal",
    "nequals",
    "near",
    "test_near",
    "collect_tests",
    "TestReport",
    "TestFailure",
]
