"""What a benchmark run produces: ``BenchRow`` per variant, ``BenchResult`` for the run.

This module is the Python side of the bench contract. ``BenchResult.to_dict()`` is the
payload of the MIME type ``application/vnd.matmul-magic.bench+json``; its JSON Schema is
``schema.json`` beside this file and every field is described in ``docs/bench-schema.md``.
Times are in seconds everywhere, throughput in GFLOP/s, ``pct_of_peak`` in percent.

The module is plain data with no dependency beyond the standard library: the runner fills
it, ``display.py`` renders it, the labextension renders its JSON.

Progress contract (runner -> display)
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
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from .contract import MIME_TYPE as MIME_TYPE  # re-exported: callers import it from here too
from .contract import SCHEMA_VERSION as SCHEMA_VERSION

RowKind = Literal["course", "optional", "user"]
RowStatus = Literal["ok", "incorrect", "failed", "skipped"]
ROW_KINDS: tuple[str, ...] = ("course", "optional", "user")
PHASES: tuple[str, ...] = ("check", "time", "sweep", "done")

_OPERANDS = re.compile(r"^(mnist|user|random, seed -?\d+)$")


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: they travel as ``null``."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _require(data: Mapping[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise ValueError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
        raise TypeError(f"{where}.{key}: expected {_names(types)}, got {type(value).__name__}")
    return value


def _optional(data: Mapping[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    if value is None:
        return None
    return _require(data, key, types, where)


def _read(data: Mapping[str, Any], where: str, spec: Mapping[str, tuple[Any, bool]]) -> dict:
    """Typed fields out of ``data``: ``spec`` maps a key to ``(types, required)``."""
    return {
        key: (_require if required else _optional)(data, key, types, where)
        for key, (types, required) in spec.items()
    }


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _names(types: type | tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in _tuple(types))


_NUMBER = (int, float)
_REQUIRED, _OPTIONAL = True, False


def _check_unknown(data: Mapping[str, Any], cls: type, where: str, derived: Iterable[str] = ()):
    known = {f.name for f in fields(cls)} | set(derived)
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")


_POINT_FIELDS = {
    "size": (int, _REQUIRED), "m": (int, _REQUIRED), "k": (int, _REQUIRED),
    "n": (int, _REQUIRED), "median": (_NUMBER, _OPTIONAL), "iqr": (_NUMBER, _OPTIONAL),
    "runs": (int, _REQUIRED), "extrapolated": (bool, _REQUIRED), "error": (str, _OPTIONAL),
}  # fmt: skip
_ROW_FIELDS = {
    "name": (str, _REQUIRED), "kind": (str, _REQUIRED), "median": (_NUMBER, _OPTIONAL),
    "iqr": (_NUMBER, _OPTIONAL), "min": (_NUMBER, _OPTIONAL), "runs": (int, _REQUIRED),
    "blocks": (int, _REQUIRED), "speedup": (_NUMBER, _OPTIONAL),
    "speedup_low": (_NUMBER, _OPTIONAL), "speedup_high": (_NUMBER, _OPTIONAL),
    "gflops": (_NUMBER, _OPTIONAL),
    "pct_of_peak": (_NUMBER, _OPTIONAL), "correct": (bool, _OPTIONAL),
    "max_abs_err": (_NUMBER, _OPTIONAL), "extrapolated": (bool, _REQUIRED),
    "unreliable": (bool, _REQUIRED), "error": (str, _OPTIONAL), "note": (str, _OPTIONAL),
    "one_off": (_NUMBER, _OPTIONAL), "stalls": (int, _REQUIRED), "noisy": (bool, _REQUIRED),
    "over_budget": (bool, _REQUIRED), "exponent": (_NUMBER, _OPTIONAL),
}  # fmt: skip
_ENVIRONMENT_FIELDS = {
    "device_name": (str, _OPTIONAL), "threads": (int, _OPTIONAL), "torch": (str, _OPTIONAL),
    "python": (str, _OPTIONAL), "tf32": (bool, _OPTIONAL), "stream": (str, _OPTIONAL),
    "timer": (str, _OPTIONAL), "l2_flush": (bool, _OPTIONAL),
    "peak_gflops": (_NUMBER, _OPTIONAL),
}  # fmt: skip


@dataclass(frozen=True)
class SweepPoint:
    """One variant timed at one size of a sweep: ``a`` is ``m×k``, ``b`` is ``k×n``."""

    size: int
    m: int
    k: int
    n: int
    median: float | None = None
    iqr: float | None = None
    runs: int = 0
    extrapolated: bool = False
    error: str | None = None

    @property
    def flops(self) -> int:
        return 2 * self.m * self.k * self.n

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "m": self.m,
            "k": self.k,
            "n": self.n,
            "median": _finite(self.median),
            "iqr": _finite(self.iqr),
            "runs": self.runs,
            "extrapolated": self.extrapolated,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepPoint:
        _check_unknown(data, cls, "sweep point")
        return cls(**_read(data, "sweep point", _POINT_FIELDS))


@dataclass(frozen=True)
class BenchRow:
    """One variant's outcome. Times in seconds; ``None`` where a value was not measured.

    ``status`` is derived: ``failed`` when ``error`` is set, ``incorrect`` when the
    correctness gate failed, ``skipped`` when nothing was timed (``note`` says why),
    otherwise ``ok``. ``extrapolated`` is orthogonal to status: the timing came from a
    slice of the outputs and scaled by a fitted ``fixed + per-output`` model (``note`` says
    which slices); ``unreliable`` marks such an estimate whose fit did not hold.

    ``runs`` counts the calls timed and ``blocks`` the measurements (blocks of calls) they
    were grouped in. ``speedup`` is the median of the per-round ratios of the interleaved
    race, ``speedup_low``/``speedup_high`` its 95 % interval. ``one_off`` is the measured
    one-off cost of the first call (a JIT compile), not counted in the budget. ``stalls``
    counts blocks slower than 10× the median, ``noisy`` says IQR/median stayed above the
    run's threshold, and ``over_budget`` that one call alone outlasted the whole budget.
    """

    name: str
    kind: RowKind = "user"
    median: float | None = None
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
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a row needs a non-empty name, got {self.name!r}")
        if self.kind not in ROW_KINDS:
            raise ValueError(f"row kind must be one of {ROW_KINDS}, got {self.kind!r}")
        for key in ("runs", "blocks", "stalls"):
            value = getattr(self, key)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be a non-negative int, got {value!r}")
        object.__setattr__(self, "points", tuple(self.points))

    @property
    def status(self) -> RowStatus:
        if self.error is not None:
            return "failed"
        if self.correct is False:
            return "incorrect"
        if self.median is None:
            return "skipped"
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "median": _finite(self.median),
            "iqr": _finite(self.iqr),
            "min": _finite(self.min),
            "runs": self.runs,
            "blocks": self.blocks,
            "speedup": _finite(self.speedup),
            "speedup_low": _finite(self.speedup_low),
            "speedup_high": _finite(self.speedup_high),
            "gflops": _finite(self.gflops),
            "pct_of_peak": _finite(self.pct_of_peak),
            "correct": self.correct,
            "max_abs_err": _finite(self.max_abs_err),
            "extrapolated": self.extrapolated,
            "unreliable": self.unreliable,
            "error": self.error,
            "note": self.note,
            "one_off": _finite(self.one_off),
            "stalls": self.stalls,
            "noisy": self.noisy,
            "over_budget": self.over_budget,
            "points": [p.to_dict() for p in self.points],
            "exponent": _finite(self.exponent),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BenchRow:
        where = f"row {data.get('name', '?')!r}"
        _check_unknown(data, cls, where, derived=("status",))
        values = _read(data, where, _ROW_FIELDS)
        if values["kind"] not in ROW_KINDS:
            raise ValueError(f"{where}.kind: expected one of {ROW_KINDS}, got {values['kind']!r}")
        points = tuple(SweepPoint.from_dict(p) for p in data.get("points") or ())
        row = cls(**values, points=points)
        status = data.get("status")
        if status is not None and status != row.status:
            raise ValueError(f"{where}.status: payload says {status!r}, fields say {row.status!r}")
        return row


@dataclass(frozen=True)
class BenchEnvironment:
    """Where the numbers came from; ``None`` where it does not apply or is unknown.

    ``threads`` is torch's intra-op thread count (CPU runs); ``tf32`` and ``stream`` are
    reported on CUDA; ``peak_gflops`` is the device's peak for the run's dtype, when known,
    and is what ``pct_of_peak`` divides by.
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

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["peak_gflops"] = _finite(self.peak_gflops)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BenchEnvironment:
        _check_unknown(data, cls, "environment")
        return cls(**_read(data, "environment", _ENVIRONMENT_FIELDS))


