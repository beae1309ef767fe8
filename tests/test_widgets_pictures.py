"""Widgets label operands with the learner's own expressions and carry a static picture."""

from __future__ import annotations

import torch

import matmul_magic as mm
from matmul_magic.widgets import EinsumExplorer, MatmulStepper, ShapeExplorer
from matmul_magic.widgets._names import labels, name_operands

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_shape_explorer_names_operands_after_the_expressions_written():
    m, c = torch.ones(3, 3), torch.ones(3)
    assert ShapeExplorer(m, c).names == ["m", "c"]
    assert mm.ShapeExplorer(m, c[:, None]).names == ["m", "c[:, None]"]


def test_literal_shapes_and_unpacked_arguments_fall_back_to_letters():
    m = torch.ones(3, 3)
    assert ShapeExplorer(m, (1, 3), [3]).names == ["m", "b", "c"]
    operands = [m, m]
    assert ShapeExplorer(*operands).names == ["a", "b"]


def test_names_argument_overrides_the_expressions():
    m, c = torch.ones(3, 3), torch.ones(3)
    assert ShapeExplorer(m, c, names=["rows"]).names == ["rows", "b"]
    assert EinsumExplorer("ij,j->i", m, c, names=["W", "x"]).names == ["W", "x"]


def test_a_long_expression_is_cut_and_kept_on_one_line():
    m = torch.ones(3, 3)
    w = ShapeExplorer(
        m.reshape(3, 3).transpose(0, 1).contiguous().reshape(3, 3).clone(),
        m,
    )
    assert len(w.names[0]) == 40 and w.names[0].endswith("…") and "\n" not in w.names[0]


def test_einsum_explorer_names_operands_and_its_errors_use_them():
    m1, m2 = torch.ones(5, 784), torch.ones(10, 784)
    w = EinsumExplorer("ik,kj->ij", m1, m2)
    assert w.names == ["m1", "m2"]
    assert "m1" in w.error and "m2" in w.error and "operand 0" not in w.error


def test_name_operands_replaces_indices_only():
    assert name_operands("Index j has size 784 in operand 0 but 10 in operand 1", ["x", "w"]) == (
        "Index j has size 784 in x but 10 in w"
    )
    assert name_operands("The spec names 2 operands", ["x", "w"]) == "The spec names 2 operands"
    assert name_operands("Operand 3 has 1 dimension", ["x"]) == "Operand 3 has 1 dimension"
    assert labels(None, 3, ["x", ""]) == ["x", "b", "c"]


def _bundle(widget):
    data, _ = widget._repr_mimebundle_()
    return data


def test_each_widget_output_carries_a_picture_beside_the_live_widget():
    m, c = torch.ones(3, 3), torch.ones(3)
    for widget in (ShapeExplorer(m, c), EinsumExplorer("ij,j->i", m, c), MatmulStepper(m, m)):
        data = _bundle(widget)
        assert WIDGET_MIME in data and "<script" not in data["text/html"]
        assert data["text/html"].startswith(
            f'<div class="mm-picture mm-picture-{widget._picture_id}">'
        )
        assert '<div data-matmul-magic="' in data["text/html"]


def test_in_a_notebook_the_picture_is_an_output_of_its_own_before_the_widget(monkeypatch):
    """nbconvert draws a widget's output as its live view once the notebook holds widget state
    (offline: blank), so the picture goes in its own output, which every exporter shows."""
    import IPython.display

    published = []
    monkeypatch.setattr(
        IPython.display, "publish_display_data", lambda data, metadata=None: published.append(data)
    )
    m = torch.ones(3, 3)
    for widget in (ShapeExplorer(m, m), EinsumExplorer("ij,jk", m, m), MatmulStepper(m, m)):
        published.clear()
        widget._ipython_display_()
        picture, live = published
        assert list(picture) == ["text/html"]
        assert picture["text/html"] == widget.picture()
        assert f'class="mm-picture mm-picture-{widget._picture_id}"' in picture["text/html"]
        # The live output: the view, the summary for terminals, no second picture.
        assert live[WIDGET_MIME]["model_id"] == widget.model_id
        assert (live["text/html"], live["text/plain"]) == ("", repr(widget))


