"""``bench(...)``: the lesson's progression and your own functions, checked, then timed.

How a run spends its budget
---------------------------
Variants run one after the other, in row order; each is checked, then timed, then reported.

1. **Check.** The variant is called on one output's worth of work (``a[:1] @ b[:, :1]``),
   then on ×4 larger slices while the next call is predicted (affine in the number of
   outputs, so a fixed cost is not mistaken for work) to fit in one measurement's share.
   A fast variant reaches the full operands within microseconds; the pure-Python loops
   stop after a few outputs. Every output is compared with torch's own product on the same
   slice (``test_near`` semantics: ``rtol=1e-3, atol=1e-5`` for float32 and float64, wider
   for 16-bit types). A variant that raises keeps its error text, a wrong one is marked
   incorrect with its max abs error, and neither is timed; the others carry on.
2. **Time.** The variant gets a part of what is left of the budget in proportion to what
   one of its measurements costs (so the slow ones get the most) and
   :func:`~.timing.measure` takes blocks of calls until IQR/median <= 5 % or that part is
   spent. A variant timed on a slice has its times scaled by (full outputs / slice
   outputs) and is flagged ``extrapolated``, with the slice in its ``note``.

The budget is a target for the whole run, checks included; a one-off cost such as a JIT
compile on the first call is paid during the check and never timed.
"""

from __future__ import annotations

import contextlib
import gc
import math
import platform
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from ..progression import COURSE, optional_steps
from . import devices, timing
from .result import BenchEnvironment, BenchProgress, BenchResult, BenchRow, SweepPoint, fit_exponent

DEFAULT_BUDGET = 1.0
"""Seconds for the default progression: on a quiet 2-core CPU every row reaches IQR/median
<= 5 % well within it (about 0.3 s); on a busy one the rows stop when their share is spent."""

SWEEP_BUDGET_PER_SIZE = 1.0
"""Extra default seconds per sweep size."""

DEFAULT_SHAPE = (5, 784, 10)
"""The lesson's operands: ``x_valid[:5]`` (5×784) @ ``weights`` (784×10)."""

SAMPLES_PER_SHARE = 4
"""A task's measurement aims at 1/SAMPLES_PER_SHARE of its even share of the budget, so even
the slowest variant gets several measurements."""

_TOLERANCES: dict[torch.dtype, tuple[float, float]] = {
    torch.float64: (1e-3, 1e-5),
    torch.float32: (1e-3, 1e-5),
    torch.float16: (1e-2, 1e-3),
    torch.bfloat16: (5e-2, 1e-2),
}


# -- operands --------------------------------------------------------------------------------


_MNIST_CACHE: dict[tuple[str, float], Tensor] = {}


def _mnist_rows(rows: int) -> Tensor | None:
    """``x_valid[:rows]`` from a local MNIST, or ``None`` when there is none (never downloads)."""
    from ..data import _read, find_mnist

    path = find_mnist()
    if path is None:
        return None
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _MNIST_CACHE:
        try:
            x_valid = _read(path)[2]
        except ValueError:
            return None
        _MNIST_CACHE.clear()
        _MNIST_CACHE[key] = x_valid
    x = _MNIST_CACHE[key]
    return x[:rows] if x.shape[0] >= rows else None


def _random(shape: Sequence[int], seed: int, kind: str) -> Tensor:
    gen = torch.Generator().manual_seed(seed)
    if kind == "pixels":  # like MNIST: values in [0, 1)
        return torch.rand(*shape, generator=gen)
    return torch.randn(*shape, generator=gen)


def parse_shape(shape: str | Sequence[int]) -> tuple[int, int, int]:
    """``'MxKxN'`` or ``(M, K, N)`` to three positive ints (``ValueError`` otherwise)."""
    if isinstance(shape, str):
        parts = re.split(r"\s*[x×,*]\s*", shape.strip().lower())
        try:
            dims = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"shape must look like MxKxN (e.g. 5x784x10), got {shape!r}") from None
    else:
        dims = tuple(int(d) for d in shape)
    if len(dims) != 3 or any(d < 1 for d in dims):
        raise ValueError(f"shape must be three positive sizes MxKxN, got {shape!r}")
    return dims  # type: ignore[return-value]


