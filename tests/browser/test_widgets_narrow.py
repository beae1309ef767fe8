"""Narrow hosts: Notebook 7's side panel and a 900 px JupyterLab. Nothing a learner reads as one
token (`dim -2`, a stride tuple, a piece of an operand's name) is broken across lines."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Per element matched by the selector: its text and how many lines each text node takes (one
# text node broken across lines has two client rects or more).
LINES = """(sel) => [...document.querySelectorAll(sel)].map(el => {
  const lines = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => {
    const range = document.createRange();
    range.selectNodeContents(n);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  });
  return [el.textContent, Math.max(0, ...lines)];
}).filter(([, n]) => n > 1)"""


def test_notebook7_side_panel_keeps_tokens_whole_and_has_a_title(lab, labextension_installed):
    lab.write_notebook("nb7_narrow.ipynb", ["1 + 1"])
    lab.open_notebook7("nb7_narrow.ipynb")
    lab.command("matmul-magic:open-shape-explorer")
    panel = lab.page.locator('[data-matmul-magic="shape-panel"]')
    panel.wait_for()
    assert panel.locator("h3").inner_text() == "Shape Explorer: broadcasting"
    lab.page.get_by_label("shape of b", exact=True).fill("7, 2, 784, 10")
    width = panel.evaluate("el => el.getBoundingClientRect().width")
    assert width < 340, f"the side panel is {width} px wide: not a narrow host"
    sel = '[data-matmul-magic="shape-panel"]'
    assert lab.page.evaluate(LINES, f"{sel} th") == []  # `dim -2` on one line
    # The default operand a[i].unsqueeze(-1) may wrap, but only between its tokens.
    assert lab.page.evaluate(LINES, f"{sel} td.mm-name") == []
    fits = panel.evaluate("root => root.scrollWidth <= root.clientWidth")
    assert fits


def test_stride_tuples_stay_whole_at_900_px(lab):
    lab.page.set_viewport_size({"width": 900, "height": 900})
    lab.write_notebook(
        "narrow_strides.ipynb",
        [
            "import torch\nfrom matmul_magic import ShapeExplorer\n"
            "ShapeExplorer(torch.ones(784, 1), torch.ones(784, 10), torch.ones(5, 784, 10),"
            " names=['a[i].unsqueeze(-1)', 'b', 'batch'])"
        ],
    )
    lab.open_notebook("narrow_strides.ipynb")
    lab.run_cell(0)
    root = lab.page.locator('[data-matmul-magic="shape-explorer"]')
    root.wait_for(state="visible")
    root.locator(".mm-strides summary").click()
    sel = '[data-matmul-magic="shape-explorer"] .mm-strides td'
    assert "(784, 1)" in root.locator(".mm-strides").inner_text()
    assert lab.page.evaluate(LINES, sel) == []
