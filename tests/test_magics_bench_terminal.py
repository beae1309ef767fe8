"""``%matmul_bench`` in a real IPython process, as a user at a terminal meets it.

Each test runs a fresh interpreter with a terminal ``InteractiveShell`` (``Out[n]:`` is shown
as IPython shows it), so help, the order of checks, the functions raced and how often the
result is shown are what a user sees, not what a test shell stands in for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench_fixtures import ROOT

RUNNER = """\
import json, sys
from IPython.terminal.interactiveshell import TerminalInteractiveShell
ip = TerminalInteractiveShell.instance(colors="NoColor")
ip.run_cell("%load_ext matmul_magic", store_history=True)
for cell in json.loads(sys.argv[1]):
    ip.run_cell(cell, store_history=True)
"""
FAST = "--budget 0.2 --only torch"


def _ipython(*cells: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TERM": "dumb", "PAGER": "cat"}  # `?` pages through cat
    return subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(cells)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


OPTIONS = ("--device", "--dtype", "--shape", "--budget", "--baseline", "--only",
           "--no-course", "--sweep", "--threads", "--save", "-o")  # fmt: skip


def test_help_and_the_question_mark_show_the_options_and_run_nothing():
    done = _ipython("%matmul_bench --help", "%matmul_bench -h", "%matmul_bench?")
    assert "UsageError" not in done.stderr and "unrecognized" not in done.stderr
    assert "matmul bench" not in done.stderr  # no progress: nothing ran
    out = done.stdout
    assert out.count("usage: %matmul_bench") + out.count("%matmul_bench [-o]") >= 3
    for option in OPTIONS:
        assert out.count(option) >= 3, option


def test_a_bad_option_is_refused_before_the_cells_body_runs():
    done = _ipython(
        "%%matmul_bench --dtype int8\nprint('THE BODY RAN')\ndef mine(a, b):\n    return a @ b\n",
        "%%matmul_bench --device tpu\nprint('THE BODY RAN')\ndef mine(a, b):\n    return a @ b\n",
    )
    assert "THE BODY RAN" not in done.stdout + done.stderr
    assert "UsageError: dtype 'int8' is not supported" in done.stderr
    assert "UsageError: device 'tpu' is not available here" in done.stderr
    assert "Traceback" not in done.stderr


def test_functions_that_cannot_take_a_and_b_and_private_ones_are_left_out_and_named():
    cell = (
        f"%%matmul_bench {FAST} --save -\n"
        "def mine(a, b):\n    return _helper(a, b)\n"
        "def three(a, b, c):\n    return a @ b\n"
        "def _helper(a, b):\n    return a @ b\n"
    )
    done = _ipython(cell)
    payload = json.loads(done.stdout[done.stdout.index("{") : done.stdout.rindex("}") + 1])
    assert [row["name"] for row in payload["rows"]] == ["torch", "mine"]
    assert all(row["status"] == "ok" for row in payload["rows"])
    assert (
        "%%matmul_bench: not racing three (not a function of (a, b)), _helper (private: "
        in done.stderr
    )


def test_dash_o_shows_the_result_once():
    done = _ipython(
        f"%%matmul_bench -o {FAST}\ndef mine(a, b):\n    return a @ b\n",
        "r = %matmul_bench -o " + FAST,
        "print(type(r).__name__, len(r.rows))",
    )
    assert done.stdout.count("matmul bench on cpu") == 1, done.stdout  # as Out[2] only
    assert "Out[2]:" in done.stdout
    assert "BenchResult 1" in done.stdout  # the assigned one is kept, not shown
