"""Outputs looked at again during the race, so that a time is a computation's and not a lookup's.

The check judges every answer a function gives on fresh slices; the race then calls it
thousands of times on one pair of operands and keeps no output. A function that remembers
(``functools.lru_cache`` keys tensors by identity, and every block reuses one argument tuple,
so the race's calls are all hits) or that stops computing after its first calls (returns
``torch.empty(...)`` or a tensor it stored) would pass the check and be timed as a lookup.

So after a user's probe's 1st, 4th, 16th, ... block, where four calls cost no more than a
block (a lookup is quick), :class:`Audit` calls it up to four more times, outside the timed
region, and judges a sample of rows of each answer against the float64 reference:

1. on fresh operands holding other values, its own with their rows and columns shifted by
   one (``a.roll(1, 0)``, ``b.roll(1, 1)``: the same numbers, so a function that only takes
   pixels in [0, 1] still gets them): a stored answer is the old product;
2. on the race's very operands: an answer gone wrong since the check (``torch.empty``);
3. on them again, their values shifted in place as in 1 (then put back; both writes move
   the tensors' version counters, as any in-place write does): a cache keyed by the tensor
   (``lru_cache``, a dict keyed by ``id()``) answers with the old product, even one that
   hands back a *copy* of it (which 1, on new tensors, does not catch);
4. on them once more, after the answer of 2 was filled with NaN: a function that hands back
   the tensor it returned before, without writing the product into it, returns our NaN (a
   function that fills an ``out=`` buffer again passes). This last call is on the race's
   operands holding their own values, as the race's calls are.

The lesson's own steps are not audited: they are ours.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from ..bench_result.views.format import format_error
from . import correctness

SAMPLE_ROWS = 4
"""Rows of each audited answer compared with the reference (a float64 product of that many
rows: microseconds)."""

AUDIT_BLOCKS = frozenset({1, 4, 16, 64, 256})
"""The probe's blocks after which it is audited."""


class Audit:
    """The race's look at a user's answers; ``check`` returns why a probe is not to be
    trusted, or ``None``."""

    def __init__(self, block_seconds: float, seed: int = 0) -> None:
        self.block_seconds = block_seconds
        self.rng = random.Random(seed)
        self.blocks: dict[int, int] = {}  # by id(probe): blocks seen

    def due(self, probe: Any, per_call: float) -> bool:
        """Whether this block of ``probe`` (just timed, ``per_call`` seconds a call) is audited:
        a user's, at its scheduled blocks, when its calls are quick (a lookup is; four slow
        calls would take the budget of the rows that are timed)."""
        if probe.task.variant.kind != "user":
            return False
        count = self.blocks[id(probe)] = self.blocks.get(id(probe), 0) + 1
        return count in AUDIT_BLOCKS and 4 * per_call <= self.block_seconds

    def check(
        self, fn: Callable[..., Any], args: tuple[Tensor, Tensor], sources: tuple[Tensor, Tensor]
    ) -> str | None:
        """Why ``fn``'s time on ``args`` (equal to ``sources``) is not the product's, or None."""
        a, b = sources
        rows = self._rows(a.shape[0], a.device)
        if a.shape[0] > 1 or b.shape[1] > 1:
            with torch.no_grad():
                moved = args[0].roll(1, 0), args[1].roll(1, 1)
            wrong = _wrong(fn(*moved), a.roll(1, 0), b.roll(1, 1), rows)
            if wrong is not None:
                return (
                    "called during the race on its operands with their rows and columns "
                    f"shifted by one (a.roll(1, 0), b.roll(1, 1)), its answer {wrong}: it does "
                    "not compute the product of the operands it is given, so its time is not "
                    "the product's; not timed"
                )
        first = fn(*args)
        wrong = _wrong(first, a, b, rows)
        if wrong is not None:
            return (
                f"called again during the race, its answer {wrong}, though its checked "
                "calls were right: it stopped computing the product; not timed"
            )
        if a.shape[0] > 1 or b.shape[1] > 1:
            wrong = _answer_after_shifting_in_place(fn, args, a, b, rows)
            if wrong is not None:
                return (
                    "called during the race on its own operands after their values were "
                    f"shifted in place (rows and columns by one), its answer {wrong}: a "
                    "stored result, e.g. functools.lru_cache or a dict keyed by id() (even "
                    "one that returns a copy), which answers from what it remembers of these "
                    "tensors, not from their values, so the race's calls were lookups; not timed"
                )
        if _poison(first, args):
            again = fn(*args)  # the last call is on the race's operands, as before the audit
            wrong = _wrong(again, a, b, rows)
            if wrong is not None:
                if isinstance(again, Tensor) and _shares_storage(again, first):
                    return (
                        "returned the tensor it had returned before without computing it "
                        "again (filled with NaN between two calls on the same operands, it "
                        "came back so): a stored result, e.g. functools.lru_cache, which keys "
                        "tensors by identity, so the race's calls were lookups; not timed"
                    )
                return f"called again on the same operands, its answer {wrong}; not timed"
        return None

    def _rows(self, m: int, device: torch.device) -> Tensor:
        picked = sorted(self.rng.sample(range(m), min(m, SAMPLE_ROWS)))
        return torch.tensor(picked, device=device)


def _wrong(out: Any, a: Tensor, b: Tensor, rows: Tensor) -> str | None:
    """What is wrong with ``out`` as ``a @ b`` on the sampled ``rows``, in words, or None."""
    verdict = correctness.judge(out, a, b, sample=rows)
    if verdict.correct is not False:
        return None
    if verdict.why is not None and verdict.max_abs_err is None:
        return verdict.why
    return f"differs from the float64 product by up to {format_error(verdict.max_abs_err)}"


def _answer_after_shifting_in_place(
    fn: Callable[..., Any], args: tuple[Tensor, Tensor], a: Tensor, b: Tensor, rows: Tensor
) -> str | None:
    """What is wrong with ``fn``'s answer on the race's own argument tensors holding their
    values shifted by one, or None; their values are put back whatever happens (they are
    the race's copies, never the caller's)."""
    if _shares_storage(*args):  # one tensor twice: shifting one would shift the other
        return None
    saved = tuple(t.clone() for t in args)
    try:  # an in-place write as any other: a cache that checks t._version sees it
        with torch.no_grad():
            args[0].copy_(saved[0].roll(1, 0))
            args[1].copy_(saved[1].roll(1, 1))
    except RuntimeError:  # an inference tensor, an expanded one: not written, not audited
        _put_back(args, saved)
        return None
    try:
        return _wrong(fn(*args), a.roll(1, 0), b.roll(1, 1), rows)
    finally:
        _put_back(args, saved)


def _put_back(args: tuple[Tensor, Tensor], saved: tuple[Tensor, ...]) -> None:
    with torch.no_grad():
        for t, values in zip(args, saved, strict=True):
            with contextlib.suppress(RuntimeError):
                t.copy_(values)


def _shares_storage(x: Tensor, y: Tensor) -> bool:
    try:
        return x.untyped_storage().data_ptr() == y.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return x is y


def _poison(out: Any, args: tuple[Tensor, Tensor]) -> bool:
    """Fill ``out`` with NaN (never an operand's memory); whether it could be."""
    if not isinstance(out, Tensor) or not out.is_floating_point():
        return False
    if any(_shares_storage(out, arg) for arg in args):
        return False
    # An inference tensor is written in inference mode (outside it, fill_ raises after
    # writing); one with internal overlap raises before
    mode = torch.inference_mode() if out.is_inference() else torch.no_grad()
    try:
        with mode:
            out.fill_(float("nan"))
    except RuntimeError:
        return False
    return True
