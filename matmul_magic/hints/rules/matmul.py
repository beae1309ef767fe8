"""Hints for products: ``a @ b``, ``mm``/``bmm``/``mv``/``dot``, ``F.linear``, an ``nn.Linear``
layer called on the wrong input, and operands of the wrong rank."""

from __future__ import annotations

import ast
import math

from ...shapes import broadcast_shapes, format_shape
from ..failing_line import Operand
from ..fixes import (
    Advice,
    Candidate,
    Fix,
    atomic,
    changed,
    choose,
    is_reshaped,
    none_index,
    single_changes,
)
from ..intent import by_chance, read_intent
from ..messages import ShapeMessage
from ..render import OperandRow
from ..safe_eval import UNKNOWN, static_attribute
from .op import FailingOp, operand_rows


def matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape of ``a @ b`` by torch.matmul's rules, or None when they don't fit."""
    if not a or not b:
        return None
    left = (1, *a) if len(a) == 1 else a
    right = (*b, 1) if len(b) == 1 else b
    if left[-1] != right[-2]:
        return None
    try:
        batch = broadcast_shapes(left[:-2], right[:-2])
    except ValueError:
        return None
    out = (*batch, left[-2], right[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def matmul_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.tensors()
    if op.category == "module":
        return _module_rule(message, op)
    if len(tensors) == 2 and op.name == "linear":
        return _linear_rows_fix(*tensors, op.site)
    if len(tensors) == 2:
        return _matmul_rows_fix(tensors, op)
    if len(message.shapes) == 2:
        # Unknown operands stay '?': torch folds batch dims into its numbers, so they are
        # quoted in the sentence, not drawn as the operands' shapes.
        first, second = ("x".join(map(str, shape)) for shape in message.shapes)
        k, n = message.shapes[0][-1], message.shapes[1][0]
        text = f"torch saw {first} @ {second}: the inner sizes {k} and {n} differ."
        return operand_rows(op.operands), text
    if message.extra.get("batch") and len(message.sizes) == 4:
        # bmm's message: expected [batch, k] of the first operand, got [batch, k] of the second.
        # @ and matmul reach it too, after broadcasting the batches: only k can differ then.
        want_batch, want_k, got_batch, got_k = message.sizes
        bmm = f"torch.{op.name}"
        if op.name not in ("bmm", "baddbmm"):
            text = (
                f"a @ b needs a's last size ({want_k}) to equal b's second-to-last size ({got_k})."
            )
        elif want_batch != got_batch:
            text = f"{bmm} needs equal batch sizes, and they are {want_batch} and {got_batch}."
        else:
            text = (
                f"{bmm} needs the first operand's last size ({want_k}) to equal "
                f"the second's middle size ({got_k})."
            )
        return operand_rows(op.operands), text
    return operand_rows(op.operands), "a @ b needs a's last size to equal b's second-to-last size."


def _module_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    """``layer(x)`` for an ``nn.Linear`` (or a model starting with one): name in_features."""
    import torch

    name = op.site.segment(op.node.func) if op.site and isinstance(op.node, ast.Call) else "layer"
    x = op.operands[0] if op.operands else Operand("x", UNKNOWN)
    if len(message.shapes) != 2:
        return operand_rows(op.operands), f"{name} cannot take {x.label}: check its in_features."
    got, (in_features, out_features) = message.shapes[0][-1], message.shapes[1]
    layer = f"nn.Linear({in_features}, {out_features})"
    rows = [
        OperandRow(x.label, x.shape, frozenset({-1}) if x.shape else frozenset()),
        OperandRow(f"{name} weight.T", (in_features, out_features), frozenset({-2})),
    ]
    first = op.module
    if issubclass(type(first), torch.nn.Sequential):
        try:
            first = static_attribute(op.module, "0")
        except Exception:
            first = None
    direct = issubclass(type(first), torch.nn.Linear) and bool(x.shape) and x.shape[-1] == got
    what = name if first is op.module else f"{name}'s first layer"
    if not direct:
        return rows, (
            f"a {layer} layer in {name} takes in_features={in_features} (the last size of its "
            f"input) but got {got}: the layer before it must give {in_features}."
        )

    def outcome(shape: tuple[int, ...]) -> tuple[int, ...] | None:
        return (*shape[:-1], out_features) if shape and shape[-1] == in_features else None

    candidates = single_changes([x], op.site, new_axis=False)
    shape = x.shape
    if len(shape) >= 3 and math.prod(shape[1:]) == in_features:
        source = f"{atomic(x.label, x.node)}.flatten(1)"
        flat = (shape[0], in_features)
        text = f"{x.label} needs flattening to {format_shape(flat)}: {source}"
        candidates.append(Candidate(0, flat, Fix(text, x.node, source), 1))
    return rows, choose(candidates, [shape], outcome) or (
        f"{what} is {layer}: its input's last size must be in_features={in_features}, but "
        f"{x.label} is {format_shape(shape)}."
    )


def _linear_rows_fix(x: Operand, w: Operand, site) -> tuple[list[OperandRow], Advice]:
    """``F.linear(x, w)`` computes ``x @ w.T``: draw it that way, and fix ``w``'s layout."""
    weight_t = w.shape[::-1] if len(w.shape) == 2 else w.shape
    rows = [
        OperandRow(x.label, x.shape, frozenset({-1})),
        OperandRow(f"{w.label}.T", weight_t, frozenset({-2})),
    ]
    needs = (
        f"linear(x, w) needs x's last size ({x.shape[-1]}) to equal w's second "
        f"({w.shape[-1]}, its in_features)."
    )
    evidence = read_intent([x, w], site, lambda p, q: matmul_shape(p, q[::-1]))
    if evidence is not None:  # a reshaped or cut weight: never a transpose of it
        return rows, evidence.fix or f"{needs} {evidence.sentence}"
    reshaped = is_reshaped(w.node) is not None  # its layout is the reshape's: never a .T
    if len(w.shape) == 2 and matmul_shape(x.shape, w.shape) is not None and not reshaped:
        source = f"{atomic(w.label, w.node)}.T"
        text = (
            f"linear(x, w) computes x @ w.T, so w is (out, in): "
            f"pass {source} {format_shape(weight_t)}."
        )
        return rows, Fix(text, w.node, source)
    return rows, needs


