"""Inline tests for notebooks: fastcore.test's API plus the lesson's ``near`` and ``test_near``.

Every ``test_*`` function raises ``AssertionError`` with fastcore's message form
``"{cname}:\\n{a}\\n{b}"`` when it fails. For tensors and arrays a short diagnosis follows
those lines: shapes, dtypes and devices, how many elements differ, and the largest absolute
and relative difference with its index.

Where this module differs from fastcore.test (fastcore is silently wrong in these cases):

- array-likes (tensors, numpy arrays, and lists compared with them) of different shapes are
  never equal, close or near; fastcore broadcasts, so ``zeros(3)`` "equals" ``zeros(2, 3)``;
- ``is_close``/``test_close`` do not truncate iterables of different lengths (fastcore zips);
- a numpy length mismatch is an ``AssertionError``, never a ``ValueError`` from broadcasting;
- failures raise ``AssertionError`` explicitly, so they still fail under ``python -O``.

Inside ``collect_tests()`` (and the ``%%tests`` cell magic) failing ``test_*`` calls are
recorded instead of raised, so one run reports every failure.

torch and numpy are never imported here at module level: a value can only be a tensor
if torch is already imported, so checks look in ``sys.modules``; numpy is imported on
the first numeric comparison that needs it. ``import matmul_magic.testing`` costs only
the standard library.
"""

from __future__ import annotations

import contextvars
import functools
import io
import itertools
import numbers
import os
import re
import sys
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "test",
    "test_eq",
    "test_ne",
    "test_eq_type",
    "is_close",
    "test_close",
    "test_is",
    "test_shuffled",
    "test_stdout",
    "test_warns",
    "test_fail",
    "ExceptionExpected",
    "exception",
    "equals",
    "nequals",
    "near",
    "test_near",
    "collect_tests",
    "TestReport",
    "TestFailure",
]

NEAR_RTOL = 1e-3
NEAR_ATOL = 1e-5
CLOSE_EPS = 1e-5

# Values with more elements than this print compactly; printed values never exceed _MAX_LINES.
_COMPACT_NUMEL = 200
_MAX_LINES = 24
_MAX_CHARS = 4000


# ---------------------------------------------------------------------------------------------
# Recording failures (collect_tests / %%tests)
# ---------------------------------------------------------------------------------------------


@dataclass
class TestFailure:
    """One failing ``test_*`` call: which function, on which line, and its message."""

    __test__ = False  # not a pytest test class

    name: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        return f"{where}: {self.name} failed\n{self.message}"


