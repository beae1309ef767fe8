"""matmul-magic: fast.ai's "matrix multiplication from foundations" as notebook tools.

``%load_ext matmul_magic`` registers the magics. Everything a magic does is also a
plain function here: ``test_near(...)``, ``bench(...)``, ``ShapeExplorer(...)``.

Attributes are imported on first use (PEP 562), so importing the package or loading
the extension never imports torch or anywidget.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from matmul_magic.lazy_exports import lazy_exports

# Public name -> submodule that defines it. One line per module; each module owns its line.
# The testing package lists its names once, in its own ``__all__``.
_EXPORTS: dict[str, tuple[str, ...]] = {
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
_LISTED = {name: module for module, names in _EXPORTS.items() for name in names}


class _Where(Mapping[str, str]):
    """``_LISTED``, and the testing package's ``__all__``, read only when a lookup needs it: a
    name not listed above that could be public, or the whole list (``dir``, ``import *``). So
    ``import matmul_magic``, ``matmul_magic.bench`` and a probe such as ``_repr_html_`` or
    ``_jupyter_server_extension_points`` never import the testing package."""

    @functools.cached_property
    def _all(self) -> dict[str, str]:
        testing = importlib.import_module("matmul_magic.testing")
        return {**dict.fromkeys(testing.__all__, "testing"), **_LISTED}

    def __getitem__(self, name: str) -> str:
        if name in _LISTED or name.startswith("_"):
            return _LISTED[name]
        return self._all[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


_WHERE = _Where()
_lazy_getattr, __dir__ = lazy_exports(__name__, _WHERE)


def __getattr__(name: str) -> Any:
    if name == "__all__":  # read by ``from matmul_magic import *``
        return sorted(_WHERE)
    if name == "__version__":
        return _version()
    return _lazy_getattr(name)


def _version() -> str:
    """The one version, from the labextension's ``package.json``: the copy the build ships
    inside the package, else the source checkout's (installed metadata went stale after a
    version bump until a reinstall, and raised in a checkout that was never installed)."""
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for found in (
        here / "labextension" / "package.json",
        here.parent / "labextension" / "package.json",
    ):
        if found.is_file():
            return str(json.loads(found.read_text(encoding="utf-8"))["version"])
    raise AttributeError(
        "matmul_magic has no __version__: its labextension/package.json is missing"
    )


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