def _as_tensor(x: Any, name: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return torch.as_tensor(x)
    except Exception as exc:
        raise TypeError(f"{name} must be a tensor or array-like, got {type(x).__name__}") from exc


def _operands(
    a: Any, b: Any, shape: Any, seed: int, dev: torch.device, dt: torch.dtype
) -> tuple[Tensor, Tensor, str]:
    if a is not None or b is not None:
        if shape is not None:
            raise ValueError("give either a=/b= or shape=, not both")
        m, k, n = DEFAULT_SHAPE
        ta = _as_tensor(a, "a") if a is not None else None
        tb = _as_tensor(b, "b") if b is not None else None
        if ta is None:
            ta = _random((m, tb.shape[0] if tb is not None and tb.ndim == 2 else k), seed, "pixels")
        if tb is None:
            tb = _random((ta.shape[-1] if ta.ndim == 2 else k, n), seed + 1, "weights")
        _check_compatible(ta, tb)
        return ta.to(dev, dt), tb.to(dev, dt), "user"
    m, k, n = parse_shape(shape) if shape is not None else DEFAULT_SHAPE
    weights = _random((k, n), seed + 1, "weights")
    if (m, k, n) == DEFAULT_SHAPE or (k == 784 and shape is not None):
        x = _mnist_rows(m) if k == 784 else None
        if x is not None:
            return x.to(dev, dt), weights.to(dev, dt), "mnist"
    return _random((m, k), seed, "pixels").to(dev, dt), weights.to(dev, dt), f"random, seed {seed}"


def _check_compatible(a: Tensor, b: Tensor) -> None:
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(
            f"operands are incompatible: a is {tuple(a.shape)} and b is {tuple(b.shape)}; "
            "bench needs a (m×k) and b (k×n) with the same k"
        )
    if a.numel() == 0 or b.numel() == 0:
        raise ValueError(f"operands are empty: a is {tuple(a.shape)} and b is {tuple(b.shape)}")


# -- variants and tasks ------------------------------------------------------------------------


@dataclass(eq=False)
class _Variant:
    name: str
    kind: str
    fn: Callable[..., Any] | None
    note: str | None = None
    tasks: list[_Task] = field(default_factory=list)


@dataclass(eq=False)
class _Task:
    """One variant on one pair of operands (the main pair, or one sweep size)."""

    variant: _Variant
    a: Tensor
    b: Tensor
    ref: Tensor
    size: int | None = None
    rows: int = 0  # slice timed: a[:rows] @ b[:, :cols]
    cols: int = 0
    per_call: float = 0.0
    error: str | None = None
    correct: bool | None = None
    max_abs_err: float | None = None
    note: str | None = None
    measurement: timing.Measurement | None = None

    @property
    def m(self) -> int:
        return self.a.shape[0]

    @property
    def n(self) -> int:
        return self.b.shape[1]

    @property
    def scale(self) -> float:
        return (self.m * self.n) / (self.rows * self.cols)

    @property
    def extrapolated(self) -> bool:
        return bool(self.rows) and (self.rows, self.cols) != (self.m, self.n)

    @property
    def finished(self) -> bool:
        return self.error is not None or self.correct is False or self.measurement is not None

    def args(self) -> tuple[Tensor, Tensor]:
        return _slice(self.a, self.b, self.rows, self.cols)


def _slice(a: Tensor, b: Tensor, rows: int, cols: int) -> tuple[Tensor, Tensor]:
    sa = a if rows == a.shape[0] else a[:rows]
    sb = b if cols == b.shape[1] else b[:, :cols].contiguous()
    return sa, sb


def _user_name(fn: Callable[..., Any], taken: set[str]) -> str:
    base = getattr(fn, "__name__", None) or type(fn).__name__
    name, i = base, 2
    while name in taken:
        name, i = f"{base} ({i})", i + 1
    return name


def _variants(
    fns: Sequence[Callable[..., Any]],
    course: bool,
    only: Iterable[str] | str | None,
    dev: torch.device,
    dt: torch.dtype,
) -> list[_Variant]:
    variants: list[_Variant] = []
    if course:
        variants += [_Variant(name, "course", fn) for name, fn in COURSE]
        variants += [_Variant(s.name, "optional", s.fn, s.note) for s in optional_steps(dev, dt)]
    taken = {v.name for v in variants}
    for fn in fns:
        name = _user_name(fn, taken)
        taken.add(name)
        variants.append(_Variant(name, "user", fn))
    if only is not None:
        wanted = [only] if isinstance(only, str) else list(only)
        wanted = [w.strip() for item in wanted for w in str(item).split(",") if w.strip()]
        known = [v.name for v in variants]
        unknown = [w for w in wanted if w not in known]
        if unknown:
            # Worded for both doors: only= in Python, --only in the magic and the CLI.
            are = "is" if len(unknown) == 1 else "are"
            raise ValueError(
                f"only: {', '.join(map(repr, unknown))} {are} not in the race; "
                f"choose from {', '.join(known)}"
            )
        variants = [v for v in variants if v.name in wanted]
    if not variants:
        raise ValueError("nothing to bench: pass functions, or leave course=True")
    return variants


# -- checking ------------------------------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    text = str(exc).strip()
    return f"{name}: {text}" if text else name


def _is_oom(exc: BaseException) -> bool:
    oom = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", None)
    text = str(exc).lower()
    return (oom is not None and isinstance(exc, oom)) or any(
        marker in text for marker in ("out of memory", "can't allocate memory")
    )


def _release_memory() -> None:
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if (
        mps is not None
        and getattr(torch.backends, "mps", None)
        and torch.backends.mps.is_available()
    ):
        mps.empty_cache()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _call(fn: Callable[..., Any], a: Tensor, b: Tensor) -> tuple[Any, float]:
    """``fn(a, b)`` and its wall time in seconds, synchronised on accelerators."""
    _sync(a.device)
    t0 = time.perf_counter()
    out = fn(a, b)
    _sync(a.device)
    return out, time.perf_counter() - t0


@dataclass(frozen=True)
class _Verdict:
    correct: bool
    max_abs_err: float | None
    why: str | None = None


def check_near(out: Any, ref: Tensor) -> _Verdict:
    """``test_near`` semantics: same shape, ``allclose`` within the dtype's tolerances."""
    if not isinstance(out, Tensor):
        try:
            out = torch.as_tensor(out)
        except Exception:
            return _Verdict(False, None, f"returned {type(out).__name__}, not a tensor")
    if tuple(out.shape) != tuple(ref.shape):
        return _Verdict(
            False, None, f"output shape {tuple(out.shape)} differs from torch's {tuple(ref.shape)}"
        )
    rtol, atol = _TOLERANCES.get(ref.dtype, (1e-3, 1e-5))
    got = out.detach().to(device=ref.device, dtype=torch.float64)
    want = ref.to(torch.float64)
    diff = (got - want).abs()
    err = float(diff.max()) if diff.numel() else 0.0
    if not math.isfinite(err):
        return _Verdict(False, None, "output holds NaN or infinity")
    ok = bool(torch.allclose(got, want, rtol=rtol, atol=atol))
    return _Verdict(ok, err, None if ok else f"output differs from torch (max abs error {err:.3g})")


_SLOW_ON_ACCELERATORS = frozenset({"loops", "elementwise", "broadcast"})

FIRST_CALL_SUSPECT = 1e-3
"""Seconds above which a variant's very first call is repeated before its time is trusted."""

GROWTH = 4
"""Each step of the check ladder calls the variant on this many times more outputs."""


def _shape_of(cells: int, m: int, n: int) -> tuple[int, int]:
    """The slice with about ``cells`` outputs: whole rows when it can, else part of one row."""
    if cells >= m * n:
        return m, n
    if cells >= n:
        return cells // n, n
    return 1, cells


def _check(task: _Task, sample_target: float) -> None:
    """Call the variant on growing slices, pick the slice to time, and gate its correctness.

    The ladder starts at one output (``a[:1] @ b[:, :1]``) and grows ×GROWTH while the next
    call is predicted to fit in ``sample_target`` seconds (affine in the number of outputs,
    from the last two calls, so a fixed cost is not mistaken for work). A fast variant
    climbs to the full operands in a few microseconds; the pure-Python loops stop at a few
    outputs. Every call's output is checked; a variant failing the one-output call gets a
    call on the full operands, whose verdict is authoritative.
    """
    climbs = task.variant.kind == "course" and task.variant.name in _SLOW_ON_ACCELERATORS
    if task.a.device.type != "cpu" and not climbs:
        # On a GPU every shape may mean a new compile or autotune (torch.compile, Triton):
        # only the Python-loop steps, which launch a kernel per scalar or row, climb.
        _gate(task, task.m, task.n)
    elif task.a.device.type == "cpu" and torch.get_num_threads() > 1:
        # One thread while sizing: a one-output product dispatched to a thread pool can cost
        # milliseconds of synchronisation on a busy machine and would look like real work.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            _climb(task, sample_target)
        finally:
            torch.set_num_threads(threads)
    else:
        _climb(task, sample_target)


def _climb(task: _Task, sample_target: float) -> None:
    m, n = task.m, task.n
    total = m * n
    cells, prev = 1, None
    while True:
        rows, cols = _shape_of(cells, m, n)
        if not _gate(task, rows, cols):
            if (rows, cols) != (m, n) and prev is None:
                _gate(task, m, n)  # only a one-output call failed: the full call decides
            return
        if prev is None and task.per_call > FIRST_CALL_SUSPECT:
            # A slow first call is often a one-off (a JIT compile, lazy initialisation):
            # the second call on the same slice says what the work costs.
            task.per_call = min(task.per_call, _recall(task))
        seconds, done = task.per_call, rows * cols
        if done >= total:
            return
        nxt = min(done * GROWTH, total)
        nxt_rows, nxt_cols = _shape_of(nxt, m, n)
        nxt = nxt_rows * nxt_cols
        if prev is None:
            predicted = seconds * nxt / done
        else:
            prev_cells, prev_seconds = prev
            slope = max(seconds - prev_seconds, 0.0) / (done - prev_cells)
            predicted = seconds + slope * (nxt - done)
        if predicted > sample_target and 2 * seconds <= sample_target:
            # About to settle on a slice after one short call: on a busy machine that call
            # may have been descheduled, so take the best of two more before deciding.
            seconds = min(seconds, *(_recall(task) for _ in range(2)))
            predicted = (
                seconds * nxt / done if prev is None else predicted * seconds / task.per_call
            )
            task.per_call = seconds
        if predicted > sample_target:
            return
        prev, cells = (done, seconds), nxt


def _recall(task: _Task) -> float:
    """One more call on the task's slice, for its time only (a failure counts as no news)."""
    try:
        return _call(task.variant.fn, *task.args())[1]
    except Exception:
        return math.inf


def _gate(task: _Task, rows: int, cols: int) -> bool:
    """Call the variant on ``a[:rows] @ b[:, :cols]``; record its verdict. True when correct."""
    fn = task.variant.fn
    assert fn is not None
    args = _slice(task.a, task.b, rows, cols)
    task.rows, task.cols, task.note, task.error = rows, cols, None, None
    try:
        out, seconds = _call(fn, *args)
    except Exception as exc:
        task.error = _error_text(exc)
        if _is_oom(exc):
            _release_memory()
        if task.extrapolated:
            task.note = f"failed on {_slice_text(task, scaled=False)}"
        return False
    verdict = check_near(out, task.ref[:rows, :cols])
    del out
    task.correct, task.max_abs_err, task.per_call = verdict.correct, verdict.max_abs_err, seconds
    if not verdict.correct:
        task.note = f"{verdict.why}; not timed"
        if task.extrapolated:
            task.note += f" (checked on {_slice_text(task, scaled=False)})"
    elif task.extrapolated:
        task.note = f"checked and timed on {_slice_text(task)}"
    return verdict.correct


def _slice_text(task: _Task, scaled: bool = True) -> str:
    scale = f", scaled ×{task.scale:.3g}" if scaled else ""
    if task.cols == task.n:
        return f"{task.rows} of {task.m} rows{scale}"
    return (
        f"a[:{task.rows}] @ b[:, :{task.cols}] ({task.rows * task.cols} of {task.m * task.n} "
        f"outputs){scale}"
    )


# -- timing ----------------------------------------------------------------------------------------


def _sample_seconds(task: _Task) -> float:
    return max(task.per_call, timing.TARGET_BLOCK)


def _time(task: _Task, clock: Any, share: float, threshold: float, sample_target: float) -> None:
    fn = task.variant.fn
    assert fn is not None
    try:
        measurement = timing.measure(
            fn, task.args(), clock, share=share, per_call=task.per_call, threshold=threshold
        )
        if task.extrapolated and measurement.median * task.scale * 2 < sample_target:
            # The check's call was an outlier (a busy machine): the whole call fits after all.
            _check(task, sample_target)
            if task.correct is not True or task.error is not None:
                return
            measurement = timing.measure(
                fn, task.args(), clock, share=share / 2, per_call=task.per_call, threshold=threshold
            )
    except Exception as exc:
        task.error = _error_text(exc)
        if _is_oom(exc):
            _release_memory()
        return
    task.measurement = measurement.scaled(task.scale) if task.extrapolated else measurement


# -- the run ---------------------------------------------------------------------------------------


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
def _operands_fit(dev: torch.device):
    """An out-of-memory error while building operands is a size the user chose: ValueError."""
    try:
        yield
    except RuntimeError as exc:
        if not _is_oom(exc):
            raise
        _release_memory()
        wanted = re.search(r"allocate (\d+) bytes", str(exc))
        needs = f" (one of them needs {int(wanted[1]) / 1e9:.3g} GB)" if wanted else ""
        raise ValueError(
            f"the operands do not fit in {dev.type} memory{needs}; "
            "choose a smaller shape or sweep size"
        ) from None


def _sweep_sizes(sweep: Any) -> tuple[int, ...]:
    if sweep is None:
        return ()
    if isinstance(sweep, str):
        sweep = [s for s in re.split(r"[,\s]+", sweep.strip()) if s]
    try:
        sizes = tuple(int(s) for s in sweep)
    except (TypeError, ValueError):
        raise ValueError(f"sweep= takes a list of sizes, got {sweep!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise ValueError(f"sweep sizes must be positive, got {sweep!r}")
    return tuple(sorted(set(sizes)))


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
) -> BenchResult:
    """Race the lesson's matmuls (and ``fns``, each called as ``fn(a, b)``): check, then time.

    By default the operands are the lesson's ``x_valid[:5]`` (5×784, real MNIST when it is
    on disk, else seeded random pixels) and ``weights`` (784×10, seeded ``randn``); ``a=``/
    ``b=`` or ``shape='MxKxN'`` replace them. ``device`` defaults to cuda, then mps, then cpu
    (the operands' own device when tensors are given); ``dtype`` to float32. ``course=False``
    races only ``fns``; ``only=`` keeps the named rows. ``budget`` is the run's time target in
    seconds (default 1, plus 1 per sweep size). ``baseline`` names the row speedups divide by
    (falls back to the first timed row when the default ``'loops'`` is absent).
    ``sweep=[sizes]`` also times every variant on size×size operands at each size and fits a
    log-log exponent. ``on_progress`` receives a :class:`~.result.BenchProgress` as rows finish.
    ``l2_flush`` (CUDA) cools the L2 cache before every call.

    A variant that raises, returns a wrong result or has the wrong signature becomes a failed
    or incorrect row; the others carry on. Ctrl-C returns the rows finished so far with
    ``interrupted=True``. Raises ``TypeError`` for a non-callable and ``ValueError`` for an
    unavailable device, unknown dtype, incompatible operands or unknown names.
    """
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"bench() races functions of (a, b); got {type(fn).__name__} {fn!r}")
    if budget is not None and (not isinstance(budget, (int, float)) or not budget > 0):
        raise ValueError(f"budget must be a positive number of seconds, got {budget!r}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold is a fraction of the median in (0, 1), got {threshold!r}")
    sizes = _sweep_sizes(sweep)

    if device is None and isinstance(a, Tensor):
        device = a.device.type if a.device.type == "cpu" else str(a.device)
    dev = devices.resolve_device(device)
    if dtype is None and isinstance(a, Tensor) and a.is_floating_point():
        dtype = a.dtype
    dt = devices.resolve_dtype(dtype)
    with _operands_fit(dev):
        ta, tb, operands = _operands(a, b, shape, seed, dev, dt)
    variants = _variants(fns, course, only, dev, dt)
    names = [v.name for v in variants]
    if baseline is not None and baseline not in names and baseline != "loops":
        raise ValueError(
            f"baseline {baseline!r} is not in the race; choose from {', '.join(names)}"
        )
    if budget is None:
        budget = DEFAULT_BUDGET + SWEEP_BUDGET_PER_SIZE * len(sizes)

    clock = timing.clock_for(dev, l2_flush=l2_flush)
    env = _environment(dev, dt, clock, l2_flush)
    started = time.perf_counter()
    deadline = started + budget
    runner = _Run(variants, names, dev, dt, budget, started, on_progress)
    runner.decorate = lambda rows: _with_speedups(rows, baseline, ta, tb, env.peak_gflops)
    interrupted = False
    try:
        with _operands_fit(dev):
            ref = ta @ tb
            for v in variants:
                if v.fn is not None:
                    v.tasks.append(_Task(v, ta, tb, ref))
                    for s in sizes:
                        sa = _random((s, s), seed + 2, "weights").to(dev, dt)
                        sb = _random((s, s), seed + 3, "weights").to(dev, dt)
                        v.tasks.append(_Task(v, sa, sb, sa @ sb, size=s))
        runner.run(clock, deadline, threshold)
    except KeyboardInterrupt:
        interrupted = True
    finished = list(runner.rows)

    rows = _with_speedups(finished, baseline, ta, tb, env.peak_gflops)
    base = _baseline_name(rows, baseline)
    result = BenchResult(
        rows=rows,
        device=str(dev),
        dtype=devices.dtype_name(dt),
        shapes={"a": tuple(ta.shape), "b": tuple(tb.shape)},
        interrupted=interrupted,
        operands=operands,
        environment=env,
        budget=float(budget),
        elapsed=time.perf_counter() - started,
        baseline=base,
        sweep_sizes=sizes,
    )
    return result


