"""What the shape rules accept as an operand, and the limits they keep.

An operand is a shape (a sequence of ints, or a bare int meaning a 1-d shape, as torch
accepts) or anything with a ``.shape`` (tensors, arrays). Something that is not a shape at all
raises ``TypeError``; bad or absurd sizes, too many operands or dimensions raise ``ValueError``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

#: Broadcasting's limit (the explorers' tables have a row per operand); torch.einsum has
#: none, so ``parse_einsum`` takes any number.
MAX_OPERANDS = 8
MAX_NDIM = 64
# Sizes above 2**53 - 1 cannot be written exactly in JavaScript; no real tensor has one.
MAX_SIZE = 2**53 - 1
MAX_NUMEL = 2**63 - 1  # torch counts elements in an int64

Shape = tuple[int, ...]

#: The broadcasting rule in the numpy documentation's words; every clash sentence ends with it.
RULE = "sizes must be equal or one of them 1"


def format_shape(shape: Sequence[int]) -> str:
    """``(5, 784)``, ``(3,)`` and ``()``: a shape as Python prints a tuple."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def _size(value: Any, where: str) -> int:
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        raise ValueError(f"{where}: {bool(value)} is a bool, not a size.")
    if isinstance(value, float):
        raise ValueError(f"{where}: {value} is not an integer.")
    try:
        size = operator.index(value)
    except TypeError:
        name = "NoneType" if value is None else type(value).__name__
        raise ValueError(f"{where}: expected an integer size, got {name}.") from None
    if size < 0:
        raise ValueError(f"{where}: size {size} is negative.")
    if size > MAX_SIZE:
        raise ValueError(f"{where}: size {size} is too large.")
    return size


def check_numel(shape: Shape, what: str) -> None:
    """``ValueError`` when ``shape`` has more elements than torch can count."""
    if math.prod(shape) > MAX_NUMEL:
        raise ValueError(f"{what} {format_shape(shape)} has more than {MAX_NUMEL} elements.")


def _not_a_shape(where: str, raw: Any) -> TypeError:
    name = "NoneType" if raw is None else type(raw).__name__
    return TypeError(
        f"{where}: expected a shape (a sequence of ints, or an object with .shape), got {name}."
    )


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
        raise _not_a_shape(where, raw)
    if not hasattr(raw, "__len__") or not hasattr(raw, "__getitem__"):
        try:  # a bare int is a 1-d shape, as torch.broadcast_shapes accepts
            return (_size(operator.index(raw), f"{where}, dimension 0"),)
        except TypeError:
            raise _not_a_shape(where, raw) from None
    if len(raw) > MAX_NDIM:
        raise ValueError(f"{where} has {len(raw)} dimensions; at most {MAX_NDIM} are supported.")
    if any(isinstance(value, (list, tuple)) for value in raw):
        raise TypeError(
            f"{where} is a nested list, which reads as data, not as a shape: for a tensor of "
            "those values write torch.tensor(...) around it; a shape is flat, such as (5, 1)."
        )
    shape = tuple(_size(value, f"{where}, dimension {d}") for d, value in enumerate(raw))
    check_numel(shape, f"{where}: shape")
    return shape


def checked_shapes(
    operands: tuple[Any, ...], limit: int | None = MAX_OPERANDS
) -> tuple[Shape, ...]:
    """Each operand's shape, checked: at most ``limit`` of them (``None``: any number, as
    ``torch.einsum`` takes), sizes in range."""
    if limit is not None and len(operands) > limit:
        raise ValueError(f"At most {limit} operands are supported; got {len(operands)}.")
    return tuple(_shape(operand, i) for i, operand in enumerate(operands))
