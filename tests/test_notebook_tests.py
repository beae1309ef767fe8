"""``matmul-magic test`` and ``pytest --matmul-magic``: notebooks as test suites.

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
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from matmul_magic import cli as main_cli
from matmul_magic.notebook_tests import cli, run_notebooks
from matmul_magic.notebook_tests.discovery import find_notebooks, plan_notebook
from matmul_magic.notebook_tests.merge import merge
from matmul_magic.notebook_tests.model import Execution, Options

pytest_plugins = ["pytester"]


def write_notebook(path: Path, *cells, metadata: dict | None = None) -> Path:
    """Cells are sources (code) or ``(source, tags)`` or ``("md", text)``."""
    built = []
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "md":
            built.append(new_markdown_cell(cell[1]))
        elif isinstance(cell, tuple):
            built.append(new_code_cell(cell[0], metadata={"tags": list(cell[1])}))
        else:
            built.append(new_code_cell(cell))
    nb = new_notebook(cells=built, metadata=metadata or {})
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nbformat.write(nb, path)
    return path


def by_id(report, notebook: str | None = None) -> dict:
    tests = (
        report.tests
        if notebook is None
        else [t for nb in report.notebooks if nb.path.endswith(notebook) for t in nb.tests]
    )
    return {t.test_id: t for t in tests}


# -- discovery (nothing runs) -------------------------------------------------------------------


def test_discovery_finds_every_kind_of_test_at_its_editor_line(tmp_path):
    path = write_notebook(
        tmp_path / "a.ipynb",
        ("md", "# title"),
        "\n\nx = 1\ntest_eq(x, 1); test_ne(x, 2)\n%test_near x, 1.0\nassert x == 1, 'one'",
        "%%tests\ntest_eq(1, 1)\n%test_eq 2, 2\nassert True",
        "%%matmul_bench --budget 1\ndef mine(a, b):\n    return a @ b\n\ndef _helper(a):\n    pass",
        "with ExceptionExpected(ex=AssertionError):\n    test_eq(1, 2)\n"
        "test_fail(lambda: test_eq(1, 2))",
        ("test_eq(1, 2)", ["skip-test"]),
        "#| eval: false\ntest_eq(3, 4)",
        ("def f():\n    test_eq(1, 1)\nf()", ["raises-exception"]),
    )
    plan = plan_notebook(path)
    got = [(t.cell, t.line, t.name, t.kind, t.skip_reason) for t in plan.tests]
    assert got == [
        (2, 4, "test_eq(x, 1)", "test", None),
        (2, 4, "test_ne(x, 2)", "test", None),
        (2, 5, "%test_near x, 1.0", "test", None),
        (2, 6, "assert x == 1", "assert", None),
        (3, 2, "test_eq(1, 1)", "test", None),
        (3, 3, "%test_eq 2, 2", "test", None),  # %%tests: no assert (it stops the cell)
        (4, 2, "matmul_bench[mine]", "bench", None),
        (5, 3, "test_fail(lambda: test_eq(1, 2))", "test", None),
        (6, 1, "test_eq(1, 2)", "test", "cell tagged skip-test"),
        (7, 2, "test_eq(3, 4)", "test", "cell flagged #| eval: false"),
        (8, 2, "test_eq(1, 1)", "test", None),
        (None, None, "notebook runs", "notebook", None),
    ]
    assert plan.tests[-3].expect_failure is False and plan.tests[-2].expect_failure is True
    ids = [t.test_id for t in plan.tests]
    assert len(set(ids)) == len(ids) and not any("::" in i for i in ids)


def test_find_notebooks_walks_folders_and_rejects_missing_paths(tmp_path):
    write_notebook(tmp_path / "b.ipynb", "1")
    (tmp_path / "sub").mkdir()
    write_notebook(tmp_path / "sub" / "a.ipynb", "1")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / ".ipynb_checkpoints" / "b-checkpoint.ipynb", "1")
    assert find_notebooks([tmp_path]) == [tmp_path / "b.ipynb", tmp_path / "sub" / "a.ipynb"]
    with pytest.raises(FileNotFoundError, match="nope"):
        find_notebooks([tmp_path / "nope"])


def test_merge_reports_a_dead_interpreter_with_the_last_cell_started(tmp_path):
    path = write_notebook(tmp_path / "a.ipynb", "test_eq(1, 1)", "boom()", "test_eq(2, 2)")
    plan = plan_notebook(path)
    records = [
        {"type": "start", "cell": 1},
        {"type": "test", "kind": "test", "cell": 1, "line": 1, "col": 0,
         "function": "test_eq", "calls": 1, "failed": 0, "message": ""},
        {"type": "end", "cell": 1},
        {"type": "start", "cell": 2},
    ]  # fmt: skip
    report = merge(plan, Execution(records, returncode=-11, output_tail="Segfault"), Options())
    tests = {t.test_id: t for t in report.tests}
    assert tests["cell1:line1:test_eq(1, 1)"].outcome == "passed"
    assert tests["cell3:line1:test_eq(2, 2)"].outcome == "skipped"
    assert "stopped at cell 2" in tests["cell3:line1:test_eq(2, 2)"].message
    notebook = tests["notebook runs"]
    assert notebook.outcome == "failed" and notebook.cell == 2
    assert "died (killed by signal 11) while cell 2 was running" in notebook.message
    assert "Segfault" in notebook.message


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
        "for i in range(3):\n    test_eq(i % 2, 0)",
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
    loop = tests["cell6:line2:test_eq(i % 2, 0)"]
    assert loop["outcome"] == "failed" and (loop["calls"], loop["failed_calls"]) == (3, 1)
    assert "1 of 3 calls failed" in loop["message"]
    failed_assert = tests["cell7:line1:assert 1 + 1 == 3"]
    assert failed_assert["outcome"] == "failed" and "arithmetic" in failed_assert["message"]
    assert tests["cell7:line2:assert True"]["outcome"] == "passed"
    assert tests["cell8:line1:test_eq(1, 2)"]["outcome"] == "skipped"
    assert tests["cell10:line1:test_eq(5, 6)"]["outcome"] == "xfailed"
    assert not any(k.startswith("cell11:") for k in tests)  # inside ExceptionExpected
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
    assert hung.outcome == "failed" and "timed out after 8 s while cell 1" in hung.message
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


def _outcomes(result) -> dict:
    return result.parseoutcomes()


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


def test_each_test_runs_in_its_own_interpreter_not_this_one(tmp_path):
    # The runner must not leak notebook state into the process that runs it.
    write_notebook(tmp_path / "a.ipynb", "import os\nos.environ['LEAK'] = '1'")
    run_notebooks([tmp_path], workers=1)
    assert "LEAK" not in os.environ


def test_plugin_reports_a_file_that_is_not_a_notebook(pytester):
    (pytester.path / "broken.ipynb").write_text("{not json")
    write_notebook(pytester.path / "fine.ipynb", "assert True")
    result = pytester.runpytest_subprocess("--matmul-magic")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*broken.ipynb: not valid JSON*"])


def test_json_on_stdout_replaces_the_text_report(tmp_path, capsys):
    write_notebook(tmp_path / "a.ipynb", "assert 1 == 1")
    assert cli.main([str(tmp_path), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary_line"] == "2 passed, 0 failed"
    assert [t["name"] for t in data["notebooks"][0]["tests"]] == ["assert 1 == 1", "notebook runs"]


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
