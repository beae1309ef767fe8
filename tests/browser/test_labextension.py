"""The JupyterLab extension in a real JupyterLab and headless Chromium: the bench renderer on
saved and live ``%%matmul_bench`` outputs, and the kernel-less Shape Explorer panel."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RENDERER = '[data-matmul-magic="bench-renderer"]'


def _renderers(lab):
    lab.page.wait_for_selector(f"{RENDERER}[data-state]")
    return lab.page.locator(RENDERER)


def test_extension_is_installed_and_loads_without_errors(lab, labextension_installed):
    assert labextension_installed["name"] == "matmul-magic"
    lab.goto_lab()
    plugins = lab.page.evaluate("() => window.jupyterapp.hasPlugin('matmul-magic:shape-explorer')")
    assert plugins is True
    ours = [e for e in lab.page.console_errors if "matmul" in e.lower()]
    assert ours == []


def test_saved_bench_outputs_render_without_a_kernel(lab, labextension_installed):
    lab.copy_fixture("bench_outputs.ipynb")
    lab.goto_lab("bench_outputs.ipynb")
    renderers = _renderers(lab)
    renderers.nth(5).wait_for()
    assert renderers.count() == 6
    ok = lab.page.locator(f'{RENDERER}[data-state="ok"]')
    errors = lab.page.locator(f'{RENDERER}[data-state="error"]')
    assert ok.count() == 4
    assert errors.count() == 2

    course = ok.nth(0)
    names = course.locator("tbody tr td.mm-bench-name > span:first-child").all_text_contents()
    assert names == ["loops", "elementwise", "broadcast", "einsum", "torch"]
    # One bar per row, the extrapolated loops row marked in the table and on its bar.
    assert course.locator(".mm-bench-bar").count() == 5
    assert "extrapolated" in course.locator("tbody tr").nth(0).text_content()
    assert course.locator(".mm-bench-bar-row.mm-extrapolated").count() == 1

    faults = ok.nth(1)
    statuses = faults.locator("tbody tr").evaluate_all("rows => rows.map(r => r.className)")
    assert any("mm-status-incorrect" in s for s in statuses)
    assert any("mm-status-failed" in s for s in statuses)
    assert any("mm-status-skipped" in s for s in statuses)

    sweep = ok.nth(2)
    counts = sweep.locator(".mm-bench-sweep .mm-bench-dots").evaluate_all(
        "paths => paths.map(p => Number(p.getAttribute('data-count')))"
    )
    assert sum(counts) == 500
    sweep.locator("svg.mm-bench-sweep").scroll_into_view_if_needed()
    box = sweep.locator("svg.mm-bench-sweep").bounding_box()
    lab.page.mouse.move(box["x"] + 0.62 * box["width"], box["y"] + 0.3 * box["height"])
    assert "size^3.00" in sweep.locator(".mm-bench-legend").text_content()

    assert "INTERRUPTED" in ok.nth(3).text_content()
    assert "version 4 is not supported" in errors.nth(0).text_content()  # the current + 1
    assert "$.rows[0].median" in errors.nth(1).text_content()
    lab.page.mouse.move(0, 0)  # no tooltip left over from the hover above in the images
    lab.screenshot("bench-sweep", sweep.locator(".mm-bench-charts"))
    lab.page.set_viewport_size({"width": 1600, "height": 1000})  # the README's first image:
    lab.screenshot("bench-renderer", course)  # the whole table


PANEL = '[data-matmul-magic="shape-panel"]'


def _result(panel) -> str:
    return panel.locator(".mm-result-row td").nth(1).text_content()


def test_shape_explorer_panel_from_the_palette_needs_no_kernel_and_survives_reload(
    lab, jupyter_lab, labextension_installed
):
    page = lab.page
    lab.goto_lab()
    kernels_before = len(jupyter_lab.get_json("api/kernels"))

    lab.open_palette_command("Open Shape Explorer")
    panel = page.locator(PANEL)
    panel.wait_for()
    # The lesson's broadcast step: (784, 1) against (784, 10).
    assert _result(panel) == "(784, 10)"

    page.get_by_label("shape of b", exact=True).fill("3, 784, 10")
    page.wait_for_function(
        "sel => document.querySelector(sel + ' .mm-result-row td:nth-child(2)')"
        ".textContent === '(3, 784, 10)'",
        arg=PANEL,
    )
    a = page.get_by_label("shape of a[i].unsqueeze(-1)", exact=True)
    a.fill("5, 1")
    error = panel.locator(".mm-error")
    error.wait_for()
    assert "784" in error.text_content() and "5" in error.text_content()
    assert _result(panel) == "no result"
    a.fill("784, 1")
    page.wait_for_function(
        "sel => document.querySelector(sel + ' .mm-result-row td:nth-child(2)')"
        ".textContent === '(3, 784, 10)'",
        arg=PANEL,
    )
    assert len(jupyter_lab.get_json("api/kernels")) == kernels_before
    lab.screenshot("shape-panel", panel)

    # The layout restorer reopens the panel with the shapes typed before the reload.
    page.wait_for_timeout(1500)  # the state database saves with a debounce
    lab.goto_lab(reset=False)  # a reload, without the ?reset that opened the first page
    panel = page.locator(PANEL)
    panel.wait_for()
    assert _result(panel) == "(3, 784, 10)"
    assert page.get_by_label("shape of b", exact=True).input_value() == "3, 784, 10"


def test_a_palette_opened_once_lab_is_open_is_not_closed_by_the_launcher(lab):
    # The cause of the palette test's flakes: JupyterLab opened its Launcher (and focused it)
    # after app.restored, which closed the palette the test was typing into.
    lab.goto_lab()
    lab.command("apputils:activate-command-palette")
    palette = lab.page.locator("#modal-command-palette")
    palette.wait_for(state="visible")
    lab.page.wait_for_timeout(2500)  # the Launcher came about a second after app.restored
    assert palette.is_visible()
    assert lab.page.evaluate("() => document.activeElement.classList.contains("
                             "'lm-CommandPalette-input')")  # fmt: skip
    assert lab.page.locator(".jp-Launcher").count() == 1


def test_shape_explorer_has_a_launcher_card(lab, labextension_installed):
    lab.goto_lab()  # an empty layout: JupyterLab opens its Launcher (a second one would race it)
    card = lab.page.locator(".jp-LauncherCard", has_text="Open Shape Explorer")
    card.wait_for()
    card.click()
    lab.page.locator(PANEL).wait_for()


def test_live_matmul_bench_and_a_widget_in_a_notebook(lab, labextension_installed):
    lab.write_notebook(
        "live_bench.ipynb",
        [
            "%load_ext matmul_magic",
            "%%matmul_bench --budget 0.5\ndef my_matmul(a, b):\n    return a @ b",
            "from matmul_magic import ShapeExplorer\nShapeExplorer((5, 1), (1, 4))",
        ],
    )
    lab.open_notebook("live_bench.ipynb")
    lab.run_all()
    page = lab.page
    renderer = page.locator(f'{RENDERER}[data-state="ok"]')
    renderer.wait_for(state="attached")
    assert renderer.count() == 1
    names = renderer.locator("tbody tr td.mm-bench-name > span:first-child").all_text_contents()
    assert names[:5] == ["loops", "elementwise", "broadcast", "einsum", "torch"]
    assert "my_matmul" in names
    row = renderer.locator("tbody tr", has_text="my_matmul")
    assert "mm-status-ok" in row.get_attribute("class")
    assert renderer.locator(".mm-bench-bar").count() >= 6

    widget = page.locator('[data-matmul-magic="shape-explorer"]')
    widget.wait_for(state="attached")
    assert "(5, 4)" in widget.locator(".mm-result-row").text_content()
    assert [e for e in page.console_errors if "matmul" in e.lower()] == []
    page.set_viewport_size({"width": 1600, "height": 1000})  # room for the whole table
    lab.screenshot("bench-live", renderer, max_height=900)


def _luminance(css_color: str) -> float:
    r, g, b = (int(v) for v in css_color[css_color.index("(") + 1 :].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_bench_renderer_follows_light_and_dark_themes(lab, labextension_installed):
    page = lab.page
    lab.copy_fixture("bench_outputs.ipynb")
    lab.goto_lab("bench_outputs.ipynb")
    course = page.locator(f'{RENDERER}[data-state="ok"]').first
    course.wait_for(state="attached")

    def text_color() -> float:
        return _luminance(course.evaluate("node => getComputedStyle(node).color"))

    assert text_color() < 0.5
    try:
        lab.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
        page.wait_for_selector('body[data-jp-theme-light="false"]', state="attached")
        page.wait_for_function(
            "node => parseInt(getComputedStyle(node).color.split('(')[1]) > 128",
            arg=course.element_handle(),
        )
        assert text_color() > 0.5
        page.set_viewport_size({"width": 1600, "height": 1000})  # room for the whole table
        lab.screenshot("bench-renderer-dark", course)
    finally:
        # Theme choice is a user setting, shared by every test of the session.
        lab.command("apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_selector('body[data-jp-theme-light="true"]', state="attached")
