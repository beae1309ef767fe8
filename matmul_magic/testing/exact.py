"""Exactness the comparisons share: integers compared as integers at any size, zero-dimensional
arrays met as the NumPy scalars they hold, plain sequences compared fast, recursive
containers refused, and multisets for ``test_shuffled`` (NaN equal to NaN, unhashable
items). Standard library only (numpy is used only when a value already is numpy's).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Values whose == is exactly what ``equals`` means for them (no arrays, no containers).
PLAIN: frozenset[type] = frozenset({int, float, complex, str, bytes, bool, type(None)})

_ACTIVE: set[tuple[int, int]] = set()


@contextmanager
def comparing(a: Any, b: Any) -> Iterator[None]:
    """Guard a container comparison: a container met again inside itself is a clear
    ``ValueError``, not a ``RecursionError``."""
    key = (id(a), id(b))
    if key in _ACTIVE:
        raise ValueError(
            f"cannot compare a recursive container (a {type(a).__name__} that contains "
            "itself): its items never end"
        )
    _ACTIVE.add(key)
    try:
        yield
    finally:
        _ACTIVE.discard(key)


def plain_sequences_equal(a: Any, b: Any, equals: Callable[[Any, Any], bool]) -> bool | None:
    """``equals`` for two lists or tuples, fast where their items are plain values (None: not
    two lists or tuples)."""
    if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return None
    if len(a) != len(b):
        return False
    with comparing(a, b):
        return all(
            x == y if type(x) in PLAIN and type(y) in PLAIN else equals(x, y)
            for x, y in zip(a, b, strict=True)
        )


def zero_dim_as_scalar(x: Any) -> Any:
    """A zero-dimensional NumPy array as the NumPy scalar it holds, so that ``np.array(0.1)``
    and ``np.float64(0.1)`` compare alike; anything else as it is."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind != "O":
        return x[()]
    return x


def is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def ints_close(a: int, b: int, atol: float, rtol: float, strict: bool) -> bool:
    """``|a - b| <= atol + rtol * |b|`` for Python integers, exactly at any size."""
    from fractions import Fraction

    diff = abs(a - b)
    if diff == 0:
        return True
    limit = Fraction(atol) + Fraction(rtol) * abs(b)
    return diff < limit if strict else diff <= limit


def is_nan(x: Any) -> bool:
    try:
        return (
            isinstance(x, (float, complex))
            and x != x
            or (type(x).__name__.startswith("float") and math.isnan(x))
        )
    except (TypeError, ValueError):
        return False


def same_multiset(a: list[Any], b: list[Any], equals: Callable[[Any, Any], bool]) -> bool:
    """Whether ``a`` and ``b`` hold the same items as many times each, NaN matching NaN;
    items need not be hashable (they are paired with ``equals``)."""
    if len(a) != len(b):
        return False
    unused = list(b)
    for item in a:
        for i, other in enumerate(unused):
            if (is_nan(item) and is_nan(other)) or equals(item, other):
                del unused[i]
                break
        else:
            return False
    return True


def integer_mask(pair: Any, atol: float, rtol: float, strict: bool) -> Any:
    """The tolerance mask of a pair of integer arrays (``arrays.Pair``), their difference
    taken exactly (no rounding to float64 first: 2**62 + 1 is not 2**62); ``None`` when
    either side is not integers."""
    import numpy as np

    from .arrays import as_numpy, dtype_kind

    if dtype_kind(pair.a) != "i" or dtype_kind(pair.b) != "i":
        return None
    a, b = as_numpy(pair.a), as_numpy(pair.b)
    if a.dtype.kind == "u" or b.dtype.kind == "u":  # uint64 beyond int64: Python integers
        flat = [
            ints_close(int(x), int(y), atol, rtol, strict)
            for x, y in zip(a.ravel().tolist(), b.ravel().tolist(), strict=True)
        ]
        mask = np.array(flat, dtype=bool).reshape(a.shape)
    else:
        # |a - b| without overflow: the larger minus the smaller, as unsigned 64-bit
        a64, b64 = a.astype(np.int64), b.astype(np.int64)
        high, low = np.maximum(a64, b64), np.minimum(a64, b64)
        diff = high.astype(np.uint64) - low.astype(np.uint64)
        exact_small = diff < np.uint64(2**53)  # exact as float64 too
        limit = atol + rtol * np.abs(b64.astype(np.float64))
        as_float = diff.astype(np.float64)
        ok = as_float < limit if strict else as_float <= limit
        mask = (diff == 0) | np.where(exact_small, ok, ok & (as_float != limit))
    return sys.modules["torch"].from_numpy(mask).to(pair.a.device) if pair.lib == "torch" else mask
