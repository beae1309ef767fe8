"""Find the failing line and its operands without running anything twice.

The failing expression is located from the traceback alone: the innermost frame outside
torch, the instruction that raised (``tb_lasti``) and its source positions, matched against
the line's syntax tree. Operands are then read from that frame's variables by
:mod:`.safe_eval`, which evaluates only side-effect-free sub-expressions on ``meta`` copies
of tensors; a tensor subclass's ``__torch_function__`` is switched off while operands are
read. Anything else is :data:`~.safe_eval.UNKNOWN`.
"""

from __future__ import annotations

import ast
import dis
import linecache
import os
import sys
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any

from .safe_eval import evaluate, is_tensor


@dataclass
class FailingSite:
    """Where an exception was raised in user code: frame, source, and the failing node."""

    frame: FrameType
    lineno: int
    source: str
    node: ast.AST | None
    parents: dict[ast.AST, ast.AST]

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``, whitespace collapsed to one line."""
        text = ast.get_source_segment(self.source, node) or "?"
        return " ".join(text.split())

    def evaluate(self, node: ast.AST | None) -> Any:
        """The value of ``node`` in the failing frame, or :data:`~.safe_eval.UNKNOWN`."""
        return evaluate(self.frame, node)

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


def _is_library_frame(filename: str, library_dirs: tuple[str, ...]) -> bool:
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return any(path.startswith(directory) for directory in library_dirs)


_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_DISPATCHERS = frozenset({"__torch_function__", "__torch_dispatch__"})


def _library_dirs() -> tuple[str, ...]:
    """matmul-magic's folder, and torch's once it is loaded."""
    torch_file = getattr(sys.modules.get("torch"), "__file__", None)
    if not torch_file:
        return (_OWN_DIR,)
    return (os.path.dirname(os.path.abspath(torch_file)) + os.sep, _OWN_DIR)


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
    frame, lineno = chosen.tb_frame, chosen.tb_lineno
    source = "".join(linecache.getlines(frame.f_code.co_filename, frame.f_globals))
    if not source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    try:  # the failing instruction's source span
        positions = list(frame.f_code.co_positions())[chosen.tb_lasti // 2]
    except (AttributeError, IndexError, TypeError):  # Python < 3.11 has no positions
        positions = None
    node = _find_node(tree, positions, lineno)
    return FailingSite(frame, lineno, source, node, parents)


_INTERESTING = (ast.BinOp, ast.Call, ast.Subscript, ast.AugAssign)


def _find_node(tree: ast.AST, positions, lineno: int) -> ast.AST | None:
    """The node whose source span is the failing instruction's (falls back to the line)."""
    nodes = [node for node in ast.walk(tree) if isinstance(node, _INTERESTING)]
    if positions and None not in positions:
        for node in nodes:
            if (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset) == positions:
                return node
    # No exact match: the last binary op or call starting on the failing line.
    candidates = [n for n in nodes if isinstance(n, (ast.BinOp, ast.Call)) and n.lineno == lineno]
    return candidates[-1] if candidates else None


def _char_col(line: str, byte_col: int) -> int:
    """AST columns count UTF-8 bytes; the screen counts characters."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def binop_symbol(op: ast.operator) -> str:
    """The source spelling of a binary operator (``@`` for ``ast.MatMult``), as ast writes it."""
    return ast.unparse(ast.BinOp(ast.Name("a"), op, ast.Name("b")))[2:-2]


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
    if isinstance(node, ast.Subscript) and node.end_lineno == node.lineno:
        line = lines[node.lineno - 1]
        return (node.lineno, _char_col(line, node.col_offset), _char_col(line, node.end_col_offset))
    return None


@dataclass(eq=False)  # identity: comparing two operands must never compare tensors
class Operand:
    label: str
    value: Any
    node: ast.AST | None = None
    base_shape: tuple[int, ...] | None = None  # for ``x[i]``: the shape of ``x``

    @property
    def shape(self) -> tuple[int, ...] | None:
        return tuple(int(s) for s in self.value.shape) if is_tensor(self.value) else None