class _Run:
    """One run: each variant in turn is checked, timed, and reported as a finished row."""

    def __init__(
        self,
        variants: list[_Variant],
        names: list[str],
        dev: torch.device,
        dt: torch.dtype,
        budget: float,
        started: float,
        on_progress: Callable[[BenchProgress], None] | None,
    ) -> None:
        self.variants = variants
        self.names = tuple(names)
        self.dev, self.dt = dev, dt
        self.budget, self.started = budget, started
        self.on_progress = on_progress
        self.rows: list[BenchRow] = []
        # Fills speedup, gflops and pct_of_peak (from the rows so far, for progress).
        self.decorate: Callable[[list[BenchRow]], list[BenchRow]] = list

    def progress(self, current: str | None, phase: str = "check", size: int | None = None) -> None:
        if self.on_progress is None:
            return
        self.on_progress(
            BenchProgress(
                planned=self.names,
                rows=tuple(self.decorate(self.rows)),
                current=current,
                phase=phase,
                size=size,
                elapsed=time.perf_counter() - self.started,
                budget=self.budget,
                device=str(self.dev),
                dtype=devices.dtype_name(self.dt),
            )
        )

    def run(self, clock: Any, deadline: float, threshold: float) -> None:
        tasks = [t for v in self.variants for t in v.tasks]
        # Each measurement of a sliced variant aims at this, so even the slowest variant gets
        # several measurements within its part of the budget.
        sample_target = self.budget / (max(len(tasks), 1) * SAMPLES_PER_SHARE)
        # Every variant shares the main operands (the user's own tensors, when given): a copy
        # tells whether one wrote into them, so the others still get the true inputs.
        with _operands_fit(self.dev):
            pristine = {id(t): t.clone() for t in (tasks[0].a, tasks[0].b)} if tasks else {}
        self.progress(self.names[0])
        for index, v in enumerate(self.variants):
            main = _main(v)
            for task in v.tasks:
                if task is not main and not (main.correct and main.error is None):
                    break  # a variant that fails on the main operands is not swept
                phase = "check" if task is main else "sweep"
                self.progress(v.name, phase, task.size)
                _check(task, sample_target)
                if task.error is not None or task.correct is not True:
                    continue
                later = tasks[tasks.index(task) + 1 :]
                share = self.share(task, later, deadline)
                self.progress(v.name, "time" if task is main else "sweep", task.size)
                _time(task, clock, share, threshold, sample_target)
            if main is not None:
                _restore_inputs(main, pristine)
            self.rows.append(_row(v, threshold))
            nxt = self.names[index + 1] if index + 1 < len(self.names) else None
            self.progress(nxt, "check")

    @staticmethod
    def share(task: _Task, later: list[_Task], deadline: float) -> float:
        """This task's part of what is left, in proportion to what one measurement costs.

        Tasks not checked yet count as fast (one block each); a slow one discovered later is
        still guaranteed its ``FLOOR_RUNS`` measurements, so the budget is a target.
        """
        remaining = deadline - time.perf_counter()
        mine = _sample_seconds(task)
        others = len(later) * timing.TARGET_BLOCK
        floor = timing.FLOOR_RUNS * mine
        return max(remaining * mine / (mine + others), floor)


