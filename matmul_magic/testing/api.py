"""The fastcore-compatible test functions (``test_eq``, ``test_near``, ...) and
``ExceptionExpected``: each checks with ``compare``, explains with ``diagnose``, and is
wrapped by ``collect`` so that ``%%tests`` records it instead of raising.
"""

from __future__ import annotations

import contextvars
import io
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sized
from contextlib import redirect_stdout
from typing import Any

from .arrays import Pair, as_numpy, as_pair, is_array
from .collect import DEPTH, recorded
from .compare import (
    NEAR_RTOL,
    Seen,
    Tolerance,
    arrays_equal,
    equals,
    nequals,
    tolerance,
    within_tolerance,
)
from .diagnose import diagnosis_lines, equal_failure, failure_error, within_failure
from .exact import is_nan, same_multiset
from .extras import exception_names


@recorded
def test_fail(
    f: Callable[..., Any],
    msg: str = "",
    contains: str = "",
    exc: type[BaseException] | tuple[type[BaseException], ...] = Exception,
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
            f"Expected {exception_names(exc)} but got {type(e).__name__}: {e}. {msg}"
        ) from e
    raise AssertionError(f"Expected {exception_names(exc)} but none raised. {msg}")


@recorded
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
        extra = diagnosis_lines(as_pair(a, b)) if (is_array(a) or is_array(b)) else []
        raise failure_error(cname, a, b, extra)


@recorded
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
        raise equal_failure("==", a, b, want_equal=True)


@recorded
def test_ne(a: Any, b: Any) -> None:
    """Test that ``a != b`` (the opposite of ``test_eq``).

    >>> test_ne([1, 2], [1, 3])
    """
    __tracebackhide__ = True  # noqa: F841
    if not nequals(a, b):
        raise equal_failure("!=", a, b, want_equal=False)


@recorded
def test_eq_type(a: Any, b: Any) -> None:
    """Test that ``a == b`` and that they have the same type (item by item for lists/tuples).

    >>> test_eq_type([1, 2], [1, 2])
    """
    __tracebackhide__ = True  # noqa: F841
    test_eq(a, b)
    test_eq(type(a), type(b))
    if isinstance(a, (list, tuple)):
        test_eq(list(map(type, a)), list(map(type, b)))


@recorded
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
    _test_within("close", a, b, tolerance(rtol, atol, eps, equal_nan, strict=True))


@recorded
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
    _test_within("near", a, b, tolerance(rtol, atol, eps, equal_nan, strict=False))


def _test_within(cname: str, a: Any, b: Any, tol: Tolerance) -> None:
    __tracebackhide__ = True  # noqa: F841
    seen = Seen()  # the mask the check computed, which explaining a failure reuses
    if not within_tolerance(a, b, tol, seen):
        raise within_failure(cname, a, b, tol, seen)


@recorded
def test_is(a: Any, b: Any) -> None:
    """Test that ``a is b``.

    >>> x = [1]
    >>> test_is(x, x)
    """
    __tracebackhide__ = True  # noqa: F841
    if a is not b:
        raise failure_error("is", a, b)


