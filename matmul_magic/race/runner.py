"""``bench(...)``: the lesson's progression and your own functions, checked, then raced.

How a run spends its budget
---------------------------
1. **Check** (``ladder``). Each variant in turn is called on growing slices of the output
   and every answer goes through the correctness gate (``gate``: a float64 reference from
   the same inputs, tolerances that grow with K and the dtype's epsilon). A variant that
   raises (anything, ``SystemExit`` too) keeps its error text, a wrong one is marked
   incorrect with the reason, and neither is timed; the others carry on. The ladder also
   decides what to time: the full product, or two slices for an estimate.
2. **Race** (``race``). Every checked variant is timed together in rounds, one block each
   per round in a fresh random order, so load that comes and goes hits every row alike.
   Rows stop on their precision target or their fair share of the budget (``plan``).
3. **Figures** (``estimate``, ``speedups``). Medians, IQRs and minima per row; an
   extrapolated row's full time from a fitted ``fixed + per-output`` model; speedups as the
   median of per-round ratios with a 95 % interval.

One-off costs (a JIT compile on the first call) are measured, reported on their row and not
counted in the budget. Ctrl-C keeps every figure measured so far.
"""

from __future__ import annotations

import contextlib
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import torch

from ..bench_result.result import (
    BenchEnvironment,
    BenchProgress,
    BenchResult,
    BenchRow,
    SweepPoint,
    fit_exponent,
)
from . import devices, plan, timing
from .estimate import Estimate, estimate
from .ladder import Task, check
from .operands import (
    DEFAULT_SHAPE,
    build_operands,
    operands_fit,
    same_values,
    sweep_operands,
)
from .options import parse_shape, parse_sizes
from .rounds import Race
from .speedups import baseline_name, with_speedups
from .variants import Variant, select

__all__ = ["bench", "parse_shape", "DEFAULT_SHAPE"]

PROGRESS_INTERVAL = 0.1
"""Seconds between progress reports while the race runs."""


def _environment(
    dev: torch.device, dt: torch.dtype, clock: Any, l2_flush: bool
) -> BenchEnvironment:
    cuda = dev.type == "cuda"
    return BenchEnvironment(
        device_name=devices.device_name(dev),
        threads=torch.get_num_threads() if dev.type == "cpu" else None,
        torch=torch.__version__,
        python=platform.python_version(),
        tf32=devices.tf32_enabled(dev),
        stream=str(torch.cuda.current_stream(dev)) if cuda else None,
        timer=getattr(clock, "name", None),
        l2_flush=l2_flush if cuda else None,
        peak_gflops=devices.peak_gflops(dev, dt),
    )


