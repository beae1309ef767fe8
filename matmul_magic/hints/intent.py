"""What a failing product's operands say about what was meant, beyond their shapes.

Shapes alone cannot tell a weight stored (out, in) from a tensor cut on the wrong axis: a
transpose makes both fit, and in the second case computes something else. How an operand
was built can tell: ``m2.view(10, 784)`` of a (784, 10) ``m2`` only reorders its sizes (the
learner took ``view`` for a transpose), and ``m2[:5]`` cut the very dimension the product
sums over, whose full size already matched. Where such evidence exists, the hint answers it
(use the tensor as it was, or cut the other axis) when that change certainly gives the
product of the tensors as the user has them, explains it otherwise, and never transposes.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from ..shapes import format_shape
from .failing_line import FailingSite, Operand
from .fixes import Fix, changed, index_parts, is_bare, is_reshaped
from .safe_eval import is_tensor


@dataclass(frozen=True)
class Evidence:
    """What one operand's making says: a certainly right ``fix``, else a ``sentence``."""

    fix: Fix | None
    sentence: str


def read_intent(
    operands: list[Operand],
    site: FailingSite | None,
    outcome: Callable[..., object],
    sums: str = "the product sums over",
    fixes: bool = True,
) -> Evidence | None:
    """Evidence from an operand built by a reordering ``view``/``reshape``, or cut by a slice
    on the dimension that ``outcome`` (the op's shape rule) contracts; None without any.
    ``fixes=False`` (elementwise ops) only explains: there, using the tensor uncut or cutting
    another axis gives the right shape but not certainly the values that were meant."""
    shapes = [op.shape for op in operands]
    if site is None or any(shape is None for shape in shapes):
        return None
    for index, operand in enumerate(operands):
        found = _reordering_view(operand, index, shapes, site, outcome, fixes)
        if found is None:
            found = _wrong_axis_slice(operand, index, shapes, site, outcome, sums, fixes)
        if found is not None:
            return found
    return None


def _reordering_view(
    operand: Operand, index: int, shapes: list, site: FailingSite, outcome, fixes: bool
) -> Evidence | None:
    """``x.view(10, 784)`` of a (784, 10) ``x``: sizes reordered, memory order kept."""
    reshaped = is_reshaped(operand.node)
    if reshaped is None:
        return None
    source_node, method = reshaped
    source = site.evaluate(source_node)
    if not is_tensor(source):
        return None
    original, shape = tuple(int(s) for s in source.shape), operand.shape
    if shape == original or sorted(shape) != sorted(original) or len(shape) < 2:
        return None
    name = site.segment(source_node)
    keeps = f"{method} keeps the memory order: it does not transpose"
    if fixes and outcome(*changed(shapes, index, original)) is not None:
        text = f"{keeps}; {name} is already {format_shape(original)}: use {name}"
        return Evidence(Fix(text, operand.node, name), text)
    return Evidence(
        None,
        f"{operand.label} only reorders the sizes of {name} {format_shape(original)}: {keeps}. "
        f"To swap axes use .T or .permute.",
    )


def _wrong_axis_slice(
    operand: Operand, index: int, shapes: list, site: FailingSite, outcome, sums: str, fixes: bool
) -> Evidence | None:
    """``m2[:5]`` where ``m2`` uncut fits: the cut is on the dimension the product sums over."""
    parts, base = _slices(operand), operand.base_shape  # ``x[:5]``, ``x[:, 2:7]``
    if parts is None or sum(not is_bare(p) for p in parts) != 1:  # exactly one not bare
        return None
    if outcome(*changed(shapes, index, base)) is None:
        return None
    axis = next(d for d, p in enumerate(parts) if not is_bare(p))
    name = ast.unparse(operand.node.value)
    cut = operand.shape[axis]
    what = (
        f"{operand.label} cuts dimension {axis} of {name} ({base[axis]} → {cut}), the one "
        f"{sums}; uncut, its {base[axis]} already fits"
    )
    if fixes and len(base) >= 2 and axis >= len(base) - 2:
        other = 2 * len(base) - 3 - axis  # the other of the last two dimensions
        written = [ast.unparse(p) for p in parts] + [":"] * (len(base) - len(parts))
        if written[other] == ":":
            written[axis], written[other] = ":", written[axis]
            while written and written[-1] == ":":
                written.pop()
            moved = f"{name}[{', '.join(written)}]"
            value = site.evaluate(ast.parse(moved, mode="eval").body)
            if is_tensor(value):
                shape = tuple(int(s) for s in value.shape)
                if shape[other] == cut and outcome(*changed(shapes, index, shape)) is not None:
                    text = f"{what}: cut dimension {other} instead, {moved} {format_shape(shape)}"
                    return Evidence(Fix(text, operand.node, moved), text)
    return Evidence(None, f"{what}: cut another dimension, or both operands alike.")


def cut_axes(operand: Operand) -> set[int]:
    """The axes (counted from the right) that the operand's own index cuts short:
    ``x[:5]`` cuts -2 of a 2-D ``x``, ``x[:, :5]`` cuts -1."""
    parts = _slices(operand)
    if parts is None:
        return set()
    return {d - len(operand.base_shape) for d, p in enumerate(parts) if not is_bare(p)}


def _slices(operand: Operand) -> list[ast.Slice] | None:
    """The index's parts when all are slices, one per axis at most (``x[:, 2:7]``)."""
    parts = index_parts(operand)
    if parts is None or len(parts) > len(operand.base_shape):
        return None
    return parts if all(isinstance(p, ast.Slice) for p in parts) else None


def by_chance(pairs: list[tuple[Operand, int]]) -> bool:
    """Whether a contraction pairs an axis that a slice cut with one no slice cut (operand,
    axis from the right): their sizes then agree by chance, as ``m1.T @ m2[:5]`` pairs the
    5 images with 5 of 784 inputs. Axes cut alike on both sides were cut to be paired."""
    cut = [axis in cut_axes(operand) for operand, axis in pairs]
    return any(cut) and not all(cut)
