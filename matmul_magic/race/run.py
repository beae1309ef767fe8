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
from ..bench_result.views.format import format_plain
from . import devices, plan
from .audit import Audit
from .bench_operands import operands_fit, same_values, sweep_operands
from .checking import check
from .estimate import estimate, round_loads
from .guard import ArgsGuard, Pair, written_note
from .plan import Plan
from .rounds import Race
from .rows import row_for
from .speedups import with_speedups
from .task import Probe, Task, slice_text
from .torch_state import TorchState, changed_words
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
        sweep_sizes: tuple[int, ...],
        dev: torch.device,
        dt: torch.dtype,
        the_plan: Plan,
        env: BenchEnvironment,
        on_progress: Callable[[BenchProgress], None] | None,
    ) -> None:
        self.variants = variants
        self.a, self.b = a, b
        self.sweep_sizes = sweep_sizes  # their operands are made when the sweep reaches them
        self.seed = 0
        self.dev, self.dt = dev, dt
        self.plan = the_plan
        self.env = env
        self.on_progress = on_progress
        self.baseline: str | None = "loops"
        self.tasks: dict[int, list[Task]] = {id(v): [] for v in variants}
        self.checked: set[int] = set()  # variants whose check has finished
        self.started = the_plan.started
        self.phase, self.current, self.size = "check", variants[0].name, None
        self._last_progress = 0.0
        self.pairs: dict[int | None, Pair] = {}  # by sweep size; None is the main pair
        self.state: TorchState | None = None
        self.changed_state: dict[int, list[str]] = {}  # by id(variant): settings it changed

    # -- the run ---------------------------------------------------------------------------

    def run(self, clock: Any) -> None:
        with operands_fit(self.dev):
            # Functions get copies: the sources (the user's own tensors, when given) are never
            # handed out, and tell whether a function wrote into what it got.
            self.pairs = {None: Pair(self.a, self.b)}  # a sweep size's copies: when reached
        self.state = TorchState()
        try:
            self._run(clock)
        finally:
            self.from_checks()  # a Ctrl-C too keeps what the checks measured
            self.restore_operands()
            self._note_state()

    def _run(self, clock: Any) -> None:
        self.progress(force=True)
        for v in self.variants:
            self.current, self.phase, self.size = v.name, "check", None
            self.progress(force=True)
            if v.fn is not None:
                self._check(v, self.pairs[None])
            self.checked.add(id(v))
        self._check_sweep()
        self.current, self.phase = None, "sweep" if self.sweep_sizes else "time"
        self.progress(force=True)
        watch = Watch(clock, self)
        Race(self.all_tasks(), watch, self.plan, self.deadline(), self.seed, self.progress).run()
        self.from_checks()  # before the last progress report
        self._say_unmeasured_sizes()
        for task in watch.stopped:
            task.error = None  # the race stopped it with an error; the note says why
        self.current, self.phase = None, "done"
        self.progress(force=True)

    def from_checks(self) -> None:
        """A main row the race gave no block (its slices too long for what the budget left, or
        the run interrupted) keeps what its check measured: the best of its calls on each
        slice, so its median's precision is unknown (noisy), and its note says so (and that
        the check ran on one thread, where the race did not)."""
        for task in (ts[0] for ts in self.tasks.values() if ts and ts[0].timed):
            empty = [p for p in task.probes if not p.times]
            for probe in empty:
                probe.number, probe.times, probe.rounds = 1, [task.ladder_seconds(probe)], [-1]
            if empty:
                threads = self.env.threads or 1
                one = " (on one thread)" if self.dev.type == "cpu" and threads > 1 else ""
                why = (
                    f"timed by its check's calls alone{one}: the race ended before its first block"
                )
                task.note = f"{task.note}; {why}" if task.note else why

    def one_off(self) -> float:
        """One-off costs found so far: measured, reported, and not charged to the budget."""
        return sum(t.one_off for t in self.all_tasks())

    def all_tasks(self) -> list[Task]:
        return [t for ts in self.tasks.values() for t in ts]

    def deadline(self, checks: bool = False) -> float:
        return self.plan.deadline(self.one_off(), checks)

    def _check(self, v: Variant, pair: Pair, size: int | None = None) -> Task:
        """``v`` checked on ``pair``'s copies; its global settings and its inputs put back."""
        task = Task(v, pair.a, pair.b, size=size, sources=pair.sources)
        self.tasks[id(v)].append(task)
        check(task, self.plan, self.deadline(checks=True))
        self._undo_state(v)
        changes = {**task.written, **pair.changes()}
        if changes:  # it wrote into its operands: its row is not trusted; fresh copies for all
            task.distrust(written_note(changes), changes)
            self.renew(pair)
        return task

    def _check_sweep(self) -> None:
        """Every size in turn, smallest first, for each variant that passed on the main
        operands; sizes the checks' share of the budget cannot reach are said so."""
        swept = [v for v in self.variants if self.tasks[id(v)] and self.tasks[id(v)][0].timed]
        count = len(self.sweep_sizes)
        reached: int | None = None  # sizes measured, once one was not: the rest are not
        note, cause = "", "budget"
        for i, size in enumerate(self.sweep_sizes):
            if reached is None and time.perf_counter() >= self.deadline(checks=True):
                reached, note = i, self._unreached(i, count)
            if reached is None:
                try:
                    with operands_fit(self.dev):
                        operands = sweep_operands(size, self.seed, self.dev, self.dt)
                        pair = self.pairs.setdefault(size, Pair(*operands))
                except ValueError as error:  # free memory, not the total the sizes were held to
                    reached, note, cause = i, f"not measured: {error}", "memory"
            if reached is not None:
                for v in swept:  # not reached: no operands made for it
                    self.tasks[id(v)].append(self._unmeasured(v, size, note, cause))
                if cause == "memory":  # what a larger size, never tried, is told
                    unfit = self.sweep_sizes[reached]
                    note = f"not measured: size {unfit}'s operands did not fit in memory"
                continue
            self.phase, self.size = "sweep", size
            self.progress()
            for v in swept:
                main = self.tasks[id(v)][0]
                if main.written:
                    continue  # it wrote into its inputs at a smaller size: not trusted
                if time.perf_counter() >= self.deadline(checks=True):
                    self.tasks[id(v)].append(self._unmeasured(v, size, self._unreached(i, count)))
                    continue
                task = self._check(v, pair, size)
                if task.written:
                    main.distrust(written_note(task.written), task.written)  # the same function
            if self._starves_the_race():  # checked, but the race could not time it: said so
                reached, note = i, self._unreached(i, count)
                for v in swept:
                    if self.tasks[id(v)][-1].size == size:
                        self.tasks[id(v)][-1].not_measured(note)

    def _unmeasured(self, v: Variant, size: int, note: str, cause: str = "budget") -> Task:
        """``v``'s task at a sweep size it is not timed at: shapes only (meta tensors)."""
        shape = torch.empty(size, size, device="meta")
        return Task(v, shape, shape, size=size, note=note, left_out=cause)

    def _say_unmeasured_sizes(self) -> None:
        """A sweep size checked but left without a block (the rounds ran out sooner than
        ``_starves_the_race`` foresaw: a first run's warm-up, a busy machine) says so, and
        is not counted as swept."""
        for tasks in self.tasks.values():
            for task in tasks[1:]:
                if task.timed and not all(p.times for p in task.probes):
                    task.not_measured(
                        "not measured: the budget was spent before the race reached this "
                        "size (a larger one would reach it)"
                    )

    def _starves_the_race(self) -> bool:
        """Whether the rounds left before the deadline are too few to give every probe
        checked so far its first blocks (a warm-up round, then ``plan.FLOOR_BLOCKS``): a
        sweep that checked sizes the race could not time gave them no median at all (at
        budget=3, 17 of 20 sizes checked, none timed)."""
        round_cost = sum(
            max(p.per_call, self.plan.block_seconds) for t in self.all_tasks() for p in t.probes
        )
        left = self.deadline() - time.perf_counter()
        return (plan.FLOOR_BLOCKS + 1) * round_cost > left

    def _unreached(self, reached: int, sizes: int) -> str:
        if not reached:
            return (
                "not measured: the budget was spent before the sweep began (a larger one "
                "would reach it)"
            )
        spent = time.perf_counter() - self.started - self.one_off()
        need = self.plan.budget_to_reach(sizes, reached, spent)
        return (
            f"not measured: the budget was spent on the {reached} smaller "
            f"size{'s' if reached != 1 else ''} (budget={format_plain(need, 2)} or more "
            f"would reach all {sizes})"
        )

    def renew(self, pair: Pair) -> None:
        """Fresh working copies of ``pair`` for every task that used it."""
        old = pair.working
        pair.renew()
        for task in self.all_tasks():
            if task.a is old[0] or task.b is old[1]:
                task.a, task.b = pair.working
                for probe in task.probes:
                    probe._args = None  # made again from the fresh copies

    def _undo_state(self, v: Variant) -> None:
        """Put back the global settings and random generators ``v`` changed."""
        assert self.state is not None
        changed = self.state.undo()
        if self.state.undo_seeds():
            changed.append("the random generators' state (a seed or draws)")
        self.record_state(v, changed)

    def record_state(self, v: Variant, changed: list[str]) -> None:
        seen = self.changed_state.setdefault(id(v), [])
        seen.extend(c for c in changed if c not in seen)

    def _note_state(self) -> None:
        """Each row whose function changed global settings says which, once, at the end."""
        for v in self.variants:
            seen = self.changed_state.pop(id(v), None)
            main = self.tasks[id(v)][0] if self.tasks[id(v)] else None
            if seen and main is not None and not main.written:
                words = changed_words(seen)
                main.note = words if not main.note else f"{main.note}; {words}"

    def restore_operands(self) -> None:
        """Working copies made again where a function changed them; global settings put back."""
        for pair in self.pairs.values():
            if pair.changes():
                self.renew(pair)
        if self.state is not None:
            self.state.undo()
            self.state.undo_seeds()

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
                budget=self.plan.budget,
                device=str(self.dev),
                dtype=devices.dtype_name(self.dt),
            )
        )

    def rows(self, final: bool = False) -> list[BenchRow]:
        """A row for every checked variant; while running, only those with figures to show."""
        rows, per_round = [], {}
        loads = round_loads([ts[0] for ts in self.tasks.values() if ts and ts[0].timed])
        for v in self.variants:
            if id(v) not in self.checked:
                continue
            tasks = self.tasks[id(v)]
            main = tasks[0] if tasks else None
            est = estimate(main, loads.get(id(main))) if main is not None else None
            if not final and est is None and main is not None and main.timed:
                continue  # checked, waiting for the race
            rows.append(row_for(v, main, est, tasks[1:], self.plan.threshold, self.env.threads))
            if est is not None:
                per_round[v.name] = est.per_round
        m, k, n = self.a.shape[0], self.a.shape[1], self.b.shape[1]
        return with_speedups(rows, per_round, self.baseline, 2 * m * k * n, self.env.peak_gflops)


