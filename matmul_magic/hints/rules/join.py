"""Hints for ``torch.cat`` and ``torch.stack``: the dimensions that must match, and the dim
that would join the tensors."""

from __future__ import annotations

import ast

from ...shapes import format_shape
from ..fixes import Advice, Fix, choose, single_changes
from ..messages import ShapeMessage
from ..render import OperandRow
from .op import FailingOp, operand_rows


def _joined(name: str, dim: int):
    """The shape ``torch.cat`` (or ``stack``) gives along ``dim``, or None when it fails."""

    def outcome(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
        first = shapes[0]
        if any(len(shape) != len(first) for shape in shapes):
            return None
        rank = len(first) + (1 if name == "stack" else 0)
        if not -rank <= dim < rank or (name != "stack" and not first):
            return None
        d = dim % rank
        if name == "stack":
            return (*first[:d], len(shapes), *first[d:]) if len(set(shapes)) == 1 else None
        rest = {shape[:d] + shape[d + 1 :] for shape in shapes}
        return (*first[:d], sum(s[d] for s in shapes), *first[d + 1 :]) if len(rest) == 1 else None

    return outcome


def join_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.operands
    name = op.name or "cat"
    dim_arg = op.args[0] if op.args else None
    dim = 0 if dim_arg is None else dim_arg.value
    shapes = [t.shape for t in tensors]
    known = tensors and all(shape is not None for shape in shapes) and type(dim) is int
    clash: dict[int, set[int]] = {}
    if known and not message.extra.get("rank"):
        first = shapes[0]
        for i, shape in enumerate(shapes):
            if len(shape) == len(first):
                clash[i] = {
                    d - len(shape)
                    for d in range(len(shape))
                    if shape[d] != first[d] and (name == "stack" or d != dim % len(shape))
                }
    rows = operand_rows(tensors, clash)
    if known and name in ("cat", "concat", "concatenate", "stack"):
        kind = "stack" if name == "stack" else "cat"
        candidates = single_changes(tensors, op.site, new_axis=kind == "cat")
        extra = []  # no dim written: joining along another one, if only the tensors fit
        if dim_arg is None and kind == "cat" and isinstance(op.node, ast.Call) and op.site:
            segment = op.site.segment(op.node)
            for other in range(1, max(len(s) for s in shapes)):
                result = _joined(kind, other)(*shapes)
                if result is not None and segment.endswith(")"):
                    source = f"{segment[:-1]}, dim={other})"
                    text = f"did you mean dim={other}? {source} gives {format_shape(result)}"
                    extra.append((2, Fix(text, op.node, source), result))
        fix = choose(candidates, shapes, _joined(kind, dim), extra=extra)
        if fix is not None:
            return rows, fix
    if message.extra.get("stack"):
        (first, second), (i, j) = message.shapes, message.sizes
        return rows, (
            f"torch.stack needs equal shapes, but entry {i} is {format_shape(first)} "
            f"and entry {j} is {format_shape(second)}."
        )
    if message.extra.get("rank"):
        x, y = message.sizes
        text = f"torch.{name} joins tensors with the same number of dimensions, not {x} and {y}."
        return rows, text
    expected, got = message.sizes
    return rows, (
        f"torch.{name} joins along dimension {message.dim}: every other dimension must match, "
        f"but tensor {message.operand} has size {got} where the first has {expected}."
    )
