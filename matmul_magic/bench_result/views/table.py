"""The cells of the bench table, shared by the HTML and text views (the lab renderer builds
the same cells in ``labextension/src/bench_result/cells.ts``; ``tests/test_bench_cells.py``
checks all three agree).

Which columns exist, their headers and order come from ``presentation.json``; a column empty
in every row (``% of peak`` on a CPU) is left out. Each median states its own unit (one that
fits it, as the charts print it) and how well it is known; the rate column has one unit for the
whole table, picked from the fastest row, as the bars and the tooltip use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .format import (
    RATE_UNITS,
    RULES,
    format_calls,
    format_error,
    format_exponent,
    format_median,
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


def median_cell(row: Row) -> str:
    """``1.23 ms ±2.0%``: the median in its own unit and its 95 % interval (``format_median``)."""
    return format_median(
        row.get("median"),
        row.get("median_low"),
        row.get("median_high"),
        bool(row.get("extrapolated")),
        bool(row.get("unreliable")),
    )


def _cells(payload: Mapping[str, Any]) -> dict[str, tuple[str, Callable[[Row], str]]]:
    """Every column's unit (for its header) and cell function."""
    # The one throughput unit of the table (and its bars): the fastest row's.
    unit, factor = pick_unit([r.get("gflops") for r in payload["rows"]], RATE_UNITS, largest=True)
    return {
        "name": ("", lambda r: r["name"]),
        "kind": ("", lambda r: r["kind"]),
        "median": ("", median_cell),
        "runs": ("", lambda r: format_calls(r["runs"], r["blocks"])),
        "speedup": ("", speedup_cell),
        # Each formatter prints a missing value (None) as MISSING.
        "gflops": (unit, lambda r: format_number(r["gflops"] and r["gflops"] / factor)),
        "pct_of_peak": ("", lambda r: format_number(r["pct_of_peak"])),
        "max_abs_err": ("", lambda r: format_error(r["max_abs_err"])),
        "exponent": ("", lambda r: format_exponent(r["exponent"])),
        "status": ("", status_text),
    }


def speedup_cell(row: Row) -> str:
    """``95,814× ±3.0%``, ``≈ 96,000× ⚠`` or ``not known (13–29,000×)`` (``format_speedup``)."""
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
