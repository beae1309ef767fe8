"""A saved notebook whose bench output puts markup into every user-text field (function names,
error texts, notes, device names) must show that markup as text and never run it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RENDERER = '[data-matmul-magic="bench-renderer"]'


def test_markup_in_a_saved_bench_output_never_runs(lab, labextension_installed):
    page = lab.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    # Each attack in the fixture sets window.__mmPwned if it ever runs; make any run loud too.
    page.add_init_script("window.__mmPwned = undefined;")

    lab.copy_fixture("bench_xss.ipynb")
    lab.goto_lab("bench_xss.ipynb")
    page.wait_for_selector(f'{RENDERER}[data-state="ok"]')
    renderers = page.locator(f'{RENDERER}[data-state="ok"]')
    renderers.nth(1).wait_for(state="attached")
    assert renderers.count() == 2

    # Exercise every code path that puts payload text in the DOM: tooltips, sorting, views.
    first = renderers.nth(0)
    first.scroll_into_view_if_needed()
    for bar in first.locator(".mm-bench-bar-row").all():
        bar.hover()
    for row in first.locator("tbody tr").all():
        row.focus()
    first.locator('button[data-column="name"]').click()
    first.locator('button[data-metric="gflops"]').click()
    first.locator('button[data-action="toggle-scale"]').click()
    sweep = renderers.nth(1)
    sweep.scroll_into_view_if_needed()
    # Hover each drawn sweep point's position (the points are one path per series).
    box = sweep.locator("svg.mm-bench-sweep").bounding_box()
    for fx in (0.15, 0.3, 0.45, 0.6):
        for fy in (0.2, 0.4, 0.6, 0.8):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    sweep.locator("tbody tr").nth(1).hover()
    page.wait_for_timeout(500)  # let any onerror/onload that slipped through fire

    assert page.evaluate("() => window.__mmPwned") is None
    assert dialogs == []
    assert not [url for url in fetched if url.rstrip("/").endswith("/x")]
    injected = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(root => ({
            elements: root.querySelectorAll('img, script, iframe, foreignObject, b').length,
            handlers: [...root.querySelectorAll('*')].filter(n => [...n.attributes]
                .some(a => a.name.startsWith('on'))).length,
            foreignSvg: [...root.querySelectorAll('svg')]
                .filter(s => !s.classList.contains('mm-bench-chart')).length,
        }))""",
        RENDERER,
    )
    assert injected == [{"elements": 0, "handlers": 0, "foreignSvg": 0}] * 2
    assert page.locator('img[src="x"]').count() == 0

    # The markup is there, as text.
    text = first.text_content()
    assert '<img src=x onerror="window.__mmPwned=1"> #0' in text
    assert 'RuntimeError: "><iframe src="javascript:' in text
    assert "ValueError: <script>window.__mmPwned=2</script>" in text
    tooltip = sweep.locator(".mm-bench-tooltip")
    assert '<svg onload="window.__mmPwned=3">' in tooltip.text_content()
    lab.screenshot("bench-renderer-xss", first)
