"""One formatter per language (issue 25): every number a view, the engine, the CLI or the
notebook-test report prints goes through ``bench_result/views/format.py`` (Python) or
``labextension/src/bench_result/format.ts`` (TypeScript), so 999.96 µs prints ``1.00 ms``
everywhere and a rule changes in one place. This test reads the sources and fails on any other
number formatting: format specs in f-strings and ``str.format``, ``%`` formatting and
``format()`` in Python; ``toFixed``, ``toPrecision``, ``toExponential``, ``toLocaleString``
and ``Intl.NumberFormat`` in TypeScript. The allow-lists hold only formats that are not a
number shown to a person, each with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY_FORMATTER = "matmul_magic/bench_result/views/format.py"
TS_FORMATTER = "labextension/src/bench_result/format.ts"

# (file, format spec) -> why it is not a shown number.
PY_ALLOWED = {
    ("matmul_magic/bench_result/views/svg.py", ".1f"): "SVG coordinates, read by the browser",
    ("matmul_magic/bench_result/views/progress.py", ".0f"): (
        "the progress bar's CSS width and aria-valuenow, read by the browser"
    ),
    ("matmul_magic/notebook_tests/report.py", ".3f"): "JUnit XML's time attribute (seconds)",
    ("matmul_magic/notebook_tests/options.py", ".0f"): (
        "threading.TIMEOUT_MAX, the largest --timeout a user can type back, digit for digit"
    ),
    ("matmul_magic/notebook_tests/notebook_file.py", ".0f"): (
        "threading.TIMEOUT_MAX, the largest metadata timeout a user can write, digit for digit"
    ),
}

# (file, method) -> why.
TS_ALLOWED = {
    ("labextension/src/bench_result/view.ts", "toFixed"): "SVG marker coordinates",
    ("labextension/src/bench_result/bar_chart.ts", "toFixed"): "SVG path coordinates",
    ("labextension/src/bench_result/sweep_chart.ts", "toFixed"): "SVG path coordinates",
}

# A number's presentation type, a precision without one (`.3`: a string is cut with `!s:.3`),
# or a thousands grouping (`,` or `_`, not `_` as a fill before an alignment).
_NUMBER_SPEC = re.compile(
    r"^[^{}]*?(?:\.\d+)?[bcdeEfFgGn%]$|\.\d+$|,|^(?:.?[<>=^])?[-+ ]?z?#?0?\d*_(?![<>=^])"
)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[dieEfFgG]")


def _spec_text(spec: ast.JoinedStr) -> str | None:
    """The literal text of a format spec; None when part of it is computed."""
    parts = [v.value for v in spec.values if isinstance(v, ast.Constant)]
    return "".join(parts) if len(parts) == len(spec.values) else None


def python_number_formats(path: Path) -> list[tuple[int, str]]:
    """``(line, spec)`` of every number format in a Python source."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = _spec_text(node.format_spec)
            if node.conversion == -1 and (spec is None or _NUMBER_SPEC.search(spec)):
                found.append((node.lineno, spec or "<computed>"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = node.left
            if isinstance(left, ast.Constant) and isinstance(left.value, str):
                found += [(node.lineno, m) for m in _PERCENT.findall(left.value)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target, method = node.func.value, node.func.attr
            if method in ("format", "format_map") and isinstance(target, ast.Constant):
                for spec in re.findall(r"\{[^{}]*:([^{}]*)\}", str(target.value)):
                    if _NUMBER_SPEC.search(spec):
                        found.append((node.lineno, spec))
            elif method in ("format", "format_map") and node.args:
                found.append((node.lineno, f"<template>.{method}()"))  # its specs are unseen
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "format" and len(node.args) == 2:
                found.append((node.lineno, "format()"))
    return found


def _python_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "matmul_magic").rglob("*.py") if _rel(p) != PY_FORMATTER)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _python_sources(), ids=_rel)
def test_python_prints_numbers_only_through_the_formatter(path):
    rel = _rel(path)
    stray = [
        f"{rel}:{line}: {spec}"
        for line, spec in python_number_formats(path)
        if (rel, spec) not in PY_ALLOWED
    ]
    assert stray == [], "format these through bench_result/views/format.py"


_TS_METHODS = re.compile(
    r"\.(toFixed|toPrecision|toExponential|toLocaleString)\(|Intl\.(NumberFormat)"
)


def _ts_sources() -> list[Path]:
    src = ROOT / "labextension" / "src"
    return sorted(
        p
        for p in src.rglob("*.ts")
        if not p.name.endswith(".test.ts")
        and "generated" not in p.parts
        and _rel(p) != TS_FORMATTER
    )


@pytest.mark.parametrize("path", _ts_sources(), ids=_rel)
def test_typescript_prints_numbers_only_through_the_formatter(path):
    rel = _rel(path)
    stray = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for match in _TS_METHODS.finditer(line):
            method = match.group(1) or match.group(2)
            if (rel, method) not in TS_ALLOWED:
                stray.append(f"{rel}:{number}: {method}")
    assert stray == [], "format these through labextension/src/bench_result/format.ts"


def test_the_checks_find_what_they_look_for(tmp_path):
    """The greps are not vacuous: each kind of stray format is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "x = 1.5\n"
        "a = f'{x:.3g} s'\n"
        "b = '%.2f' % x\n"
        "c = '{:,}'.format(x)\n"
        "d = format(x, '.1%')\n"
        "e = f'{x:{3}}'\n"
        "f = f'{x:.3}'\n"
        "g = '%(v).2f' % {'v': x}\n"
        "h = f'{x:_}'\n"
        "t = '{:.2f}'\n"
        "i = t.format(x)\n"
        "j = t.format_map({'x': x})\n"
        "k = '{x:.1e}'.format_map({'x': x})\n"
        'ok = f\'{x!r:.60} {"w":<5} {"w":_<5} {x}\'\n',
        encoding="utf-8",
    )
    specs = [spec for _, spec in sorted(python_number_formats(sample))]
    assert specs == [
        ".3g", "%.2f", ",", "format()", "<computed>", ".3", "%(v).2f", "_",
        "<template>.format()", "<template>.format_map()", ".1e",
    ]  # fmt: skip
    assert _TS_METHODS.findall("a.toFixed(1); b.toLocaleString('en'); Intl.NumberFormat()")


def test_every_allowed_format_is_still_there():
    """An allow-list entry whose format is gone is dead weight: remove it."""
    for rel, spec in PY_ALLOWED:
        assert spec in [s for _, s in python_number_formats(ROOT / rel)], (rel, spec)
    for rel, method in TS_ALLOWED:
        assert f".{method}(" in (ROOT / rel).read_text(encoding="utf-8"), (rel, method)
