"""fastcore's own test notebook (``nbs/00_test.ipynb``, its imports swapped for matmul-magic's)
under ``matmul-magic test`` and ``pytest --matmul-magic`` (issue 24): its tests are functions
it defines and calls, ``assert`` inside them, ``test_fail`` on lambdas, ``ExceptionExpected``
blocks and a matplotlib figure.

Two copies: ``ours`` leaves out the cells that define fastcore.test's API, so each of the
notebook's tests runs matmul-magic's version of the function (it must pass whole); the other
keeps fastcore's own definitions, and must run as under nbdev_test.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys

import pytest
from fastcore_notebook import swapped_notebook

pytest_plugins = ["pytester"]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None or importlib.util.find_spec("pandas") is None,
    reason="needs matplotlib and pandas (the test extra)",
)


def _run(path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "matmul_magic", "test", str(path), "--json", "-"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    data = json.loads(proc.stdout)
    data["returncode"] = proc.returncode
    return data


def test_fastcores_notebook_passes_whole_on_matmul_magics_api(tmp_path):
    data = _run(swapped_notebook(tmp_path, ours=True))
    tests = data["notebooks"][0]["tests"]
    failed = [(t["id"], t["message"]) for t in tests if t["outcome"] != "passed"]
    assert data["returncode"] == 0 and not failed, failed
    names = {t["name"] for t in tests}
    assert 'test_fail(_fail, contains="foo")' in names  # fastcore's own test statements
    assert "test_fig_exists(ax)" in names and "test_eq_type(1,1)" in names
    assert len(tests) > 60


def _canvas_detached() -> bool:
    """matplotlib 3.11 detaches a closed figure's canvas; the inline backend closes each
    figure after its cell, and fastcore's 2024 test_fig_exists then fails (fixed in later
    fastcore). nbdev_test (execnb, inline backend too) stops at the same cell then."""
    major, minor = (int(p) for p in importlib.metadata.version("matplotlib").split(".")[:2])
    return (major, minor) >= (3, 11)


def test_fastcores_notebook_with_its_own_definitions_runs_as_under_nbdev_test(tmp_path):
    data = _run(swapped_notebook(tmp_path))
    tests = data["notebooks"][0]["tests"]
    failed = {t["id"]: t["message"] for t in tests if t["outcome"] == "failed"}
    if not _canvas_detached():
        assert data["returncode"] == 0 and not failed, failed
        return
    assert set(failed) == {"cell50:line1:test_fig_exists(ax)", "notebook runs"}, failed
    assert "'FigureCanvasBase' object has no attribute 'tostring_argb'" in failed["notebook runs"]
    before = [t for t in tests if t["cell"] is not None and t["cell"] < 50]
    assert len(before) > 55 and {t["outcome"] for t in before} <= {"passed", "skipped"}


def test_fastcores_notebook_passes_under_pytest_matmul_magic(pytester):
    swapped_notebook(pytester.path, ours=True)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] > 60
