"""The rest of fastcore.test's API: ``expect_fail``, ``test_fig_exists``, ``TEST_IMAGE`` and
``TEST_IMAGE_BW``. Standard library only (matplotlib is used only if the figure is one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .collect import recorded

TEST_IMAGE = "images/puppy.jpg"
"""fastcore's test image, as the same relative path (fastcore's ``nbs/images`` folder holds
it; matmul-magic ships no images)."""

TEST_IMAGE_BW = "images/mnist3.png"
"""fastcore's black-and-white test image, as the same relative path (see ``TEST_IMAGE``)."""


def exception_names(exc: type[BaseException] | tuple[type[BaseException], ...]) -> str:
    """``ValueError``, or ``ValueError or TypeError`` for a tuple (as ``except`` takes)."""
    if isinstance(exc, tuple):
        return " or ".join(getattr(e, "__name__", repr(e)) for e in exc) or "()"
    return getattr(exc, "__name__", repr(exc))


@contextmanager
def expect_fail(
    exc: type[BaseException] | tuple[type[BaseException], ...] = Exception,
    contains: str = "",
    msg: str = "",
    regex: str = "",
) -> Iterator[None]:
    """Context manager that fails with ``msg`` unless its block raises ``exc``, optionally
    with ``contains`` in its message or matching ``regex`` (fastcore's preferred form)::

        with expect_fail(ZeroDivisionError, regex="divi"):
            1 / 0
    """
    __tracebackhide__ = True  # noqa: F841
    try:
        yield
    except exc as e:
        if contains and contains not in str(e):
            raise AssertionError(f"Expected {contains!r} in the exception, got: {e}. {msg}") from e
        if regex and not re.search(regex, str(e)):
            raise AssertionError(
                f"Expected regex {regex!r} to match the exception, got: {e}. {msg}"
            ) from e
        return
    raise AssertionError(f"Expected {exception_names(exc)} but none raised. {msg}")


@recorded
def test_fig_exists(ax: Any) -> None:
    """Test that there is a figure drawn in the matplotlib axes ``ax``."""
    __tracebackhide__ = True  # noqa: F841
    figure = ax.figure
    canvas = figure.canvas
    if not hasattr(canvas, "tostring_argb"):  # a closed figure's canvas is detached
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(figure)
    canvas.draw()
    if not (ax and len(canvas.tostring_argb())):
        raise AssertionError("no figure drawn in the axes")
