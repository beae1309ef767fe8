"""From a task's timed blocks to the figures of its row: the full call's time and its trust.

A task timed on the full product reports its blocks as they are. A task timed on two slices
reports ``fixed + per_output × outputs``, the line through the two slices' medians: a fixed
per-call cost (a sleep, a launch, a Python preamble) is then counted once, never multiplied by
the slice factor. The fit is checked against the slices the ladder measured but the race did
not use (relative to the big slice, since the ladder ran on one thread); when it misses one
of them by more than ``plan.UNRELIABLE_FIT`` the row is marked ``unreliable``. A course step
whose cost is per output (``Variant.per_output``) is timed on one slice, scaled by the
outputs, and checked the same way against the ladder's other slices; one whose cost is per
multiply-add (``Variant.per_term``) on one output's first terms, scaled by the terms and
checked against the whole outputs the ladder called.

A main row's blocks are first divided by their round's load (``round_loads``), read from
the other rows in that round: under load that comes and goes the blocks are bimodal (30 µs
in a quiet round, 60 µs in a loaded one), and a raw median falls anywhere in the gap, where
two identical functions read 15 % apart. So a row's median, interval and IQR are of its time
at the run's typical load (its minimum stays the fastest block measured), and speedups
compare rows at the same load.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..bench_result.views.format import format_count, format_number, format_percent, format_time
from . import plan
from .task import Probe, Task, slice_text
from .timing import Measurement

_CHECK_POINT_MIN = 2e-4
"""Ladder calls shorter than this are too noisy to test a fit with."""


@dataclass(frozen=True)
class Estimate:
    measurement: Measurement  # per-call times of the full product (scaled when extrapolated)
    per_round: dict[int, float] = field(default_factory=dict)
    blocks: int = 0
    calls: int = 0
    unreliable: bool = False
    how: str | None = None  # how an extrapolation was made, for the note
    stalls: int = 0
    unconfirmed: bool = False  # a two-slice fit with no third slice to check it against
    fastest: float | None = None  # the fastest block as measured (load not divided out)


def _stalls(times: list[float]) -> int:
    if len(times) < 3:
        return 0
    median = Measurement(tuple(times)).median
    return sum(1 for t in times if t > plan.STALL_FACTOR * median)


MIN_OTHERS = 3
"""A round's load is read from at least this many other rows' blocks in it, else not at all."""


def round_loads(tasks: Sequence[Task]) -> dict[int, dict[int, float]]:
    """Each task's (by ``id``) load in each round, as the *other* tasks saw it: the median
    over them of their blocks' time ÷ their probe's median in that round (1 in a typical
    round, 2 when every other row ran twice as slow). Rounds are interleaved, so load that
    comes and goes lands on every row of a round alike: dividing it out leaves each row its
    own time (a randomized complete block design). A task's own blocks never judge its load,
    so its own stalls and spread stay in its figures."""
    ratios = []  # per task: round -> the median of its blocks' ratios to their probe's median
    for task in tasks:
        seen: dict[int, list[float]] = {}
        for probe in (p for p in task.probes if len(p.times) >= plan.FLOOR_BLOCKS):
            median = statistics.median(probe.times)
            for r, t in zip(probe.rounds, probe.times, strict=True):
                if 0 < t < math.inf and 0 < median < math.inf:  # a clock that read 0, or NaN,
                    seen.setdefault(r, []).append(t / median)  # judges no load
        ratios.append(
            {r: qs[0] if len(qs) == 1 else statistics.median(qs) for r, qs in seen.items()}
        )
    by_round: dict[int, list[tuple[float, int]]] = {}  # each round's ratios, sorted, by task
    for i, seen in enumerate(ratios):
        for r, q in seen.items():
            by_round.setdefault(r, []).append((q, i))
    for entries in by_round.values():
        entries.sort()
    rank = {r: {i: k for k, (_, i) in enumerate(e)} for r, e in by_round.items()}
    values = {r: [q for q, _ in e] for r, e in by_round.items()}
    loads = {}
    for i, task in enumerate(tasks):
        rounds = {r for p in task.probes for r in p.rounds} & values.keys()
        skips = {r: rank[r].get(i) for r in rounds}  # its own ratio is left out, if it has one
        loads[id(task)] = {
            r: _median_without(values[r], skip)
            for r, skip in skips.items()
            if len(values[r]) - (skip is not None) >= MIN_OTHERS
        }
    return loads


def _median_without(values: list[float], skip: int | None) -> float:
    """The median of the sorted ``values`` less the one at index ``skip`` (none if ``None``):
    a row's load in a round from all the others' ratios, sorted once per round."""
    n = len(values) - (skip is not None)

    def at(k: int) -> float:
        return values[k + (skip is not None and k >= skip)]

    return at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2


def estimate(task: Task, load: dict[int, float] | None = None) -> Estimate | None:
    """The task's figures, or ``None`` when it has no timed block; with ``load``
    (``round_loads``), each block is divided by its round's load first."""
    probes = [p for p in task.probes if p.times]
    if len(probes) != len(task.probes) or not probes:
        return None
    main = probes[-1]
    measured = Measurement(_unloaded(main, load), main.number)  # median, interval, IQR
    factor, how, unreliable, unconfirmed = 1.0, None, False, False
    if task.extrapolated and task.variant.per_output:
        factor, how, unreliable, unconfirmed = _scale(task)
    elif task.extrapolated:
        factor, how, unreliable, unconfirmed = _fit(task, probes[0], measured.median, load)
    return Estimate(
        measured.scaled(factor),
        {r: t * factor for r, t in zip(main.rounds, main.times, strict=True)},
        blocks=sum(len(p.times) for p in probes),
        calls=sum(len(p.times) * p.number for p in probes),
        unreliable=unreliable,
        how=how,
        stalls=sum(_stalls(p.times) for p in probes),
        unconfirmed=unconfirmed,
        fastest=min(main.times) * factor,
    )


