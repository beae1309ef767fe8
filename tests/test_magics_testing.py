"""The testing magics through a real ``InteractiveShell`` (the ``ip`` fixture).

Cells go through ``ip.run_cell`` so that IPython's own transformer turns ``%test_eq ...``
into a magic call, as in a notebook; errors are then read from the ``ExecutionResult``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

LINE_MAGICS = ["test_eq", "test_ne", "test_near", "test_close", "test_is", "test_shuffled"]


def run(ip, cell: str):
    """Run ``cell`` like a notebook does; return the exception it raised, or None."""
    result = ip.run_cell(cell)
    return result.error_before_exec or result.error_in_exec


@pytest.fixture
def lesson(ip):
    """The lesson's names in the user namespace."""
    run(
        ip,
        "import torch\n"
        "from matmul_magic import *\n"
        "def matmul(a, b):\n"
        "    return torch.einsum('ik,kj->ij', a, b)\n"
        "m1, m2 = torch.randn(5, 3), torch.randn(3, 4)\n"
        "t1 = m1 @ m2\n",
    )
    return ip


def test_every_line_magic_is_registered(ip):
    for name in LINE_MAGICS:
        assert ip.find_line_magic(name) is not None
    assert ip.find_cell_magic("tests") is not None


@pytest.mark.parametrize(
    "cell",
    [
        "%test_eq [1, 2], (1, 2)",
        "%test_ne [1, 2], [1]",
        "%test_near t1, matmul(m1, m2), rtol=1e-2",
        "%test_near t1, matmul(m1, m2), eps=1e-4, equal_nan=True",
        "%test_close 1, 1.001, eps=1e-2",
        "%test_close [1.0], [1.0000001]",
        "%test_is m1, m1",
        "%test_shuffled [1, 2, 3], [3, 1, 2]",
        "%test_eq {1, 2}, {2, 1}",  # braces are Python, not IPython's {var} expansion
        "%test_eq [x * 2 for x in range(3)], [0, 2, 4]",
        "%test_eq *[[1], [1]]",
        "%test_eq t1.shape, (5, 4)  # a comment",
    ],
)
def test_passing_lines(lesson, cell):
    assert run(lesson, cell) is None


@pytest.mark.parametrize(
    ("cell", "start"),
    [
        ("%test_eq [1, 2], [1]", "==:\n[1, 2]\n[1]"),
        ("%test_ne 1, 1", "!=:\n1\n1"),
        ("%test_close 1, 1.001", "close:\n1\n1.001"),
        ("%test_is [1], [1]", "is:\n[1]\n[1]"),
        ("%test_shuffled [1, 2], [1, 2]", "!=:\n[1, 2]\n[1, 2]"),
        ("%test_near t1, t1 + 1", "near:\n"),
    ],
)
def test_failing_lines_raise_assertion_error_with_the_message(lesson, cell, start):
    error = run(lesson, cell)
    assert isinstance(error, AssertionError)
    assert str(error).startswith(start)


def test_failure_diagnosis_comes_through(lesson):
    error = run(lesson, "%test_near t1, torch.zeros(4, 4)")
    assert "shapes: (5, 4) vs (4, 4)" in str(error)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("test_eq", "1,"),
        ("test_eq", ""),
        ("test_eq", "1), print(2"),
        ("test_eq", "1 2"),
        ("test_eq", "1, 2, 3"),
        ("test_near", "t1, t1, tol=3"),
        ("test_close", "1, 1, eps="),
        ("test_is", "a=1, b=2, c=3"),
        ("test_shuffled", "[1, 2"),
        ("test_ne", "$x, 1"),
    ],
)
def test_malformed_lines_raise_usage_error_with_usage(lesson, name, line):
    error = run(lesson, f"%{name} {line}")
    assert isinstance(error, UsageError), error
    assert f"Usage: %{name} a, b" in str(error)
    with pytest.raises(UsageError):
        lesson.run_line_magic(name, line)


def test_usage_error_never_shows_a_syntax_error_traceback(lesson, capsys):
    run(lesson, "%test_eq 1,")
    out = capsys.readouterr()
    assert "SyntaxError" not in out.out + out.err
    assert "UsageError" in out.out + out.err