@dataclass
class BenchResult:
    """The outcome of ``bench(...)``: rows in run order plus the conditions they ran under.

    ``shapes`` maps ``"a"`` and ``"b"`` to the operand shapes (``a`` is ``m×k``, ``b`` is
    ``k×n``). ``operands`` is ``"mnist"``, ``"user"`` (``a=``/``b=`` given) or
    ``"random, seed N"``. ``baseline`` names the row speedups are relative to (``None``
    when that row has no time). ``sweep_sizes`` is empty unless ``sweep=`` was given, in
    which case each row's ``points`` and ``exponent`` hold the sweep.

    In a notebook the result displays itself (``_repr_mimebundle_``) as JSON for the
    JupyterLab renderer, an HTML table with SVG charts, and an aligned text table.
    """

    rows: list[BenchRow]
    device: str
    dtype: str
    shapes: dict[str, tuple[int, ...]]
    interrupted: bool = False
    operands: str = "random, seed 0"
    environment: BenchEnvironment = field(default_factory=BenchEnvironment)
    budget: float | None = None
    elapsed: float | None = None
    baseline: str | None = None
    sweep_sizes: tuple[int, ...] = ()
    threshold: float = 0.05

    def __post_init__(self) -> None:
        self.rows = list(self.rows)
        self.shapes = {key: tuple(int(d) for d in shape) for key, shape in self.shapes.items()}
        self.sweep_sizes = tuple(self.sweep_sizes)
        if not _OPERANDS.match(self.operands):
            raise ValueError(
                f"operands must be 'mnist', 'user' or 'random, seed N', got {self.operands!r}"
            )
        if not 0 < self.threshold < 1:
            raise ValueError(f"threshold is a fraction in (0, 1), got {self.threshold!r}")
        if set(self.shapes) != {"a", "b"}:
            raise ValueError(
                f"shapes needs exactly the keys 'a' and 'b', got {sorted(self.shapes)}"
            )

    # -- derived views -------------------------------------------------------------------------

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

    # -- the contract --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready payload of ``application/vnd.matmul-magic.bench+json``."""
        m, k, n = self.mkn
        return {
            "version": SCHEMA_VERSION,
            "device": self.device,
            "dtype": self.dtype,
            "shapes": {key: list(shape) for key, shape in self.shapes.items()},
            "flops": 2 * m * k * n,
            "operands": self.operands,
            "interrupted": self.interrupted,
            "budget": _finite(self.budget),
            "elapsed": _finite(self.elapsed),
            "baseline": self.baseline,
            "threshold": self.threshold,
            "environment": self.environment.to_dict(),
            "sweep": {"sizes": list(self.sweep_sizes)} if self.sweep_sizes else None,
            "rows": [row.to_dict() for row in self.rows],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BenchResult:
        """Rebuild a result from its payload; ``ValueError``/``TypeError`` name the bad field."""
        if not isinstance(data, Mapping):
            raise TypeError(f"a bench payload is a JSON object, got {type(data).__name__}")
        where = "bench"
        version = _require(data, "version", int, where)
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"bench payload version {version} is not supported (this is {SCHEMA_VERSION})"
            )
        known = {f.name for f in fields(cls)} - {"sweep_sizes"} | {"version", "flops", "sweep"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
        shapes = _require(data, "shapes", dict, where)
        sweep = _optional(data, "sweep", dict, where)
        result = cls(
            rows=[BenchRow.from_dict(r) for r in _require(data, "rows", list, where)],
            device=_require(data, "device", str, where),
            dtype=_require(data, "dtype", str, where),
            shapes={key: tuple(_shape(value, key)) for key, value in shapes.items()},
            interrupted=_require(data, "interrupted", bool, where),
            operands=_require(data, "operands", str, where),
            environment=BenchEnvironment.from_dict(_require(data, "environment", dict, where)),
            budget=_optional(data, "budget", _NUMBER, where),
            elapsed=_optional(data, "elapsed", _NUMBER, where),
            baseline=_optional(data, "baseline", str, where),
            threshold=_require(data, "threshold", _NUMBER, where),
            sweep_sizes=tuple(sweep["sizes"]) if sweep else (),
        )
        flops = data.get("flops")
        if flops is not None and flops != result.flops:
            raise ValueError(f"bench.flops: payload says {flops}, shapes give {result.flops}")
        return result

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        from .views import mimebundle

        return mimebundle(self.to_dict(), include=include, exclude=exclude)

    def __repr__(self) -> str:
        from .views import to_text

        return to_text(self.to_dict())


def _shape(value: Any, key: str) -> Sequence[int]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value)
    ):
        raise TypeError(f"bench.shapes.{key}: expected a non-empty list of sizes, got {value!r}")
    return value


@dataclass(frozen=True)
class BenchProgress:
    """A snapshot sent to ``on_progress`` while ``bench()`` runs (see the module docstring).

    ``planned`` is every variant name in run order; ``rows`` the rows so far;
    ``current`` the variant now running (``None`` once all are done, and while the
    interleaved rounds time every row); ``phase`` one of ``check``, ``time``, ``sweep``,
    ``done``;
    ``size`` the sweep size being timed; ``elapsed`` and ``budget`` in seconds.
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
