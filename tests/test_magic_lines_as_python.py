"""Magic lines as Python reads them (issue 24, item 8): ``await`` in a test magic's line and
in ``%%tests`` and ``%%explain`` cells where IPython's autoawait lets a plain cell await,
and a magic line inside a nested function that reads the enclosing function's variables.

The cells run in an ``InteractiveShell``, through ``matmul-magic test`` and through
``pytest --matmul-magic``, and pass in all three.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from magic_cells import run
from notebook_writer import write_notebook

from matmul_magic.notebook_tests import run_notebooks

pytest_plugins = ["pytester"]

MAKE = (
    "%load_ext matmul_magic\nfrom matmul_magic import *\nimport asyncio\n"
    "async def make(v=1):\n    await asyncio.sleep(0)\n    return v"
)
CELLS = [
    MAKE,
    # await in %%tests: each line still a test, the magic lines included
    "%%tests\nx = await make()\ntest_eq(x, 1)\n%test_eq await make(2), 2\n"
    "assert await make(3) == 3\ntest_eq([await make(v) for v in (1, 2)], [1, 2])",
    # ... in a line magic at the top level and inside an async def
    "%test_eq await make(), 1",
    "async def check():\n    %test_eq await make(4), 4\n    return 4\ntest_eq(await check(), 4)",
    # ... in %%explain, whose trace keeps the cell's value
    "%%explain\nimport torch\nt = torch.ones(2, 3) * await make(2)\nt.sum()",
    "test_eq(t.sum().item(), 12.0)",
    # a magic line in a nested function sees the enclosing function's variables
    "def outer():\n    y = 2\n    def inner():\n        %test_eq y, 2\n        return y + 1\n"
    "    return inner()\ntest_eq(outer(), 3)",
    "def walrus():\n    y = 2\n    def inner():\n        z = 0\n        %test_eq (z := y + 1), 3\n"
    "        return z\n    return inner()\ntest_eq(walrus(), 3)",
    "%%tests\ndef outer2():\n    k = 1\n    def inner():\n        %test_eq k, 1\n"
    "        return lambda: k\n    return inner()\ntest_eq(outer2()(), 1)",
]


def test_await_and_enclosing_variables_in_a_shell_through_the_runner_and_pytest(
    ip, tmp_path, pytester
):
    for cell in CELLS:
        assert run(ip, cell) is None, cell
    path = write_notebook(tmp_path / "lines.ipynb", *CELLS)
    tests = run_notebooks([path], workers=1).notebooks[0].tests
    assert {t.outcome for t in tests} == {"passed"}, [(t.test_id, t.message) for t in tests]
    # the awaiting lines are tests of their own, found where they stand
    lines = {(t.cell, t.line) for t in tests}
    assert {(2, 4), (2, 5), (3, 1)} <= lines, sorted(lines, key=str)
    write_notebook(pytester.path / "lines.ipynb", *CELLS)
    result = pytester.runpytest_subprocess("--matmul-magic", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(tests))


def test_awaiting_tests_still_fail_and_are_counted(ip, capsys):
    run(ip, MAKE)
    error = run(ip, "%%tests\nx = await make()\ntest_eq(x, 2)\nassert await make() == 1\n")
    assert isinstance(error, AssertionError) and str(error) == "1 passed, 1 failed (line 3)"
    assert isinstance(run(ip, "%test_eq await make(), 2"), AssertionError)
    assert "1 passed, 1 failed" in capsys.readouterr().out


def test_a_failing_awaiting_line_fails_its_test_under_the_runner(tmp_path):
    path = write_notebook(
        tmp_path / "fails.ipynb", MAKE, "%%tests\ntest_eq(await make(), 2)\nz = 1",
        "%test_eq await make(), 3", "assert z == 1",
    )  # fmt: skip
    tests = run_notebooks([path], workers=1).notebooks[0].tests
    outcomes = {(t.cell, t.line): t.outcome for t in tests}
    assert outcomes[(2, 2)] == "failed" and outcomes[(3, 1)] == "failed", outcomes
    assert outcomes[(4, 1)] == "passed", outcomes  # the notebook went on


def test_await_is_refused_where_python_refuses_it(ip):
    from IPython.core.error import UsageError

    from matmul_magic.magics import awaiting

    run(ip, MAKE)
    cell = "def plain():\n    %test_eq await make(), 1\nplain()"
    transformed = ip.transform_cell(cell)
    assert awaiting.rewritten(ip, transformed) == transformed  # no await added in a def
    error = run(ip, cell)  # the magic refuses the line, as Python refuses the statement
    assert isinstance(error, UsageError) and "'await' outside async function" in str(error)
    ip.run_line_magic("autoawait", "off")
    try:
        assert "'await' outside function" in str(run(ip, "%%tests\nx = await make()"))
        assert "'await' outside" in str(run(ip, "%test_eq await make(), 1"))
    finally:
        ip.run_line_magic("autoawait", "on")


def test_an_awaiting_magic_line_in_explain_is_awaited_once(ip):
    # %%explain's body went through the rewriter twice: `await (await ...)` awaited None
    run(ip, MAKE)
    assert run(ip, "%%explain\nimport torch\n%test_eq await make(), 1\nt = torch.ones(2)") is None
    assert isinstance(run(ip, "%%explain\n%test_eq await make(), 2"), AssertionError)


@pytest.mark.parametrize("transformers", ["input_transformers_post", "ast_transformers"])
def test_unloading_removes_what_loading_added(ip, transformers):
    before = len(getattr(ip, transformers))
    ip.run_line_magic("unload_ext", "matmul_magic")
    assert len(getattr(ip, transformers)) == before - 1
    ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("load_ext", "matmul_magic")  # twice: still one
    assert len(getattr(ip, transformers)) == before


@pytest.mark.notebook
def test_await_in_a_notebook_kernel_whose_loop_is_running():
    # ipykernel runs cells on its own running loop: the magic cannot run one of its own
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    root = Path(__file__).resolve().parents[1]
    cells = [*CELLS, "%%tests\ntest_eq(await make(), 5)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(root)}},  # the kernel imports this checkout
    )  # fmt: skip
    client.execute()
    errors = [
        [(o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]
        for cell in notebook.cells
    ]
    assert errors == [[]] * len(CELLS) + [[("AssertionError", "0 passed, 1 failed (line 2)")]]
    streams = [o.text for cell in notebook.cells for o in cell.outputs if o.output_type == "stream"]
    assert not any("Error" in text for text in streams), streams  # a UsageError is a stream
    tally = [o for o in notebook.cells[1].outputs if o.output_type == "display_data"]
    assert tally[0]["data"]["text/plain"] == "4 passed, 0 failed"
    explained = [o for o in notebook.cells[4].outputs if o.output_type == "execute_result"]
    assert explained[0]["data"]["text/plain"] == "tensor(12.)"
