"""``bench(...)``: the lesson's progression as a correctness-gated benchmark.

Names are imported on first use so ``import matmul_magic.bench`` stays cheap (no torch).
The package is itself callable, ``matmul_magic.bench(...)`` is ``bench.runner.bench(...)``.
"""

from __future__ import annotations

import sys
import types
from typing import Any

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


class _CallableModule(types.ModuleType):
    # Importing any ``matmul_magic.bench.*`` module binds this package to the attribute
    # ``matmul_magic.bench``, shadowing the lazily exported function of the same name; a
    # callable package keeps ``matmul_magic.bench(...)`` working whichever came first.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.bench(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
