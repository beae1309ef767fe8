"""Every example notebook runs top to bottom on the CPU: the lesson replayed is our widest test.

A cell that shows an error on purpose carries the ``raises-exception`` tag; any other error fails.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.ipynb"))

pytestmark = pytest.mark.notebook


def test_examples_exist():
    assert [p.name for p in EXAMPLES] == [
        "01_matmul_from_foundations.ipynb",
        "02_broadcasting.ipynb",
        "03_race_your_kernel.ipynb",
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path: Path, tmp_path: Path):
    notebook = nbformat.read(path, as_version=4)
    # The kernel is this interpreter, so the notebook sees the package under test.
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on any untagged cell's error
    for cell in notebook.cells:
        if "raises-exception" in cell.metadata.get("tags", []):
            kinds = [o.get("output_type") for o in cell.get("outputs", [])]
            assert "error" in kinds, f"{path.name}: {cell.source[:60]!r} was meant to fail"
