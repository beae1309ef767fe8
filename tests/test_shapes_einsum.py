"""Einsum specs in ``matmul_magic.shapes``: result shapes, loop nests and errors, against torch."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from shape_properties import PROPERTY, SIZES

from matmul_magic.shapes import MAX_NUMEL, parse_einsum


def torch_einsum(spec, shapes):
    try:
        return tuple(torch.einsum(spec, *[torch.zeros(shape) for shape in shapes]).shape)
    except (RuntimeError, ValueError):
        return None


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


@pytest.mark.parametrize("count", [9, 26, 27, 60])
def test_as_many_operands_as_torch_einsum_takes(count):
    # torch.einsum has no operand limit (8 is broadcast_shapes' limit here, not einsum's)
    spec = ",".join("i" * count) + "->i"
    shapes = [(3,)] * count
    expected = torch.einsum(spec, *[torch.ones(s) for s in shapes]).shape
    plan = parse_einsum(spec, *shapes)
    assert plan.shape == tuple(expected) == (3,)
    assert len(plan.names) == len(set(plan.names)) == count
    assert all(name.isidentifier() for name in plan.names)  # a, b, ... then x0, x1, ...


def test_broadcasting_keeps_its_eight_operand_limit():
    from matmul_magic.shapes import broadcast_shapes

    with pytest.raises(ValueError, match="At most 8 operands are supported; got 9"):
        broadcast_shapes(*[(2,)] * 9)
