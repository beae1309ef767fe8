"""How a bench payload (``BenchResult.to_dict()``) is shown outside the lab renderer.

To change how a time (or any number, unit, word or colour) prints, edit ``presentation.json``
(the rules, shared with the labextension) or ``views/format.py`` (``format_time`` and friends).

- ``format``: one number or word; ``table``: the table's cells; ``summary``: the sentences
  around it; ``text``, ``html`` and ``svg``: the views; ``progress``: live progress;
  ``sweep_text``: the terminal's sweep table and chart.

Every view takes the payload dict, the same JSON the labextension gets, and none imports the
payload classes; no IPython here either: the magic and the CLI choose where output goes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from matmul_magic.lazy_exports import lazy_exports

from ..contract import MIME_TYPE

# Each view is imported on first use: ``views.format`` alone (the notebook runner's and the
# pytest plugin's help texts, the test API's messages) must not load the HTML and SVG views.
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "StreamProgress": "progress",
        "progress_mimebundle": "progress",
        "to_html": "html",
        "to_text": "text",
        "to_text_with_sweep": "sweep_text",
    },
)

__all__ = [
    "StreamProgress",
    "mimebundle",
    "progress_mimebundle",
    "to_html",
    "to_text",
    "to_text_with_sweep",
]


def mimebundle(
    payload: Mapping[str, Any], include: Any = None, exclude: Any = None
) -> dict[str, Any]:
    """``{MIME_TYPE: payload, "text/html": ..., "text/plain": ...}`` filtered like IPython asks."""
    from .html import to_html
    from .sweep_text import to_text_with_sweep

    makers: dict[str, Callable[[Mapping[str, Any]], Any]] = {
        MIME_TYPE: dict,
        "text/html": to_html,
        "text/plain": to_text_with_sweep,  # the CLI's text: with a sweep, its table and chart
    }
    wanted = [m for m in makers if (not include or m in include) and not (exclude and m in exclude)]
    return {mime: makers[mime](payload) for mime in wanted}
