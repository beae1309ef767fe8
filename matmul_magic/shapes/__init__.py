"""Broadcasting and einsum shape rules, as plain functions on shapes.

This package is the single source of truth for the rules; the TypeScript port in
``labextension/src/rules/`` is checked against the JSON vectors that
``tests/vectors/generate.py`` writes from torch. It never imports torch: operands are
shapes (sequences of ints, or a bare int meaning a 1-d shape, as torch accepts) or
anything with a ``.shape`` (tensors, arrays).

Bad input raises ``TypeError`` (an operand that is not a shape at all) or ``ValueError``
(bad sizes, too many operands or dimensions, absurd sizes, clashing shapes, bad specs).

- ``operands``: what counts as a shape, the limits, ``format_shape``;
- ``broadcast``: ``explain_broadcast``, ``broadcast_shapes`` and the words for each kind;
- ``einsum``: ``parse_einsum``, in steps; ``einsum_loops``: the loop nest it stands for.
"""

from __future__ import annotations

from .broadcast import (
    KIND_LEGEND,
    KIND_WORDS,
    BroadcastColumn,
    BroadcastExplanation,
    Kind,
    broadcast_shapes,
    explain_broadcast,
)
from .einsum import ELLIPSIS, EinsumPlan, parse_einsum
from .operand_shapes import MAX_NDIM, MAX_NUMEL, MAX_OPERANDS, MAX_SIZE, RULE, Shape, format_shape

__all__ = [
    "ELLIPSIS",
    "KIND_LEGEND",
    "KIND_WORDS",
    "MAX_NDIM",
    "MAX_NUMEL",
    "MAX_OPERANDS",
    "MAX_SIZE",
    "RULE",
    "BroadcastColumn",
    "BroadcastExplanation",
    "EinsumPlan",
    "Kind",
    "Shape",
    "broadcast_shapes",
    "explain_broadcast",
    "format_shape",
    "parse_einsum",
]