def test_each_widget_names_its_pictures_for_its_views_to_hide():
    a, b = ShapeExplorer((2, 1), (3,)), ShapeExplorer((2, 1), (3,))
    assert len(a._picture_id) == 32 and int(a._picture_id, 16) >= 0
    assert a._picture_id != b._picture_id
    assert "_picture_id" in a.keys  # synced: the page reads it to find the picture


def test_the_picture_colours_each_rule_as_the_live_widget_does():
    """ "stretched" is the live widget's accent blue (its stylesheet's --mm-accent fallback), not
    another hue; a summed einsum index is the live chips' orange."""
    import re
    from pathlib import Path

    from matmul_magic.widgets import _static

    style = (Path(__file__).parents[1] / "labextension/src/widgets/common/style.ts").read_text()

    def rgb(css: str) -> tuple[int, ...]:
        hexa = css.lstrip("#")
        return tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))

    def fallback(var: str) -> tuple[int, ...]:
        return rgb(re.search(rf"--{var}, (#[0-9a-f]{{6}})\)", style)[1])

    def hue(rgba: str) -> tuple[int, ...]:
        return tuple(int(v) for v in re.findall(r"\d+", rgba)[:3])

    assert hue(_static._RULE_BG["stretched"]) == fallback("jp-brand-color1")
    assert hue(_static._RULE_BG["equal"]) == fallback("jp-success-color1")
    assert hue(_static._SUMMED_BG) == fallback("jp-warn-color1")
    page = _bundle(ShapeExplorer((5, 1), (4,)))["text/html"]
    assert _static._RULE_BG["stretched"] in page


def test_shape_picture_shows_the_table_and_follows_edits():
    m, c = torch.ones(3, 3), torch.ones(3)
    w = ShapeExplorer(m, c)
    page = _bundle(w)["text/html"]
    assert ">m<" in page and ">c<" in page and "Broadcasts to (3, 3)" in page and "dim -1" in page
    w.shapes = [[3, 3], [4]]
    page = _bundle(w)["text/html"]
    assert "Broadcasts to" not in page and "no result" in page and "clash" in page


def test_picture_escapes_user_text():
    w = ShapeExplorer((2, 1), (1, 3), names=["<img src=x onerror=alert(1)>", "b&b"])
    page = _bundle(w)["text/html"]
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page and "b&amp;b" in page
    e = EinsumExplorer("ij,jk->ik", (2, 3), (3, 4), names=["<b>x</b>", "y"])
    assert "<b>x</b>" not in _bundle(e)["text/html"]


def test_einsum_picture_shows_axes_summed_index_and_loops():
    page = _bundle(EinsumExplorer("ik,kj->ij", (5, 784), (784, 10)))["text/html"]
    assert "k=784" in page and "Summed over k" in page and "for i in range(5)" in page
    bad = _bundle(EinsumExplorer("ik,kj->ij", (5, 784), (10, 784)))["text/html"]
    assert "for i in range" not in bad and "no result" in bad


def test_stepper_picture_shows_level_step_and_values():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = MatmulStepper(a, a)
    w.step = 3
    page = _bundle(w)["text/html"]
    assert "step 3 of 8" in page and "level 0" in page and ">4.0<" in page


def test_a_clash_names_both_operands_and_their_sizes():
    m, c = torch.ones(3, 3), torch.ones(4)
    w = ShapeExplorer(m, c)
    assert w.error == (
        "Dimension -1 clashes: m has 3 and c has 4 — sizes must be equal or one of them 1."
    )
    assert "m has 3 and c has 4" in _bundle(w)["text/html"]
