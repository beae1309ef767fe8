"""Who races: the course's steps (as ``only=`` selects them), the optional ones, and yours.

Functions passed in always race. ``only=`` selects among the course and optional rows; naming
one of your own functions there is allowed (it races anyway), so ``--only einsum,torch`` with
a cell function called ``einsum`` keeps the course's ``einsum`` *and* yours.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ..progression import COURSE, PER_OUTPUT_STEPS, PER_TERM_STEPS, optional_steps


@dataclass(eq=False)
class Variant:
    """One row of the race; ``fn`` is ``None`` for a step that cannot run here (see ``note``)."""

    name: str
    kind: str
    fn: Callable[..., Any] | None
    note: str | None = None
    written_as: str | None = None  # the name the user gave it, when a clash renamed the row
    per_output: bool = False  # its cost is per output, no fixed part (``PER_OUTPUT_STEPS``)
    per_term: bool = False  # and per multiply-add within an output (``PER_TERM_STEPS``)


def _written_name(fn: Callable[..., Any]) -> str | None:
    """``fn.__name__`` when it is a usable string (a property that raises counts as none).

    A ``functools.partial`` is named after the function it wraps (``partial(mm, ...)`` is
    ``mm``); a callable object without a name of its own after its class (``Kernel()`` is
    ``Kernel``).
    """
    while isinstance(fn, functools.partial):
        fn = fn.func
    try:
        name = fn.__name__  # type: ignore[attr-defined]
    except BaseException:  # noqa: BLE001 - a user's __getattr__ may raise anything
        name = None
    if not (isinstance(name, str) and name.strip()) and not isinstance(fn, type):
        name = type(fn).__name__
    return name.strip() if isinstance(name, str) and name.strip() else None


def user_name(fn: Callable[..., Any], taken: set[str], index: int) -> tuple[str, str | None]:
    """A row name unique among ``taken``, and the name as the user wrote it (if usable)."""
    written = _written_name(fn)
    base = written or f"function {index}"
    name, i = base, 2
    while name in taken:
        name, i = f"{base} ({i})", i + 1
    return name, written


def select(
    fns: Sequence[Callable[..., Any]],
    course: bool,
    only: Iterable[str] | str | None,
    dev: torch.device,
    dt: torch.dtype,
) -> list[Variant]:
    """The rows in race order: course steps, optional steps, then ``fns``."""
    steps: list[Variant] = []
    if course:
        steps += [
            Variant(
                name,
                "course",
                fn,
                per_output=name in PER_OUTPUT_STEPS,
                per_term=name in PER_TERM_STEPS,
            )
            for name, fn in COURSE
        ]
        steps += [Variant(s.name, "optional", s.fn, s.note) for s in optional_steps(dev, dt)]
    taken = {v.name for v in steps}
    users: list[Variant] = []
    for index, fn in enumerate(fns, start=1):
        name, written = user_name(fn, taken, index)
        taken.add(name)
        users.append(Variant(name, "user", fn, written_as=written))
    if only is not None:
        items = [only] if isinstance(only, str) else list(only)
        wanted = [w.strip() for item in items for w in str(item).split(",") if w.strip()]
        known = [v.name for v in steps] + [
            n for v in users for n in {v.name, v.written_as} if n is not None
        ]
        unknown = [w for w in wanted if w not in known]
        if unknown:
            # Worded for both doors: only= in Python, --only in the magic and the CLI.
            are = "is" if len(unknown) == 1 else "are"
            raise ValueError(
                f"only: {', '.join(map(repr, unknown))} {are} not in the race; "
                f"choose from {', '.join(dict.fromkeys(known))}"
            )
        steps = [v for v in steps if v.name in wanted]
    variants = steps + users
    if not variants:
        if course:
            raise ValueError("nothing to bench: only= left no row in the race")
        raise ValueError("nothing to bench: pass functions to race, or leave course=True")
    return variants
