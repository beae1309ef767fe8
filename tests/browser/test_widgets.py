"""The three widgets in a real JupyterLab, in headless Chromium: they render, respond to the
keyboard and mouse, and edits made in the page reach Python (``w.result`` changes).

Screenshots for the README land in ``artifacts/screenshots/`` (``scripts/screenshots`` copies
them to ``docs/images/``): shape_explorer.png, einsum_explorer.png
and matmul_stepper.png.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "matmul_magic" / "widgets" / "static"


@pytest.fixture(autouse=True)
def _bundles_built() -> None:
    if not (STATIC / "widgets.js").is_file():
        pytest.fail("widget bundle not built (static/widgets.js): cd labextension && npm run build")


def show_widget(lab, name: str, cells: list[str], kind: str, notebook7: bool = False):
    """Write and open a notebook, run its first cell, and return the widget's root locator."""
    lab.write_notebook(f"{name}.ipynb", cells)
    (lab.open_notebook7 if notebook7 else lab.open_notebook)(f"{name}.ipynb")
    lab.run_cell(0)
    root = lab.page.locator(f'[data-matmul-magic="{kind}"]')
    root.wait_for(state="visible")
    return root


def cell_output(lab, index: int) -> str:
    return lab.page.evaluate(
        """(index) => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cell = panel.content.widgets[index];
            return cell.node.querySelector('.jp-OutputArea') ?.innerText ?? '';
        }""",
        index,
    )


def run_until(lab, index: int, pattern: str, attempts: int = 10) -> str:
    """Run cell ``index`` until its output matches ``pattern`` (a widget edit reaches the kernel
    as a comm message; the retry only covers its delivery, not a wrong value)."""
    text = ""
    for _ in range(attempts):
        lab.run_cell(index)
        text = cell_output(lab, index)
        if re.search(pattern, text):
            return text
        time.sleep(0.3)
    raise AssertionError(f"cell {index} printed {text!r}, expected /{pattern}/")


def widget_errors(page, uncaught: bool = True) -> list[str]:
    """Console errors that name anywidget or matmul-magic, and (``uncaught``) any page error.

    Notebook 7 itself throws a few uncaught errors of its own (a file-browser command it lacks),
    so its test looks only at the named ones.
    """
    named = ("anywidget", "matmul")
    return [
        e
        for e in page.console_errors
        if (uncaught and e.startswith("pageerror")) or any(n in e.lower() for n in named)
    ]


def test_shape_explorer_renders_and_edits_reach_python(lab):
    root = show_widget(
        lab,
        "shape_explorer",
        [
            "import torch\n%load_ext matmul_magic\n"
            "a = torch.arange(3.)[:, None]\nb = torch.tensor([10., 20., 30., 40.])\n"
            "w = %shapes a, b\nw",
            "print('RESULT', w.result, repr(w.error))",
        ],
        "shape-explorer",
    )
    page = lab.page
    assert root.locator("table.mm-shapes tfoot").inner_text().count("4") >= 1
    assert "(3, 4)" in root.locator(".mm-reason").inner_text()
    assert root.locator(".mm-value-view td.mm-ghost").count() == 9 + 8
    assert "RESULT [3, 4] ''" in run_until(lab, 1, r"RESULT \[3, 4\]")

    # Edit b's shape with the keyboard: the page recomputes at once, Python follows.
    shape_b = root.get_by_label("shape of b", exact=True)
    shape_b.fill("2,1,4")
    assert "(2, 3, 4)" in root.locator(".mm-reason").inner_text()
    run_until(lab, 1, r"RESULT \[2, 3, 4\] ''")

    # A clash: the sentence shows in the widget, and Python has the same error.
    shape_b.fill("2,4")
    alert = root.locator('[role="alert"]')
    assert "clash" in alert.inner_text()
    run_until(
        lab, 1, r"RESULT None 'Dimension -1 clashes: a has|RESULT None 'Dimension -2 clashes: a has"
    )

    # Keyboard: Tab from the first shape input reaches the next control.
    root.get_by_label("shape of a", exact=True).focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "remove operand a"

    # Back to a broadcastable pair for the picture, with the stride view open.
    shape_b.fill("4")
    root.locator(".mm-strides summary").click()
    root.locator(".mm-playground summary").click()
    assert "a[:, None].shape → (3, 1, 1)" in root.locator(".mm-playground").inner_text()
    assert "(1, 0)" in root.locator(".mm-strides").inner_text()
    run_until(lab, 1, r"RESULT \[3, 4\] ''")
    lab.screenshot("shape_explorer", root)
    assert widget_errors(page) == []


