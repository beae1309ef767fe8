"""``matmul-magic test``: notebooks run as test suites, reported as text, JSON and JUnit XML.

Notebooks are written into ``tmp_path`` by the tests themselves; each run starts fresh
interpreters, so the runs are few and each checks many things.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from notebook_writer import write_notebook

from matmul_magic import cli as main_cli
from matmul_magic.notebook_tests import cli, run_notebooks

# -- running notebooks ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """A folder of notebooks covering the runner's rules, run once with the CLI."""
    folder = tmp_path_factory.mktemp("suite")
    write_notebook(
        folder / "rules.ipynb",
        "from matmul_magic import *\nimport torch",
        # A failing test is recorded and the run goes on, within the cell and after it.
        "a = torch.ones(2, 3)\ntest_near(a, a + 0.5)\ntest_eq(a.shape, (2, 3))",
        "%load_ext matmul_magic",
        "%test_eq [1, 2], (1, 2)\n%test_eq 1, 2",
        "%%tests\ntest_eq(1, 1)\ntest_eq('a', 'b')\n%test_ne 1, 2",
        "%%tests\nfor i in range(3):\n    test_eq(i % 2, 0)",  # a %%tests loop: one site
        "assert 1 + 1 == 3, 'arithmetic'\nassert True",
        ("test_eq(1, 2)", ["skip-test"]),
        ("1 / 0", ["raises-exception"]),
        ("test_eq(5, 6)", ["raises-exception"]),
        "with ExceptionExpected(ex=AssertionError):\n    test_eq(1, 2)",
        "r = bench(budget=5)\nassert r.budget == 0.2, r.budget",
        "%%matmul_bench --budget 5 --only torch\ndef good(a, b):\n    return a @ b\n\n"
        "def wrong(a, b):\n    return a @ b + 1",
        "undefined_name + 1",
        "test_eq('never', 'runs')",
    )
    write_notebook(folder / "clean.ipynb", "x = 2", "assert x == 2", "%load_ext matmul_magic",
                   "%test_eq x, 2")  # fmt: skip
    write_notebook(folder / "skipped.ipynb", "test_eq(1, 2)",
                   metadata={"matmul_magic": {"skip": "needs a GPU"}})  # fmt: skip
    (folder / "broken.ipynb").write_text("{not json")
    (folder / "other.ipynb").write_text(json.dumps({"hello": "world"}))
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
              for p in folder.iterdir()}  # fmt: skip
    junit, report = folder.parent / "junit.xml", folder.parent / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "matmul_magic", "test", str(folder), "-n", "2",
         "--junit", str(junit), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
             for p in folder.iterdir()}  # fmt: skip
    return {
        "proc": proc, "before": before, "after": after,
        "json": json.loads(report.read_text()), "junit": ET.parse(junit).getroot(),
    }  # fmt: skip


def _tests(suite, notebook: str) -> dict:
    nb = next(n for n in suite["json"]["notebooks"] if n["path"].endswith(notebook))
    return {t["id"]: t for t in nb["tests"]}


def test_each_test_is_reported_with_its_cell_line_and_diagnosis(suite):
    tests = _tests(suite, "rules.ipynb")
    near = tests["cell2:line2:test_near(a, a + 0.5)"]
    assert near["outcome"] == "failed"
    assert (
        "largest abs diff: 0.5" in near["message"] and "shapes: (2, 3) vs (2, 3)" in near["message"]
    )
    assert tests["cell2:line3:test_eq(a.shape, (2, 3))"]["outcome"] == "passed"  # went on
    assert tests["cell4:line1:%test_eq [1, 2], (1, 2)"]["outcome"] == "passed"
    assert tests["cell4:line2:%test_eq 1, 2"]["outcome"] == "failed"
    assert tests["cell5:line2:test_eq(1, 1)"]["outcome"] == "passed"
    assert tests["cell5:line3:test_eq('a', 'b')"]["outcome"] == "failed"
    assert tests["cell5:line4:%test_ne 1, 2"]["outcome"] == "passed"
    loop = tests["cell6:line3:test_eq(i % 2, 0)"]
    assert loop["outcome"] == "failed" and (loop["calls"], loop["failed_calls"]) == (3, 1)
    assert "1 of 3 calls failed" in loop["message"]
    failed_assert = tests["cell7:line1:assert 1 + 1 == 3"]
    assert failed_assert["outcome"] == "failed" and "arithmetic" in failed_assert["message"]
    assert tests["cell7:line2:assert True"]["outcome"] == "passed"
    assert tests["cell8:line1:test_eq(1, 2)"]["outcome"] == "skipped"
    assert tests["cell10:line1:test_eq(5, 6)"]["outcome"] == "xfailed"
    # the with block is one test statement; the test_eq inside it is its code
    assert [k for k in tests if k.startswith("cell11:")] == [
        "cell11:line1:with ExceptionExpected(ex=AssertionError)"
    ]
    assert tests["cell11:line1:with ExceptionExpected(ex=AssertionError)"]["outcome"] == "passed"
    # Bench cells run within --bench-budget; their verdicts are tests.
    assert tests["cell12:line2:assert r.budget == 0.2"]["outcome"] == "passed"
    assert tests["cell13:line2:matmul_bench[good]"]["outcome"] == "passed"
    wrong = tests["cell13:line5:matmul_bench[wrong]"]
    assert wrong["outcome"] == "failed" and "wrong is incorrect" in wrong["message"]
    # An error outside a test fails the notebook at its cell and line, and stops it.
    notebook = tests["notebook runs"]
    assert notebook["outcome"] == "failed" and (notebook["cell"], notebook["line"]) == (14, 1)
    assert "NameError" in notebook["message"] and "undefined_name" in notebook["message"]
    assert tests["cell15:line1:test_eq('never', 'runs')"]["outcome"] == "skipped"
    assert "stopped at cell 14" in tests["cell15:line1:test_eq('never', 'runs')"]["message"]