def _same(now: Tensor, was: Tensor) -> bool:
    """Equal element for element, NaN matching NaN."""
    return torch.equal(now, was) or bool(((now == was) | (now.isnan() & was.isnan())).all())


def _restore_inputs(main: _Task, pristine: dict[int, Tensor]) -> None:
    """Undo a variant's writes into the shared operands, and don't trust its row."""
    changed = [
        name
        for name, operand in (("a", main.a), ("b", main.b))
        if id(operand) in pristine and not _same(operand, pristine[id(operand)])
    ]
    if not changed:
        return
    for operand in (main.a, main.b):
        operand.copy_(pristine[id(operand)])
    main.correct, main.measurement = False, None
    main.note = (
        f"changed its input {' and '.join(changed)} in place, so neither its output nor its "
        "time can be trusted (the other rows got the original operands); not timed"
    )


def _main(v: _Variant) -> _Task | None:
    return v.tasks[0] if v.tasks else None


def _row(v: _Variant, threshold: float = timing.DEFAULT_THRESHOLD) -> BenchRow:
    main = _main(v)
    kind = v.kind  # type: ignore[assignment]
    if v.fn is None or main is None:
        return BenchRow(name=v.name, kind=kind, note=v.note)
    points = tuple(_point(t) for t in v.tasks[1:])
    m = main.measurement
    return BenchRow(
        name=v.name,
        kind=kind,
        median=m.median if m else None,
        iqr=m.iqr if m else None,
        min=m.min if m else None,
        runs=m.calls if m else 0,
        correct=main.correct,
        max_abs_err=main.max_abs_err,
        extrapolated=main.extrapolated and m is not None,
        error=main.error,
        note=_with_spread(main.note, m, threshold),
        points=points,
        exponent=fit_exponent(points) if points else None,
    )


