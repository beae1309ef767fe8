"""The bench contract is written once, in ``schema.json``: no other hand-written file declares it
(``result.py``'s classes repeat it as code, held to it field by field by ``test_bench_result``).

A declaration is a class or TypeScript type with five or more of one payload object's fields,
or a list of five or more of their names (a hand-kept key list). Code that *reads* fields by
name is not a declaration; generated files (``labextension/src/generated/``,
``docs/bench-schema.md``) are derived from the schema, so they are not hand-written.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "matmul_magic" / "bench_result" / "schema.json").read_text())
AT_LEAST = 5

# Shapes that share field names with the payload and are not the payload, each for a reason.
NOT_THE_CONTRACT = {
    # Live progress is plain Python and never travels in a payload.
    ("matmul_magic/bench_result/result.py", "BenchProgress"),
    # The engine's working state for one variant, which race/rows.py turns into a row.
    ("matmul_magic/race/task.py", "Task"),
    # The payload's classes, written as code so an editor and a type checker see their
    # fields (issue 25); test_bench_result holds each, field by field, to the schema.
    ("matmul_magic/bench_result/result.py", "SweepPoint"),
    ("matmul_magic/bench_result/result.py", "BenchRow"),
    ("matmul_magic/bench_result/result.py", "BenchEnvironment"),
    ("matmul_magic/bench_result/result.py", "BenchResult"),
    # How each column's cell prints: the column list itself lives in presentation.json.
    ("matmul_magic/bench_result/views/table.py", "_cells"),
}


def payload_objects(schema: dict) -> dict[str, set[str]]:
    """Each object of the schema that has properties: its name, and its field names."""
    found: dict[str, set[str]] = {}

    def walk(node, name: str) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                found[name] = found.get(name, set()) | set(node["properties"])
            for key, value in node.items():
                walk(value, name if key in ("properties", "items", "allOf", "then") else key)
        elif isinstance(node, list):
            for value in node:
                walk(value, name)

    walk(schema, "result")
    return found


OBJECTS = payload_objects(SCHEMA)


def _declares(names: list[str]) -> bool:
    return any(len(set(names) & fields) >= AT_LEAST for fields in OBJECTS.values())


def _key_list(strings: list[str]) -> bool:
    """Five or more field names of one object, and little else: a hand-kept key list."""
    return _declares(strings) and sum(
        1 for s in strings if any(s in fields for fields in OBJECTS.values())
    ) >= 0.8 * len(strings)


def python_declarations(source: str) -> list[str]:
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            annotated = [
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            ]
            if _declares(annotated):
                found.append(node.name)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            strings = [
                e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            if _declares(strings):
                found.append(_enclosing(tree, node))
    return found


def _enclosing(tree: ast.AST, target: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and any(
            child is target for child in ast.walk(node)
        ):
            return node.name
    return f"line {target.lineno}"


def typescript_declarations(source: str) -> list[str]:
    found = []
    for match in re.finditer(r"(?:interface|type)\s+(\w+)[^{;]*\{([^}]*)\}", source):
        if _declares(re.findall(r"^\s*(\w+)\??\s*:", match.group(2), re.M)):
            found.append(match.group(1))
    for match in re.finditer(
        r"(?:const|let)\s+(\w+)[^=;]*=\s*(?:\w+\(\s*)?[\[{]([^;]*?)[\]}]\)?\s*;", source, re.S
    ):
        quoted = re.findall(r"'(\w+)'", match.group(2))
        keys = re.findall(r"(?:^|[,{])\s*(\w+)\s*:", match.group(2), re.M)
        if _key_list(quoted) or _key_list(keys):
            found.append(match.group(1))
    return found


def _sources() -> list[Path]:
    python = sorted((ROOT / "matmul_magic").rglob("*.py"))
    typescript = sorted(
        p
        for p in (ROOT / "labextension" / "src").rglob("*.ts")
        if "generated" not in p.parts and not p.name.endswith(".test.ts")
    )
    return python + typescript


def _declarations(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    names = python_declarations(source) if path.suffix == ".py" else typescript_declarations(source)
    where = str(path.relative_to(ROOT))
    return [name for name in names if (where, name) not in NOT_THE_CONTRACT]


def test_the_schema_has_the_objects_the_views_read():
    assert {"result", "row", "point", "environment"} <= set(OBJECTS)
    assert {"median", "speedup_low", "over_budget"} <= OBJECTS["row"]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hand_written_file_but_the_schema_declares_the_contract(path: Path):
    assert _declarations(path) == []


def test_a_hand_kept_copy_is_caught():
    interface = "export interface Row {\n  name: string;\n  median: number;\n  iqr: number;\n"
    interface += "  runs: number;\n  blocks: number;\n}\n"
    assert typescript_declarations(interface) == ["Row"]
    keys = "export const ROW_KEYS = ['name', 'kind', 'median', 'iqr', 'min'];\n"
    assert typescript_declarations(keys) == ["ROW_KEYS"]
    # A hand-written checker: the fields as the keys of an object handed to a function.
    checker = "const ROW = object({\n  name: text, kind: oneOf(['course', 'user']),\n"
    checker += "  median: seconds, iqr: seconds, runs: count, blocks: count\n});\n"
    assert typescript_declarations(checker) == ["ROW"]
    fields = (
        '_ROW_FIELDS = {"name": str, "median": float, "iqr": float, "runs": int, "noisy": bool}\n'
    )
    assert python_declarations(fields) == ["line 1"]
    dataclass = "class Row:\n    name: str\n    median: float\n    iqr: float\n    runs: int\n"
    dataclass += "    blocks: int\n"
    assert python_declarations(dataclass) == ["Row"]


@pytest.mark.parametrize("where, name", sorted(NOT_THE_CONTRACT))
def test_every_exemption_is_still_needed(where: str, name: str):
    path = ROOT / where
    source = path.read_text(encoding="utf-8")
    found = python_declarations(source) if path.suffix == ".py" else typescript_declarations(source)
    assert name in found, f"{where}: {name} no longer looks like the contract; drop its exemption"
