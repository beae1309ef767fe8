"""Finding notebooks and the tests inside them, by reading them (nothing runs here).

A notebook is read as JSON (never written). Each code cell is turned into Python the way
IPython turns it (``%test_near a, b`` becomes a ``run_line_magic`` call on the same line),
parsed, and searched for tests:

- calls of matmul-magic's test functions (``test_eq(...)``, ``test_near(...)``, ...), also
  inside ``%%tests`` cells and inside functions the cell defines;
- ``%test_*`` line magics;
- ``assert`` statements (outside ``%%tests`` cells, where a bare ``assert`` stops the cell);
- in a ``%%matmul_bench`` cell, each function it defines: the bench's correctness verdict
  on it is a test;
- the notebook itself: it must run top to bottom without an error outside a test.

Skipping: a cell tagged ``skip-test``, or with nbdev's directive ``#| eval: false`` (among
its leading ``#|`` lines), is not run and its tests are skipped; a notebook whose metadata says
``"matmul_magic": {"skip": true}`` (or a reason string) is skipped whole. A cell tagged
``raises-exception`` (Jupyter's own tag) shows a failure on purpose: its error does not stop
the run, its failing tests count as expected failures (``xfailed``), and it fails the
notebook if nothing in it fails.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import DEFAULT_TIMEOUT, NOTEBOOK_TEST, TestResult
from .notebook_file import execution_problem, execution_settings, upgraded

SKIP_TAG = "skip-test"
EXPECT_FAILURE_TAG = "raises-exception"
_EVAL_FALSE = re.compile(r"^\s*#\s*\|\s*eval\s*:\s*false\s*$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^\s*#\s*\|")
_NAME_CHARS = 80


class NotebookError(ValueError):
    """A file that cannot be read as a notebook; the message names the file."""


def inline_test_names() -> frozenset[str]:
    """matmul-magic's test functions: ``test`` and every public ``test_*``."""
    from matmul_magic import testing

    return frozenset(n for n in testing.__all__ if n == "test" or n.startswith("test_"))


def find_notebooks(paths: list[str | Path]) -> list[Path]:
    """Every notebook named by ``paths``, in order: files as given, folders searched
    recursively (``.ipynb_checkpoints`` and hidden folders left out).

    Raises ``FileNotFoundError`` for a path that does not exist.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {raw}")
        if path.is_dir():
            for nb in sorted(path.rglob("*.ipynb")):
                relative = nb.relative_to(path).parts
                if not any(p.startswith(".") for p in relative[:-1]):
                    found.append(nb)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook as JSON; ``NotebookError`` naming ``path`` when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookError(f"{path}: cannot read it: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"{path}: not valid JSON ({error})") from None
    data, problem = upgraded(data)
    problem = problem or notebook_problem(data)
    if problem is not None:
        raise NotebookError(f"{path}: {problem}")
    return data


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


def notebook_problem(data: Any) -> str | None:
    """What makes ``data`` not an nbformat 4 notebook this runner can read, or ``None``."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return "not a notebook (no list of cells)"
    nbformat = data.get("nbformat", 4)
    if not isinstance(nbformat, int) or isinstance(nbformat, bool) or nbformat < 4:
        return f"nbformat {nbformat!r} is not supported (need 4)"
    if not isinstance(data.get("metadata", {}), dict):
        return f"the notebook's metadata is {_type_name(data['metadata'])}, not an object"
    if (problem := execution_problem(data.get("metadata", {}))) is not None:
        return problem
    for i, cell in enumerate(data["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return f"not a notebook (cell {i} has no cell_type)"
        if not isinstance(cell.get("metadata", {}), dict):
            return f"cell {i}: metadata is {_type_name(cell['metadata'])}, not an object"
        tags = cell.get("metadata", {}).get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return f"cell {i}: metadata.tags is not a list of strings"
        source = cell.get("source", "")
        if not isinstance(source, str) and not (
            isinstance(source, list) and all(isinstance(line, str) for line in source)
        ):
            kind = _type_name(source)
            return f"cell {i}: source is {kind} that is not text (need a string or list of strings)"
    return None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell: dict[str, Any]) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])  # checked by notebook_problem


@dataclass
class Cell:
    """A code cell: its number (from 1, among all cells), source and flags."""

    number: int
    source: str
    skip: str | None = None  # why the cell is skipped
    expect_failure: bool = False
    offset: int = 0  # leading blank lines IPython strips before it numbers lines
    magic: str | None = None  # the cell magic's name (tests, matmul_bench), if any
    body: str = ""  # the cell magic's body: the lines after its %% line


