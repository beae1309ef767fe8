"""The testing magics loaded, unloaded and reloaded, and run in a real notebook kernel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from magic_cells import LINE_MAGICS

# ---------------------------------------------------------------------------------------------
# Load, unload, reload
# ---------------------------------------------------------------------------------------------


def test_unload_removes_the_magics_and_reload_restores_them(ip):
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        for name in LINE_MAGICS:
            assert ip.find_line_magic(name) is None
        assert ip.find_cell_magic("tests") is None
        with pytest.raises(UsageError):
            ip.run_line_magic("test_eq", "1, 1")
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("reload_ext", "matmul_magic")
    ip.run_line_magic("test_eq", "1, 1")
    with pytest.raises(AssertionError):
        ip.run_line_magic("test_eq", "1, 2")


# ---------------------------------------------------------------------------------------------
# In a real notebook kernel
# ---------------------------------------------------------------------------------------------


@pytest.mark.notebook
def test_magics_in_a_notebook_kernel():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    root = Path(__file__).resolve().parents[1]
    cells = [
        "%load_ext matmul_magic\nimport sys\nprint('torch' in sys.modules)",
        "from matmul_magic import *\nimport torch\nt = torch.ones(3)",
        "%test_near t, t + 1e-6",
        "%%tests\ntest_eq(1, 1)\n%test_eq [1, 2], [2, 1]\ntest_near(t, t)",
        "%test_eq 1,",
        "%test_eq t, torch.zeros(2)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(root)}},  # the kernel imports this checkout
    )
    client.execute()
    outputs = [cell.outputs for cell in notebook.cells]

    def text(n: int) -> str:
        return "".join(o.get("text", "") for o in outputs[n] if o.output_type == "stream")

    def error(n: int) -> tuple[str, str] | None:
        errors = [(o.ename, o.evalue) for o in outputs[n] if o.output_type == "error"]
        return errors[0] if errors else None

    assert text(0).strip() == "False"  # %load_ext left torch alone
    assert error(1) is None and error(2) is None
    # %%tests shows its report as HTML (failing line in bold, a and b labelled) and text
    shown = [o["data"] for o in outputs[3] if o.output_type == "display_data"]
    assert len(shown) == 1 and text(3) == ""
    assert "<b>line 3: test_eq failed</b>\n==:\n  a: [1, 2]\n  b: [2, 1]\n" in shown[0]["text/html"]
    assert shown[0]["text/plain"].startswith("line 3: test_eq failed\n==:\n  a: [1, 2]\n")
    assert shown[0]["text/plain"].endswith("2 passed, 1 failed")
    assert error(3) == ("AssertionError", "2 passed, 1 failed (line 3)")
    tb = "\n".join(line for o in outputs[3] if o.output_type == "error" for line in o["traceback"])
    tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)
    assert "%test_eq [1, 2], [2, 1]" in tb.split("Cell In[")[-1]  # the last frame: line 3
    # IPython shows a UsageError as a short message on stderr, without a traceback.
    assert error(4) is None
    assert text(4).startswith("UsageError: %test_eq: missing a required argument: 'b'\n")
    assert "Usage: %test_eq a, b" in text(4) and "Traceback" not in text(4)
    assert error(5)[0] == "AssertionError" and "shapes: (3,) vs (2,)" in error(5)[1]


def test_reload_leaves_no_magics_instance_behind(ip):
    def ours():
        return [c for c in ip.configurables if type(c).__module__.startswith("matmul_magic")]

    def callbacks():
        return {event: len(found) for event, found in ip.events.callbacks.items()}

    loaded, events = len(ours()), callbacks()
    assert loaded == 4  # one instance per family
    for _ in range(3):
        ip.run_line_magic("reload_ext", "matmul_magic")
        assert len(ours()) == loaded
        assert callbacks() == events
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        assert ours() == []
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")
