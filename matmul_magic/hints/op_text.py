"""How a recorded op reads: ``(5, 784) @ (784, 10) -> (5, 10)``, from torch's function and its
arguments, at the level of shapes (a loop index reads ``int``, so repeats fold together).
"""

from __future__ import annotations

from typing import Any

from ..shapes import format_shape
from .safe_eval import is_tensor

_SYMBOLS = {  # torch's function and the Python operator's methods, by symbol
    **dict.fromkeys(("mul", "__mul__", "__rmul__"), "*"),
    **dict.fromkeys(("add", "__add__", "__radd__"), "+"),
    **dict.fromkeys(("sub", "__sub__", "__rsub__"), "-"),
    **dict.fromkeys(("div", "__truediv__", "__rtruediv__", "true_divide"), "/"),
    **dict.fromkeys(("matmul", "__matmul__", "__rmatmul__"), "@"),
    **dict.fromkeys(("pow", "__pow__"), "**"),
    **dict.fromkeys(("floor_divide", "__floordiv__"), "//"),
    **dict.fromkeys(("remainder", "__mod__"), "%"),
    **dict.fromkeys(("eq", "__eq__"), "=="),
    **dict.fromkeys(("ne", "__ne__"), "!="),
    **dict.fromkeys(("lt", "__lt__"), "<"),
    **dict.fromkeys(("le", "__le__"), "<="),
    **dict.fromkeys(("gt", "__gt__"), ">"),
    **dict.fromkeys(("ge", "__ge__"), ">="),
    "__and__": "&",
    "__or__": "|",
    "__xor__": "^",
    **dict.fromkeys(("add_", "__iadd__"), "+="),
    **dict.fromkeys(("sub_", "__isub__"), "-="),
    **dict.fromkeys(("mul_", "__imul__"), "*="),
    **dict.fromkeys(("div_", "__itruediv__"), "/="),
}
ELEMENTWISE = frozenset(name for name, symbol in _SYMBOLS.items() if symbol != "@")


def _describe(value: Any, index: bool = False) -> str:
    """A short, shape-level description of one argument."""
    if is_tensor(value):
        return format_shape(tuple(value.shape))
    if isinstance(value, slice):
        text = ":".join("" if p is None else str(p) for p in (value.start, value.stop))
        return text + (f":{value.step}" if value.step is not None else "")
    if value is Ellipsis:
        return "..."
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return "int" if index else repr(value)  # loop indices vary: keep lines grouped
    if isinstance(value, float):
        from ..bench_result.views.format import format_plain

        return format_plain(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_describe(v, index) for v in value)
        if type(value).__name__ == "Size":
            return format_shape(tuple(value))
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    return type(value).__name__


def shape_of(value: Any) -> tuple[int, ...] | None:
    return tuple(value.shape) if is_tensor(value) else None


def event_text(name: str, args: tuple, kwargs: dict, output: Any) -> str:
    symbol = _SYMBOLS.get(name)
    out = _output_text(output)
    if (name, len(args)) in (("__getitem__", 2), ("__setitem__", 3)):
        index = args[1] if isinstance(args[1], tuple) else (args[1],)
        item = f"{_describe(args[0])}[{', '.join(_describe(i, True) for i in index)}]"
        return f"{item}{out}" if len(args) == 2 else f"{item} = {_describe(args[2])}"
    if name in ("T", "mT", "H", "mH") and len(args) == 1:
        return f"{_describe(args[0])}.{name}{out}"
    if symbol and len(args) == 2 and not kwargs:
        return f"{_describe(args[0])} {symbol} {_describe(args[1])}{out}"
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)}){out}"


def _output_text(output: Any) -> str:
    if not returns_tensor(output):
        return ""
    outputs = output if isinstance(output, (tuple, list)) else [output]
    return " -> " + ", ".join(format_shape(tuple(o.shape)) for o in outputs)


def op_name(func: Any) -> str:
    name = getattr(func, "__name__", None) or type(func).__name__
    if name == "__get__":  # a property such as .T or .shape: name it by the property
        return getattr(getattr(func, "__self__", None), "__name__", name)
    return name


def returns_tensor(output: Any) -> bool:
    """A tensor, or a non-empty tuple or list of tensors: what an op returns (metadata reads
    such as ``.shape`` or ``.item()`` do not)."""
    return is_tensor(output) or (
        isinstance(output, (tuple, list)) and bool(output) and all(map(is_tensor, output))
    )
