"""``MatmulStepper``: ``c[i,j] = Σ_k a[i,k]·b[k,j]`` animated at the lesson's four levels."""

from __future__ import annotations

from typing import Any

import traitlets as t

from matmul_magic.bench_result.views.format import format_plain
from matmul_magic.shapes import MAX_SIZE, format_shape
from matmul_magic.widgets._common import (
    InvalidType,
    InvalidValue,
    LessonWidget,
    checked_shapes,
    small_values,
)
from matmul_magic.widgets._static import matmul_stepper_html
from matmul_magic.widgets.constants import LEVELS, steps_at

#: The most steps a run may have: the page counts steps in JavaScript numbers, exact to 2**53 - 1.
MAX_STEPS = MAX_SIZE

#: The most steps per second while playing.
MAX_SPEED = 1000.0


def matmul_shapes(a: Any, b: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """The shapes of two matrices whose product the stepper can show, else :class:`InvalidValue`.

    Both 2-D, a's columns equal to b's rows, and at most :data:`MAX_STEPS` scalar steps.
    """
    shape_a, shape_b = map(tuple, checked_shapes([a, b]))
    if len(shape_a) != 2 or len(shape_b) != 2:
        raise InvalidValue(
            f"MatmulStepper needs two matrices (2-D); got shapes "
            f"{format_shape(shape_a)} and {format_shape(shape_b)}"
        )
    if shape_a[1] != shape_b[0]:
        raise InvalidValue(
            f"a @ b needs a's columns to match b's rows: {format_shape(shape_a)} @ "
            f"{format_shape(shape_b)} has {shape_a[1]} != {shape_b[0]}"
        )
    (m, k), (_, n) = shape_a, shape_b
    if m * k * n > MAX_STEPS:
        raise InvalidValue(
            f"{format_shape(shape_a)} @ {format_shape(shape_b)} takes {m * k * n} scalar steps; "
            f"the stepper counts at most {MAX_STEPS} (2**53 - 1)"
        )
    return shape_a, shape_b  # type: ignore[return-value]


class MatmulStepper(LessonWidget):
    """Step through ``a @ b`` one loop iteration at a time, at the lesson's four levels.

    ``MatmulStepper(a, b)`` takes two 2-D tensors/arrays (real values shown up to 8x8) or two
    shapes such as ``(5, 784), (784, 10)`` (indices shown, no values). Play, pause, step and
    speed are in the widget; ``level`` (0-3) and ``step`` are synced with Python.
    """

    #: Which view of the shared bundle draws this widget (its root's ``data-matmul-magic``).
    _view_kind = t.Unicode("matmul-stepper", read_only=True).tag(sync=True)

    #: The two operand shapes, [[m, k], [k, n]].
    shapes = t.List().tag(sync=True)
    #: [a, b] as nested lists when both are tensors of at most 8x8, else [].
    values = t.List().tag(sync=True)
    #: 0 scalar k loop, 1 row · column, 2 row broadcast, 3 whole product.
    level = t.Int(0).tag(sync=True)
    #: How many steps of this level are done (0 .. total_steps).
    step = t.Int(0).tag(sync=True)
    #: Whether the animation is running.
    playing = t.Bool(False).tag(sync=True)
    #: Steps per second while playing.
    speed = t.Float(2.0).tag(sync=True)

    #: Names of the traits being set together (a page update, or the constructor's keywords):
    #: a ``step`` among them is not reset by a new ``level``.
    _incoming: frozenset[str] = frozenset()

    def __init__(self, a: Any, b: Any, **kwargs: Any) -> None:
        shape_a, shape_b = matmul_shapes(a, b)
        value_a, value_b = small_values(a, shape_a), small_values(b, shape_b)
        values = [value_a, value_b] if value_a is not None and value_b is not None else []
        self._incoming = frozenset(kwargs)  # MatmulStepper(a, b, level=1, step=2) keeps step 2
        try:
            super().__init__(shapes=[list(shape_a), list(shape_b)], values=values, **kwargs)
        finally:
            self._incoming = frozenset()

    @property
    def total_steps(self) -> int:
        """Steps in a full run at the current level."""
        (m, k), (_, n) = self.shapes
        return steps_at(self.level, m, k, n)

    @t.validate("shapes")
    def _check_shapes(self, proposal: t.Bunch) -> list[list[int]]:
        shapes = proposal["value"]
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise InvalidType(f"shapes must be [[m, k], [k, n]], got {shapes!r:.80}")
        return [list(shape) for shape in matmul_shapes(*shapes)]

    @t.validate("level")
    def _check_level(self, proposal: t.Bunch) -> int:
        level = proposal["value"]
        if not 0 <= level < len(LEVELS):
            raise InvalidValue(f"level must be 0-{len(LEVELS) - 1}, got {level}")
        return level

    @t.validate("step")
    def _check_step(self, proposal: t.Bunch) -> int:
        step = proposal["value"]
        if not 0 <= step <= self.total_steps:
            raise InvalidValue(
                f"step must be 0-{self.total_steps} at level {self.level}, got {step}"
            )
        return step

    @t.validate("speed")
    def _check_speed(self, proposal: t.Bunch) -> float:
        speed = proposal["value"]
        if not 0 < speed <= MAX_SPEED:  # NaN fails too
            raise InvalidValue(
                f"speed is steps per second, 0 < speed <= {format_plain(MAX_SPEED)}; got {speed}"
            )
        return speed

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply a page update; a ``step`` sent with a new ``level`` is kept, not reset."""
        self._incoming = frozenset(sync_data)
        try:
            super().set_state(sync_data)
        finally:
            self._incoming = frozenset()

    @t.observe("level", "shapes")
    def _on_level(self, change: t.Bunch) -> None:
        if "step" not in self._incoming and self.step != 0:
            self.step = 0  # a new level or product starts from the beginning

    def static_html(self) -> str:
        """The product, level and step as a picture, for exported HTML."""
        return matmul_stepper_html(
            list(self.shapes), list(self.values), self.level, str(LEVELS[self.level]), self.step,
            self.total_steps,
        )  # fmt: skip

    def summary(self) -> str:
        """One line: shapes, level and progress."""
        (m, k), (_, n) = self.shapes
        return (
            f"MatmulStepper({format_shape((m, k))} @ {format_shape((k, n))} -> "
            f"{format_shape((m, n))}; level {self.level}: {LEVELS[self.level]}; "
            f"step {self.step}/{self.total_steps})"
        )
