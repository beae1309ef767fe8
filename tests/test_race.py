"""The interleaved race's rules, driven by a scripted clock (no timing is asserted)."""

from __future__ import annotations

import itertools
import time

import pytest
import torch

from matmul_magic.race import estimate, plan, rounds
from matmul_magic.race.rounds import Race
from matmul_magic.race.task import Probe, Task
from matmul_magic.race.variants import Variant


class ScriptedClock:
    """Per-call times from a script per function, instead of reading a clock."""

    overhead = 0.0

    def __init__(self, scripts):
        self.scripts = {fn: itertools.cycle(times) for fn, times in scripts.items()}
        self.log: list[tuple[object, int]] = []

    def __call__(self, fn, args, number):
        self.log.append((fn, number))
        return next(self.scripts[fn]) * number


def make_task(fn, per_call=1e-6, name=None):
    task = Task(Variant(name or fn.__name__, "user", fn), torch.ones(2, 3), torch.ones(3, 2))
    task.correct = True
    task.probes = [Probe(task, 2, 2, per_call)]
    return task


def steady(a, b):
    return a @ b


def noisy(a, b):
    return a @ b


def race(tasks, clock, budget=1.0, seconds=60.0, threshold=0.05):
    r = Race(tasks, clock, plan.Plan.for_run(budget, threshold), time.perf_counter() + seconds)
    r.run()
    return r


class SleepingClock(ScriptedClock):
    """A scripted clock whose blocks also take their time, so a deadline means something."""

    def __call__(self, fn, args, number):
        seconds = super().__call__(fn, args, number)
        time.sleep(seconds)
        return seconds


def test_cheap_rows_sample_to_the_end_so_more_budget_means_more_blocks():
    blocks = []
    for seconds in (0.1, 0.3):
        tasks = [make_task(steady, per_call=1e-3), make_task(noisy, per_call=1e-3)]
        clock = SleepingClock({steady: [1e-3], noisy: [1e-3]})  # precise from the start
        race(tasks, clock, seconds=seconds)
        first, second = (t.probes[0] for t in tasks)
        # timed over the same rounds (the deadline may cut the last one short)
        common = min(len(first.rounds), len(second.rounds))
        assert first.rounds[:common] == second.rounds[:common]
        assert abs(len(first.rounds) - len(second.rounds)) <= 1
        blocks.append(len(first.times))
    assert plan.min_blocks(1.0) < blocks[0] < blocks[1]


def test_fast_functions_are_timed_in_blocks_after_a_warmup_round_thrown_away():
    task = make_task(steady)
    clock = ScriptedClock({steady: [1e-6]})
    race([task], clock)
    probe = task.probes[0]
    assert probe.number > 1 and probe.number * 1e-6 >= plan.block_seconds(1.0)
    assert len(clock.log) == len(probe.times) + 1  # one warm-up block


def test_an_expensive_precise_sweep_point_stops_without_waiting():
    slow, loud = make_task(steady, per_call=0.5), make_task(noisy)
    slow.size = 64  # a sweep point: its time goes to the other sizes once it is precise
    clock = ScriptedClock({steady: [0.5], noisy: [1e-3, 3e-3, 2e-3]})
    race([slow, loud], clock, seconds=1e6)
    assert len(slow.probes[0].times) == plan.min_blocks(1.0)


def test_an_expensive_precise_main_row_races_to_the_end_beside_the_others():
    slow, loud = make_task(steady, per_call=0.5), make_task(noisy)
    clock = ScriptedClock({steady: [0.5], noisy: [1e-3, 3e-3, 2e-3]})
    race([slow, loud], clock, seconds=1e6)
    assert len(slow.probes[0].times) == plan.MAX_BLOCKS  # shared every round, to the cap


def test_past_the_deadline_no_block_starts_not_even_a_rows_first():
    """The row keeps its check's time instead (``Run.from_checks``): a short first block for
    each of six rows took a 0.05 s run whose checks had spent the budget to 1.1-1.2x it."""
    for per_call in (1e-6, 0.025):
        task = make_task(noisy, per_call=per_call)
        clock = ScriptedClock({noisy: [per_call]})
        Race([task], clock, plan.Plan.for_run(0.2, variants=6, sizes=20), time.perf_counter()).run()
        assert task.probes[0].times == [] and clock.log == [] and task.done


