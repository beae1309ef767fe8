"""Inline tests for notebooks: fastcore.test's API plus the lesson's ``near`` and ``test_near``.

Every ``test_*`` function raises ``AssertionError`` with fastcore's message form
``"{cname}:\\n{a}\\n{b}"`` when it fails. For tensors and arrays a short diagnosis follows
those lines: shapes, dtypes and devices, how many elements differ, and the largest absolute
and relative difference with its index. A value of more than 10 elements prints as one
summary line (its corners); the ``AssertionError`` keeps both values in full as ``.a`` and
``.b``. Explaining a failure works a chunk at a time, so it costs about what the check did.

Where this module differs from fastcore.test (fastcore is silently wrong in these cases):

- array-likes (tensors, numpy arrays, and lists compared with them) of different shapes are
  never equal, close or near; fastcore broadcasts, so ``zeros(3)`` "equals" ``zeros(2, 3)``;
- ``is_close``/``test_close`` do not truncate iterables of different lengths (fastcore zips);
- a numpy length mismatch is an ``AssertionError``, never a ``ValueError`` from broadcasting;
- failures raise ``AssertionError`` explicitly, so they still fail under ``python -O``;
- a dict or set never equals a tensor or array (fastcore iterates the keys and compares);
- integers meet floats exactly: ``tensor([16777217])`` is not ``tensor([16777216.])``
  (fastcore promotes both to float32, which rounds them together);
- ``test_shuffled`` works on tensors and arrays, as rows in another order (fastcore counts
  tensor elements in a ``Counter``, where each is its own object, so it always fails);
- a pandas Series or DataFrame equals a list or array of its values, as an ndarray does
  (fastcore's ``test_eq(pd.Series([1, 2]), [1, 2])`` fails);
- a comparison that cannot be made (meta, sparse, nested or quantized tensors, or one torch
  cannot compute) is a ``TypeError`` that says how to convert, not torch's own error;
  float8 tensors are compared in float32, which holds their values exactly.

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
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
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

# Printed values never exceed _MAX_LINES.
_FULL_NUMEL = 10  # arrays with more elements print as one summary line
_SUMMARY_CHARS = 160
_CHUNK = 1 << 16  # elements per step when diagnosing a failure
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
    error: AssertionError | None = field(default=None, repr=False, compare=False)

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
                    _ends_at_the_users_line(e)
                    raise  # as is: test_fail's message keeps its cause
            try:
                fn(*args, **kwargs)
            except AssertionError as e:
                line = collector.line_of(sys._getframe(1))
                collector.report.failures.append(TestFailure(fn.__name__, line, str(e), e))
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
    code that enters the block. The ``AssertionError`` carries the report as ``.report``;
    each failure's ``.error`` holds the values it compared, in full, as ``.a`` and ``.b``.
    This is the plain-Python twin of the ``%%tests`` cell magic::

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
            error.report = report  # type: ignore[attr-defined]  # each failure's .error.a, .b
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
    if guess.dtype.is_floating_point:  # next to integers: as exact as Python's float
        return torch.as_tensor(x, dtype=torch.float64, device=like.device)
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


def _unsupported(t: Any) -> str | None:
    """Why the values of tensor ``t`` cannot be compared, with the conversion that helps."""
    torch = sys.modules["torch"]
    if t.is_meta:
        return "a meta tensor has a shape and a dtype but no values (compare .shape, .dtype)"
    if getattr(t, "is_nested", False):
        return "a nested tensor has no single shape (compare .to_padded_tensor(0) or .unbind())"
    if t.layout != torch.strided:
        return f"a {t.layout} tensor is not compared element by element (use .to_dense())"
    if t.is_quantized:
        return "a quantized tensor is compared through its values (use .dequantize())"
    return None


def _check_comparable(a: Any, b: Any) -> None:
    for x in (a, b):
        if _is_tensor(x):
            why = _unsupported(x)
            if why is not None:
                raise TypeError(f"cannot compare {_describe(a)} with {_describe(b)}: {why}")


def _describe(x: Any) -> str:
    if _is_tensor(x):
        layout = "" if str(x.layout) == "torch.strided" else f", {x.layout}"
        device = f", {x.device}" if x.device.type != "cpu" else ""
        nested = ", nested" if getattr(x, "is_nested", False) else ""
        return f"tensor({x.dtype}{layout}{device}{nested})"
    if _is_ndarray(x):
        return f"ndarray({x.dtype})"
    return type(x).__name__


def _torch_error(pair: _Pair, error: Exception) -> TypeError:
    """torch's own error about a comparison, as the TypeError our API promises."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return TypeError(
        f"cannot compare {pair.kind_a} with {pair.kind_b} ({first}); convert them first, "
        "e.g. with .float() or .to_dense()"
    )