@contextlib.contextmanager
def _threads(threads: int | None) -> Iterator[None]:
    """torch's intra-op threads set to ``threads`` for the run, and restored afterwards."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_threads(threads: Any) -> int | None:
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads is a whole number of threads, got {threads!r}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return threads


def bench(
    *fns: Callable[..., Any],
    a: Any = None,
    b: Any = None,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
    course: bool = True,
    budget: float | None = None,
    baseline: str | None = "loops",
    sweep: Iterable[int] | str | None = None,
    shape: str | Sequence[int] | None = None,
    only: Iterable[str] | str | None = None,
    on_progress: Callable[[BenchProgress], None] | None = None,
    threshold: float = timing.DEFAULT_THRESHOLD,
    l2_flush: bool = False,
    seed: int = 0,
    threads: int | None = None,
) -> BenchResult:
    """Race the lesson's matmuls (and ``fns``, each called as ``fn(a, b)``): check, then time.

    By default the operands are the lesson's ``x_valid[:5]`` (5×784, real MNIST when it is
    on disk, else seeded random pixels) and ``weights`` (784×10, seeded ``randn``); ``a=``/
    ``b=`` or ``shape='MxKxN'`` replace them. ``device`` defaults to cuda, then mps, then cpu
    (the operands' own device when tensors are given); ``dtype`` to float32. Functions passed
    in always race; ``only=`` selects among the course's rows, ``course=False`` drops them.
    ``budget`` is the run's time limit in seconds (default 1, plus 1 per sweep size; at most
    an hour); one-off costs such as a JIT compile are reported and not counted. ``baseline``
    names the row speedups divide by (falls back to the first timed row when the default
    ``'loops'`` is absent). ``sweep=[sizes]`` also times every variant on size×size operands
    at each size and fits a log-log exponent. ``threads`` sets torch's CPU threads for the
    run (restored afterwards). ``threshold`` is the precision target (IQR/median).
    ``on_progress`` receives a :class:`~.result.BenchProgress` as the run goes.
    ``l2_flush`` (CUDA) cools the L2 cache before every call.

    A variant that raises (anything, ``SystemExit`` included), returns a wrong result, or
    returns something that is not a dense real tensor becomes a failed or incorrect row;
    the others carry on and a result is always returned. Ctrl-C returns every figure
    measured so far with ``interrupted=True``. Raises ``TypeError`` for a non-callable and
    ``ValueError`` for an unavailable device, unknown dtype, incompatible operands, unknown
    names or a bad budget.
    """
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"bench() races functions of (a, b); got {type(fn).__name__} {fn!r}")
    if budget is not None:
        budget = plan.check_budget(budget)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold is a fraction of the median, got {threshold!r}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold is a fraction of the median in (0, 1), got {threshold!r}")
    threads = _check_threads(threads)
    sizes = parse_sizes(sweep) if sweep is not None else ()

    if device is None and isinstance(a, torch.Tensor):
        device = a.device.type if a.device.type == "cpu" else str(a.device)
    dev = devices.resolve_device(device)
    if dtype is None and isinstance(a, torch.Tensor) and a.is_floating_point():
        dtype = a.dtype
    dt = devices.resolve_dtype(dtype)
    with operands_fit(dev):
        ta, tb, operands = build_operands(a, b, shape, seed, dev, dt)
        sweep_pairs = {size: sweep_operands(size, seed, dev, dt) for size in sizes}
    variants = select(fns, course, only, dev, dt)
    names = [v.name for v in variants]
    if baseline is not None and baseline not in names and baseline != "loops":
        raise ValueError(
            f"baseline {baseline!r} is not in the race; choose from {', '.join(names)}"
        )
    if budget is None:
        budget = plan.DEFAULT_BUDGET + plan.SWEEP_BUDGET_PER_SIZE * len(sizes)

    with _threads(threads):
        clock = timing.clock_for(dev, l2_flush=l2_flush)
        env = _environment(dev, dt, clock, l2_flush)
        run = _Run(variants, ta, tb, sweep_pairs, dev, dt, budget, threshold, env, on_progress)
        run.seed, run.baseline = seed, baseline  # the race's shuffles; what speedups divide by
        interrupted = False
        try:
            run.run(clock)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            run.restore_operands()
        rows = run.rows(final=True)
    return BenchResult(
        rows=rows,
        device=str(dev),
        dtype=devices.dtype_name(dt),
        shapes={"a": tuple(ta.shape), "b": tuple(tb.shape)},
        interrupted=interrupted,
        operands=operands,
        environment=env,
        budget=float(budget),
        elapsed=time.perf_counter() - run.started,
        baseline=baseline_name(rows, baseline),
        sweep_sizes=sizes,
        threshold=float(threshold),
    )


class _Run:
    """One run: every variant checked, then all of them raced together."""

    def __init__(
        self,
        variants: list[Variant],
        a: torch.Tensor,
        b: torch.Tensor,
        sweep_pairs: dict[int, tuple[torch.Tensor, torch.Tensor]],
        dev: torch.device,
        dt: torch.dtype,
        budget: float,
        threshold: float,
        env: BenchEnvironment,
        on_progress: Callable[[BenchProgress], None] | None,
    ) -> None:
        self.variants = variants
        self.a, self.b = a, b
        self.sweep_pairs = sweep_pairs
        self.seed = 0
        self.dev, self.dt = dev, dt
        self.budget, self.threshold = budget, threshold
        self.env = env
        self.on_progress = on_progress
        self.baseline: str | None = "loops"
        self.tasks: dict[int, list[Task]] = {id(v): [] for v in variants}
        self.checked: set[int] = set()  # variants whose check has finished
        self.started = time.perf_counter()
        self.phase, self.current, self.size = "check", variants[0].name, None
        self._last_progress = 0.0
        self._pristine: dict[int, torch.Tensor] = {}

    # -- the run ---------------------------------------------------------------------------

    def run(self, clock: Any) -> None:
        with operands_fit(self.dev):
            # A copy tells whether a variant wrote into the shared operands (the user's own
            # tensors, when given), so the others still get the true inputs.
            self._pristine = {id(t): t.clone() for t in (self.a, self.b)}
        self.progress(force=True)
        timed = sum(1 for v in self.variants if v.fn is not None) * (1 + len(self.sweep_pairs))
        self.call_limit = plan.call_limit(self.budget, timed)
        for v in self.variants:
            self.current, self.phase, self.size = v.name, "check", None
            self.progress(force=True)
            if v.fn is not None:
                self._check(v)
            self.checked.add(id(v))
        one_off = sum(t.one_off for ts in self.tasks.values() for t in ts)
        deadline = self.started + self.budget + one_off
        tasks = [t for ts in self.tasks.values() for t in ts]
        self.current, self.phase = None, "sweep" if self.sweep_pairs else "time"
        self.progress(force=True)
        Race(tasks, clock, self.budget, deadline, self.threshold, self.seed, self.progress).run()
        self.current, self.phase = None, "done"
        self.progress(force=True)

    def _check(self, v: Variant) -> None:
        main = Task(v, self.a, self.b)
        self.tasks[id(v)].append(main)
        check(main, self.budget, self.call_limit)
        if self._restore_if_written(main):
            return
        if not main.timed:
            return  # a variant that fails (or overruns) on the main operands is not swept
        for size, (sa, sb) in self.sweep_pairs.items():
            self.phase, self.size = "sweep", size
            self.progress()
            task = Task(v, sa, sb, size=size)
            self.tasks[id(v)].append(task)
            check(task, self.budget, self.call_limit)

    def _restore_if_written(self, main: Task) -> bool:
        """Undo a variant's writes into the shared operands, and don't trust its row."""
        changed = [
            name
            for name, operand in (("a", self.a), ("b", self.b))
            if not same_values(operand, self._pristine[id(operand)])
        ]
        if not changed:
            return False
        self.restore_operands()
        main.correct, main.probes = False, []
        main.note = (
            f"changed its input {' and '.join(changed)} in place, so neither its output nor "
            "its time can be trusted (the other rows got the original operands); not timed"
        )
        return True

    def restore_operands(self) -> None:
        for operand in (self.a, self.b):
            was = self._pristine.get(id(operand))
            if was is not None and not same_values(operand, was):
                operand.copy_(was)

    # -- rows and progress ---------------------------------------------------------------------

    def progress(self, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.perf_counter()
        if not force and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self.on_progress(
            BenchProgress(
                planned=tuple(v.name for v in self.variants),
                rows=tuple(self.rows()),
                current=self.current,
                phase=self.phase,
                size=self.size,
                elapsed=now - self.started,
                budget=self.budget,
                device=str(self.dev),
                dtype=devices.dtype_name(self.dt),
            )
        )

    def rows(self, final: bool = False) -> list[BenchRow]:
        """A row for every checked variant; while running, only those with figures to show."""
        rows, per_round = [], {}
        for v in self.variants:
            if id(v) not in self.checked:
                continue
            tasks = self.tasks[id(v)]
            main = tasks[0] if tasks else None
            est = estimate(main) if main is not None else None
            if not final and est is None and main is not None and main.timed:
                continue  # checked, waiting for the race
            rows.append(_row(v, main, est, tasks[1:], self.threshold, self.env.threads))
            if est is not None:
                per_round[v.name] = est.per_round
        m, k, n = self.a.shape[0], self.a.shape[1], self.b.shape[1]
        return with_speedups(rows, per_round, self.baseline, 2 * m * k * n, self.env.peak_gflops)


def _row(
    v: Variant,
    main: Task | None,
    est: Estimate | None,
    sweep: list[Task],
    threshold: float,
    threads: int | None = None,
) -> BenchRow:
    if v.fn is None or main is None:
        return BenchRow(name=v.name, kind=v.kind, note=v.note)  # type: ignore[arg-type]
    points = tuple(_point(t) for t in sweep)
    # One-off costs, stalls and spread travel as fields (one_off, stalls, noisy), which the
    # views say once for all rows; the note holds only what no field can say.
    notes = [main.note, est.how if est else None]
    if est is None and main.timed:
        notes.append("not timed: the run was interrupted first")
    m = est.measurement if est else None
    contended = _thread_contention(main, m, threads)
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


def _thread_contention(main: Task, m: timing.Measurement | None, threads: int | None) -> str | None:
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


def _point(task: Task) -> SweepPoint:
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