@dataclass
class NotebookPlan:
    """What a run of one notebook needs: its code cells and its tests, found by reading it."""

    path: Path
    name: str  # as reported (the path as the user wrote it, or relative)
    cells: list[Cell] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    skip: str | None = None
    error: str | None = None  # not valid JSON / not a notebook
    # Seconds it may run (None: no limit): nbmake's metadata execution.timeout, else the run's.
    timeout: float | None = DEFAULT_TIMEOUT
    allow_errors: bool = False  # nbmake's metadata execution.allow_errors


def cell_skip_reason(cell: dict[str, Any]) -> str | None:
    if SKIP_TAG in _tags(cell):
        return f"cell tagged {SKIP_TAG}"
    for line in _source(cell).split("\n"):  # nbdev's directives: the leading `#|` lines
        if _EVAL_FALSE.match(line):
            return "cell flagged #| eval: false"
        if not _DIRECTIVE.match(line):
            break
    return None


def notebook_skip_reason(data: dict[str, Any]) -> str | None:
    meta = (data.get("metadata") or {}).get("matmul_magic") or {}
    skip = meta.get("skip") if isinstance(meta, dict) else None
    if not skip:
        return None
    if isinstance(skip, str):
        return f"notebook skipped by metadata: {skip}"
    return "notebook skipped by metadata (matmul_magic.skip)"


def plan_notebook(
    path: Path, name: str | None = None, timeout: float | None = DEFAULT_TIMEOUT
) -> NotebookPlan:
    """Read ``path`` and find its cells and tests; a load error is kept in ``plan.error``.
    ``timeout`` is the run's limit, unless the notebook's metadata sets its own."""
    plan = NotebookPlan(path=path, name=name or str(path), timeout=timeout)
    try:
        data = read_notebook(path)
    except NotebookError as error:
        plan.error = str(error)
        return plan
    try:
        _plan_cells(plan, data)
    except Exception as error:  # never let one odd file sink the whole run
        plan.cells, plan.tests = [], []
        plan.error = f"{path}: cannot read its cells: {type(error).__name__}: {error}"
    return plan


def _plan_cells(plan: NotebookPlan, data: dict[str, Any]) -> None:
    plan.skip = notebook_skip_reason(data)
    plan.timeout, plan.allow_errors = execution_settings(data.get("metadata", {}), plan.timeout)
    for number, raw in enumerate(data["cells"], start=1):
        if raw.get("cell_type") != "code":
            continue
        source = _source(raw)
        if not source.strip():
            continue
        cell = Cell(
            number=number,
            source=source,
            skip=cell_skip_reason(raw),
            expect_failure=EXPECT_FAILURE_TAG in _tags(raw),
            offset=_leading_blank_lines(source),
        )
        first, _, body = source.lstrip("\n").partition("\n")
        if first.strip().startswith("%%"):
            cell.magic, cell.body = (first.strip()[2:].split() or [""])[0], body
        plan.cells.append(cell)
        for test in cell_tests(cell, plan.name):
            test.skip_reason = cell.skip
            plan.tests.append(test)
    plan.tests.append(TestResult(notebook=plan.name, name=NOTEBOOK_TEST, kind="notebook"))
    if plan.skip:
        for test in plan.tests:
            test.skip_reason = plan.skip
    _dedupe_ids(plan.tests)


def _leading_blank_lines(source: str) -> int:
    lines = source.split("\n")
    return next((i for i, line in enumerate(lines) if line.strip()), len(lines))


def _dedupe_ids(tests: list[TestResult]) -> None:
    seen: Counter[str] = Counter()
    for test in tests:
        seen[key := test.test_id] += 1
        if seen[key] > 1:
            test.name = f"{test.name} #{seen[key]}"


def short_text(text: str) -> str:
    """One line, at most ``_NAME_CHARS`` characters, without ``::`` (pytest's separator)."""
    text = re.sub(r"\s+", " ", text).strip().replace("::", ": :")
    if len(text) > _NAME_CHARS:
        text = text[: _NAME_CHARS - 3].rstrip() + "..."
    return text