def test_unknown_name_raises_name_error(lesson):
    error = run(lesson, "%test_eq no_such_name, 1")
    assert isinstance(error, NameError) and "no_such_name" in str(error)


def test_line_is_evaluated_in_the_user_namespace(ip):
    ip.user_ns["value_from_user"] = [3, 4]
    ip.run_line_magic("test_eq", "value_from_user, [3, 4]")
    with pytest.raises(AssertionError, match=r"==:\n\[3, 4\]\n\[4, 3\]"):
        ip.run_line_magic("test_eq", "value_from_user, [4, 3]")


def test_line_sees_a_functions_local_variables(lesson):
    cell = "def check():\n    local_value = 3\n    %test_eq local_value, 3\ncheck()"
    assert run(lesson, cell) is None


def test_line_magics_return_nothing(lesson):
    assert lesson.run_line_magic("test_eq", "1, 1") is None


@pytest.mark.parametrize("name", LINE_MAGICS)
def test_help_shows_usage_and_the_api_docstring(lesson, capsys, name):
    import matmul_magic.testing as api

    assert run(lesson, f"%{name}?") is None
    out = capsys.readouterr().out
    assert f"Usage::\n\n    %{name} a, b" in out
    first_line = api.__dict__[name].__doc__.strip().splitlines()[0]
    assert first_line in out


def test_help_for_the_cell_magic(lesson, capsys):
    assert run(lesson, "%%tests?") is None
    assert "N passed, M failed" in capsys.readouterr().out


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


