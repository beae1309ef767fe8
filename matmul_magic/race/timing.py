"""Clocks and statistics: how one block of calls is timed, and what a set of blocks says.

A *block* is ``number`` back-to-back calls timed once and divided by ``number``, so a clock
read costs at most a thousandth of what it measures (the idea of ``torch.utils.benchmark``'s
``blocked_autorange``); the race (``rounds.py``) decides how many blocks of what. A
:class:`Measurement` keeps the per-call times of its blocks and derives the statistics:
median, quartiles (linear interpolation, as ``torch.quantile``), IQR, minimum, a
distribution-free confidence interval for the median, and significant figures.

Clocks: :class:`CpuClock` (``time.perf_counter``), :class:`CudaClock` (CUDA events recorded on
the current stream, then a synchronise, never an asynchronous under-estimate; optionally an L2
flush before every call, as ``triton.testing.do_bench`` does), and :class:`MpsClock`
(``torch.mps.synchronize`` around ``perf_counter``).
"""

from __future__ import annotations

import functools
import gc
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from typing import Any

DEFAULT_THRESHOLD = 0.05
"""A row is precise once its median's 95 % interval lies within this fraction of it."""

INTERVAL_MIN_BLOCKS = 6
"""Below this many blocks no interval of order statistics reaches 95 % (with 5 the range
covers the median with probability 1 - 2/2⁵ ≈ 94 %): the median's precision is unknown."""


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of already sorted values, interpolating linearly (``torch.quantile``)."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@functools.cache  # (n, alpha) only: every row of a round asks the same
def _order_statistic_rank(n: int, alpha: float) -> int:
    """The largest ``j >= 0`` with ``2 * j <= n - 1`` and ``P(B <= j) <= alpha`` for
    ``B ~ Binomial(n, 1/2)`` (0 when none): the binomial terms summed once, in exact
    integers (summing them again for every ``j`` took 27 ms at 400 blocks, and the race
    asks this every round of every cheap row)."""
    bound = Fraction(alpha).limit_denominator(10**9)
    total = 2**n
    term = cum = 1  # comb(n, 0), and 2**n * P(B <= 0)
    j = 0
    while 2 * (j + 1) <= n - 1:
        term = term * (n - j) // (j + 1)  # comb(n, j + 1)
        if (cum + term) * bound.denominator > bound.numerator * total:
            break
        cum += term
        j += 1
    return j


