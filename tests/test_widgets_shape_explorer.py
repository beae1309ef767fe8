"""``ShapeExplorer``'s Python side: broadcasting, values and strides, edits from the page."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from widget_messages import edit_from_front_end, update_message

from matmul_magic.widgets import ShapeExplorer

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


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
