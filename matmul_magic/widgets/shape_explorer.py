"""``ShapeExplorer``: broadcasting, dimension by dimension, on the user's own tensors."""

from __future__ import annotations

from typing import Any

import traitlets as t

from matmul_magic.shapes import RULE, explain_broadcast, format_shape
from matmul_magic.shapes.broadcast import clashing
from matmul_magic.widgets._common import LessonWidget, checked_shapes, element_strides, small_values
from matmul_magic.widgets._names import argument_texts, labels
from matmul_magic.widgets._static import shape_explorer_html


class ShapeExplorer(LessonWidget):
    """Show how shapes broadcast: right-aligned dims, the rule per dim, the result or the clash.

    ``ShapeExplorer(a, b[:, None])`` takes tensors, arrays or shapes such as ``(5, 1)``.
    Each operand is labelled with the expression you wrote (``a``, ``b[:, None]``); ``names=``
    sets the labels, and a, b, c… stand in where no expression can be read. Shapes are
    editable in the widget (type ``5,1``); ``result`` and ``error`` follow, in
    Python too. Tensors of at most 8x8 also show their values, with broadcast copies ghosted.

    Who owns what: ``shapes``, ``names``, ``values`` and ``strides`` are synced with the page.
    ``result`` and ``error`` are derived from them; the page derives its own from the same
    rules (``labextension/src/rules/``, checked against the same vectors), so they are kept
    here for Python (and the static picture) and never synced.
    """

    #: Which view of the shared bundle draws this widget (its root's ``data-matmul-magic``).
    _view_kind = t.Unicode("shape-explorer", read_only=True).tag(sync=True)

    #: One list of sizes per operand.
    shapes = t.List().tag(sync=True)
    #: The broadcast shape, or None when the shapes clash (Python only: the page derives its own).
    result = t.List(allow_none=True, default_value=None, read_only=True)
    #: Why the shapes do not broadcast, or why an edit was refused ("" when all is well).
    error = t.Unicode("", read_only=True)
    #: A label per operand: the expression written in the call (or that ``%shapes`` evaluated),
    #: ``names=``, or a, b, c...
    names = t.List(t.Unicode()).tag(sync=True)
    #: Per operand, the values of the tensor given (≤ 8x8) or None; the front end shows them
    #: while the operand's shape still matches them.
    values = t.List().tag(sync=True)
    #: Per operand, ``t.stride()`` of the tensor given, or None (shapes, or once edited): the
    #: stride view then assumes a contiguous tensor.
    strides = t.List().tag(sync=True)

    def __init__(self, *operands: Any, names: list[str] | None = None, **kwargs: Any) -> None:
        shapes = checked_shapes(operands)
        values = [small_values(x, tuple(s)) for x, s in zip(operands, shapes, strict=True)]
        strides = [element_strides(x, tuple(s)) for x, s in zip(operands, shapes, strict=True)]
        guessed = argument_texts(type(self)) if names is None else None
        given = labels(names, len(operands), guessed)
        super().__init__(shapes=shapes, names=given, values=values, strides=strides, **kwargs)
        self._update()

    @t.validate("shapes")
    def _check_shapes(self, proposal: t.Bunch) -> list[list[int]]:
        return checked_shapes(proposal["value"])

    @t.observe("shapes")
    def _on_shapes(self, change: t.Bunch) -> None:
        old, new = change["old"], change["new"]
        if isinstance(old, list) and len(old) == len(new) == len(self.strides):
            # A tensor's strides describe its own shape: an edited operand no longer has them.
            kept = [None if o != n else s for o, n, s in zip(old, new, self.strides, strict=True)]
            if kept != list(self.strides):
                self.strides = kept
        self._update()

    def _update(self) -> None:
        count = len(self.shapes)
        if len(self.names) != count:
            self.names = labels(list(self.names), count)
        if len(self.values) != count:
            self.values = (list(self.values) + [None] * count)[:count]
        if len(self.strides) != count:
            self.strides = (list(self.strides) + [None] * count)[:count]
        explanation = explain_broadcast(*self.shapes)
        result = None if explanation.result is None else list(explanation.result)
        error = "" if explanation.ok else named_reason(explanation, list(self.names))
        self.set_trait("result", result)
        self.set_trait("error", error)

    def refused(self, reason: str) -> None:
        """A bad edit from the page: the shapes stay as they were, ``error`` says why."""
        self.set_trait("error", f"Edit refused, shapes kept: {reason}")

    def summary(self) -> str:
        """One line: ``ShapeExplorer((5, 1), (1, 4)) -> (5, 4)``."""
        args = ", ".join(format_shape(s) for s in self.shapes)
        outcome = format_shape(self.result) if self.error == "" else f"error: {self.error}"
        return f"ShapeExplorer({args}) -> {outcome}"

    def static_html(self) -> str:
        """The table as a picture, for exported HTML and viewers without a widget manager."""
        return shape_explorer_html(list(self.shapes), list(self.names), self.error)


def named_reason(explanation: Any, names: list[str]) -> str:
    """The clash sentence naming both operands and their sizes, as the widget says it:
    ``Dimension -1 clashes: m has 3 and c has 4 — sizes must be equal or one of them 1.``"""
    if explanation.ok:
        return explanation.reason
    column = next(c for c in explanation.columns if c.dim == explanation.clash)
    first, other = clashing(column)
    return (
        f"Dimension {column.dim} clashes: {names[first]} has {column.sizes[first]} and "
        f"{names[other]} has {column.sizes[other]} — {RULE}."
    )