@dataclass(frozen=True)
class Measurement:
    """Per-call times (seconds) of ``len(times)`` measurements of ``number`` calls each.

    ``scale`` is the extrapolation factor already applied to ``times`` (1 when the full
    problem was timed); ``calls`` counts the calls actually timed.
    """

    times: tuple[float, ...]
    number: int = 1
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.times:
            raise ValueError("a measurement needs at least one time")
        object.__setattr__(self, "times", tuple(float(t) for t in self.times))

    @property
    def sorted(self) -> tuple[float, ...]:
        return tuple(sorted(self.times))

    @property
    def blocks(self) -> int:
        """Measurements taken (each a block of ``number`` calls)."""
        return len(self.times)

    @property
    def calls(self) -> int:
        return len(self.times) * self.number

    @property
    def median(self) -> float:
        return quantile(self.sorted, 0.5)

    @property
    def p25(self) -> float:
        return quantile(self.sorted, 0.25)

    @property
    def p75(self) -> float:
        return quantile(self.sorted, 0.75)

    @property
    def iqr(self) -> float:
        return self.p75 - self.p25

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def mean(self) -> float:
        return sum(self.times) / len(self.times)

    @property
    def relative_iqr(self) -> float:
        median = self.median
        return self.iqr / median if median > 0 else math.inf

    @property
    def precision(self) -> float:
        """How well the median is known: the farther end of its 95 % interval, as a fraction
        of the median (``inf`` with too few blocks to say). Not the blocks' spread: 400
        blocks with an IQR of 9 % pin the median to about ±0.6 %, 7 blocks with 3 % do not."""
        median, (lo, hi) = self.median, self.median_interval()
        if lo is None or hi is None or median <= 0:
            return math.inf
        return max(median - lo, hi - median) / median

    def median_interval(self) -> tuple[float | None, float | None]:
        """The median's 95 % interval, or ``(None, None)`` with too few blocks to give one."""
        if self.blocks < INTERVAL_MIN_BLOCKS:
            return None, None
        return self.median_ci()

    def meets(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        """Whether the median is known to within ``threshold`` of itself (95 % interval)."""
        return self.precision <= threshold

    def median_ci(self, confidence: float = 0.95) -> tuple[float, float]:
        """A distribution-free interval for the true median, from order statistics.

        The median lies between the ``j``-th and ``(n-j+1)``-th smallest of ``n`` samples
        with probability ``1 - 2·P(Binomial(n, ½) < j)``; the largest ``j`` keeping that at
        least ``confidence`` is used. With few samples (under 9 at 95 %) it is their range.
        """
        s = self.sorted
        n = len(s)
        alpha = (1.0 - confidence) / 2.0
        # The interval (s[j], s[n-1-j]) misses the median with probability 2·P(B <= j).
        j = _order_statistic_rank(n, alpha)
        return s[j], s[n - 1 - j]

    @property
    def significant_figures(self) -> int:
        """Digits of the median that the confidence interval supports (1 to 4)."""
        lo, hi = self.median_ci()
        half_width = max((hi - lo) / 2.0, 1e-12 * self.median, 1e-15)
        digits = math.floor(math.log10(self.median / half_width)) if self.median > 0 else 1
        return min(max(digits, 1), 4)

    def scaled(self, factor: float) -> Measurement:
        """The same measurement with every time multiplied by ``factor`` (extrapolation)."""
        return Measurement(tuple(t * factor for t in self.times), self.number, self.scale * factor)


# -- clocks ------------------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """The garbage collector off while a block runs, as ``timeit``, ``%timeit`` and
    ``torch.utils.benchmark`` have it: a collection landing in one block is noise."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_block(fn: Callable[..., Any], args: tuple[Any, ...], number: int) -> None:
    for _ in repeat(None, number):
        fn(*args)


class CpuClock:
    """Wall time of a block of calls with ``time.perf_counter``."""

    name = "time.perf_counter"

    def __init__(self) -> None:
        reads = []
        for _ in range(7):
            t0 = time.perf_counter()
            _run_block(_noop, (), 0)
            reads.append(time.perf_counter() - t0)
        self.overhead = sorted(reads)[3]

    def __call__(self, fn: Callable[..., Any], args: tuple[Any, ...], number: int) -> float:
        """Seconds for ``number`` calls of ``fn(*args)``."""
        with gc_paused():
            t0 = time.perf_counter()
            if len(args) == 2:  # the bench's case: a plain two-argument call, as timeit makes it
                a, b = args
                for _ in repeat(None, number):
                    fn(a, b)
            else:
                _run_block(fn, args, number)
            return time.perf_counter() - t0


def _noop(*_args: Any) -> None:
    return None


class MpsClock(CpuClock):
    """``torch.mps.synchronize()`` before and after a block read with ``perf_counter``."""

    name = "torch.mps.synchronize + time.perf_counter"

    def __init__(self) -> None:
        import torch

        self._sync = torch.mps.synchronize
        super().__init__()
        t0 = time.perf_counter()
        self._sync()
        self.overhead += time.perf_counter() - t0  # a synchronise's own cost

    def __call__(self, fn: Callable[..., Any], args: tuple[Any, ...], number: int) -> float:
        with gc_paused():
            self._sync()
            t0 = time.perf_counter()
            _run_block(fn, args, number)
            self._sync()
            return time.perf_counter() - t0


L2_FLUSH_BYTES = 256 * 1024 * 1024
"""Bytes written between calls to evict the L2 cache (bigger than any current GPU's L2)."""


class CudaClock:
    """CUDA events on the current stream around a block, then a synchronise.

    With ``l2_flush`` every call gets its own pair of events and a 256 MiB buffer is zeroed
    before it (outside the events), so each call starts with a cold L2 as in
    ``triton.testing.do_bench``; the flushes are enqueued, so the GPU stays busy.
    """

    name = "cuda events"
    flush_bytes = L2_FLUSH_BYTES

    def __init__(self, device: Any, l2_flush: bool = False) -> None:
        import torch

        self._torch = torch
        self.device = torch.device(device)
        self.l2_flush = l2_flush
        self.stream = torch.cuda.current_stream(self.device)
        self._flush_buffer = (
            torch.empty(self.flush_bytes // 4, dtype=torch.int32, device=self.device)
            if l2_flush
            else None
        )
        self.overhead = sorted(self(_noop, (), 0) for _ in range(5))[2] + 1e-6

    def _event(self) -> Any:
        return self._torch.cuda.Event(enable_timing=True)

    def __call__(self, fn: Callable[..., Any], args: tuple[Any, ...], number: int) -> float:
        torch = self._torch
        with torch.cuda.device(self.device), gc_paused():
            torch.cuda.synchronize(self.device)
            if self._flush_buffer is None or number == 0:
                start, end = self._event(), self._event()
                start.record(self.stream)
                _run_block(fn, args, number)
                end.record(self.stream)
                end.synchronize()
                return start.elapsed_time(end) / 1e3
            pairs = [(self._event(), self._event()) for _ in range(number)]
            for start, end in pairs:
                self._flush_buffer.zero_()
                start.record(self.stream)
                fn(*args)
                end.record(self.stream)
            torch.cuda.synchronize(self.device)
            return sum(start.elapsed_time(end) for start, end in pairs) / 1e3


def clock_for(device: Any, l2_flush: bool = False) -> CpuClock | CudaClock | MpsClock:
    """The right clock for a torch device (``cpu``, ``cuda[:N]`` or ``mps``)."""
    kind = getattr(device, "type", str(device).split(":")[0])
    if kind == "cuda":
        return CudaClock(device, l2_flush=l2_flush)
    if kind == "mps":
        return MpsClock()
    return CpuClock()
