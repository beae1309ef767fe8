"""The runner keeps Python's semantics (issue 24): code inside functions, ``try``, ``with`` and
loops runs as in Jupyter; each top-level test statement is a test that is recorded and the
notebook goes on; magics a lesson uses run; the user's thread settings are kept.

Each notebook is checked three ways: in a real ``InteractiveShell`` (it is a clean notebook
there), through ``matmul-magic test`` and through ``pytest --matmul-magic``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from magic_cells import run
from notebook_writer import write_notebook

from matmul_magic.notebook_tests import run_notebooks

pytest_plugins = ["pytester"]

# Each cell runs clean in Jupyter; under the runner each must too.
PYTHON_SEMANTICS = [
    "from matmul_magic import *\nimport pytest",
    # an assert inside a function raises, so test_fail sees the exception
    "def f(n):\n    assert n >= 0, 'negative'\ntest_fail(lambda: f(-1), contains='negative')",
    # an assert and a test call inside try reach the except
    "ok = False\ntry:\n    assert 1 == 2\nexcept AssertionError:\n    ok = True\nassert ok",
    "ok2 = False\ntry:\n    test_eq([1, 2], [1, 3])\n"
    "except AssertionError:\n    ok2 = True\nassert ok2",
    # pytest.raises and ExceptionExpected see the AssertionError
    "with pytest.raises(AssertionError):\n    test_eq(1, 2)",
    "with ExceptionExpected(ex=AssertionError):\n    assert False",
    # a notebook's own test function, run at top level, is a test
    "def test_mine():\n    assert 2 + 2 == 4\ntest_mine()",
    "import fractions\ndef test_fraction(x):\n    test_eq(x.denominator, 1)\n"
    "test_fraction(fractions.Fraction(4, 2))",
]


def _outcomes(report) -> dict[str, str]:
    return {t.test_id: t.outcome for nb in report.notebooks for t in nb.tests}


def test_a_clean_notebook_runs_clean_in_a_shell_in_the_runner_and_in_pytest(tmp_path, ip, pytester):
    for cell in PYTHON_SEMANTICS:  # the notebook is clean in IPython
        assert run(ip, cell) is None, cell
    path = write_notebook(tmp_path / "semantics.ipynb", *PYTHON_SEMANTICS)
    outcomes = _outcomes(run_notebooks([path], workers=1))
    assert set(outcomes.values()) == {"passed"}, outcomes
    assert outcomes["cell2:line3:test_fail(lambda: f(-1), contains='negative')"] == "passed"
    assert outcomes["cell3:line6:assert ok"] == "passed"
    assert outcomes["cell7:line3:test_mine()"] == "passed"
    assert outcomes["cell8:line4:test_fraction(fractions.Fraction(4, 2))"] == "passed"
    assert not any(k.startswith("cell5:") for k in outcomes)  # a with body is code
    assert outcomes["cell6:line1:with ExceptionExpected(ex=AssertionError)"] == "passed"
    write_notebook(pytester.path / "semantics.ipynb", *PYTHON_SEMANTICS)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(outcomes))


FAILING = [
    "from matmul_magic import *",
    "test_eq(1, 1)\nassert 1 == 2, 'boom'\ntest_eq('hi ', 'hi')\ntest_eq(3, 3)",
    "for i in range(3):\n    test_eq(i, 0)",  # escapes the cell: the cell's failure
    "after = True",
    "def test_broken():\n    assert False, 'mine'\ntest_broken()",
]


def test_failed_test_statements_are_recorded_and_the_notebook_goes_on(tmp_path, pytester):
    path = write_notebook(tmp_path / "failing.ipynb", *FAILING, "assert after")
    report = run_notebooks([path], workers=1)
    tests = {t.test_id: t for t in report.notebooks[0].tests}
    assert tests["cell2:line1:test_eq(1, 1)"].outcome == "passed"
    boom = tests["cell2:line2:assert 1 == 2"]
    assert boom.outcome == "failed" and boom.message == "AssertionError: boom"
    assert tests["cell2:line3:test_eq('hi ', 'hi')"].outcome == "failed"
    assert tests["cell2:line4:test_eq(3, 3)"].outcome == "passed"  # went on in the cell
    mine = tests["cell5:line3:test_broken()"]
    assert mine.outcome == "failed" and mine.message == "AssertionError: mine"
    assert tests["cell6:line1:assert after"].outcome == "passed"  # went on after the loop
    notebook = tests["notebook runs"]
    assert notebook.outcome == "failed" and (notebook.cell, notebook.line) == (3, 2)
    assert "AssertionError" in notebook.message
    write_notebook(pytester.path / "failing.ipynb", *FAILING, "assert after")
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=4)


def test_a_test_name_without_its_import_says_what_to_import(tmp_path, pytester):
    cells = ["%load_ext matmul_magic", "x = 1\ntest_eq(x, 1)"]
    path = write_notebook(tmp_path / "noimport.ipynb", *cells)
    tests = {t.test_id: t for t in run_notebooks([path], workers=1).notebooks[0].tests}
    line = tests["cell2:line2:test_eq(x, 1)"]
    assert line.outcome == "failed"
    assert "NameError" in line.message and "from matmul_magic import *" in line.message
    assert "from matmul_magic import *" in tests["notebook runs"].message
    write_notebook(pytester.path / "noimport.ipynb", *cells)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*from matmul_magic import *"])


# -- magics and settings -------------------------------------------------------------------------

LESSON_MAGICS = [
    "%load_ext autoreload\n%autoreload 2\n\n%matplotlib inline",
    "%matplotlib",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\nplt.show()",
    "import os\nassert os.environ.get('MKL_NUM_THREADS') is None, os.environ['MKL_NUM_THREADS']\n"
    "assert os.environ['OMP_NUM_THREADS'] == '1'",
]


def test_the_lessons_magics_run_and_thread_settings_are_kept(tmp_path, pytester, monkeypatch):
    if importlib.util.find_spec("matplotlib") is None:  # not imported here: pytester's
        pytest.skip("needs matplotlib (the test extra)")  # module snapshots break numpy
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    path = write_notebook(tmp_path / "magics.ipynb", *LESSON_MAGICS)
    report = run_notebooks([path], workers=1)
    tests = report.notebooks[0].tests
    assert {t.outcome for t in tests} == {"passed"}, [t.message for t in tests]
    write_notebook(pytester.path / "magics.ipynb", *LESSON_MAGICS)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(tests))


def test_runner_sets_threads_only_when_the_user_set_none(monkeypatch):
    from matmul_magic.notebook_tests.runner import _environment

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    env = _environment(3)
    assert (env["OMP_NUM_THREADS"], env["MKL_NUM_THREADS"]) == ("3", "3")
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    env = _environment(3)
    assert env["MKL_NUM_THREADS"] == "4" and "OMP_NUM_THREADS" not in env


def test_the_json_report_of_a_cli_run_lists_the_notebooks_own_tests(tmp_path):
    path = write_notebook(tmp_path / "own.ipynb", *PYTHON_SEMANTICS[:1], *PYTHON_SEMANTICS[6:])
    proc = subprocess.run(
        [sys.executable, "-m", "matmul_magic", "test", str(path), "--json", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = [t["name"] for t in json.loads(proc.stdout)["notebooks"][0]["tests"]]
    assert names == ["test_mine()", "test_fraction(fractions.Fraction(4, 2))", "notebook runs"]


TESTS_CELL = [
    "%load_ext matmul_magic",
    "%%tests\ntest_eq(1, 1)\nassert 1 == 2\ntest_eq(2, 3)\ntest_eq(3, 3)",
    "after = True",
    "assert after",
]


def test_a_tests_cell_counts_its_asserts_and_the_notebook_goes_on(tmp_path, pytester, ip, capsys):
    assert isinstance(run(ip, TESTS_CELL[1]), AssertionError)  # in a shell: the tally
    assert "\n2 passed, 2 failed\n" in capsys.readouterr().out
    path = write_notebook(tmp_path / "tests_cell.ipynb", *TESTS_CELL)
    tests = {t.test_id: t for t in run_notebooks([path], workers=1).notebooks[0].tests}
    assert {k: t.outcome for k, t in tests.items()} == {
        "cell2:line2:test_eq(1, 1)": "passed",
        "cell2:line3:assert 1 == 2": "failed",
        "cell2:line4:test_eq(2, 3)": "failed",
        "cell2:line5:test_eq(3, 3)": "passed",
        "cell4:line1:assert after": "passed",
        "notebook runs": "passed",
    }
    write_notebook(pytester.path / "tests_cell.ipynb", *TESTS_CELL)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=2)