def _torch_pair(a: Any, b: Any) -> _Pair | None:
    _check_comparable(a, b)
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

    def widened(d: Any) -> Any:
        # float8 has no arithmetic and no promotion; float32 holds each of its values exactly
        return torch.float32 if d.is_floating_point and d.itemsize == 1 else d

    dtype = torch.promote_types(widened(pair.a.dtype), widened(pair.b.dtype))
    if force_float and not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float64
    return pair.a.to(dtype), pair.b.to(dtype)


def _int_and_float(pair: _Pair) -> bool:
    """One side integer (not bool), the other floating or complex: promotion would round."""

    def kind(x: Any) -> str:
        if pair.lib == "torch":
            d = x.dtype
            if d.is_complex:
                return "c"
            if d.is_floating_point:
                return "f"
            return "b" if d == sys.modules["torch"].bool else "i"
        return {"u": "i"}.get(x.dtype.kind, x.dtype.kind)

    kinds = {kind(pair.a), kind(pair.b)}
    return "i" in kinds and bool(kinds & {"f", "c"})


def _exact_differs(pair: _Pair) -> Any:
    """Elementwise ``a != b`` for an integer array against a floating one, exactly.

    Promoting both to a float rounds big integers (16777217 becomes float32 16777216), so
    the float side is turned into the integer's dtype instead where it holds an integer
    in range; anywhere else the two differ.
    """
    ints, floats = (pair.a, pair.b) if _int_and_float_order(pair) else (pair.b, pair.a)
    if pair.lib == "torch":
        torch = sys.modules["torch"]
        info = torch.iinfo(ints.dtype)
        imaginary = None
        if floats.dtype.is_complex:
            imaginary, floats = floats.imag != 0, floats.real
        if floats.dtype.itemsize == 1:
            floats = floats.float()
        low, high = float(info.min), float(info.max) + 1.0  # both powers of two: exact
        ok = torch.isfinite(floats) & (floats >= low) & (floats < high)
        ok &= floats == torch.trunc(floats)
        as_int = torch.where(ok, floats, torch.zeros((), dtype=floats.dtype, device=floats.device))
        differs = ~ok | (as_int.to(ints.dtype) != ints)
        return differs | imaginary if imaginary is not None else differs
    import numpy as np

    info = np.iinfo(ints.dtype)
    imaginary = None
    if floats.dtype.kind == "c":
        imaginary, floats = floats.imag != 0, floats.real
    low, high = float(info.min), float(info.max) + 1.0
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(floats) & (floats >= low) & (floats < high)
        ok &= floats == np.trunc(floats)
        as_int = np.where(ok, floats, 0).astype(ints.dtype)
    differs = ~ok | (as_int != ints)
    return differs | imaginary if imaginary is not None else differs


def _int_and_float_order(pair: _Pair) -> bool:
    """True when ``pair.a`` is the integer side."""
    if pair.lib == "torch":
        d = pair.a.dtype
        return not (d.is_floating_point or d.is_complex)
    return pair.a.dtype.kind in "iu"


