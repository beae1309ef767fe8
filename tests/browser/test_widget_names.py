"""In JupyterLab and Notebook 7 a widget output shows the live widget, labelled with the
learner's own expressions, never its static picture (which is there for exports)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SETUP = "import torch\nfrom matmul_magic import ShapeExplorer, EinsumExplorer\n"


@pytest.mark.parametrize("notebook7", [False, True], ids=["lab", "notebook7"])
def test_live_widgets_use_the_learners_names_and_hide_the_picture(lab, notebook7):
    cells = [
        SETUP + "m, c = torch.ones(3, 3), torch.ones(4)\n"
        "m1, m2 = torch.ones(5, 784), torch.ones(10, 784)\n"
        "display(ShapeExplorer(m, c))\n"
        "display(EinsumExplorer('ik,kj->ij', m1, m2))"
    ]
    name = "names7" if notebook7 else "names"
    lab.write_notebook(f"{name}.ipynb", cells)
    (lab.open_notebook7 if notebook7 else lab.open_notebook)(f"{name}.ipynb")
    lab.run_cell(0)
    shape = lab.page.locator('[data-matmul-magic="shape-explorer"]')
    einsum = lab.page.locator('[data-matmul-magic="einsum-explorer"]')
    shape.wait_for(state="visible")
    einsum.wait_for(state="visible")
    # the static pictures are in the page (for exports) but the live widgets hide them
    assert lab.page.locator('[data-matmul-magic$="-static"]:visible').count() == 0
    rows = shape.locator("table.mm-shapes > tbody td.mm-name").all_text_contents()
    assert rows == ["m", "c"]
    assert "m has 3 and c has 4" in shape.locator('[role="alert"]').inner_text()
    assert einsum.locator("tbody td.mm-name").all_text_contents() == ["m1", "m2"]
    alert = einsum.locator('[role="alert"]').inner_text()
    assert "in m1" in alert and "in m2" in alert and "operand 0" not in alert
    assert einsum.locator(".mm-axis-bad").count() >= 1
    assert einsum.locator("details").is_hidden()
