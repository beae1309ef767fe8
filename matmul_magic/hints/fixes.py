"""Fixes are searched, not guessed: each single change to the failing line (drop a ``.T``,
move or add a ``None``, transpose, sum over another dimension) is checked by the shape
rules, and one is offered only when the result is what the line was evidently after and
no other working change leads elsewhere. A transpose is never offered for an operand built
by ``view``/``reshape`` (see :mod:`.intent` for what such operands say instead)."""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass

from ..shapes import format_shape
from .failing_line import FailingSite, Operand
from .safe_eval import is_tensor


@dataclass(frozen=True)
class Fix:
    """A suggested change whose shapes were checked: replace ``node``'s source by
    ``replacement``. ``text`` is what the hint says after ``fix:``."""

    text: str
    node: ast.AST | None
    replacement: str


Advice = Fix | str  # a checked fix, or a sentence that explains the clash and suggests nothing


@dataclass(frozen=True)
class Candidate:
    """One operand changed in one way: the shape it would have, and how to write it."""

    index: int
    shape: tuple[int, ...]
    fix: Fix
    tier: int  # 0: undoes a transpose the user wrote (the likeliest slip); 1: any other change


def atomic(label: str, node: ast.AST | None) -> str:
    """``label`` ready to take a postfix (``x.T``, ``x[None]``): parenthesized if needed."""
    if node is None or isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        return label
    return f"({label})"


def _with_axis(operand: Operand, position: int, ndim: int) -> str:
    """Source for ``operand`` with a new size-1 axis at ``position`` (of ``ndim + 1``)."""
    node, parts = operand.node, index_parts(operand)
    if position == 0:
        return f"{atomic(operand.label, node)}[None]"
    if parts is not None and not isinstance(node.slice, ast.Slice):
        simple = all(isinstance(p, (ast.Name, ast.Constant)) and not _is_none(p) for p in parts)
        if simple and operand.base_shape[len(parts) :] == operand.shape:
            # Pure integer indexing keeps the remaining axes in order: extend the index.
            index = ", ".join(ast.unparse(p) for p in parts)
            base = ast.unparse(node.value)
            return f"{base}[{index}, {', '.join([':'] * position + ['None'])}]"
    if position == ndim and ndim > 1:
        return f"{atomic(operand.label, node)}[..., None]"
    return f"{atomic(operand.label, node)}[{', '.join([':'] * position + ['None'])}]"


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_bare(part: ast.AST) -> bool:
    """Whether an index part is a bare ``:``."""
    return isinstance(part, ast.Slice) and part.lower is part.upper is part.step is None


def index_parts(operand: Operand) -> list[ast.AST] | None:
    """For ``x[i, :5]`` of a ``x`` whose shape is known: the index's parts (``i`` and ``:5``)."""
    node = operand.node
    if not isinstance(node, ast.Subscript) or operand.base_shape is None:
        return None
    return node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]


def none_index(operand: Operand) -> list[str] | None:
    """For ``x[:, None]`` (only ``:`` and ``None`` in the index, at least one None): each part,
    as ``":"`` or ``"None"``."""
    parts = index_parts(operand)
    kinds = ["None" if _is_none(p) else ":" if is_bare(p) else "" for p in parts or ()]
    return kinds if "" not in kinds and "None" in kinds else None


def _axis_name(position: int, ndim: int) -> str:
    if position == 0:
        return "a leading axis"
    if position == ndim:
        return "a trailing axis"
    return f"a new axis at position {position}"


def _untransposed(operand: Operand) -> tuple[str, tuple[int, ...]] | None:
    """For a matrix transposed as written (``w.T``, ``w.mT``, ``w.t()``, ``w.transpose(0, 1)``,
    ``w.permute(1, 0)``), the label ``w`` and its shape."""
    node, shape = operand.node, operand.shape
    if shape is None or len(shape) != 2:
        return None
    if isinstance(node, ast.Attribute) and node.attr in ("T", "mT"):
        return ast.unparse(node.value), shape[::-1]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    dims = [literal_int(arg) for arg in node.args]
    transposes = sorted(d % 2 for d in dims if d is not None) == [0, 1]
    swaps = {"t": not dims, "transpose": transposes, "permute": dims == [1, 0]}
    if swaps.get(node.func.attr) and not node.keywords and None not in dims:
        return ast.unparse(node.func.value), shape[::-1]
    return None


