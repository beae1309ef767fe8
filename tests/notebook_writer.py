"""Notebooks written for the ``matmul-magic test`` tests, and their reports looked up by id."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def write_notebook(path: Path, *cells, metadata: dict | None = None) -> Path:
    """Cells are sources (code) or ``(source, tags)`` or ``("md", text)``."""
    built = []
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "md":
            built.append(new_markdown_cell(cell[1]))
        elif isinstance(cell, tuple):
            built.append(new_code_cell(cell[0], metadata={"tags": list(cell[1])}))
        else:
            built.append(new_code_cell(cell))
    nb = new_notebook(cells=built, metadata=metadata or {})
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nbformat.write(nb, path)
    return path
