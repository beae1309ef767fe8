"""The cells of the bench table, shared by the HTML and text views (the lab renderer builds
the same cells in ``labextension/src/bench_result/cells.ts``; ``tests/test_bench_cells.py``
checks all three agree).

Which columns exist, their headers and order come from ``presentation.json``; a column empty
in every row (``% of peak`` on a CPU) is left out. The time columns share one unit picked from
the medians, and the rate column one picked from the fastest row, so they compare at a glance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .format import (
    ESTIMATE,
    MISSING,
    RATE_UNITS,
    RULES,
    TIME_UNITS,
    format_calls,
    format_error,
    format_exponent,
    format_number,
    format_speedup,
    pick_unit,
    status_text,
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool
    cell: Callable[[Row], str]


def _time_cell(key: str, factor: float) -> Callable[[Row], str]:
    def cell(row: Row) -> str:
        value = row.get(key)
        if value is None:
            return MISSING
        return (ESTIMATE if row.get("extrapolated") else "") + format_number(value / factor)

    return cell


def _optional_cell(key: str, fmt: Callable[[Any], str]) -> Callable[[Row], str]:
    return lambda row: MISSING if row.get(key) is None else fmt(row[key])


def _cells(payload: Mapping[str, Any]) -> dict[str, tuple[str, Callable[[Row], str]]]:
    """Every column's unit (for its header) and cell function."""
    rows = payload["rows"]
    time_unit, time_factor = pick_unit([r.get("median") for r in rows], TIME_UNITS)
    rate_unit, rate_factor = pick_unit([r.get("gflops") for r in rows], RATE_UNITS, largest=True)
    return {
        "name": ("", lambda r: r["name"]),
        "kind": ("", lambda r: r["kind"]),
        "median": (time_unit, _time_cell("median", time_factor)),
        "iqr": (time_unit, _time_cell("iqr", time_factor)),
        "min": (time_unit, _time_cell("min", time_factor)),
        "runs": ("", lambda r: format_calls(r["runs"], r["blocks"])),
        "speedup": ("", _speedup_cell),
        "gflops": (rate_unit, _optional_cell("gflops", lambda v: format_number(v / rate_factor))),
        "pct_of_peak": ("", _optional_cell("pct_of_peak", format_number)),
        "max_abs_err": ("", _optional_cell("max_abs_err", format_error)),
        "exponent": ("", _optional_cell("exponent", format_exponent)),
        "status": ("", status_text),
    }


def _speedup_cell(row: Row) -> str:
    return format_speedup(
        row.get("speedup"), row.get("speedup_low"), row.get("speedup_high"), row.get("unreliable")
    )


def columns(payload: Mapping[str, Any]) -> list[Column]:
    """The table's columns, in ``presentation.json``'s order, without empty optional ones."""
    cells = _cells(payload)
    baseline = payload.get("baseline") or RULES["unknown_baseline"]
    out = []
    for spec in RULES["columns"]:
        key = spec["key"]
        if not spec["always"] and all(r.get(key) is None for r in payload["rows"]):
            continue
        unit, cell = cells[key]
        header = spec["header"].replace("{unit}", unit).replace("{baseline}", baseline)
        out.append(Column(key, header, spec["numeric"], cell))
    return out


def table(payload: Mapping[str, Any]) -> tuple[list[Column], list[list[str]]]:
    """Columns and the cell strings of every row: what every view of the table shows."""
    cols = columns(payload)
    return cols, [[c.cell(row) for c in cols] for row in payload["rows"]]