_OPERAND_RANKS = {"mm": (2, 2), "bmm": (3, 3), "mv": (2, 1), "dot": (1, 1), "vdot": (1, 1)}


def _fits(name: str, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two shapes fit the op the user called: mm and bmm take only their own ranks
    and don't broadcast, @ does both."""
    ranks = _OPERAND_RANKS.get(name)
    if ranks and ((len(a), len(b)) != ranks or a[:-2] != b[:-2]):
        return False
    return matmul_shape(a, b) is not None


def _swapped(op: FailingOp, tensors: list[Operand]) -> str | None:
    """The failing product written with its operands swapped, as the user wrote it."""
    node, (left, right) = op.node, tensors
    if isinstance(node, ast.BinOp):
        return f"{atomic(right.label, right.node)} @ {atomic(left.label, left.node)}"
    if isinstance(node, ast.Call) and not node.keywords and op.site is not None:
        if len(node.args) == 2 and node.args == [left.node, right.node]:
            return f"{op.site.segment(node.func)}({right.label}, {left.label})"
        func = node.func
        if len(node.args) == 1 and isinstance(func, ast.Attribute) and func.value is left.node:
            return f"{atomic(right.label, right.node)}.{func.attr}({left.label})"
    return None


def _matmul_rows_fix(tensors: list[Operand], op: FailingOp) -> tuple[list[OperandRow], Advice]:
    name = op.name or "@"
    (a, b), (la, lb) = (t.shape for t in tensors), (t.label for t in tensors)
    inner_b = -2 if len(b) >= 2 else -1
    clash = {0: {-1}, 1: {inner_b}} if a and b and a[-1] != b[inner_b] else {}
    if not clash and len(a) >= 3 and len(b) >= 3 and a[:-2] != b[:-2]:
        clash = {0: set(range(-len(a), -2)), 1: set(range(-len(b), -2))}  # the batch dims
        batch = f"the batch sizes {format_shape(a[:-2])} and {format_shape(b[:-2])} differ"
        if name == "bmm":
            return operand_rows(tensors, clash), f"{batch}: torch.bmm needs them equal."
    if not a or not b:
        return operand_rows(tensors, clash), _scalar_product(op, tensors, la if not a else lb)

    def outcome(x, y):
        return matmul_shape(x, y) if _fits(name, x, y) else None

    # The product as the user would write it: ``a @ b`` or ``torch.mm(a, b)``.
    called = name in ("mm", "bmm", "matmul", "mv", "dot")
    product = f"torch.{name}({la}, {lb})" if called else f"{la} @ {lb}"
    which = "first" if len(b) <= 2 else "second-to-last"
    needs = (
        f"{product} needs {la}'s last size ({a[-1]}) to equal {lb}'s {which} size ({b[inner_b]})."
    )
    evidence = read_intent(tensors, op.site, outcome)
    if evidence is not None:  # how an operand was built says more than its shape
        return operand_rows(tensors, clash), evidence.fix or f"{needs} {evidence.sentence}"
    extra = []
    swapped = _swapped(op, tensors)
    pairs = [(tensors[1], -1), (tensors[0], -2 if len(a) >= 2 else -1)]
    if swapped is not None and outcome(b, a) is not None and not by_chance(pairs):
        text = f"did you mean {swapped}? The order matters: {format_shape(matmul_shape(b, a))}."
        extra.append((1, Fix(text, op.node, swapped), matmul_shape(b, a)))
    candidates = single_changes(tensors, op.site, new_axis=False, sums=False)
    candidates = [c for c in candidates if not by_chance(_contracted(tensors, c))]
    return operand_rows(tensors, clash), choose(candidates, [a, b], outcome, extra=extra) or needs


def _contracted(tensors: list[Operand], candidate: Candidate) -> list[tuple[Operand, int]]:
    """The axis of each operand (from the right, as written) that ``candidate``'s product
    sums over: a transposed operand gives its other matrix axis."""
    left, right = tensors
    flipped = candidate.fix.replacement.endswith((".T", ".mT"))
    left_axis = -2 if flipped and candidate.index == 0 else -1
    right_axis = -1 if (flipped and candidate.index == 1) or len(right.shape) == 1 else -2
    return [(left, left_axis), (right, right_axis)]


def _scalar_product(op: FailingOp, tensors: list[Operand], scalar: str) -> Advice:
    """``s @ x`` with a 0-d ``s``: ``s * x`` is the product meant, when the line says ``@``."""
    text = f"{scalar} is a 0-d tensor (a scalar), not a matrix"
    if isinstance(op.node, ast.BinOp) and len(tensors) == 2:
        left, right = tensors
        source = f"{atomic(left.label, left.node)} * {atomic(right.label, right.node)}"
        return Fix(f"{text}: use {source}.", op.node, source)
    return f"{text}: multiply with *."


def rank_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.tensors()
    ranks = message.extra.get("ranks")
    if ranks:
        labels = [t.label for t in op.operands] or ["a", "b"]
        scalar = labels[0] if ranks[0] == 0 else labels[-1]
        return operand_rows(op.operands), _scalar_product(op, tensors, scalar)
    want, index, name = message.sizes[0], message.operand or 0, op.name or "mm"
    if len(tensors) != 2:
        return operand_rows(op.operands), f"torch.{name} needs {want}-D operands."
    clash = {index: set(range(-len(tensors[index].shape), 0))}  # the whole wrong-rank operand
    return operand_rows(tensors, clash), _rank_advice(op, name, want, tensors, index)


_RESULT_RANKS = {"mm": 2, "bmm": 3, "mv": 1}


def _rank_advice(op: FailingOp, name: str, want: int, tensors: list[Operand], index: int) -> Advice:
    """torch.mm/bmm/mv given an operand of the wrong rank. A fix keeps the function's result
    (a None it cannot take dropped, bmm's batch axis added) or says how ``@`` changes it."""
    bad, shapes = tensors[index], [t.shape for t in tensors]
    left, right = (atomic(t.label, t.node) for t in tensors)
    both = f"{left} @ {right}"
    takes = "a 2-D matrix and a 1-D vector" if name == "mv" else f"{want}-D tensors"
    rank = f"{len(bad.shape)}-D {format_shape(bad.shape)}"
    text = f"torch.{name} takes {takes} but {bad.label} is {rank}"
    # x[None] or x[:, None] (Nones and bare ':' only): x itself may fit.
    shape = bad.base_shape
    if none_index(bad) is not None and _fits(name, *changed(shapes, index, shape)):
        source = ast.unparse(bad.node.value)
        return Fix(
            f"{text}; {source} is already {format_shape(shape)}: drop the None", bad.node, source
        )
    if want == 3 and len(bad.shape) == 2:
        other = tensors[1 - index].shape
        if len(other) == 3:
            source = f"{atomic(bad.label, bad.node)}[None].expand({other[0]}, -1, -1)"
            grown = changed(shapes, index, (other[0], *bad.shape))
            if _fits("bmm", *grown):
                needs = f"{bad.label} needs a leading batch axis: {source}"
                return Fix(f"{needs}, or use {both}, which broadcasts it.", bad.node, source)
        return (
            f"torch.{name} takes 3-D (batch, n, m) tensors but {bad.label} is 2-D "
            f"{format_shape(bad.shape)}; {both} broadcasts a 2-D operand over the batch."
        )
    call, result = op.node, matmul_shape(*shapes)
    if isinstance(call, ast.Call) and len(call.args) == 2 and result is not None:
        gives = _RESULT_RANKS.get(name, len(result))
        changes = f", not the {gives}-D result of torch.{name}" if len(result) != gives else ""
        fix = (
            f"{text}: {both} (torch.matmul) takes 1-D and batched operands; "
            f"it gives {format_shape(result)}{changes}."
        )
        return Fix(fix, call, both)
    return f"{text}."
