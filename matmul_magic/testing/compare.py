"""The comparisons: ``equals`` (exact, integers meet floats exactly) and the tolerances of
``is_close`` and ``near``. Each returns a bool; explaining a failure is ``diagnose``'s job.
"""

from __future__ import annotations

import itertools
import numbers
import sys
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from .arrays import (
    Pair,
    as_pair,
    class_names,
    common_dtype,
    dtype_kind,
    is_array,
    is_iterable,
    is_numeric_pair,
    numpy_ne,
    torch_error,
)
from .exact import (
    PLAIN,
    comparing,
    integer_mask,
    ints_close,
    is_int,
    plain_sequences_equal,
    zero_dim_as_scalar,
)

NEAR_RTOL = 1e-3
NEAR_ATOL = 1e-5
CLOSE_EPS = 1e-5


def _int_and_float(pair: Pair) -> bool:
    """One side integer (not bool), the other floating or complex: promotion would round."""
    kinds = {dtype_kind(pair.a), dtype_kind(pair.b)}
    return "i" in kinds and bool(kinds & {"f", "c"})


def _exact_differs(pair: Pair) -> Any:
    """Elementwise ``a != b`` for an integer array against a floating one, exactly.

    Promoting both to a float rounds big integers (16777217 becomes float32 16777216), so
    the float side is turned into the integer's dtype instead where it holds an integer
    in range; anywhere else the two differ.
    """
    ints, floats = (pair.a, pair.b) if dtype_kind(pair.a) == "i" else (pair.b, pair.a)
    xp, np = _libraries(pair)
    info = xp.iinfo(ints.dtype)
    imaginary = None
    if dtype_kind(floats) == "c":
        imaginary, floats = floats.imag != 0, floats.real
    if floats.dtype.itemsize == 1:  # float8 (torch): no comparisons
        floats = floats.float()
    low, high = float(info.min), float(info.max) + 1.0  # both powers of two: exact
    with np.errstate(invalid="ignore"):
        ok = xp.isfinite(floats) & (floats >= low) & (floats < high)
        ok &= floats == xp.trunc(floats)
        as_int = xp.where(ok, floats, 0)
    as_int = as_int.to(ints.dtype) if xp is not np else as_int.astype(ints.dtype)
    differs = ~ok | (as_int != ints)
    return differs | imaginary if imaginary is not None else differs


def _libraries(pair: Pair) -> tuple[Any, Any]:
    """The pair's array library (torch or numpy: their elementwise functions share names),
    and numpy."""
    import numpy as np

    return (sys.modules["torch"] if pair.lib == "torch" else np), np


def elementwise_differs(pair: Pair) -> Any:
    """Elementwise "not equal" for a same-shape pair (exact for integers against floats)."""
    try:
        if _int_and_float(pair):
            return _exact_differs(pair)
        a, b = common_dtype(pair)
        if pair.lib == "torch":
            return a != b
    except (RuntimeError, NotImplementedError) as e:
        raise torch_error(pair, e) from None
    return numpy_ne(a, b)


