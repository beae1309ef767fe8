"""The bench renderer fits and reads at any width, in a real JupyterLab and headless Chromium:
the table fits a 900 px output area without scrolling, no two axis labels collide from 600 to
1400 px, and the sweep chart follows the toggles."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RENDERER = '[data-matmul-magic="bench-renderer"][data-state="ok"]'

# Every pair of tick labels in one axis (same chart, same orientation) whose boxes overlap.
OVERLAPS = """
root => {
  const found = [];
  for (const chart of root.querySelectorAll('svg.mm-bench-chart')) {
    const ticks = [...chart.querySelectorAll('.mm-bench-tick')]
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < ticks.length; i++) {
      for (let j = i + 1; j < ticks.length; j++) {
        const [a, p] = ticks[i], [b, q] = ticks[j];
        const hit = p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
        if (hit) found.push(`${a} / ${b}`);
      }
    }
  }
  return found;
}
"""


def _open(lab):
    lab.copy_fixture("bench_outputs.ipynb")
    lab.goto_lab("bench_outputs.ipynb")
    lab.page.wait_for_selector(RENDERER)
    return lab.page.locator(RENDERER)


def test_table_fits_a_900px_output_area_without_scrolling(lab, labextension_installed):
    renderers = _open(lab)
    for index in (0, 1, 2):  # the course, the faults (long names, badges, notes), the sweep
        renderer = renderers.nth(index)
        renderer.scroll_into_view_if_needed()
        sizes = renderer.evaluate(
            """root => {
              root.parentElement.style.width = '900px';
              const wrap = root.querySelector('.mm-bench-table-wrap');
              return [wrap.scrollWidth, wrap.clientWidth, root.querySelector('table').offsetWidth];
            }"""
        )
        scroll, client, table = sizes
        assert client <= 900 and scroll <= client, f"renderer {index}: {table} px in {client} px"


@pytest.mark.parametrize("width", [600, 1000, 1400])
def test_axis_labels_never_overlap(lab, labextension_installed, width):
    lab.page.set_viewport_size({"width": width + 300, "height": 900})
    renderers = _open(lab)
    for index in (0, 1, 2):
        renderer = renderers.nth(index)
        renderer.evaluate(f"root => {{ root.parentElement.style.width = '{width}px'; }}")
        for metric in ("time", "speedup", "gflops"):
            for _ in range(2):  # log, then linear, then back to log
                renderer.locator(f'button[data-metric="{metric}"]').click()
                assert renderer.evaluate(OVERLAPS) == [], (index, metric, width)
                renderer.locator('button[data-action="toggle-scale"]').click()


def test_sweep_chart_follows_the_toggles_and_the_log_toggle_is_pressed(lab, labextension_installed):
    sweep = _open(lab).nth(2)
    toggle = sweep.locator('button[data-action="toggle-scale"]')
    assert (toggle.text_content(), toggle.get_attribute("aria-pressed")) == ("Log scale", "true")
    sweep.locator('button[data-metric="speedup"]').click()
    toggle.click()
    assert (toggle.text_content(), toggle.get_attribute("aria-pressed")) == ("Log scale", "false")
    chart = sweep.locator("svg.mm-bench-sweep")
    assert chart.get_attribute("data-metric") == "speedup"
    assert chart.get_attribute("data-scale") == "linear"
    assert "speedup over loops (linear scale)" in chart.text_content()
