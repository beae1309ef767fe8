"""The widgets' Python side: traitlets, validation, text summaries and edits from the front end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from matmul_magic.widgets import EinsumExplorer, MatmulStepper, ShapeExplorer
from matmul_magic.widgets._common import bundle

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def edit_from_front_end(widget, **state):
    """What a comm message from the browser does: ipywidgets' set_state."""
    widget.set_state(state)


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


# --------------------------------------------------------------------------- ShapeExplorer


def test_shape_explorer_broadcasts_tensors_and_shapes():
    w = ShapeExplorer(torch.ones(5, 1), (1, 4))
    assert w.shapes == [[5, 1], [1, 4]]
    assert w.result == [5, 4]
    assert w.error == ""
    assert w.names == ["torch.ones(5, 1)", "b"]  # the expression written; a literal gets its letter


def test_shape_explorer_accepts_arrays_and_sizes():
    w = ShapeExplorer(np.zeros((3, 1)), torch.Size([4]))
    assert w.result == [3, 4]


def test_shape_explorer_reports_a_clash_without_raising():
    w = ShapeExplorer((2, 3), (4,))
    assert w.result is None
    assert "-1" in w.error and "3" in w.error and "4" in w.error


def test_setting_shapes_in_python_updates_result_and_error():
    w = ShapeExplorer((2, 3), (3,))
    w.shapes = [[2, 3], [4]]
    assert (w.result, bool(w.error)) == (None, True)
    w.shapes = [(8, 1, 6, 1), (7, 1, 5)]
    assert (w.result, w.error) == ([8, 7, 6, 5], "")


def test_an_edit_from_the_front_end_changes_result_in_python():
    w = ShapeExplorer((5, 1), (1, 4))
    edit_from_front_end(w, shapes=[[5, 1], [2, 1, 4]])
    assert (w.result, w.error) == ([2, 5, 4], "")
    edit_from_front_end(w, shapes=[[5, 1], [3, 4]])
    assert w.result is None and "a has 5 and b has 3" in w.error


def test_zero_d_and_zero_size_dims_follow_torch():
    assert ShapeExplorer((), (3, 0)).result == [3, 0]
    assert ShapeExplorer((0,), (1,)).result == [0]
    assert ShapeExplorer((0,), (2,)).result is None


@pytest.mark.parametrize(
    ("operands", "error"),
    [
        (((2, -1),), ValueError),
        (((2.5, 3),), ValueError),
        (((1,),) * 9, ValueError),
        (((10**30,),), ValueError),
        (("5,1",), TypeError),
        ((None,), TypeError),
        ((), ValueError),
    ],
)
def test_shape_explorer_rejects_bad_input(operands, error):
    with pytest.raises(error):
        ShapeExplorer(*operands)


def test_bad_shapes_set_from_python_raise_and_keep_the_old_state():
    w = ShapeExplorer((5, 1), (1, 4))
    with pytest.raises(ValueError):
        w.shapes = [[5, -1]]
    with pytest.raises(ValueError):
        w.shapes = [[1]] * 9
    assert w.shapes == [[5, 1], [1, 4]] and w.result == [5, 4]


def test_small_tensors_send_their_values_big_ones_do_not():
    w = ShapeExplorer(torch.tensor([[1.0], [2.0]]), torch.tensor([10, 20, 30]), torch.ones(9, 2))
    assert w.values == [[[1.0], [2.0]], [10, 20, 30], None]
    assert ShapeExplorer((2, 1)).values == [None]


def test_non_finite_values_are_sent_as_text():
    w = ShapeExplorer(torch.tensor([1.0, float("nan"), float("inf")]))
    assert w.values == [[1.0, "nan", "inf"]]


def test_values_stay_with_their_operand_and_follow_the_operand_count():
    w = ShapeExplorer(torch.ones(2, 1), torch.ones(3), names=["a", "b"])
    edit_from_front_end(w, shapes=[[2, 1], [4]])
    assert w.values == [[[1.0], [1.0]], [1.0, 1.0, 1.0]]  # shown again if b is set back to (3,)
    w.shapes = [[2, 1], [3], [1]]
    assert (w.values[2], w.names) == (None, ["a", "b", "c"])
    w.shapes = [[2, 1]]
    assert (w.values, w.names) == ([[[1.0], [1.0]]], ["a"])


def test_strides_are_the_tensors_own_until_its_shape_is_edited():
    base = torch.zeros(3, 4)
    w = ShapeExplorer(base.T, np.zeros((2, 3), dtype=np.float32).T, (4,))
    assert w.strides == [[1, 4], [1, 3], None]
    w.shapes = [[4, 3], [3, 1], [4]]
    assert w.strides == [[1, 4], None, None]
    edit_from_front_end(w, shapes=[[4, 3]], names=["a"], values=[None], strides=[[1, 4]])
    assert w.strides == [[1, 4]]


