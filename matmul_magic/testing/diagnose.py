"""Failure messages: fastcore's ``"{cname}:\\n{a}\\n{b}"``, then for array-likes what differs,
where, and by how much (worked out a chunk at a time, so it costs about what the check did).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from .arrays import (
    Pair,
    as_numpy,
    as_pair,
    is_array,
    is_iterable,
    is_numeric_pair,
    is_tensor,
    numpy_ne,
    shape_of,
    tensor_to_numpy,
)
from .compare import Seen, Tolerance, elementwise_differs

# Printed values never exceed _MAX_LINES.
_FULL_NUMEL = 10  # arrays with more elements print as one summary line
_SUMMARY_CHARS = 160
_CHUNK = 1 << 16  # elements per step when diagnosing a failure
_MAX_LINES = 24
_MAX_CHARS = 4000


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
    return math.prod(int(d) for d in x.shape)


def value_text(x: Any) -> str:
    """``str(x)``, as fastcore prints it, except that a string is its ``repr`` (quotes show
    its spaces, and an empty one) and an array of more than a few elements is one summary
    line, its corners as torch prints a large tensor. The failure's
    ``AssertionError`` keeps both values in full as ``.a`` and ``.b``."""
    if is_array(x) and _numel(x) > _FULL_NUMEL:
        return _summary(x)
    if isinstance(x, (str, bytes)):  # "hi " and "hi", or "" and " ", must look different
        return _clip(repr(x))
    return _clip(str(x))


def _edges(x: Any, k: int) -> Any:
    """The corners of ``x``: each long dimension cut to its first ``k``, one element that
    stands for the rest (never shown), and its last ``k``. A small copy on the CPU."""
    for dim, size in enumerate(x.shape):
        if size > 2 * k + 1:
            keep = [*range(k), k, *range(size - k, size)]
            if is_tensor(x):
                x = x.index_select(dim, sys.modules["torch"].tensor(keep, device=x.device))
            else:
                x = x.take(keep, axis=dim)
    return tensor_to_numpy(x) if is_tensor(x) else x


def _summary(x: Any) -> str:
    import numpy as np

    k = 3 if len(x.shape) <= 1 else 1
    body = np.array2string(
        _edges(x, k), threshold=0, edgeitems=k, separator=", ", precision=4, max_line_width=10**9
    )
    body = re.sub(r"\s+", " ", body)
    body = re.sub(r" +([,\]])", r"\1", re.sub(r"\[ +", "[", body))  # numpy's column padding
    if len(body) > _SUMMARY_CHARS:
        body = body[: _SUMMARY_CHARS - 4] + " ..."
    what = "tensor" if is_tensor(x) else "array"
    return f"{what}({body}, shape={shape_of(x)})"


def _fmt_pair(a: Any, b: Any) -> tuple[str, str]:
    """``a`` and ``b`` with enough digits that the shown values differ by about what the
    values do (16777217 vs 16777216, not 16777217 vs 1.67772e+07)."""
    from ..bench_result.views.format import format_plain  # on a failure only: import stays light

    for digits in (6, 9, 12, 17):
        fa, fb = (format_plain(v, digits) if isinstance(v, float) else str(v) for v in (a, b))
        try:
            shown, true = abs(complex(fa) - complex(fb)), abs(complex(a) - complex(b))
        except (TypeError, ValueError, OverflowError):
            return fa, fb
        if shown == true or abs(shown - true) <= 0.01 * true:
            return fa, fb
    return fa, fb


def diagnosis_lines(pair: Pair | None, bad: Any = None, tol: Tolerance | None = None) -> list[str]:
    """Lines that explain why two array-likes are not equal, close or near."""
    if pair is None:
        return []
    shapes = f"shapes: {pair.shape_a} vs {pair.shape_b}"
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


def _chunk_differs(pair: Pair) -> Callable[[int, int], Any]:
    """Elementwise "not equal" of the flat slice ``[start:stop]``, as a numpy bool array: a
    chunk at a time, so that explaining a failed ``test_eq`` needs no full-size mask."""
    flat_a, flat_b = pair.a.reshape(-1), pair.b.reshape(-1)

    def differs(start: int, stop: int) -> Any:
        # In numpy: a torch op on a small chunk pays for waking torch's thread pool.
        a, b = as_numpy(flat_a[start:stop]), as_numpy(flat_b[start:stop])
        part = Pair("numpy", a, b, a.shape, b.shape, pair.kind_a, pair.kind_b)
        return elementwise_differs(part)

    return differs


@dataclass
class _Scan:
    """What one pass over the differing elements found."""

    total: int
    n_bad: int = 0
    first: int | None = None  # flat index of the first differing element
    nan_a: int = 0  # NaNs among the differing elements, on each side
    nan_b: int = 0
    largest_abs: _Largest = field(default_factory=_Largest)
    largest_rel: _Largest = field(default_factory=_Largest)


def _scan_differences(pair: Pair, bad: Any) -> _Scan:
    """Count the differing elements a chunk at a time; for numbers, find the largest
    absolute and relative differences (in the chunk's working dtype) and the NaNs."""
    import numpy as np

    scan = _Scan(total=_numel(pair.a))
    flat_a, flat_b = pair.a.reshape(-1), pair.b.reshape(-1)
    flat_bad = None if callable(bad) else bad.reshape(-1)
    numeric = is_numeric_pair(pair)
    with np.errstate(all="ignore"):
        for start in range(0, scan.total, _CHUNK):
            stop = min(start + _CHUNK, scan.total)
            mask = bad(start, stop) if flat_bad is None else as_numpy(flat_bad[start:stop])
            count = int(np.count_nonzero(mask))
            if not count:
                continue
            scan.n_bad += count
            positions = None if count == stop - start else np.flatnonzero(mask)
            if scan.first is None:
                scan.first = start + (0 if positions is None else int(positions[0]))
            if not numeric:
                continue
            a = as_numpy(flat_a[start:stop])
            b = as_numpy(flat_b[start:stop])
            if positions is not None:
                a, b = a[positions], b[positions]
            wide = _working_dtype(a, b)
            a, b = a.astype(wide, copy=False), b.astype(wide, copy=False)
            diff = np.subtract(a, b)
            diff = np.abs(diff, out=diff) if diff.dtype.kind == "f" else np.abs(diff)
            rel = np.abs(b)
            np.divide(diff, rel, out=rel)
            if scan.largest_abs.offer(diff, start, positions):  # a NaN on either side
                nan = np.isnan(diff)
                scan.nan_a += int(np.count_nonzero(np.isnan(a[nan])))
                scan.nan_b += int(np.count_nonzero(np.isnan(b[nan])))
            scan.largest_rel.offer(rel, start, positions)
    return scan


def _difference_lines(pair: Pair, bad: Any) -> list[str]:
    """How many elements differ and the largest differences, where ``bad`` is True.

    ``bad`` is a mask of the pair's shape, or a function giving the mask of a flat slice.
    The arrays are worked through a chunk at a time, and only their differing elements,
    so a failure on 10**7 elements costs about what the check did, never a float64 copy
    of a whole operand (and, off the CPU, a chunk at a time comes over).
    """
    import numpy as np

    from ..bench_result.views.format import format_plain  # on a failure only: import stays light

    scan = _scan_differences(pair, bad)
    total, n_bad, first = scan.total, scan.n_bad, scan.first
    lines = [
        f"differing elements: {n_bad} of {total} ({format_plain(100 * n_bad / max(total, 1), 3)}%)"
    ]
    flat_a, flat_b = pair.a.reshape(-1), pair.b.reshape(-1)

    def at(flat_index: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(flat_index, tuple(pair.a.shape)))

    def item(flat: Any, flat_index: int) -> Any:
        return as_numpy(flat[flat_index : flat_index + 1])[0].item()

    if first is None:
        return lines
    if not is_numeric_pair(pair):
        lines.append(
            f"first difference at index {at(first)}: "
            f"{item(flat_a, first)!r} vs {item(flat_b, first)!r}"
        )
        return lines
    if scan.nan_a or scan.nan_b:
        lines.append(f"NaN among the differing elements: {scan.nan_a} in a, {scan.nan_b} in b")
    for label, largest in (("abs", scan.largest_abs), ("rel", scan.largest_rel)):
        if largest.index is None:
            continue
        value_a, value_b = item(flat_a, largest.index), item(flat_b, largest.index)
        exact = _exact_difference(value_a, value_b, relative=label == "rel")
        shown_a, shown_b = _fmt_pair(value_a, value_b)
        lines.append(
            f"largest {label} diff: {format_plain(exact)} at index {at(largest.index)}"
            f" (a={shown_a}, b={shown_b})"
        )
    return lines


def _exact_difference(a: Any, b: Any, relative: bool) -> float:
    """``|a - b|`` (over ``|b|`` if ``relative``) of two Python numbers, in double precision
    or better: a chunk may have located it in float32."""
    # complex() covers floats too: |x + 0j| is exactly |x|
    exact_ints = isinstance(a, int) and isinstance(b, int)
    diff = abs(a - b) if exact_ints else abs(complex(a) - complex(b))
    if not relative:
        return float(diff)
    try:
        return float(diff / abs(b))
    except ZeroDivisionError:
        return float("inf") if diff else 0.0


def failure_error(cname: str, a: Any, b: Any, extra: list[str] | None = None) -> AssertionError:
    """The ``AssertionError`` of a failed test: fastcore's ``"{cname}:\\n{a}\\n{b}"``, then
    the ``extra`` lines; ``.a`` and ``.b`` keep both values in full."""
    error = AssertionError("\n".join([f"{cname}:", value_text(a), value_text(b), *(extra or [])]))
    error.a, error.b = a, b  # type: ignore[attr-defined]
    return error


def equal_failure(cname: str, a: Any, b: Any, want_equal: bool) -> AssertionError:
    extra: list[str] = []
    if is_array(a) or is_array(b):
        other = b if is_array(a) else a
        if isinstance(other, (Mapping, AbstractSet)):
            kind = "a dict" if isinstance(other, Mapping) else "a set"
            return failure_error(cname, a, b, [f"{kind} never equals an array: it has no order"])
        pair = as_pair(a, b)
        explain = pair is not None and pair.same_shape and want_equal
        extra = diagnosis_lines(pair, _chunk_differs(pair) if explain else None)
    return failure_error(cname, a, b, extra)


def within_failure(cname: str, a: Any, b: Any, tol: Tolerance, seen: Seen) -> AssertionError:
    extra: list[str] = []
    if not isinstance(a, (str, bytes)) and not isinstance(b, (str, bytes)):
        pair = seen.pair if seen.pair is not None else as_pair(a, b, numeric_sequences=True)
        scalars = pair is not None and not pair.shape_a and not pair.shape_b
        if scalars and not (is_array(a) or is_array(b)):
            pass  # two plain numbers: fastcore's message says it all
        elif pair is not None and not is_numeric_pair(pair):
            bad = numpy_ne(pair.a, pair.b) if pair.same_shape else None
            extra = diagnosis_lines(pair, bad)
        elif pair is not None:
            bad = None
            if pair.same_shape:
                bad = ~(seen.mask if seen.mask is not None else tol.mask(pair))
            extra = diagnosis_lines(pair, bad, tol)
        elif is_iterable(a) and is_iterable(b) and hasattr(a, "__len__") and hasattr(b, "__len__"):
            if len(a) != len(b):
                extra = [f"lengths: {len(a)} vs {len(b)} (different lengths: never close)"]
    return failure_error(cname, a, b, extra)


# ---------------------------------------------------------------------------------------------
# The test functions
# ---------------------------------------------------------------------------------------------