def _differs(pair: _Pair) -> Any:
    """Elementwise "not equal" for a same-shape pair (exact for integers against floats)."""
    try:
        if _int_and_float(pair):
            return _exact_differs(pair)
        a, b = _common(pair)
        if pair.lib == "torch":
            return a != b
    except (RuntimeError, NotImplementedError) as e:
        raise _torch_error(pair, e) from None
    return _numpy_ne(a, b)


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
    if _int_and_float(pair):
        return not bool(_differs(pair).any())
    if pair.lib == "torch":
        try:
            a, b = _common(pair)
            return bool(sys.modules["torch"].equal(a, b))
        except (RuntimeError, NotImplementedError) as e:
            raise _torch_error(pair, e) from None
    a, b = pair.a, pair.b
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
    so ``zeros(3)`` equals ``zeros(2, 3)`` there, but not here. Also stricter: a dict or set
    never equals an array (fastcore compares the keys); an integer meets a float exactly
    (fastcore promotes both to float32, so ``16777217`` equals ``16777216.0`` there). A
    pandas Series or DataFrame equals a list or array of its values, as an ndarray does
    (fastcore says they differ). ``TypeError`` for tensors whose values cannot be compared
    (meta, sparse, nested, quantized), saying how to convert them.
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
        other = b if _is_array(a) else a
        if isinstance(other, (Mapping, AbstractSet)):
            return False  # keyed or unordered: iterating a dict or set gives no order to match
        pair = _pair(a, b)
        if pair is not None:
            return _array_equal(pair)
        return _all_equal(a, b) if _is_iter(a) and _is_iter(b) else False
    frame_a, frame_b = "NDFrame" in _class_names(a), "NDFrame" in _class_names(b)
    if frame_a and frame_b:
        return bool(a.equals(b))
    if frame_a or frame_b:
        # Against a list or an array, a Series or DataFrame compares by its values, as an
        # ndarray does (fastcore: `test_eq(pd.Series([1, 2]), [1, 2])` fails, the ndarray
        # version passes). Keys (the index) are not values: a dict never equals one.
        frame, other = (a, b) if frame_a else (b, a)
        if isinstance(other, (Mapping, AbstractSet, str, bytes)):
            return False
        return equals(frame.to_numpy(), other)
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

    def _torch_mask(self, pair: _Pair) -> Any:
        torch = sys.modules["torch"]
        a, b = _common(pair, force_float=True)
        if not self.strict:
            return torch.isclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)
        ok = ((a - b).abs() < self.atol + self.rtol * b.abs()) | (a == b)
        return ok | (a.isnan() & b.isnan()) if self.equal_nan else ok

    def mask(self, pair: _Pair) -> Any:
        """Elementwise "within tolerance" for a same-shape pair."""
        if pair.lib == "torch":
            try:
                return self._torch_mask(pair)
            except (RuntimeError, NotImplementedError) as e:
                raise _torch_error(pair, e) from None
        a, b = _common(pair, force_float=True)
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


@dataclass
class _Seen:
    """What ``_within`` computed for a top-level pair of arrays, so that explaining a
    failure does not compute the tolerance mask a second time."""

    pair: _Pair | None = None
    mask: Any = None


def _within(a: Any, b: Any, tol: _Tolerance, seen: _Seen | None = None) -> bool:
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
        if not pair.same_shape:
            return False
        mask = tol.mask(pair)
        ok = bool(mask.all())
        if seen is not None and not ok:
            seen.pair, seen.mask = pair, mask
        return ok
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
    """``str(x)``, as fastcore prints it, except that an array of more than a few elements
    is one summary line, its corners as torch prints a large tensor. The failure's
    ``AssertionError`` keeps both values in full as ``.a`` and ``.b``."""
    if _is_array(x) and _numel(x) > _FULL_NUMEL:
        return _summary(x)
    return _clip(str(x))


def _edges(x: Any, k: int) -> Any:
    """The corners of ``x``: each long dimension cut to its first ``k``, one element that
    stands for the rest (never shown), and its last ``k``. A small copy on the CPU."""
    for dim, size in enumerate(x.shape):
        if size > 2 * k + 1:
            keep = [*range(k), k, *range(size - k, size)]
            if _is_tensor(x):
                torch = sys.modules["torch"]
                x = x.index_select(dim, torch.tensor(keep, device=x.device))
            else:
                x = x.take(keep, axis=dim)
    return _tensor_to_numpy(x) if _is_tensor(x) else x


def _summary(x: Any) -> str:
    import numpy as np

    ndim = len(x.shape)
    k = 3 if ndim <= 1 else 1
    corners = _edges(x, k)
    body = np.array2string(
        corners, threshold=0, edgeitems=k, separator=", ", precision=4, max_line_width=10**9
    )
    body = re.sub(r"\s+", " ", body)
    body = re.sub(r" +([,\]])", r"\1", re.sub(r"\[ +", "[", body))  # numpy's column padding
    if len(body) > _SUMMARY_CHARS:
        body = body[: _SUMMARY_CHARS - 4] + " ..."
    what = "tensor" if _is_tensor(x) else "array"
    return f"{what}({body}, shape={_shape_text(_shape(x))})"


