"""fastcore's own test notebook (``tests/fixtures/fastcore``) with its imports swapped for
matmul-magic's: a copy is written where a test wants it, the original is never touched."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fastcore"

# Each import of fastcore or nbdev, and what stands in for it: matmul-magic, and the
# standard-library and numpy names that fastcore.imports and fastcore.nb_imports gave.
SWAPS = {
    "from fastcore.imports import *": (
        "from matmul_magic import *\n"
        "import io, operator, random, re, sys, warnings\n"
        "from copy import copy\n"
        "from functools import partial\n"
        "from numpy import array, ndarray\n"
        "from typing import Generator, Iterable"
    ),
    "from nbdev.showdoc import *": "from pydoc import render_doc as show_doc",
    "from fastcore.nb_imports import *": (
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom PIL import Image"
    ),
}


def _defines_ours(source: str) -> bool:
    """An ``#|export`` cell that defines one of the names matmul-magic provides."""
    import matmul_magic

    if not source.startswith("#|export"):
        return False
    tree = ast.parse(source)
    names = {
        target.id
        for node in tree.body
        for target in getattr(node, "targets", [])
        if isinstance(target, ast.Name)
    } | {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return bool(names) and names <= set(matmul_magic.__all__)


def swapped_notebook(folder: Path, name: str = "00_test.ipynb", ours: bool = False) -> Path:
    """fastcore's ``nbs/00_test.ipynb`` in ``folder`` (with its images), imports swapped.

    ``ours``: the cells that define fastcore.test's API are left out too, so that every
    test in the notebook runs matmul-magic's version of the function it tests.
    """
    data = json.loads((FIXTURE / "00_test.ipynb").read_text(encoding="utf-8"))
    if ours:
        data["cells"] = [c for c in data["cells"] if not _defines_ours("".join(c["source"]))]
    done = dict.fromkeys(SWAPS, 0)
    for cell in data["cells"]:
        source = "".join(cell["source"])
        for old, new in SWAPS.items():
            if old in source:
                source = source.replace(old, new)
                done[old] += 1
        cell["source"] = source
    assert all(n == 1 for n in done.values()), done  # fastcore's notebook changed: look again
    shutil.copytree(FIXTURE / "images", folder / "images", dirs_exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