def test_an_unknown_name_shows_the_users_line_not_the_magics_frames(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        error = run(lesson, "%test_eq nosuch, 1")
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert isinstance(error, NameError)
    assert "----> 2 nosuch, 1" in out and "name 'nosuch' is not defined" in out
    assert "matmul_magic" not in out and "eval(" not in out


def test_tests_cell_traceback_points_at_the_cell_line(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        run(lesson, "%%tests\nx = 1\n1 / 0\n")
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert "      2 x = 1\n----> 3 1 / 0\n" in out


def test_tests_cell_traceback_names_the_cell_as_its_prompt_does(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        result = lesson.run_cell("%%tests\nx = 1\n1 / 0\n", store_history=True)  # as Jupyter
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert f"Cell In[{result.execution_count}], line 3" in out  # not the next cell's number
    assert f"Cell In[{result.execution_count + 1}]" not in out


def test_failures_raise_again_after_a_tests_cell(lesson):
    run(lesson, "%%tests\ntest_eq(1, 1)\n")
    assert isinstance(run(lesson, "test_eq(1, 2)"), AssertionError)


# ---------------------------------------------------------------------------------------------
# Load, unload, reload
# ---------------------------------------------------------------------------------------------


def test_unload_removes_the_magics_and_reload_restores_them(ip):
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        for name in LINE_MAGICS:
            assert ip.find_line_magic(name) is None
        assert ip.find_cell_magic("tests") is None
        with pytest.raises(UsageError):
            ip.run_line_magic("test_eq", "1, 1")
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("reload_ext", "matmul_magic")
    ip.run_line_magic("test_eq", "1, 1")
    with pytest.raises(AssertionError):
        ip.run_line_magic("test_eq", "1, 2")


# ---------------------------------------------------------------------------------------------
# In a real notebook kernel
# ---------------------------------------------------------------------------------------------


@pytest.mark.notebook
def test_magics_in_a_notebook_kernel():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    root = Path(__file__).resolve().parents[1]
    cells = [
        "%load_ext matmul_magic\nimport sys\nprint('torch' in sys.modules)",
        "from matmul_magic import *\nimport torch\nt = torch.ones(3)",
        "%test_near t, t + 1e-6",
        "%%tests\ntest_eq(1, 1)\n%test_eq [1, 2], [2, 1]\ntest_near(t, t)",
        "%test_eq 1,",
        "%test_eq t, torch.zeros(2)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(root)}},  # the kernel imports this checkout
    )
    client.execute()
    outputs = [cell.outputs for cell in notebook.cells]

    def text(n: int) -> str:
        return "".join(o.get("text", "") for o in outputs[n] if o.output_type == "stream")

    def error(n: int) -> tuple[str, str] | None:
        errors = [(o.ename, o.evalue) for o in outputs[n] if o.output_type == "error"]
        return errors[0] if errors else None

    assert text(0).strip() == "False"  # %load_ext left torch alone
    assert error(1) is None and error(2) is None
    assert "line 3: test_eq failed\n==:\n[1, 2]\n[2, 1]\n" in text(3)
    assert text(3).endswith("2 passed, 1 failed\n")
    assert error(3) == ("AssertionError", "1 of 3 tests failed (line 3)")
    # IPython shows a UsageError as a short message on stderr, without a traceback.
    assert error(4) is None
    assert text(4).startswith("UsageError: %test_eq: missing a required argument: 'b'\n")
    assert "Usage: %test_eq a, b" in text(4) and "Traceback" not in text(4)
    assert error(5)[0] == "AssertionError" and "shapes: (3,) vs (2,)" in error(5)[1]


# ---------------------------------------------------------------------------------------------
# Names: the test functions resolve without an import; the user's names win
# ---------------------------------------------------------------------------------------------


def test_tests_cell_finds_the_test_functions_without_an_import(ip, capsys):
    assert "test_eq" not in ip.user_ns
    cell = (
        "%%tests\n"
        "test_eq(1, 1)\n"
        "test_near([1.0], [1.0])\n"
        "test_fail(lambda: test_eq(1, 2), contains='==')\n"  # inside a lambda too
        "test_eq([near(x, x) for x in (1.0, 2.0)], [True, True])\n"  # and a comprehension
    )
    assert run(ip, cell) is None
    assert capsys.readouterr().out.endswith("4 passed, 0 failed\n")
    assert not {"test_eq", "test_near", "test_fail", "near"} & set(ip.user_ns)
    assert ip.user_ns["__builtins__"] is __builtins__ or "test_eq" not in vars(
        ip.user_ns["__builtins__"]
    )


def test_test_line_finds_the_test_functions_without_an_import(ip):
    ip.run_line_magic("test_eq", "near(1.0, 1.0), True")
    assert "near" not in ip.user_ns


def test_the_users_own_names_win(ip, capsys):
    run(ip, "def near(a, b):\n    return 'mine'\n")
    assert run(ip, "%test_eq near(1, 2), 'mine'") is None
    assert run(ip, "%%tests\ntest_eq(near(1, 2), 'mine')\n") is None
    assert capsys.readouterr().out.endswith("1 passed, 0 failed\n")


def test_a_name_that_is_nowhere_is_still_a_name_error(ip):
    assert isinstance(run(ip, "%%tests\nno_such_test(1)\n"), NameError)


# ---------------------------------------------------------------------------------------------
# Scope: a magic line sees and binds names as the same expression in plain Python
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "(lambda: z)(), 2",
        "[z + i for i in range(2)], [2, 3]",
        "{k: z for k in 'a'}, {'a': 2}",
        "sum(z for _ in range(3)), 6",
    ],
)
def test_lambdas_and_comprehensions_see_a_functions_locals(ip, line):
    cell = f"def check():\n    z = 2\n    %test_eq {line}\ncheck()\n"
    assert run(ip, cell) is None


def test_a_walrus_binds_at_the_top_level(ip):
    assert run(ip, "%test_eq (y := 5), 5") is None
    assert ip.user_ns["y"] == 5
    assert run(ip, "%%tests\n%test_eq (w := 6), 6\n") is None
    assert ip.user_ns["w"] == 6


def test_a_walrus_binds_a_functions_local(ip):
    cell = "def check():\n    y = 0\n    %test_eq (y := 5), 5\n    return y\nresult = check()\n"
    assert run(ip, cell) is None
    assert ip.user_ns["result"] == 5
    assert "y" not in ip.user_ns


def test_a_walrus_on_a_name_the_function_lacks_is_a_usage_error(ip):
    error = run(ip, "def check():\n    %test_eq (q := 5), 5\ncheck()\n")
    assert isinstance(error, UsageError) and "cannot bind q" in str(error)


# ---------------------------------------------------------------------------------------------
# Line numbers, tracebacks
# ---------------------------------------------------------------------------------------------


def test_tests_cell_counts_leading_blank_lines_as_the_editor_does(ip, capsys):
    error = run(ip, "%%tests\n\n\ntest_eq(1, 1)\ntest_eq(1, 2)\n")
    assert str(error) == "1 of 2 tests failed (line 5)"
    assert "line 5: test_eq failed" in capsys.readouterr().out
    error = run(ip, "%%tests\n  \n\nx = (\n")
    assert "(line 4: " in str(error)


def _traceback_text(ip, capsys, cell: str) -> str:
    previous = ip.colors
    ip.run_line_magic("colors", "nocolor")
    try:
        run(ip, cell)
    finally:
        ip.run_line_magic("colors", previous)
    return capsys.readouterr().out


def _last_frame(out: str) -> str:
    frames = [block for block in out.split("\n\n") if "---->" in block]
    return frames[-1]


def test_a_failed_test_line_ends_at_the_users_line(ip, capsys):
    out = _traceback_text(ip, capsys, "x = 1\n%test_eq x, 2\n")
    assert "AssertionError: ==:\n1\n2" in out
    assert "matmul_magic" not in out
    assert "----> 2 get_ipython().run_line_magic('test_eq', 'x, 2')" in _last_frame(out)


def test_a_failed_test_call_ends_at_the_users_line(ip, capsys):
    out = _traceback_text(ip, capsys, "from matmul_magic import test_eq\ntest_eq(1, 2)\n")
    assert "----> 2 test_eq(1, 2)" in _last_frame(out)
    assert "matmul_magic/testing" not in out and "_recorded" not in out


def test_a_failed_tests_cell_ends_at_the_cell(ip, capsys):
    out = _traceback_text(ip, capsys, "%%tests\ntest_eq(1, 2)\n")
    assert "AssertionError: 1 of 1 tests failed (line 2)" in out
    assert (
        "matmul_magic/testing" not in out and "collect_tests" not in out and "__exit__" not in out
    )


def test_reload_leaves_no_magics_instance_behind(ip):
    def ours():
        return [c for c in ip.configurables if type(c).__module__.startswith("matmul_magic")]

    def callbacks():
        return {event: len(found) for event, found in ip.events.callbacks.items()}

    loaded, events = len(ours()), callbacks()
    assert loaded == 4  # one instance per family
    for _ in range(3):
        ip.run_line_magic("reload_ext", "matmul_magic")
        assert len(ours()) == loaded
        assert callbacks() == events
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        assert ours() == []
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("test_eq(1, 1)", None),
        ("test_eq([1, 2], (1, 2))  # a comment", None),
        ("test_near(1.0, 1.0001, rtol=1e-3)", None),
        ("test_eq(1, 2)", AssertionError),
    ],
)
def test_a_one_line_cell_calling_a_test_without_an_import(ip, cell, error):
    # Automagic turns it into `%test_eq (1, 1)`: the parentheses are the argument list.
    assert "test_eq" not in ip.user_ns
    outcome = run(ip, cell)
    assert outcome is None if error is None else isinstance(outcome, error)