def _shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _fmt_pair(a: Any, b: Any) -> tuple[str, str]:
    """``a`` and ``b`` with enough digits that the shown values differ by about what the
    values do (16777217 vs 16777216, not 16777217 vs 1.67772e+07)."""
    fa, fb = str(a), str(b)
    for digits in (6, 9, 12, 17):
        fa, fb = (f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in (a, b))
        try:
            shown, true = abs(complex(fa) - complex(fb)), abs(complex(a) - complex(b))
        except (TypeError, ValueError, OverflowError):
            return fa, fb
        if shown == true or abs(shown - true) <= 0.01 * true:
            return fa, fb
    return fa, fb


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


def _as_numpy(x: Any) -> Any:
    return _tensor_to_numpy(x) if _is_tensor(x) else x


@dataclass
class _Largest:
    """The largest value seen so far, and its flat index."""

    value: float = float("-inf")
    index: int | None = None

    def offer(self, values: Any, offset: int, positions: Any) -> bool:
        """Take the chunk's largest of ``values`` (NaN ignored); True if it held a NaN."""
        import numpy as np

        i = int(np.argmax(values))
        nan = values[i] != values[i]
        if nan:  # argmax stops at the first NaN: look past them
            values = np.where(np.isnan(values), -np.inf, values)
            i = int(np.argmax(values))
        if values[i] > self.value or (self.index is None and values[i] > -np.inf):
            self.value = float(values[i])
            self.index = offset + (i if positions is None else int(positions[i]))
        return bool(nan)


def _working_dtype(a: Any, b: Any) -> Any:
    """The dtype to measure differences of one chunk in: float32 for float32 (and smaller)
    floats, where it only locates the largest difference (its value is recomputed exactly);
    float64 (or complex128) where integers or doubles are involved."""
    import numpy as np

    kinds = a.dtype.kind + b.dtype.kind
    small = a.dtype.itemsize <= 4 and b.dtype.itemsize <= 4 and not set(kinds) & set("iub")
    if "c" in kinds:
        return np.complex64 if small or kinds == "cc" and a.dtype.itemsize <= 8 else np.complex128
    return np.float32 if small else np.float64


def _chunk_differs(pair: _Pair) -> Callable[[int, int], Any]:
    """Elementwise "not equal" of the flat slice ``[start:stop]``, as a numpy bool array: a
    chunk at a time, so that explaining a failed ``test_eq`` needs no full-size mask."""
    flat_a, flat_b = pair.a.reshape(-1), pair.b.reshape(-1)

    def differs(start: int, stop: int) -> Any:
        # In numpy: a torch op on a small chunk pays for waking torch's thread pool.
        a, b = _as_numpy(flat_a[start:stop]), _as_numpy(flat_b[start:stop])
        part = _Pair("numpy", a, b, a.shape, b.shape, pair.kind_a, pair.kind_b)
        return _differs(part)

    return differs


