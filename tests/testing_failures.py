"""What the tests of ``matmul_magic.testing`` share: the repository root and a failure's message.

Those tests import the test functions by name on purpose: they carry ``__test__ = False``, so
pytest must not collect them (it would fail on their ``a``/``b`` parameters if it did).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def failure(f) -> str:
    """The message of the AssertionError that ``f()`` raises."""
    with pytest.raises(AssertionError) as info:
        f()
    return str(info.value)
