"""Register and unregister a ``Magics`` class: unloading removes exactly what loading added."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics


def registered(ipython: Any, magics_class: type[Magics]) -> Magics | None:
    """The instance of ``magics_class`` registered on ``ipython``, if there is one."""
    instance = ipython.magics_manager.registry.get(magics_class.__name__)
    return instance if isinstance(instance, magics_class) else None


def register(ipython: Any, magics_class: type[Magics]) -> Magics:
    """Register ``magics_class`` on ``ipython``, once; return its registered instance.

    A second call keeps the first instance: ``Magics.__init__`` adds every new instance to
    ``ipython.configurables``, so registering again would leave one more there each time.
    """
    if registered(ipython, magics_class) is None:
        ipython.register_magics(magics_class)
    return registered(ipython, magics_class)


def unregister(ipython: Any, magics_class: type[Magics]) -> None:
    """Remove every line/cell magic that ``magics_class`` defines, its registry entry, and
    its instances from ``ipython.configurables`` (where ``Magics.__init__`` put them)."""
    manager = ipython.magics_manager
    for kind, names in magics_class.magics.items():
        table = manager.magics.get(kind, {})
        for name in names:
            bound = table.get(name)
            owner = getattr(bound, "__self__", None)
            if bound is not None and (owner is None or isinstance(owner, magics_class)):
                del table[name]
    manager.registry.pop(magics_class.__name__, None)
    configurables = getattr(ipython, "configurables", None)
    if configurables is not None:
        configurables[:] = [c for c in configurables if not _same_class(type(c), magics_class)]


def _same_class(cls: type, magics_class: type[Magics]) -> bool:
    # By name too: an instance of the class before its module was reloaded counts.
    return issubclass(cls, magics_class) or (
        cls.__module__ == magics_class.__module__ and cls.__qualname__ == magics_class.__qualname__
    )