def _difference_lines(pair: _Pair, bad: Any) -> list[str]:
    """How many elements differ and the largest differences, where ``bad`` is True.

    ``bad`` is a mask of the pair's shape, or a function giving the mask of a flat slice.
    The arrays are worked through a chunk at a time, and only their differing elements,
    so a failure on 10**7 elements costs about what the check did, never a float64 copy
    of a whole operand (and, off the CPU, a chunk at a time comes over).
    """
    import numpy as np

    total = _numel(pair.a)
    flat_a, flat_b = pair.a.reshape(-1), pair.b.reshape(-1)
    if callable(bad):
        mask_of = bad
    else:
        flat_bad = bad.reshape(-1)

        def mask_of(start: int, stop: int) -> Any:
            return _as_numpy(flat_bad[start:stop])

    numeric = _numeric(pair)
    largest_abs, largest_rel, first = _Largest(), _Largest(), None
    n_bad = nan_a = nan_b = 0
    with np.errstate(all="ignore"):
        for start in range(0, total, _CHUNK):
            stop = min(start + _CHUNK, total)
            mask = mask_of(start, stop)
            count = int(np.count_nonzero(mask))
            if not count:
                continue
            n_bad += count
            positions = None if count == stop - start else np.flatnonzero(mask)
            if first is None:
                first = start + (0 if positions is None else int(positions[0]))
            if not numeric:
                continue
            a = _as_numpy(flat_a[start:stop])
            b = _as_numpy(flat_b[start:stop])
            if positions is not None:
                a, b = a[positions], b[positions]
            wide = _working_dtype(a, b)
            a, b = a.astype(wide, copy=False), b.astype(wide, copy=False)
            diff = np.subtract(a, b)
            diff = np.abs(diff, out=diff) if diff.dtype.kind == "f" else np.abs(diff)
            rel = np.abs(b)
            np.divide(diff, rel, out=rel)
            if largest_abs.offer(diff, start, positions):  # a NaN on either side
                nan = np.isnan(diff)
                nan_a += int(np.count_nonzero(np.isnan(a[nan])))
                nan_b += int(np.count_nonzero(np.isnan(b[nan])))
            largest_rel.offer(rel, start, positions)
    lines = [f"differing elements: {n_bad} of {total} ({100 * n_bad / max(total, 1):.3g}%)"]
    shape = pair.a.shape

    def at(flat_index: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(flat_index, tuple(shape)))

    def item(flat: Any, flat_index: int) -> Any:
        return _as_numpy(flat[flat_index : flat_index + 1])[0].item()

    if first is None:
        return lines
    if not numeric:
        lines.append(
            f"first difference at index {at(first)}: "
            f"{item(flat_a, first)!r} vs {item(flat_b, first)!r}"
        )
        return lines
    if nan_a or nan_b:
        lines.append(f"NaN among the differing elements: {nan_a} in a, {nan_b} in b")
    for label, largest in (("abs", largest_abs), ("rel", largest_rel)):
        if largest.index is None:
            continue
        value_a, value_b = item(flat_a, largest.index), item(flat_b, largest.index)
        exact = _exact_difference(value_a, value_b, relative=label == "rel")
        shown_a, shown_b = _fmt_pair(value_a, value_b)
        lines.append(
            f"largest {label} diff: {_fmt(exact)} at index {at(largest.index)}"
            f" (a={shown_a}, b={shown_b})"
        )
    return lines


def _exact_difference(a: Any, b: Any, relative: bool) -> float:
    """``|a - b|`` (over ``|b|`` if ``relative``) of two Python numbers, in double precision
    or better: a chunk may have located it in float32."""
    if isinstance(a, int) and isinstance(b, int):
        diff: Any = abs(a - b)
    else:
        diff = (
            abs(complex(a) - complex(b))
            if isinstance(a, complex) or isinstance(b, complex)
            else abs(float(a) - float(b))
        )
    if not relative:
        return float(diff)
    try:
        return float(diff / abs(b))
    except ZeroDivisionError:
        return float("inf") if diff else 0.0


def _message(cname: str, a: Any, b: Any, extra: list[str] | None = None) -> str:
    head = f"{cname}:\n{_show(a)}\n{_show(b)}"
    return "\n".join([head, *extra]) if extra else head


def _failure(message: str, a: Any, b: Any) -> AssertionError:
    """The ``AssertionError`` of a failed test; ``.a`` and ``.b`` keep both values in full."""
    error = AssertionError(message)
    error.a, error.b = a, b  # type: ignore[attr-defined]
    return error


def _equal_failure(cname: str, a: Any, b: Any, want_equal: bool) -> str:
    extra: list[str] = []
    if _is_array(a) or _is_array(b):
        other = b if _is_array(a) else a
        if isinstance(other, (Mapping, AbstractSet)):
            kind = "a dict" if isinstance(other, Mapping) else "a set"
            return _message(cname, a, b, [f"{kind} never equals an array: it has no order"])
        pair = _pair(a, b)
        bad = None
        if pair is not None and pair.same_shape and want_equal:
            bad = _chunk_differs(pair)
        extra = _diagnosis(pair, bad)
    return _message(cname, a, b, extra)


def _numpy_ne(x: Any, y: Any) -> Any:
    import numpy as np

    try:
        return np.asarray(x != y, dtype=bool)
    except Exception:
        return None


def _within_failure(cname: str, a: Any, b: Any, tol: _Tolerance, seen: _Seen) -> str:
    extra: list[str] = []
    if not isinstance(a, (str, bytes)) and not isinstance(b, (str, bytes)):
        pair = seen.pair if seen.pair is not None else _pair(a, b, numeric_sequences=True)
        scalars = pair is not None and not pair.shape_a and not pair.shape_b
        if scalars and not (_is_array(a) or _is_array(b)):
            pass  # two plain numbers: fastcore's message says it all
        elif pair is not None and not _numeric(pair):
            bad = _numpy_ne(pair.a, pair.b) if pair.same_shape else None
            extra = _diagnosis(pair, bad)
        elif pair is not None:
            bad = None
            if pair.same_shape:
                within = seen.mask if seen.mask is not None else tol.mask(pair)
                bad = ~within
                del within
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
        raise _failure(_message(cname, a, b, extra), a, b)


