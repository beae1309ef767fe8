"""Each example notebook executed once per test session, for the tests that read its outputs.

Running a notebook costs seconds of CPU; the race check and the HTML export check both read
the same outputs, so they share one run per notebook.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.ipynb"))


@functools.cache
def executed(path: Path) -> nbformat.NotebookNode:
    """``path`` run top to bottom in a fresh kernel (this interpreter), outputs filled in.

    The notebook on disk is never written: tests leave tracked files alone.
    """
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            # Cells that fail on purpose carry `raises-exception`; any other error fails here.
            resources={"metadata": {"path": workdir}},
        )
        client.execute()
    return notebook
