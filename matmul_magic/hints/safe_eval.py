"""Evaluate a failing line's sub-expressions in its frame, without side effects.

Only side-effect-free sub-expressions are evaluated (names, constants, ``None``/``...``,
slices, subscripts of tensors and sequences, attribute reads that are plain data or tensor
views, a short list of pure tensor methods, and arithmetic between tensors), and tensors are
replaced by ``meta`` copies first, so evaluation never touches data or autograd. User code
never runs either: attributes are found with ``inspect.getattr_static``, and types are
checked with ``type()`` (``isinstance`` would read a ``__class__`` property). Anything else
is :data:`UNKNOWN`.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
from types import FrameType, ModuleType
from typing import Any


class _Unknown:
    """The value of a sub-expression we refuse to evaluate; rendered as ``?``."""

    def __repr__(self) -> str:
        return "?"


UNKNOWN: Any = _Unknown()

# Attribute reads on tensors that only build a view or read metadata.
_TENSOR_ATTRIBUTES = frozenset({"T", "mT", "H", "mH", "shape", "data", "real", "ndim", "dtype"})
# Tensor methods that only build views, reshape or reduce: safe to call on meta tensors.
PURE_METHODS = frozenset(
    "unsqueeze view reshape transpose permute t squeeze flatten size sum mean contiguous"
    " exp log sqrt abs relu sigmoid tanh float".split()
)
# Binary operators evaluated on meta tensors (shapes only, no data, no user code).
_META_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.MatMult: lambda a, b: a @ b,
}
_MISSING = object()


def _is(value: Any, types: type | tuple[type, ...]) -> bool:
    """``isinstance`` without reading ``value.__class__`` (a property on a user's class)."""
    return issubclass(type(value), types)


class _Unsafe(Exception):
    """Raised inside the evaluator when a sub-expression is not side-effect free."""


def evaluate(frame: FrameType, node: ast.AST | None) -> Any:
    """The value of ``node`` in ``frame``, or :data:`UNKNOWN`."""
    if node is None:
        return UNKNOWN
    try:
        return _Evaluator(frame).eval(node)
    except Exception:  # _Unsafe, a view that cannot be built, an index out of range, ...
        return UNKNOWN


def as_meta(value: Any) -> Any:
    """A ``meta`` tensor with ``value``'s sizes and strides (no data), else ``value`` itself."""
    torch = sys.modules.get("torch")
    if torch is None or not _is(value, torch.Tensor):
        return value
    # The base class's own methods: a subclass's overrides are user code.
    base = torch.Tensor
    try:
        size, stride = base.size(value), base.stride(value)
        dtype = base.dtype.__get__(value)
        if type(value) is base and base.device.__get__(value).type == "meta":
            return value
        return torch.empty_strided(size, stride, dtype=dtype, device="meta")
    except Exception:  # sparse, nested or exotic layouts: shape only, as a plain meta tensor
        try:
            return torch.empty(base.size(value), device="meta")
        except Exception:
            return UNKNOWN


def is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and _is(value, torch.Tensor)


class _Evaluator:
    """Evaluate the side-effect-free subset of Python described in the module docstring."""

    def __init__(self, frame: FrameType) -> None:
        self.locals = frame.f_locals
        self.globals = frame.f_globals
        self.builtins = frame.f_builtins if isinstance(frame.f_builtins, dict) else vars(builtins)

    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _Unsafe(type(node).__name__)
        return method(node)

    def _Name(self, node: ast.Name) -> Any:
        for scope in (self.locals, self.globals, self.builtins):
            if node.id in scope:
                return as_meta(scope[node.id])
        raise _Unsafe(node.id)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if type(value) in (int, float) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -value if isinstance(node.op, ast.USub) else value
        raise _Unsafe("unary")

    def _BinOp(self, node: ast.BinOp) -> Any:
        apply = _META_BINOPS.get(type(node.op))
        left, right = self.eval(node.left), self.eval(node.right)
        tensors = [is_tensor(side) for side in (left, right)]
        plain = all(is_tensor(side) or type(side) in (int, float) for side in (left, right))
        if apply is None or not any(tensors) or not plain:
            raise _Unsafe("binop")
        return apply(left, right)  # meta tensors: shapes only

    def _Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self._unstarred(node.elts))

    def _List(self, node: ast.List) -> Any:
        return list(self._unstarred(node.elts))

    def _unstarred(self, elements: list[ast.AST]) -> list[Any]:
        values: list[Any] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                inner = self.eval(element.value)
                if type(inner) not in (tuple, list) and type(inner).__name__ != "Size":
                    raise _Unsafe("starred")
                values.extend(inner)
            else:
                values.append(self.eval(element))
        return values

    def _Slice(self, node: ast.Slice) -> Any:
        parts = [None if p is None else self.eval(p) for p in (node.lower, node.upper, node.step)]
        if any(part is not None and type(part) is not int for part in parts):
            raise _Unsafe("slice")
        return slice(*parts)

    def _Attribute(self, node: ast.Attribute) -> Any:
        base = self.eval(node.value)
        name = node.attr
        if _is(base, ModuleType):
            # The module's own dict: a module-level __getattr__ (lazy imports) never runs.
            if name in vars(base):
                return as_meta(vars(base)[name])
            raise _Unsafe(name)
        if is_tensor(base):
            if name in _TENSOR_ATTRIBUTES or name in PURE_METHODS:
                return getattr(base, name)
            raise _Unsafe(name)
        # Plain data only, found without running anything: properties, __getattr__ and
        # __getattribute__ are user code, so the lookup is static.
        return static_attribute(base, name)

    def _Subscript(self, node: ast.Subscript) -> Any:
        base = self.eval(node.value)
        index = self.eval(node.slice)
        safe_base = type(base) in (tuple, list, str) or type(base).__name__ == "Size"
        if not (is_tensor(base) or safe_base) or not _plain_index(index):
            raise _Unsafe("subscript")
        return as_meta(base[index])  # a list may hold real tensors: keep their data out

    def _Call(self, node: ast.Call) -> Any:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in PURE_METHODS:
            raise _Unsafe("call")
        receiver = self.eval(func.value)
        if not is_tensor(receiver):
            raise _Unsafe("call")
        args = self._unstarred(node.args)
        kwargs = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg}
        plain = all(map(_plain_index, (*args, *kwargs.values())))
        if len(kwargs) != len(node.keywords) or not plain:
            raise _Unsafe("call")
        return getattr(receiver, func.attr)(*args, **kwargs)


def _plain_index(value: Any) -> bool:
    """Ints, slices, None, ``...`` and tuples of them (tensor indices too: meta, so no data)."""
    if value is None or value is Ellipsis or type(value) in (int, slice):
        return True
    if type(value) in (tuple, list):
        return all(_plain_index(part) for part in value)
    return is_tensor(value) or type(value).__name__ == "Size"


def static_attribute(base: Any, name: str) -> Any:
    """``base.name`` when it is plain data, found by ``inspect.getattr_static`` (no property,
    ``__getattr__`` or ``__getattribute__`` runs), or in a ``torch.nn.Module``'s registries."""
    found = inspect.getattr_static(base, name, _MISSING)
    if found is _MISSING:
        for registry in ("_parameters", "_buffers", "_modules"):  # torch.nn.Module storage
            table = inspect.getattr_static(base, registry, None)
            if type(table) is dict and name in table:
                return as_meta(table[name])
        raise _Unsafe(name)
    if hasattr(type(found), "__get__"):  # a property, method or other descriptor: code
        raise _Unsafe(name)
    return as_meta(found)
