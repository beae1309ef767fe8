"""Hints for broadcasting: elementwise ops whose shapes clash, ``expand`` and assignments
that cannot stretch, and in-place ops whose result would outgrow their target."""

from __future__ import annotations

import ast

from ...shapes import BroadcastExplanation, broadcast_shapes, explain_broadcast, format_shape
from ..failing_line import Operand
from ..fixes import Advice, Candidate, changed, choose, single_changes, sum_dim
from ..intent import read_intent
from ..messages import ShapeMessage
from ..render import OperandRow
from ..safe_eval import UNKNOWN
from .op import INPLACE_SYMBOLS, FailingOp, operand_rows


def _broadcast_or_none(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return broadcast_shapes(*shapes)
    except ValueError:
        return None


def _clashes(explanation: BroadcastExplanation, shift: int = 0) -> dict[int, set[int]]:
    """Each operand's clashing dimensions, counted from the right (then moved by ``shift``)."""
    return {
        i: {column.dim + shift for column in explanation.columns if column.kinds[i] == "clash"}
        for i in range(len(explanation.shapes))
    }


def _reduction(op: FailingOp) -> tuple[int, bool] | None:
    """(dim, keepdim) when the failing expression is summed over one literal dimension:
    ``(x * y).sum(1)``, ``(x * y).sum(dim=-1)`` or ``torch.sum(x * y, 0)``."""
    if op.site is None or op.node is None:
        return None
    parent = op.site.parents.get(op.node)
    call = op.site.parents.get(parent) if isinstance(parent, ast.Attribute) else parent
    if isinstance(parent, ast.Attribute) and isinstance(call, ast.Call) and call.func is parent:
        summed = sum_dim(call)
    elif (
        isinstance(call, ast.Call)
        and getattr(call.func, "attr", None) == "sum"
        and call.args[:1] == [op.node]
    ):  # torch.sum(x * y, 0) read as (x * y).sum(0)
        summed = sum_dim(ast.Call(ast.Attribute(op.node, "sum"), call.args[1:], call.keywords))
    else:
        return None
    return (summed[2], summed[3]) if summed else None


def _elementwise_intent(op: FailingOp, shapes: list[tuple[int, ...]]):
    """What an elementwise line was evidently after, as a test on a fix's result.

    Summed over one dimension (the lesson's ``(a[i, :, None] * b).sum(0)``): a product
    contracted over that dimension, so both operands have it, with equal sizes, and the
    result gains no rank. Otherwise: the shape of the operand the fix leaves alone (the
    smaller one lined up with the bigger). In place: the target's own shape."""
    reduction = _reduction(op)
    rank = max(len(shape) for shape in shapes)

    def intended(result: tuple[int, ...], candidate: Candidate) -> bool:
        untouched = [s for i, s in enumerate(shapes) if i != candidate.index]
        if op.category == "inplace":
            return candidate.index != 0 and result == shapes[0]
        if reduction is None:
            return result in untouched
        dim, _keepdim = reduction
        if len(result) != rank or not -rank <= dim < rank:
            return False
        fixed = explain_broadcast(*changed(shapes, candidate.index, candidate.shape))
        return all(kind == "equal" for kind in fixed.columns[dim % rank].kinds)

    return intended


def broadcast_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.tensors()
    if op.category == "matmul" and len(tensors) == 2 and min(len(t.shape) for t in tensors) > 2:
        return _batch_rule(message, tensors)
    if len(tensors) >= 2 and len(tensors) == len(op.operands):
        shapes = [t.shape for t in tensors]
        explanation = explain_broadcast(*shapes)
        if not explanation.ok:
            rows = operand_rows(tensors, _clashes(explanation))
            column = next(c for c in explanation.columns if c.dim == explanation.clash)
            sizes = " and ".join(map(str, dict.fromkeys(s for s in column.sizes if s != 1)))
            clashing = f"dimension {column.dim}: {sizes} clash"
            fix = None
            if len(tensors) == 2 and op.category != "matmul":
                # How an operand was built says more than its shape: ``v[:3]`` of a ``v``
                # that fits uncut was cut on the matched axis, and a new axis would pair
                # other values than the learner meant
                evidence = read_intent(
                    tensors, op.site, _broadcast_or_none, "it is matched on", fixes=False
                )
                if evidence is not None:
                    return rows, f"{clashing}. {evidence.sentence}"
                candidates = single_changes(tensors, op.site)
                intended = _elementwise_intent(op, shapes)
                fix = choose(candidates, shapes, _broadcast_or_none, intended)
            return rows, fix or f"{clashing}: sizes must be equal or one of them 1."
    a_size, b_size = message.sizes
    return operand_rows(op.operands), (
        f"at dimension {message.dim} of the broadcast result the sizes are {a_size} and "
        f"{b_size}: they must be equal or one of them 1."
    )


def _batch_rule(message: ShapeMessage, tensors: list[Operand]) -> tuple[list[OperandRow], str]:
    a, b = (t.shape for t in tensors)
    clash = _clashes(explain_broadcast(a[:-2], b[:-2]), shift=-2)
    text = (
        f"the batch dimensions {format_shape(a[:-2])} and {format_shape(b[:-2])} of "
        f"{tensors[0].label} @ {tensors[1].label} must broadcast; "
        f"the matrices {format_shape(a[-2:])} @ {format_shape(b[-2:])} are fine."
    )
    return operand_rows(tensors, clash), text


def expand_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    message_tensor, target = message.shapes
    if op.category == "setitem" and len(op.operands) == 2:
        tensor, target_label = op.operands[1], op.operands[0].label
    else:
        tensor = op.operands[0] if op.operands else Operand("tensor", UNKNOWN)
        as_other = op.name == "expand_as" and len(op.operands) > 1
        target_label = op.operands[1].label if as_other else "target"
    shape = tensor.shape if tensor.shape is not None else message_tensor
    if message.extra.get("rank"):
        rows = [OperandRow(tensor.label, shape), OperandRow(target_label, target)]
        text = (
            f"{tensor.label} has {len(shape)} axes {format_shape(shape)} but expand got "
            f"{len(target)} sizes: it takes one size per axis (-1 keeps an axis as it is)."
        )
        return rows, text
    dim = (message.dim or 0) - len(target)
    rows = [
        OperandRow(tensor.label, shape, frozenset({dim} if len(shape) >= -dim else ())),
        OperandRow(target_label, target, frozenset({dim})),
    ]

    def expands(candidate, goal=target):
        if len(candidate) > len(goal):
            return None
        pairs = zip(candidate[::-1], goal[::-1], strict=False)
        fits = all(have in (want, 1) or want == -1 for have, want in pairs)
        return tuple(goal) if fits else None

    if tensor.shape is not None:
        # An assignment's value should have the target's shape (a stretched value copies
        # one row everywhere, which a slip that made the shapes clash never meant).
        exact = (lambda result, c: c.shape == tuple(target)) if op.category == "setitem" else None
        fix = choose(single_changes([tensor], op.site), [tensor.shape], expands, exact)
        if fix is not None:
            return rows, fix
    if op.category == "setitem":
        return rows, (
            f"{target_label} has shape {format_shape(target)}: the value must broadcast to it, "
            f"but {tensor.label} is {format_shape(shape)}."
        )
    have, want = message.sizes[1], message.sizes[0]
    return rows, (
        f"expand only stretches size-1 axes: {tensor.label}'s size {have} at dimension {dim} "
        f"cannot become {want}."
    )


def inplace_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    target_shape, grown = message.shapes
    operands = op.operands
    if len(operands) == 2:
        target, value = operands
        symbol = op.name.rstrip("=") if op.name.endswith("=") else INPLACE_SYMBOLS.get(op.name)
        grow = ()
        if value.shape is not None:
            columns = explain_broadcast(target_shape, value.shape).columns
            grow = {c.dim for c in columns if c.kinds[0] in ("missing", "stretched")}
        value_row = OperandRow(value.label, value.shape, frozenset(grow))
        rows = [OperandRow(target.label, target.shape or target_shape), value_row]
        expression = f"{target.label} {symbol or '+'} {value.label}"
        return rows, (
            f"an in-place op keeps {target.label}'s shape {format_shape(target_shape)}, but "
            f"{expression} is {format_shape(grown)}."
        )
    return operand_rows(operands), (
        f"an in-place op keeps its target's shape {format_shape(target_shape)}, "
        f"but the result would be {format_shape(grown)}."
    )
