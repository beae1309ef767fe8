"""Shape hints: torch's own error messages parsed, and the sizes they quote."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from matmul_magic.hints.messages import parse_message  # noqa: E402
from matmul_magic.hints.rules import hint_for_exception  # noqa: E402
from matmul_magic.hints.rules.matmul import matmul_shape  # noqa: E402

# Every message is produced here by running the failing torch op, so a torch release that
# rewords one fails these tests instead of silently losing its hint.


def _message(fn) -> str:
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


a = torch.randn(5, 784)
w = torch.randn(784, 10)

# (name, op raising the error, expected kind, expected parsed fields)
MESSAGES = [
    ("broadcast", lambda: torch.randn(3, 3) + torch.randn(4), "broadcast", {"sizes": (3, 4)}),
    ("matmul", lambda: a @ w.T, "matmul", {"shapes": ((5, 784), (10, 784))}),
    ("mm", lambda: torch.mm(a, w.T), "matmul", {"shapes": ((5, 784), (10, 784))}),
    ("mv", lambda: torch.randn(3, 4) @ torch.randn(5), "matmul", {"shapes": ((3, 4), (5,))}),
    ("dot", lambda: torch.randn(3) @ torch.randn(4), "matmul", {"shapes": ((3,), (4,))}),
    (
        "bmm",
        lambda: torch.bmm(torch.randn(2, 3, 4), torch.randn(2, 5, 6)),
        "matmul",
        {"sizes": (2, 4, 2, 5)},
    ),
    ("mm-rank", lambda: torch.mm(torch.randn(2, 3, 4), a), "rank", {"operand": 0}),
    ("mm-rank2", lambda: torch.mm(a, torch.randn(784)), "rank", {"operand": 1}),
    ("bmm-rank", lambda: torch.bmm(torch.randn(3, 4), torch.randn(3, 4, 6)), "rank", {}),
    ("mv-rank-mat", lambda: torch.mv(torch.randn(2, 3, 4), torch.randn(4)), "rank", {"operand": 0}),
    ("mv-rank-vec", lambda: torch.mv(a, torch.randn(1, 784)), "rank", {"operand": 1}),
    ("matmul-0d", lambda: torch.tensor(1.0) @ torch.randn(3), "rank", {}),
    (
        "einsum-size",
        lambda: torch.einsum("ik,kj->ij", a, w.T),
        "einsum",
        {"label": "k", "sizes": (784, 10), "operand": 1},
    ),
    ("einsum-count", lambda: torch.einsum("ik,kj->ij", a), "einsum", {}),
    ("einsum-rank", lambda: torch.einsum("ik,kj->ij", a, torch.randn(3)), "einsum", {}),
    (
        "expand",
        lambda: torch.randn(3).expand(4, 5),
        "expand",
        {"dim": 1, "shapes": ((3,), (4, 5))},
    ),
    ("expand-rank", lambda: torch.randn(3, 1).expand(4), "expand", {}),
    ("view", lambda: a.view(3, -1), "view", {"shapes": ((3, -1),), "sizes": (3920,)}),
    ("view-stride", lambda: a.T.view(-1), "view", {}),
    ("reshape", lambda: a.reshape(10, 10), "view", {"shapes": ((10, 10),)}),
    (
        "inplace",
        lambda: a.clone().add_(torch.randn(3, 5, 784)),
        "inplace",
        {"shapes": ((5, 784), (3, 5, 784))},
    ),
    ("cat", lambda: torch.cat([a, w]), "cat", {"dim": 0, "sizes": (784, 10), "operand": 1}),
    ("cat-dim", lambda: torch.cat([a, w.T], dim=1), "cat", {"dim": 1, "sizes": (5, 10)}),
    ("cat-rank", lambda: torch.cat([a, torch.ones(3)]), "cat", {"sizes": (2, 1)}),
    ("hstack", lambda: torch.hstack([a, w]), "cat", {"dim": 1}),
    (
        "stack",
        lambda: torch.stack([a, w]),
        "cat",
        {"shapes": ((5, 784), (784, 10)), "sizes": (0, 1)},
    ),
]


@pytest.mark.parametrize("name, fn, kind, fields", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_parse_message_reads_torchs_own_text(name, fn, kind, fields):
    parsed = parse_message(_message(fn))
    assert parsed is not None and parsed.kind == kind
    for field, value in fields.items():
        assert getattr(parsed, field) == value


@pytest.mark.parametrize("text", ["division by zero", "name 'x' is not defined", ""])
def test_parse_message_ignores_other_errors(text):
    assert parse_message(text) is None


@pytest.mark.parametrize(
    "left, right",
    [((5, 784), (784, 10)), ((784,), (784, 10)), ((5, 784), (784,)), ((2, 1, 3, 4), (5, 4, 6))],
)
def test_matmul_shape_agrees_with_torch(left, right):
    assert matmul_shape(left, right) == tuple((torch.empty(left) @ torch.empty(right)).shape)


def test_matmul_shape_rejects_what_torch_rejects():
    assert matmul_shape((5, 784), (10, 784)) is None
    assert matmul_shape((), (3,)) is None


@pytest.mark.parametrize("name, fn, kind, fields", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_a_hint_needs_no_traceback(name, fn, kind, fields):
    """Without source or frames (a compiled caller, a pickled error) the message still serves."""
    hint = hint_for_exception(RuntimeError(_message(fn)))
    assert hint is not None and hint.kind == kind and hint.explanation and not hint.fix
    assert hint.line == "" and all(row.shape is None for row in hint.rows if row.label == "?")
    hint.to_text(), hint.to_html()
