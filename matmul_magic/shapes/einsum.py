"""Einsum specs against operand shapes, as ``torch.einsum`` reads them.

:func:`parse_einsum` runs in steps: read the spec into label lists, check them against the
operands, bind each label to a size, broadcast the ``...`` dimensions, resolve the output.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .einsum_loops import ELLIPSIS, loop_nest, operand_names
from .operand_shapes import RULE, Shape, check_numel, checked_shapes

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


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


def _read_dot(spec: str, position: int, stop: int, term: list[str], owner: str) -> None:
    """The ellipsis starting at ``position``, appended to ``term``; else why not."""
    if ELLIPSIS in term:
        raise ValueError(
            f"{owner} has a second '...' at position {position}: "
            "only one ellipsis is allowed per term."
        )
    if spec[position : position + 3] != ELLIPSIS or position + 3 > stop:
        raise ValueError(
            f"Stray '.' at position {position}: an ellipsis is exactly three dots '...'."
        )
    term.append(ELLIPSIS)


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
            _read_dot(spec, position, stop, terms[-1], owner)
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


def _tokenize(spec: str) -> tuple[list[list[str]], list[str] | None]:
    """Each operand's labels, and the output's (None when the spec has no ``->``)."""
    arrow = spec.find("->")
    inputs = _parse_term(spec, 0, len(spec) if arrow < 0 else arrow, "inputs")
    explicit = None if arrow < 0 else _parse_term(spec, arrow + 2, len(spec), "output")[0]
    return inputs, explicit


def _label_counts(
    inputs: list[list[str]], shapes: tuple[Shape, ...], explicit: list[str] | None
) -> dict[str, int]:
    """How often each label appears in the inputs, after checking the terms against each other."""
    if len(inputs) != len(shapes):
        if len(inputs) == 1 and not inputs[0] and explicit is None:
            raise ValueError(
                "The spec is empty: give one term of indices per operand, like 'ik,kj->ij' for 2."
            )
        raise ValueError(
            f"The spec names {_plural(len(inputs), 'operand')} "
            f"but {len(shapes)} {'was' if len(shapes) == 1 else 'were'} given."
        )
    counts = Counter(label for labels in inputs for label in labels)
    seen: set[str] = set()
    for label in explicit or []:
        if label in seen:
            raise ValueError(f"Index {label} appears twice in the output.")
        seen.add(label)
        if label != ELLIPSIS and label not in counts:
            raise ValueError(f"Output index {label} does not appear in any operand.")
    return counts


def _own_sizes(index: int, labels: list[str], shape: Shape) -> tuple[dict[str, int], Shape | None]:
    """One operand's size per label, and the part of its shape ``...`` covers (None if absent)."""
    named = [label for label in labels if label != ELLIPSIS]
    has_ellipsis = len(named) != len(labels)
    if len(named) > len(shape) or (not has_ellipsis and len(named) != len(shape)):
        given = _plural(len(named), "subscript") + (" plus '...'" if has_ellipsis else "")
        raise ValueError(
            f"Operand {index} has {_plural(len(shape), 'dimension')} but the spec gives it {given}."
        )
    own: dict[str, int] = {}
    covered: Shape | None = None
    position = 0
    for label in labels:
        if label == ELLIPSIS:
            width = len(shape) - len(named)
            covered, position = shape[position : position + width], position + width
            continue
        size, position = shape[position], position + 1
        if label in own and own[label] != size:
            raise ValueError(
                f"Index {label} appears twice in operand {index} with sizes {own[label]} "
                f"and {size} — a repeated index takes a diagonal, so they must be equal."
            )
        own[label] = size
    return own, covered


def _bind_sizes(
    inputs: list[list[str]], shapes: tuple[Shape, ...]
) -> tuple[dict[str, int], list[tuple[int, Shape]]]:
    """Each label's size across operands (a size 1 broadcasts), and each ``...``'s dimensions."""
    sizes: dict[str, int] = {}
    where: dict[str, int] = {}
    ell_shapes: list[tuple[int, Shape]] = []
    for index, (labels, shape) in enumerate(zip(inputs, shapes, strict=True)):
        own, covered = _own_sizes(index, labels, shape)
        if covered is not None:
            ell_shapes.append((index, covered))
        for label, size in own.items():
            if label not in sizes:
                sizes[label], where[label] = size, index
            elif sizes[label] != size and 1 not in (sizes[label], size):
                raise ValueError(
                    f"Index {label} has size {sizes[label]} in operand {where[label]} "
                    f"but {size} in operand {index} — {RULE}."
                )
            elif sizes[label] == 1:
                sizes[label], where[label] = size, index
    return sizes, ell_shapes


def _broadcast_ellipsis(ell_shapes: list[tuple[int, Shape]]) -> Shape:
    """The shape the ``...`` dimensions of all operands broadcast to."""
    if not ell_shapes:
        return ()
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
                    f"{owner} but {shape[dim]} in operand {index} — {RULE}."
                )
            if size == 1:
                size, owner = shape[dim], index
        merged.append(size)
    return tuple(merged)


def _resolve_output(explicit: list[str] | None, counts: dict[str, int]) -> list[str]:
    """The spec's output, or the implicit one: ``...``, then the labels used once, sorted."""
    if explicit is not None:
        return explicit
    once = sorted(label for label, count in counts.items() if count == 1 and label != ELLIPSIS)
    return ([ELLIPSIS] if ELLIPSIS in counts else []) + once


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
    shapes = checked_shapes(operands, limit=None)  # torch.einsum takes any number
    inputs, explicit = _tokenize(spec)
    counts = _label_counts(inputs, shapes, explicit)
    sizes, ell_shapes = _bind_sizes(inputs, shapes)
    ellipsis = _broadcast_ellipsis(ell_shapes)
    output = _resolve_output(explicit, counts)
    summed = [label for label in counts if label not in output]
    shape = tuple(
        size for label in output for size in (ellipsis if label == ELLIPSIS else (sizes[label],))
    )
    check_numel(shape, "The output shape")
    if ELLIPSIS in summed and not ellipsis:
        summed.remove(ELLIPSIS)  # an empty ellipsis sums nothing
    names = operand_names(set(sizes), len(inputs))
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
        loops=loop_nest(inputs, shapes, output, summed, sizes, ellipsis, names),
    )
