"""One bad notebook never sinks the run, and no worker outlives the runner (issue 24):
malformed files are one failed entry each (CLI) or a failing item (pytest), workers die
with the runner however it ends, and nbmake's metadata keys are honoured.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from notebook_writer import write_notebook

from matmul_magic.notebook_tests import run_notebooks
from matmul_magic.notebook_tests.model import Options

pytest_plugins = ["pytester"]


def _cell(source, **extra) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None, **extra}  # fmt: skip


def _raw(path: Path, cells: list, **top) -> Path:
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells, **top}))  # fmt: skip
    return path


MALFORMED = {
    "cell_metadata.ipynb": ([_cell("x = 1", metadata="oops")], {}),
    "nb_metadata.ipynb": ([_cell("x = 1")], {"metadata": ["x"]}),
    "source_ints.ipynb": ([_cell([1, 2])], {}),
    "tags_not_list.ipynb": ([_cell("x = 1", metadata={"tags": "skip-test"})], {}),
    "nbformat3.ipynb": ([_cell("x = 1")], {"nbformat": 3}),  # says 3, has no worksheets
    **{
        f"timeout_{name}.ipynb": ([_cell("x = 1")], {"metadata": {"execution": {"timeout": t}}})
        for name, t in [("huge", 1e300), ("negative", -5), ("text", "10"), ("bool", True)]
    },
    "allow_errors_text.ipynb": (
        [_cell("x = 1")],
        {"metadata": {"execution": {"allow_errors": "yes"}}},
    ),
}
TIMEOUT_WRONG = "metadata.execution.timeout is {}: need seconds above 0 and at most"
WHAT_IS_WRONG = {
    "cell_metadata.ipynb": "cell 1: metadata is a string, not an object",
    "nb_metadata.ipynb": "the notebook's metadata is a list, not an object",
    "source_ints.ipynb": "cell 1: source is a list that is not text",
    "tags_not_list.ipynb": "cell 1: metadata.tags is not a list of strings",
    "nbformat3.ipynb": "nbformat 3 notebook that cannot be upgraded to version 4",
    "timeout_huge.ipynb": TIMEOUT_WRONG.format("1e+300"),
    "timeout_negative.ipynb": TIMEOUT_WRONG.format("-5"),
    "timeout_text.ipynb": TIMEOUT_WRONG.format("'10'"),
    "timeout_bool.ipynb": TIMEOUT_WRONG.format("True"),
    "allow_errors_text.ipynb": "metadata.execution.allow_errors is 'yes': need true or false",
    "latin1.ipynb": "cannot read it",
}


def _malformed_folder(folder: Path) -> Path:
    for name, (cells, top) in MALFORMED.items():
        _raw(folder / name, cells, **top)
    (folder / "latin1.ipynb").write_bytes('{"cells": [], "x": "caf\xe9"}'.encode("latin-1"))
    write_notebook(folder / "good.ipynb", "assert 1 + 1 == 2")
    (folder / "nbformat3_real.ipynb").write_text(json.dumps(NBFORMAT3))  # upgraded and run
    return folder


# An nbformat 3 notebook as Jupyter wrote them until 2015: its cells in worksheets, code in input.
NBFORMAT3 = {
    "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
    "worksheets": [{"metadata": {}, "cells": [
        {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Old"},
        {"cell_type": "code", "input": "from matmul_magic import *\nx = 2", "language": "python",
         "collapsed": False, "metadata": {}, "outputs": [], "prompt_number": 1},
        {"cell_type": "code", "input": "test_eq(x, 2)\nassert x == 2", "language": "python",
         "collapsed": False, "metadata": {}, "outputs": [], "prompt_number": 2},
    ]}],
}  # fmt: skip


def test_malformed_notebooks_are_one_failed_entry_each_and_the_others_run(tmp_path):
    folder = _malformed_folder(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "matmul_magic", "test", str(folder), "--json", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    by_name = {Path(nb["path"]).name: nb for nb in data["notebooks"]}
    assert [t["outcome"] for t in by_name["good.ipynb"]["tests"]] == ["passed", "passed"]
    old = by_name["nbformat3_real.ipynb"]
    assert [(t["cell"], t["outcome"]) for t in old["tests"]] == [
        (3, "passed"),
        (3, "passed"),
        (None, "passed"),
    ], old
    for name, text in WHAT_IS_WRONG.items():
        assert text in by_name[name]["error"], (name, by_name[name]["error"])
    assert data["summary"]["failed"] == len(WHAT_IS_WRONG)


def test_malformed_notebooks_are_failing_items_in_pytest(pytester):
    _malformed_folder(pytester.path)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=2 + 3, failed=len(WHAT_IS_WRONG))
    assert "error during collection" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*cell 1: metadata is a string, not an object*"])


# -- no orphans ----------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize(
    ("sig", "loop"),
    [(signal.SIGTERM, "while True:\n    pass"), (signal.SIGKILL, "while True:\n    pass"),
     (signal.SIGINT, "while True:\n    pass"),
     (signal.SIGKILL, "sum(range(10**13))")],  # a C loop holding the GIL: no thread can watch
)  # fmt: skip
def test_the_worker_dies_with_the_runner(tmp_path, sig, loop):
    pid_file = tmp_path / "worker.pid"
    write_notebook(
        tmp_path / "loop.ipynb",
        f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))",
        loop,
    )
    runner = subprocess.Popen(
        [sys.executable, "-m", "matmul_magic", "test", str(tmp_path / "loop.ipynb")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        time.sleep(0.3)  # into the loop
        runner.send_signal(sig)
        runner.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker)
    finally:
        runner.kill()
        if pid_file.exists() and pid_file.read_text():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_notebook_has_a_timeout_by_default_and_nbmake_metadata_is_honoured(tmp_path):
    assert Options().timeout is not None and Options().timeout > 0
    write_notebook(
        tmp_path / "slow.ipynb", "import time", "time.sleep(60)",
        metadata={"execution": {"timeout": 2}},
    )  # fmt: skip
    write_notebook(
        tmp_path / "errors.ipynb", "1 / 0", "after = True", "assert after",
        metadata={"execution": {"allow_errors": True}},
    )  # fmt: skip
    report = run_notebooks([tmp_path], workers=2)
    by_name = {Path(nb.path).name: nb for nb in report.notebooks}
    slow = by_name["slow.ipynb"].tests[-1]
    assert slow.outcome == "failed" and slow.cell == 2
    assert "timed out after 2.00 s while cell 2 was running" in slow.message
    assert [t.outcome for t in by_name["errors.ipynb"].tests] == ["passed", "passed"]


@pytest.mark.parametrize("timeout", [-1, None])
def test_nbmake_metadata_timeout_of_minus_one_or_null_means_no_limit(tmp_path, timeout):
    # nbclient (nbmake's engine) reads both as "no timeout": the runner's default goes too
    write_notebook(
        tmp_path / "slow.ipynb", "import time", "time.sleep(3)",
        metadata={"execution": {"timeout": timeout}},
    )  # fmt: skip
    report = run_notebooks([tmp_path], workers=1, timeout=1)
    assert [t.outcome for t in report.notebooks[0].tests] == ["passed"]