def _with_spread(note: str | None, m: timing.Measurement | None, threshold: float) -> str | None:
    """Say so when the spread stayed above the threshold (as ``Measurement`` warns)."""
    if m is None or m.meets(threshold):
        return note
    warning = (
        f"noisy: IQR is {100 * m.relative_iqr:.0f}% of the median after {m.runs} measurements "
        f"(target {100 * threshold:.0f}%); the machine may be busy"
    )
    return f"{note}; {warning}" if note else warning


def _point(task: _Task) -> SweepPoint:
    m = task.measurement
    error = task.error
    if error is None and task.correct is False:
        error = task.note or "incorrect"
    return SweepPoint(
        size=task.size or 0,
        m=task.m,
        k=task.a.shape[1],
        n=task.n,
        median=m.median if m else None,
        iqr=m.iqr if m else None,
        runs=m.calls if m else 0,
        extrapolated=task.extrapolated and m is not None,
        error=error,
    )


def _baseline_name(rows: list[BenchRow], baseline: str | None) -> str | None:
    timed = [r for r in rows if r.median is not None and r.error is None and r.correct]
    for r in timed:
        if r.name == baseline:
            return r.name
    if baseline == "loops" and not any(r.name == "loops" for r in rows) and timed:
        return timed[0].name
    return None


def _with_speedups(
    rows: list[BenchRow], baseline: str | None, a: Tensor, b: Tensor, peak: float | None
) -> list[BenchRow]:
    from dataclasses import replace

    base_name = _baseline_name(rows, baseline)
    base = next((r.median for r in rows if r.name == base_name), None)
    flops = 2 * a.shape[0] * a.shape[1] * b.shape[1]
    out = []
    for r in rows:
        if r.median is None or r.median <= 0:
            out.append(r)
            continue
        gflops = flops / r.median / 1e9
        out.append(
            replace(
                r,
                speedup=base / r.median if base else None,
                gflops=gflops,
                pct_of_peak=100.0 * gflops / peak if peak else None,
            )
        )
    return out