class Distrusted(Exception):
    """Raised by :class:`Watch` to stop a task whose function changed its inputs mid-race,
    or whose answers the audit found are not computed from its operands."""


class Watch:
    """The race's clock, with a look after every block at what its function changed.

    Outside the timed region, after each block of a function that is not one of the
    lesson's steps: the block's arguments are compared with the sources (layout and values;
    a few microseconds for the lesson's operands, far less than a block), and torch's global
    settings put back. A function that wrote into its inputs stops there:
    its row is marked, and every other row's next call gets fresh copies. A few of a user's
    blocks are followed by an :class:`~.audit.Audit` of its answers (a cached or stored
    result is not timed as the product).
    """

    def __init__(self, clock: Any, run: Run) -> None:
        self.clock = clock
        self.run = run
        self.overhead = getattr(clock, "overhead", 0.0)
        self.stopped: list[Task] = []  # tasks the watch stopped (their note says why)
        self.audit = Audit(run.plan.block_seconds, run.seed)
        self._seen: dict[int, tuple[tuple[Any, ...], Probe, ArgsGuard | None]] = {}

    def __call__(self, fn: Any, args: tuple[Any, ...], number: int) -> float:
        found = self._probe(args)  # its layout is taken before its first call
        elapsed = self.clock(fn, args, number)
        if found is not None:
            probe, task = found[0], found[0].task
            pair = self.run.pairs[task.size]  # made when the task was checked
            distrust, audited = None, self.audit.due(probe, elapsed / max(number, 1))
            try:
                if audited:
                    refs = pair.slices(probe.rows, probe.cols, probe.depth)
                    distrust = self.audit.check(fn, args, refs)
            finally:
                self._look(args, *found)  # what the audit's calls changed too
            if audited:  # its own writes, put back (the look compared the values)
                found[1].accept()
            if distrust is not None:  # its answers are wrong: the row is, and it races no further
                task.distrust(distrust)
                self.stopped.append(task)
                raise Distrusted(distrust)
        return elapsed

    def _probe(self, args: tuple[Any, ...]) -> tuple[Probe, ArgsGuard] | None:
        """The probe these arguments belong to and their guard; ``None`` for a course
        step's: the lesson's own functions write into no input and change no setting, and
        the look after each of their blocks (0.2-0.4 ms, 10 % of a 1 s run's race) went to
        the rows' blocks instead."""
        seen = self._seen.get(id(args))
        if seen is None or seen[0] is not args:
            tasks = self.run.all_tasks()
            probe = next((p for t in tasks for p in t.probes if p._args is args), None)
            if probe is None:
                return None
            watched = probe.task.variant.kind != "course"
            seen = self._seen[id(args)] = (args, probe, ArgsGuard(args) if watched else None)
        if seen[2] is None:
            return None
        return seen[1], seen[2]

    def _look(self, args: tuple[Any, ...], probe: Probe, guard: ArgsGuard) -> None:
        task = probe.task
        if self.run.state is not None:
            self.run.record_state(task.variant, self.run.state.undo())
        pair = self.run.pairs[task.size]
        on = (
            None if probe.whole else slice_text(probe.rows, probe.cols, task.m, task.n, probe.depth)
        )
        refs = pair.slices(probe.rows, probe.cols, probe.depth)
        changes = guard.changes(on, refs)
        for name, t, ref in zip("ab", args, refs, strict=True):
            if name not in changes and not same_values(t, ref):
                changes[name] = "its values" if on is None else f"its values, called on {on}"
        if changes:
            probe._args = None
            task.distrust(written_note(changes), changes)
            self.stopped.append(task)
            if pair.changes():
                self.run.renew(pair)
                self._seen.clear()  # the other probes' arguments are made again
            raise Distrusted(task.note)
