"""The failing expression read from the syntax tree: which op, on which operands."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Any

from ..failing_line import FailingSite, Operand, binop_symbol
from ..render import OperandRow
from ..safe_eval import UNKNOWN, is_tensor

INPLACE_SYMBOLS = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/", "pow_": "**"}
_JOIN_NAMES = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack"})
_MATMUL_NAMES = ("matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "addmm", "linear")
_CATEGORIES = {  # a called function's category; any other call is "elementwise"
    "einsum": "einsum",
    **dict.fromkeys(_MATMUL_NAMES, "matmul"),
    **dict.fromkeys(("expand", "expand_as"), "expand"),
    **dict.fromkeys(("view", "reshape"), "view"),
    **dict.fromkeys(INPLACE_SYMBOLS, "inplace"),
}


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


def _operand(site: FailingSite, node: ast.AST) -> Operand:
    operand = Operand(site.segment(node), site.evaluate(node), node)
    if isinstance(node, ast.Subscript):
        base = site.evaluate(node.value)
        operand.base_shape = tuple(base.shape) if is_tensor(base) else None
    return operand


def failing_op(site: FailingSite) -> FailingOp:
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
        if isinstance(arg, ast.Starred):
            values += _listed(site, arg.value)
        else:
            values.append(_operand(site, arg))
    category = _CATEGORIES.get(name, "elementwise")
    tensors = [v for v in values if is_tensor(v.value) or v.value is UNKNOWN]
    others = [v for v in values if v not in tensors]
    if category in ("view", "expand"):  # x.expand_as(y): y is a tensor and the argument
        tensors, others = values[: 2 if name == "expand_as" else 1], values[1:]
    if category == "einsum":
        tensors, others = values[1:], values[:1]
    return FailingOp(name, category, tensors, others)


def _join_op(site: FailingSite, node: ast.Call, name: str) -> FailingOp:
    """``torch.cat([a, b], dim=1)``: the list's tensors, and the dim as an argument."""
    dims = node.args[1:2] + [kw.value for kw in node.keywords if kw.arg in ("dim", "axis")]
    args = [_operand(site, dims[0])] if dims else []
    return FailingOp(name, "join", _listed(site, node.args[0]), args)


def _listed(site: FailingSite, node: ast.AST) -> list[Operand]:
    """The operands a list holds: ``[a, b]`` as written, else its items once evaluated
    (``xs[0]``, ``xs[1]``; a single unknown one when it cannot be read)."""
    if isinstance(node, (ast.List, ast.Tuple)) and not any(
        isinstance(element, ast.Starred) for element in node.elts
    ):
        return [_operand(site, element) for element in node.elts]
    items = site.evaluate(node)
    items = items if type(items) in (tuple, list) else [UNKNOWN]
    return [Operand(f"{site.segment(node)}[{i}]", item) for i, item in enumerate(items)]


def operand_rows(
    operands: list[Operand], clash: dict[int, set[int]] | None = None
) -> list[OperandRow]:
    """One drawn row per operand, its clashing dimensions (by index) marked."""
    clash = clash or {}
    return [
        OperandRow(op.label, op.shape, frozenset(clash.get(i, ()))) for i, op in enumerate(operands)
    ]