def all_equal(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` have the same length and contents, item by item with
    ``equals`` (fastcore's ``all_equal``); ``a == b`` when ``b`` is not iterable."""
    if not is_iterable(b):
        return bool(a == b)
    fast = plain_sequences_equal(a, b, equals)
    if fast is not None:
        return fast
    with comparing(a, b):
        return all(equals(x, y) for x, y in itertools.zip_longest(a, b, fillvalue=_MISSING))


_MISSING = object()  # what zip_longest pairs the extra items of the longer side with


def arrays_equal(pair: Pair) -> bool:
    if not pair.same_shape:
        return False
    if _int_and_float(pair):
        return not bool(elementwise_differs(pair).any())
    if pair.lib == "torch":
        try:
            a, b = common_dtype(pair)
            return bool(sys.modules["torch"].equal(a, b))
        except (RuntimeError, NotImplementedError) as e:
            raise torch_error(pair, e) from None
    import numpy as np

    try:
        return bool(np.all(pair.a == pair.b))
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
    if a is _MISSING or b is _MISSING or (a is None) != (b is None):
        return False
    a, b = zero_dim_as_scalar(a), zero_dim_as_scalar(b)
    if (type(a) in PLAIN and type(b) in PLAIN) or isinstance(a, type) or isinstance(b, type):
        return bool(a == b)
    if hasattr(a, "__array_eq__"):
        return bool(a.__array_eq__(b))
    if hasattr(b, "__array_eq__"):
        return bool(b.__array_eq__(a))
    if is_array(a) or is_array(b):
        other = b if is_array(a) else a
        if isinstance(other, (Mapping, AbstractSet)):
            return False  # keyed or unordered: iterating a dict or set gives no order to match
        pair = as_pair(a, b)
        if pair is not None:
            return arrays_equal(pair)
        return all_equal(a, b) if is_iterable(a) and is_iterable(b) else False
    frame_a, frame_b = "NDFrame" in class_names(a), "NDFrame" in class_names(b)
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
        with comparing(a, b):
            return a.keys() == b.keys() and all(equals(a[k], b[k]) for k in a)
    if isinstance(a, (str, bytes, dict, set, frozenset)) or isinstance(
        b, (str, bytes, dict, set, frozenset)
    ):
        return bool(a == b)
    if is_iterable(a) or is_iterable(b):
        return all_equal(a, b)
    return bool(a == b)


def nequals(a: Any, b: Any) -> bool:
    """Compare ``a`` and ``b`` for ``not equals``."""
    return not equals(a, b)


@dataclass(frozen=True)
class Tolerance:
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
        from ..bench_result.views.format import format_plain  # on a failure only

        atol, rtol = format_plain(self.atol), format_plain(self.rtol)
        bound = atol if not self.rtol else f"{atol} + {rtol} * |b|"
        nan = ", NaN == NaN" if self.equal_nan else ""
        return f"tolerance: |a - b| {op} {bound}{nan}"

    def mask(self, pair: Pair) -> Any:
        """Elementwise "within tolerance" for a same-shape pair (integers exactly)."""
        exact = integer_mask(pair, self.atol, self.rtol, self.strict)
        if exact is not None:
            return exact
        xp, np = _libraries(pair)
        try:
            a, b = common_dtype(pair, force_float=True)
            with np.errstate(all="ignore"):
                if not self.strict:
                    return xp.isclose(a, b, self.rtol, self.atol, equal_nan=self.equal_nan)
                ok = (xp.abs(a - b) < self.atol + self.rtol * xp.abs(b)) | (a == b)
                return ok | (xp.isnan(a) & xp.isnan(b)) if self.equal_nan else ok
        except (RuntimeError, NotImplementedError) as e:
            if pair.lib != "torch":
                raise
            raise torch_error(pair, e) from None


def _scalar_close(a: Any, b: Any, tol: Tolerance) -> bool:
    try:
        diff, limit = abs(a - b), tol.atol + tol.rtol * abs(b)
        ok = bool(diff < limit if tol.strict else diff <= limit) or bool(a == b)
    except TypeError:
        return bool(a == b)
    return ok or (tol.equal_nan and a != a and b != b)  # both NaN


@dataclass
class Seen:
    """What ``within_tolerance`` computed for a top-level pair of arrays, so that explaining a
    failure does not compute the tolerance mask a second time."""

    pair: Pair | None = None
    mask: Any = None


def within_tolerance(a: Any, b: Any, tol: Tolerance, seen: Seen | None = None) -> bool:
    if a is _MISSING or b is _MISSING:
        return False
    a, b = zero_dim_as_scalar(a), zero_dim_as_scalar(b)
    if is_int(a) and is_int(b):  # at any size, exactly (never through float64)
        return ints_close(a, b, tol.atol, tol.rtol, tol.strict)
    if isinstance(a, (str, bytes, set, frozenset)) or isinstance(b, (str, bytes, set, frozenset)):
        return equals(a, b)
    if isinstance(a, dict) or isinstance(b, dict):
        both = isinstance(a, dict) and isinstance(b, dict)
        return both and a.keys() == b.keys() and all(within_tolerance(a[k], b[k], tol) for k in a)
    pair = as_pair(a, b, numeric_sequences=True)
    if pair is not None and not is_numeric_pair(pair):
        return equals(a, b)  # strings and objects: close means equal, as in fastcore
    if pair is not None:
        if not pair.same_shape:
            return False
        mask = tol.mask(pair)
        ok = bool(mask.all())
        if seen is not None and not ok:
            seen.pair, seen.mask = pair, mask
        return ok
    if is_iterable(a) or is_iterable(b):
        if not (is_iterable(a) and is_iterable(b)):
            return False
        zipped = itertools.zip_longest(a, b, fillvalue=_MISSING)  # never truncate
        with comparing(a, b):
            return all(within_tolerance(x, y, tol) for x, y in zipped)
    return _scalar_close(a, b, tol)


def tolerance(
    rtol: float, atol: float | None, eps: float | None, equal_nan: bool, strict: bool
) -> Tolerance:
    """``test_close``'s (``strict``) or ``test_near``'s tolerance; ``eps`` is ``atol``."""
    if eps is not None and atol is not None:
        names = "eps= or atol=" if strict else "atol= or eps="  # as the function's help has them
        raise TypeError(f"give the absolute tolerance as {names}, not both")
    default = CLOSE_EPS if strict else NEAR_ATOL
    bound = eps if eps is not None else atol if atol is not None else default
    return Tolerance(rtol=rtol, atol=bound, strict=strict, equal_nan=equal_nan)


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
    return within_tolerance(a, b, tolerance(rtol, atol, eps, equal_nan, strict=True))


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
    return within_tolerance(a, b, Tolerance(rtol, atol, strict=False, equal_nan=equal_nan))


# ---------------------------------------------------------------------------------------------
