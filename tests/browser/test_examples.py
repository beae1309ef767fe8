"""The lesson notebook, run top to bottom in real JupyterLab, as a newcomer following the README
would: every section shows what it promises (bench renderer, the three widgets, the hint).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LESSON = Path(__file__).resolve().parents[2] / "examples" / "01_matmul_from_foundations.ipynb"


def test_the_lesson_notebook_shows_every_section(lab):
    shutil.copy(LESSON, lab.server.root_dir / LESSON.name)
    lab.open_notebook(LESSON.name)
    lab.run_all(timeout_ms=300_000)

    page = lab.page
    # The only error is the one the lesson makes on purpose, and its hint sits under it.
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert "mat1 and mat2 shapes cannot be multiplied" in errors.all_inner_texts()[-1]
    assert page.locator('[data-matmul-magic="shape-hint"]').count() == 1

    bench = page.locator('[data-matmul-magic="bench-renderer"]')
    bench.wait_for(state="visible")
    table = bench.locator("table").inner_text()
    for name in ("loops", "elementwise", "broadcast", "einsum", "torch", "my_broadcast"):
        assert name in table

    for kind in ("shape-explorer", "matmul-stepper", "einsum-explorer"):
        page.locator(f'[data-matmul-magic="{kind}"]').first.wait_for(state="visible")

    # %%tests closes with its tally.
    outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
    assert any("4 passed, 0 failed" in text for text in outputs)
