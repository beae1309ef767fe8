"""Shape hints for each kind of shape error: the clash marked, the explanation, the fix."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hint_cells import hint_of  # noqa: E402


def test_matmul_hint_suggests_dropping_the_transpose(ns):
    hint = hint_of("y = a @ w.T", ns)
    assert hint.kind == "matmul"
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("w.T", (10, 784))]
    # the inner sizes clash: a's last dim against w.T's first
    assert hint.rows[0].clash == {-1} and hint.rows[1].clash == {-2}
    assert hint.line == "y = a @ w.T" and hint.line[slice(*hint.mark)] == "@"


def test_broadcast_hint_adds_the_lessons_axis(ns):
    hint = hint_of("for i in range(5):\n    y = (a[i]*b).sum(dim=0)", ns)
    assert hint.kind == "broadcast"
    assert hint.fix == "a[i] needs a trailing axis: a[i, :, None]"
    assert hint.line[slice(*hint.mark)] == "*"
    text = hint.to_text()
    assert "[784]" in text and "[10]" in text  # the clashing column, bracketed


def test_broadcast_hint_without_a_single_fix_states_the_rule(ns):
    hint = hint_of("y = torch.ones(3, 3) + x.unsqueeze(0).expand(4, 3).T", ns)
    assert hint.kind == "broadcast"
    assert hint.rows[0].label == "torch.ones(3, 3)" and hint.rows[0].shape is None  # a call: '?'
    assert "must be equal or one of them 1" in hint.explanation and hint.fix == ""


def test_broadcast_hint_with_known_shapes_and_no_axis_fix_names_the_clash(ns):
    ns.update(p=torch.randn(3, 4), q=torch.randn(2, 5))  # no added axis can fix this
    hint = hint_of("y = p + q", ns)
    assert hint.kind == "broadcast"
    assert hint.fix == "" and hint.edit is None
    assert hint.explanation == "dimension -1: 4 and 5 clash: sizes must be equal or one of them 1."
    assert hint.rows[0].clash == {-2, -1} and hint.rows[1].clash == {-2, -1}


def test_mm_call_hint_marks_the_function_name(ns):
    hint = hint_of("y = torch.mm(a,\n    w.T)", ns)
    assert hint.line[slice(*hint.mark)] == "mm"
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"


def test_matmul_hint_suggests_swapping_operands(ns):
    hint = hint_of("y = b @ a", ns)
    assert hint.fix.startswith("did you mean a @ b?")


def test_bmm_rank_hint_suggests_a_leading_axis(ns):
    ns["batch"] = torch.randn(2, 5, 784)
    hint = hint_of("y = torch.bmm(batch, w)", ns)
    assert hint.kind == "rank"
    assert hint.fix.startswith("w needs a leading batch axis: w[None].expand(2, -1, -1)")


def test_einsum_hint_respells_the_spec(ns):
    hint = hint_of("y = torch.einsum('ik,jk->ij', a, w)", ns)
    assert hint.kind == "einsum"
    assert hint.fix == "w is (784, 10), so its subscripts read 'kj': did you mean 'ik,kj->ij'?"
    assert hint.rows[1].subscripts == ("j", "k") and hint.rows[1].clash == {-1}
    assert "[k=10]" in hint.to_text()


def test_einsum_hint_drops_a_transpose(ns):
    hint = hint_of("y = torch.einsum('ik,kj->ij', a, w.T)", ns)
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"


def test_einsum_operand_count_hint(ns):
    hint = hint_of("y = torch.einsum('ik,kj->ij', a)", ns)
    assert hint.explanation == "the spec names 2 operands but 1 was given."


def test_expand_hint_adds_an_axis(ns):
    hint = hint_of("y = x.expand(4, 3, 5)", ns)
    assert hint.kind == "expand"
    assert hint.fix == "x needs a trailing axis: x[:, None]"


def test_setitem_hint_names_the_target(ns):
    hint = hint_of("c[0] = a[0]", ns)
    assert hint.kind == "expand"
    assert [row.label for row in hint.rows] == ["a[0]", "c[0]"]
    assert hint.explanation == (
        "c[0] has shape (10,): the value must broadcast to it, but a[0] is (784,)."
    )


def test_view_hints(ns):
    assert "3920 elements (5, 784)" in hint_of("y = a.view(3, -1)", ns).explanation
    assert hint_of("y = a.view(10, 10)", ns).explanation.startswith("(10, 10) holds 100 elements")
    stride = hint_of("y = a.T.view(-1)", ns)
    assert "not contiguous (strides (1, 784))" in stride.fix
    assert stride.fixed_line() == "y = a.T.reshape(-1)"


def test_inplace_hint_suggests_a_new_tensor(ns):
    ns["big"] = torch.randn(3, 5, 784)
    hint = hint_of("a += big", ns)
    assert hint.kind == "inplace"
    assert hint.fix == "" and "but a + big is (3, 5, 784)" in hint.explanation
    assert hint.rows[1].clash == {-3}


def test_axis_fix_only_extends_an_index_that_keeps_trailing_axes(ns):
    # a[:, 0] keeps axis 0, so "a[:, 0, :, None]" would be wrong: index the result instead
    hint = hint_of("y = a[:, 0] * w[:5]", ns)
    assert hint.fix == "a[:, 0] needs a trailing axis: a[:, 0][:, None]"


def test_batched_matmul_hint_points_at_the_batch_dims(ns):
    ns.update(p=torch.randn(2, 5, 784), q=torch.randn(3, 784, 10))
    hint = hint_of("y = p @ q", ns)
    assert hint.kind == "broadcast"
    assert hint.rows[0].clash == {-3} and hint.rows[1].clash == {-3}
    assert "the batch dimensions (2,) and (3,) of p @ q must broadcast" in hint.explanation


def test_linear_hint_explains_the_weight_layout(ns):
    hint = hint_of("y = torch.nn.functional.linear(a, w)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("w.T", (10, 784))]
    assert hint.fix == "linear(x, w) computes x @ w.T, so w is (out, in): pass w.T (10, 784)."


def test_bmm_fixes_respect_that_bmm_does_not_broadcast(ns):
    ns.update(p=torch.randn(2, 3, 4), q=torch.randn(3, 4, 6), r=torch.randn(2, 5, 4))
    hint = hint_of("y = torch.bmm(p, q)", ns)
    assert hint.explanation == "the batch sizes (2,) and (3,) differ: torch.bmm needs them equal."
    assert hint.rows[0].clash == {-3} and hint.rows[1].clash == {-3}
    hint = hint_of("y = torch.bmm(p, r)", ns)
    assert hint.fix == "did you mean r.mT (2, 4, 5)?"


def test_bmm_with_unreadable_operands_names_the_sizes_torch_quoted(ns):
    # Calls are never re-run, so the operands are unknown: the sentence comes from the message.
    hint = hint_of("y = torch.bmm(torch.ones(2, 3, 4), torch.ones(3, 4, 5))", ns)
    assert hint.explanation == "torch.bmm needs equal batch sizes, and they are 2 and 3."
    hint = hint_of("y = torch.bmm(torch.ones(2, 3, 4), torch.ones(2, 5, 6))", ns)
    assert hint.explanation == (
        "torch.bmm needs the first operand's last size (4) to equal the second's middle size (5)."
    )
    for call in (
        "torch.ones(3) @ torch.ones(3, 5, 4)",
        "torch.matmul(torch.ones(3), torch.ones(3, 5, 4))",
    ):
        hint = hint_of(f"y = {call}", ns)  # broadcast into bmm by torch: only the inner sizes
        assert hint.explanation == (
            "a @ b needs a's last size (3) to equal b's second-to-last size (5)."
        )


def test_mm_swap_is_written_as_the_user_wrote_it(ns):
    hint = hint_of("y = torch.mm(b, a)", ns)
    assert hint.fix.startswith("did you mean torch.mm(a, b)?")


def test_cat_and_stack_hints(ns):
    ns.update(more=torch.randn(784, 3), x1=torch.randn(5, 3), x2=torch.randn(4, 4))
    hint = hint_of("y = torch.cat([a, more])", ns)
    assert hint.kind == "cat" and hint.fix == "did you mean more.T (3, 784)?"
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("more", (784, 3))]
    assert hint.rows[1].clash == {-1}
    hint = hint_of("y = torch.cat([x1, x2], dim=0)", ns)
    assert hint.fix == "" and hint.explanation == (
        "torch.cat joins along dimension 0: every other dimension must match, "
        "but tensor 1 has size 4 where the first has 3."
    )
    hint = hint_of("y = torch.stack([a, w])", ns)
    assert hint.explanation == (
        "torch.stack needs equal shapes, but entry 0 is (5, 784) and entry 1 is (784, 10)."
    )
    hint = hint_of("y = torch.cat([a, x])", ns)
    assert "same number of dimensions, not 2 and 1" in hint.explanation
