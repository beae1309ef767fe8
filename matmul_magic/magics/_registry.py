"""Register and unregister a ``Magics`` class: unloading removes exactly what loading added."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics


def register(ipython: Any, magics_class: type[Magics]) -> None:
    """Register ``magics_class`` on ``ipython``; registering twice is harmless."""
    ipython.register_magics(magics_class)


def unregister(ipython: Any, magics_class: type[Magics]) -> None:
    """Remove every line/cell magic that ``magics_class`` defines, and its registry entry."""
    manager = ipython.magics_manager
    for kind, names in magics_class.magics.items():
        table = manager.magics.get(kind, {})
        for name in names:
            bound = table.get(name)
            owner = getattr(bound, "__self__", None)
            if bound is not None and (owner is None or isinstance(owner, magics_class)):
                del table[name]
    manager.registry.pop(magics_class.__name__, None)