def is_reshaped(node: ast.AST | None) -> tuple[ast.AST, str] | None:
    """For ``x.view(...)``, ``x.reshape(...)`` or ``torch.reshape(x, ...)``: (``x``'s node, the
    method). Such an operand keeps ``x``'s memory order, so a transpose of it is never the fix:
    its values were already laid out by the reshape."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    method = node.func.attr
    if method == "view" or (method == "reshape" and node.args):
        receiver = node.func.value
        if method == "reshape" and isinstance(receiver, ast.Name) and receiver.id == "torch":
            return node.args[0], method
        return receiver, method
    return None


def _transposed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape[:-2] + shape[-2:][::-1]


def sum_dim(node: ast.AST | None) -> tuple[ast.AST, ast.AST, int, bool] | None:
    """For ``x.sum(d)`` or ``x.sum(dim=d)`` with a literal d: (receiver, d's node, d, keepdim)."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "sum"):
        return None
    dims = node.args[:1] + [kw.value for kw in node.keywords if kw.arg in ("dim", "axis")]
    kept = [kw.value for kw in node.keywords if kw.arg == "keepdim"]  # at most one
    keepdim = bool(kept) and isinstance(kept[0], ast.Constant) and kept[0].value is True
    dim = literal_int(dims[0]) if len(dims) == 1 else None
    return None if dim is None else (node.func.value, dims[0], dim, keepdim)


def literal_int(node: ast.AST) -> int | None:
    """``1`` or ``-1`` written as a literal, else None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def single_changes(
    operands: list[Operand], site: FailingSite | None, new_axis: bool = True, sums: bool = True
) -> list[Candidate]:
    """Every single change worth checking: drop a ``.T``, add one axis, transpose, or sum
    over another dimension. ``new_axis=False`` for products: an extra axis there makes the
    shapes fit by turning the product into a batch of outer products. ``sums=False`` for
    products too: ``m1 @ m2.sum(1)`` fits where ``m2.sum(0)`` did not, but which sum an
    operand of a product was meant to be, its shape cannot tell."""
    out: list[Candidate] = []
    for i, op in enumerate(operands):
        shape = op.shape
        if shape is None:
            continue
        original = _untransposed(op)
        if original:
            name, unflipped = original
            text = f"did you mean {name} {format_shape(unflipped)} instead of {op.label}?"
            out.append(Candidate(i, unflipped, Fix(text, op.node, name), 0))
        for source, moved in _none_placements(op):
            text = f"move the None: {source} {format_shape(moved)}"
            out.append(Candidate(i, moved, Fix(text, op.node, source), 1))
        if new_axis:
            for position in range(len(shape), -1, -1):
                source = _with_axis(op, position, len(shape))
                text = f"{op.label} needs {_axis_name(position, len(shape))}: {source}"
                grown = shape[:position] + (1,) + shape[position:]
                out.append(Candidate(i, grown, Fix(text, op.node, source), 1))
        if len(shape) >= 2 and not original and is_reshaped(op.node) is None:
            flip = ".T" if len(shape) == 2 else ".mT"
            source = f"{atomic(op.label, op.node)}{flip}"
            text = f"did you mean {source} {format_shape(_transposed(shape))}?"
            out.append(Candidate(i, _transposed(shape), Fix(text, op.node, source), 1))
        summed = sum_dim(op.node) if sums else None
        receiver = site.evaluate(summed[0]) if summed and site is not None else None
        if summed and is_tensor(receiver):
            full = tuple(receiver.shape)
            _, dim_node, dim, keepdim = summed
            for other in range(len(full)):
                if other == dim % max(len(full), 1):
                    continue
                kept = full[:other] + ((1,) if keepdim else ()) + full[other + 1 :]
                call = _with_replaced(site, op.node, dim_node, str(other))
                text = f"sum over dimension {other}, not {dim}: {call} is {format_shape(kept)}"
                out.append(Candidate(i, kept, Fix(text, dim_node, str(other)), 1))
    return out


def _none_placements(operand: Operand) -> list[tuple[str, tuple[int, ...]]]:
    """For ``x[:, None]`` (only ``:`` and ``None`` in the index): the same Nones placed
    elsewhere, as (source, shape). A misplaced None is the lesson's commonest slip."""
    kinds, base = none_index(operand), operand.base_shape
    if kinds is None or kinds.count(":") > len(base):
        return []
    count = kinds.count("None")
    written = kinds + [":"] * (len(base) - kinds.count(":"))
    out = []
    for places in itertools.combinations(range(len(base) + count), count):
        index = ["None" if at in places else ":" for at in range(len(base) + count)]
        if index == written:
            continue
        sizes = iter(base)
        shape = [1 if part == "None" else next(sizes) for part in index]
        while index[-1] == ":":
            index.pop()
        out.append((f"{ast.unparse(operand.node.value)}[{', '.join(index)}]", tuple(shape)))
    return out


def choose(
    candidates: list[Candidate],
    shapes: list,
    outcome,
    intended=None,
    extra: list[tuple[int, Fix, tuple[int, ...]]] = (),
) -> Fix | None:
    """The fix whose changed shapes ``outcome`` accepts with a result that ``intended`` takes
    for what the line was after. Fixes of the likeliest tier are weighed first; when those
    that work lead to different results, which one was meant is not evident: no fix.
    ``extra`` are (tier, fix, result) for fixes that change more than one operand's shape
    (a swap, another ``dim``), already checked."""
    for tier in sorted({0, 1} | {entry[0] for entry in extra}):
        working: list[tuple[Fix, tuple[int, ...]]] = []
        for candidate in candidates:
            if candidate.tier != tier:
                continue
            result = outcome(*changed(shapes, candidate.index, candidate.shape))
            if result is not None and (intended is None or intended(result, candidate)):
                working.append((candidate.fix, tuple(result)))
        working += [(fix, tuple(result)) for at, fix, result in extra if at == tier]
        if working:
            results = {result for _, result in working}
            return working[0][0] if len(results) == 1 else None
    return None


def changed(shapes: list, index: int, shape: tuple[int, ...]) -> list:
    """``shapes`` with the one at ``index`` replaced by ``shape``."""
    return [shape if i == index else old for i, old in enumerate(shapes)]


def _with_replaced(site: FailingSite, node: ast.AST, part: ast.AST, replacement: str) -> str:
    """``node``'s source as the user wrote it, with ``part`` (inside it) written as
    ``replacement``: the hint's text then shows the very change its fix applies."""
    lines = {getattr(n, attr, None) for n in (node, part) for attr in ("lineno", "end_lineno")}
    if len(lines) == 1:
        line = site.source.splitlines()[node.lineno - 1].encode()  # offsets count UTF-8 bytes
        before = line[node.col_offset : part.col_offset].decode()
        return before + replacement + line[part.end_col_offset : node.end_col_offset].decode()
    return f".sum({replacement})"  # spread over lines: name the call alone
