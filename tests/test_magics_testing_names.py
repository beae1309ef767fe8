"""Names in the testing magics: test functions found without an import, the user's win, scopes."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from magic_cells import run

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
