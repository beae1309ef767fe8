"""``pytest --matmul-magic``: the pytest plugin that gives an item per test in each notebook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from notebook_writer import write_notebook

pytest_plugins = ["pytester"]


# -- the pytest plugin ---------------------------------------------------------------------------


@pytest.fixture
def notebook_project(pytester):
    write_notebook(
        pytester.path / "lesson.ipynb",
        "from matmul_magic import *\nimport torch\nm = torch.ones(3, 2)",
        "test_eq(m.shape, (3, 2))\ntest_near(m + 1, m)",
        "%load_ext matmul_magic",
        "%test_eq m.sum(), 6",
        ("test_eq(1, 2)", ["skip-test"]),
    )
    write_notebook(pytester.path / "other.ipynb", "assert 'broadcast' in 'broadcasting'")
    return pytester


def test_plugin_is_off_unless_asked_for(notebook_project):
    result = notebook_project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_plugin_gives_an_item_per_test(notebook_project):
    result = notebook_project.runpytest_subprocess("--matmul-magic", "-v", "-rs")
    result.assert_outcomes(passed=5, failed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "*lesson.ipynb::cell2:line2:test_near(m + 1, m) FAILED*",
        "*lesson.ipynb:cell 2:line 2: test_near(m + 1, m)",
        "*largest abs diff: 1 at index (0, 0)*",
        "*cell tagged skip-test*",
    ])  # fmt: skip
    xml = notebook_project.path / "junit.xml"
    selected = notebook_project.runpytest_subprocess(
        "--matmul-magic", "-k", "broadcast", f"--junitxml={xml}"
    )
    selected.assert_outcomes(passed=1, deselected=6)
    assert "assert 'broadcast' in 'broadcasting'" in xml.read_text()


def test_plugin_with_last_failed_exitfirst_and_xdist(notebook_project):
    notebook_project.runpytest_subprocess("--matmul-magic")
    again = notebook_project.runpytest_subprocess("--matmul-magic", "--lf")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*rerun previous 1 failure*"])
    first = notebook_project.runpytest_subprocess("--matmul-magic", "-x")
    first.assert_outcomes(passed=1, failed=1)
    pytest.importorskip("xdist")
    parallel = notebook_project.runpytest_subprocess("--matmul-magic", "-n", "2")
    parallel.assert_outcomes(passed=5, failed=1, skipped=1)


def test_plugin_ini_option_turns_it_on(notebook_project):
    notebook_project.makeini("[pytest]\nmatmul_magic = true\n")
    result = notebook_project.runpytest_subprocess("-k", "other")
    result.assert_outcomes(passed=2, deselected=5)


def test_plugin_reports_a_file_that_is_not_a_notebook(pytester):
    (pytester.path / "broken.ipynb").write_text("{not json")
    write_notebook(pytester.path / "fine.ipynb", "assert True")
    result = pytester.runpytest_subprocess("--matmul-magic")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*broken.ipynb: not valid JSON*"])


def test_ctrl_c_in_pytest_stops_the_notebook_it_waits_on(tmp_path):
    pidfile = tmp_path / "worker.pid"
    write_notebook(
        tmp_path / "slow.ipynb",
        f"import os, pathlib\npathlib.Path({str(pidfile)!r}).write_text(str(os.getpid()))",
        "import time\ntime.sleep(120)",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--matmul-magic", "-p", "no:cacheprovider", "-q",
         str(tmp_path / "slow.ipynb")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    worker = int(pidfile.read_text())
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
