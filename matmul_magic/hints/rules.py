"""Turn a torch shape error into a :class:`ShapeHint`: operands, the clash, one fix.

The message says which rule broke; the failing line's operands (read without running
anything, see :mod:`.operands`) say which shapes broke it. A fix is offered only when the
shape rules accept the changed line *and* its result is what the line was evidently after
(a product's (..., m, n), a sum that contracts, the bigger operand's shape): see
:mod:`.fixes`. Otherwise the hint explains the clash and suggests nothing.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Any

from ..shapes import broadcast_shapes, explain_broadcast, format_shape, parse_einsum
from .fixes import Advice, Candidate, Fix, atomic, changed, choose, single_changes, sum_dim
from .messages import ShapeMessage, parse_message
from .operands import (
    UNKNOWN,
    FailingSite,
    Operand,
    binop_symbol,
    failing_site,
    is_tensor,
    raised_by_python_code,
    static_attribute,
)
from .render import OperandRow, ShapeHint

_MATMUL_NAMES = frozenset({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "addmm", "linear"})
_INPLACE_SYMBOLS = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/", "pow_": "**"}
_JOIN_NAMES = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack"})


@dataclass
class FailingOp:
    """The failing expression, read from the syntax tree: what op, on which operands."""

    name: str  # "@", "*", "+=", "mm", "einsum", "view", "__setitem__", ... ("" if unknown)
    category: str  # "elementwise", "matmul", "einsum", "expand", "view", "setitem", "inplace"
    operands: list[Operand] = field(default_factory=list)
    args: list[Operand] = field(default_factory=list)  # non-tensor arguments (sizes, spec)
    site: FailingSite | None = None
    node: ast.AST | None = None  # the failing expression
    module: Any = None  # for ``layer(x)``: the torch.nn.Module called

    def tensors(self) -> list[Operand]:
        return [op for op in self.operands if op.shape is not None]


def hint_for_exception(exc: BaseException) -> ShapeHint | None:
    """A :class:`ShapeHint` for a torch shape error, or None when ``exc`` is none.

    Reads ``exc.__traceback__`` (the failing frame's variables and source) and never
    re-runs the failing code.
    """
    # A library may re-raise torch's error: look down the chain for the one torch raised.
    # A message that only looks like torch's (the user's own raise) gets no hint.
    message = None
    for _ in range(6):
        message = parse_message(str(exc))
        if message is not None and not raised_by_python_code(exc.__traceback__):
            break
        message, exc = None, exc.__cause__ or exc.__context__
        if exc is None:
            break
    if message is None:
        return None
    with _no_subclass_dispatch():
        site = failing_site(exc.__traceback__)
        op = _failing_op(site) if site is not None else FailingOp("", "unknown")
        line, mark = site.line_with_mark() if site is not None else ("", None)
        rows, advice = _RULES[message.kind](message, op)
    if isinstance(advice, Fix):
        span = site.edit_span(advice.node) if site is not None and advice.node else None
        edit = (*span, advice.replacement) if span is not None else None
        return ShapeHint(
            message.kind, message.text, line, mark, tuple(rows), advice.text, edit=edit
        )
    return ShapeHint(message.kind, message.text, line, mark, tuple(rows), explanation=advice)


class _no_subclass_dispatch:
    """While reading operands, a tensor subclass's ``__torch_function__`` (user code) is off."""

    def __enter__(self) -> None:
        torch = sys.modules.get("torch")  # none loaded: no tensors, nothing to switch off
        self._guard = torch._C.DisableTorchFunctionSubclass() if torch is not None else None
        if self._guard is not None:
            self._guard.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._guard is not None:
            self._guard.__exit__(*exc)


# ---------------------------------------------------------------------------- reading the op


def _operand(site: FailingSite, node: ast.AST) -> Operand:
    operand = Operand(site.segment(node), site.evaluate(node), node)
    if isinstance(node, ast.Subscript):
        base = site.evaluate(node.value)
        operand.base_shape = tuple(base.shape) if is_tensor(base) else None
    return operand


def _failing_op(site: FailingSite) -> FailingOp:
    op = _read_op(site)
    op.site, op.node = site, site.node
    return op


def _read_op(site: FailingSite) -> FailingOp:
    node = site.node
    if isinstance(node, ast.BinOp):
        name = binop_symbol(node.op)
        category = "matmul" if name == "@" else "elementwise"
        return FailingOp(name, category, [_operand(site, node.left), _operand(site, node.right)])
    if isinstance(node, ast.AugAssign):
        name = binop_symbol(node.op)
        operands = [_operand(site, node.target), _operand(site, node.value)]
        return FailingOp(name + "=", "matmul" if name == "@" else "inplace", operands)
    if isinstance(node, ast.Subscript):
        parent = site.parents.get(node)
        value = parent.value if isinstance(parent, ast.Assign) else None
        target = _operand(site, node)
        source = _operand(site, value) if value is not None else Operand("value", UNKNOWN)
        return FailingOp("__setitem__", "setitem", [target, source])
    if isinstance(node, ast.Call):
        return _call_op(site, node)
    return FailingOp("", "unknown")


def _call_op(site: FailingSite, node: ast.Call) -> FailingOp:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    called = site.evaluate(func)
    torch = sys.modules.get("torch")
    if torch is not None and issubclass(type(called), torch.nn.Module):
        inputs = [_operand(site, arg) for arg in node.args if not isinstance(arg, ast.Starred)]
        return FailingOp(name, "module", inputs, module=called)
    if name in _JOIN_NAMES and node.args:
        return _join_op(site, node, name)
    values: list[Operand] = []
    if isinstance(func, ast.Attribute):
        receiver = _operand(site, func.value)
        # Modules always evaluate (names and module attributes are safe), so an unknown
        # receiver is an expression we refused to run: most likely a tensor.
        if is_tensor(receiver.value) or receiver.value is UNKNOWN:
            values.append(receiver)
    for arg in node.args:  # in order: einsum(spec, *ops), view(*sizes), f(*[a], b)
        if not isinstance(arg, ast.Starred):
            values.append(_operand(site, arg))
        elif isinstance(arg, ast.Starred) and isinstance(arg.value, (ast.List, ast.Tuple)):
            values += [_operand(site, element) for element in arg.value.elts]
        else:
            inner = site.evaluate(arg.value)
            items = inner if type(inner) in (tuple, list) else [UNKNOWN]
            label = site.segment(arg.value)
            values += [Operand(f"{label}[{i}]", item) for i, item in enumerate(items)]
    if name == "einsum":
        category = "einsum"
    elif name in _MATMUL_NAMES:
        category = "matmul"
    elif name in ("expand", "expand_as"):
        category = "expand"
    elif name in ("view", "reshape"):
        category = "view"
    elif name in _INPLACE_SYMBOLS:
        category = "inplace"
    else:
        category = "elementwise"
    tensors = [v for v in values if is_tensor(v.value) or v.value is UNKNOWN]
    others = [v for v in values if v not in tensors]
    if category in ("view", "expand"):
        tensors, others = values[:1], values[1:]
        if name == "expand_as":
            tensors = values[:2]
    if category == "einsum":
        tensors, others = values[1:], values[:1]
    return FailingOp(name, category, tensors, others)


def _join_op(site: FailingSite, node: ast.Call, name: str) -> FailingOp:
    """``torch.cat([a, b], dim=1)``: the list's tensors, and the dim as an argument."""
    listed = node.args[0]
    if isinstance(listed, (ast.List, ast.Tuple)) and not any(
        isinstance(e, ast.Starred) for e in listed.elts
    ):
        tensors = [_operand(site, element) for element in listed.elts]
    else:
        items = site.evaluate(listed)
        label = site.segment(listed)
        items = items if type(items) in (tuple, list) else [UNKNOWN]
        tensors = [Operand(f"{label}[{i}]", item) for i, item in enumerate(items)]
    dims = node.args[1:2] + [kw.value for kw in node.keywords if kw.arg in ("dim", "axis")]
    args = [_operand(site, dims[0])] if dims else []
    return FailingOp(name, "join", tensors, args)


# ---------------------------------------------------------------------------- fix search


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


# ---------------------------------------------------------------------------- the rules


def _rows(operands: list[Operand], clash: dict[int, set[int]] | None = None) -> list[OperandRow]:
    clash = clash or {}
    return [
        OperandRow(op.label, op.shape, frozenset(clash.get(i, ()))) for i, op in enumerate(operands)
    ]


def _broadcast_or_none(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return broadcast_shapes(*shapes)
    except ValueError:
        return None


def _reduction(op: FailingOp) -> tuple[int, bool] | None:
    """(dim, keepdim) when the failing expression is summed over one literal dimension:
    ``(x * y).sum(1)``, ``(x * y).sum(dim=-1)`` or ``torch.sum(x * y, 0)``."""
    if op.site is None or op.node is None:
        return None
    parent = op.site.parents.get(op.node)
    call = op.site.parents.get(parent) if isinstance(parent, ast.Attribute) else parent
    if isinstance(parent, ast.Attribute) and isinstance(call, ast.Call) and call.func is parent:
        summed = sum_dim(call)
        return (summed[2], summed[3]) if summed else None
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "sum"
        and call.args[:1] == [op.node]
    ):
        rest = ast.Call(ast.Attribute(op.node, "sum"), call.args[1:], call.keywords)
        summed = sum_dim(rest)
        return (summed[2], summed[3]) if summed else None
    return None


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
        column = dim % rank - rank  # counted from the right
        changed = list(shapes)
        changed[candidate.index] = candidate.shape
        sizes = {shape[column] if len(shape) >= -column else None for shape in changed}
        return None not in sizes and len(sizes) == 1

    return intended


def _broadcast_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    a_size, b_size = message.sizes
    tensors = op.tensors()
    if op.category == "matmul" and len(tensors) == 2 and min(len(t.shape) for t in tensors) > 2:
        return _batch_rule(message, tensors)
    if len(tensors) >= 2 and len(tensors) == len(op.operands):
        shapes = [t.shape for t in tensors]
        explanation = explain_broadcast(*shapes)
        if not explanation.ok:
            clash: dict[int, set[int]] = {}
            for column in explanation.columns:
                for i, kind in enumerate(column.kinds):
                    if kind == "clash":
                        clash.setdefault(i, set()).add(column.dim)
            fix = None
            if len(tensors) == 2 and op.category != "matmul":
                candidates = single_changes(tensors, op.site)
                intended = _elementwise_intent(op, shapes)
                fix = choose(candidates, shapes, _broadcast_or_none, intended)
            if fix is not None:
                return _rows(tensors, clash), fix
            column = next(c for c in explanation.columns if c.dim == explanation.clash)
            sizes = " and ".join(map(str, dict.fromkeys(s for s in column.sizes if s != 1)))
            return _rows(tensors, clash), (
                f"dimension {column.dim}: {sizes} clash: sizes must be equal or one of them 1."
            )
    explanation_text = (
        f"at dimension {message.dim} of the broadcast result the sizes are {a_size} and "
        f"{b_size}: they must be equal or one of them 1."
    )
    return _rows(op.operands), explanation_text


def _batch_rule(message: ShapeMessage, tensors: list[Operand]) -> tuple[list[OperandRow], str]:
    a, b = (t.shape for t in tensors)
    explanation = explain_broadcast(a[:-2], b[:-2])
    clash: dict[int, set[int]] = {}
    for column in explanation.columns:
        for i, kind in enumerate(column.kinds):
            if kind == "clash":
                clash.setdefault(i, set()).add(column.dim - 2)
    text = (
        f"the batch dimensions {format_shape(a[:-2])} and {format_shape(b[:-2])} of "
        f"{tensors[0].label} @ {tensors[1].label} must broadcast; "
        f"the matrices {format_shape(a[-2:])} @ {format_shape(b[-2:])} are fine."
    )
    return _rows(tensors, clash), text


def _matmul_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.tensors()
    if op.category == "module":
        return _module_rule(message, op)
    if len(tensors) == 2 and op.name == "linear":
        return _linear_rows_fix(*tensors)
    if len(tensors) == 2:
        return _matmul_rows_fix(tensors, op)
    if len(message.shapes) == 2:
        # Unknown operands stay '?': torch folds batch dims into its numbers, so they are
        # quoted in the sentence, not drawn as the operands' shapes.
        first, second = ("x".join(map(str, shape)) for shape in message.shapes)
        k, n = message.shapes[0][-1], message.shapes[1][0]
        text = f"torch saw {first} @ {second}: the inner sizes {k} and {n} differ."
        return _rows(op.operands), text
    if message.extra.get("batch") and len(message.sizes) == 4:
        # bmm's message: expected [batch, k] of the first operand, got [batch, k] of the second.
        # @ and matmul reach it too, after broadcasting the batches: only k can differ then.
        want_batch, want_k, got_batch, got_k = message.sizes
        if op.name in ("bmm", "baddbmm") and want_batch != got_batch:
            text = (
                f"torch.{op.name} needs equal batch sizes, and they are {want_batch} "
                f"and {got_batch}."
            )
        elif op.name in ("bmm", "baddbmm"):
            text = (
                f"torch.{op.name} needs the first operand's last size ({want_k}) to equal "
                f"the second's middle size ({got_k})."
            )
        else:
            text = (
                f"a @ b needs a's last size ({want_k}) to equal b's second-to-last size ({got_k})."
            )
        return _rows(op.operands), text
    return _rows(op.operands), "a @ b needs a's last size to equal b's second-to-last size."


def _module_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    """``layer(x)`` for an ``nn.Linear`` (or a model starting with one): name in_features."""
    import torch

    name = op.site.segment(op.node.func) if op.site and isinstance(op.node, ast.Call) else "layer"
    x = op.operands[0] if op.operands else Operand("x", UNKNOWN)
    if len(message.shapes) != 2:
        return _rows(op.operands), f"{name} cannot take {x.label}: check its in_features."
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
    direct = (
        issubclass(type(first), torch.nn.Linear)
        and x.shape is not None
        and len(x.shape) >= 1
        and x.shape[-1] == got
    )
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
    if len(shape) >= 3 and _numel(shape[1:]) == in_features:
        source = f"{atomic(x.label, x.node)}.flatten(1)"
        flat = (shape[0], in_features)
        text = f"{x.label} needs flattening to {format_shape(flat)}: {source}"
        candidates.append(Candidate(0, flat, Fix(text, x.node, source), 1))
    fix = choose(candidates, [shape], outcome)
    if fix is not None:
        return rows, fix
    return rows, (
        f"{what} is {layer}: its input's last size must be in_features={in_features}, but "
        f"{x.label} is {format_shape(shape)}."
    )


def _numel(shape: tuple[int, ...]) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def _linear_rows_fix(x: Operand, w: Operand) -> tuple[list[OperandRow], Advice]:
    """``F.linear(x, w)`` computes ``x @ w.T``: draw it that way, and fix ``w``'s layout."""
    weight_t = w.shape[::-1] if len(w.shape) == 2 else w.shape
    rows = [
        OperandRow(x.label, x.shape, frozenset({-1})),
        OperandRow(f"{w.label}.T", weight_t, frozenset({-2})),
    ]
    if len(w.shape) == 2 and matmul_shape(x.shape, w.shape) is not None:
        source = f"{atomic(w.label, w.node)}.T"
        text = (
            f"linear(x, w) computes x @ w.T, so w is (out, in): "
            f"pass {source} {format_shape(weight_t)}."
        )
        return rows, Fix(text, w.node, source)
    return rows, (
        f"linear(x, w) needs x's last size ({x.shape[-1]}) to equal w's second "
        f"({w.shape[-1]}, its in_features)."
    )


def _product(name: str, left: str, right: str) -> str:
    """How the user would write the product: ``a @ b`` or ``torch.mm(a, b)``."""
    if name in ("mm", "bmm", "matmul", "mv", "dot"):
        return f"torch.{name}({left}, {right})"
    return f"{left} @ {right}"


def _fits_for(name: str):
    """Whether two shapes fit the op the user called: mm and bmm don't broadcast, @ does."""

    def inner(a, b):
        return bool(a) and bool(b) and a[-1] == (b[-2] if len(b) >= 2 else b[0])

    if name == "mm":
        return lambda a, b: len(a) == 2 and len(b) == 2 and inner(a, b)
    if name == "bmm":
        return lambda a, b: len(a) == 3 and len(b) == 3 and a[0] == b[0] and inner(a, b)
    if name == "mv":
        return lambda a, b: len(a) == 2 and len(b) == 1 and inner(a, b)
    if name in ("dot", "vdot"):
        return lambda a, b: len(a) == 1 and a == b
    return lambda a, b: matmul_shape(a, b) is not None


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
        clash = {
            0: {d - 2 for d in range(-len(a) + 2, 0)},
            1: {d - 2 for d in range(-len(b) + 2, 0)},
        }
        batch = f"the batch sizes {format_shape(a[:-2])} and {format_shape(b[:-2])} differ"
        if name == "bmm":
            return _rows(tensors, clash), f"{batch}: torch.bmm needs them equal."
    if not a or not b:
        scalar = la if not a else lb
        text = f"{scalar} is a 0-d tensor (a scalar), not a matrix"
        return _rows(tensors, clash), _scalar_product(op, tensors, text)
    fits = _fits_for(name)

    def outcome(x, y):
        return matmul_shape(x, y) if fits(x, y) else None

    extra = []
    swapped = _swapped(op, tensors)
    if swapped is not None and outcome(b, a) is not None:
        text = f"did you mean {swapped}? The order matters: {format_shape(matmul_shape(b, a))}."
        extra.append((1, Fix(text, op.node, swapped), matmul_shape(b, a)))
    candidates = single_changes(tensors, op.site, new_axis=False)
    fix = choose(candidates, [a, b], outcome, extra=extra)
    if fix is not None:
        return _rows(tensors, clash), fix
    which = "first" if len(b) <= 2 else "second-to-last"
    return _rows(tensors, clash), (
        f"{_product(name, la, lb)} needs {la}'s last size ({a[-1]}) to equal "
        f"{lb}'s {which} size ({b[inner_b]})."
    )


def _scalar_product(op: FailingOp, tensors: list[Operand], text: str) -> Advice:
    """``s @ x`` with a 0-d ``s``: ``s * x`` is the product meant, when the line says ``@``."""
    if isinstance(op.node, ast.BinOp) and len(tensors) == 2:
        left, right = tensors
        source = f"{atomic(left.label, left.node)} * {atomic(right.label, right.node)}"
        return Fix(f"{text}: use {source}.", op.node, source)
    return f"{text}: multiply with *."


def _rank_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensors = op.tensors()
    ranks = message.extra.get("ranks")
    if ranks:
        labels = [t.label for t in op.operands] or ["a", "b"]
        scalar = labels[0] if ranks[0] == 0 else labels[-1]
        text = f"{scalar} is a 0-d tensor (a scalar), not a matrix"
        if len(tensors) == 2 and len(op.operands) == 2:
            return _rows(op.operands), _scalar_product(op, tensors, text)
        return _rows(op.operands), f"{text}: multiply with *."
    want = message.sizes[0]
    index = message.operand or 0
    if len(tensors) != 2:
        return _rows(op.operands), f"torch.{op.name or 'mm'} needs {want}-D operands."
    bad = tensors[index]
    clash = {index: set(range(-len(bad.shape), 0))}
    left, right = (atomic(t.label, t.node) for t in tensors)
    both = f"{left} @ {right}"
    shapes = [t.shape for t in tensors]
    if want == 3 and len(bad.shape) == 2:
        other = tensors[1 - index].shape
        if len(other) == 3:
            source = f"{atomic(bad.label, bad.node)}[None].expand({other[0]}, -1, -1)"
            text = (
                f"{bad.label} needs a leading batch axis: {source}, "
                f"or use {both}, which broadcasts it."
            )
            grown = list(shapes)
            grown[index] = (other[0], *bad.shape)
            if _fits_for("bmm")(*grown):
                return _rows(tensors, clash), Fix(text, bad.node, source)
        return _rows(tensors, clash), (
            f"torch.{op.name} takes 3-D (batch, n, m) tensors but {bad.label} is 2-D "
            f"{format_shape(bad.shape)}; {both} broadcasts a 2-D operand over the batch."
        )
    text = (
        f"torch.{op.name} takes {want}-D tensors but {bad.label} is {len(bad.shape)}-D "
        f"{format_shape(bad.shape)}"
    )
    call = op.node
    if isinstance(call, ast.Call) and len(call.args) == 2 and matmul_shape(*shapes) is not None:
        fix_text = f"{text}: use {both} (torch.matmul), which takes 1-D and batched operands too."
        return _rows(tensors, clash), Fix(fix_text, call, both)
    return _rows(tensors, clash), f"{text}."


def _einsum_terms(spec: str, shapes: list[tuple[int, ...] | None]) -> list[tuple[str, ...] | None]:
    """Each operand's subscripts, one per dimension (``...`` expanded), or None."""
    lhs = spec.split("->")[0].replace(" ", "")
    terms = lhs.split(",")
    out: list[tuple[str, ...] | None] = []
    for i, shape in enumerate(shapes):
        if i >= len(terms) or shape is None:
            out.append(None)
            continue
        term = terms[i]
        if "..." in term:
            head, tail = term.split("...", 1)
            covered = len(shape) - len(head) - len(tail)
            labels = (*head, *(["·"] * max(covered, 0)), *tail)
        else:
            labels = tuple(term)
        out.append(labels if len(labels) == len(shape) else None)
    return out


def _einsum_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    spec = op.args[0].value if op.args else None
    if type(spec) is not str:
        return _rows(op.operands), "the einsum spec and the operands' shapes do not agree."
    shapes = [t.shape for t in op.operands]
    terms = _einsum_terms(spec, shapes)
    rows = []
    for i, (operand, labels) in enumerate(zip(op.operands, terms, strict=True)):
        clash: set[int] = set()
        if labels and message.label:
            clash = {d - len(labels) for d, lab in enumerate(labels) if lab == message.label}
        if message.extra.get("rank") and message.operand == i and operand.shape is not None:
            clash = set(range(-len(operand.shape), 0))
        rows.append(OperandRow(operand.label, operand.shape, frozenset(clash), labels))
    if all(shape is not None for shape in shapes):
        fix = _einsum_fix(spec, op.operands, op.args[0].node)
        if fix is not None:
            return rows, fix
        try:
            parse_einsum(spec, *shapes)
        except ValueError as err:
            return rows, f"{str(err)[0].lower()}{str(err)[1:]}"
    return rows, message.text.removeprefix("einsum(): ")


def _einsum_fix(spec: str, operands: list[Operand], spec_node: ast.AST | None) -> Fix | None:
    shapes = [op.shape for op in operands]

    def outcome(*candidate):
        try:
            return parse_einsum(spec, *candidate).shape
        except ValueError:
            return None

    undo = [c for c in single_changes(operands, None, new_axis=False) if c.tier == 0]
    fix = choose(undo, shapes, outcome)
    if fix is not None or any(outcome(*changed(shapes, c)) for c in undo):
        return fix
    arrow = spec.find("->")
    lhs, rhs = (spec, "") if arrow < 0 else (spec[:arrow], spec[arrow:])
    terms = lhs.split(",")
    if len(terms) != len(operands) or spec_node is None:
        return None
    found: list[tuple[Fix, tuple[int, ...]]] = []
    for i, op in enumerate(operands):
        term = terms[i].strip()
        if len(term) == 2 and "." not in term:
            respelled = ",".join(terms[:i] + [term[::-1]] + terms[i + 1 :]) + rhs
            try:
                result = parse_einsum(respelled, *shapes).shape
            except ValueError:
                continue
            text = (
                f"{op.label} is {format_shape(op.shape)}, so its subscripts read "
                f"'{term[::-1]}': did you mean '{respelled}'?"
            )
            found.append((Fix(text, spec_node, repr(respelled)), tuple(result)))
    return found[0][0] if found and len({r for _, r in found}) == 1 else None


def _expand_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    message_tensor, target = message.shapes
    if op.category == "setitem" and len(op.operands) == 2:
        destination, value = op.operands
        tensor = value if value.shape is not None else Operand(value.label, None)
        target_label = destination.label
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


def _view_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    tensor = op.operands[0] if op.operands else Operand("tensor", UNKNOWN)
    label, shape = tensor.label, tensor.shape
    method = op.name or "view"
    if message.extra.get("stride"):
        strides = tuple(tensor.value.stride()) if shape is not None else None
        detail = f" (strides {format_shape(strides)})" if strides is not None else ""
        text = f"{label} is not contiguous{detail}, so no view of that shape exists"
        node = op.node
        segment = op.site.segment(node) if op.site is not None and node is not None else ""
        at = segment.rfind(".view(")
        if isinstance(node, ast.Call) and at >= 0 and "\n" not in segment:
            source = f"{segment[:at]}.reshape({segment[at + len('.view(') :]}"
            return [OperandRow(label, shape)], Fix(f"{text}: {source} copies it.", node, source)
        return [OperandRow(label, shape)], f"{text}: .reshape(...) copies it."
    if message.extra.get("inferred"):
        return [OperandRow(label, shape)], f"only one size of {method}(...) can be -1."
    (requested,), (numel,) = message.shapes, message.sizes
    rows = [OperandRow(label, shape), OperandRow(f"{method}{format_shape(requested)}", requested)]
    product = 1
    for size in requested:
        product *= size if size != -1 else 1
    held = f"{numel} elements" + (f" {format_shape(shape)}" if shape is not None else "")
    if -1 in requested:
        text = (
            f"{label} has {held}: -1 can fill in only if the other sizes' product "
            f"({product}) divides {numel}, and it doesn't."
        )
    else:
        text = f"{format_shape(requested)} holds {product} elements but {label} has {held}."
    return rows, text


def _inplace_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    target_shape, grown = message.shapes
    operands = op.operands
    if len(operands) == 2:
        target, value = operands
        symbol = op.name.rstrip("=") if op.name.endswith("=") else _INPLACE_SYMBOLS.get(op.name)
        rows = [OperandRow(target.label, target.shape or target_shape)]
        if value.shape is not None:
            grow = {d for d in range(-len(value.shape), 0) if -d > len(target_shape)}
            grow |= {
                d
                for d in range(-min(len(value.shape), len(target_shape)), 0)
                if target_shape[d] == 1 and value.shape[d] != 1
            }
            rows.append(OperandRow(value.label, value.shape, frozenset(grow)))
        else:
            rows.append(OperandRow(value.label, None))
        expression = f"{target.label} {symbol or '+'} {value.label}"
        return rows, (
            f"an in-place op keeps {target.label}'s shape {format_shape(target_shape)}, but "
            f"{expression} is {format_shape(grown)}."
        )
    return _rows(operands), (
        f"an in-place op keeps its target's shape {format_shape(target_shape)}, "
        f"but the result would be {format_shape(grown)}."
    )


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


def _join_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
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
    rows = _rows(tensors, clash)
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
        return (
            rows,
            f"torch.{name} joins tensors with the same number of dimensions, not {x} and {y}.",
        )
    expected, got = message.sizes
    return rows, (
        f"torch.{name} joins along dimension {message.dim}: every other dimension must match, "
        f"but tensor {message.operand} has size {got} where the first has {expected}."
    )


_RULES = {
    "broadcast": _broadcast_rule,
    "matmul": _matmul_rule,
    "rank": _rank_rule,
    "einsum": _einsum_rule,
    "expand": _expand_rule,
    "view": _view_rule,
    "inplace": _inplace_rule,
    "cat": _join_rule,
}
