"""``EinsumExplorer``: an einsum spec with its axes labelled, the summed indices and the loops."""

from __future__ import annotations

from typing import Any

import traitlets as t

from matmul_magic.shapes import format_shape, parse_einsum
from matmul_magic.widgets._common import InvalidType, LessonWidget, checked_shapes
from matmul_magic.widgets._names import argument_texts, labels, name_operands
from matmul_magic.widgets._static import einsum_explorer_html


class EinsumExplorer(LessonWidget):
    """Explain ``torch.einsum(spec, *operands)``: labels per axis, what is summed, the output.

    ``EinsumExplorer('ik,kj->ij', m1, m2)`` takes tensors, arrays or shapes. The spec and the
    shapes are editable in the widget; ``result``, ``summed`` and ``error`` follow in Python.
    A wrong spec or clashing sizes are shown (``error``), not raised: seeing them is the lesson.

    Who owns what: ``spec``, ``shapes`` and ``names`` are synced with the page. ``result``,
    ``summed``, ``error`` and ``loops`` are derived from them; the page derives its own from
    the same rules, so they are kept here for Python (and the static picture), never synced.
    """

    #: Which view of the shared bundle draws this widget (its root's ``data-matmul-magic``).
    _view_kind = t.Unicode("einsum-explorer", read_only=True).tag(sync=True)

    #: The einsum spec, e.g. ``'ik,kj->ij'`` (``...`` and implicit output allowed).
    spec = t.Unicode("").tag(sync=True)
    #: One list of sizes per operand.
    shapes = t.List().tag(sync=True)
    #: A label per operand: the expression written in the call, ``names=``, or a, b, c...
    names = t.List(t.Unicode()).tag(sync=True)
    # Derived, Python only (the page derives its own from the same rules):
    #: The output shape, or None when the spec or the sizes are wrong.
    result = t.List(allow_none=True, default_value=None, read_only=True)
    #: The indices summed over, in order of appearance.
    summed = t.List(t.Unicode(), read_only=True)
    #: What is wrong with the spec or the sizes, or why an edit was refused ("" when nothing is).
    error = t.Unicode("", read_only=True)
    #: The equivalent Python loop nest, as text.
    loops = t.Unicode("", read_only=True)

    def __init__(
        self, spec: str, *operands: Any, names: list[str] | None = None, **kwargs: Any
    ) -> None:
        if not isinstance(spec, str):
            raise InvalidType(
                f"spec must be a string such as 'ik,kj->ij', got {type(spec).__name__}"
            )
        shapes = checked_shapes(operands)
        guessed = argument_texts(type(self), skip=1) if names is None else None
        given = labels(names, len(shapes), guessed)
        super().__init__(spec=spec, shapes=shapes, names=given, **kwargs)
        self._update()

    @t.validate("spec")
    def _check_spec(self, proposal: t.Bunch) -> str:
        return unquote_spec(proposal["value"])

    @t.validate("shapes")
    def _check_shapes(self, proposal: t.Bunch) -> list[list[int]]:
        return checked_shapes(proposal["value"])

    @t.observe("spec", "shapes")
    def _on_change(self, change: t.Bunch) -> None:
        self._update()

    def _update(self) -> None:
        if len(self.names) != len(self.shapes):
            self.names = labels(list(self.names), len(self.shapes))
        try:
            parsed = parse_einsum(self.spec, *map(tuple, self.shapes))
        except ValueError as exc:
            result, summed, loops, error = None, [], "", name_operands(str(exc), self.names)
        else:
            result, summed, loops, error = list(parsed.shape), list(parsed.summed), parsed.loops, ""
        for name, value in (("result", result), ("summed", summed), ("loops", loops)):
            self.set_trait(name, value)
        self.set_trait("error", error)

    def refused(self, reason: str) -> None:
        """A bad edit from the page: spec and shapes stay as they were, ``error`` says why."""
        self.set_trait("error", f"Edit refused, kept as it was: {reason}")

    def static_html(self) -> str:
        """The axes table and loops as a picture, for exported HTML."""
        return einsum_explorer_html(
            self.spec, list(self.shapes), list(self.names), self.result, list(self.summed),
            self.error, self.loops,
        )  # fmt: skip

    def summary(self) -> str:
        """One line: ``EinsumExplorer('ik,kj->ij', (5, 784), (784, 10)) -> (5, 10), summed k``."""
        args = ", ".join([repr(self.spec)] + [format_shape(s) for s in self.shapes])
        if self.error:
            return f"EinsumExplorer({args}) -> error: {self.error}"
        summed = ", ".join(self.summed) if self.summed else "nothing"
        return f"EinsumExplorer({args}) -> {format_shape(self.result)}, summed: {summed}"


def unquote_spec(text: str) -> str:
    """The spec without one pair of matching quotes around it (``'ik,kj->ij'`` pasted from code
    reads as ``ik,kj->ij``); anything else as it is, for the rules to judge."""
    inner = text.strip()
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return inner[1:-1]
    return text
