"""The budget plan: how long a call, a block and a row may take, so the budget is kept.

The rules, each chosen so that a figure can be trusted and the budget is a promise:

- **Wall time.** Checks and timing together stay within the budget: the checks may take
  ``CHECK_SHARE`` of it, the race stops at the deadline (a block starts only if it should
  end by then; a main row with no block keeps its check's time); one-off costs such as a
  JIT compile on the first call are measured, reported and not counted.
- **Shared rounds.** The main rows race in every round to the deadline, cheap ones taking
  several blocks a round while slow ones run (``rounds.py``); only a sweep point stops once
  precise, leaving its time to the other sizes.
- **Monotone in the budget.** Blocks, and the blocks a row must take before it may stop,
  grow with the budget; a call grows only where the budget affords the full product at
  least as many blocks, so more budget never gives a row fewer calls.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import numbers
import time
from dataclasses import dataclass
from decimal import Decimal

from .timing import DEFAULT_THRESHOLD

DEFAULT_BUDGET = 1.0
"""Seconds for the default progression."""

SWEEP_BUDGET_PER_SIZE = 1.0
"""Extra default seconds per sweep size."""

MAX_BUDGET = 3600.0
"""A budget above an hour is a typo, not a plan."""

MIN_SLICE_SECONDS = 1e-3
"""The shortest slice call worth timing: far above the clock's cost, and a budget too small
for even this many blocks of it is spent on the check alone."""

WARMUP_SHARE = 0.25
"""The warm-up round runs while more than this share of the budget is left (at the smallest
budgets the check's own calls have warmed up every variant)."""

ROW_SECONDS, POINT_SECONDS = 5e-4, 3e-5
"""Left at the race's end to build each main row and each sweep point, which are on the
budget too, with the operands and settings put back: 2.6-3.0 ms for the six main rows at
0.05 s, and 15-30 µs a point, measured on a 2-core VM (0.3 ms a row left 0.05 s runs
1-2 ms over)."""

CHECK_SHARE = 0.5
"""The share of the budget the sweep's checks may take; sizes still unchecked when it is
spent are reported as not reached, with the budget that would reach them."""

DEFAULT_CPU_THREADS = 1
"""torch's CPU threads during a run unless ``threads=`` says otherwise: one thread gives
stable figures when another program holds a core (torch.utils.benchmark's default too),
where a thread pool waits for the busy core and reads tens of times slower."""

OVERRUN_FLOOR = 0.05
"""A call stops its row for overrunning the budget only when it is also longer than this: at
a tiny budget every call overruns, and a fast function still deserves its blocks."""

ONE_OFF_MIN = 0.05
"""The first call is always repeated; an excess smaller than this over the second call is a
hiccup of a busy machine, larger (with ``ONE_OFF_FACTOR``) a one-off cost (a JIT compile,
lazy set-up), reported rather than taken as the variant's time."""

ONE_OFF_FACTOR = 2.0
"""A first call at least this many times the second one held a one-off cost."""

STALL_FACTOR = 10.0
"""A block slower than this many times the median is a stall: the machine was busy."""

MAX_BLOCKS = 400
"""No probe takes more blocks than this, whatever the budget."""

MAX_CALLS_PER_BLOCK = 1_000_000
"""Nor more calls per block."""

FLOOR_BLOCKS = 3
"""Blocks every timed probe gets before anything but the deadline may stop it."""

UNRELIABLE_FIT = 0.25
"""An extrapolation is unreliable when the fitted model misses a measured slice by more."""


def _scale(budget: float) -> float:
    """How much more (or less) a budget buys than the default one, with diminishing returns."""
    return math.sqrt(max(budget, 1e-3) / DEFAULT_BUDGET)


def block_seconds(budget: float) -> float:
    """What a block of a fast function aims at: 2 ms at the default budget, more with more.

    Long enough that a microsecond function is never timed one call at a time (a thread
    pool's occasional stall is averaged, not sampled), short enough that load which comes
    and goes lands on every row alike within a round.
    """
    return min(max(2e-3 * _scale(budget), 5e-4), 0.05)


def min_blocks(budget: float) -> int:
    """Blocks a probe takes before its spread may stop it: 7 at the default budget."""
    return max(5, min(MAX_BLOCKS, round(7 * _scale(budget))))


def calls_per_block(per_call: float, overhead: float, budget: float) -> int:
    """Calls in one block: the clock's cost at most 0.1 % of it, and about ``block_seconds``."""
    per_call = max(per_call, 1e-9)
    needed = max(block_seconds(budget), overhead / 1e-3)
    return int(min(MAX_CALLS_PER_BLOCK, max(1, math.ceil(needed / per_call))))


def call_limit(budget: float, tasks: int) -> float:
    """The longest call the race times: the full product whenever an even share of the
    budget (``budget / tasks``) still buys it ``min_blocks`` blocks, else a slice of about
    that share's ``min_blocks``-th (never under ``MIN_SLICE_SECONDS``). Calls are one a block
    at that size, so a larger budget never buys a row fewer calls."""
    return max(MIN_SLICE_SECONDS, budget / max(tasks, 1) / min_blocks(budget))


@dataclass(frozen=True)
class Plan:
    """Everything a run reads of its budget, computed once from the options: the check,
    the race and the rows read these fields and never the budget's rules themselves."""

    budget: float
    """Seconds the run may spend, one-off costs apart (the progress text shows it)."""
    started: float
    """When the run started (``time.perf_counter()``): its operands are built on the budget."""
    threshold: float
    """How closely a median's 95 % interval must pin it (a fraction) not to be noisy."""
    call_limit: float
    """The longest call the check sizes a probe to (``call_limit()``)."""
    check_seconds: float
    """Seconds of the budget the checks may spend (``CHECK_SHARE``)."""
    block_seconds: float
    """What a block of a fast function aims at (``block_seconds()``)."""
    min_blocks: int
    """Blocks a probe takes before its spread may stop it (``min_blocks()``)."""
    warmup_seconds: float
    """The warm-up round runs while more than this is left (``WARMUP_SHARE``)."""
    finish_seconds: float
    """Left before the budget's end to build the rows (``ROW_SECONDS``..., at most half)."""
    overrun_seconds: float
    """A checked call longer than this stops its row (the budget, or ``OVERRUN_FLOOR``)."""
    second_point_seconds: float
    """A second slice, which an estimate needs, is taken while predicted within this."""
    full_after_failed_slice: bool
    """When only the one-output call failed, the full call may decide (it is affordable)."""
    verdict_seconds: float
    """The longest call a check makes for its verdict alone: an even share of the checks'
    (a whole output of the lesson's loops, 20 ms, from a 0.3 s budget up)."""

    @classmethod
    def for_run(
        cls,
        budget: float | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        variants: int = 1,
        sizes: int = 0,
        started: float | None = None,
    ) -> Plan:
        """The plan for ``variants`` timed on the main operands and at ``sizes`` sweep sizes
        within ``budget`` seconds (by default ``DEFAULT_BUDGET`` plus
        ``SWEEP_BUDGET_PER_SIZE`` a size)."""
        if budget is None:
            budget = DEFAULT_BUDGET + SWEEP_BUDGET_PER_SIZE * sizes
        timed_tasks = variants * (1 + sizes)
        return cls(
            budget=budget,
            started=time.perf_counter() if started is None else started,
            threshold=threshold,
            call_limit=call_limit(budget, timed_tasks),
            check_seconds=CHECK_SHARE * budget,
            block_seconds=block_seconds(budget),
            min_blocks=min_blocks(budget),
            warmup_seconds=WARMUP_SHARE * budget,
            finish_seconds=min(budget / 2, variants * (ROW_SECONDS + POINT_SECONDS * sizes)),
            overrun_seconds=max(budget, OVERRUN_FLOOR),
            second_point_seconds=budget / 3,
            full_after_failed_slice=budget >= OVERRUN_FLOOR,
            verdict_seconds=CHECK_SHARE * budget / max(timed_tasks, 1),
        )

    def deadline(self, one_off: float, checks: bool = False) -> float:
        """When the checks' share, or the race's (all but ``finish_seconds``), is spent."""
        spent = self.check_seconds if checks else self.budget - self.finish_seconds
        return self.started + spent + one_off  # one-off costs are not on the budget

    def calls_per_block(self, per_call: float, overhead: float) -> int:
        return calls_per_block(per_call, overhead, self.budget)

    def budget_to_reach(self, sizes: int, reached: int, spent: float) -> float:
        """The budget that would reach all ``sizes`` sweep sizes, where this one reached
        ``reached`` of them in ``spent`` seconds: at the checks' pace, or (when the race,
        not the checks, ran short) at this budget's."""
        return max(spent / CHECK_SHARE, self.budget) * sizes / reached


class OptionError(ValueError, argparse.ArgumentTypeError):
    """Option text off its rule: a ``ValueError`` that argparse prints as it is."""


BUDGET_RULE = f"budget takes positive seconds up to {round(MAX_BUDGET)} (an hour)"
"""The rule's words, for every door that takes a budget (API, magic, CLI)."""


def parse_budget(text: str | float) -> float:
    """A budget as written on a command line or a magic's line: positive seconds, at most
    an hour (``check_budget``'s rule, which also judges anything not text)."""
    try:
        return check_budget(float(text) if isinstance(text, str) else text)
    except (TypeError, ValueError):
        raise OptionError(f"{BUDGET_RULE}, got {_shown(text)}") from None


def check_budget(budget: object) -> float:
    """``budget`` as float seconds: ``TypeError`` for a non-number (a bool is not one; a
    ``Decimal`` or a numpy scalar is), ``ValueError`` off the rule."""
    if isinstance(budget, bool) or not isinstance(budget, (numbers.Real, Decimal)):
        raise TypeError(
            f"budget is a number of seconds, got {type(budget).__name__} {_shown(budget)}"
        )
    try:
        value = float(budget)
    except (OverflowError, ValueError):  # an int beyond any float, a signaling NaN
        value = math.nan
    if not 0 < value <= MAX_BUDGET:  # NaN and infinity are not either
        raise ValueError(f"{BUDGET_RULE}, got {_shown(budget)}")
    return value


def _shown(value: object) -> str:
    """``repr(value)``, cut to 40 characters (an int of 5,000 digits has no repr at all)."""
    with contextlib.suppress(ValueError):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:37]}..."
    return f"an {type(value).__name__} too long to print"
