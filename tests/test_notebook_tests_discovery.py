"""``matmul-magic test`` before anything runs: finding tests in notebooks, merging records."""

from __future__ import annotations

import pytest
from notebook_writer import write_notebook

from matmul_magic.notebook_tests.discovery import find_notebooks, plan_notebook
from matmul_magic.notebook_tests.model import Execution, Options
from matmul_magic.notebook_tests.outcomes import merge

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
        (
            "def test_f():\n    test_eq(1, 1)\ntest_f()\nfor i in range(2):\n    assert i < 2",
            ["raises-exception"],
        ),
    )
    plan = plan_notebook(path)
    got = [(t.cell, t.line, t.name, t.kind, t.skip_reason) for t in plan.tests]
    assert got == [
        (2, 4, "test_eq(x, 1)", "test", None),
        (2, 4, "test_ne(x, 2)", "test", None),
        (2, 5, "%test_near x, 1.0", "test", None),
        (2, 6, "assert x == 1", "assert", None),
        (3, 2, "test_eq(1, 1)", "test", None),
        (3, 3, "%test_eq 2, 2", "test", None),
        (3, 4, "assert True", "assert", None),  # %%tests counts an assert too
        (4, 2, "matmul_bench[mine]", "bench", None),
        (5, 1, "with ExceptionExpected(ex=AssertionError)", "test", None),
        (5, 3, "test_fail(lambda: test_eq(1, 2))", "test", None),
        (6, 1, "test_eq(1, 2)", "test", "cell tagged skip-test"),
        (7, 2, "test_eq(3, 4)", "test", "cell flagged #| eval: false"),
        # a test statement is a top-level one: code in a function or loop is just code
        (9, 3, "test_f()", "test", None),
        (None, None, "notebook runs", "notebook", None),
    ]
    assert plan.tests[-3].expect_failure is False and plan.tests[-2].expect_failure is True
    ids = [t.test_id for t in plan.tests]
    assert len(set(ids)) == len(ids) and not any("::" in i for i in ids)


def test_a_cell_magic_after_blank_lines_is_read_with_or_without_a_body(tmp_path):
    # "\n%%tests" once failed the notebook: its body was looked for before the blank line went
    path = write_notebook(tmp_path / "a.ipynb", "\n%%tests", "\n\n%%tests\ntest_eq(1, 1)")
    plan = plan_notebook(path)
    assert plan.error is None and [c.magic for c in plan.cells] == ["tests", "tests"]
    got = [(t.cell, t.line, t.name) for t in plan.tests]
    assert got == [(2, 4, "test_eq(1, 1)"), (None, None, "notebook runs")]


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


def test_a_hand_written_run_line_magic_call_is_a_test_whatever_its_arguments(tmp_path):
    """The test is the magic's name: a line held in a variable, or an extra keyword, is still
    ``%test_eq`` (a reader that asked for IPython's exact two string constants lost these)."""
    path = write_notebook(
        tmp_path / "a.ipynb",
        "line = '1, 2'",
        "get_ipython().run_line_magic('test_eq', line)\n"
        "get_ipython().run_line_magic('test_eq', '1, 1', _stack_depth=1)",
    )
    got = [(t.cell, t.line, t.kind) for t in plan_notebook(path).tests]
    assert got == [(2, 1, "test"), (2, 2, "test"), (None, None, "notebook")]
