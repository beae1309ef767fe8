"""What the shape-hint tests share: a cell run to its error and hinted, and the lesson's names.

The ``ns`` fixture (the lesson's tensors by name) is in ``conftest.py``.
"""

from __future__ import annotations

import pytest

from matmul_magic.hints.render import ShapeHint
from matmul_magic.hints.rules import hint_for_exception


def hint_of(source: str, namespace: dict) -> ShapeHint | None:
    """Run ``source`` as a cell would, catch its error, and build the hint from it."""
    import linecache

    filename = f"<hint-test-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with pytest.raises(Exception) as info:
        exec(compile(source, filename, "exec"), namespace)
    return hint_for_exception(info.value)
