"""The rows of a run: each variant's figures, as the payload's ``BenchRow`` and ``SweepPoint``.

A row says what was measured (median, IQR, minimum, calls and blocks), what the check found
(correct, the largest error, an error text) and the warnings the views show beside it
(extrapolated, unreliable, noisy, stalls, one-off cost, over budget, thread contention).
"""

from __future__ import annotations

from ..bench_result.result import BenchRow, SweepPoint, fit_exponent
from . import timing
from .estimate import Estimate, estimate
from .ladder import Task
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
    # One-off costs, stalls and spread travel as fields (one_off, stalls, noisy), which the
    # views say once for all rows; the note holds only what no field can say.
    notes = [main.note, est.how if est else None]
    if est is None and main.timed:
        notes.append("not timed: the run was interrupted first")
    m = est.measurement if est else None
    contended = thread_contention(main, m, threads)
    notes.append(contended)
    noisy = m is not None and (not m.meets(threshold) or contended is not None)
    over_budget_time = (
        main.points[-1][2]
        if main.over_budget and main.points and main.points[-1][:2] == (main.m, main.n)
        else None
    )
    median = m.median if m else over_budget_time
    return BenchRow(
        name=v.name,
        kind=v.kind,  # type: ignore[arg-type]
        median=median,
        iqr=m.iqr if m else None,
        min=m.min if m else over_budget_time,
        runs=est.calls if est else (1 if over_budget_time is not None else 0),
        blocks=est.blocks if est else (1 if over_budget_time is not None else 0),
        correct=main.correct,
        max_abs_err=main.max_abs_err,
        extrapolated=main.extrapolated and m is not None,
        unreliable=bool(est and est.unreliable),
        error=main.error,
        note="; ".join(n for n in notes if n) or None,
        one_off=main.one_off or None,
        stalls=est.stalls if est else 0,
        noisy=noisy,
        over_budget=main.over_budget,
        points=points,
        exponent=fit_exponent(points) if points else None,
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
    if main.extrapolated or not main.points or main.points[-1][:2] != (main.m, main.n):
        return None
    alone = main.points[-1][2]
    if alone <= 0 or m.median < CONTENTION_FACTOR * alone:
        return None
    return (
        f"contended: {m.median / alone:.0f}× slower with {threads} threads than with one "
        f"while checked; another process holds a core (try threads=1, or --threads 1)"
    )


def sweep_point(task: Task) -> SweepPoint:
    est = estimate(task)
    m = est.measurement if est else None
    error = task.error
    if error is None and task.correct is False:
        error = task.note or "incorrect"
    if error is None and m is None and task.note:
        error = task.note
    return SweepPoint(
        size=task.size or 0,
        m=task.m,
        k=task.a.shape[1],
        n=task.n,
        median=m.median if m else None,
        iqr=m.iqr if m else None,
        runs=est.calls if est else 0,
        extrapolated=task.extrapolated and m is not None,
        error=error,
    )
