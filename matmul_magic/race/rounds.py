"""The interleaved race: every checked task timed in rounds, in a fresh random order each time.

Each round takes one block of every probe still running, shuffled, so load that comes and
goes (another process, a browser tab, thermal throttling) lands on every row alike instead of
on whichever row happened to be running: Google Benchmark's random interleaving, within one
run. The first round is a warm-up whose blocks are thrown away.

Blocks are sized so that load cannot fool them: a call only ever gets slower under load, so
a probe's first size comes from the faster of its check's and its warm-up's per-call time,
and it is sized again from the median of its blocks whenever that median says a block is
more than twice too long or too short (a stalled warm-up would otherwise leave a 10 µs
function timed one call per block).

Every task takes part in every round until the deadline (the budget is a promise: a block
starts only when it should end by then) or the block cap, so
rows are timed over the same rounds (load that comes and goes cannot favour a row that
happened to stop early), a slow row gets at least as many blocks as a fast one, and a larger
budget always buys more calls.
While expensive tasks (a round of one costs more than two fast blocks) run, each cheap probe
takes several blocks per round, shuffled among the others, so that the cheap rows together
get about the time the expensive ones take. An expensive sweep point stops as soon as its
median is known to the threshold (``Measurement.meets``), leaving its time to the other
sizes; the main rows all race to the deadline, so that they share every round. Before
the deadline nothing stops a task until each of its probes has ``plan.FLOOR_BLOCKS`` blocks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import plan
from .bench_operands import is_oom, release_memory
from .errors import ACTIVE, row_error
from .task import Probe, Task
from .timing import Measurement

MAX_CHEAP_REPS = 16
"""The most blocks a cheap probe takes in one round."""

RESIZE_FACTOR = 2.0
"""A probe's block is sized again once its median says it is this many times off target."""

SLOWDOWN = 1.5
"""A block starts only if it would end by the deadline even this many times slower than its
probe's recent blocks: this VM's speed swings by up to 1.7× from one moment to the next, and
a 15 ms loops block that took 23 ms ended a 0.05 s run 8 ms late."""


