"""The bench engine behind ``bench(...)``: the lesson's progression, checked, then raced.

``runner`` holds ``bench()``; ``variants`` says who races, ``correctness`` checks them,
``plan`` turns the budget into the run's limits, ``checking`` decides what to time (the
``task``; each call made and judged by ``calls``, the loops' terms by ``terms``), ``rounds``
times them in interleaved rounds,
``estimate`` and ``speedups`` turn the times into figures, and ``timing`` owns the clocks.
What comes back is a :class:`matmul_magic.bench_result.BenchResult`. Names are imported on first
use, so ``import matmul_magic.race`` stays cheap (no torch).
"""

from __future__ import annotations

from matmul_magic.lazy_exports import lazy_exports

_WHERE = {"bench": "runner"}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
