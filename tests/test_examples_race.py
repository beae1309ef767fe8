"""Every function an example notebook hands to the race shows up in that race's result.

A learner who writes ``bench(my_kernel, only=[...])`` or a ``%%matmul_bench`` cell that defines
``my_kernel`` must see a ``my_kernel`` row: functions passed in always race, and ``only=``
selects among the course's rows.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from _run_examples import EXAMPLES, executed

from matmul_magic.bench_result.result import MIME_TYPE

pytestmark = pytest.mark.notebook

BENCH_MAGIC = re.compile(r"^\s*%%matmul_bench\b")


def _python(source: str) -> str:
    """The cell's Python, with magic lines (``%…``, ``!…``) blanked so ``ast`` can read it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _defined_functions(cells: list) -> set[str]:
    names: set[str] = set()
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(_python(cell.source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
    return names


def racers(source: str, functions: set[str]) -> tuple[set[str], bool]:
    """(functions this cell races, whether it races them unconditionally).

    A ``%%matmul_bench`` cell races the functions it defines at its top level; a ``bench(...)``
    call races its positional arguments that name notebook functions. A call inside an ``if``
    (``if torch.cuda.is_available():``) may not run here, so it is not required to show.
    """
    if BENCH_MAGIC.match(source):
        tree = ast.parse(source.split("\n", 1)[1] if "\n" in source else "")
        return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, True
    tree = ast.parse(_python(source))
    named: set[str] = set()
    certain = True

    def visit(node: ast.AST, conditional: bool) -> None:
        nonlocal certain
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "bench":
            args = {a.id for a in node.args if isinstance(a, ast.Name) and a.id in functions}
            named.update(args)
            if args and conditional:
                certain = False
        for child in ast.iter_child_nodes(node):
            visit(child, conditional or isinstance(node, (ast.If, ast.Try, ast.FunctionDef)))

    visit(tree, False)
    return named, certain


def _bench_rows(cell) -> list[set[str]]:
    return [
        {row["name"] for row in output["data"][MIME_TYPE]["rows"]}
        for output in cell.get("outputs", [])
        if MIME_TYPE in output.get("data", {})
    ]


def test_racers_reads_both_doors():
    functions = {"mine", "other", "helper"}
    assert racers(
        "%%matmul_bench --only torch\ndef mine(a, b):\n    return a @ b\n", functions
    ) == (
        {"mine"},
        True,
    )
    assert racers('r = bench(mine, other, only=["torch"])\nr', functions) == (
        {"mine", "other"},
        True,
    )
    assert racers("if gpu:\n    display(bench(mine, device='cuda'))", functions) == (
        {"mine"},
        False,
    )
    assert racers("helper(1)\nbench(torch_fn)", functions) == (set(), True)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_racing_function_is_in_its_result(path: Path):
    notebook = executed(path)
    functions = _defined_functions(notebook.cells)
    checked = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        wanted, certain = racers(cell.source, functions)
        if not wanted:
            continue
        results = _bench_rows(cell)
        if not results:
            assert not certain, f"{path.name}: no bench result from {cell.source[:80]!r}"
            continue
        for names in results:
            missing = wanted - names
            assert not missing, (
                f"{path.name}: {sorted(missing)} raced in {cell.source[:80]!r} "
                f"but the result has only {sorted(names)}"
            )
        checked += 1
    races_in_notebook = any(
        c.cell_type == "code" and ("bench(" in c.source or BENCH_MAGIC.match(c.source))
        for c in notebook.cells
    )
    assert checked or not races_in_notebook, f"{path.name}: its races were not checked"
