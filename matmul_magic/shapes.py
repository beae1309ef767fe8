"""Broadcasting and einsum shape rules, as plain functions on shapes.

This module is the single source of truth for the rules; the TypeScript port in
``labextension/src/rules/`` is checked against the JSON vectors that
``tests/vectors/generate.py`` writes from torch. It never imports torch: operands are
shapes (sequences of ints, or a bare int meaning a 1-d shape, as torch accepts) or
anything with a ``.shape`` (tensors, arrays).

Bad input raises ``TypeError`` (an operand that is not a shape at all) or ``ValueError``
(bad sizes, too many operands or dimensions, absurd sizes, clashing shapes, bad specs).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Literal

MAX_OPERANDS = 8
MAX_NDIM = 64
# Sizes above 2**53 - 1 cannot be written exactly in JavaScript; no real tensor has one.
MAX_SIZE = 2**53 - 1
MAX_NUMEL = 2**63 - 1  # torch counts elements in an int64

Shape = tuple[int, ...]
Kind = Literal["equal", "stretched", "missing", "clash"]

_RULE = "sizes must be equal or one of them 1"
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def format_shape(shape: Shape) -> str:
    """``(5, 784)``, ``(3,)`` and ``()``: a shape as Python prints a tuple."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(size) for size in shape) + ")"


# ---------------------------------------------------------------------------- input checks


def _size(value: Any, where: str) -> int:
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return _fail(ValueError, f"{where}: {bool(value)} is a bool, not a size.")
    if isinstance(value, float):
        return _fail(ValueError, f"{where}: {value} is not an integer.")
    try:
        size = operator.index(value)
    except TypeError:
        name = "NoneType" if value is None else type(value).__name__
        return _fail(ValueError, f"{where}: expected an integer size, got {name}.")
    if size < 0:
        return _fail(ValueError, f"{where}: size {size} is negative.")
    if size > MAX_SIZE:
        return _fail(ValueError, f"{where}: size {size} is too large.")
    return size


def _fail(kind: type[Exception], message: str) -> Any:
    raise kind(message)


def _numel(shape: Shape) -> int:
    numel = 1
    for size in shape:
        numel *= size
    return numel


def _check_numel(shape: Shape, what: str) -> None:
    if _numel(shape) > MAX_NUMEL:
        raise ValueError(f"{what} {format_shape(shape)} has more than {MAX_NUMEL} elements.")


def _shape(operand: Any, index: int) -> Shape:
    """One operand as a tuple of ints: a sequence of ints, a bare int, or a ``.shape``."""
    where = f"Operand {index}"
    if getattr(operand, "is_nested", False) is True:  # torch's nested (jagged) tensors
        raise TypeError(
            f"{where} is a nested tensor: its components have different shapes, so it has no "
            "single shape to broadcast. Pass its components (t.unbind()) one by one."
        )
    raw = getattr(operand, "shape", operand)
    if isinstance(raw, bool) or raw is None or isinstance(raw, (str, bytes, dict, float)):
        name = "NoneType" if raw is None else type(raw).__name__
        raise TypeError(
            f"{where}: expected a shape (a sequence of ints, or an object with .shape), got {name}."
        )
    if not hasattr(raw, "__len__") or not hasattr(raw, "__getitem__"):
        try:  # a bare int is a 1-d shape, as torch.broadcast_shapes accepts
            return (_size(operator.index(raw), f"{where}, dimension 0"),)
        except TypeError:
            raise TypeError(
                f"{where}: expected a shape (a sequence of ints, or an object with .shape), "
                f"got {type(raw).__name__}."
            ) from None
    if len(raw) > MAX_NDIM:
        raise ValueError(f"{where} has {len(raw)} dimensions; at most {MAX_NDIM} are supported.")
    if any(isinstance(value, (list, tuple)) for value in raw):
        raise TypeError(
            f"{where} is a nested list, which reads as data, not as a shape: for a tensor of "
            "those values write torch.tensor(...) around it; a shape is flat, such as (5, 1)."
        )
    shape = tuple(_size(value, f"{where}, dimension {d}") for d, value in enumerate(raw))
    _check_numel(shape, f"{where}: shape")
    return shape


def _shapes(operands: tuple[Any, ...]) -> tuple[Shape, ...]:
    if len(operands) > MAX_OPERANDS:
        raise ValueError(f"At most {MAX_OPERANDS} operands are supported; got {len(operands)}.")
    return tuple(_shape(operand, i) for i, operand in enumerate(operands))


# ---------------------------------------------------------------------------- broadcasting


