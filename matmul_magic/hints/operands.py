"""Find the failing line and its operands without running anything twice.

The failing expression is located from the traceback alone: the innermost frame outside
torch, the instruction that raised (``tb_lasti``) and its source positions, matched against
the line's syntax tree. Operands are then read from that frame's variables. Only
side-effect-free sub-expressions are evaluated (names, constants, ``None``/``...``, slices,
subscripts of tensors and sequences, attribute reads that are plain data or tensor views,
a short list of pure tensor methods, and arithmetic between tensors), and tensors are
replaced by ``meta`` copies first, so evaluation never touches data or autograd. User code
never runs either: attributes are found with ``inspect.getattr_static``, types are checked
with ``type()`` (``isinstance`` would read a ``__class__`` property), and a tensor subclass's
``__torch_function__`` is switched off while operands are read. Anything else is
:data:`UNKNOWN`.
"""

from __future__ import annotations

import ast
import builtins
import dis
import inspect
import linecache
import os
import sys
from dataclasses import dataclass
from types import FrameType, ModuleType, TracebackType
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
    {
        "unsqueeze",
        "view",
        "reshape",
        "transpose",
        "permute",
        "t",
        "squeeze",
        "flatten",
        "size",
        "sum",
        "mean",
        "contiguous",
        "exp",
        "log",
        "sqrt",
        "abs",
        "relu",
        "sigmoid",
        "tanh",
        "float",
    }
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


@dataclass
class FailingSite:
    """Where an exception was raised in user code: frame, source, and the failing node."""

    frame: FrameType
    filename: str
    lineno: int
    source: str
    node: ast.AST | None
    parents: dict[ast.AST, ast.AST]

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``, whitespace collapsed to one line."""
        text = ast.get_source_segment(self.source, node) or "?"
        return " ".join(text.split())

    def evaluate(self, node: ast.AST | None) -> Any:
        """The value of ``node`` in the failing frame, or :data:`UNKNOWN`."""
        if node is None:
            return UNKNOWN
        try:
            return _Evaluator(self.frame).eval(node)
        except _Unsafe:
            return UNKNOWN
        except Exception:  # a view that cannot be built, an index out of range, ...
            return UNKNOWN

    def edit_span(self, node: ast.AST) -> tuple[int, int] | None:
        """``node``'s columns in the line that :meth:`line_with_mark` shows, if it lies there."""
        lines = self.source.splitlines()
        if getattr(node, "end_lineno", None) != getattr(node, "lineno", None):
            return None
        shown, _ = self.line_with_mark()
        text = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
        if text.strip() != shown:
            return None
        indent = len(text) - len(text.lstrip())
        start = _char_col(text, node.col_offset) - indent
        return start, _char_col(text, node.end_col_offset) - indent

    def line_with_mark(self) -> tuple[str, tuple[int, int] | None]:
        """The line holding the failing operator (dedented) and the operator's column span."""
        lines = self.source.splitlines()
        span = _operator_span(self.node, self.parents, lines) if self.node is not None else None
        if span is None:
            line = lines[self.lineno - 1] if 0 < self.lineno <= len(lines) else ""
            return line.strip(), None
        lineno, start, end = span
        line = lines[lineno - 1]
        indent = len(line) - len(line.lstrip())
        return line.strip(), (start - indent, end - indent)


def _torch_dir() -> str | None:
    torch = sys.modules.get("torch")
    path = getattr(torch, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) + os.sep if path else None


def _is_library_frame(filename: str, library_dirs: tuple[str, ...]) -> bool:
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return any(path.startswith(directory) for directory in library_dirs)


_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


_DISPATCHERS = frozenset({"__torch_function__", "__torch_dispatch__"})


def _library_dirs() -> tuple[str, ...]:
    return tuple(d for d in (_torch_dir(), _OWN_DIR) if d)


def raised_by_python_code(tb: TracebackType | None) -> bool:
    """Whether the innermost frame is user code that ran ``raise``: then no torch op failed,
    whatever the message says (a user's own ``raise RuntimeError("shape '[2, 3]' ...")``)."""
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    if _is_library_frame(tb.tb_frame.f_code.co_filename, _library_dirs()):
        return False
    code = tb.tb_frame.f_code.co_code
    opcode = code[tb.tb_lasti] if 0 <= tb.tb_lasti < len(code) else None
    return opcode in (dis.opmap["RAISE_VARARGS"], dis.opmap.get("RERAISE", -1))