def test_a_single_tuple_argument_is_still_one_argument(ip):
    assert isinstance(run(ip, "%test_eq (1, 2), (1, 2)"), type(None))
    assert isinstance(run(ip, "%test_eq (1, 2)[0], 1"), type(None))


# ---------------------------------------------------------------------------------------------
# The README's example is a real run
# ---------------------------------------------------------------------------------------------


def test_the_readmes_failure_example_is_what_a_run_prints(ip, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    run(
        ip,
        "import torch\n"
        "torch.manual_seed(0)\n"
        "m1, m2 = torch.randn(5, 784), torch.randn(784, 10)\n"
        "t1 = m1 @ m2\n"
        "def matmul(a, b):\n"
        "    return (a.bfloat16() @ b.bfloat16()).float()\n",
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


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("[1.0], [1.0], rtol=-1", "%test_near: rtol must be a number >= 0, got -1"),
        ("torch.ones(2).to_sparse(), torch.ones(2)", "%test_near: cannot compare"),
    ],
)
def test_the_apis_value_and_type_errors_are_usage_errors(lesson, line, says):
    error = run(lesson, f"%test_near {line}")
    assert isinstance(error, UsageError) and str(error).startswith(says)


def test_a_tests_cell_error_after_blank_lines_points_at_the_editor_line(lesson, capsys):
    out = _traceback_text(lesson, capsys, "%%tests\n\n\nx = 1\n1 / 0\n")
    assert "      4 x = 1\n----> 5 1 / 0\n" in out
