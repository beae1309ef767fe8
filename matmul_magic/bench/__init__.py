"""``bench(...)``: the lesson's progression as a correctness-gated benchmark.

Names are imported on first use so ``import matmul_magic.bench`` stays cheap (no torch).
The package is itself callable, ``matmul_magic.bench(...)`` is ``bench.runner.bench(...)``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'matmul_magic.bench' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


class _CallableModule(types.ModuleType):
    # Importing any ``matmul_magic.bench.*`` module binds this package to the attribute
    # ``matmul_magic.bench``, shadowing the lazily exported function of the same name; a
    # callable package keeps ``matmul_magic.bench(...)`` working whichever came first.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.bench(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