@dataclass(frozen=True)
class BroadcastColumn:
    """One right-aligned dimension: each operand's size there and how the rule treats it."""

    dim: int  # counted from the right: -1 is the last dimension
    sizes: tuple[int | None, ...]  # None where the operand has no such dimension
    kinds: tuple[Kind, ...]  # "equal", "stretched" (from 1), "missing" (prepended 1), "clash"
    size: int | None  # the result's size here, None on a clash

    def to_dict(self) -> dict[str, Any]:
        return {
            "dim": self.dim,
            "sizes": list(self.sizes),
            "kinds": list(self.kinds),
            "size": self.size,
        }


@dataclass(frozen=True)
class BroadcastExplanation:
    """How shapes broadcast, dimension by dimension; see :func:`explain_broadcast`."""

    shapes: tuple[Shape, ...]
    columns: tuple[BroadcastColumn, ...]  # left to right; the last one is dimension -1
    result: Shape | None  # None when some dimension clashes
    reason: str  # one sentence, in the numpy rule's words
    clash: int | None  # the dimension the reason names (counted from the right), if any

    @property
    def ok(self) -> bool:
        return self.result is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "shapes": [list(shape) for shape in self.shapes],
            "columns": [column.to_dict() for column in self.columns],
            "result": None if self.result is None else list(self.result),
            "reason": self.reason,
            "clash": self.clash,
            "ok": self.ok,
        }


def _column(dim: int, shapes: tuple[Shape, ...]) -> BroadcastColumn:
    sizes = tuple(shape[dim] if len(shape) >= -dim else None for shape in shapes)
    present = {size for size in sizes if size is not None}
    big = present - {1}
    if len(big) > 1:
        kinds: tuple[Kind, ...] = tuple(
            "missing" if s is None else "stretched" if s == 1 else "clash" for s in sizes
        )
        return BroadcastColumn(dim, sizes, kinds, None)
    size = big.pop() if big else 1
    kinds = tuple("missing" if s is None else "equal" if s == size else "stretched" for s in sizes)
    return BroadcastColumn(dim, sizes, kinds, size)


def _clash_sentence(column: BroadcastColumn) -> str:
    first = next(s for s in column.sizes if s is not None and s != 1)
    other = next(s for s in column.sizes if s is not None and s not in (1, first))
    return f"Dimension {column.dim}: {first} and {other} clash — {_RULE}."


def explain_broadcast(*shapes: Any) -> BroadcastExplanation:
    """Explain how shapes (or tensors) broadcast, one right-aligned column per dimension.

    A clash is reported, not raised: ``result`` is None and ``reason`` names the
    dimension, e.g. "Dimension -1: 784 and 10 clash — sizes must be equal or one of
    them 1." Malformed input still raises ``TypeError``/``ValueError``.
    """
    checked = _shapes(shapes)
    ndim = max((len(shape) for shape in checked), default=0)
    columns = tuple(_column(dim, checked) for dim in range(-ndim, 0))
    clashes = [column for column in columns if column.size is None]
    if clashes:
        rightmost = clashes[-1]
        return BroadcastExplanation(
            checked, columns, None, _clash_sentence(rightmost), rightmost.dim
        )
    result = tuple(column.size for column in columns)  # type: ignore[misc]
    _check_numel(result, "The broadcast result")
    if not checked:
        reason = "No shapes to broadcast: the result is the 0-d shape ()."
    else:
        reason = (
            f"Broadcasts to {format_shape(result)}: from the trailing dimension leftwards, "
            "the sizes are equal or one of them is 1, and a missing dimension counts as 1."
        )
    return BroadcastExplanation(checked, columns, result, reason, None)


def broadcast_shapes(*shapes: Any) -> Shape:
    """The shape that ``shapes`` broadcast to, by ``torch.broadcast_shapes``'s rule.

    Each operand is a sequence of ints, an int (a 1-d shape) or anything with ``.shape``.
    A clash raises ``ValueError`` naming the dimension and the sizes::

        >>> broadcast_shapes((5, 1), (3,))
        (5, 3)

    Where valid shapes broadcast, the result is torch's. Input torch would take or reject
    differently is refused here, on purpose:

    - ``bool`` sizes raise ``ValueError`` (a bool is no size); torch reads ``True`` as 1;
    - ``None`` as an operand raises ``TypeError``; torch skips it, as if it were ``()``;
    - sizes above 2**53 - 1 raise ``ValueError``, so that Python and the TypeScript port
      (whose numbers are exact only up to 2**53 - 1) agree; torch takes them;
    - shapes of more than 2**63 - 1 elements raise ``ValueError``; torch does not count
      the elements, so ``torch.broadcast_shapes((2**40, 2**40))`` succeeds;
    - more than 8 operands or 64 dimensions raise ``ValueError``.
    """
    explanation = explain_broadcast(*shapes)
    if explanation.result is None:
        raise ValueError(explanation.reason)
    return explanation.result


