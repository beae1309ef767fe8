"""Turn a torch shape error into a :class:`ShapeHint`: operands, the clash, one fix.

The message says which rule broke; the failing line's operands (read without running
anything, see :mod:`.operands`) say which shapes broke it. Fixes are searched, not guessed:
a candidate (drop a ``.T``, add one axis, transpose, swap the operands, respell an einsum
term) is offered only when the shape rules of :mod:`matmul_magic.shapes` accept it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..shapes import broadcast_shapes, explain_broadcast, format_shape, parse_einsum
from .messages import ShapeMessage, parse_message
from .operands import UNKNOWN, FailingSite, binop_symbol, failing_site, is_tensor
from .render import OperandRow, ShapeHint

_MATMUL_NAMES = frozenset({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "addmm", "linear"})
_INPLACE_SYMBOLS = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/", "pow_": "**"}


@dataclass(eq=False)  # identity: comparing two operands must never compare tensors
class Operand:
    label: str
    value: Any
    node: ast.AST | None = None
    base_shape: tuple[int, ...] | None = None  # for ``x[i]``: the shape of ``x``

    @property
    def shape(self) -> tuple[int, ...] | None:
        return tuple(int(s) for s in self.value.shape) if is_tensor(self.value) else None


@dataclass
class FailingOp:
    """The failing expression, read from the syntax tree: what op, on which operands."""

    name: str  # "@", "*", "+=", "mm", "einsum", "view", "__setitem__", ... ("" if unknown)
    category: str  # "elementwise", "matmul", "einsum", "expand", "view", "setitem", "inplace"
    operands: list[Operand] = field(default_factory=list)
    args: list[Operand] = field(default_factory=list)  # non-tensor arguments (sizes, spec)

    def tensors(self) -> list[Operand]:
        return [op for op in self.operands if op.shape is not None]


def hint_for_exception(exc: BaseException) -> ShapeHint | None:
    """A :class:`ShapeHint` for a torch shape error, or None when ``exc`` is none.

    Reads ``exc.__traceback__`` (the failing frame's variables and source) and never
    re-runs the failing code.
    """
    message = parse_message(str(exc))
    for _ in range(5):  # a library may re-raise torch's error: look down the chain
        if message is not None:
            break
        exc = exc.__cause__ or exc.__context__
        if exc is None:
            return None
        message = parse_message(str(exc))
    if message is None:
        return None
    site = failing_site(exc.__traceback__)
    op = _failing_op(site) if site is not None else FailingOp("", "unknown")
    line, mark = site.line_with_mark() if site is not None else ("", None)
    rule = _RULES[message.kind]
    rows, fix = rule(message, op)
    return ShapeHint(message.kind, message.text, line, mark, tuple(rows), fix)


# ---------------------------------------------------------------------------- reading the op


def _operand(site: FailingSite, node: ast.AST) -> Operand:
    operand = Operand(site.segment(node), site.evaluate(node), node)
    if isinstance(node, ast.Subscript):
        base = site.evaluate(node.value)
        operand.base_shape = tuple(base.shape) if is_tensor(base) else None
    return operand


def _failing_op(site: FailingSite) -> FailingOp:
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
            items = inner if isinstance(inner, (tuple, list)) else [UNKNOWN]
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


# ---------------------------------------------------------------------------- fix search


def _atomic(label: str, node: ast.AST | None) -> str:
    """``label`` ready to take a postfix (``x.T``, ``x[None]``): parenthesized if needed."""
    if node is None or isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return label
    return f"({label})"


def _with_axis(operand: Operand, position: int, ndim: int) -> str:
    """Source for ``operand`` with a new size-1 axis at ``position`` (of ``ndim + 1``)."""
    node = operand.node
    if position == 0:
        return f"{_atomic(operand.label, node)}[None]"
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        simple = all(isinstance(p, (ast.Name, ast.Constant)) and not _is_none(p) for p in parts)
        base = operand.base_shape
        if simple and base is not None and base[len(parts) :] == operand.shape:
            # Pure integer indexing keeps the remaining axes in order: extend the index.
            index = ", ".join(ast.unparse(p) for p in parts)
            base = ast.unparse(node.value)
            return f"{base}[{index}, {', '.join([':'] * position + ['None'])}]"
    if position == ndim and ndim > 1:
        return f"{_atomic(operand.label, node)}[..., None]"
    return f"{_atomic(operand.label, node)}[{', '.join([':'] * position + ['None'])}]"


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _axis_name(position: int, ndim: int) -> str:
    if position == 0:
        return "a leading axis"
    if position == ndim:
        return "a trailing axis"
    return f"a new axis at position {position}"


def _untransposed(operand: Operand) -> tuple[str, tuple[int, ...]] | None:
    """For ``w.T`` (or ``w.t()``), the label ``w`` and its shape."""
    node, shape = operand.node, operand.shape
    if shape is None or len(shape) != 2:
        return None
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return ast.unparse(node.value), shape[::-1]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "t"
        and not node.args
    ):
        return ast.unparse(node.func.value), shape[::-1]
    return None


def _transposed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape[:-2] + shape[-2:][::-1]


def _search_fix(operands: list[Operand], fits, new_axis: bool = True) -> str | None:
    """The first fix (drop ``.T``, one new axis, a transpose) under which ``fits`` holds.

    ``new_axis=False`` for products: an extra axis there makes shapes fit by turning the
    product into a batch of outer products, which is never what was meant."""
    shapes = [op.shape for op in operands]
    for i, op in enumerate(operands):
        original = _untransposed(op)
        if original and fits(*shapes[:i], original[1], *shapes[i + 1 :]):
            name, shape = original
            return f"did you mean {name} {format_shape(shape)} instead of {op.label}?"
    by_rank = sorted(range(len(operands)), key=lambda i: len(shapes[i]))
    for i in by_rank if new_axis else ():
        shape = shapes[i]
        for position in range(len(shape), -1, -1):
            grown = shape[:position] + (1,) + shape[position:]
            if fits(*shapes[:i], grown, *shapes[i + 1 :]):
                op = operands[i]
                where = _axis_name(position, len(shape))
                return f"{op.label} needs {where}: {_with_axis(op, position, len(shape))}"
    for i, op in enumerate(operands):
        shape = shapes[i]
        if len(shape) >= 2 and fits(*shapes[:i], _transposed(shape), *shapes[i + 1 :]):
            flip = ".T" if len(shape) == 2 else ".mT"
            new = format_shape(_transposed(shape))
            return f"did you mean {_atomic(op.label, op.node)}{flip} {new}?"
    return None


def _broadcasts(*shapes: tuple[int, ...]) -> bool:
    try:
        broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


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


def _broadcast_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
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
            fix = _search_fix(tensors, _broadcasts) if len(tensors) == 2 else None
            if fix is None:
                column = next(c for c in explanation.columns if c.dim == explanation.clash)
                sizes = " and ".join(map(str, dict.fromkeys(s for s in column.sizes if s != 1)))
                fix = (
                    f"dimension {column.dim}: {sizes} clash: sizes must be equal or one of "
                    "them 1. Line them up with None or unsqueeze."
                )
            return _rows(tensors, clash), fix
    fix = (
        f"at dimension {message.dim} of the broadcast result the sizes are {a_size} and "
        f"{b_size}: they must be equal or one of them 1."
    )
    return _rows(op.operands), fix


def _batch_rule(message: ShapeMessage, tensors: list[Operand]) -> tuple[list[OperandRow], str]:
    a, b = (t.shape for t in tensors)
    explanation = explain_broadcast(a[:-2], b[:-2])
    clash: dict[int, set[int]] = {}
    for column in explanation.columns:
        for i, kind in enumerate(column.kinds):
            if kind == "clash":
                clash.setdefault(i, set()).add(column.dim - 2)
    fix = (
        f"the batch dimensions {format_shape(a[:-2])} and {format_shape(b[:-2])} of "
        f"{tensors[0].label} @ {tensors[1].label} must broadcast; "
        f"the matrices {format_shape(a[-2:])} @ {format_shape(b[-2:])} are fine."
    )
    return _rows(tensors, clash), fix


def _matmul_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
    tensors = op.tensors()
    if len(tensors) == 2 and op.name == "linear":
        return _linear_rows_fix(*tensors)
    if len(tensors) == 2:
        return _matmul_rows_fix(tensors, op.name)
    if len(message.shapes) == 2:
        # Unknown operands stay '?': torch folds batch dims into its numbers, so they are
        # quoted in the sentence, not drawn as the operands' shapes.
        first, second = ("x".join(map(str, shape)) for shape in message.shapes)
        k, n = message.shapes[0][-1], message.shapes[1][0]
        fix = f"torch saw {first} @ {second}: the inner sizes {k} and {n} differ."
        return _rows(op.operands), fix
    if message.extra.get("batch") and len(message.sizes) == 4:
        # bmm's message: expected [batch, k] of the first operand, got [batch, k] of the second.
        # @ and matmul reach it too, after broadcasting the batches: only k can differ then.
        want_batch, want_k, got_batch, got_k = message.sizes
        if op.name in ("bmm", "baddbmm") and want_batch != got_batch:
            fix = (
                f"torch.{op.name} needs equal batch sizes, and they are {want_batch} "
                f"and {got_batch}."
            )
        elif op.name in ("bmm", "baddbmm"):
            fix = (
                f"torch.{op.name} needs the first operand's last size ({want_k}) to equal "
                f"the second's middle size ({got_k})."
            )
        else:
            fix = (
                f"a @ b needs a's last size ({want_k}) to equal b's second-to-last size ({got_k})."
            )
        return _rows(op.operands), fix
    return _rows(op.operands), "a @ b needs a's last size to equal b's second-to-last size."


def _linear_rows_fix(x: Operand, w: Operand) -> tuple[list[OperandRow], str]:
    """``F.linear(x, w)`` computes ``x @ w.T``: draw it that way, and fix ``w``'s layout."""
    weight_t = w.shape[::-1] if len(w.shape) == 2 else w.shape
    rows = [
        OperandRow(x.label, x.shape, frozenset({-1})),
        OperandRow(f"{w.label}.T", weight_t, frozenset({-2})),
    ]
    if len(w.shape) == 2 and matmul_shape(x.shape, w.shape) is not None:
        fix = (
            f"linear(x, w) computes x @ w.T, so w is (out, in): "
            f"pass {_atomic(w.label, w.node)}.T {format_shape(weight_t)}."
        )
    else:
        fix = (
            f"linear(x, w) needs x's last size ({x.shape[-1]}) to equal w's second ({w.shape[-1]})."
        )
    return rows, fix


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


def _matmul_rows_fix(tensors: list[Operand], name: str = "@") -> tuple[list[OperandRow], str]:
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
    fits = _fits_for(name)
    fix = _search_fix(tensors, fits, new_axis=False) if a and b else None
    if fix is None and a and b and fits(b, a):
        swapped = _product(name, lb, la)
        fix = f"did you mean {swapped}? The order matters: {format_shape(matmul_shape(b, a))}."
    if fix is None:
        if not a or not b:
            scalar = la if not a else lb
            fix = f"{scalar} is a 0-d tensor (a scalar), not a matrix: use {la} * {lb}."
        else:
            which = "first" if len(b) <= 2 else "second-to-last"
            fix = (
                f"{_product(name, la, lb)} needs {la}'s last size ({a[-1]}) to equal "
                f"{lb}'s {which} size ({b[inner_b]})."
            )
    return _rows(tensors, clash), fix


def _rank_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
    tensors = op.tensors()
    ranks = message.extra.get("ranks")
    if ranks:
        labels = [t.label for t in op.operands] or ["a", "b"]
        scalar = labels[0] if ranks[0] == 0 else labels[-1]
        fix = f"{scalar} is a 0-d tensor (a scalar), not a matrix: use {' * '.join(labels)}."
        return _rows(op.operands), fix
    want = message.sizes[0]
    index = message.operand or 0
    if len(tensors) != 2:
        return _rows(op.operands), f"torch.{op.name or 'mm'} needs {want}-D operands."
    bad = tensors[index]
    clash = {index: set(range(-len(bad.shape), 0))}
    both = f"{tensors[0].label} @ {tensors[1].label}"
    if want == 3 and len(bad.shape) == 2:
        other = tensors[1 - index].shape
        batch = other[0] if len(other) == 3 else "B"
        fix = (
            f"{bad.label} needs a leading batch axis: {_atomic(bad.label, bad.node)}[None]"
            f".expand({batch}, -1, -1), or use {both}, which broadcasts it."
        )
    else:
        fix = (
            f"torch.{op.name} takes {want}-D tensors but {bad.label} is {len(bad.shape)}-D "
            f"{format_shape(bad.shape)}: use {both} (torch.matmul), "
            "which takes 1-D and batched operands too."
        )
    return _rows(tensors, clash), fix


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


def _einsum_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
    spec = op.args[0].value if op.args else None
    if not isinstance(spec, str):
        return _rows(op.operands), "check the einsum spec against the operands' shapes."
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
    fix = None
    if all(shape is not None for shape in shapes):
        fix = _einsum_fix(spec, op.operands)
        if fix is None:
            try:
                parse_einsum(spec, *shapes)
            except ValueError as err:
                fix = f"{str(err)[0].lower()}{str(err)[1:]}"
    if fix is None:
        fix = message.text.removeprefix("einsum(): ")
    return rows, fix


def _einsum_fix(spec: str, operands: list[Operand]) -> str | None:
    shapes = [op.shape for op in operands]

    def fits(*candidate):
        try:
            parse_einsum(spec, *candidate)
        except ValueError:
            return False
        return True

    for i, op in enumerate(operands):
        original = _untransposed(op)
        if original and fits(*shapes[:i], original[1], *shapes[i + 1 :]):
            return f"did you mean {original[0]} {format_shape(original[1])} instead of {op.label}?"
    arrow = spec.find("->")
    lhs, rhs = (spec, "") if arrow < 0 else (spec[:arrow], spec[arrow:])
    terms = lhs.split(",")
    if len(terms) != len(operands):
        return None
    for i, op in enumerate(operands):
        term = terms[i].strip()
        if len(term) == 2 and "." not in term:
            respelled = ",".join(terms[:i] + [term[::-1]] + terms[i + 1 :]) + rhs
            try:
                parse_einsum(respelled, *shapes)
            except ValueError:
                continue
            return (
                f"{op.label} is {format_shape(op.shape)}, so its subscripts read "
                f"'{term[::-1]}': did you mean '{respelled}'?"
            )
    return None


def _expand_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
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
        fix = (
            f"{tensor.label} has {len(shape)} axes {format_shape(shape)} but expand got "
            f"{len(target)} sizes: give one size per axis (-1 keeps an axis as it is)."
        )
        return rows, fix
    dim = (message.dim or 0) - len(target)
    rows = [
        OperandRow(tensor.label, shape, frozenset({dim} if len(shape) >= -dim else ())),
        OperandRow(target_label, target, frozenset({dim})),
    ]

    def expands(candidate, goal=target):
        if len(candidate) > len(goal):
            return False
        pairs = zip(candidate[::-1], goal[::-1], strict=False)
        return all(have in (want, 1) or want == -1 for have, want in pairs)

    fix = None
    if tensor.shape is not None:
        fix = _search_fix([tensor], expands)
    if fix is None and op.category == "setitem":
        fix = (
            f"{target_label} has shape {format_shape(target)}: the value must broadcast to it, "
            f"but {tensor.label} is {format_shape(shape)}."
        )
    if fix is None:
        have, want = message.sizes[1], message.sizes[0]
        fix = (
            f"expand only stretches size-1 axes: {tensor.label}'s size {have} at dimension {dim} "
            f"cannot become {want}."
        )
    return rows, fix


def _view_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
    tensor = op.operands[0] if op.operands else Operand("tensor", UNKNOWN)
    label, shape = tensor.label, tensor.shape
    method = op.name or "view"
    if message.extra.get("stride"):
        strides = tuple(tensor.value.stride()) if shape is not None else None
        detail = f" (strides {format_shape(strides)})" if strides is not None else ""
        fix = (
            f"{label} is not contiguous{detail}, so no view of that shape exists: "
            f"use {_atomic(label, tensor.node)}.reshape(...) or .contiguous().view(...)."
        )
        return [OperandRow(label, shape)], fix
    if message.extra.get("inferred"):
        return [OperandRow(label, shape)], f"only one size of {method}(...) can be -1."
    (requested,), (numel,) = message.shapes, message.sizes
    rows = [OperandRow(label, shape), OperandRow(f"{method}{format_shape(requested)}", requested)]
    product = 1
    for size in requested:
        product *= size if size != -1 else 1
    held = f"{numel} elements" + (f" {format_shape(shape)}" if shape is not None else "")
    if -1 in requested:
        fix = (
            f"{label} has {held}: -1 can fill in only if the other sizes' product "
            f"({product}) divides {numel}, and it doesn't."
        )
    else:
        fix = f"{format_shape(requested)} holds {product} elements but {label} has {held}."
    return rows, fix


def _inplace_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], str]:
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
        rewrite = f"{target.label} = {target.label} {symbol or '+'} {value.label}"
        fix = (
            f"an in-place op keeps {target.label}'s shape {format_shape(target_shape)}, but the "
            f"result would be {format_shape(grown)}: write {rewrite} for a new tensor."
        )
        return rows, fix
    fix = (
        f"an in-place op keeps its target's shape {format_shape(target_shape)}, "
        f"but the result would be {format_shape(grown)}."
    )
    return _rows(operands), fix


_RULES = {
    "broadcast": _broadcast_rule,
    "matmul": _matmul_rule,
    "rank": _rank_rule,
    "einsum": _einsum_rule,
    "expand": _expand_rule,
    "view": _view_rule,
    "inplace": _inplace_rule,
}
