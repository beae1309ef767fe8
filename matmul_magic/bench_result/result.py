"""What a benchmark run produces: ``BenchRow`` per variant, ``BenchResult`` for the run.

This module is the Python side of the bench contract. ``schema.json`` beside it is the one
written statement of the payload; these dataclasses spell out its fields (names, types,
defaults, in its order), and ``tests/test_bench_result.py`` holds them equal to it.
``BenchResult.to_dict()`` is the payload of ``application/vnd.matmul-magic.bench+json``;
each field is described in the schema and in ``docs/bench-schema.md``, generated from it.

The module is plain data with no dependency beyond the standard library (``from_dict`` also
needs ``jsonschema``): the runner fills it; ``views/`` and the labextension render its JSON.

Progress contract (runner -> views)
-------------------------------------
``bench(..., on_progress=callback)`` calls ``callback(progress: BenchProgress)``:

- once before the first variant runs (``current`` is the first name, ``rows`` empty);
- as each variant is checked (``current`` is its name, ``phase`` is ``"check"``);
- while the interleaved rounds time every checked variant together (``phase`` is
  ``"time"``, or ``"sweep"`` with ``size``; ``current`` is ``None``), a few times a second,
  with ``rows`` holding every row's figures so far;
- once at the end, with every row final, ``current`` ``None`` and ``phase`` ``"done"``.

The callback must be cheap; the runner calls it outside any timed region. An exception
other than ``KeyboardInterrupt`` raised by the callback is the callback's bug and
propagates. The final ``BenchResult`` is returned by ``bench()``, not sent as progress.
Progress never travels in a payload, so it is plain Python, not part of the schema.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .contract import MIME_TYPE as MIME_TYPE  # re-exported: callers import it from here too
from .contract import SCHEMA_VERSION as SCHEMA_VERSION
from .payload import PayloadObject

PHASES: tuple[str, ...] = ("check", "time", "sweep", "done")
"""What ``BenchProgress.phase`` can be: the steps the runner reports, in order."""


@dataclass(frozen=True)
class SweepPoint(PayloadObject, definition="point"):
    """One variant timed at one size of a sweep: ``a`` is ``m×k``, ``b`` is ``k×n``.

    Its fields are ``schema.json``'s ``$defs/point`` (each described there).
    """

    size: int
    m: int
    k: int
    n: int
    median: float | None = None
    median_low: float | None = None
    median_high: float | None = None
    iqr: float | None = None
    runs: int = 0
    extrapolated: bool = False
    error: str | None = None

    @property
    def flops(self) -> int:
        return 2 * self.m * self.k * self.n


@dataclass(frozen=True)
class BenchRow(PayloadObject, definition="row"):
    """One variant's outcome; its fields are ``schema.json``'s ``$defs/row`` (each described
    there and in ``docs/bench-schema.md``). Times in seconds; ``None`` where not measured.

    ``status`` is derived (the one statement of the rule; the payload repeats it for
    renderers): ``failed`` when ``error`` is set, ``incorrect`` when the correctness gate
    failed, ``skipped`` when nothing was timed (``note`` says why), otherwise ``ok``.
    """

    name: str
    kind: Literal["course", "optional", "user"] = "user"
    median: float | None = None
    median_low: float | None = None
    median_high: float | None = None
    iqr: float | None = None
    min: float | None = None
    runs: int = 0
    blocks: int = 0
    speedup: float | None = None
    speedup_low: float | None = None
    speedup_high: float | None = None
    gflops: float | None = None
    pct_of_peak: float | None = None
    correct: bool | None = None
    max_abs_err: float | None = None
    extrapolated: bool = False
    unreliable: bool = False
    error: str | None = None
    note: str | None = None
    one_off: float | None = None
    stalls: int = 0
    noisy: bool = False
    over_budget: bool = False
    points: tuple[SweepPoint, ...] = ()
    exponent: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))
        super().__post_init__()

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        if self.correct is False:
            return "incorrect"
        if self.median is None:
            return "skipped"
        return "ok"


@dataclass(frozen=True)
class BenchEnvironment(PayloadObject, definition="environment"):
    """Where the numbers came from; ``None`` where it does not apply or is unknown.

    Its fields are ``schema.json``'s ``$defs/environment``; ``peak_gflops`` is what
    ``pct_of_peak`` divides by.
    """

    device_name: str | None = None
    threads: int | None = None
    torch: str | None = None
    python: str | None = None
    tf32: bool | None = None
    stream: str | None = None
    timer: str | None = None
    l2_flush: bool | None = None
    peak_gflops: float | None = None


@dataclass
class BenchResult(PayloadObject, definition=None):
    """The outcome of ``bench(...)``: rows in run order plus the conditions they ran under.

    Its fields are the payload's (``schema.json``), with ``sweep_sizes`` for the payload's
    ``sweep``: empty unless ``sweep=`` was given, in which case each row's ``points`` and
    ``exponent`` hold the sweep. ``version``, ``flops`` and ``sweep`` are computed.

    In a notebook the result displays itself (``_repr_mimebundle_``) as JSON for the
    JupyterLab renderer, an HTML table with SVG charts, and an aligned text table.
    """

    device: str
    dtype: str
    shapes: dict[str, tuple[int, ...]]
    rows: list[BenchRow]
    operands: str = "random, seed 0"
    interrupted: bool = False
    budget: float | None = None
    elapsed: float | None = None
    baseline: str | None = None
    threshold: float = 0.05
    environment: BenchEnvironment = field(default_factory=BenchEnvironment)
    sweep_sizes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self.rows = list(self.rows)
        self.shapes = {key: tuple(int(d) for d in shape) for key, shape in self.shapes.items()}
        self.sweep_sizes = tuple(self.sweep_sizes)
        super().__post_init__()

    # -- derived views -------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return SCHEMA_VERSION

    @property
    def sweep(self) -> dict[str, list[int]] | None:
        """The payload's form of ``sweep_sizes``."""
        return {"sizes": list(self.sweep_sizes)} if self.sweep_sizes else None

    @classmethod
    def _extra_from_payload(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"sweep_sizes": tuple(data["sweep"]["sizes"]) if data["sweep"] else ()}

    @property
    def mkn(self) -> tuple[int, int, int]:
        """``(m, k, n)`` of the main operands: ``a`` is ``m×k`` (leading dims folded into m)."""
        a, b = self.shapes["a"], self.shapes["b"]
        return math.prod(a[:-1]), a[-1], b[-1]

    @property
    def flops(self) -> int:
        """Floating-point operations of one product of the main operands: ``2·m·k·n``."""
        m, k, n = self.mkn
        return 2 * m * k * n

    @property
    def exponents(self) -> dict[str, float | None]:
        """Fitted sweep exponent per row name (empty without a sweep)."""
        if not self.sweep_sizes:
            return {}
        return {row.name: row.exponent for row in self.rows}

    def row(self, name: str) -> BenchRow:
        """The row called ``name``; ``KeyError`` listing the names when there is none."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no row {name!r}; rows are {[r.name for r in self.rows]}")

    def __getitem__(self, name: str) -> BenchRow:
        return self.row(name)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        from .views import mimebundle

        return mimebundle(self.to_dict(), include=include, exclude=exclude)

    def __repr__(self) -> str:
        from .views import to_text_with_sweep

        return to_text_with_sweep(self.to_dict())


@dataclass(frozen=True)
class BenchProgress:
    """A snapshot sent to ``on_progress`` while ``bench()`` runs (see the module docstring).

    ``planned`` is every variant name in run order; ``rows`` the rows so far;
    ``current`` the variant now running (``None`` once all are done, and while the
    interleaved rounds time every row); ``phase`` one of ``check``, ``time``, ``sweep``,
    ``done``;
    ``size`` the sweep size being timed; ``elapsed`` and ``budget`` in seconds, ``elapsed``
    being the time charged to the budget (one-off costs such as a compile are not), so a
    run that keeps its budget never shows more than it.
    """

    planned: tuple[str, ...]
    rows: tuple[BenchRow, ...] = ()
    current: str | None = None
    phase: str = "check"
    size: int | None = None
    elapsed: float = 0.0
    budget: float | None = None
    device: str | None = None
    dtype: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "planned", tuple(self.planned))
        object.__setattr__(self, "rows", tuple(self.rows))
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, got {self.phase!r}")

    @property
    def done(self) -> int:
        return len(self.rows)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        from .views import progress_mimebundle

        return progress_mimebundle(self)


def fit_exponent(points: Iterable[SweepPoint]) -> float | None:
    """Least-squares slope of log(median) against log(size): ~3 for cubic work.

    Points without a median are left out; fewer than two distinct sizes give ``None``.
    """
    xs, ys = [], []
    for p in points:
        if p.median is not None and p.median > 0 and p.size > 0:
            xs.append(math.log(p.size))
            ys.append(math.log(p.median))
    if len(set(xs)) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx
