"""The shape rules in ``matmul_magic.shapes``, with torch as the oracle.

Property tests run ``SHAPES_EXAMPLES`` examples each (default 600, a few thousand cases in
all); set ``SHAPES_EXAMPLES=5000`` for a thorough run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matmul_magic
from matmul_magic.shapes import (
    MAX_NUMEL,
    broadcast_shapes,
    explain_broadcast,
    format_shape,
    parse_einsum,
)

EXAMPLES = int(os.environ.get("SHAPES_EXAMPLES", "600"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def torch_broadcast(shapes):
    try:
        return tuple(torch.broadcast_shapes(*shapes))
    except (RuntimeError, ValueError):
        return None


def torch_einsum(spec, shapes):
    try:
        return tuple(torch.einsum(spec, *[torch.zeros(shape) for shape in shapes]).shape)
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


SIZES = st.sampled_from([0, 1, 1, 2, 3, 5])


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


# ---------------------------------------------------------------------------- einsum


def test_einsum_lesson_matmul():
    plan = parse_einsum("ik,kj->ij", torch.zeros(5, 784), (784, 10))
    assert plan.shape == (5, 10)
    assert plan.summed == ("k",)
    assert plan.inputs == (("i", "k"), ("k", "j"))
    assert plan.output == ("i", "j") and not plan.implicit
    assert plan.sizes == {"i": 5, "k": 784, "j": 10}
    assert plan.loops == (
        "for i in range(5):\n"
        "  for j in range(10):\n"
        "    for k in range(784):\n"
        "      out[i, j] += a[i, k] * b[k, j]"
    )


def test_einsum_batch_matmul_implicit_and_ellipsis():
    plan = parse_einsum("bik,bkj->bij", (2, 5, 3), (2, 3, 4))
    assert plan.shape == (2, 5, 4) and plan.summed == ("k",)
    plan = parse_einsum("ik,kj", (5, 3), (3, 4))
    assert plan.implicit and plan.output == ("i", "j") and plan.shape == (5, 4)
    plan = parse_einsum("Ba,ab", (2, 3), (3, 4))  # ASCII order: uppercase first
    assert plan.output == ("B", "b") and plan.names == ("x0", "x1")
    plan = parse_einsum("...ij,...jk", (6, 1, 2, 3), (7, 3, 4))
    assert plan.output == ("...", "i", "k") and plan.ellipsis == (6, 7)
    assert plan.shape == (6, 7, 2, 4)
    assert "out[e0, e1, i, k] += a[e0, 0, i, j] * b[e1, j, k]" in plan.loops


def test_einsum_diagonal_trace_and_scalars():
    assert parse_einsum("ii->i", (3, 3)).shape == (3,)
    trace = parse_einsum("ii", (3, 3))
    assert trace.shape == () and trace.summed == ("i",)
    assert trace.loops == "for i in range(3):\n  out += a[i, i]"
    assert parse_einsum(",->", (), ()).loops == "out += a * b"
    plan = parse_einsum("ab,bc->ac", (2, 3), (3, 4))  # labels a, b: operands become A, B
    assert plan.loops.endswith("out[a, c] += A[a, b] * B[b, c]")


@pytest.mark.parametrize(
    ("spec", "shapes", "message"),
    [
        ("ik,kj->ij", [(5, 784), (783, 10)], "Index k has size 784 in operand 0 but 783 in "
         "operand 1 — sizes must be equal or one of them 1."),
        ("ii->i", [(3, 4)], "Index i appears twice in operand 0 with sizes 3 and 4 — a "
         "repeated index takes a diagonal, so they must be equal."),
        ("ik,kj->ij", [(5, 784)], "The spec names 2 operands but 1 was given."),
        ("ij", [(2, 3), (3,)], "The spec names 1 operand but 2 were given."),
        ("ij", [], "The spec names 1 operand but 0 were given."),
        ("ij", [(2,)], "Operand 0 has 1 dimension but the spec gives it 2 subscripts."),
        ("i...j", [(2,)], "Operand 0 has 1 dimension but the spec gives it 2 subscripts "
         "plus '...'."),
        ("i1", [(2, 2)], "Invalid character '1' at position 1: subscripts must be letters "
         "a-z or A-Z."),
        ("ij-->ij", [(2, 2)], "Invalid character '-' at position 2: subscripts must be "
         "letters a-z or A-Z."),
        ("ij->i,j", [(2, 2)], "Invalid character ',' at position 5: the output is one term."),
        ("..ij", [(2, 2)], "Stray '.' at position 0: an ellipsis is exactly three dots '...'."),
        ("i...j...", [(2, 2)], "Operand 0 has a second '...' at position 5: only one ellipsis "
         "is allowed per term."),
        ("i->...i...", [(2,)], "The output has a second '...' at position 7: only one "
         "ellipsis is allowed per term."),
        ("ij->ii", [(2, 2)], "Index i appears twice in the output."),
        ("ij->k", [(2, 2)], "Output index k does not appear in any operand."),
        ("...ij,...jk", [(6, 7, 2, 3), (6, 3, 4)], "The '...' dimensions clash: dimension -1 "
         "is 7 in operand 0 but 6 in operand 1 — sizes must be equal or one of them 1."),
        ("i,j->ij", [(2**40,), (2**40,)], f"The output shape ({2**40}, {2**40}) has more "
         f"than {MAX_NUMEL} elements."),
    ],
)  # fmt: skip
def test_einsum_errors(spec, shapes, message):
    with pytest.raises(ValueError) as info:
        parse_einsum(spec, *shapes)
    assert str(info.value) == message


def test_einsum_bad_types():
    with pytest.raises(TypeError, match="spec must be a str"):
        parse_einsum(["i"], (2,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^Operand 0: expected a shape"):
        parse_einsum("i", "ab")
    with pytest.raises(ValueError, match="At most 8 operands"):
        parse_einsum(",".join("i" * 9), *[(2,)] * 9)


def test_einsum_to_dict_is_json_ready():
    data = json.loads(json.dumps(parse_einsum("...ij->ji", (4, 2, 3)).to_dict()))
    assert data["output"] == ["j", "i"] and data["summed"] == ["..."]
    assert data["ellipsis"] == [4] and data["shape"] == [3, 2]
    assert data["sizes"] == {"i": 2, "j": 3}


LABELS = "ijkIb"


@st.composite
def einsum_cases(draw):
    """Mostly-valid specs with shapes to match, plus near misses of every kind."""
    sizes = {label: draw(st.sampled_from([0, 1, 2, 3])) for label in LABELS}
    ellipsis = draw(st.lists(st.sampled_from([0, 1, 2, 3]), max_size=2))
    terms, shapes, used = [], [], []
    for _ in range(draw(st.integers(1, 3))):
        labels = draw(st.lists(st.sampled_from(LABELS), max_size=3))
        shape = []
        for label in labels:
            roll = draw(st.integers(0, 9))
            shape.append(1 if roll == 0 else draw(SIZES) if roll == 1 else sizes[label])
        term = "".join(labels)
        if draw(st.integers(0, 2)) == 0:
            at = draw(st.integers(0, len(labels)))
            own = ellipsis[len(ellipsis) - draw(st.integers(0, len(ellipsis))) :]
            own = [1 if draw(st.integers(0, 5)) == 0 else size for size in own]
            term = term[:at] + "..." + term[at:]
            shape[at:at] = own
            used.append("...")
        if draw(st.integers(0, 19)) == 0:  # wrong number of dimensions
            shape = shape[1:] if shape and draw(st.booleans()) else [2, *shape]
        terms.append(term)
        shapes.append(tuple(shape))
        used.extend(labels)
    spec = ",".join(terms)
    if draw(st.booleans()):  # explicit output
        candidates = sorted(set(used)) + draw(st.lists(st.sampled_from(["...", "k", "i"])))
        output = draw(st.permutations(candidates))[: draw(st.integers(0, len(candidates)))]
        spec += "->" + "".join(output)
    if draw(st.integers(0, 19)) == 0:  # operand count mismatch
        shapes = shapes[:-1] if draw(st.booleans()) else [*shapes, (2,)]
    if draw(st.integers(0, 9)) == 0:  # spaces are allowed anywhere but inside '->' and '...'
        at = draw(st.integers(0, len(spec)))
        spec = spec[:at] + " " + spec[at:]
    return spec, shapes


def _run_loops(plan, shapes):
    """Execute the plan's loop nest on random arrays and return ``out``."""
    rng = np.random.default_rng(0)
    arrays = [rng.integers(-3, 4, size=shape).astype(np.float64) for shape in shapes]
    namespace = {"out": np.zeros(plan.shape), **dict(zip(plan.names, arrays, strict=True))}
    exec(plan.loops, namespace)
    expected = torch.einsum(plan.spec, *[torch.from_numpy(a) for a in arrays]).numpy()
    return namespace["out"], expected


