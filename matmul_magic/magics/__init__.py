"""One module per magic family; each exposes ``load(ipython)`` and ``unload(ipython)``."""
