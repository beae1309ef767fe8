"""``MatmulStepper``'s Python side: levels and steps, and what it refuses from either side."""

from __future__ import annotations

import pytest
import torch
from widget_messages import edit_from_front_end, update_message

from matmul_magic.widgets import MatmulStepper

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
