"""Notebook 7 loads the same prebuilt extension: the plugin activates, saved bench outputs
render, and a live ``%matmul_bench`` draws the renderer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RENDERER = '[data-matmul-magic="bench-renderer"]'


def test_notebook7_tree_loads_the_extension(lab, labextension_installed):
    lab.page.goto(f"{lab.server.url}/tree")
    lab.wait_for_app()
    assert lab.page.evaluate("() => window.jupyterapp.name").startswith("Jupyter Notebook")
    assert lab.page.evaluate("() => window.jupyterapp.hasPlugin('matmul-magic:shape-explorer')")
    assert lab.page.evaluate(
        "() => window.jupyterapp.commands.hasCommand('matmul-magic:open-shape-explorer')"
    )
    assert [e for e in lab.page.console_errors if "matmul" in e.lower()] == []


def test_notebook7_renders_saved_and_live_bench_outputs(lab, labextension_installed):
    lab.copy_fixture("bench_outputs.ipynb")
    lab.page.goto(f"{lab.server.url}/notebooks/bench_outputs.ipynb")
    lab.wait_for_app()
    page = lab.page
    page.wait_for_selector(f'{RENDERER}[data-state="ok"]', state="attached")
    course = page.locator(f'{RENDERER}[data-state="ok"]').first
    names = course.locator("tbody tr td.mm-bench-name > span:first-child").all_text_contents()
    assert names == ["loops", "elementwise", "broadcast", "einsum", "torch"]

    lab.write_notebook(
        "nb7_live.ipynb", ["%load_ext matmul_magic\n%matmul_bench --budget 0.3 --only einsum,torch"]
    )
    lab.open_notebook7("nb7_live.ipynb")
    lab.run_all()
    live = page.locator(f'{RENDERER}[data-state="ok"]')
    live.wait_for(state="attached")
    names = live.locator("tbody tr td.mm-bench-name > span:first-child").all_text_contents()
    assert "torch" in names and "einsum" in names
    lab.screenshot("notebook7-bench", live)


def test_notebook7_opens_the_shape_explorer_in_its_side_panel(lab, labextension_installed):
    lab.write_notebook("nb7_panel.ipynb", ["1 + 1"])
    lab.open_notebook7("nb7_panel.ipynb")
    lab.command("matmul-magic:open-shape-explorer")
    panel = lab.page.locator('[data-matmul-magic="shape-panel"]')
    panel.wait_for()
    lab.page.get_by_label("shape of b", exact=True).fill("2, 784, 10")
    lab.page.wait_for_function(
        '() => document.querySelector(\'[data-matmul-magic="shape-panel"] .mm-result-row '
        "td:nth-child(2)').textContent === '(2, 784, 10)'"
    )
    # The ~311 px side panel shows every dimension column without scrolling.
    lab.page.get_by_label("shape of b", exact=True).fill("7, 2, 784, 10")
    fits = panel.evaluate(
        """root => {
          const table = root.querySelector('table.mm-shapes');
          const box = table.getBoundingClientRect(), host = root.getBoundingClientRect();
          const fits = root.scrollWidth <= root.clientWidth;
          return [Math.round(box.right), Math.round(host.right), fits];
        }"""
    )
    assert fits[0] <= fits[1] and fits[2], f"table ends at {fits[0]} px, panel at {fits[1]} px"
