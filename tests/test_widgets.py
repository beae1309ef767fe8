"""The widgets package: lazy imports, public names, the shared front-end bundle, trait checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from matmul_magic.widgets import EinsumExplorer, MatmulStepper, ShapeExplorer
from matmul_magic.widgets._common import bundle


def test_importing_widgets_package_does_not_import_anywidget():
    code = (
        "import sys, matmul_magic, matmul_magic.widgets; "
        "print('anywidget' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_public_names_come_from_the_package():
    import matmul_magic

    assert matmul_magic.ShapeExplorer is ShapeExplorer
    assert matmul_magic.EinsumExplorer is EinsumExplorer
    assert matmul_magic.MatmulStepper is MatmulStepper


# --------------------------------------------------------------------------- front-end bundles


def test_esm_is_the_built_bundle_path_or_a_clear_instruction(tmp_path):
    built = bundle()
    if not isinstance(built, str):
        assert built.name == "widgets.js" and built.parent.name == "static"
    missing = bundle(tmp_path / "widgets.js")
    assert isinstance(missing, str) and "npm run build" in missing


def test_the_three_widgets_share_one_bundle_and_name_their_view():
    widgets = [
        ShapeExplorer((2, 3)),
        EinsumExplorer("ij->ji", (2, 3)),
        MatmulStepper((2, 3), (3, 4)),
    ]
    assert len({w._esm for w in widgets}) == 1
    kinds = ["shape-explorer", "einsum-explorer", "matmul-stepper"]
    assert [w._view_kind for w in widgets] == kinds
    assert all("_view_kind" in w.keys for w in widgets)  # synced, so the front end can read it


def test_built_bundle_is_an_offline_es_module():
    static = Path(__file__).parents[1] / "matmul_magic" / "widgets" / "static"
    if not (static / "widgets.js").is_file():
        pytest.skip("front end not built (cd labextension && npm run build)")
    assert sorted(p.name for p in static.glob("*.js")) == ["widgets.js"]
    text = (static / "widgets.js").read_text(encoding="utf-8")
    assert "export" in text and "default" in text
    # The SVG namespace is a name, never fetched; any other URL would be a network request.
    urls = text.replace('"http://www.w3.org/2000/svg"', "")
    assert "http://" not in urls and "https://" not in urls
    assert "innerHTML" not in text
    for kind in ("shape-explorer", "einsum-explorer", "matmul-stepper"):
        assert f'"{kind}"' in text or f"'{kind}'" in text


def test_indexing_playground_cases_agree_with_torch():
    cases_file = (
        Path(__file__).parents[1] / "labextension/src/widgets/shape_explorer/index_text_cases.json"
    )
    cases = json.loads(cases_file.read_text())["cases"]
    assert len(cases) >= 20
    for case in cases:
        t = torch.zeros(case["shape"])
        try:
            got = list(eval("t" + case["expr"], {"t": t}).shape)  # noqa: S307 - our own cases
        except (IndexError, RuntimeError, ValueError):
            got = None
        assert got == case["result"], case


def test_every_validated_widget_trait_raises_a_trait_error():
    import traitlets

    w = ShapeExplorer((5, 1), (1, 4))
    stepper = MatmulStepper((2, 3), (3, 4))
    einsum = EinsumExplorer("ik,kj->ij", (2, 3), (3, 4))
    bad = [
        (w, "shapes", [[5, -1]]),
        (w, "shapes", "5,1"),
        (einsum, "shapes", [[2, 3.5]]),
        (stepper, "level", 9),
        (stepper, "step", 999),
        (stepper, "speed", -1.0),
        (stepper, "speed", float("nan")),
        (stepper, "shapes", [[2]]),
    ]
    for widget, name, value in bad:
        before = getattr(widget, name)
        with pytest.raises(traitlets.TraitError):
            setattr(widget, name, value)
        assert getattr(widget, name) == before or before != before
