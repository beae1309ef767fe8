"""Write ``presentation.json`` (what every bench formatter prints) and ``bench_cells.json``
(the table cells of every bench fixture) next to this file.

Run ``python tests/vectors/generate_presentation.py`` after changing
``matmul_magic/bench_result/presentation.json`` or ``views/format.py``. The Python formatters
are the reference (the strings the issue settled, such as 1234.5 → "1,235", are pinned by
hand in ``tests/test_presentation.py``); ``labextension/src/bench_result/format.test.ts``
checks the TypeScript twin prints the same for every case, and ``test_presentation.py`` that
these files are current. ``bench_cells.json`` is what all three views must show:
``tests/test_bench_cells.py`` reads the HTML and text views' cells against it, and
``labextension/src/bench_result/cells.test.ts`` the lab renderer's. Inputs JSON cannot hold
(NaN, ±infinity, -0) are written ``{"float": "nan"}`` and so on.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from matmul_magic.bench_result.views import format as fmt  # noqa: E402
from matmul_magic.bench_result.views.summary import (  # noqa: E402
    conditions,
    footnotes,
    headline,
)
from matmul_magic.bench_result.views.table import table  # noqa: E402

FIXTURES = HERE.parent / "fixtures" / "bench"

ODD = [None, math.nan, math.inf, -math.inf, 0.0, -0.0]
NUMBERS = [
    1234.5, 4.3e-6, 3e-8, 0.000190291, 18.2325, 521.5189, 95813.95, 9.5e-7, 1.0, -1.0,
    999.95, 999.5, 99.95, 9.995, 9.9949, 0.99995, 0.1, 0.125, 2.675, 1e-4, 9.99e-5, 9.9951e-5,
    -1234.5, -0.0001, -3e-8, 12.25, 1e14, 9.9999e14, 1e15, 2.5e20, 1e-300, 1.7e308, 123456789.5,
    0.5, 1.5, 2.5, 1e-3, 0.0012345, 5e-324,
]  # fmt: skip
TIMES = [
    4.3e-6, 0.412, 2.75, 8.6e-8, 3e-8, 1234.5, 999.96e-6, 999.94e-6, 0.99996, 0.0009995, 1e-9,
    9.996e-10, 5e-13, 1e-6, 1e-3, 1.0, 10.0, 100.0, 1e5, -2e-3, 2.5, 3.6e3,
]  # fmt: skip
RATES = [0.00019, 1.7, 18.2, 751.4, 999.96, 1234.5, 72300.0, 1e-7, 989000.0]
SPEEDUPS: list[list[Any]] = [
    [95813.95, 92940.1, 98688.9, False],
    [84.6, 12.9, 29186.0, False],
    [84.6, 42.3, 169.2, False],
    [84.6, 42.2, 169.2, False],
    [10.0, 0.0, 20.0, False],
    [84.6, 12.9, 29186.0, True],
    [95813.95, 92940.1, 98688.9, True],
    [1.0, 0.97, 1.03, False],
    [0.14981818, 0.145, 0.154, True],
    [508.64, None, None, False],
    [None, 1.0, 2.0, False],
    [1234.5, 1234.5, 1234.5, False],
    [0.0004, 0.0003, 0.0005, False],
]
MEDIANS: list[list[Any]] = [
    [1.234e-3, 1.21e-3, 1.26e-3, False, False],
    [2.056535, 1.9, 2.3, False, False],
    [2.056535, 1.9, 2.3, True, False],
    [2.056535, 1.9, 2.3, True, True],
    [7.54e-6, 7.5399e-6, 7.5401e-6, False, False],
    [7.54e-6, None, None, False, False],
    [7.54e-6, 7e-6, 9e-6, False, True],
    [1e-3, 0.9995e-3, 1.001e-3, False, False],
    [1e-3, 0.5e-3, 30e-3, False, False],
    [None, 1.0, 2.0, False, False],
    [0.0, 0.0, 0.0, False, False],
]
PRECISIONS: list[list[Any]] = [
    [1.0, 0.98, 1.02], [1.0, 0.9, 1.31], [1.0, 0.9999, 1.0001], [1.0, 0.9, 1.0999],
    [1.0, 0.9, 1.1], [1.0, None, 1.1], [0.0, 0.0, 1.0], [1.0, 1.2, 1.3], [1.0, 0.99949, 1.0],
]  # fmt: skip
ROW = {"status": "ok", "extrapolated": False, "unreliable": False, "over_budget": False,
       "one_off": None, "noisy": False}  # fmt: skip
ROWS = [{**ROW, "status": status} for status in ("ok", "incorrect", "failed", "skipped")] + [
    {**ROW, "extrapolated": True},
    {**ROW, "extrapolated": True, "unreliable": True},
    {**ROW, "status": "incorrect", "extrapolated": True, "over_budget": True},
    {**ROW, "one_off": 1.2, "noisy": True},
    {**ROW, "status": "skipped", "over_budget": True, "one_off": 3e-5},
    {**ROW, "unreliable": True},
    {**ROW, "unreliable": True, "noisy": True},
]

POINT = {"median": 1.5e-3, "median_low": 1.4e-3, "median_high": 1.6e-3, "extrapolated": False,
         "error": None}  # fmt: skip
UNREACHED = "not measured: the budget was spent before the race reached this size"
POINTS = [
    (POINT, False),
    ({**POINT, "extrapolated": True}, False),
    (POINT, True),
    ({**POINT, "median": None, "median_low": None, "median_high": None}, False),
    ({**POINT, "median": None, "error": "RuntimeError: out of memory"}, False),
    ({**POINT, "median": None, "error": UNREACHED}, False),
]


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, float) and value == 0 and math.copysign(1, value) < 0:
        return {"float": "-0"}
    return value


def _case(fn: str, *args: Any) -> dict[str, Any]:
    expected = getattr(fmt, fn)(*args)
    return {"fn": fn, "args": [_json_value(a) for a in args], "expected": expected}


def _unit_case(values: list[Any], kind: str) -> dict[str, Any]:
    units = fmt.TIME_UNITS if kind == "time" else fmt.RATE_UNITS
    name, _ = fmt.pick_unit(values, units, largest=kind == "rate")
    return {"fn": "pick_unit", "args": [[_json_value(v) for v in values], kind], "expected": name}


def cases() -> list[dict[str, Any]]:
    out = []
    for fn in ("format_number", "format_error", "format_estimate", "format_percent",
               "format_exponent", "format_count"):  # fmt: skip
        out += [_case(fn, x) for x in ODD + NUMBERS]
    out += [_case("format_fixed", x, d) for x in (2.125, -0.001, 1234.5, 0.0, 1e-7) for d in (0, 2)]
    out += [_case("format_time", x) for x in ODD + TIMES]
    out += [_case("format_tick", 10.0**e) for e in range(-10, 4)] + [_case("format_tick", 2.5)]
    out += [_case("format_rate", x) for x in ODD + RATES]
    out += [_case("format_speedup", *args) for args in SPEEDUPS]
    out += [_case("format_median", *args) for args in MEDIANS]
    out += [_case("format_precision", *args) for args in PRECISIONS]
    out += [_case("format_exponent_label", x) for x in (2.912, -3.87, None)]
    out += [_case("format_calls", runs, blocks) for runs, blocks in ((4000, 40), (0, 0), (1, 1))]
    out += [_case("format_shape", shape) for shape in ([5, 784], [3], [])]
    out += [_case("status_text", row) for row in ROWS]
    out += [_case("format_point", point, unreliable) for point, unreliable in POINTS]
    out += [_case("colour", name) for name in ("accent", "ok", "warn", "error")]
    out += [_case("series_colour", i) for i in range(10)]
    out += [_case("kind_colour", kind) for kind in ("course", "optional", "user")]
    for values in ([0.5, 2.0], [3e-6, 1.0], [None, None], [1e-12], [999.96e-6, 1.0], [0.0]):
        out.append(_unit_case(values, "time"))
    for values in ([0.00019, 18.2], [751.4, 1900.0], [], [999.96], [None]):
        out.append(_unit_case(values, "rate"))
    return out


def vectors() -> str:
    return json.dumps({"cases": cases()}, ensure_ascii=False, indent=1) + "\n"


def bench_cells() -> str:
    """Headers, cells, headline, conditions and notes of every fixture in
    ``tests/fixtures/bench``, by fixture name."""
    out = {}
    for path in sorted(FIXTURES.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        cols, cells = table(payload)
        out[path.stem] = {
            "headers": [c.header for c in cols],
            "rows": cells,
            "headline": headline(payload),
            "conditions": conditions(payload),
            "notes": [list(note) for note in footnotes(payload)],
        }
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    for name, text in (("presentation.json", vectors()), ("bench_cells.json", bench_cells())):
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {HERE / name}")