# ---------------------------------------------------------------------------- einsum

ELLIPSIS = "..."


@dataclass(frozen=True)
class EinsumPlan:
    """A parsed einsum: who carries which index, what is summed, and the loops it means."""

    spec: str
    inputs: tuple[tuple[str, ...], ...]  # per operand, its labels; "..." stands for the ellipsis
    output: tuple[str, ...]  # output labels, "..." included where the ellipsis goes
    implicit: bool  # True when the spec has no "->" and the output was inferred
    summed: tuple[str, ...]  # summed labels in order of first appearance ("..." if summed)
    sizes: dict[str, int]  # each label's size, in order of first appearance
    ellipsis: Shape  # the broadcast shape of the dimensions "..." covers
    shape: Shape  # the output shape
    names: tuple[str, ...]  # what the loop nest calls each operand
    loops: str  # the equivalent Python loop nest

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "inputs": [list(labels) for labels in self.inputs],
            "output": list(self.output),
            "implicit": self.implicit,
            "summed": list(self.summed),
            "sizes": dict(self.sizes),
            "ellipsis": list(self.ellipsis),
            "shape": list(self.shape),
            "names": list(self.names),
            "loops": self.loops,
        }


def _parse_term(spec: str, start: int, stop: int, where: str) -> list[list[str]]:
    """Split spec[start:stop] at commas into label lists; positions in errors are absolute."""
    terms: list[list[str]] = [[]]
    position = start
    while position < stop:
        char = spec[position]
        if char == " ":
            position += 1
        elif char == ",":
            if where == "output":
                raise ValueError(
                    f"Invalid character ',' at position {position}: the output is one term."
                )
            terms.append([])
            position += 1
        elif char == ".":
            owner = "The output" if where == "output" else f"Operand {len(terms) - 1}"
            if ELLIPSIS in terms[-1]:
                raise ValueError(
                    f"{owner} has a second '...' at position {position}: "
                    "only one ellipsis is allowed per term."
                )
            if spec[position : position + 3] != ELLIPSIS or position + 3 > stop:
                raise ValueError(
                    f"Stray '.' at position {position}: an ellipsis is exactly three dots '...'."
                )
            terms[-1].append(ELLIPSIS)
            position += 3
        elif char in _LETTERS:
            terms[-1].append(char)
            position += 1
        else:
            raise ValueError(
                f"Invalid character '{char}' at position {position}: "
                "subscripts must be letters a-z or A-Z."
            )
    return terms


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _operand_names(labels: set[str], count: int) -> list[str]:
    # Operands are called a, b, c... unless an index already uses one of those letters.
    for first in ("a", "A"):
        names = [chr(ord(first) + i) for i in range(count)]
        if not labels & set(names):
            return names
    return [f"x{i}" for i in range(count)]


def _loops(
    inputs: list[list[str]],
    shapes: tuple[Shape, ...],
    output: list[str],
    summed: list[str],
    sizes: dict[str, int],
    ellipsis: Shape,
    names: list[str],
) -> str:
    ell_vars = [f"e{i}" for i in range(len(ellipsis))]

    def expand(labels: list[str]) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for label in labels:
            if label == ELLIPSIS:
                out.extend(zip(ell_vars, ellipsis, strict=True))
            else:
                out.append((label, sizes[label]))
        return out

    loops = expand(output) + expand(summed)
    factors = []
    for name, labels, shape in zip(names, inputs, shapes, strict=True):
        indices: list[str] = []
        position = 0
        for label in labels:
            if label == ELLIPSIS:
                covered = len(shape) - (len(labels) - 1)
                for var, full, own in zip(
                    ell_vars[len(ell_vars) - covered :],
                    ellipsis[len(ellipsis) - covered :],
                    shape[position : position + covered],
                    strict=True,
                ):
                    indices.append("0" if own != full else var)
                position += covered
            else:
                indices.append("0" if shape[position] != sizes[label] else label)
                position += 1
        factors.append(f"{name}[{', '.join(indices)}]" if indices else name)
    target = [var for var, _ in expand(output)]
    lhs = f"out[{', '.join(target)}]" if target else "out"
    lines = [
        f"{'  ' * depth}for {var} in range({size}):" for depth, (var, size) in enumerate(loops)
    ]
    lines.append(f"{'  ' * len(loops)}{lhs} += {' * '.join(factors)}")
    return "\n".join(lines)


