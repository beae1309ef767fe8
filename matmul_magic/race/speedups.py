"""Speedups, computed in one place: the baseline's median over each row's, with an interval.

A speedup is the ratio of the two medians the Time view shows, so Time and Speedup always
tell the same story; its interval spans what the two medians' 95 % intervals allow. Rows are
timed in the same interleaved rounds, so within one round the baseline and a row ran seconds
apart under the same load: the median of those per-round ratios is a second estimate, and
where the two disagree beyond their intervals (the load changed during the run in a way the
medians did not average out) the row is marked unreliable, with the reason in its note.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..bench_result.result import BenchRow
from ..bench_result.views.format import format_speedup
from .timing import Measurement


def baseline_name(rows: list[BenchRow], baseline: str | None) -> str | None:
    """The row speedups divide by: ``baseline`` when it was timed, else (for the default
    ``'loops'`` when there is no loops row) the first timed row."""
    timed = [r for r in rows if r.median is not None and r.error is None and r.correct]
    if any(r.name == baseline for r in timed):
        return baseline
    if baseline == "loops" and not any(r.name == "loops" for r in rows) and timed:
        return timed[0].name
    return None


def _paired(base_rounds: dict[int, float], rounds: dict[int, float]) -> Measurement | None:
    ratios = [base_rounds[r] / t for r, t in rounds.items() if r in base_rounds and t > 0]
    return Measurement(tuple(ratios)) if ratios else None


def _interval(base: BenchRow, row: BenchRow) -> tuple[float | None, float | None]:
    """Where ``base.median / row.median`` can lie, from both medians' 95 % intervals."""
    if None in (base.median_low, base.median_high) or not (row.median_low and row.median_high):
        return None, None
    return base.median_low / row.median_high, base.median_high / row.median_low


def _disagreement(
    speedup: float, low: float | None, high: float | None, paired: Measurement
) -> str | None:
    """Say so when the median of per-round ratios and the ratio of medians part company."""
    p_low, p_high = paired.median_interval()
    if None in (low, high, p_low, p_high):
        return None
    if p_high < low or p_low > high:  # type: ignore[operator]
        return (
            f"unreliable speedup: the ratio of the medians ({format_speedup(speedup)}) and the "
            f"median of the per-round ratios ({format_speedup(paired.median)}) disagree beyond "
            "their intervals: the load changed while it ran"
        )
    return None


def with_speedups(
    rows: list[BenchRow],
    per_round: dict[str, dict[int, float]],
    baseline: str | None,
    flops: int,
    peak: float | None,
) -> list[BenchRow]:
    """``rows`` with ``speedup`` (and its interval, as the module says), ``gflops`` and
    ``pct_of_peak`` filled; a row whose per-round ratios disagree is unreliable."""
    base_name = baseline_name(rows, baseline)
    base = next((r for r in rows if r.name == base_name), None)
    base_rounds = per_round.get(base_name or "", {})
    out = []
    for r in rows:
        if r.median is None or r.median <= 0:
            out.append(r)
            continue
        gflops = flops / r.median / 1e9
        fields: dict[str, Any] = {}
        if base is not None and base.median:
            if r.name == base_name:
                fields = {"speedup": 1.0, "speedup_low": 1.0, "speedup_high": 1.0}
            else:
                speedup = base.median / r.median
                low, high = _interval(base, r)
                fields = {"speedup": speedup, "speedup_low": low, "speedup_high": high}
                paired = _paired(base_rounds, per_round.get(r.name, {}))
                why = _disagreement(speedup, low, high, paired) if paired else None
                if why is not None:
                    fields["unreliable"] = True
                    fields["note"] = "; ".join(n for n in (r.note, why) if n)
        out.append(
            replace(r, gflops=gflops, pct_of_peak=100.0 * gflops / peak if peak else None, **fields)
        )
    return out
