"""What ``bench()`` returns and how it is shown.

``result`` is the payload (its JSON Schema is ``schema.json``, the one source of the contract);
``views/`` draws the payload as HTML/SVG and text, and ``presentation.json`` says how numbers
and words print (a time: ``views/format.py``'s ``format_time``). Names are imported on first
use, so this package never imports torch.
"""

from __future__ import annotations

from matmul_magic.lazy_exports import lazy_exports

_WHERE = {
    "BenchResult": "result",
    "BenchRow": "result",
    "BenchEnvironment": "result",
    "BenchProgress": "result",
    "SweepPoint": "result",
    "MIME_TYPE": "result",
    "SCHEMA_VERSION": "result",
    "fit_exponent": "result",
}

__all__ = sorted(_WHERE)

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