def _transform(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def cell_tests(cell: Cell, notebook: str) -> list[TestResult]:
    """The tests in one code cell, in source order."""
    if cell.magic == "matmul_bench":
        return _bench_tests(cell, notebook)
    if cell.magic not in (None, "tests"):
        return []  # another cell magic: its body is not ours to read
    return _python_tests(cell, notebook)


def _bench_tests(cell: Cell, notebook: str) -> list[TestResult]:
    try:
        tree = ast.parse(_transform(cell.body))
    except SyntaxError:
        return []
    defs: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            defs.setdefault(node.name, node)  # a function defined twice is one test, its first
    offset = 1 + cell.offset + _leading_blank_lines(cell.body)  # the %% line, blank lines
    return [
        TestResult(
            notebook=notebook,
            name=f"matmul_bench[{name}]",
            kind="bench",
            cell=cell.number,
            line=node.lineno + offset,
            function=name,
            expect_failure=cell.expect_failure,
        )
        for name, node in defs.items()
    ]


def _is_expected_exception_block(node: ast.With) -> bool:
    targets = [item.context_expr for item in node.items]
    targets = [t.func if isinstance(t, ast.Call) else t for t in targets]
    return any(_name(t) in ("ExceptionExpected", "exception") for t in targets)


def _name(node: ast.expr) -> str | None:
    """``f`` for ``f`` and for ``x.f``."""
    return getattr(node, "id", None) or getattr(node, "attr", None)


def _line_magic(node: ast.Call) -> tuple[str, str] | None:
    """``('test_near', 'a, b')`` for ``get_ipython().run_line_magic('test_near', 'a, b')``."""
    if _name(node.func) != "run_line_magic":
        return None
    args = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
    strings = [a for a in args if isinstance(a, str)]
    return (strings[0], strings[1]) if len(strings) == 2 else None


def _call_text(code: str, call: ast.expr) -> str:
    """``%test_near a, b`` for a line magic's call, else the call's source."""
    magic = _line_magic(call) if isinstance(call, ast.Call) else None
    return f"%{magic[0]} {magic[1]}" if magic else (ast.get_source_segment(code, call) or "")


def _python_tests(cell: Cell, notebook: str) -> list[TestResult]:
    """The cell's test statements (``statements.test_statement``) and, in a ``%%tests``
    cell, also matmul-magic's test calls nested in its other code (it records those too)."""
    from matmul_magic.testing.statements import test_statement

    in_tests_cell = cell.magic == "tests"
    source = cell.body if in_tests_cell else cell.source
    # Lines count a %%tests line as line 1, as the editor does; IPython drops leading blank
    # lines before it numbers lines, and the editor counts them.
    line_offset = (1 + cell.offset if in_tests_cell else 0) + _leading_blank_lines(source)
    code = _transform(source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []  # the run reports the syntax error as the notebook's failure
    names = inline_test_names()
    found: list[TestResult] = []

    def site(node: ast.AST, text: str, function: str, kind: str) -> TestResult:
        return TestResult(
            notebook=notebook,
            name=short_text(text),
            kind=kind,  # type: ignore[arg-type]
            cell=cell.number,
            line=node.lineno + line_offset,
            col=node.col_offset,
            function=function,
            expect_failure=cell.expect_failure,
        )

    def nested(node: ast.AST) -> None:
        if isinstance(node, ast.With) and _is_expected_exception_block(node):
            return  # failures inside are what the block expects
        if isinstance(node, ast.Call):
            magic = _line_magic(node)
            called = magic[0] if magic else _name(node.func)
            if called in names:
                found.append(site(node, _call_text(code, node) or f"{called}(...)", called, "test"))
                return  # a test called inside a test's arguments is part of it
        for child in ast.iter_child_nodes(node):
            nested(child)

    for node in tree.body:
        statement = test_statement(node)
        if statement is None:
            if in_tests_cell:
                nested(node)
            continue
        kind, function = statement
        if isinstance(node, ast.With):
            header = ast.get_source_segment(code, node.items[0].context_expr) or function
            text = f"with {header}"
        elif kind == "assert":
            text = "assert " + (ast.get_source_segment(code, node.test) or "...")  # type: ignore[attr-defined]
        else:
            call = node.value.value if isinstance(node.value, ast.Await) else node.value  # type: ignore[attr-defined]
            text = _call_text(code, call)
        found.append(site(node, text or f"{function}(...)", function, kind))
    found.sort(key=lambda t: (t.line or 0, t.col or 0))
    return found
