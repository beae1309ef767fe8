"""Example notebooks exported to HTML keep every widget's picture, offline.

Each widget puts a static ``text/html`` picture of its state in an output of its own, just
before its live view. nbconvert shows that output whether or not the notebook holds widget state
(``nbconvert --execute`` stores it, JupyterLab does not by default; with it, the live view's
output needs the widget manager's scripts from a CDN and is blank offline). This test exports
each executed example both ways and finds each widget's picture and table text in the page;
``tests/browser/test_export_offline.py`` opens the default export offline in Chromium.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from _run_examples import EXAMPLES, executed
from nbconvert import HTMLExporter

pytestmark = pytest.mark.notebook

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _as_saved_by_lab(notebook):
    """JupyterLab saves no widget state unless asked to: drop what nbclient recorded."""
    saved = notebook.copy()
    saved.metadata = {k: v for k, v in notebook.metadata.items() if k != "widgets"}
    return saved


def _exported(notebook) -> str:
    exporter = HTMLExporter()
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _kinds(notebook) -> list[str]:
    """Per widget output, its picture's kind (``shape-explorer-static``...), from the picture
    output just before it."""
    kinds = []
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        for before, output in zip([None, *outputs], outputs, strict=False):
            if WIDGET_MIME in output.get("data", {}):
                picture = before["data"]["text/html"] if before else ""
                assert "mm-picture" in picture, "a widget output without its picture before it"
                kinds.append(picture.split('data-matmul-magic="', 1)[1].split('"', 1)[0])
    return kinds


@pytest.mark.parametrize("state", ["stored", "dropped"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_widget_output_is_a_picture_in_exported_html(path: Path, state: str):
    notebook = executed(path)
    kinds = _kinds(notebook)
    if kinds:
        assert "widgets" in notebook.metadata  # nbclient stored the state, as --execute does
    page = _exported(notebook if state == "stored" else _as_saved_by_lab(notebook))
    # One picture per widget output (nbconvert re-serialises the HTML, so count the markers).
    for kind in set(kinds):
        assert kind.endswith("-static")
        count = page.count(f'data-matmul-magic="{kind}"')
        assert count == kinds.count(kind), f"{path.name}: {count} of {kinds.count(kind)} {kind}"
    # The pictures hold the table text a learner reads in the live widget.
    if path.name == "02_broadcasting.ipynb":
        assert kinds == ["shape-explorer-static"] * 4  # three calls and one %shapes
        for text in ("Broadcasts to (3, 3)", "c[:, None]", ">m<", "dim -1", "(256, 256, 3)"):
            assert html.escape(text, quote=True) in page or text in page, text
    if path.name == "01_matmul_from_foundations.ipynb":
        for kind in ("shape-explorer", "einsum-explorer", "matmul-stepper"):
            assert f'data-matmul-magic="{kind}-static"' in page, kind
        for text in ("m1[0].unsqueeze(-1)", "Summed over k", "k=784", "step 0 of 24"):
            assert html.escape(text, quote=True) in page, text
    if kinds and state == "dropped":
        assert WIDGET_MIME not in page  # no live-widget script that needs a CDN
