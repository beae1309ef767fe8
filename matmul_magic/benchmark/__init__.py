"""The benchmark engine behind ``bench(...)``: the lesson's progression, checked then timed.

``runner`` races the variants within a budget, ``timing`` measures one of them, ``result`` is
the JSON contract (``schema.json``) and ``display`` draws it. Names are imported on first use,
so ``import matmul_magic.benchmark`` stays cheap (no torch).

The package is called ``benchmark`` rather than ``bench`` so that importing one of its modules
never rebinds ``matmul_magic.bench``, which is the function.
"""

from __future__ import annotations

from matmul_magic._lazy import lazy_exports

_WHERE = {
    "bench": "runner",
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
