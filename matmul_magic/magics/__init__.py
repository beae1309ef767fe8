"""The magics, one module per family (``matmul_magic.magics.<family>``), and loading them all.

A family module exposes ``load(ipython)`` and ``unload(ipython)``. Loading must stay cheap:
family modules import only IPython at import time and defer torch, widgets and the
engine to the first call of a magic.
"""

from __future__ import annotations

import importlib
from typing import Any

# Order matters only for unloading, which runs in reverse.
FAMILIES: tuple[str, ...] = ("testing", "shapes", "explain", "matmul_bench")


def load(ipython: Any) -> None:
    for name in FAMILIES:
        importlib.import_module(f"matmul_magic.magics.{name}").load(ipython)


def unload(ipython: Any) -> None:
    for name in reversed(FAMILIES):
        importlib.import_module(f"matmul_magic.magics.{name}").unload(ipython)