@dataclass
class TestReport:
    """What ``collect_tests()`` saw: the number of passing calls and every failure."""

    __test__ = False

    passed: int = 0
    failures: list[TestFailure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"

    def __str__(self) -> str:
        return "\n".join([*(str(f) for f in self.failures), self.summary()])


class _Collector:
    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self.report = TestReport()

    def line_of(self, frame: Any) -> int | None:
        """The line of the innermost frame that runs code from the watched file."""
        while frame is not None:
            if frame.f_code.co_filename == self.filename:
                return frame.f_lineno
            frame = frame.f_back
        return None


_COLLECTOR: contextvars.ContextVar[_Collector | None] = contextvars.ContextVar(
    "matmul_magic_collector", default=None
)
# How many test_* calls (or ExceptionExpected blocks) are running: only the outermost records.
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("matmul_magic_depth", default=0)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _ours(entry: types.TracebackType) -> bool:
    frame = entry.tb_frame
    return frame.f_code.co_filename.startswith(_PACKAGE_DIR) or bool(
        frame.f_locals.get("__tracebackhide__")
    )


def _user_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` without its tail of package (and ``__tracebackhide__``) frames."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    last = max((i for i, entry in enumerate(entries) if not _ours(entry)), default=None)
    if last is None:
        return entries[0] if entries else None
    trimmed = None
    for entry in reversed(entries[: last + 1]):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed


def _ends_at_the_users_line(error: BaseException) -> BaseException:
    """Let IPython show ``error``'s traceback ending at the user's call.

    pytest hides frames that set ``__tracebackhide__``; IPython does too, except the last
    one, which for a failed test is always ours. IPython asks an exception for
    ``_render_traceback_()`` first: this one renders the traceback without our tail.
    """

    def render() -> list[str]:
        tb = _user_traceback(error.__traceback__)
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None:  # never raise here: IPython would print a second traceback
            import traceback

            return traceback.format_exception(type(error), error, tb)
        return shell.InteractiveTB.structured_traceback(type(error), error, tb)

    error._render_traceback_ = render  # type: ignore[attr-defined]
    return error


def _recorded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Make ``fn`` record its outcome instead of raising while a collector is active."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841  (pytest and IPython hide this frame)
        collector, depth = _COLLECTOR.get(), _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            if depth:
                return fn(*args, **kwargs)
            if collector is None:
                try:
                    return fn(*args, **kwargs)
                except AssertionError as e:
                    raise _ends_at_the_users_line(e) from None
            try:
                fn(*args, **kwargs)
            except AssertionError as e:
                line = collector.line_of(sys._getframe(1))
                collector.report.failures.append(TestFailure(fn.__name__, line, str(e)))
            else:
                collector.report.passed += 1
            return None
        finally:
            _DEPTH.reset(token)

    wrapper.__test__ = False  # type: ignore[attr-defined]  # `from ... import *` in pytest files
    return wrapper


class collect_tests:  # noqa: N801  (used like a function: `with collect_tests() as report:`)
    """Run a block of tests and report every failure instead of stopping at the first.

    Inside the ``with`` block each failing ``test_*`` call of this module (also through the
    line magics) is recorded with its line number, and the block goes on. On leaving the
    block the failures and a closing line ``N passed, M failed`` are printed (``show=False``
    silences this) and, when any test failed, ``AssertionError`` is raised (unless
    ``raise_on_failure=False``). Any other exception propagates as usual, after the
    failures recorded so far are printed. Plain ``assert`` statements are not recorded.

    ``filename`` is the file whose line numbers are reported; by default the file of the
    code that enters the block. This is the plain-Python twin of the ``%%tests`` cell magic::

        with collect_tests(raise_on_failure=False) as report:
            test_eq(1 + 1, 2)
            test_near(torch.ones(3), torch.zeros(3))
        report.passed, report.failed   # (1, 1)
    """

    __test__ = False

    def __init__(
        self,
        *,
        raise_on_failure: bool = True,
        show: bool = True,
        file: Any = None,
        filename: str | None = None,
    ) -> None:
        self.raise_on_failure = raise_on_failure
        self.show = show
        self.file = file
        self.filename = filename
        self._tokens: list[tuple[contextvars.Token, contextvars.Token]] = []
        self.report = TestReport()

    def __enter__(self) -> TestReport:
        filename = self.filename or sys._getframe(1).f_code.co_filename
        collector = _Collector(filename)
        self.report = collector.report
        self._tokens.append((_COLLECTOR.set(collector), _DEPTH.set(0)))
        return self.report

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        __tracebackhide__ = True  # noqa: F841
        collector_token, depth_token = self._tokens.pop()
        _DEPTH.reset(depth_token)
        _COLLECTOR.reset(collector_token)
        report = self.report
        if exc_type is not None:
            if self.show and report.failures:
                self._print(f"{report}, then {exc_type.__name__} stopped the run")
            return False
        if self.show:
            self._print(str(report))
        if report.failures and self.raise_on_failure:
            lines = ", ".join(str(f.line) for f in report.failures if f.line is not None)
            where = f" (line{'s' if ',' in lines else ''} {lines})" if lines else ""
            total = report.passed + report.failed
            error = AssertionError(f"{report.failed} of {total} tests failed{where}")
            raise _ends_at_the_users_line(error)
        return False

    def _print(self, text: str) -> None:
        print(text, file=self.file if self.file is not None else sys.stdout)


# ---------------------------------------------------------------------------------------------
# Recognising and converting array-likes (no import of torch or numpy unless needed)
# ---------------------------------------------------------------------------------------------


def _is_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _is_ndarray(x: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.ndarray)


def _is_array(x: Any) -> bool:
    return _is_tensor(x) or _is_ndarray(x)


def _class_names(x: Any) -> set[str]:
    return {t.__name__ for t in type(x).__mro__}


def _is_iter(x: Any) -> bool:
    # 0-d tensors and arrays claim to be iterable but are not.
    return isinstance(x, Iterable) and getattr(x, "ndim", 1) != 0


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in x.shape)


@dataclass
class _Pair:
    """Two values as arrays of one library, with what is needed to explain a mismatch."""

    lib: str  # "torch" or "numpy"
    a: Any
    b: Any
    shape_a: tuple[int, ...]
    shape_b: tuple[int, ...]
    kind_a: str  # dtype, or the Python type of a non-array input
    kind_b: str
    devices: str | None = None  # a line about devices, for tensors

    @property
    def same_shape(self) -> bool:
        return self.shape_a == self.shape_b


def _kind(original: Any, converted: Any) -> str:
    return str(converted.dtype) if _is_array(original) else type(original).__name__


def _numeric_numpy(x: Any) -> Any:
    """``x`` as a numpy array of numbers or booleans, or None when it is not one."""
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(x)
    except Exception:  # ragged lists, objects numpy cannot hold
        return None
    return arr if arr.dtype.kind in "biufc" else None


def _tensor_to_numpy(t: Any) -> Any:
    torch = sys.modules["torch"]
    t = t.detach().cpu().resolve_conj().resolve_neg()
    if t.dtype in (torch.bfloat16,) or "float8" in str(t.dtype):
        t = t.to(torch.float32)  # no numpy dtype for these
    return t.numpy()


def _is_floating(dtype: Any) -> bool:
    """Floating or complex, for torch and numpy dtypes alike."""
    if hasattr(dtype, "is_floating_point"):
        return dtype.is_floating_point or dtype.is_complex
    return dtype.kind in "fc"


def _python_to_tensor(x: Any, like: Any) -> Any:
    """``x`` (a list or number) as a tensor next to ``like``.

    Floats take ``like``'s float dtype, as Python numbers do in torch arithmetic, so
    ``[0.1]`` equals ``torch.tensor([0.1], dtype=torch.float64)`` and a float32 tensor
    alike.
    """
    torch = sys.modules["torch"]
    if _is_ndarray(x):
        return torch.as_tensor(x, device=like.device)
    guess = torch.as_tensor(x)
    same_family = guess.dtype.is_complex == like.dtype.is_complex or not guess.dtype.is_complex
    if guess.dtype.is_floating_point and _is_floating(like.dtype) and same_family:
        return torch.as_tensor(x, dtype=like.dtype, device=like.device)
    return torch.as_tensor(x, device=like.device)


def _pair(a: Any, b: Any, numeric_sequences: bool = False) -> _Pair | None:
    """Both values as tensors (if either is one) or numpy arrays; None if they are not arrays.

    With ``numeric_sequences``, two numeric lists or scalars also count as arrays (for
    ``near`` and ``is_close``).
    """
    if _is_tensor(a) or _is_tensor(b):
        pair = _torch_pair(a, b)
        if pair is not None:
            return pair
        a = _tensor_to_numpy(a) if _is_tensor(a) else a
        b = _tensor_to_numpy(b) if _is_tensor(b) else b
        return _numpy_pair(a, b)
    if _is_ndarray(a) or _is_ndarray(b):
        return _numpy_pair(a, b)
    if numeric_sequences and not isinstance(a, (str, bytes)) and not isinstance(b, (str, bytes)):
        return _numpy_pair(a, b)
    return None


def _torch_pair(a: Any, b: Any) -> _Pair | None:
    device = a.device if _is_tensor(a) else b.device
    try:
        ta = a if _is_tensor(a) else _python_to_tensor(a, b)
        tb = b if _is_tensor(b) else _python_to_tensor(b, a)
    except (TypeError, ValueError, RuntimeError):
        return None
    devices = None
    if _is_tensor(a) and _is_tensor(b):
        devices = f"devices: {a.device} vs {b.device}"
        if ta.device != tb.device:
            ta, tb = ta.detach().cpu(), tb.detach().cpu()
            devices += " (different devices: compared on the CPU)"
    else:
        devices = f"device: {device}"
    return _Pair(
        "torch", ta, tb, _shape(ta), _shape(tb), _kind(a, ta), _kind(b, tb), devices=devices
    )


def _numpy_pair(a: Any, b: Any) -> _Pair | None:
    import numpy as np

    def convert(x: Any, other: Any) -> Any:
        if isinstance(x, np.ndarray):
            return x
        # Lists of strings or objects compare element by element instead, as in fastcore.
        arr = _numeric_numpy(x)
        if arr is not None and isinstance(other, np.ndarray):
            # Python floats take the array's float dtype, as NumPy does for scalars.
            if arr.dtype.kind == "f" and other.dtype.kind in "fc":
                arr = arr.astype(other.dtype)
        return arr

    na, nb = convert(a, b), convert(b, a)
    if na is None or nb is None:
        return None
    return _Pair("numpy", na, nb, _shape(na), _shape(nb), _kind(a, na), _kind(b, nb))


def _numeric(pair: _Pair) -> bool:
    if pair.lib == "torch":
        return True
    return pair.a.dtype.kind in "biufc" and pair.b.dtype.kind in "biufc"


def _common(pair: _Pair, force_float: bool = False) -> tuple[Any, Any]:
    """The pair cast to one dtype, as ``torch.isclose`` needs (numpy promotes by itself)."""
    if pair.lib != "torch":
        return pair.a, pair.b
    torch = sys.modules["torch"]
    dtype = torch.promote_types(pair.a.dtype, pair.b.dtype)
    if force_float and not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float64
    return pair.a.to(dtype), pair.b.to(dtype)


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def _all_equal(a: Any, b: Any) -> bool:
    if not _is_iter(b):
        return bool(a == b)
    return all(equals(x, y) for x, y in itertools.zip_longest(a, b, fillvalue=_MISSING))


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _array_equal(pair: _Pair) -> bool:
    if not pair.same_shape:
        return False
    a, b = _common(pair)
    if pair.lib == "torch":
        return bool(sys.modules["torch"].equal(a, b))
    import numpy as np

    try:
        return bool(np.all(a == b))
    except Exception:
        return False


def equals(a: Any, b: Any) -> bool:
    """Compare ``a`` and ``b`` for equality; supports sublists, tensors and arrays too.

    Lists, tuples, generators and other iterables compare item by item (generators are
    consumed); strings, dicts and sets with ``==``; tensors and numpy arrays by content,
    also against a plain list or scalar of the same shape (``equals(torch.zeros(3),
    [0, 0, 0])`` is True, whatever the dtypes). Python floats take the float dtype of the
    tensor or array they meet, as in torch arithmetic, so ``[0.1]`` equals a float32
    ``tensor([0.1])``.

    Unlike fastcore, array-likes of different shapes are never equal: fastcore broadcasts,
    so ``zeros(3)`` equals ``zeros(2, 3)`` there, but not here.
    """
    if a is _MISSING or b is _MISSING:
        return False
    if (a is None) != (b is None):
        return False
    if isinstance(a, type) or isinstance(b, type):
        return bool(a == b)
    if hasattr(a, "__array_eq__"):
        return bool(a.__array_eq__(b))
    if hasattr(b, "__array_eq__"):
        return bool(b.__array_eq__(a))
    if _is_array(a) or _is_array(b):
        pair = _pair(a, b)
        if pair is not None:
            return _array_equal(pair)
        return _all_equal(a, b) if _is_iter(a) and _is_iter(b) else False
    if "NDFrame" in _class_names(a):
        return bool(a.equals(b))
    if "NDFrame" in _class_names(b):
        return bool(b.equals(a))
    if isinstance(a, dict) and isinstance(b, dict):
        # Values compare with `equals` too, so dicts of tensors work.
        return a.keys() == b.keys() and all(equals(a[k], b[k]) for k in a)
    if isinstance(a, (str, bytes, dict, set, frozenset)) or isinstance(
        b, (str, bytes, dict, set, frozenset)
    ):
        return bool(a == b)
    if _is_iter(a) or _is_iter(b):
        return _all_equal(a, b)
    return bool(a == b)


def nequals(a: Any, b: Any) -> bool:
    """Compare ``a`` and ``b`` for ``not equals``."""
    return not equals(a, b)


@dataclass(frozen=True)
class _Tolerance:
    """``|a - b| <= atol + rtol * |b|`` (or ``<`` when ``strict``), NaN equal if asked."""

    rtol: float
    atol: float
    strict: bool
    equal_nan: bool

    def __post_init__(self) -> None:
        # Checked here, once, so that floats, lists, numpy and torch all refuse alike
        # (torch alone raised, and a RuntimeError at that; the others compared silently).
        for name, value in (("rtol", self.rtol), ("atol (or eps)", self.atol)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
            if not value >= 0:  # NaN fails this too
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")

    def describe(self) -> str:
        op = "<" if self.strict else "<="
        bound = f"{self.atol:g}" if not self.rtol else f"{self.atol:g} + {self.rtol:g} * |b|"
        nan = ", NaN == NaN" if self.equal_nan else ""
        return f"tolerance: |a - b| {op} {bound}{nan}"

    def mask(self, pair: _Pair) -> Any:
        """Elementwise "within tolerance" for a same-shape pair."""
        a, b = _common(pair, force_float=True)
        if pair.lib == "torch":
            torch = sys.modules["torch"]
            if not self.strict:
                return torch.isclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)
            ok = ((a - b).abs() < self.atol + self.rtol * b.abs()) | (a == b)
            return ok | (a.isnan() & b.isnan()) if self.equal_nan else ok
        import numpy as np

        with np.errstate(all="ignore"):
            a = a.astype(np.float64) if a.dtype.kind in "biu" else a
            b = b.astype(np.float64) if b.dtype.kind in "biu" else b
            if not self.strict:
                return np.isclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)
            ok = (np.abs(a - b) < self.atol + self.rtol * np.abs(b)) | (a == b)
            return ok | (np.isnan(a) & np.isnan(b)) if self.equal_nan else ok


def _scalar_close(a: Any, b: Any, tol: _Tolerance) -> bool:
    try:
        diff, limit = abs(a - b), tol.atol + tol.rtol * abs(b)
        ok = bool(diff < limit if tol.strict else diff <= limit) or bool(a == b)
    except TypeError:
        return bool(a == b)
    if not ok and tol.equal_nan:
        return a != a and b != b  # both NaN
    return ok


def _within(a: Any, b: Any, tol: _Tolerance) -> bool:
    if a is _MISSING or b is _MISSING:
        return False
    if isinstance(a, (str, bytes, set, frozenset)) or isinstance(b, (str, bytes, set, frozenset)):
        return equals(a, b)
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_within(a[k], b[k], tol) for k in a)
        )
    pair = _pair(a, b, numeric_sequences=True)
    if pair is not None and not _numeric(pair):
        return equals(a, b)  # strings and objects: close means equal, as in fastcore
    if pair is not None:
        return pair.same_shape and bool(tol.mask(pair).all())
    if _is_iter(a) or _is_iter(b):
        if not (_is_iter(a) and _is_iter(b)):
            return False
        zipped = itertools.zip_longest(a, b, fillvalue=_MISSING)  # never truncate
        return all(_within(x, y, tol) for x, y in zipped)
    return _scalar_close(a, b, tol)


def _close_tolerance(eps: float | None, atol: float | None, rtol: float, equal_nan: bool):
    if eps is not None and atol is not None:
        raise TypeError("give the absolute tolerance as eps= or atol=, not both")
    bound = eps if eps is not None else atol if atol is not None else CLOSE_EPS
    return _Tolerance(rtol=rtol, atol=bound, strict=True, equal_nan=equal_nan)


def _near_tolerance(rtol: float, atol: float | None, eps: float | None, equal_nan: bool):
    if eps is not None and atol is not None:
        raise TypeError("give the absolute tolerance as atol= or eps=, not both")
    bound = eps if eps is not None else atol if atol is not None else NEAR_ATOL
    return _Tolerance(rtol=rtol, atol=bound, strict=False, equal_nan=equal_nan)


def is_close(
    a: Any,
    b: Any,
    eps: float | None = None,
    *,
    atol: float | None = None,
    rtol: float = 0.0,
    equal_nan: bool = False,
) -> bool:
    """Is ``a`` within ``eps`` (default 1e-5) of ``b``: ``|a - b| < eps + rtol * |b|``?

    Works on numbers, tensors, numpy arrays and (nested) lists of numbers; strings and
    other non-numbers compare with ``==``. ``atol=`` is another name for ``eps``;
    ``equal_nan=True`` counts NaN against NaN as close.

    Unlike fastcore: iterables of different lengths are not close (fastcore zips them and
    ignores the extra items), and array-likes of different shapes are not close (fastcore
    broadcasts, or raises ``ValueError`` for numpy arrays of different lengths).
    """
    return _within(a, b, _close_tolerance(eps, atol, rtol, equal_nan))


def near(
    a: Any,
    b: Any,
    rtol: float = NEAR_RTOL,
    atol: float = NEAR_ATOL,
    *,
    equal_nan: bool = False,
) -> bool:
    """The lesson's ``near``: ``torch.allclose(a, b, rtol=1e-3, atol=1e-5)``.

    Elementwise ``|a - b| <= atol + rtol * |b|``. Tensors compare with ``torch.isclose``
    after promotion to a common dtype (and on the CPU if they live on different devices);
    numpy arrays, (nested) lists and scalars are accepted too. Unlike ``torch.allclose``,
    different shapes are never near: nothing is broadcast.
    """
    return _within(a, b, _Tolerance(rtol=rtol, atol=atol, strict=False, equal_nan=equal_nan))


# ---------------------------------------------------------------------------------------------
# Failure messages
# ---------------------------------------------------------------------------------------------


def _clip(text: str) -> str:
    lines = text.splitlines() or [""]
    if len(lines) > _MAX_LINES:
        hidden = len(lines) - _MAX_LINES + 4
        lines = [*lines[: _MAX_LINES - 5], f"... ({hidden} more lines)", *lines[-4:]]
    text = "\n".join(lines)
    if len(text) > _MAX_CHARS:
        text = text[: _MAX_CHARS - 40] + f" ... ({len(text) - _MAX_CHARS + 40} more characters)"
    return text


def _numel(x: Any) -> int:
    n = 1
    for d in x.shape:
        n *= int(d)
    return n


def _show(x: Any) -> str:
    """``str(x)``, as fastcore prints it, except big arrays print compactly."""
    if _is_array(x) and _numel(x) > _COMPACT_NUMEL:
        import numpy as np

        arr = _tensor_to_numpy(x) if _is_tensor(x) else x
        body = np.array2string(arr, threshold=20, edgeitems=3, max_line_width=100, precision=4)
        what = "tensor" if _is_tensor(x) else "array"
        where = f", device {x.device}" if _is_tensor(x) else ""
        text = f"{what} of shape {_shape_text(_shape(x))}, dtype {x.dtype}{where}:\n{body}"
        return _clip(text)
    return _clip(str(x))


def _shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _diagnosis(pair: _Pair | None, bad: Any = None, tol: _Tolerance | None = None) -> list[str]:
    """Lines that explain why two array-likes are not equal, close or near."""
    if pair is None:
        return []
    shapes = f"shapes: {_shape_text(pair.shape_a)} vs {_shape_text(pair.shape_b)}"
    if not pair.same_shape:
        shapes += " (different shapes: never equal or near, nothing is broadcast)"
    lines = [shapes, f"dtypes: {pair.kind_a} vs {pair.kind_b}"]
    if pair.devices:
        lines.append(pair.devices)
    if pair.same_shape and bad is not None:
        lines += _difference_lines(pair, bad)
    if tol is not None:
        lines.append(tol.describe())
    return lines


def _difference_lines(pair: _Pair, bad: Any) -> list[str]:
    import numpy as np

    bad = _tensor_to_numpy(bad) if _is_tensor(bad) else np.asarray(bad)
    total, n_bad = bad.size, int(bad.sum())
    lines = [f"differing elements: {n_bad} of {total} ({100 * n_bad / max(total, 1):.3g}%)"]
    a = _tensor_to_numpy(pair.a) if pair.lib == "torch" else pair.a
    b = _tensor_to_numpy(pair.b) if pair.lib == "torch" else pair.b
    if a.dtype.kind not in "biufc" or b.dtype.kind not in "biufc" or n_bad == 0:
        if n_bad:
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            lines.append(
                f"first difference at index {first}: {a[first].item()!r} vs {b[first].item()!r}"
            )
        return lines
    with np.errstate(all="ignore"):
        fa = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        fb = b.astype(np.complex128 if b.dtype.kind == "c" else np.float64)
        diff = np.abs(fa - fb)
        rel = diff / np.abs(fb)
        rel = np.where(diff == 0, 0.0, rel)  # 0/0 is no difference
    nan_a, nan_b = int(np.isnan(fa).sum()), int(np.isnan(fb).sum())
    if nan_a or nan_b:
        lines.append(f"NaN: {nan_a} in a, {nan_b} in b")
    for label, values in (("abs", diff), ("rel", rel)):
        masked = np.where(bad & ~np.isnan(values), values, -np.inf)
        if np.all(masked == -np.inf):
            continue
        index = np.unravel_index(int(np.argmax(masked)), masked.shape)
        index = tuple(int(i) for i in index)
        lines.append(
            f"largest {label} diff: {_fmt(float(values[index]))} at index {index}"
            f" (a={_fmt(a[index].item())}, b={_fmt(b[index].item())})"
        )
    return lines


def _message(cname: str, a: Any, b: Any, extra: list[str] | None = None) -> str:
    head = f"{cname}:\n{_show(a)}\n{_show(b)}"
    return "\n".join([head, *extra]) if extra else head


def _equal_failure(cname: str, a: Any, b: Any, want_equal: bool) -> str:
    extra: list[str] = []
    if _is_array(a) or _is_array(b):
        pair = _pair(a, b)
        bad = None
        if pair is not None and pair.same_shape and want_equal:
            x, y = _common(pair)
            bad = (x != y) if pair.lib == "torch" else _numpy_ne(x, y)
        extra = _diagnosis(pair, bad)
    return _message(cname, a, b, extra)


def _numpy_ne(x: Any, y: Any) -> Any:
    import numpy as np

    try:
        return np.asarray(x != y, dtype=bool)
    except Exception:
        return None


def _within_failure(cname: str, a: Any, b: Any, tol: _Tolerance) -> str:
    extra: list[str] = []
    if not isinstance(a, (str, bytes)) and not isinstance(b, (str, bytes)):
        pair = _pair(a, b, numeric_sequences=True)
        scalars = pair is not None and not pair.shape_a and not pair.shape_b
        if scalars and not (_is_array(a) or _is_array(b)):
            pass  # two plain numbers: fastcore's message says it all
        elif pair is not None and not _numeric(pair):
            bad = _numpy_ne(pair.a, pair.b) if pair.same_shape else None
            extra = _diagnosis(pair, bad)
        elif pair is not None:
            bad = ~tol.mask(pair) if pair.same_shape else None
            extra = _diagnosis(pair, bad, tol)
        elif _is_iter(a) and _is_iter(b) and hasattr(a, "__len__") and hasattr(b, "__len__"):
            if len(a) != len(b):
                extra = [f"lengths: {len(a)} vs {len(b)} (different lengths: never close)"]
    return _message(cname, a, b, extra)


# ---------------------------------------------------------------------------------------------
# The test functions
# ---------------------------------------------------------------------------------------------


@_recorded
def test_fail(
    f: Callable[..., Any],
    msg: str = "",
    contains: str = "",
    exc: type[BaseException] = Exception,
    args: Iterable[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> None:
    """Fail with ``msg`` unless ``f(*args, **kwargs)`` raises ``exc``, optionally with
    ``contains`` in its message.

    >>> test_fail(lambda: 1 / 0, contains="division")

    Unlike fastcore, ``f`` must be callable: ``test_fail(g(x))`` passes ``g``'s result,
    and calling it would raise a ``TypeError`` that fastcore counts as the expected failure.
    """
    __tracebackhide__ = True  # noqa: F841
    if not callable(f):
        raise TypeError(
            f"test_fail needs a function to call, such as lambda: g(x); got {type(f).__name__} "
            f"{f!r:.60}"
        )
    try:
        f(*(args or ()), **(kwargs or {}))
    except exc as e:
        if contains and contains not in str(e):
            raise AssertionError(f"Expected {contains!r} in the exception, got: {e}. {msg}") from e
        return
    except Exception as e:
        raise AssertionError(
            f"Expected {exc.__name__} but got {type(e).__name__}: {e}. {msg}"
        ) from e
    raise AssertionError(f"Expected {exc.__name__} but none raised. {msg}")


@_recorded
def test(a: Any, b: Any, cmp: Callable[[Any, Any], Any], cname: str | None = None) -> None:
    """Assert that ``cmp(a, b)``; show both inputs and ``cname or cmp.__name__`` if it fails.

    The message is ``"{cname}:\\n{a}\\n{b}"``, followed for tensors and arrays by their
    shapes, dtypes and devices.

    >>> import operator
    >>> test([1, 2], [1, 2], operator.eq)
    """
    __tracebackhide__ = True  # noqa: F841
    if cname is None:
        cname = getattr(cmp, "__name__", repr(cmp))
    if not cmp(a, b):
        extra = _diagnosis(_pair(a, b)) if (_is_array(a) or _is_array(b)) else []
        raise AssertionError(_message(cname, a, b, extra))


@_recorded
def test_eq(a: Any, b: Any) -> None:
    """Test that ``a == b``, using ``equals`` (lists, dicts, sets, tensors, arrays...).

    Tensors and arrays equal a list or scalar with the same shape and values, whatever
    the dtypes; different shapes never pass (fastcore broadcasts them). A failure shows
    shapes, dtypes, devices, the number of differing elements and the largest
    differences with their index.

    >>> test_eq([1, 2], (1, 2))
    >>> test_eq({"a", "b"}, {"b", "a"})
    """
    __tracebackhide__ = True  # noqa: F841
    if not equals(a, b):
        raise AssertionError(_equal_failure("==", a, b, want_equal=True))


@_recorded
def test_ne(a: Any, b: Any) -> None:
    """Test that ``a != b`` (the opposite of ``test_eq``).

    >>> test_ne([1, 2], [1, 3])
    """
    __tracebackhide__ = True  # noqa: F841
    if not nequals(a, b):
        raise AssertionError(_equal_failure("!=", a, b, want_equal=False))


@_recorded
def test_eq_type(a: Any, b: Any) -> None:
    """Test that ``a == b`` and that they have the same type (item by item for lists/tuples).

    >>> test_eq_type([1, 2], [1, 2])
    """
    __tracebackhide__ = True  # noqa: F841
    test_eq(a, b)
    test_eq(type(a), type(b))
    if isinstance(a, (list, tuple)):
        test_eq(list(map(type, a)), list(map(type, b)))


@_recorded
def test_close(
    a: Any,
    b: Any,
    eps: float | None = None,
    *,
    atol: float | None = None,
    rtol: float = 0.0,
    equal_nan: bool = False,
) -> None:
    """Test that ``a`` is within ``eps`` (default 1e-5) of ``b``: ``|a - b| < eps + rtol*|b|``.

    ``atol=`` is another name for ``eps``; ``rtol=`` adds a relative part and
    ``equal_nan=True`` lets NaN match NaN. Works on numbers, tensors, arrays and lists.
    Iterables of different lengths fail (fastcore truncates them), and so do array-likes
    of different shapes (fastcore broadcasts, or raises ``ValueError`` for numpy).

    >>> test_close(1, 1.001, eps=1e-2)
    >>> test_close([-0.001, 1.001], [0.0, 1.0], eps=1e-2)
    """
    __tracebackhide__ = True  # noqa: F841
    tol = _close_tolerance(eps, atol, rtol, equal_nan)
    if not _within(a, b, tol):
        raise AssertionError(_within_failure("close", a, b, tol))


@_recorded
def test_near(
    a: Any,
    b: Any,
    rtol: float = NEAR_RTOL,
    atol: float | None = None,
    *,
    eps: float | None = None,
    equal_nan: bool = False,
) -> None:
    """Test that ``near(a, b)``: ``torch.allclose(a, b, rtol=1e-3, atol=1e-5)``.

    Elementwise ``|a - b| <= atol + rtol * |b|`` on tensors, numpy arrays, lists and
    scalars. Override the tolerances with ``rtol=``, ``atol=`` (or its alias ``eps=``) and
    ``equal_nan=``. Different shapes never pass. A failure shows shapes, dtypes, devices,
    how many elements are out of tolerance, and the largest absolute and relative
    differences with their index.

    >>> test_near(1.0, 1.0005)
    >>> test_near([1.0, 2.0], [1.01, 2.0], rtol=1e-2)
    """
    __tracebackhide__ = True  # noqa: F841
    tol = _near_tolerance(rtol, atol, eps, equal_nan)
    if not _within(a, b, tol):
        raise AssertionError(_within_failure("near", a, b, tol))


@_recorded
def test_is(a: Any, b: Any) -> None:
    """Test that ``a is b``.

    >>> x = [1]
    >>> test_is(x, x)
    """
    __tracebackhide__ = True  # noqa: F841
    if a is not b:
        raise AssertionError(_message("is", a, b))


@_recorded
def test_shuffled(a: Any, b: Any) -> None:
    """Test that ``a`` and ``b`` are shuffled versions of the same items (equal as
    multisets, but not equal as sequences).

    >>> test_shuffled([1, 2, 3], [3, 1, 2])
    """
    __tracebackhide__ = True  # noqa: F841
    test_ne(a, b)
    test_eq(Counter(a), Counter(b))


@_recorded
def test_stdout(f: Callable[[], Any], exp: str, regex: bool = False) -> None:
    """Test that ``f()`` prints ``exp`` to stdout (a regular expression if ``regex``).

    >>> test_stdout(lambda: print("hi"), "hi")
    """
    __tracebackhide__ = True  # noqa: F841
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        f()
    out = buffer.getvalue()
    if regex:
        if re.search(exp, out) is None:
            raise AssertionError(f"regex {exp!r} did not match stdout {out!r}")
    else:
        test_eq(out, f"{exp}\n" if exp else "")


@_recorded
def test_warns(f: Callable[[], Any], show: bool = False) -> None:
    """Test that ``f()`` emits at least one warning; print them if ``show``.

    Every warning counts, also those that the warning filters would hide, such as a
    ``DeprecationWarning`` outside ``__main__`` (fastcore misses those).

    >>> import warnings
    >>> test_warns(lambda: warnings.warn("Oh no!"))
    """
    __tracebackhide__ = True  # noqa: F841
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f()
    if not caught:
        raise AssertionError("No warnings raised")
    if show:
        for w in caught:
            print(f"{w.category}: {w.message}")


class ExceptionExpected:
    """Context manager that tests that its block raises ``ex``, optionally matching
    ``regex`` (searched in the exception's ``args``); raises ``TypeError`` otherwise.

    >>> with ExceptionExpected(ex=ZeroDivisionError, regex="zero"):
    ...     1 / 0
    """

    def __init__(self, ex: type[BaseException] = Exception, regex: str = "") -> None:
        self.ex, self.regex = ex, regex
        self._tokens: list[contextvars.Token] = []

    def __enter__(self) -> None:
        # Failing test_* calls inside must raise, not be recorded, so that they count here.
        self._tokens.append(_DEPTH.set(_DEPTH.get() + 1))

    def __exit__(self, exc_type: Any, value: Any, traceback: Any) -> bool:
        __tracebackhide__ = True  # noqa: F841
        _DEPTH.reset(self._tokens.pop())
        if not isinstance(value, self.ex) or (
            self.regex and not re.search(self.regex, f"{value.args}")
        ):
            raise TypeError(f"Expected {self.ex.__name__}({self.regex}) not raised.")
        return True


exception = ExceptionExpected()
"""``with exception: ...`` tests that the block raises any ``Exception``."""