@_recorded
def test_eq(a: Any, b: Any) -> None:
    """Test that ``a == b``, using ``equals`` (lists, dicts, sets, tensors, arrays...).

    Tensors and arrays equal a list or scalar with the same shape and values, whatever
    the dtypes; different shapes never pass (fastcore broadcasts them), nor does a dict or
    set against an array, and integers meet floats exactly (see ``equals``). A failure
    shows shapes, dtypes, devices, the number of differing elements and the largest
    differences with their index; values of more than 10 elements print as one summary
    line, and the ``AssertionError`` keeps them in full as ``.a`` and ``.b``. Tensors whose
    values cannot be compared (meta, sparse, nested, quantized) raise ``TypeError``.

    >>> test_eq([1, 2], (1, 2))
    >>> test_eq({"a", "b"}, {"b", "a"})
    """
    __tracebackhide__ = True  # noqa: F841
    if not equals(a, b):
        raise _failure(_equal_failure("==", a, b, want_equal=True), a, b)


@_recorded
def test_ne(a: Any, b: Any) -> None:
    """Test that ``a != b`` (the opposite of ``test_eq``).

    >>> test_ne([1, 2], [1, 3])
    """
    __tracebackhide__ = True  # noqa: F841
    if not nequals(a, b):
        raise _failure(_equal_failure("!=", a, b, want_equal=False), a, b)


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
    seen = _Seen()
    if not _within(a, b, tol, seen):
        raise _failure(_within_failure("close", a, b, tol, seen), a, b)


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
    differences with their index (values of more than 10 elements as one summary line;
    ``.a`` and ``.b`` of the ``AssertionError`` hold them in full). float8 tensors are
    compared in float32; meta, sparse, nested or quantized ones raise ``TypeError``.

    >>> test_near(1.0, 1.0005)
    >>> test_near([1.0, 2.0], [1.01, 2.0], rtol=1e-2)
    """
    __tracebackhide__ = True  # noqa: F841
    tol = _near_tolerance(rtol, atol, eps, equal_nan)
    seen = _Seen()
    if not _within(a, b, tol, seen):
        raise _failure(_within_failure("near", a, b, tol, seen), a, b)


@_recorded
def test_is(a: Any, b: Any) -> None:
    """Test that ``a is b``.

    >>> x = [1]
    >>> test_is(x, x)
    """
    __tracebackhide__ = True  # noqa: F841
    if a is not b:
        raise _failure(_message("is", a, b), a, b)


@_recorded
def test_shuffled(a: Any, b: Any) -> None:
    """Test that ``a`` and ``b`` are shuffled versions of the same items (equal as
    multisets, but not equal as sequences).

    Tensors and arrays are shuffled along their first dimension: ``b`` holds the rows
    (or elements) of ``a`` in another order. fastcore counts their items in a ``Counter``,
    where each tensor element is its own object, so two tensors always fail there.

    >>> test_shuffled([1, 2, 3], [3, 1, 2])
    """
    __tracebackhide__ = True  # noqa: F841
    test_ne(a, b)
    if _is_array(a) or _is_array(b):
        pair = _pair(a, b)
        if pair is None or not pair.same_shape or not pair.shape_a:
            raise _failure(_message("shuffled", a, b, _diagnosis(pair)), a, b)
        sorted_pair = _rows_sorted(pair)
        if not _array_equal(sorted_pair):
            extra = [
                *_diagnosis(pair),
                "the rows (along the first dimension) are not a permutation of each other",
            ]
            raise _failure(_message("shuffled", a, b, extra), a, b)
        return
    test_eq(Counter(a), Counter(b))


def _rows_sorted(pair: _Pair) -> _Pair:
    """Both arrays of ``pair`` as numpy arrays with their rows in lexicographic order."""
    import numpy as np

    def rows(x: Any) -> Any:
        x = _as_numpy(x)
        flat = x.reshape(x.shape[0], -1)
        order = np.lexsort(flat.T[::-1]) if flat.shape[1] else np.arange(len(flat))
        return x[order]

    a, b = rows(pair.a), rows(pair.b)
    return _Pair("numpy", a, b, pair.shape_a, pair.shape_b, pair.kind_a, pair.kind_b)


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
