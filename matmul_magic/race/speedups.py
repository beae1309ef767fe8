"""Speedups, computed in one place: per-round ratios against the baseline, with an interval.

Rows are timed in the same interleaved rounds, so within one round the baseline and a row
ran seconds apart under the same load. A row's speedup is the median over the rounds both
took part in of ``baseline time / row time``, and its interval the distribution-free 95 %
interval of that median (order statistics, as ``Measurement.median_ci``). Two medians taken
minutes apart would carry every change of load in between; these ratios do not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..bench_result.result import BenchRow
from .timing import Measurement


def baseline_name(rows: list[BenchRow], baseline: str | None) -> str | None:
    """The row speedups divide by: ``baseline`` when it was timed, else (for the default
    ``'loops'`` when there is no loops row) the first timed row."""
    timed = [r for r in rows if r.median is not None and r.error is None and r.correct]
    for r in timed:
        if r.name == baseline:
            return r.name
    if baseline == "loops" and not any(r.name == "loops" for r in rows) and timed:
        return timed[0].name
    return None


def _ratio(base_rounds: dict[int, float], rounds: dict[int, float]) -> Measurement | None:
    ratios = [base_rounds[r] / t for r, t in rounds.items() if r in base_rounds and t > 0]
    return Measurement(tuple(ratios)) if ratios else None


def with_speedups(
    rows: list[BenchRow],
    per_round: dict[str, dict[int, float]],
    baseline: str | None,
    flops: int,
    peak: float | None,
) -> list[BenchRow]:
    """``rows`` with ``speedup`` (and its interval), ``gflops`` and ``pct_of_peak`` filled."""
    base_name = baseline_name(rows, baseline)
    base = next((r for r in rows if r.name == base_name), None)
    base_rounds = per_round.get(base_name or "", {})
    out = []
    for r in rows:
        if r.median is None or r.median <= 0:
            out.append(r)
            continue
        gflops = flops / r.median / 1e9
        speedup: dict[str, Any] = {}
        if base is not None and base.median:
            ratios = _ratio(base_rounds, per_round.get(r.name, {}))
            if r.name == base_name:
                speedup = {"speedup": 1.0, "speedup_low": 1.0, "speedup_high": 1.0}
            elif ratios is not None:
                low, high = ratios.median_ci()
                speedup = {"speedup": ratios.median, "speedup_low": low, "speedup_high": high}
            else:  # timed in no common round (e.g. loaded from elsewhere): a plain quotient
                speedup = {"speedup": base.median / r.median}
        out.append(
            replace(
                r, gflops=gflops, pct_of_peak=100.0 * gflops / peak if peak else None, **speedup
            )
        )
    return out
