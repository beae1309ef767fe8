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

from ..contract import MIME_TYPE
from .html import to_html
from .progress import StreamProgress, progress_mimebundle
from .sweep_text import to_text_with_sweep
from .text import to_text

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
    makers: dict[str, Callable[[Mapping[str, Any]], Any]] = {
        MIME_TYPE: dict,
        "text/html": to_html,
        "text/plain": to_text_with_sweep,  # the CLI's text: with a sweep, its table and chart
    }
    wanted = [m for m in makers if (not include or m in include) and not (exclude and m in exclude)]
    return {mime: makers[mime](payload) for mime in wanted}