def test_summary_exit_code_and_bad_files(suite):
    proc = suite["proc"]
    assert proc.returncode == 1, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    counts = suite["json"]["summary"]
    assert (
        last == f"{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped, {counts['xfailed']} xfailed"
    )
    assert counts["xfailed"] == 1 and counts["failed"] == 9  # 7 tests, 2 unreadable files
    assert "broken.ipynb: not valid JSON" in proc.stdout
    assert "other.ipynb: not a notebook" in proc.stdout
    clean = _tests(suite, "clean.ipynb")
    assert {t["outcome"] for t in clean.values()} == {"passed"} and len(clean) == 3
    skipped = _tests(suite, "skipped.ipynb")
    assert {t["outcome"] for t in skipped.values()} == {"skipped"}
    assert "needs a GPU" in skipped["notebook runs"]["message"]
    assert "FAILED" in proc.stdout and "rules.ipynb:cell 2:line 2: test_near(a, a + 0.5)" in (
        proc.stdout
    )


def test_a_file_that_is_no_notebook_is_named_once_per_line(suite):
    # the live line once read "ERROR path: path: not valid JSON"
    proc = suite["proc"]
    lines = [line for line in proc.stdout.splitlines() + proc.stderr.splitlines()
             if "broken.ipynb" in line]  # fmt: skip
    assert any(line.startswith("ERROR ") for line in proc.stderr.splitlines())
    assert lines and all(line.count("broken.ipynb") == 1 for line in lines), lines


def test_notebooks_on_disk_are_never_modified(suite):
    assert suite["before"] == suite["after"]


def test_junit_xml_has_a_case_per_test(suite):
    root = suite["junit"]
    counts = suite["json"]["summary"]
    assert int(root.get("failures")) + int(root.get("errors")) == counts["failed"]
    cases = root.findall(".//testcase")
    names = {c.get("name") for c in cases}
    assert "cell2:line2:test_near(a, a + 0.5)" in names and "notebook runs" in names
    failure = next(c for c in cases if c.get("name") == "cell2:line2:test_near(a, a + 0.5)")
    assert "largest abs diff" in failure.find("failure").text


def test_a_dying_or_hanging_notebook_fails_alone(tmp_path):
    write_notebook(tmp_path / "a_exit.ipynb", "x = 1", "import os\nos._exit(3)", "x")
    write_notebook(tmp_path / "b_segv.ipynb", "import ctypes\nctypes.string_at(0)")
    write_notebook(tmp_path / "c_hang.ipynb", "import time\ntime.sleep(60)")
    write_notebook(tmp_path / "d_fine.ipynb", "assert 1 == 1")
    write_notebook(tmp_path / "e_syntax.ipynb", "x = 1", "\n\ndef f(:\n    pass")
    report = run_notebooks([tmp_path], workers=2, timeout=8)
    notebooks = {nb.path.rsplit("/", 1)[-1]: nb for nb in report.notebooks}
    died = notebooks["a_exit.ipynb"].tests[-1]
    assert died.outcome == "failed" and died.cell == 2
    assert "died (exit code 3) while cell 2 was running" in died.message
    segv = notebooks["b_segv.ipynb"].tests[-1]
    assert segv.outcome == "failed" and "signal 11" in segv.message
    assert "Segmentation fault" in segv.message  # faulthandler's stack, from the output
    hung = notebooks["c_hang.ipynb"].tests[-1]
    assert hung.outcome == "failed" and "timed out after 8.00 s while cell 1" in hung.message
    assert [t.outcome for t in notebooks["d_fine.ipynb"].tests] == ["passed", "passed"]
    syntax = notebooks["e_syntax.ipynb"].tests[-1]
    assert syntax.outcome == "failed" and (syntax.cell, syntax.line) == (2, 3)
    assert "SyntaxError" in syntax.message


def test_ctrl_c_prints_the_results_so_far(tmp_path):
    write_notebook(tmp_path / "fast.ipynb", "assert 2 + 2 == 4")
    write_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "matmul_magic", "test", str(tmp_path), "-n", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the fast notebook's line, printed as it finishes
    assert "fast.ipynb" in line, line
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted: results so far; did not finish:" in out and "slow.ipynb" in out
    assert out.strip().splitlines()[-1] == "2 passed, 0 failed"


def test_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(tmp_path / "missing.ipynb")])
    assert exit_info.value.code == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main_cli.main(["test", str(tmp_path)])  # an empty folder: through the main CLI
    assert exit_info.value.code == 2
    assert "no notebooks" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["-n", "0", str(tmp_path)])


def test_each_test_runs_in_its_own_interpreter_not_this_one(tmp_path):
    # The runner must not leak notebook state into the process that runs it.
    write_notebook(tmp_path / "a.ipynb", "import os\nos.environ['LEAK'] = '1'")
    run_notebooks([tmp_path], workers=1)
    assert "LEAK" not in os.environ


def test_json_on_stdout_replaces_the_text_report(tmp_path, capsys):
    write_notebook(tmp_path / "a.ipynb", "assert 1 == 1")
    assert cli.main([str(tmp_path), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary_line"] == "2 passed, 0 failed"
    assert [t["name"] for t in data["notebooks"][0]["tests"]] == ["assert 1 == 1", "notebook runs"]
