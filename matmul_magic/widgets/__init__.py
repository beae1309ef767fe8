"""Notebook widgets that draw the lesson's pictures on the user's own tensors.

``ShapeExplorer`` (broadcasting), ``EinsumExplorer`` (einsum specs) and ``MatmulStepper``
(the four levels of the matmul loop). Each is an anywidget class whose front end lives in
``static/<name>.js``, built from ``labextension/src/widgets/<name>.ts``.

Attributes are imported on first use, so ``import matmul_magic.widgets`` never imports anywidget.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "ShapeExplorer": "shape_explorer",
    "EinsumExplorer": "einsum_explorer",
    "MatmulStepper": "matmul_stepper",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'matmul_magic.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
