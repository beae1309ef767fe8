"""Example notebooks exported to HTML keep every widget's picture, offline.

Each widget output carries a static ``text/html`` picture of its state beside the live widget.
A notebook saved by JupyterLab holds no widget state (the default), so nbconvert, nbviewer and
GitHub show that picture; this test exports each executed example that way, with no network,
and finds each widget's table text in the page.
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
    body, _ = exporter.from_notebook_node(_as_saved_by_lab(notebook))
    return body


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_widget_output_is_a_picture_in_exported_html(path: Path):
    notebook = executed(path)
    widgets = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_MIME in output.get("data", {})
    ]
    page = _exported(notebook)
    # One picture per widget output (nbconvert re-serialises the HTML, so count the markers).
    kinds = [
        output["data"]["text/html"].split('"', 2)[1]  # <div data-matmul-magic="…-static"
        for output in widgets
    ]
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
    if widgets:
        assert WIDGET_MIME not in page  # no live-widget script that needs a CDN
