"""The default export keeps every widget's picture, opened offline.

``jupyter nbconvert --execute --to html examples/02_broadcasting.ipynb`` stores the widgets'
state, so nbconvert draws each widget's output as a live view that needs the widget manager's
scripts from a CDN: offline that output is blank. Each widget therefore shows its picture in an
output of its own just before (``SummaryRepr``); this test exports the example with the plain
command, opens the page from ``file://`` with the network off, and finds every picture drawn.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .lab import SCREENSHOTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "02_broadcasting.ipynb"

# Each picture: shown (a box with a size), its table's text, and whether the live-widget
# scripts the page asked for ever loaded.
PICTURES = """() => [...document.querySelectorAll('[data-matmul-magic$="-static"]')].map(el => {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return { kind: el.dataset.matmulMagic, width: r.width, height: r.height,
           shown: style.display !== 'none' && style.visibility !== 'hidden',
           text: el.innerText };
})"""


def _export(tmp_path: Path) -> Path:
    """The export, made by the command a learner types (no options), into ``tmp_path``."""
    jupyter = [sys.executable, "-m", "jupyter"]
    subprocess.run(
        [*jupyter, "nbconvert", "--execute", "--to", "html", str(EXAMPLE),
         "--output-dir", str(tmp_path)],
        check=True, capture_output=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    return tmp_path / "02_broadcasting.html"


def test_default_export_shows_every_widget_picture_offline(chromium, tmp_path):
    page_file = _export(tmp_path)
    text = page_file.read_text(encoding="utf-8")
    # The default command stored the widgets' state: the live views are in the page too.
    assert "application/vnd.jupyter.widget-state+json" in text
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []

    def block(route):
        requested.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file://"), block)  # the network is off
    try:
        page = context.new_page()
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_timeout(500)  # any script that could replace a picture has had its turn
        pictures = page.evaluate(PICTURES)
        # The README's picture of the export: the first widget's output row, as the page shows it.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        row = page.locator(".jp-OutputArea-child", has=page.locator(".mm-picture")).first
        row.screenshot(path=str(SCREENSHOTS / "exported-notebook.png"))
    finally:
        context.close()
    assert requested, "the export should ask for the widget manager (and get nothing offline)"
    assert [p["kind"] for p in pictures] == ["shape-explorer-static"] * 4
    for picture in pictures:
        assert picture["shown"] and picture["width"] > 100 and picture["height"] > 50, picture
        assert "dim -1" in picture["text"] and "result" in picture["text"], picture
    assert any("Broadcasts to (3, 3)" in p["text"] for p in pictures)
