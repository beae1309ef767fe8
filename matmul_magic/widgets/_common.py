"""What the three widgets share: turning tensors or shapes into plain data, and the bundle path."""

from __future__ import annotations

import math
import operator
from pathlib import Path
from typing import Any

#: At most this many operands in one explorer (the issue's limit; more is a ValueError).
MAX_OPERANDS = 8
#: Tensors with at most 2 dims of at most this size send their values to the front end.
MAX_VALUE_SIDE = 8
#: Shapes deeper than this are refused (torch allows more, but no lesson needs them).
MAX_NDIM = 16
#: A dimension larger than this is a typo, not a tensor (2**40 elements is 4 TB of float32).
MAX_SIZE = 2**40

Shape = tuple[int, ...]
Values = Any  # a number, a string ("nan", "inf", complex) or a nested list of them


def bundle(name: str) -> Path | str:
    """The built front end ``static/<name>.js``.

    Before ``npm run build`` has run there is no bundle; the widget then shows a one-line
    instruction instead of failing at import time.
    """
    path = Path(__file__).parent / "static" / f"{name}.js"
    if path.is_file():
        return path
    message = (
        f"matmul-magic: the {name} front end is not built; "
        "run `npm run build` in labextension/ or reinstall matmul-magic."
    )
    return "export default { render({ el }) { el.textContent = " + _js_string(message) + "; } };"


def _js_string(text: str) -> str:
    import json

    return json.dumps(text)


def format_shape(shape: Shape | list[int] | None) -> str:
    """``(5, 1)``, ``(4,)``, ``()``: shapes as Python prints a tuple."""
    if shape is None:
        return "None"
    return repr(tuple(shape))


def is_tensor_like(value: object) -> bool:
    """Tensors and arrays (anything with a ``shape`` that is not itself a sequence of sizes)."""
    return hasattr(value, "shape") and not isinstance(value, (tuple, list))


def shape_of(value: object, what: str = "operand") -> Shape:
    """The shape of a tensor/array, or a tuple/list/``torch.Size`` of sizes, checked."""
    if is_tensor_like(value):
        raw = value.shape  # type: ignore[attr-defined]
    elif isinstance(value, (tuple, list)):
        raw = value
    else:
        raise TypeError(
            f"{what} must be a tensor, an array or a shape such as (5, 1); "
            f"got {type(value).__name__}"
        )
    return check_shape(raw, what)


def check_shape(raw: Any, what: str = "shape") -> Shape:
    """Sizes as a tuple of ints; ``TypeError`` for non-integers, ``ValueError`` for bad sizes."""
    sizes = []
    for size in raw:
        if isinstance(size, bool):
            raise TypeError(f"{what}: sizes must be integers, got {size!r}")
        try:
            sizes.append(operator.index(size))
        except TypeError:
            raise TypeError(f"{what}: sizes must be integers, got {size!r}") from None
    if len(sizes) > MAX_NDIM:
        raise ValueError(f"{what}: at most {MAX_NDIM} dimensions, got {len(sizes)}")
    for size in sizes:
        if size < 0:
            raise ValueError(f"{what}: sizes must be 0 or more, got {size}")
        if size > MAX_SIZE:
            raise ValueError(f"{what}: size {size} is absurd (the limit is {MAX_SIZE:,})")
    return tuple(sizes)


def check_operand_count(count: int, least: int = 1) -> None:
    if count < least:
        raise ValueError(f"give at least {least} operand{'s' if least > 1 else ''}")
    if count > MAX_OPERANDS:
        raise ValueError(f"at most {MAX_OPERANDS} operands, got {count}")


def small_values(value: object, shape: Shape) -> Values | None:
    """The values of a tensor/array with ≤ 2 dims of ≤ 8 each, as JSON-safe nested lists."""
    if not is_tensor_like(value) or len(shape) > 2 or any(s > MAX_VALUE_SIDE for s in shape):
        return None
    tolist = getattr(value, "tolist", None)
    if tolist is None:
        return None
    try:
        return _json_safe(tolist())
    except (TypeError, ValueError, RuntimeError):
        return None


def _json_safe(value: Any) -> Values:
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, complex):
        return str(value)
    raise TypeError(f"cannot show a value of type {type(value).__name__}")


def values_shape(values: Values) -> Shape:
    """The shape of nested lists (``()`` for a scalar)."""
    shape = []
    while isinstance(values, list):
        shape.append(len(values))
        values = values[0] if values else None
    return tuple(shape)


class SummaryRepr:
    """Keeps anywidget's widget view and adds a one-line ``text/plain`` (terminal IPython, logs)."""

    def summary(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        widget_bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if widget_bundle is None:
            return {"text/plain": self.summary()}
        data, metadata = widget_bundle
        return {**data, "text/plain": self.summary()}, metadata
