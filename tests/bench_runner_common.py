"""What the ``bench(...)`` runner tests share: the quick course rows, a small shape, a kernel."""

from __future__ import annotations

FAST = ["einsum", "torch"]
SMALL = "3x16x4"


def my_matmul(a, b):
    return a @ b