@recorded
def test_shuffled(a: Any, b: Any) -> None:
    """Test that ``a`` and ``b`` are shuffled versions of the same items (equal as
    multisets, but not equal as sequences).

    Tensors and arrays are shuffled along their first dimension: ``b`` holds the rows
    (or elements) of ``a`` in another order. fastcore counts their items in a ``Counter``,
    where each tensor element is its own object, so two tensors always fail there.

    >>> test_shuffled([1, 2, 3], [3, 1, 2])
    """
    __tracebackhide__ = True  # noqa: F841
    if any(iter(x) is x for x in (a, b) if isinstance(x, Iterable)):  # a generator, say
        a, b = list(a), list(b)  # one-pass iterators: iterated more than once below
    test_ne(a, b)
    if _in_the_same_order(a, b):  # NaN equal to NaN here too: nothing was shuffled
        extra = ["NaN counts as equal to NaN: the items are in the same order"]
        raise failure_error("!=", a, b, extra)
    if is_array(a) or is_array(b):
        pair = as_pair(a, b)
        if pair is None or not pair.same_shape or not pair.shape_a:
            raise failure_error("shuffled", a, b, diagnosis_lines(pair))
        if not _equal_nan_equal(_rows_sorted(pair)):
            extra = [
                *diagnosis_lines(pair),
                "the rows (along the first dimension) are not a permutation of each other",
            ]
            raise failure_error("shuffled", a, b, extra)
        return
    if isinstance(a, (str, bytes)) != isinstance(b, (str, bytes)):
        extra = ["a string is a shuffle only of a string (its characters), not of a list"]
        raise failure_error("shuffled", a, b, extra)
    items_a, items_b = list(a), list(b)
    try:
        if any(is_nan(x) for x in items_a + items_b):
            raise TypeError  # NaN matches NaN here, which a Counter cannot do
        same = equals(Counter(items_a), Counter(items_b))
    except TypeError:  # unhashable items (lists, dicts, tensors) or NaN: pair them up
        same = same_multiset(items_a, items_b, equals)
    if not same:
        extra = ["they do not hold the same items the same number of times"]
        raise failure_error("shuffled", a, b, extra)


def _in_the_same_order(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are equal item by item (rows of arrays), NaN equal to NaN."""
    if is_array(a) or is_array(b):
        pair = as_pair(a, b)
        return pair is not None and pair.same_shape and _equal_nan_equal(pair)
    if not (isinstance(a, Sized) and isinstance(b, Sized)) or isinstance(a, (str, bytes)):
        return equals(a, b)
    return len(a) == len(b) and all(
        (is_nan(x) and is_nan(y)) or equals(x, y) for x, y in zip(a, b, strict=True)
    )


def _equal_nan_equal(pair: Pair) -> bool:
    """Two same-shape numpy arrays equal, NaN equal to NaN (as a shuffle must treat it)."""
    import numpy as np

    try:
        return bool(np.array_equal(pair.a, pair.b, equal_nan=True))
    except TypeError:  # no NaN in this dtype
        return arrays_equal(pair)


def _rows_sorted(pair: Pair) -> Pair:
    """Both arrays of ``pair`` as numpy arrays with their rows in lexicographic order."""
    import numpy as np

    def rows(x: Any) -> Any:
        x = as_numpy(x)
        flat = x.reshape(x.shape[0], -1)
        order = np.lexsort(flat.T[::-1]) if flat.shape[1] else np.arange(len(flat))
        return x[order]

    a, b = rows(pair.a), rows(pair.b)
    return Pair("numpy", a, b, pair.shape_a, pair.shape_b, pair.kind_a, pair.kind_b)


@recorded
def test_stdout(f: Callable[[], Any], exp: str, regex: bool = False) -> None:
    """Test that ``f()`` prints ``exp`` to stdout (a regular expression if ``regex``).

    >>> test_stdout(lambda: print("hi"), "hi")
    """
    __tracebackhide__ = True  # noqa: F841
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        f()
    out = buffer.getvalue()
    if not regex:
        test_eq(out, f"{exp}\n" if exp else "")
    elif re.search(exp, out) is None:
        raise AssertionError(f"regex {exp!r} did not match stdout {out!r}")


@recorded
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
        self._tokens.append(DEPTH.set(DEPTH.get() + 1))

    def __exit__(self, exc_type: Any, value: Any, traceback: Any) -> bool:
        __tracebackhide__ = True  # noqa: F841
        DEPTH.reset(self._tokens.pop())
        if not isinstance(value, self.ex) or (
            self.regex and not re.search(self.regex, f"{value.args}")
        ):
            raise TypeError(f"Expected {self.ex.__name__}({self.regex}) not raised.")
        return True


exception = ExceptionExpected()
"""``with exception: ...`` tests that the block raises any ``Exception``."""