UNCONFIRMED_WORDS = "estimate, unconfirmed: no third slice was measured to check the fit"


def _unloaded(probe: Probe, load: dict[int, float] | None) -> tuple[float, ...]:
    """The probe's blocks with their rounds' load divided out, as far as this row feels it:
    the load raised to how much slower its own blocks ran in the more loaded half of its
    rounds than in the less loaded half (on log scales, medians, clipped to 0..1), so a row
    that a load on the others' shared resource never touched is left as measured."""
    load = {r: q for r, q in (load or {}).items() if 0 < q < math.inf}
    blocks = zip(probe.rounds, probe.times, strict=True)
    pairs = sorted((math.log(load[r]), math.log(t)) for r, t in blocks if r in load and t > 0)
    half = len(pairs) // 2
    if half < plan.FLOOR_BLOCKS:
        return tuple(probe.times)
    low, high = pairs[:half], pairs[-half:]
    dx = statistics.median(x for x, _ in high) - statistics.median(x for x, _ in low)
    dy = statistics.median(y for _, y in high) - statistics.median(y for _, y in low)
    feels = min(max(dy / dx, 0.0), 1.0) if dx > 0 else 0.0
    return tuple(
        t / load.get(r, 1.0) ** feels for r, t in zip(probe.rounds, probe.times, strict=True)
    )


def _scale(task: Task) -> tuple[float, str, bool, bool]:
    """The factor from the timed slice to the full call of a step whose cost is per output
    (the outputs' ratio), or per multiply-add when the slice is of one output's first terms
    (the terms' ratio); its words, whether a slice the ladder measured contradicts it, and
    whether a slice of terms had no whole output to check it against (unconfirmed)."""
    probe = task.probes[-1]
    factor = task.terms / probe.terms
    timed = task.ladder_seconds(probe)
    k = task.k
    calls = [(r * c * k, s) for r, c, s in task.points if (r, c, None) != probe.shape]
    # (a call on a few terms, well under a millisecond, is too noisy to judge it by: the
    # 16 terms' 0.45 ms flagged right estimates in 2 of 12 runs)
    calls += [(d, s) for d, s in task.depth_checks if s >= plan.MIN_SLICE_SECONDS]
    misses = [
        abs(terms / probe.terms - s / timed) / (s / timed)
        for terms, s in calls
        if s >= _CHECK_POINT_MIN and timed > 0
    ]
    unreliable = bool(misses) and max(misses) > plan.UNRELIABLE_FIT
    where = slice_text(probe.rows, probe.cols, task.m, task.n, probe.depth)
    if probe.depth is None:
        count = format_count(factor) if factor.is_integer() else format_number(factor)
        how = f"estimated as {count} × its time on {where}: a Python loop over the outputs"
        how += ", whose cost is per output"
    else:
        how = (
            f"estimated from its time on {where} ({format_count(probe.terms)} of "
            f"{format_count(task.terms)} multiply-adds), scaled by the multiply-adds: a Python "
            "loop over them, whose cost is per multiply-add"
        )
    if unreliable:
        miss = format_percent(100 * max(misses))
        how += f" (estimate, unreliable: that misses a measured slice by {miss})"
    unconfirmed = not misses and probe.depth is not None
    if not unreliable and unconfirmed:
        how += " (estimate, unconfirmed: no whole output was timed to check it)"
    return factor, how, unreliable, unconfirmed


def _fit(
    task: Task, small: Probe, t1: float, load: dict[int, float] | None = None
) -> tuple[float, str, bool, bool]:
    """The factor from the big slice's median ``t1`` to the full call's, through the line
    through the two slices' medians; its words, and whether it is unreliable or unconfirmed."""
    big_probe = task.probes[-1]
    o0, o1, total = small.outputs, big_probe.outputs, task.outputs
    t0 = Measurement(_unloaded(small, load)).median
    per_output = max(t1 - t0, 0.0) / (o1 - o0)
    fixed = t1 - per_output * o1
    if fixed < 0:
        fixed, per_output = 0.0, t1 / o1
    full = fixed + per_output * total
    # The ladder ran single-threaded and the race did not, so the fit is checked on the
    # shape of the cost curve: each earlier slice's time relative to the timed big slice's.
    big = task.points[-1][2]
    misses = [
        abs((fixed + per_output * r * c) / t1 - s / big) / (s / big)
        for r, c, s in task.points[:-2]
        if s >= _CHECK_POINT_MIN and big > 0 and t1 > 0
    ]
    unreliable = bool(misses) and max(misses) > plan.UNRELIABLE_FIT
    # A line through two slices always fits them: with no third slice (long enough to test
    # it, _CHECK_POINT_MIN) the fit is unconfirmed, which the row's note says.
    unconfirmed = not misses
    how = (
        f"estimated from {slice_text(small.rows, small.cols, task.m, task.n)} and "
        f"{slice_text(big_probe.rows, big_probe.cols, task.m, task.n)}: {format_time(fixed)} "
        f"fixed + {format_time(per_output)} per output"
    )
    if unreliable:
        miss = format_percent(100 * max(misses))
        how += f" (estimate, unreliable: the fit misses a measured slice by {miss})"
    elif unconfirmed:
        how += f" ({UNCONFIRMED_WORDS})"
    return full / t1 if t1 > 0 else 1.0, how, unreliable, unconfirmed
