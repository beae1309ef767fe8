"""``bench(...)``: the lesson's progression and your own functions, checked, then raced.

How a run spends its budget
---------------------------
1. **Check** (``checking``). Each variant in turn is called on growing slices of the output
   and every answer goes through the correctness gate (``correctness``: a float64 reference
   from the same inputs, tolerances that grow with K and the dtype's epsilon). A variant that
   raises (anything, ``SystemExit`` too) keeps its error text, a wrong one is marked
   incorrect with the reason, and neither is timed; the others carry on. The check also
   decides what to time: the full product, or slices for an estimate.
2. **Race** (``rounds``). Every checked variant is timed together in rounds, one block each
   per round in a fresh random order, so load that comes and goes hits every row alike.
   Rows stop on their precision target or their fair share of the budget (``plan``).
3. **Figures** (``estimate``, ``speedups``). Medians, IQRs and minima per row; an
   extrapolated row's full time from a fitted ``fixed + per-output`` model (the course's
   Python loops over outputs: one slice scaled by the outputs, or, for the three loops, one
   output's first terms scaled by the multiply-adds); speedups as the
   median of per-round ratios with a 95 % interval.

One-off costs (a JIT compile on the first call) are measured, reported on their row and not
counted in the budget. Ctrl-C keeps every figure measured so far.

This module checks the arguments and assembles the result; ``run`` holds the sequence of one
run and ``rows`` turns its measurements into the payload's rows.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import torch

from ..bench_result.result import BenchEnvironment, BenchProgress, BenchResult
from . import devices, errors, plan, timing
from .bench_operands import DEFAULT_SHAPE, build_operands, check_sizes_fit, operands_fit
from .options import parse_shape, parse_sizes, parse_threads
from .run import Run
from .speedups import baseline_name
from .variants import select

__all__ = ["bench", "parse_shape", "DEFAULT_SHAPE"]

ALL_THREADS = "all"
"""``threads='all'``: every core this process may run on."""


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


def _check_threads(threads: Any) -> int | str | None:
    """``threads=`` as the API takes it: a whole number (the line's rule) or ``'all'``."""
    if threads is None:
        return None
    if isinstance(threads, str):
        known = threads.strip().lower() == ALL_THREADS
    else:
        known = isinstance(threads, numbers.Integral) and not isinstance(threads, bool)
    if not known:
        raise TypeError(f"threads is a whole number of threads or {ALL_THREADS!r}, got {threads!r}")
    return parse_threads(threads)  # its range, in the words every door uses


def _cpu_cores() -> int:
    """Cores this process may run on (its affinity where the OS tells it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def _threads_for(threads: int | str | None, dev: torch.device) -> int | None:
    """The CPU threads a run uses: one unless asked (stable under load), every core for
    ``'all'``; ``None`` (torch's own setting) on accelerators, whose work is not on them."""
    if dev.type != "cpu":
        return None if threads is None or threads == ALL_THREADS else int(threads)
    if threads == ALL_THREADS:
        return _cpu_cores()
    return plan.DEFAULT_CPU_THREADS if threads is None else int(threads)


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
    threads: int | str | None = None,
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
    at each size and fits a log-log exponent. ``threads``: torch's CPU threads for the run
    (restored afterwards), 1 by default (stable while another program holds a core, as
    torch.utils.benchmark's default), ``'all'`` for every core. ``threshold``: how closely
    each median's 95 % interval should pin it (a fraction; wider rows are noisy).
    ``on_progress`` gets :class:`~.result.BenchProgress` updates; ``l2_flush`` cools CUDA's L2.

    A variant that raises (anything, ``SystemExit`` included), returns a wrong result, or
    returns something that is not a dense real tensor becomes a failed or incorrect row;
    the others carry on and a result is always returned. Ctrl-C returns every figure
    measured so far with ``interrupted=True``. Raises ``TypeError`` for a non-callable and
    ``ValueError`` for an unavailable device, unknown dtype, incompatible operands, unknown
    names or a bad budget.
    """
    _check_arguments(fns, threshold)
    budget = plan.check_budget(budget) if budget is not None else None
    threads = _check_threads(threads)
    dev, dt = _device_and_dtype(device, dtype, a)
    sizes = _sizes(sweep, shape, a is not None or b is not None, dev, dt)
    started = time.perf_counter()  # building the operands is on the budget too
    with operands_fit(dev):
        ta, tb, operands = build_operands(a, b, shape, seed, dev, dt)
    variants = select(fns, course, only, dev, dt)
    names = [v.name for v in variants]
    if baseline is not None and baseline not in names and baseline != "loops":
        raise ValueError(
            f"baseline {baseline!r} is not in the race; choose from {', '.join(names)}"
        )
    timed = sum(1 for v in variants if v.fn is not None)
    the_plan = plan.Plan.for_run(budget, threshold, timed, len(sizes), started)
    with _threads(_threads_for(threads, dev)):
        clock = timing.clock_for(dev, l2_flush=l2_flush)
        env = _environment(dev, dt, clock, l2_flush)
        run = Run(variants, ta, tb, sizes, dev, dt, the_plan, env, on_progress)
        run.seed, run.baseline = seed, baseline  # the race's shuffles; what speedups divide by
        interrupted = _interrupted(run, clock)
        rows = run.rows(final=True)
    return BenchResult(
        rows=rows,
        device=str(dev),
        dtype=devices.dtype_name(dt),
        shapes={"a": tuple(ta.shape), "b": tuple(tb.shape)},
        interrupted=interrupted,
        operands=operands,
        environment=env,
        budget=the_plan.budget,
        elapsed=time.perf_counter() - run.started,
        baseline=baseline_name(rows, baseline),
        sweep_sizes=sizes,
        threshold=float(threshold),
    )


def bench_kwargs(args: Any) -> dict[str, Any]:
    """Keyword arguments of ``bench(...)`` from the options the magic or the CLI parsed
    (``options.BENCH_OPTIONS``; only those given)."""
    kwargs: dict[str, Any] = {"course": not args.no_course}
    for key in ("device", "dtype", "shape", "budget", "baseline", "threads"):
        value = getattr(args, key, None)
        if value is not None:
            kwargs[key] = value
    if args.only is not None:
        kwargs["only"] = list(args.only)
    if args.sweep is not None:
        kwargs["sweep"] = list(args.sweep)
    return kwargs


def _interrupted(run: Run, clock: Any) -> bool:
    """Run it; True when Ctrl-C stopped it (every figure measured so far is kept)."""
    try:
        with errors.ACTIVE.watching():
            run.run(clock)
    except KeyboardInterrupt:
        return True
    return False


def _sizes(
    sweep: Any, shape: Any, own: bool, dev: torch.device, dt: torch.dtype
) -> tuple[int, ...]:
    """The sweep's sizes; sizes no memory can hold are refused before anything is allocated
    (``own``: the caller gave the operands, which exist already; only copies are made)."""
    sizes = parse_sizes(sweep) if sweep is not None else ()
    dims = None if own else parse_shape(shape) if shape is not None else DEFAULT_SHAPE
    check_sizes_fit(dims, sizes, dev, dt)
    return sizes


def _check_arguments(fns: Sequence[Any], threshold: Any) -> None:
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"bench() races functions of (a, b); got {type(fn).__name__} {fn!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold is a fraction of the median, got {threshold!r}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold is a fraction of the median in (0, 1), got {threshold!r}")


def _device_and_dtype(device: Any, dtype: Any, a: Any) -> tuple[torch.device, torch.dtype]:
    """The device and dtype asked for; unset, those of a tensor ``a``, else the defaults."""
    if device is None and isinstance(a, torch.Tensor) and a.device.type != "meta":
        device = a.device.type if a.device.type == "cpu" else str(a.device)
    if dtype is None and isinstance(a, torch.Tensor) and a.is_floating_point():
        dtype = a.dtype
    return devices.resolve_device(device), devices.resolve_dtype(dtype)
