"""A shape error in real JupyterLab keeps its traceback and shows the HTML hint under it.

Writes ``artifacts/screenshots/shape_hint.png`` (``scripts/screenshots`` puts it in the README).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_hint_renders_under_the_traceback(lab):
    lab.write_notebook(
        "hint.ipynb",
        [
            "%load_ext matmul_magic\n"
            "import torch\n"
            "m1, m2 = torch.ones(5, 784), torch.ones(784, 10)",
            "m1 @ m2.T",
        ],
    )
    lab.open_notebook("hint.ipynb")
    lab.run_cell(0)
    lab.run_cell(1)

    output = lab.page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea")
    hint = output.locator('[data-matmul-magic="shape-hint"]')
    hint.wait_for(state="visible")
    # The original error stays, and comes first.
    traceback = output.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    assert "mat1 and mat2 shapes cannot be multiplied" in traceback.inner_text()
    assert output.locator(".jp-OutputArea-child").count() == 2
    text = hint.inner_text()
    assert "did you mean m2 (784, 10) instead of m2.T?" in text
    assert "(10, 784)" in text
    lab.screenshot("shape_hint", output)