class Race:
    def __init__(
        self,
        tasks: Sequence[Task],
        clock: Any,
        the_plan: plan.Plan,
        deadline: float,
        seed: int = 0,
        on_round: Callable[[], None] | None = None,
    ) -> None:
        self.tasks = [t for t in tasks if t.timed]
        self.clock = clock
        self.plan = the_plan
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.on_round = on_round
        self.rounds = 0
        self.overhead = getattr(clock, "overhead", 0.0)

    def run(self) -> None:
        for probe in self._probes():
            probe.number = self._calls(probe.per_call)
        if self.deadline - time.perf_counter() > self.plan.warmup_seconds:
            self._round(warmup=True)  # its blocks only size the next ones
            for probe in self._probes():
                probe.number = self._calls(probe.per_call)
        while any(not t.done for t in self.tasks):
            self._retire(late=not self._round())
            self._resize()
            if self.on_round is not None:
                self.on_round()

    def _calls(self, per_call: float) -> int:
        return self.plan.calls_per_block(per_call, self.overhead)

    def _probes(self) -> list[Probe]:
        return [p for t in self.tasks if not t.done for p in t.probes]

    def _round(self, warmup: bool = False) -> int:
        """One round (or the warm-up); how many blocks it ran."""
        probes = self._probes()
        if warmup:  # a slow probe's check calls warmed it, and its block would eat the budget
            probes = [p for p in probes if p.per_call * p.number <= self.plan.block_seconds * 2]
        else:
            reps = self._cheap_reps()
            probes = [p for p in probes for _ in range(reps if self._cheap(p.task) else 1)]
        self.rng.shuffle(probes)
        ran = 0
        for probe in probes:
            task = probe.task
            if task.done:
                continue  # failed earlier in this round
            if not warmup and not self._in_time(probe):
                continue
            try:
                elapsed = self.clock(task.variant.fn, probe.args(), probe.number)
            except BaseException as exc:  # noqa: BLE001 - a user's SystemExit is a row error
                ACTIVE.reraise_if_user(exc)
                task.fail(row_error(exc))
                if is_oom(exc):
                    release_memory()
                continue
            ran += 1
            if warmup:
                probe.per_call = min(probe.per_call, elapsed / probe.number)
            else:
                probe.times.append(elapsed / probe.number)
                probe.rounds.append(self.rounds)
        if not warmup:
            self.rounds += 1
        return ran

    def _retire(self, late: bool = False) -> None:
        """Tasks done: all of them past the deadline (or when no block fit before it)."""
        running = [t for t in self.tasks if not t.done]
        late = late or time.perf_counter() >= self.deadline
        for task in running:
            blocks = [len(p.times) for p in task.probes]
            if late:
                # Whatever it has (a row with too few blocks is noisy; a main row with no
                # block keeps its check's time, ``Run.from_checks``).
                task.done = True
            elif min(blocks) < plan.FLOOR_BLOCKS:
                continue
            elif max(blocks) >= plan.MAX_BLOCKS:
                task.done = True
            elif task.size is not None and not self._cheap(task) and self._precise(task):
                # An expensive sweep point stops once precise, leaving its time to the other
                # sizes. The main rows all race to the end: timed over the same rounds, a
                # drift of the machine's speed cancels in their speedups (a loops row that
                # stopped early was timed on another machine, in effect, than torch).
                task.done = True

    def _in_time(self, probe: Probe) -> bool:
        """Whether a block starts: it is predicted to end by the deadline even ``SLOWDOWN``
        times slower than its recent blocks (a 26 ms loops block started just before a 0.1 s
        run's deadline ended it 21 ms late; a fast block's length past the deadline, once
        allowed, ran 0.05 s runs 3 % over). Past the
        deadline none does, not even a row's first: the row keeps its check's time (a late
        block for each of six rows took a 0.05 s run whose checks had spent the budget to
        1.1-1.2x it)."""
        now = time.perf_counter()
        if now >= self.deadline:
            return False
        per_call = probe.per_call  # or as slow as its recent blocks, once _resize reads them
        if len(probe.times) >= plan.FLOOR_BLOCKS:
            per_call = max(per_call, Measurement(tuple(probe.times[-9:])).median)
        end = now + SLOWDOWN * per_call * probe.number
        return end <= self.deadline

    def _cheap(self, task: Task) -> bool:
        return self._round_cost(task) <= 2 * self.plan.block_seconds

    def _cheap_reps(self) -> int:
        """Blocks each cheap probe takes in a round while expensive rows run: about as much
        time for the cheap rows together as the expensive ones take, so a 40 ms loops row
        does not leave a 10 µs row with one 2 ms block per 50 ms round. Once every cheap
        row's median is known to the threshold, one block each: more rounds, so more blocks,
        for the slow rows whose medians are not; once every expensive row's is (and a cheap
        one's is not), twice that share: the time goes where the target is still missed, and
        the slow rows keep a third of it (a precise loops row's 7 blocks say little yet)."""
        running = [t for t in self.tasks if not t.done and all(p.times for p in t.probes)]
        expensive = [t for t in running if not self._cheap(t)]
        cheap = [t for t in running if self._cheap(t)]
        if not expensive or not cheap or all(self._precise(t) for t in cheap):
            return 1  # (once every cheap row is known well, the rounds go to the slow rows)
        share = sum(self._round_cost(t) for t in expensive) / (len(cheap) * self.plan.block_seconds)
        if all(self._precise(t) for t in expensive):
            share *= 2
        return max(1, min(MAX_CHEAP_REPS, int(share)))

    def _resize(self) -> None:
        """Blocks sized again from what they measured, once a few say the size is off."""
        for probe in self._probes():
            if len(probe.times) < plan.FLOOR_BLOCKS:
                continue
            recent = Measurement(tuple(probe.times[-9:])).median
            wanted = self._calls(recent)
            if wanted > RESIZE_FACTOR * probe.number or wanted * RESIZE_FACTOR < probe.number:
                probe.number = wanted

    def _precise(self, task: Task) -> bool:
        main = task.probes[-1]
        return len(main.times) >= self.plan.min_blocks and Measurement(tuple(main.times)).meets(
            self.plan.threshold
        )

    @staticmethod
    def _round_cost(task: Task) -> float:
        return sum(p.times[-1] * p.number for p in task.probes if p.times)
