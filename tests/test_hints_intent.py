"""Issue 22: what a hint says when an operand's making tells more than its shape (a view
taken for a transpose, a slice on the summed axis, a stray None for mm/bmm/mv), and that any
fix it offers there computes the product the line was after."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")

from hint_cells import hint_of  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.fixture
def mm():
    """Issue 22's names: m1 (5, 784) images, m2 (784, 10) weights, n (10, 5), v (784,)."""
    return {
        "torch": torch,
        "m1": torch.randn(5, 784),
        "m2": torch.randn(784, 10),
        "n": torch.randn(10, 5),
        "v": torch.randn(784),
        "p": torch.randn(2, 5, 784),
    }


def test_a_view_taken_for_a_transpose_is_explained_and_the_tensor_used_as_it_was(mm):
    hint = hint_of("y = m1 @ m2.view(10, 784)", mm)
    assert hint.fix == (
        "view keeps the memory order: it does not transpose; m2 is already (784, 10): use m2"
    )
    assert hint.fixed_line() == "y = m1 @ m2"
    hint = hint_of("y = m1.reshape(784, -1) @ m2", mm)
    assert hint.fix.startswith("reshape keeps the memory order") and ".T" not in hint.fix
    assert hint.fixed_line() == "y = m1 @ m2"


def test_a_reordering_view_with_nothing_certain_teaches_and_offers_no_fix(mm):
    hint = hint_of("y = m1 @ n.view(5, 10)", mm)  # m1.T would fit: it is not offered
    assert hint.fix == "" and hint.edit is None
    assert hint.explanation == (
        "m1 @ n.view(5, 10) needs m1's last size (784) to equal n.view(5, 10)'s first size (5). "
        "n.view(5, 10) only reorders the sizes of n (10, 5): view keeps the memory order: it "
        "does not transpose. To swap axes use .T or .permute."
    )


def test_an_operand_built_by_reshape_is_never_transposed(mm):
    hint = hint_of("y = m1 @ m2.T.reshape(10, 784)", mm)  # a .T after it would fit
    assert hint.fix == "" and ".T (" not in hint.explanation


def test_a_view_that_fails_for_contiguity_and_reorders_is_not_answered_with_reshape(mm):
    hint = hint_of("y = m1 @ m2.T.view(784, 10)", mm)
    assert hint.kind == "view" and hint.fix == "" and hint.edit is None
    assert hint.explanation.endswith(
        "(784, 10) only reorders m2.T's sizes: view and reshape keep the memory order, they "
        "never transpose; to swap axes use .T or .permute."
    )
    flat = hint_of("y = m2.T.view(-1)", mm)  # a flattening keeps its reshape fix
    assert flat.fixed_line() == "y = m2.T.reshape(-1)"


def test_a_slice_on_the_summed_axis_is_moved_or_explained_never_answered_by_a_transpose(mm):
    hint = hint_of("y = m1 @ m2[:5]", mm)
    assert hint.fix == (
        "m2[:5] cuts dimension 0 of m2 (784 → 5), the one the product sums over; uncut, its "
        "784 already fits: cut dimension 1 instead, m2[:, :5] (784, 5)"
    )
    hint = hint_of("y = m1 @ m2[:20]", mm)  # m2 has 10 columns: no cut of 20 exists there
    assert hint.fix == "" and hint.explanation.endswith(
        "cut another dimension, or both operands alike."
    )
    hint = hint_of("y = m2[:5] @ m1", mm)  # m2[:5].T would pair 5 images with 5 inputs
    assert hint.fix == "" and "m2[:5]'s last size (10)" in hint.explanation


def test_mm_bmm_mv_fixes_keep_the_result_or_say_how_it_changes(mm):
    hint = hint_of("y = torch.mm(m1, m2[None])", mm)
    assert hint.fixed_line() == "y = torch.mm(m1, m2)"
    assert hint.fix.endswith("m2 is already (784, 10): drop the None")
    hint = hint_of("y = torch.mv(p, v)", mm)
    assert hint.fixed_line() == "y = p @ v"
    assert hint.fix.endswith("it gives (2, 5), not the 1-D result of torch.mv.")
    hint = hint_of("y = torch.mv(m1, v[None])", mm)
    assert hint.kind == "rank" and hint.fixed_line() == "y = torch.mv(m1, v)"


_LINES = [  # (the failing line, the intended expression, whether a fix is certainly right)
    ("y = x @ z.view(n, k)", "x @ z", True),
    ("y = x @ z.reshape(-1, k)", "x @ z", True),
    ("y = x.view(k, m) @ z", "x @ z", True),
    ("y = torch.mm(x.reshape(k, -1), z)", "torch.mm(x, z)", True),
    ("y = torch.einsum('ik,kj->ij', x, z.view(n, k))", "x @ z", True),
    ("y = torch.mm(x, z[None])", "torch.mm(x, z)", True),
    ("y = torch.matmul(x[None], z[:s])", "torch.matmul(x[None], z[:, :s])", None),
    ("y = x @ z[:s]", "x @ z[:, :s]", None),
    ("y = torch.einsum('ik,kj->ij', x, z[:s])", "x @ z[:, :s]", None),
]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 9), min_size=4, max_size=4, unique=True),
    case=st.sampled_from(_LINES),
)
def test_a_fix_for_a_view_slice_or_none_computes_the_product_the_line_was_after(sizes, case):
    """Random sizes: any fix offered computes the intended product, never by a transpose.
    A cut is movable only when the other axis has room for it (s <= n)."""
    m, k, n, s = sizes
    line, intended, certain = case
    generator = torch.Generator().manual_seed(m * 1000 + k * 100 + n * 10 + s)
    x = torch.randint(1, 6, (m, k), generator=generator).float()
    z = torch.randint(1, 6, (k, n), generator=generator).float()
    ns = {"torch": torch, "x": x, "z": z, "m": m, "k": k, "n": n, "s": s}
    try:
        exec(line, dict(ns))
        return  # sizes that happen to fit (s == m): no error, no hint
    except RuntimeError:
        pass
    hint = hint_of(line, dict(ns))
    assert hint is not None
    if certain is None:
        certain = s <= n
    assert bool(hint.fix) == certain, (line, sizes, hint.to_text())
    if hint.fix:
        fixed = hint.fixed_line()
        assert ".T" not in fixed and ".mT" not in fixed, fixed
        value = eval(fixed.split("=", 1)[1], dict(ns))
        torch.testing.assert_close(value, eval(intended, dict(ns)))
