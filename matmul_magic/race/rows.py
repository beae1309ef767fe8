"""The rows of a run: each variant's figures, as the payload's ``BenchRow`` and ``SweepPoint``.

A row says what was measured (median, IQR, minimum, calls and blocks), what the check found
(correct, the largest error, an error text) and the warnings the views show beside it
(extrapolated, unreliable, noisy, stalls, one-off cost, over budget, thread contention).
"""

from __future__ import annotations

from ..bench_result.result import BenchRow, SweepPoint, fit_exponent
from ..bench_result.views.format import format_count, format_percent
from . import timing
from .estimate import Estimate, estimate
from .task import Task
from .variants import Variant


def row_for(
    v: Variant,
    main: Task | None,
    est: Estimate | None,
    sweep: list[Task],
    threshold: float,
    threads: int | None = None,
) -> BenchRow:
    if v.fn is None or main is None:
        return BenchRow(name=v.name, kind=v.kind, note=v.note)  # type: ignore[arg-type]
    points = tuple(sweep_point(t) for t in sweep)
    exponent, exponent_note = sweep_exponent(points)
    # One-off costs, stalls and spread travel as fields (one_off, stalls, noisy), which the
    # views say once for all rows; the note holds only what no field can say.
    notes = [main.note, est.how if est else None]
    if est is None and main.timed:
        notes.append("not timed: the budget ran out, or the run was interrupted, before its block")
    m = est.measurement if est else None
    contended = thread_contention(main, m, threads)
    notes += [contended, exponent_note, unreached_sizes(sweep)]
    noisy = m is not None and not m.meets(threshold)
    low, high = m.median_interval() if m else (None, None)
    over_budget_time = main.full_call if main.over_budget else None
    median = m.median if m else over_budget_time
    return BenchRow(
        name=v.name,
        kind=v.kind,  # type: ignore[arg-type]
        median=median,
        median_low=low,
        median_high=high,
        iqr=m.iqr if m else None,
        min=est.fastest if est else over_budget_time,
        runs=est.calls if est else (1 if over_budget_time is not None else 0),
        blocks=est.blocks if est else (1 if over_budget_time is not None else 0),
        correct=main.correct,
        max_abs_err=main.max_abs_err,
        extrapolated=main.extrapolated and m is not None,
        unreliable=bool(est and est.unreliable) or contended is not None,
        error=main.error,
        note="; ".join(n for n in notes if n) or None,
        one_off=main.one_off or None,
        stalls=est.stalls if est else 0,
        noisy=noisy,
        over_budget=main.over_budget,
        points=points,
        exponent=exponent,
    )


CONTENTION_FACTOR = 3.0
"""A full call this many times slower with N threads than with one is contention."""


def thread_contention(main: Task, m: timing.Measurement | None, threads: int | None) -> str | None:
    """Name it when torch's threads are fighting another process for the cores.

    The check sized every CPU variant with one thread; a full call that then runs far
    slower with ``threads`` threads is waiting for cores someone else holds (the other
    threads of a parallel region cannot start), a stall that large blocks would average
    into a wrong median instead of showing it.
    """
    if m is None or not threads or threads < 2 or main.a.device.type != "cpu":
        return None
    alone = None if main.extrapolated else main.full_call
    if alone is None or alone <= 0 or m.median < CONTENTION_FACTOR * alone:
        return None
    return (
        f"unreliable: {format_count(m.median / alone)}× slower with {threads} threads than with "
        f"one while checked: another program holds a core and the threads wait for it (the "
        f"default, threads=1, is not slowed so)"
    )


def sweep_point(task: Task) -> SweepPoint:
    est = estimate(task)
    m = est.measurement if est else None
    error = task.error
    if error is None and task.correct is False:
        error = task.note or "incorrect"
    if error is None and m is None and task.note:
        error = task.note
    low, high = m.median_interval() if m else (None, None)
    return SweepPoint(
        size=task.size or 0,
        m=task.m,
        k=task.a.shape[1],
        n=task.n,
        median=m.median if m else None,
        median_low=low,
        median_high=high,
        iqr=m.iqr if m else None,
        runs=est.calls if est else 0,
        extrapolated=task.extrapolated and m is not None,
        error=error,
    )


FIT_PRECISION = 0.2
"""A sweep point joins the exponent's fit when its median is known to within this."""


def sweep_exponent(points: tuple[SweepPoint, ...]) -> tuple[float | None, str | None]:
    """The log-log slope over the points whose medians are known well enough (at least
    three of them: two would fit any line), or ``None`` and a note saying why not."""
    if not points:
        return None, None
    known = [p for p in points if _known(p)]
    measured = sum(1 for p in points if p.median is not None)
    if len(known) >= 3:
        left_out = measured - len(known)
        note = (
            f"exponent fitted on the {len(known)} sizes whose median is known to "
            f"±{format_percent(100 * FIT_PRECISION)} ({left_out} left out)"
            if left_out
            else None
        )
        return fit_exponent(known), note
    return None, (
        f"no exponent: {len(known)} of {len(points)} sizes have a median known to "
        f"±{format_percent(100 * FIT_PRECISION)}, and a fit needs three"
    )


def _known(p: SweepPoint) -> bool:
    if p.median is None or p.median <= 0 or p.median_low is None or p.median_high is None:
        return False
    return max(p.median - p.median_low, p.median_high - p.median) <= FIT_PRECISION * p.median


def unreached_sizes(sweep: list[Task]) -> str | None:
    """Which sizes a sweep measured, when the budget did not reach them all."""
    missed = [t for t in sweep if t.left_out]
    if not missed:
        return None
    reached = [t.size for t in sweep if not t.left_out]
    memory = missed[0].left_out == "memory"
    why = "others' operands do not fit in memory" if memory else "budget ran out before the others"
    span = f" ({reached[0]} to {reached[-1]})" if reached else ""
    return f"swept {len(reached)} of {len(sweep)} sizes{span}; the {why}"