def test_text_summary_for_terminal_ipython():
    w = ShapeExplorer((5, 1), (1, 4))
    data, _ = w._repr_mimebundle_()
    assert data["text/plain"] == "ShapeExplorer((5, 1), (1, 4)) -> (5, 4)"
    assert WIDGET_MIME in data and data[WIDGET_MIME]["model_id"] == w.model_id
    assert repr(ShapeExplorer((3,), (4,))).startswith("ShapeExplorer((3,), (4,)) -> error: ")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, 2, 3]), max_size=4), min_size=1, max_size=4))
def test_result_agrees_with_torch(shapes):
    w = ShapeExplorer(*map(tuple, shapes))
    try:
        expected = list(torch.broadcast_shapes(*map(tuple, shapes)))
    except RuntimeError:
        expected = None
    assert w.result == expected
    assert (w.error == "") == (expected is not None)


# --------------------------------------------------------------------------- EinsumExplorer


def test_einsum_matmul_sums_k_for_the_lessons_operands():
    w = EinsumExplorer("ik,kj->ij", torch.ones(5, 784), torch.ones(784, 10))
    assert (w.result, w.summed, w.error) == ([5, 10], ["k"], "")
    assert "for k in range(784)" in w.loops
    assert repr(w) == "EinsumExplorer('ik,kj->ij', (5, 784), (784, 10)) -> (5, 10), summed: k"


def test_einsum_batch_matmul():
    w = EinsumExplorer("bik,bkj->bij", (2, 5, 3), (2, 3, 4))
    assert (w.result, w.summed) == ([2, 5, 4], ["k"])


def test_einsum_edits_from_the_front_end_update_python():
    w = EinsumExplorer("ik,kj->ij", (5, 784), (784, 10))
    edit_from_front_end(w, spec="ik,kj->ji")
    assert w.result == [10, 5]
    edit_from_front_end(w, shapes=[[5, 3], [4, 10]])
    assert w.result is None and "k" in w.error and w.summed == [] and w.loops == ""


def test_einsum_bad_spec_is_shown_not_raised():
    w = EinsumExplorer("ik,kj->iz", (5, 3), (3, 2))
    assert w.result is None and "z" in w.error
    assert "error" in w._repr_mimebundle_()[0]["text/plain"]


def test_einsum_rejects_bad_arguments():
    with pytest.raises(TypeError):
        EinsumExplorer(3, (2, 2))
    with pytest.raises(ValueError):
        EinsumExplorer("i", (-1,))
    with pytest.raises(ValueError):
        EinsumExplorer("i" + ",i" * 8, *[(2,)] * 9)


def test_einsum_result_agrees_with_torch_einsum():
    cases = [
        ("ij->ji", [(2, 3)]),
        ("i,i->", [(4,), (4,)]),
        ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
        ("ii->i", [(3, 3)]),
    ]
    for spec, shapes in cases:
        expected = list(torch.einsum(spec, *[torch.ones(s) for s in shapes]).shape)
        assert EinsumExplorer(spec, *shapes).result == expected, spec


# --------------------------------------------------------------------------- MatmulStepper


def test_stepper_small_matrices_send_values():
    a, b = torch.arange(6.0).reshape(2, 3), torch.ones(3, 2)
    w = MatmulStepper(a, b)
    assert w.shapes == [[2, 3], [3, 2]]
    assert w.values == [a.tolist(), b.tolist()]
    assert (w.level, w.step, w.total_steps) == (0, 0, 12)


def test_stepper_large_matrices_send_shapes_only():
    w = MatmulStepper(torch.ones(5, 784), torch.ones(784, 10))
    assert w.values == []
    assert [MatmulStepper((5, 784), (784, 10), level=level).total_steps for level in range(4)] == [
        5 * 10 * 784,
        50,
        5,
        1,
    ]


def test_stepper_level_change_resets_step_and_steps_are_checked():
    w = MatmulStepper((2, 3), (3, 4))
    w.step = 5
    w.level = 2
    assert w.step == 0
    w.step = 2
    with pytest.raises(ValueError):
        w.step = 3
    with pytest.raises(ValueError):
        w.level = 4
    with pytest.raises(ValueError):
        w.speed = 0


def test_stepper_front_end_controls_reach_python():
    w = MatmulStepper((2, 3), (3, 4))
    edit_from_front_end(w, level=1, step=0, playing=False)
    edit_from_front_end(w, step=7)
    assert (w.level, w.step) == (1, 7)
    assert "step 7/8" in repr(w)


