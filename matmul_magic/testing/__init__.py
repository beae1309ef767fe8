"""Inline tests for notebooks: fastcore.test's API plus the lesson's ``near`` and ``test_near``.

Every ``test_*`` function raises ``AssertionError`` with fastcore's message form
``"{cname}:\\n{a}\\n{b}"`` when it fails. For tensors and arrays a short diagnosis follows
those lines: shapes, dtypes and devices, how many elements differ, and the largest absolute
and relative difference with its index. A value of more than 10 elements prints as one
summary line (its corners); the ``AssertionError`` keeps both values in full as ``.a`` and
``.b``. Explaining a failure works a chunk at a time, so it costs about what the check did.

Where this module differs from fastcore.test (fastcore is silently wrong in these cases):

- array-likes (tensors, numpy arrays, and lists compared with them) of different shapes are
  never equal, close or near; fastcore broadcasts, so ``zeros(3)`` "equals" ``zeros(2, 3)``;
- ``is_close``/``test_close`` do not truncate iterables of different lengths (fastcore zips);
- a numpy length mismatch is an ``AssertionError``, never a ``ValueError`` from broadcasting;
- failures raise ``AssertionError`` explicitly, so they still fail under ``python -O``;
- a dict or set never equals a tensor or array (fastcore iterates the keys and compares);
- integers meet floats exactly: ``tensor([16777217])`` is not ``tensor([16777216.])``
  (fastcore promotes both to float32, which rounds them together);
- ``test_shuffled`` works on tensors and arrays, as rows in another order (fastcore counts
  tensor elements in a ``Counter``, where each is its own object, so it always fails);
- a pandas Series or DataFrame equals a list or array of its values, as an ndarray does
  (fastcore's ``test_eq(pd.Series([1, 2]), [1, 2])`` fails);
- a comparison that cannot be made (meta, sparse, nested or quantized tensors, or one torch
  cannot compute) is a ``TypeError`` that says how to convert, not torch's own error;
  float8 tensors are compared in float32, which holds their values exactly.

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
