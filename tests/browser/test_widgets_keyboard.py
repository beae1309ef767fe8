"""The widgets driven by real key presses inside a notebook, in JupyterLab and Notebook 7.

A notebook in command mode takes arrow keys, letters and Enter for its own shortcuts (move the
active cell, insert a cell, enter edit mode); a key that a widget's control handles must stop at
the control. ``page.keyboard.press`` sends what a learner's keyboard sends (``.fill()`` or
``select_option()`` would not go through the notebook's shortcuts at all). Each press must
change the widget's state (in the page and in Python), keep focus on the control, and leave the
notebook's active cell and its cells alone.
"""

from __future__ import annotations

import pytest

from .test_widgets import run_until, widget_errors

pytestmark = pytest.mark.browser

CELLS = [
    "import torch\nfrom matmul_magic import MatmulStepper, ShapeExplorer, EinsumExplorer\n"
    "m = MatmulStepper(torch.arange(1., 7.).reshape(2, 3), torch.ones(3, 2))\n"
    "w = ShapeExplorer((5, 1), (1, 4))\n"
    "e = EinsumExplorer('ik,kj->ij', (5, 784), (784, 10))\n"
    "display(m, w, e)",
    "print('STATE', m.level, m.step, m.speed, w.shapes, e.spec)",
]

# Where the notebook's focus and cells are: a stolen key changes one of these.
NOTEBOOK = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const nb = panel.content;
  return [nb.activeCellIndex, nb.widgets.length, nb.mode];
}"""

FOCUSED = "() => document.activeElement && document.activeElement.getAttribute('aria-label')"


def _open(lab, name: str, notebook7: bool):
    lab.write_notebook(name, CELLS)
    (lab.open_notebook7 if notebook7 else lab.open_notebook)(name)
    lab.run_cell(0)
    for kind in ("matmul-stepper", "shape-explorer", "einsum-explorer"):
        lab.page.locator(f'[data-matmul-magic="{kind}"]').wait_for(state="visible")
    lab.page.evaluate(
        "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
        " nb.activeCellIndex = 0; nb.mode = 'command'; }"
    )


def _press(lab, label: str, keys: list[str], root: str) -> str:
    """Focus the control named ``label`` in widget ``root``, press ``keys``; returns its value
    after, having checked that focus stayed and the notebook did not move."""
    page = lab.page
    control = page.locator(f'[data-matmul-magic="{root}"]').get_by_label(label, exact=True)
    control.focus()
    before = page.evaluate(NOTEBOOK)
    for key in keys:
        page.keyboard.press(key)
        assert page.evaluate(FOCUSED) == label, f"{key} on {label!r} moved focus away"
    assert page.evaluate(NOTEBOOK) == before, f"{keys} on {label!r} reached the notebook"
    return control.evaluate("el => el.value")


def _drive_every_slider_and_dropdown(lab) -> None:
    page = lab.page
    stepper = page.locator('[data-matmul-magic="matmul-stepper"]')
    status = stepper.locator("p[aria-live]")

    # The step slider: arrows, End, Home, PageUp.
    assert _press(lab, "step", ["ArrowRight", "ArrowRight", "ArrowUp"], "matmul-stepper") == "3"
    assert status.inner_text().startswith("step 3 of 12")
    assert _press(lab, "step", ["End"], "matmul-stepper") == "12"
    assert _press(lab, "step", ["Home", "ArrowRight"], "matmul-stepper") == "1"
    run_until(lab, 1, r"STATE 0 1 ")

    # The speed slider: its value is 0-100, what it says is steps per second.
    speed = stepper.get_by_label("speed, steps per second", exact=True)
    assert speed.get_attribute("aria-valuetext") == "2 steps per second"
    assert _press(lab, "speed, steps per second", ["ArrowRight"] * 5, "matmul-stepper") == "28"
    assert speed.get_attribute("aria-valuetext") != "2 steps per second"
    run_until(lab, 1, r"STATE 0 1 2\.7 ")

    # The level dropdown: ArrowDown picks the next level (and resets the step).
    _press(lab, "level", ["ArrowDown"], "matmul-stepper")
    assert stepper.get_by_label("level", exact=True).evaluate("el => el.selectedIndex") == 1
    run_until(lab, 1, r"STATE 1 0 ")

    # The Shape Explorer's operand dropdown in its indexing playground.
    explorer = page.locator('[data-matmul-magic="shape-explorer"]')
    explorer.locator(".mm-playground summary").focus()
    page.keyboard.press("Enter")  # opens the playground from the keyboard
    assert explorer.locator(".mm-playground").evaluate("d => d.open")
    _press(lab, "operand to index", ["ArrowDown"], "shape-explorer")
    assert "b[:, None].shape → (1, 1, 4)" in explorer.locator(".mm-playground").inner_text()

    # Letters in a text box type; none of them is a notebook shortcut (a, b, d, m, y...).
    box = explorer.get_by_label("shape of a", exact=True)
    box.focus()
    box.evaluate("el => el.select()")
    before = page.evaluate(NOTEBOOK)
    page.keyboard.type("3,5,1")
    assert page.evaluate(NOTEBOOK) == before
    assert "(3, 5, 4)" in explorer.locator(".mm-reason").inner_text()
    run_until(lab, 1, r"\[\[3, 5, 1\], \[1, 4\]\]")

    # Adding and removing an operand by keyboard keeps focus on a control in the widget.
    explorer.get_by_label("add an operand", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "shape of c"
    explorer.get_by_label("remove operand c", exact=True).focus()
    page.keyboard.press("Space")
    assert page.evaluate(FOCUSED) == "remove operand b"
    einsum = page.locator('[data-matmul-magic="einsum-explorer"]')
    einsum.get_by_label("remove operand b", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "add an operand"
    assert page.evaluate("() => document.activeElement !== document.body")


def _small_targets(lab) -> list[str]:
    """Controls under the widgets' roots smaller than 24 x 24 px."""
    return lab.page.evaluate(
        """() => [...document.querySelectorAll(
                '[data-matmul-magic] :is(input, select, button, summary)')]
            .filter(el => el.getClientRects().length)
            .map(el => [el.getAttribute('aria-label') || el.textContent.trim(),
                        el.getBoundingClientRect()])
            .filter(([, r]) => r.height < 24 || r.width < 24)
            .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


@pytest.mark.parametrize("notebook7", [False, True], ids=["lab", "notebook7"])
def test_real_key_presses_drive_every_slider_and_dropdown(lab, notebook7):
    _open(lab, f"keys_{'nb7' if notebook7 else 'lab'}.ipynb", notebook7)
    _drive_every_slider_and_dropdown(lab)
    assert _small_targets(lab) == []
    assert widget_errors(lab.page, uncaught=not notebook7) == []
