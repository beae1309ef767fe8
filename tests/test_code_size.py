"""No source module over 400 lines and no Python function over 80: long code hides its seams.

The TypeScript side has the same two limits as ESLint rules (``max-lines`` and
``max-lines-per-function`` in ``labextension/eslint.config.mjs``), which ``npm run lint`` enforces.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
SOURCES = sorted(
    path
    for folder in ("matmul_magic", "benchmarks", "scripts")
    for path in (ROOT / folder).rglob("*.py")
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_sources_are_found():
    assert any(p.name == "runner.py" for p in SOURCES)
    assert len(SOURCES) > 40


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_module_is_at_most_400_lines(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{node.name} (line {node.lineno}): {length} lines")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_every_function_is_at_most_80_lines(path: Path):
    assert _long_functions(path) == []


def test_the_function_check_sees_a_long_function(tmp_path: Path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = tmp_path / "long.py"
    source.write_text(f"def long():\n{body}\n")
    assert _long_functions(source) == [f"long (line 1): {MAX_FUNCTION_LINES + 1} lines"]