def failing_site(tb: TracebackType | None) -> FailingSite | None:
    """The innermost traceback entry outside torch and matmul-magic (the line that called
    torch), located. ``%%explain``'s recorder sits between the cell and torch: skip it too.

    A tensor subclass's ``__torch_function__`` runs between the expression and torch: the
    line that caused the error is the one that called into the subclass, so the search stops
    at the outermost such frame."""
    library_dirs = _library_dirs()
    chosen = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name in _DISPATCHERS:
            break
        if not _is_library_frame(tb.tb_frame.f_code.co_filename, library_dirs):
            chosen = tb
        tb = tb.tb_next
    if chosen is None:
        return None
    frame = chosen.tb_frame
    filename = frame.f_code.co_filename
    source = "".join(linecache.getlines(filename, frame.f_globals))
    lineno = chosen.tb_lineno
    if not source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    positions = _instruction_positions(frame, chosen.tb_lasti)
    node = _find_node(tree, positions, lineno)
    return FailingSite(frame, filename, lineno, source, node, parents)


def _instruction_positions(frame: FrameType, lasti: int):
    try:
        return list(frame.f_code.co_positions())[lasti // 2]
    except (AttributeError, IndexError, TypeError):  # Python < 3.11 has no positions
        return None


_INTERESTING = (ast.BinOp, ast.Call, ast.Subscript, ast.AugAssign)


def _find_node(tree: ast.AST, positions, lineno: int) -> ast.AST | None:
    """The node whose source span is the failing instruction's (falls back to the line)."""
    if positions and None not in positions:
        start, end, col, end_col = positions
        for node in ast.walk(tree):
            if isinstance(node, _INTERESTING) and (
                node.lineno,
                node.end_lineno,
                node.col_offset,
                node.end_col_offset,
            ) == (start, end, col, end_col):
                return node
    # No exact match: the last interesting node starting on the failing line.
    candidates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.BinOp, ast.Call)) and getattr(node, "lineno", None) == lineno
    ]
    return candidates[-1] if candidates else None


def _char_col(line: str, byte_col: int) -> int:
    """AST columns count UTF-8 bytes; the screen counts characters."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


_BINOP_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}


def binop_symbol(op: ast.operator) -> str:
    """The source spelling of a binary operator (``@`` for ``ast.MatMult``)."""
    return _BINOP_SYMBOLS.get(type(op), "?")


def _operator_span(node: ast.AST, parents, lines: list[str]):
    """(line number, start column, end column) of the token that names the failing op."""

    def find_token(left: ast.AST, token: str):
        lineno = left.end_lineno
        line = lines[lineno - 1]
        start = _char_col(line, left.end_col_offset)
        found = line.find(token, start)
        return (lineno, found, found + len(token)) if found >= 0 else None

    if isinstance(node, ast.BinOp):
        return find_token(node.left, binop_symbol(node.op))
    if isinstance(node, ast.AugAssign):
        return find_token(node.target, binop_symbol(node.op) + "=")
    if isinstance(node, ast.Call):
        func = node.func
        line = lines[func.end_lineno - 1]
        end = _char_col(line, func.end_col_offset)
        if isinstance(func, ast.Attribute):
            return (func.end_lineno, end - len(func.attr), end)
        return (func.end_lineno, _char_col(line, func.col_offset), end)
    if isinstance(node, ast.Subscript):
        line = lines[node.lineno - 1]
        if node.end_lineno != node.lineno:
            return None
        return (node.lineno, _char_col(line, node.col_offset), _char_col(line, node.end_col_offset))
    return None


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

    def _Expr(self, node: ast.Expr) -> Any:
        return self.eval(node.value)

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
        parts = [None if part is None else self.eval(part) for part in (node.lower, node.upper)]
        step = None if node.step is None else self.eval(node.step)
        for part in (*parts, step):
            if part is not None and type(part) is not int:
                raise _Unsafe("slice")
        return slice(parts[0], parts[1], step)

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
        safe_base = is_tensor(base) or type(base) in (tuple, list, str)
        safe_base = safe_base or type(base).__name__ == "Size"
        if not safe_base or not _plain_index(index):
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


@dataclass(eq=False)  # identity: comparing two operands must never compare tensors
class Operand:
    label: str
    value: Any
    node: ast.AST | None = None
    base_shape: tuple[int, ...] | None = None  # for ``x[i]``: the shape of ``x``

    @property
    def shape(self) -> tuple[int, ...] | None:
        return tuple(int(s) for s in self.value.shape) if is_tensor(self.value) else None