@PROPERTY
@given(einsum_cases())
def test_einsum_agrees_with_torch(case):
    spec, shapes = case
    expected = torch_einsum(spec, shapes)
    if expected is None:
        with pytest.raises(ValueError):
            parse_einsum(spec, *shapes)
        return
    plan = parse_einsum(spec, *shapes)
    assert plan.shape == expected
    labels = {x for term in plan.inputs for x in term} - {"..."}
    assert labels == set(plan.sizes) == (set(plan.summed) | set(plan.output)) - {"..."}
    assert not set(plan.summed) & set(plan.output)
    summed = [plan.sizes[x] for x in plan.summed if x != "..."]
    if "..." in plan.summed:
        summed += plan.ellipsis
    if np.prod([*plan.shape, *summed]) <= 400:
        got, want = _run_loops(plan, shapes)
        np.testing.assert_allclose(got, want)


@PROPERTY
@given(
    st.text(alphabet="ij.,-> 1", max_size=10),
    st.lists(st.lists(st.sampled_from([1, 2, 3]), max_size=3).map(tuple), max_size=3),
)
def test_einsum_garbage_specs_agree_with_torch(spec, shapes):
    expected = torch_einsum(spec, shapes) if shapes else None
    if expected is None:
        with pytest.raises(ValueError):
            parse_einsum(spec, *shapes)
    else:
        assert parse_einsum(spec, *shapes).shape == expected


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
