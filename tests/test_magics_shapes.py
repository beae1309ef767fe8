"""``%shapes expr, expr, ...`` through a real InteractiveShell."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from IPython.core.error import UsageError

from matmul_magic.magics.shapes import split_expressions
from matmul_magic.widgets import ShapeExplorer


def test_shapes_opens_an_explorer_on_the_users_values(ip):
    ip.user_ns.update(a=torch.ones(5, 1), b=torch.ones(4))
    w = ip.run_line_magic("shapes", "a, b[None, :]")
    assert isinstance(w, ShapeExplorer)
    assert w.names == ["a", "b[None, :]"]
    assert (w.shapes, w.result) == ([[5, 1], [1, 4]], [5, 4])


def test_shapes_runs_as_a_cell_line_and_can_be_assigned(ip):
    ip.user_ns["c"] = torch.arange(3)
    result = ip.run_cell("w = %shapes c[:, None], c[None, :]")
    result.raise_error()
    assert ip.user_ns["w"].result == [3, 3]


@pytest.mark.parametrize(
    ("line", "shapes"),
    [
        ("(5, 1), (1, 4)", [[5, 1], [1, 4]]),
        ("(5, 1)", [[5, 1]]),
        ("[(5, 1), (3,)][0], ()", [[5, 1], []]),
        ("torch.Size([2, 3])", [[2, 3]]),
    ],
)
def test_shapes_accepts_shapes_too(ip, line, shapes):
    ip.user_ns["torch"] = torch
    assert ip.run_line_magic("shapes", line).shapes == shapes


def test_a_clash_is_shown_not_raised(ip):
    w = ip.run_line_magic("shapes", "(2, 3), (4,)")
    assert w.result is None and "clash" in w.error


@pytest.mark.parametrize(
    "line",
    ["", "   ", "a,, b", "(5, 1", "import os", "undefined_name", "(5, -1)", "'5,1'", "1 / 0"],
)
def test_malformed_lines_are_usage_errors(ip, line):
    with pytest.raises(UsageError):
        ip.run_line_magic("shapes", line)


def test_split_keeps_each_expressions_source():
    assert [src for src, _ in split_expressions("a[:, None],  b.T , (1, 2)")] == [
        "a[:, None]",
        "b.T",
        "(1, 2)",
    ]
    assert [src for src, _ in split_expressions("(a, b)")] == ["(a, b)"]


def test_help_is_the_docstring(ip):
    assert "ShapeExplorer" in ip.find_line_magic("shapes").__doc__


def test_unload_removes_the_magic(ip):
    assert ip.find_line_magic("shapes") is not None
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        assert ip.find_line_magic("shapes") is None
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")


def test_loading_twice_is_harmless(ip):
    ip.run_line_magic("reload_ext", "matmul_magic")
    assert ip.run_line_magic("shapes", "(3,)").result == [3]


def test_loading_the_extension_imports_neither_torch_nor_anywidget():
    code = (
        "from IPython.core.interactiveshell import InteractiveShell; import sys; "
        "ip = InteractiveShell.instance(); ip.run_line_magic('load_ext', 'matmul_magic'); "
        "assert ip.find_line_magic('shapes') is not None; "
        "print('torch' in sys.modules, 'anywidget' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_a_parenthesised_first_operand_is_one_of_the_operands(ip):
    ip.user_ns.update(a=torch.ones(5, 1), b=torch.ones(4))
    w = ip.run_line_magic("shapes", "(a * 2), b")
    assert w.names == ["a * 2", "b"]
    assert (w.shapes, w.result) == ([[5, 1], [4]], [5, 4])


def test_shapes_inside_a_function_sees_its_locals(ip):
    ip.user_ns["torch"] = torch
    cell = (
        "def look():\n"
        "    loc = torch.ones(3, 1)\n"
        "    seen = %shapes loc, [loc.shape[0] for _ in range(1)]\n"
        "    return seen\n"
        "w = look()\n"
    )
    ip.run_cell(cell).raise_error()
    assert ip.user_ns["w"].shapes == [[3, 1], [3]]  # a list is a shape


def test_keywords_and_stars_are_usage_errors(ip):
    for line in ("(2, 3), x=(3,)", "*[(2, 3)]"):
        with pytest.raises(UsageError):
            ip.run_line_magic("shapes", line)
