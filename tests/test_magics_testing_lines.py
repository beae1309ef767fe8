"""The `%test_eq`-family line magics in a real IPython shell: pass, fail, usage, help."""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError
from magic_cells import LINE_MAGICS, run


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


def test_a_magic_line_reads_as_python_would(ip, capsys):
    # issue 24: a trailing ';' ends the statement, as in `test_eq(1, 1);`
    assert run(ip, "%test_eq 1, 1;") is None
    assert isinstance(run(ip, "%test_eq 1, 2;"), AssertionError)
    # the user's own exception keeps its traceback (not a UsageError without one)
    run(ip, "class Mine:\n    def __eq__(self, other):\n        raise TypeError('mine')\n")
    error = run(ip, "%test_eq Mine(), 1")
    assert type(error) is TypeError and str(error) == "mine"
    assert "__eq__" in re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # its frame
    # our own checks are still usage errors
    assert isinstance(run(ip, "%test_close 1, 1, eps=-1"), UsageError)
