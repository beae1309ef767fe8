"""Hints for ``view`` and ``reshape``: sizes that do not hold the tensor's elements, and views
of non-contiguous tensors."""

from __future__ import annotations

import ast
import math

from ...shapes import format_shape
from ..failing_line import Operand
from ..fixes import Advice, Fix
from ..messages import ShapeMessage
from ..render import OperandRow
from ..safe_eval import UNKNOWN
from .op import FailingOp


def view_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensor = op.operands[0] if op.operands else Operand("tensor", UNKNOWN)
    label, shape = tensor.label, tensor.shape
    method = op.name or "view"
    if message.extra.get("stride"):
        strides = tuple(tensor.value.stride()) if shape is not None else None
        detail = f" (strides {format_shape(strides)})" if strides is not None else ""
        text = f"{label} is not contiguous{detail}, so no view of that shape exists"
        requested = _requested(op.args, shape)
        if requested is not None and requested != shape and sorted(requested) == sorted(shape):
            # Sizes reordered: the learner took view for a transpose, and reshape would
            # copy and reinterpret the memory just the same. No fix can know the axes meant.
            return [OperandRow(label, shape)], (
                f"{text}. {format_shape(requested)} only reorders {label}'s sizes: view and "
                f"reshape keep the memory order, they never transpose; to swap axes use "
                f".T or .permute."
            )
        node = op.node
        segment = op.site.segment(node) if op.site is not None and node is not None else ""
        at = segment.rfind(".view(")
        if isinstance(node, ast.Call) and at >= 0:
            source = f"{segment[:at]}.reshape({segment[at + len('.view(') :]}"
            return [OperandRow(label, shape)], Fix(f"{text}: {source} copies it.", node, source)
        return [OperandRow(label, shape)], f"{text}: .reshape(...) copies it."
    if message.extra.get("inferred"):
        return [OperandRow(label, shape)], f"only one size of {method}(...) can be -1."
    (requested,), (numel,) = message.shapes, message.sizes
    rows = [OperandRow(label, shape), OperandRow(f"{method}{format_shape(requested)}", requested)]
    product = math.prod(size for size in requested if size != -1)
    held = f"{numel} elements" + (f" {format_shape(shape)}" if shape is not None else "")
    if -1 in requested:
        text = (
            f"{label} has {held}: -1 can fill in only if the other sizes' product "
            f"({product}) divides {numel}, and it doesn't."
        )
    else:
        text = f"{format_shape(requested)} holds {product} elements but {label} has {held}."
    return rows, text


def _requested(args: list[Operand], shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The sizes a ``view(...)`` asked for, a -1 filled in; None when not all are known."""
    sizes = [arg.value for arg in args]
    if len(sizes) == 1 and type(sizes[0]) in (tuple, list):
        sizes = list(sizes[0])
    if shape is None or not sizes or any(type(size) is not int for size in sizes):
        return None
    numel, known = math.prod(shape), math.prod(size for size in sizes if size != -1)
    if sizes.count(-1) == 1 and known and numel % known == 0:
        sizes[sizes.index(-1)] = numel // known
    return tuple(sizes)
