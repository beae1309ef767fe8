"""matmul-magic: fast.ai's "matrix multiplication from foundations" as notebook tools.

``%load_ext matmul_magic`` registers the magics. Everything a magic does is also a
plain function here: ``test_near(...)``, ``bench(...)``, ``ShapeExplorer(...)``.

Attributes are imported on first use (PEP 562), so importing the package or loading
the extension never imports torch or anywidget.
"""

from __future__ import annotations

from typing import Any

from matmul_magic._lazy import lazy_exports

__version__ = "0.1.0"

# Public name -> submodule that defines it. One line per module; each module owns its line.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "testing": (
        "test",
        "test_eq",
        "test_ne",
        "test_eq_type",
        "is_close",
        "test_close",
        "test_is",
        "test_shuffled",
        "test_stdout",
        "test_warns",
        "test_fail",
        "expect_fail",
        "test_fig_exists",
        "TEST_IMAGE",
        "TEST_IMAGE_BW",
        "ExceptionExpected",
        "exception",
        "equals",
        "all_equal",
        "nequals",
        "near",
        "test_near",
        "collect_tests",
    ),
    "widgets": ("ShapeExplorer", "EinsumExplorer", "MatmulStepper"),
    "shapes": ("broadcast_shapes", "explain_broadcast", "parse_einsum"),
    "hints.trace": ("explain_code",),
    "hints.rules": ("hint_for_exception",),
    "race": ("bench",),
    "bench_result": ("BenchResult",),
    "progression": (
        "matmul_loops",
        "matmul_elementwise",
        "matmul_broadcast",
        "matmul_einsum",
        "matmul_torch",
        "batch_matmul",
    ),
    "data": ("load_mnist",),
}

_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)


def load_ipython_extension(ipython: Any) -> None:
    """Register every magic of matmul-magic (``%load_ext matmul_magic``)."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove everything ``%load_ext matmul_magic`` added (``%unload_ext matmul_magic``)."""
    from .magics import unload

    unload(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension lives (``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "matmul-magic"}]
