"""Layout rules the code keeps: no module over 400 lines and no Python function over 80, tests
included (long code hides its seams), and no private name imported from another package.

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
    for folder in ("matmul_magic", "benchmarks", "scripts", "tests", "docs")
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


def _private_imports_across_packages(path: Path, root: Path = ROOT) -> list[str]:
    """``from X import _name`` where X belongs to another package than ``path`` does."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]  # an __init__.py belongs to its own folder's package, as a module does

    def is_package(dotted: list[str]) -> bool:
        return root.joinpath(*dotted, "__init__.py").exists() or root.joinpath(*dotted).is_dir()

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
            source = base + (node.module.split(".") if node.module else [])
        else:
            source = (node.module or "").split(".")
        owner = source if is_package(source) else source[:-1]
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            if private and owner != package:
                found.append(f"line {node.lineno}: {alias.name} from {'.'.join(source)}")
    return found


PACKAGE_SOURCES = [p for p in SOURCES if p.relative_to(ROOT).parts[0] == "matmul_magic"]


@pytest.mark.parametrize("path", PACKAGE_SOURCES, ids=_name)
def test_no_private_name_is_imported_from_another_package(path: Path):
    assert _private_imports_across_packages(path) == []


def test_the_private_import_check_sees_one(tmp_path: Path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for folder in ("pkg", "pkg/sub"):
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "pkg" / "other.py").write_text("_hidden = shown = 1\n")
    source = tmp_path / "pkg" / "sub" / "mod.py"
    source.write_text(
        "from ..other import _hidden, shown\nfrom . import _sibling\nfrom .mod import _own\n"
    )
    assert _private_imports_across_packages(source, tmp_path) == ["line 1: _hidden from pkg.other"]