def test_einsum_explorer_renders_and_edits_reach_python(lab):
    root = show_widget(
        lab,
        "einsum_explorer",
        [
            "import torch\nfrom matmul_magic import EinsumExplorer\n"
            "m1, m2 = torch.ones(5, 784), torch.ones(784, 10)\n"
            "e = EinsumExplorer('ik,kj->ij', m1, m2)\ne",
            "print('RESULT', e.result, e.summed)",
        ],
        "einsum-explorer",
    )
    assert root.locator(".mm-axis.mm-summed").all_inner_texts() == ["k=784", "k=784"]
    assert "(5, 10)" in root.locator("tfoot").inner_text()

    spec = root.get_by_label("einsum spec", exact=True)
    spec.fill("bik,bkj->bij")
    assert root.locator('[role="alert"]').count() == 1
    # The operands are named as the learner wrote them.
    root.get_by_label("shape of m1", exact=True).fill("2, 5, 784")
    root.get_by_label("shape of m2", exact=True).fill("2, 784, 10")
    assert "(2, 5, 10)" in root.locator("tfoot").inner_text()
    assert "for k in range(784)" in root.locator("pre").inner_text()
    run_until(lab, 1, r"RESULT \[2, 5, 10\] \['k'\]")
    lab.screenshot("einsum_explorer", root)
    assert widget_errors(lab.page) == []


def test_matmul_stepper_steps_plays_and_reaches_python(lab):
    root = show_widget(
        lab,
        "matmul_stepper",
        [
            "import torch\nfrom matmul_magic import MatmulStepper\n"
            "m = MatmulStepper(torch.arange(1., 7.).reshape(2, 3), torch.tensor("
            "[[1., 0., 2.], [0., 1., 1.], [1., 1., 0.]]))\nm",
            "print('STATE', m.level, m.step)",
        ],
        "matmul-stepper",
    )
    page = lab.page
    forward = root.get_by_label("step forward", exact=True)
    for _ in range(4):
        forward.click()
    assert "c[0,1] += a[0,0] * b[0,1]" in root.locator("p[aria-live]").inner_text()
    run_until(lab, 1, r"STATE 0 4")

    # Keyboard: choose the row · column level, then play until the end.
    root.get_by_label("level", exact=True).select_option(index=1)
    run_until(lab, 1, r"STATE 1 0")
    root.get_by_label("speed, steps per second", exact=True).fill("100")
    root.get_by_label("play", exact=True).press("Enter")
    page.wait_for_function(
        """() => document.querySelector('[data-matmul-magic="matmul-stepper"] p[aria-live]')
                .textContent.startsWith('step 6 of 6')""",
        timeout=20_000,
    )
    cells = root.locator('table[aria-label^="c "] td').all_inner_texts()
    assert cells == ["4", "5", "4", "10", "11", "13"]  # a @ b
    run_until(lab, 1, r"STATE 1 6")

    root.get_by_label("level", exact=True).select_option(index=2)
    forward.click()
    root.locator("details summary").click()  # the step counts of all four levels
    assert "6" in root.locator("details").inner_text()
    lab.screenshot("matmul_stepper", root)
    assert widget_errors(page) == []


def luminance(css_color: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_widgets_follow_jupyterlab_dark_theme(lab):
    root = show_widget(
        lab,
        "theme",
        ["from matmul_magic import ShapeExplorer\nShapeExplorer((5, 1), (1, 4))"],
        "shape-explorer",
    )
    colours = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    light_bg, light_fg = root.evaluate(colours)
    assert luminance(light_bg) > 0.7 > 0.3 > luminance(light_fg)
    lab.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        lab.page.wait_for_function(
            "() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000
        )
        dark_bg, dark_fg = root.evaluate(colours)
        assert luminance(dark_bg) < 0.3 < 0.7 < luminance(dark_fg)
    finally:
        lab.command("apputils:change-theme", {"theme": "JupyterLab Light"})
        lab.page.wait_for_function(
            "() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000
        )


def test_shape_explorer_in_notebook7(lab):
    root = show_widget(
        lab,
        "notebook7",
        [
            "from matmul_magic import ShapeExplorer\nw = ShapeExplorer((5, 1), (1, 4))\nw",
            "print('RESULT', w.result)",
        ],
        "shape-explorer",
        notebook7=True,
    )
    root.get_by_label("shape of a", exact=True).fill("3, 5, 1")
    assert "(3, 5, 4)" in root.locator(".mm-reason").inner_text()
    run_until(lab, 1, r"RESULT \[3, 5, 4\]")
    assert widget_errors(lab.page, uncaught=False) == []