def test_no_row_stops_before_its_floor_of_blocks_or_after_the_cap():
    task = make_task(noisy, per_call=1e-3)
    clock = ScriptedClock({noisy: [1e-3, 2e-3, 4e-3]})
    r = Race([task], clock, plan.Plan.for_run(1.0), time.perf_counter() + 60)
    task.probes[0].times = [1e-3] * (plan.FLOOR_BLOCKS - 1)
    r._retire()
    assert not task.done
    task.probes[0].times = [1e-3, 2e-3] * (plan.MAX_BLOCKS // 2)
    r._retire()
    assert task.done


def test_a_slow_row_races_in_every_round_and_cheap_rows_take_several_blocks_per_round():
    slow, fast = make_task(noisy, per_call=0.02), make_task(steady, per_call=1e-3)
    # neither is ever precise (a median between two values, whatever the blocks)
    clock = ScriptedClock({noisy: [0.02, 0.03, 0.01, 0.05], steady: [1e-3, 2e-3, 5e-4, 3e-3]})
    race([slow, fast], clock, seconds=0.5)  # the caps end it: a GC pause must not
    slow_rounds, fast_rounds = slow.probes[0].rounds, fast.probes[0].rounds
    assert len(slow_rounds) >= plan.FLOOR_BLOCKS
    # both were in every round until the fast one reached its cap of blocks
    assert {r for r in slow_rounds if r <= max(fast_rounds)} == set(fast_rounds)
    # while the slow row runs, the fast one gets about its time: several blocks a round
    shared = [r for r in slow_rounds if r <= max(fast_rounds)]
    assert len(fast_rounds) > 2 * len(shared)
    assert max(fast_rounds.count(r) for r in set(fast_rounds)) <= rounds.MAX_CHEAP_REPS


def test_once_the_cheap_rows_are_precise_the_rounds_go_to_the_slow_row():
    slow, fast = make_task(noisy, per_call=0.02), make_task(steady, per_call=1e-3)
    clock = ScriptedClock({noisy: [0.02, 0.03, 0.01, 0.05], steady: [1e-3]})  # fast: precise
    race([slow, fast], clock, seconds=10.0)  # (the fast row's cap of blocks ends it sooner)
    fast_rounds = fast.probes[0].rounds
    late = [r for r in fast_rounds if r >= plan.FLOOR_BLOCKS + plan.min_blocks(1.0)]
    assert late and all(fast_rounds.count(r) == 1 for r in late)  # one block a round
    slow_rounds = slow.probes[0].rounds  # both in every round, until the fast row's cap
    assert {r for r in slow_rounds if r <= max(fast_rounds)} == set(fast_rounds)


def test_once_the_slow_row_is_precise_the_cheap_rows_take_twice_their_share_a_round():
    """The time goes where the target is still missed: a precise 10 ms loops row leaves a
    noisy cheap row (2 ms blocks) 10 blocks a round, where the even split gave it 5."""
    slow, fast = make_task(steady, per_call=0.01), make_task(noisy, per_call=1e-3)
    clock = ScriptedClock({steady: [0.01], noisy: [1e-3, 3e-3, 5e-4, 2e-3]})  # never precise
    race([slow, fast], clock, seconds=10.0)  # (the fast row's cap of blocks ends it)
    fast_rounds = fast.probes[0].rounds
    counts = {r: fast_rounds.count(r) for r in set(fast_rounds)}  # its blocks in each round
    # (a round whose last noisy block was long counts the row as expensive, one block)
    assert max(c for r, c in counts.items() if r < plan.min_blocks(1.0) - 1) == 5
    assert max(c for r, c in counts.items() if r >= plan.min_blocks(1.0)) == 10


def test_a_stalled_warmup_does_not_make_blocks_of_one_call():
    """Load only ever slows a call: the block size comes from the faster estimate, so a
    10 µs function whose warm-up block stalled is still timed in blocks of many calls."""
    task = make_task(steady, per_call=10e-6)
    clock = ScriptedClock({steady: [5e-3] + [10e-6] * 10_000})  # the warm-up stalled 500×
    race([task], clock, seconds=0.05)
    probe = task.probes[0]
    assert probe.number * 10e-6 >= plan.block_seconds(1.0) * 0.99
    assert all(n > 1 for _, n in clock.log)


def test_blocks_are_sized_again_when_they_measure_far_off_target():
    task = make_task(steady, per_call=1e-6)  # the check saw 1 µs; every call takes 100 µs
    clock = ScriptedClock({steady: [100e-6]})
    race([task], clock, seconds=5.0)
    numbers = [n for _, n in clock.log]
    assert numbers[0] == plan.calls_per_block(1e-6, 0.0, 1.0)
    assert numbers[-1] == plan.calls_per_block(100e-6, 0.0, 1.0)  # 2 ms blocks, not 200 ms


def test_rounds_are_shuffled_so_no_row_is_always_first():
    tasks = [make_task(steady), make_task(noisy)]
    clock = ScriptedClock({steady: [1e-3], noisy: [1e-3, 1.5e-3]})
    race(tasks, clock, seconds=0.05)
    firsts = {clock.log[i][0] for i in range(0, len(clock.log) - 1, 2)}
    assert firsts == {steady, noisy}


def test_an_error_while_racing_ends_that_row_only():
    def fails(a, b):
        raise SystemExit(3)

    good, bad = make_task(steady), make_task(fails)

    class Clock(ScriptedClock):
        def __call__(self, fn, args, number):
            if fn is fails:
                fn(*args)
            return super().__call__(fn, args, number)

    race([good, bad], Clock({steady: [1e-3]}))
    assert bad.error == "SystemExit: 3" and good.error is None and good.probes[0].times


def test_keyboard_interrupt_propagates_with_what_was_measured_kept():
    task = make_task(steady)
    count = itertools.count()

    class Interrupting(ScriptedClock):
        def __call__(self, fn, args, number):
            if next(count) == 4:
                raise KeyboardInterrupt
            return super().__call__(fn, args, number)

    with pytest.raises(KeyboardInterrupt):
        race([task], Interrupting({steady: [1e-3, 2e-3]}))
    assert len(task.probes[0].times) == 3


def test_the_budget_said_to_reach_every_sweep_size_scales_the_pace_that_reached_some():
    p = plan.Plan.for_run(2.0, sizes=4)
    # the checks (half the budget) spent 3 s on 2 of 8 sizes: their pace needs 6 s a share
    assert p.budget_to_reach(8, 2, 3.0) == pytest.approx(3.0 / plan.CHECK_SHARE * 4)
    # the checks were quick, the race ran short: the budget itself, scaled
    assert p.budget_to_reach(8, 2, 0.1) == pytest.approx(2.0 * 4)


def test_the_race_stops_early_enough_to_build_its_rows_within_the_budget():
    """The rows are on the budget: the race's deadline leaves each main row and sweep point
    the time it takes to build (at most half the budget); the checks' share is unchanged."""
    p = plan.Plan.for_run(0.05, variants=6, sizes=20, started=100.0)
    per_row, per_point = plan.ROW_SECONDS, plan.POINT_SECONDS
    assert p.deadline(0.0) == pytest.approx(100.05 - 6 * (per_row + 20 * per_point))
    assert p.deadline(0.0, checks=True) == pytest.approx(100.0 + plan.CHECK_SHARE * 0.05)
    assert p.deadline(0.2) == pytest.approx(p.deadline(0.0) + 0.2)  # one-off costs apart
    assert plan.Plan.for_run(0.05, variants=6, sizes=300).finish_seconds == 0.025  # half
    assert plan.Plan.for_run(1.0, variants=6).finish_seconds == pytest.approx(6 * per_row)


def test_a_block_that_would_end_well_past_the_deadline_does_not_start():
    """10 ms before the deadline a 25 ms block would end 15 ms late: it is not started, and
    a race in which no block fits any more ends instead of turning idle rounds."""
    loops, fast = make_task(noisy, per_call=0.025), make_task(steady, per_call=1e-4)
    clock = ScriptedClock({noisy: [0.025], steady: [1e-4]})
    race([loops, fast], clock, budget=0.2, seconds=0.01)
    assert loops.probes[0].times == [] and fast.probes[0].times
    assert {fn for fn, _ in clock.log} == {steady}
    alone = make_task(noisy, per_call=0.025)
    r = race([alone], ScriptedClock({noisy: [0.025]}), budget=0.2, seconds=0.01)
    assert r.rounds == 1 and alone.done and alone.probes[0].times == []


def test_no_block_starts_that_would_end_after_the_deadline_even_by_a_fast_blocks_length():
    """At 0.05 s a block of a fast function is 0.45 ms: a block that would end 0.35 ms late
    (6.9 ms, 1.5 × slower, 10 ms before the deadline) used to start, as "give or take a
    fast block", and with the rows built after it that ran 0.05 s runs 3 % over."""
    slow, fast = make_task(noisy, per_call=6.9e-3), make_task(steady, per_call=1e-5)
    clock = ScriptedClock({noisy: [6.9e-3], steady: [1e-5]})
    race([slow, fast], clock, budget=0.05, seconds=0.01)
    assert slow.probes[0].times == [] and fast.probes[0].times


def test_a_block_that_would_end_late_if_a_little_slower_does_not_start():
    """20 ms before the deadline an 18 ms block would end in time only if it ran no slower
    than its check: on a machine whose speed swings, it is not started."""
    loops, fast = make_task(noisy, per_call=0.018), make_task(steady, per_call=1e-4)
    clock = ScriptedClock({noisy: [0.018], steady: [1e-4]})
    race([loops, fast], clock, budget=0.2, seconds=0.02)
    assert loops.probes[0].times == [] and fast.probes[0].times


def timed_task(times_by_round, name="x"):
    """A task whose one probe took ``times_by_round[r]`` in round ``r`` (``None``: no block)."""
    task = make_task(steady, name=name)
    probe = task.probes[0]
    for r, t in enumerate(times_by_round):
        if t is not None:
            probe.times.append(t)
            probe.rounds.append(r)
    return task


def test_load_that_comes_and_goes_is_divided_out_of_every_row_alike():
    """Half the rounds loaded (2× slower for all): raw medians fall in the gap between the two
    modes, where twins part; divided by their round's load, each row reads its own time."""
    load = [1.0, 2.0] * 6
    bases = {"loops": 0.01, "elementwise": 1e-3, "einsum": 3e-5, "torch": 1e-5}
    tasks = [timed_task([b * q for q in load], n) for n, b in bases.items()]
    # Twins: a pulse that began during round 0 slowed the first but not the second. Raw,
    # one median is the loaded mode and the other falls in the gap: 1.33× apart.
    twin_a = timed_task([3e-5 * q * (2.0 if r == 0 else 1.0) for r, q in enumerate(load)])
    twin_b = timed_task([3e-5 * q for q in load])
    tasks += [twin_a, twin_b]
    raw = [estimate.estimate(t).measurement.median for t in (twin_a, twin_b)]
    assert raw[0] / raw[1] == pytest.approx(6e-5 / 4.5e-5)
    loads = estimate.round_loads(tasks)
    for task in tasks:  # relative to the rows' medians: the typical round is 1.5× the quiet
        assert [loads[id(task)][r] * 1.5 / q for r, q in enumerate(load)] == pytest.approx(
            [1.0] * 12
        )
    for task, base in zip(tasks, [*bases.values(), 3e-5, 3e-5], strict=True):
        m = estimate.estimate(task, loads[id(task)]).measurement
        assert m.median == pytest.approx(1.5 * base) and m.meets(0.05)
    # round 0's excess was twin_a's own: it stays in its blocks
    assert max(estimate.estimate(twin_a, loads[id(twin_a)]).measurement.times) == pytest.approx(
        9e-5
    )


def test_a_rows_own_stall_is_not_taken_for_load_and_stays_in_its_figures():
    steady_rows = [timed_task([1e-3] * 8) for _ in range(3)]
    stalled = timed_task([1e-3] * 7 + [0.1])
    loads = estimate.round_loads([*steady_rows, stalled])
    assert loads[id(stalled)] == {r: 1.0 for r in range(8)}  # the others saw no load
    m = estimate.estimate(stalled, loads[id(stalled)]).measurement
    assert max(m.times) == 0.1 and estimate.estimate(stalled).stalls == 1


def test_load_is_read_only_where_three_other_rows_were_timed_in_the_round():
    tasks = [timed_task([1e-3, 2e-3, 1e-3, 1e-3]) for _ in range(3)]
    tasks.append(timed_task([1e-3, 2e-3, None, 1e-3]))
    loads = estimate.round_loads(tasks)
    assert sorted(loads[id(tasks[3])]) == [0, 1, 3]  # its own rounds, three others in each
    assert sorted(loads[id(tasks[0])]) == [0, 1, 3]  # in round 2 only two others ran
    two_others = estimate.round_loads(tasks[:3])
    assert all(not load for load in two_others.values())
    # no load known: the blocks as they are
    assert estimate.estimate(tasks[0], {}).measurement.times == (1e-3, 2e-3, 1e-3, 1e-3)


def test_a_load_only_some_rows_feel_is_not_divided_out_of_the_others():
    """Two rows share a resource that is 10x slow in 4 rounds of 10; two rows never touch it.
    For those two the others' median says "loaded" in those rounds, but their own blocks did
    not slow down there: they keep their figures as measured (a 200 µs spin read 26 µs)."""
    slow_rounds = {1, 4, 6, 9}
    jitter = [1.0, 1.02, 0.99, 1.01, 1.0, 0.98, 1.01, 1.0, 1.02, 0.99]
    shared = [timed_task([1e-3 * (10 if r in slow_rounds else 1) * j for r, j in enumerate(jitter)])
              for _ in range(2)]  # fmt: skip
    alone = [timed_task([2e-4 * j for j in jitter[k:] + jitter[:k]]) for k in (0, 3)]
    loads = estimate.round_loads(shared + alone)
    for task in alone:
        assert loads[id(task)][1] > 5  # the median of the others is loaded there
        est = estimate.estimate(task, loads[id(task)])
        assert est.measurement.times == pytest.approx(task.probes[0].times, rel=0.02)  # as is
    # the row's fastest block is a block as measured, even where load is divided out
    est = estimate.estimate(shared[0], loads[id(shared[0])])
    assert est.fastest == min(shared[0].probes[0].times)


def test_a_clock_that_read_zero_or_nan_judges_no_rounds_load():
    tasks = [timed_task([1e-3, 2e-3, 1e-3, 1e-3]) for _ in range(4)]
    tasks.append(timed_task([0.0, 0.0, 0.0, 0.0]))
    tasks.append(timed_task([1e-3, float("nan"), 1e-3, 1e-3]))
    loads = estimate.round_loads(tasks)
    assert loads[id(tasks[0])][1] == 2.0  # the zeros and the NaN were left out
    for task in tasks:
        assert estimate.estimate(task, loads[id(task)]) is not None
    assert estimate.estimate(tasks[0], {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}) is not None


def test_a_blocks_predicted_end_uses_its_recent_blocks_once_they_are_slower():
    """The check said 0.4 ms a call; the race reads 20 ms. Resized to one call a block, the
    check's figure would predict 0.4 ms and start 20 ms blocks 15 ms before the deadline."""
    task = make_task(noisy, per_call=4e-4)
    race([task], ScriptedClock({noisy: [0.02]}), budget=0.2, seconds=0.015)
    assert len(task.probes[0].times) == plan.FLOOR_BLOCKS and task.probes[0].number == 1
