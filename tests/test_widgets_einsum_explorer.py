"""``EinsumExplorer``'s Python side: the spec's result and summed indices, edits from the page."""

from __future__ import annotations

import pytest
import torch
from widget_messages import edit_from_front_end

from matmul_magic.widgets import EinsumExplorer

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


@pytest.mark.parametrize("pasted", ["'ik,kj->ij'", '"ik,kj->ij"', "  'ik,kj->ij' "])
def test_a_spec_pasted_with_its_quotes_reads(pasted):
    w = EinsumExplorer(pasted, (5, 784), (784, 10))
    assert (w.spec, w.result, w.error) == ("ik,kj->ij", [5, 10], "")
    edit_from_front_end(w, spec=pasted.replace("ij'", "ji'").replace('ij"', 'ji"'))
    assert (w.spec, w.result) == ("ik,kj->ji", [10, 5])


def test_only_one_matching_pair_of_quotes_goes():
    assert EinsumExplorer("'ik,kj->ij\"", (5, 784), (784, 10)).error.startswith("Invalid character")
    assert EinsumExplorer("''ik,kj->ij''", (5, 784), (784, 10)).error.startswith(
        "Invalid character"
    )


def test_an_empty_spec_says_it_is_empty():
    w = EinsumExplorer("", (5, 784), (784, 10))
    assert w.error.startswith("The spec is empty")
    assert "names 1 operand" not in w.error
