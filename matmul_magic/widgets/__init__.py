"""Notebook widgets that draw the lesson's pictures on the user's own tensors.

``ShapeExplorer`` (broadcasting), ``EinsumExplorer`` (einsum specs) and ``MatmulStepper``
(the four levels of the matmul loop). Each is an anywidget class whose front end lives in
``static/widgets.js`` (one ES module for all three, built from
``labextension/src/widgets/index.ts``).

Attributes are imported on first use, so ``import matmul_magic.widgets`` never imports anywidget.
"""

from __future__ import annotations

from matmul_magic.lazy_exports import lazy_exports

_WHERE = {
    "ShapeExplorer": "shape_explorer",
    "EinsumExplorer": "einsum_explorer",
    "MatmulStepper": "matmul_stepper",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