def parse_einsum(spec: str, *operands: Any) -> EinsumPlan:
    """Parse an einsum spec against operand shapes (or tensors), as ``torch.einsum`` does.

    Supports ``...`` (broadcast dimensions), implicit output (the ellipsis, then the
    labels used exactly once, in ASCII order), repeated labels in one operand (a
    diagonal) and size-1 broadcasting of a label across operands. Bad specs, operand
    count mismatches and size clashes raise ``ValueError``::

        >>> parse_einsum("ik,kj->ij", (5, 784), (784, 10)).shape
        (5, 10)
    """
    if not isinstance(spec, str):
        raise TypeError(f"The einsum spec must be a str, got {type(spec).__name__}.")
    shapes = _shapes(operands)

    arrow = spec.find("->")
    lhs_stop = len(spec) if arrow < 0 else arrow
    inputs = _parse_term(spec, 0, lhs_stop, "inputs")
    explicit = None if arrow < 0 else _parse_term(spec, arrow + 2, len(spec), "output")[0]

    if len(inputs) != len(shapes):
        raise ValueError(
            f"The spec names {_plural(len(inputs), 'operand')} "
            f"but {len(shapes)} {'was' if len(shapes) == 1 else 'were'} given."
        )

    counts: dict[str, int] = {}
    for labels in inputs:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    if explicit is not None:
        seen: set[str] = set()
        for label in explicit:
            if label in seen:
                raise ValueError(f"Index {label} appears twice in the output.")
            seen.add(label)
            if label != ELLIPSIS and label not in counts:
                raise ValueError(f"Output index {label} does not appear in any operand.")

    sizes: dict[str, int] = {}
    where: dict[str, int] = {}
    ell_shapes: list[tuple[int, Shape]] = []
    for index, (labels, shape) in enumerate(zip(inputs, shapes, strict=True)):
        named = [label for label in labels if label != ELLIPSIS]
        has_ellipsis = len(named) != len(labels)
        if len(named) > len(shape) or (not has_ellipsis and len(named) != len(shape)):
            given = _plural(len(named), "subscript") + (" plus '...'" if has_ellipsis else "")
            raise ValueError(
                f"Operand {index} has {_plural(len(shape), 'dimension')} "
                f"but the spec gives it {given}."
            )
        own: dict[str, int] = {}
        position = 0
        for label in labels:
            if label == ELLIPSIS:
                covered = len(shape) - len(named)
                ell_shapes.append((index, shape[position : position + covered]))
                position += covered
                continue
            size = shape[position]
            position += 1
            if label in own and own[label] != size:
                raise ValueError(
                    f"Index {label} appears twice in operand {index} with sizes {own[label]} "
                    f"and {size} — a repeated index takes a diagonal, so they must be equal."
                )
            own[label] = size
        for label, size in own.items():
            if label not in sizes:
                sizes[label], where[label] = size, index
            elif sizes[label] != size and 1 not in (sizes[label], size):
                raise ValueError(
                    f"Index {label} has size {sizes[label]} in operand {where[label]} "
                    f"but {size} in operand {index} — {_RULE}."
                )
            elif sizes[label] == 1:
                sizes[label], where[label] = size, index

    ellipsis: Shape = ()
    if ell_shapes:
        column_count = max(len(shape) for _, shape in ell_shapes)
        merged: list[int] = []
        for dim in range(-column_count, 0):
            size, owner = 1, ell_shapes[0][0]
            for index, shape in ell_shapes:
                if len(shape) < -dim:
                    continue
                if shape[dim] != size and 1 not in (size, shape[dim]):
                    raise ValueError(
                        f"The '...' dimensions clash: dimension {dim} is {size} in operand "
                        f"{owner} but {shape[dim]} in operand {index} — {_RULE}."
                    )
                if size == 1:
                    size, owner = shape[dim], index
            merged.append(size)
        ellipsis = tuple(merged)

    if explicit is None:
        once = sorted(label for label, count in counts.items() if count == 1 and label != ELLIPSIS)
        output = ([ELLIPSIS] if ELLIPSIS in counts else []) + once
    else:
        output = explicit
    summed = [label for label in counts if label not in output]
    shape = tuple(
        size for label in output for size in (ellipsis if label == ELLIPSIS else (sizes[label],))
    )
    _check_numel(shape, "The output shape")
    if ELLIPSIS in summed and not ellipsis:
        summed.remove(ELLIPSIS)  # an empty ellipsis sums nothing
    names = _operand_names(set(sizes), len(inputs))
    return EinsumPlan(
        spec=spec,
        inputs=tuple(tuple(labels) for labels in inputs),
        output=tuple(output),
        implicit=explicit is None,
        summed=tuple(summed),
        sizes={label: sizes[label] for label in counts if label != ELLIPSIS},
        ellipsis=ellipsis,
        shape=shape,
        names=tuple(names),
        loops=_loops(inputs, shapes, output, summed, sizes, ellipsis, names),
    )
