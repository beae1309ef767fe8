"""What the three widgets share: their base class (the bundle, refused edits, the static
picture) and turning tensors or shapes into plain data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from matmul_magic.shapes import explain_broadcast
from matmul_magic.widgets.constants import MAX_VALUE_SIDE

Shape = tuple[int, ...]
Values = Any  # a number, a string ("nan", "inf", complex) or a nested list of them


#: The one ES module behind all three widgets, built from ``labextension/src/widgets/index.ts``;
#: each widget class names its view in the synced ``_view_kind`` trait.
BUNDLE = Path(__file__).parent / "static" / "widgets.js"


def bundle(path: Path = BUNDLE) -> Path | str:
    """The built front end (``static/widgets.js``), for a widget class's ``_esm``.

    Before ``npm run build`` has run there is no bundle; the widget then shows a one-line
    instruction instead of failing at import time.
    """
    if path.is_file():
        return path
    message = (
        "matmul-magic: the widget front end is not built; "
        "run `npm run build` in labextension/ or reinstall matmul-magic."
    )
    return "export default { render({ el }) { el.textContent = " + json.dumps(message) + "; } };"


def is_tensor_like(value: object) -> bool:
    """Tensors and arrays (anything with a ``shape`` that is not itself a sequence of sizes)."""
    return hasattr(value, "shape") and not isinstance(value, (tuple, list))


class InvalidValue(t.TraitError, ValueError):
    """A bad value for a widget: a ``TraitError``, so traitlets rolls a batch of changes back
    (a ``ValueError`` would leave them half applied), and a ``ValueError`` for the API's callers."""


class InvalidType(t.TraitError, TypeError):
    """A value of the wrong kind for a widget: ``TraitError`` and ``TypeError`` alike."""


def checked_shapes(operands: tuple[Any, ...] | list[Any]) -> list[list[int]]:
    """Each operand's shape (tensor, array, shape or int), checked by ``matmul_magic.shapes``.

    :class:`InvalidType` (a ``TypeError``) for something that is not a shape;
    :class:`InvalidValue` (a ``ValueError``) for bad or absurd sizes, too many dimensions,
    more than 8 operands, or none. Both are ``TraitError``s.
    """
    if not isinstance(operands, (tuple, list)):
        raise InvalidType(f"expected a list of shapes, got {type(operands).__name__}")
    if not operands:
        raise InvalidValue("Give at least 1 operand.")
    try:
        return [list(shape) for shape in explain_broadcast(*operands).shapes]
    except TypeError as err:
        raise InvalidType(str(err)) from None
    except ValueError as err:
        raise InvalidValue(str(err)) from None


def element_strides(value: object, shape: Shape) -> list[int] | None:
    """``t.stride()`` of a tensor (numpy's byte strides divided by the item size); else None."""
    if not is_tensor_like(value):
        return None
    stride = getattr(value, "stride", None)
    try:
        if callable(stride):
            strides = [int(s) for s in stride()]
        else:
            itemsize = int(value.itemsize)  # type: ignore[attr-defined]
            strides = [int(s) // itemsize for s in value.strides]  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError, RuntimeError, ZeroDivisionError):
        return None
    return strides if len(strides) == len(shape) else None


def small_values(value: object, shape: Shape) -> Values | None:
    """A tensor's values when it has ≤ 2 dims of ≤ ``MAX_VALUE_SIDE``, as JSON-safe lists."""
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


class LessonWidget(anywidget.AnyWidget):
    """The three widgets' base: the one bundle (each names its view in ``_view_kind``), a bad
    update from the page refused as a whole, and besides anywidget's widget view a one-line
    ``text/plain`` (terminal IPython, logs) and a static ``text/html`` picture (exported HTML,
    GitHub, nbviewer: no widget manager).

    In a notebook the picture is its own output, just before the widget's: nbconvert shows a
    widget's view instead of any picture in the same output once the notebook holds widget
    state (``nbconvert --execute`` stores it; so does JupyterLab's "save widget state"), and that
    view needs the widget manager's scripts from a CDN, so offline it is blank. A separate
    ``text/html`` output is always shown. Where a widget manager draws the live view (JupyterLab,
    Notebook 7, an export opened online) the view hides the picture whose class names its
    ``_picture_id`` (labextension/src/widgets/common/picture.ts), so a learner sees one of them.
    """

    _esm = bundle()

    #: Names this widget's pictures (their class ``mm-picture-<id>``), so its views hide them.
    _picture_id = t.Unicode(read_only=True).tag(sync=True)

    @t.default("_picture_id")
    def _new_picture_id(self) -> str:
        import uuid

        return uuid.uuid4().hex

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Refuse a bad update from the page as a whole, and send the last good state back.

        ipywidgets applies a page's update here; a validator's ``TraitError`` makes traitlets
        roll every trait of it back, but the page still shows what it sent. So the refused
        traits are sent again, and :meth:`refused` may show why.
        """
        try:
            super().set_state(sync_data)
        except t.TraitError as err:
            self.send_state([key for key in sync_data if key in self.keys])
            self.refused(str(err))

    def refused(self, reason: str) -> None:
        """Called with the reason after a page's update was refused and rolled back."""

    def summary(self) -> str:
        raise NotImplementedError

    def static_html(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def picture(self) -> str:
        """:meth:`static_html` in a box its live views find and hide."""
        return f'<div class="mm-picture mm-picture-{self._picture_id}">{self.static_html()}</div>'

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """One bundle, for tools that read one: the widget view, the picture and the summary."""
        widget_bundle = super()._repr_mimebundle_(**kwargs)
        picture = {"text/html": self.picture(), "text/plain": self.summary()}
        if widget_bundle is None:
            return picture
        data, metadata = widget_bundle
        return {**data, **picture}, metadata

    def _ipython_display_(self) -> None:
        """Two outputs (see the class): the picture, then the widget with an empty ``text/html``
        (the picture above already stands for it) and the summary for terminals."""
        from IPython.display import publish_display_data

        widget_bundle = super()._repr_mimebundle_()
        publish_display_data({"text/html": self.picture()})
        data, metadata = widget_bundle if widget_bundle is not None else ({}, {})
        publish_display_data({**data, "text/html": "", "text/plain": self.summary()}, metadata)