@pytest.mark.parametrize(
    ("a", "b", "error"),
    [
        ((2, 3), (4, 2), ValueError),
        ((2, 3, 4), (4, 2), ValueError),
        ((3,), (3, 2), ValueError),
        ("ab", (3, 2), TypeError),
    ],
)
def test_stepper_rejects_bad_operands(a, b, error):
    with pytest.raises(error):
        MatmulStepper(a, b)


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


# --------------------------------------------------------------------------- validation


def update_message(widget, **state):
    """A page's update as the comm delivers it: ipywidgets' ``_handle_msg``."""
    content = {"data": {"method": "update", "state": state, "buffer_paths": []}}
    widget._handle_msg({"content": content, "buffers": []})


def test_bad_shapes_from_the_page_are_rolled_back_and_the_error_shown():
    w = ShapeExplorer((5, 1), (1, 4))
    sent = []
    w.send_state = lambda key=None: sent.append(key)  # what goes back to the page
    update_message(w, shapes=[[5, -1], [1, 4]])
    assert w.shapes == [[5, 1], [1, 4]] and w.result == [5, 4]
    assert "size -1 is negative" in w.error and w.error.startswith("Edit refused")
    assert sent[0] == ["shapes"]  # the page still shows what it sent: the good shapes go back
    update_message(w, shapes=[[5, 1], [3]])  # the next good edit clears the message
    assert (w.result, w.error) == ([5, 3], "")


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


@pytest.mark.parametrize(
    "kwargs", [{"level": 9}, {"speed": -1.0}, {"step": 999}, {"level": -1}, {"speed": 1e9}]
)
def test_stepper_refuses_out_of_range_values_from_either_side(kwargs):
    with pytest.raises(ValueError):
        MatmulStepper((2, 3), (3, 4), **kwargs)
    w = MatmulStepper((2, 3), (3, 4), level=1, step=2)
    w.send_state = lambda key=None: None
    update_message(w, **kwargs)  # from the page: refused as a whole, the good state kept
    assert (w.level, w.step, w.speed) == (1, 2, 2.0)
    assert repr(w) == "MatmulStepper((2, 3) @ (3, 4) -> (2, 4); level 1: " + (
        "row · column: c[i,j] = (a[i,:] * b[:,j]).sum(); step 2/8)"
    )


@pytest.mark.parametrize(
    "shapes",
    [[[2]], [[-2, 3], [3, 2]], [[2, 3], [4, 2]], [[2, 3]], "ab", [[2, 3], [3, 2], [2, 2]]],
)
def test_stepper_shapes_are_validated_and_the_page_cannot_break_it(shapes):
    w = MatmulStepper((2, 3), (3, 4))
    w.send_state = lambda key=None: None
    update_message(w, shapes=shapes)
    assert w.shapes == [[2, 3], [3, 4]] and w.total_steps == 24
    repr(w)
    with pytest.raises((ValueError, TypeError)):
        w.shapes = shapes


def test_stepper_refuses_more_steps_than_javascript_counts_exactly():
    side = 2**18  # 2**54 scalar steps
    with pytest.raises(ValueError, match="2\\*\\*53"):
        MatmulStepper((side, side), (side, side))
    MatmulStepper((2**17, 2**18), (2**18, 2**18 - 1))  # just under 2**53: accepted


def test_a_step_sent_with_a_new_level_is_kept():
    w = MatmulStepper((2, 3), (3, 4))
    w.level = 1
    w.set_state({"level": 0, "step": 5})
    assert (w.level, w.step) == (0, 5)
    w.level = 2  # from Python alone, a new level still starts from step 0
    assert w.step == 0


def test_a_bad_step_from_the_page_rolls_back_the_whole_update():
    w = MatmulStepper((2, 3), (3, 4))
    w.send_state = lambda key=None: None
    update_message(w, level=3, step=5)  # level 3 has 1 step
    assert (w.level, w.step) == (0, 0)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors is in prototype")
@pytest.mark.parametrize("layout", [torch.strided, torch.jagged])
def test_nested_tensors_get_a_clear_type_error(layout):
    nested = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(4, 3)], layout=layout)
    with pytest.raises(TypeError, match="nested tensor.*unbind"):
        ShapeExplorer(nested, (3,))


def test_nested_lists_point_to_torch_tensor():
    with pytest.raises(TypeError, match=r"nested list.*torch\.tensor\(\.\.\.\)"):
        ShapeExplorer([[1, 2], [3, 4]])


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors is in prototype")
def test_shapes_magic_says_what_a_nested_tensor_or_list_is(ip):
    from IPython.core.error import UsageError

    ip.user_ns["nt"] = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(4, 3)])
    with pytest.raises(UsageError, match="nested tensor"):
        ip.run_line_magic("shapes", "nt, (3,)")
    with pytest.raises(UsageError, match=r"torch\.tensor\(\.\.\.\)"):
        ip.run_line_magic("shapes", "[[1, 2], [3, 4]]")
