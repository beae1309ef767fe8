"""What the check and the race work on: a *task* (one variant on one pair of operands, the
main pair or one sweep size) and its *probes* (the slices of the output it is timed on).

The check (``checking.py``) fills a task's points, verdict and probes; the race (``rounds.py``)
adds blocks to its probes and ends a task whose function raised (``Task.fail``); ``run.py``
distrusts a task whose function wrote into its inputs or gave a wrong answer later
(``Task.distrust``), says why a sweep size was not measured (``Task.not_measured``) and hands
tasks fresh copies of operands a function wrote into.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import Tensor

from .variants import Variant


@dataclass(eq=False)
class Probe:
    """One slice a task is timed on: ``a[:rows] @ b[:, :cols]``, ``number`` calls a block;
    with ``depth``, only the first ``depth`` terms of each output's sum
    (``a[:rows, :depth] @ b[:depth, :cols]``)."""

    task: Task
    rows: int
    cols: int
    per_call: float
    number: int = 1
    times: list[float] = field(default_factory=list)  # per-call seconds, one per block
    rounds: list[int] = field(default_factory=list)  # the round each block ran in
    _args: tuple[Tensor, Tensor] | None = field(default=None, repr=False)
    depth: int | None = None  # None: every term (all of a's columns)

    @property
    def outputs(self) -> int:
        return self.rows * self.cols

    @property
    def terms(self) -> int:
        """The multiply-adds of one call on the slice."""
        return self.outputs * (self.task.k if self.depth is None else self.depth)

    @property
    def shape(self) -> tuple[int, int, int | None]:
        """``(rows, cols, depth)``: the slice, as the check's calls are told apart."""
        return self.rows, self.cols, self.depth

    @property
    def whole(self) -> bool:
        """Whether the slice is the full product."""
        return self.outputs == self.task.outputs and self.depth is None

    def args(self) -> tuple[Tensor, Tensor]:
        """The slice's operands, made once (a column slice is a contiguous copy)."""
        if self._args is None:
            self._args = slice_operands(self.task.a, self.task.b, self.rows, self.cols, self.depth)
        return self._args


@dataclass(eq=False)
class Task:
    """One variant on one pair of operands, through the check and then the race."""

    variant: Variant
    a: Tensor
    b: Tensor
    size: int | None = None
    points: list[tuple[int, int, float]] = field(default_factory=list)  # correct (rows, cols, s)
    depth_point: tuple[int, float] | None = None  # (depth, s): the terms the race times
    depth_checks: list[tuple[int, float]] = field(default_factory=list)  # other such calls
    probes: list[Probe] = field(default_factory=list)
    correct: bool | None = None
    max_abs_err: float | None = None
    error: str | None = None
    note: str | None = None
    one_off: float = 0.0
    over_budget: bool = False
    done: bool = False
    written: dict[str, str] = field(default_factory=dict)  # inputs a call changed, and how
    sources: tuple[Tensor, Tensor] | None = None  # the pristine operands a and b are copies of
    left_out: str | None = None  # why a sweep size has no figure: "budget" or "memory"

    @property
    def m(self) -> int:
        return self.a.shape[0]

    @property
    def n(self) -> int:
        return self.b.shape[1]

    @property
    def k(self) -> int:
        return self.a.shape[1]

    @property
    def outputs(self) -> int:
        return self.m * self.n

    @property
    def terms(self) -> int:
        """The multiply-adds of the full product."""
        return self.outputs * self.k

    def ladder_seconds(self, probe: Probe) -> float:
        """What the check measured for one call on ``probe``'s slice."""
        if probe.depth is not None and self.depth_point is not None:
            return self.depth_point[1]
        return next(s for r, c, s in self.points if (r, c) == (probe.rows, probe.cols))

    @property
    def full_call(self) -> float | None:
        """The check's seconds for one call of the full product, when its ladder got there."""
        reached = bool(self.points) and self.points[-1][:2] == (self.m, self.n)
        return self.points[-1][2] if reached else None

    @property
    def timed_verdict(self) -> bool:
        """Whether the check found it correct, with nothing against it."""
        return self.correct is True and self.error is None and not self.written

    @property
    def extrapolated(self) -> bool:
        return bool(self.probes) and not self.probes[-1].whole

    @property
    def timed(self) -> bool:
        return self.error is None and self.correct is True and bool(self.probes)

    def fail(self, error: str) -> None:
        """Its function raised: the row is that error, and it races no further."""
        self.error, self.done = error, True

    def not_measured(self, why: str) -> None:
        """A sweep size that was checked but that the race cannot time: no verdict, no
        probes, and the reason (so it is not counted as swept)."""
        self.probes, self.correct, self.note, self.left_out = [], None, why, "budget"

    def distrust(self, why: str, written: dict[str, str] | None = None) -> None:
        """Its answers cannot be trusted (it wrote into its inputs, or a later answer was
        wrong): the row is incorrect, says ``why``, has no time and races no further."""
        self.written = written or self.written
        self.correct, self.max_abs_err, self.error, self.note = False, None, None, why
        self.probes, self.done = [], True


def slice_operands(
    a: Tensor, b: Tensor, rows: int, cols: int, depth: int | None = None
) -> tuple[Tensor, Tensor]:
    """``a[:rows]`` and ``b[:, :cols]`` (a contiguous copy), or with ``depth`` only their
    first ``depth`` columns and rows: the slices a call on part of the product gets."""
    if depth is not None:
        return a[:rows, :depth], b[:depth, :cols].contiguous()
    sa = a if rows == a.shape[0] else a[:rows]
    sb = b if cols == b.shape[1] else b[:, :cols].contiguous()
    return sa, sb


def slice_text(rows: int, cols: int, m: int, n: int, depth: int | None = None) -> str:
    if depth is not None:
        return f"a[:{rows}, :{depth}] @ b[:{depth}, :{cols}]"
    if cols == n:
        return f"{rows} of {m} rows"
    return f"a[:{rows}] @ b[:, :{cols}] ({rows * cols} of {m * n} outputs)"
