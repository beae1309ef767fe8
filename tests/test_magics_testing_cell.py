"""The `%%tests` cell magic in a real IPython shell: every failure reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from magic_cells import run

# ---------------------------------------------------------------------------------------------
# %%tests
# ---------------------------------------------------------------------------------------------


def test_tests_cell_reports_every_failure_with_its_line(lesson, capsys):
    cell = (
        "%%tests\n"
        "test_eq(1, 1)\n"  # line 2
        "%test_eq 1, 2\n"  # line 3
        "test_near(t1, t1 + 1)\n"  # line 4
        "x = 5\n"
        "%test_is x, x\n"  # line 6
        "test_shuffled([1, 2], [2, 1])\n"  # line 7
    )
    error = run(lesson, cell)
    assert isinstance(error, AssertionError)
    assert str(error) == "2 of 5 tests failed (lines 3, 4)"
    out = capsys.readouterr().out
    assert "line 3: test_eq failed\n==:\n1\n2\n" in out
    assert "line 4: test_near failed\nnear:\n" in out
    assert "differing elements: 20 of 20" in out
    assert "3 passed, 2 failed\n" in out
    assert lesson.user_ns["x"] == 5  # the cell ran in the user namespace


def test_tests_cell_all_passing(lesson, capsys):
    assert run(lesson, "%%tests\ntest_eq(1, 1)\n%test_near t1, matmul(m1, m2)\n") is None
    assert capsys.readouterr().out.endswith("2 passed, 0 failed\n")


def test_tests_cell_lets_other_exceptions_stop_it(lesson, capsys):
    error = run(lesson, "%%tests\ntest_eq(1, 2)\nraise KeyError('boom')\ntest_eq(1, 3)\n")
    assert isinstance(error, KeyError)
    out = capsys.readouterr().out
    assert "line 2: test_eq failed" in out and "line 4" not in out
    assert "then KeyError stopped the run" in out
    # a bare assert is not a test_* call: it stops the cell
    error = run(lesson, "%%tests\nassert 1 == 2, 'plain'\ntest_eq(1, 3)\n")
    assert isinstance(error, AssertionError) and str(error) == "plain"


def test_tests_cell_usage_errors_stop_it(lesson):
    assert isinstance(run(lesson, "%%tests\n%test_eq 1,\n"), UsageError)
    assert isinstance(run(lesson, "%%tests -v\ntest_eq(1, 1)\n"), UsageError)


def test_tests_cell_syntax_error_is_a_usage_error_naming_the_editor_line(lesson):
    error = run(lesson, "%%tests\nx = 1\ntest_eq(x,\n")
    assert isinstance(error, UsageError)
    assert str(error).startswith("%%tests: the cell is not valid Python (line 3: ")
    assert str(error).endswith("so nothing ran\n    test_eq(x,")
    assert "x" not in lesson.user_ns


def test_failures_raise_again_after_a_tests_cell(lesson):
    run(lesson, "%%tests\ntest_eq(1, 1)\n")
    assert isinstance(run(lesson, "test_eq(1, 2)"), AssertionError)


def test_tests_cell_counts_leading_blank_lines_as_the_editor_does(ip, capsys):
    error = run(ip, "%%tests\n\n\ntest_eq(1, 1)\ntest_eq(1, 2)\n")
    assert str(error) == "1 of 2 tests failed (line 5)"
    assert "line 5: test_eq failed" in capsys.readouterr().out
    error = run(ip, "%%tests\n  \n\nx = (\n")
    assert "(line 4: " in str(error)


# ---------------------------------------------------------------------------------------------
# The README's example is a real run, on any CPU
# ---------------------------------------------------------------------------------------------


@pytest.mark.readme_output
def test_the_readmes_failure_example_is_what_a_run_prints(ip, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    run(
        ip,
        "import torch\n"
        "torch.manual_seed(0)\n"
        # Whole numbers: every sum is exact, so the text is the same on any CPU.
        "m1 = torch.randint(-9, 10, (5, 784)).float()\n"
        "m2 = torch.randint(-9, 10, (784, 10)).float()\n"
        "t1 = m1 @ m2\n"
        "def matmul(a, b):\n"
        "    return a[:, 1:] @ b[1:]\n",
    )
    error = run(ip, "%test_near t1, matmul(m1, m2), rtol=1e-2")
    assert isinstance(error, AssertionError)
    assert f"```text\nAssertionError: {error}\n```" in readme
    error = run(
        ip,
        "%%tests\n"
        "test_eq(t1.shape, (5, 10))\n"
        "%test_near t1, matmul(m1, m2), rtol=1e-2\n"
        "test_near(t1, m1 @ m2)\n",
    )
    assert f"`AssertionError: {error}`" in readme
    out = capsys.readouterr().out
    assert "line 3: test_near failed\n" in out and "\n2 passed, 1 failed\n" in out
