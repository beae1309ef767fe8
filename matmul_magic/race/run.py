"""One run of ``bench()``: every variant checked in turn, then all of them raced together.

``Run`` owns the sequence (check, race, done), keeps the shared operands pristine, and reports
progress; ``rows`` turns its tasks into the payload's rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch

from ..bench_result.result import BenchEnvironment, BenchProgress, BenchRow
from . import devices, plan
from .estimate import estimate
from .ladder import Task, check
from .operands import operands_fit, same_values
from .rounds import Race
from .rows import row_for
from .speedups import with_speedups
from .variants import Variant

PROGRESS_INTERVAL = 0.1
"""Seconds between progress reports while the race runs."""


class Run:
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
        self._check_sweep()
        tasks = [t for ts in self.tasks.values() for t in ts]
        self.current, self.phase = None, "sweep" if self.sweep_pairs else "time"
        self.progress(force=True)
        race = Race(tasks, clock, self.budget, self.deadline(), self.threshold, self.seed)
        race.on_round = self.progress
        race.run()
        self.current, self.phase = None, "done"
        self.progress(force=True)

    def one_off(self) -> float:
        """One-off costs found so far: measured, reported, and not charged to the budget."""
        return sum(t.one_off for ts in self.tasks.values() for t in ts)

    def deadline(self, share: float = 1.0) -> float:
        """When ``share`` of the budget is spent (one-off costs apart)."""
        return self.started + share * self.budget + self.one_off()

    def _check(self, v: Variant) -> None:
        main = Task(v, self.a, self.b)
        self.tasks[id(v)].append(main)
        check(main, self.budget, self.call_limit, self.deadline(plan.CHECK_SHARE))
        self._restore_if_written(main)

    def _check_sweep(self) -> None:
        """Every size in turn, smallest first, for each variant that passed on the main
        operands; sizes the checks' share of the budget cannot reach are said so."""
        swept = [v for v in self.variants if self.tasks[id(v)] and self.tasks[id(v)][0].timed]
        sizes = list(self.sweep_pairs)
        for i, size in enumerate(sizes):
            sa, sb = self.sweep_pairs[size]
            self.phase, self.size = "sweep", size
            self.progress()
            for v in swept:
                task = Task(v, sa, sb, size=size)
                self.tasks[id(v)].append(task)
                if time.perf_counter() >= self.deadline(plan.CHECK_SHARE):
                    task.note = self._unreached(i, len(sizes))
                    continue
                check(task, self.budget, self.call_limit, self.deadline(plan.CHECK_SHARE))

    def _unreached(self, reached: int, sizes: int) -> str:
        if not reached:
            return (
                "not measured: the budget was spent before the sweep began (a larger one "
                "would reach it)"
            )
        spent = time.perf_counter() - self.started - self.one_off()
        need = spent / max(plan.CHECK_SHARE, 0.05) * sizes / reached
        return (
            f"not measured: the budget was spent on the {reached} smaller "
            f"size{'s' if reached != 1 else ''} (budget={need:.2g} or more would reach "
            f"all {sizes})"
        )

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
                elapsed=max(now - self.started - self.one_off(), 0.0),
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
            rows.append(row_for(v, main, est, tasks[1:], self.threshold, self.env.threads))
            if est is not None:
                per_round[v.name] = est.per_round
        m, k, n = self.a.shape[0], self.a.shape[1], self.b.shape[1]
        return with_speedups(rows, per_round, self.baseline, 2 * m * k * n, self.env.peak_gflops)
