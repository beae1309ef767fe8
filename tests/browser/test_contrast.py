"""Text meets WCAG AA (4.5:1) in JupyterLab's light and dark themes: the bench renderer (rows
hovered or not), the Shape Explorer and the shape-error hint's highlighted chips."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

THEMES = ("JupyterLab Light", "JupyterLab Dark")

# Every element under `root` holding text of its own: its text colour against the background
# behind it (each ancestor's background composited, opacity folded in). Returns the pairs below
# 4.5:1. Ghosted broadcast copies (deliberately faint) and disabled buttons are left out.
LOW_CONTRAST = """
([root, minimum]) => {
  const parse = (c) => {
    // color-mix() computes to color(srgb r g b / a), channels 0-1.
    const srgb = c.match(/color\\(srgb ([^)]+)\\)/);
    if (srgb) {
      const p = srgb[1].split(/[ \\/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const opacity = (el) => {
    let o = 1;
    for (let n = el; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
    return o;
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bad = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('.mm-ghost, button:disabled, [hidden], svg defs')) continue;
    const style = getComputedStyle(el);
    const shown = style.visibility !== 'hidden' && el.getClientRects().length > 0;
    if (!shown) continue;
    const isSvg = el instanceof SVGElement;
    const ink = parse(isSvg ? style.fill : style.color);
    const bg = background(isSvg ? el.closest('svg').parentElement : el);
    const fg = over([ink[0], ink[1], ink[2], ink[3] * opacity(el)], bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < minimum) bad.push(`${el.textContent.trim().slice(0, 30)} ${ratio.toFixed(2)}:1`);
  }
  return bad;
}
"""


def _low(locator, minimum: float = 4.5) -> list[str]:
    return locator.evaluate(f"root => ({LOW_CONTRAST})([root, {minimum}])")


def _set_theme(lab, theme: str) -> None:
    lab.command("apputils:change-theme", {"theme": theme})
    lab.page.wait_for_function(
        "t => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )


@pytest.fixture
def themed(lab):
    """Switch the theme for one test; JupyterLab keeps it in the user's settings, so the
    light theme the other browser tests expect is put back afterwards, pass or fail."""
    yield lambda theme: _set_theme(lab, theme)
    _set_theme(lab, THEMES[0])


@pytest.mark.parametrize("theme", THEMES)
def test_bench_renderer_and_shape_panel_read_well(lab, labextension_installed, themed, theme):
    lab.copy_fixture("bench_outputs.ipynb")
    lab.goto_lab("bench_outputs.ipynb")
    themed(theme)
    renderers = lab.page.locator('[data-matmul-magic="bench-renderer"][data-state="ok"]')
    renderers.first.wait_for()
    for index in (0, 1):
        renderer = renderers.nth(index)
        renderer.scroll_into_view_if_needed()
        assert _low(renderer) == [], (theme, index)
        # A hovered row keeps its contrast (the row turns a shade darker or lighter).
        row = renderer.locator("tbody tr").nth(1)
        row.hover()
        assert _low(row) == [], (theme, index, "hovered row")
    lab.command("matmul-magic:open-shape-explorer")
    panel = lab.page.locator('[data-matmul-magic="shape-panel"]')
    panel.wait_for()
    lab.page.get_by_label("shape of b", exact=True).fill("3, 784, 7")  # a clash: error text
    low = _low(panel)
    assert low == [], f"{theme}, shape panel: {low}"


@pytest.mark.parametrize("theme", THEMES)
def test_shape_hint_chips_read_well(lab, themed, theme):
    lab.write_notebook(
        "hint_contrast.ipynb",
        [
            "%load_ext matmul_magic\nimport torch\n"
            "m1, m2 = torch.ones(5, 784), torch.ones(784, 10)",
            "m1 @ m2.T",
        ],
    )
    lab.open_notebook("hint_contrast.ipynb")
    themed(theme)
    lab.run_cell(0)
    lab.run_cell(1)
    hint = lab.page.locator('[data-matmul-magic="shape-hint"]')
    hint.wait_for(state="visible")
    assert hint.locator("mark, [data-clash]").count() > 0
    assert _low(hint) == [], theme


@pytest.mark.parametrize("theme", THEMES)
def test_widgets_read_well_einsum_chips_included(lab, themed, theme):
    """Every text of the three widgets, the einsum chips (summed ``k=784`` in orange, a bad
    axis in red) and the stepper's hot cells and current code line among them."""
    lab.write_notebook(
        "widget_contrast.ipynb",
        [
            "import torch\nfrom matmul_magic import EinsumExplorer, MatmulStepper, ShapeExplorer\n"
            "display(EinsumExplorer('ik,kj->ij', torch.ones(5, 784), torch.ones(784, 10)),\n"
            "        EinsumExplorer('ik,kj->ij', (5, 784), (10, 784)),\n"
            "        MatmulStepper(torch.arange(6.).reshape(2, 3), torch.ones(3, 2), step=2),\n"
            "        ShapeExplorer((5, 1), (3, 4)))",
        ],
    )
    lab.open_notebook("widget_contrast.ipynb")
    themed(theme)
    lab.run_cell(0)
    page = lab.page
    for kind in ("einsum-explorer", "matmul-stepper", "shape-explorer"):
        page.locator(f'[data-matmul-magic="{kind}"]').first.wait_for(state="visible")
    assert page.locator(".mm-axis.mm-summed").count() == 2
    assert page.locator(".mm-axis.mm-axis-bad").count() > 0
    assert page.locator("pre .mm-current").count() == 1
    for root in page.locator(
        '[data-matmul-magic$="-explorer"], [data-matmul-magic="matmul-stepper"]'
    ).all():
        root.scroll_into_view_if_needed()
        assert _low(root) == [], f"{theme}: {root.get_attribute('data-matmul-magic')}"
