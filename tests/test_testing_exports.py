"""How `matmul_magic.testing` is packaged: its exports, pytest-safe names, imports it avoids."""

from __future__ import annotations

import subprocess
import sys

from testing_failures import ROOT

import matmul_magic
from matmul_magic.testing import TestReport, collect_tests, test_eq

# ---------------------------------------------------------------------------------------------
# Packaging details
# ---------------------------------------------------------------------------------------------


def test_every_public_name_is_exported():
    names = ["test", "test_eq", "test_ne", "test_eq_type", "is_close", "test_close", "test_is",
             "test_shuffled", "test_stdout", "test_warns", "test_fail", "ExceptionExpected",
             "exception", "equals", "nequals", "near", "test_near", "expect_fail",
             "test_fig_exists", "TEST_IMAGE", "TEST_IMAGE_BW", "all_equal"]  # fmt: skip
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
