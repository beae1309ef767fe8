"""Broadcasting in ``matmul_magic.shapes`` (with torch as the oracle), and the package's import."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from shape_properties import PROPERTY, SIZES

import matmul_magic
from matmul_magic.shapes import (
    MAX_NUMEL,
    broadcast_shapes,
    explain_broadcast,
    format_shape,
    parse_einsum,
)


def torch_broadcast(shapes):
    try:
        return tuple(torch.broadcast_shapes(*shapes))
    except (RuntimeError, ValueError):
        return None


# ---------------------------------------------------------------------------- broadcast


def test_lesson_examples():
    assert broadcast_shapes((5, 784), (784,)) == (5, 784)
    assert broadcast_shapes((3,), (3, 1)) == (3, 3)
    assert broadcast_shapes((1, 3), (3, 1)) == (3, 3)
    assert broadcast_shapes() == ()
    assert broadcast_shapes((), (3,)) == (3,)


def test_clash_names_dimension_and_sizes():
    with pytest.raises(ValueError) as info:
        broadcast_shapes((5, 784), (10,))
    assert str(info.value) == (
        "Dimension -1: 784 and 10 clash — sizes must be equal or one of them 1."
    )
    with pytest.raises(ValueError, match=r"^Dimension -2: 3 and 4 clash"):
        broadcast_shapes((3, 1), (4, 5))


def test_zero_size_dims_follow_torch():
    assert broadcast_shapes((0,), (1,)) == (0,)
    assert broadcast_shapes((2, 1), (0,)) == (2, 0)
    with pytest.raises(ValueError, match="0 and 3 clash"):
        broadcast_shapes((0,), (3,))


def test_accepts_tensors_arrays_sizes_and_ints():
    assert broadcast_shapes(torch.zeros(5, 1), np.zeros(3)) == (5, 3)
    assert broadcast_shapes(torch.Size([2, 1]), [np.int64(4)]) == (2, 4)
    assert broadcast_shapes(3, (2, 1)) == (2, 3)  # a bare int is a 1-d shape, as in torch
    assert broadcast_shapes(torch.tensor(1.0), (2,)) == (2,)  # a 0-d tensor
    result = broadcast_shapes([np.int64(2)], (1,))
    assert result == (2,) and type(result[0]) is int


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((2, True),), "Operand 0, dimension 1: True is a bool, not a size."),
        (((2, np.bool_(False)),), "Operand 0, dimension 1: False is a bool, not a size."),
        (((2.5,),), "Operand 0, dimension 0: 2.5 is not an integer."),
        (((2.0,),), "Operand 0, dimension 0: 2.0 is not an integer."),
        (((3,), (2, -1)), "Operand 1, dimension 1: size -1 is negative."),
        ((("3",),), "Operand 0, dimension 0: expected an integer size, got str."),
        (((None,),), "Operand 0, dimension 0: expected an integer size, got NoneType."),
        (((2**60,),), f"Operand 0, dimension 0: size {2**60} is too large."),
        (((1,) * 65,), "Operand 0 has 65 dimensions; at most 64 are supported."),
        (((3,),) * 9, "At most 8 operands are supported; got 9."),
        (
            ((2**40, 2**40),),
            f"Operand 0: shape ({2**40}, {2**40}) has more than {MAX_NUMEL} elements.",
        ),
        (
            ((2**40, 1), (2**40,)),
            f"The broadcast result ({2**40}, {2**40}) has more than {MAX_NUMEL} elements.",
        ),
    ],
)
def test_bad_sizes_are_value_errors(shapes, message):
    with pytest.raises(ValueError) as info:
        broadcast_shapes(*shapes)
    assert str(info.value) == message
    with pytest.raises(ValueError):
        explain_broadcast(*shapes)


@pytest.mark.parametrize("operand", ["5,1", None, 2.5, True, {"a": 1}, {1, 2}, object()])
def test_non_shapes_are_type_errors(operand):
    with pytest.raises(TypeError, match=r"^Operand 1: expected a shape"):
        broadcast_shapes((3,), operand)


def test_eight_operands_and_sixty_four_dims_are_fine():
    assert broadcast_shapes(*[(1,)] * 7, (4,)) == (4,)
    assert broadcast_shapes((1,) * 64) == (1,) * 64
    assert broadcast_shapes((2**40, 0, 2**40)) == (2**40, 0, 2**40)  # zero elements


def test_explain_columns_are_right_aligned():
    explanation = explain_broadcast((5, 1), (3,), ())
    assert explanation.ok and explanation.result == (5, 3)
    assert [c.dim for c in explanation.columns] == [-2, -1]
    assert explanation.columns[0].sizes == (5, None, None)
    assert explanation.columns[0].kinds == ("equal", "missing", "missing")
    assert explanation.columns[1].kinds == ("stretched", "equal", "missing")
    assert explanation.reason == (
        "Broadcasts to (5, 3): from the trailing dimension leftwards, the sizes are equal "
        "or one of them is 1, and a missing dimension counts as 1."
    )


def test_explain_reports_a_clash_without_raising():
    explanation = explain_broadcast((5, 784), (10,))
    assert not explanation.ok and explanation.result is None
    assert explanation.clash == -1
    assert explanation.columns[-1].kinds == ("clash", "clash")
    assert explanation.columns[-1].size is None
    assert explanation.reason == (
        "Dimension -1: 784 and 10 clash — sizes must be equal or one of them 1."
    )
    # several clashes: every column shows its own, the reason names the rightmost
    explanation = explain_broadcast((2, 3, 1), (4, 5, 7))
    assert [c.size for c in explanation.columns] == [None, None, 7]
    assert explanation.clash == -2
    assert explanation.columns[2].kinds == ("stretched", "equal")


def test_explain_zero_operands_and_zero_size():
    explanation = explain_broadcast()
    assert explanation.result == () and explanation.columns == ()
    assert explanation.reason == "No shapes to broadcast: the result is the 0-d shape ()."
    assert explain_broadcast((0,), (1,)).columns[0].kinds == ("equal", "stretched")


def test_explain_is_frozen_and_json_ready():
    explanation = explain_broadcast(torch.zeros(5, 1), (3,))
    with pytest.raises(FrozenInstanceError):
        explanation.result = None  # type: ignore[misc]
    data = json.loads(json.dumps(explanation.to_dict()))
    assert data["result"] == [5, 3] and data["ok"] is True
    assert data["columns"][0] == {
        "dim": -2,
        "sizes": [5, None],
        "kinds": ["equal", "missing"],
        "size": 5,
    }


def test_format_shape():
    assert format_shape(()) == "()"
    assert format_shape((3,)) == "(3,)"
    assert format_shape((5, 784)) == "(5, 784)"


def test_public_api_and_no_torch_at_import():
    assert matmul_magic.broadcast_shapes is broadcast_shapes
    assert matmul_magic.parse_einsum is parse_einsum
    code = (
        "import sys, matmul_magic.shapes as s; s.broadcast_shapes((2, 1), (3,)); "
        "s.parse_einsum('ij->j', (2, 3)); assert 'torch' not in sys.modules; "
        "assert 'numpy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


@st.composite
def broadcast_cases(draw):
    base = draw(st.lists(SIZES, max_size=5))
    shapes = []
    for _ in range(draw(st.integers(0, 4))):
        ndim = draw(st.integers(0, len(base) + 1))
        suffix = ([draw(SIZES)] + base)[-ndim:] if ndim else []
        shape = [
            draw(st.sampled_from([size, size, 1, draw(SIZES)]))  # mostly compatible
            for size in suffix
        ]
        shapes.append(tuple(shape))
    return shapes


@PROPERTY
@given(broadcast_cases())
def test_broadcast_agrees_with_torch(shapes):
    expected = torch_broadcast(shapes)
    explanation = explain_broadcast(*shapes)
    assert explanation.result == expected
    if expected is None:
        with pytest.raises(ValueError, match=r"^Dimension -\d+: \d+ and \d+ clash"):
            broadcast_shapes(*shapes)
        clash = explanation.columns[explanation.clash]
        assert clash.size is None and "clash" in clash.kinds
    else:
        assert broadcast_shapes(*shapes) == expected
        assert broadcast_shapes(*[torch.zeros(s) for s in shapes]) == expected
    for column in explanation.columns:
        for size, kind in zip(column.sizes, column.kinds, strict=True):
            assert (kind == "missing") == (size is None)
            if kind == "stretched":
                assert size == 1
            if kind == "equal":
                assert size == column.size
            if kind == "clash":
                assert column.size is None and size != 1


def test_broadcast_shapes_docstring_states_where_it_differs_from_torch():
    """Each difference the docstring names: torch takes it, this module refuses it."""
    from matmul_magic.shapes import broadcast_shapes

    doc = broadcast_shapes.__doc__
    cases = [
        ("``bool`` sizes", ((True, 3), (2, 3)), ValueError),
        ("``None`` as an operand", (None, (2, 3)), TypeError),
        ("sizes above 2**53 - 1", ((2**60,), (1,)), ValueError),
        ("more than 2**63 - 1 elements", ((2**40, 2**40),), ValueError),
    ]
    for words, operands, error in cases:
        assert words in doc
        torch.broadcast_shapes(*operands)  # torch accepts it
        with pytest.raises(error):
            broadcast_shapes(*operands)
