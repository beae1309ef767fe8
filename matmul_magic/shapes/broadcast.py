"""Broadcasting, one right-aligned dimension at a time: the result, or where and why it clashes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .operand_shapes import RULE, Shape, check_numel, checked_shapes, format_shape

Kind = Literal["equal", "stretched", "missing", "clash"]

# The one wording of each kind, shared with the TypeScript views (which get it generated).
_KINDS = json.loads((Path(__file__).parent / "kinds.json").read_text(encoding="utf-8"))["kinds"]
#: One word per kind, for running text: ``dim -1: 1 vs 10 -> 10 (stretched)``.
KIND_WORDS: dict[str, str] = {kind: words["word"] for kind, words in _KINDS.items()}
#: What each kind means, for a legend or a tooltip: ``missing (prepended as 1)``.
KIND_LEGEND: dict[str, str] = {kind: words["legend"] for kind, words in _KINDS.items()}


@dataclass(frozen=True)
class BroadcastColumn:
    """One right-aligned dimension: each operand's size there and how the rule treats it."""

    dim: int  # counted from the right: -1 is the last dimension
    sizes: tuple[int | None, ...]  # None where the operand has no such dimension
    kinds: tuple[Kind, ...]  # "equal", "stretched" (from 1), "missing" (prepended 1), "clash"
    size: int | None  # the result's size here, None on a clash

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sizes": list(self.sizes), "kinds": list(self.kinds)}


@dataclass(frozen=True)
class BroadcastExplanation:
    """How shapes broadcast, dimension by dimension; see :func:`explain_broadcast`."""

    shapes: tuple[Shape, ...]
    columns: tuple[BroadcastColumn, ...]  # left to right; the last one is dimension -1
    result: Shape | None  # None when some dimension clashes
    reason: str  # one sentence, in the numpy rule's words
    clash: int | None  # the dimension the reason names (counted from the right), if any

    @property
    def ok(self) -> bool:
        return self.result is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "shapes": [list(shape) for shape in self.shapes],
            "columns": [column.to_dict() for column in self.columns],
            "result": None if self.result is None else list(self.result),
            "reason": self.reason,
            "clash": self.clash,
            "ok": self.ok,
        }


def _column(dim: int, shapes: tuple[Shape, ...]) -> BroadcastColumn:
    sizes = tuple(shape[dim] if len(shape) >= -dim else None for shape in shapes)
    present = {size for size in sizes if size is not None}
    big = present - {1}
    if len(big) > 1:
        kinds: tuple[Kind, ...] = tuple(
            "missing" if s is None else "stretched" if s == 1 else "clash" for s in sizes
        )
        return BroadcastColumn(dim, sizes, kinds, None)
    size = big.pop() if big else 1
    kinds = tuple("missing" if s is None else "equal" if s == size else "stretched" for s in sizes)
    return BroadcastColumn(dim, sizes, kinds, size)


def clashing(column: BroadcastColumn) -> tuple[int, int]:
    """On a clash, the first two operands whose sizes clash there."""
    sizes = column.sizes
    first = next(i for i, s in enumerate(sizes) if s is not None and s != 1)
    return first, next(i for i, s in enumerate(sizes) if s not in (None, 1, sizes[first]))


def _clash_sentence(column: BroadcastColumn) -> str:
    first, other = (column.sizes[i] for i in clashing(column))
    return f"Dimension {column.dim}: {first} and {other} clash — {RULE}."


def explain_broadcast(*shapes: Any) -> BroadcastExplanation:
    """Explain how shapes (or tensors) broadcast, one right-aligned column per dimension.

    A clash is reported, not raised: ``result`` is None and ``reason`` names the
    dimension, e.g. "Dimension -1: 784 and 10 clash — sizes must be equal or one of
    them 1." Malformed input still raises ``TypeError``/``ValueError``.
    """
    checked = checked_shapes(shapes)
    ndim = max((len(shape) for shape in checked), default=0)
    columns = tuple(_column(dim, checked) for dim in range(-ndim, 0))
    clashes = [column for column in columns if column.size is None]
    if clashes:
        rightmost = clashes[-1]
        return BroadcastExplanation(
            checked, columns, None, _clash_sentence(rightmost), rightmost.dim
        )
    result = tuple(column.size for column in columns)  # type: ignore[misc]
    check_numel(result, "The broadcast result")
    if not checked:
        reason = "No shapes to broadcast: the result is the 0-d shape ()."
    else:
        reason = (
            f"Broadcasts to {format_shape(result)}: from the trailing dimension leftwards, "
            "the sizes are equal or one of them is 1, and a missing dimension counts as 1."
        )
    return BroadcastExplanation(checked, columns, result, reason, None)


def broadcast_shapes(*shapes: Any) -> Shape:
    """The shape that ``shapes`` broadcast to, by ``torch.broadcast_shapes``'s rule.

    Each operand is a sequence of ints, an int (a 1-d shape) or anything with ``.shape``.
    A clash raises ``ValueError`` naming the dimension and the sizes::

        >>> broadcast_shapes((5, 1), (3,))
        (5, 3)

    Where valid shapes broadcast, the result is torch's. Input torch would take or reject
    differently is refused here, on purpose:

    - ``bool`` sizes raise ``ValueError`` (a bool is no size); torch reads ``True`` as 1;
    - ``None`` as an operand raises ``TypeError``; torch skips it, as if it were ``()``;
    - sizes above 2**53 - 1 raise ``ValueError``, so that Python and the TypeScript port
      (whose numbers are exact only up to 2**53 - 1) agree; torch takes them;
    - shapes of more than 2**63 - 1 elements raise ``ValueError``; torch does not count
      the elements, so ``torch.broadcast_shapes((2**40, 2**40))`` succeeds;
    - more than 8 operands or 64 dimensions raise ``ValueError``.
    """
    explanation = explain_broadcast(*shapes)
    if explanation.result is None:
        raise ValueError(explanation.reason)
    return explanation.result
