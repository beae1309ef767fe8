# ruff: noqa: E501  (a table: one mistake per row reads better than wrapped rows)
"""Typical learner mistakes in the lesson's setting, each with the result it was after.

One row per mistake: (what went wrong, the names the line uses, the failing line, the shape
the line was after, whether a hint may offer a fix). ``tests/test_hints_fixes.py`` runs each
line, takes its hint, and where the hint offers a ``fix:`` applies it to the line and checks
that the fixed line runs and gives the wanted shape; where no fix is right (False), the hint
must offer none and explain the clash instead.

Names map to a shape (a ``torch.randn`` of it) or to source for other values (a layer).
The lesson's names: ``a`` a batch of 5 flattened images (5, 784), ``w`` weights (784, 10),
``bias`` (10,), ``c`` the (5, 10) result filled row by row.
"""

from __future__ import annotations

LESSON = {"a": (5, 784), "w": (784, 10), "bias": (10,), "c": (5, 10)}

# fmt: off
CORPUS = [
    # ---- transposed operands
    ("weights transposed twice", {**LESSON}, "y = a @ w.T", (5, 10), True),
    ("weights stored (out, in)", {"a": (5, 784), "w": (10, 784)}, "y = a @ w", (5, 10), True),
    ("operands swapped", {**LESSON}, "y = w @ a", (5, 10), True),
    ("mm with a stray .T", {**LESSON}, "y = torch.mm(a, w.T)", (5, 10), True),
    ("matmul with a stray .t()", {**LESSON}, "y = torch.matmul(a, w.t())", (5, 10), True),
    ("method form, (out, in) weights", {"a": (5, 784), "w": (10, 784)}, "y = a.mm(w)", (5, 10), True),
    ("a batch of (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)}, "y = p @ q", (2, 5, 10), True),
    ("bmm of (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)}, "y = torch.bmm(p, q)", (2, 5, 10), True),
    ("F.linear with (in, out) weights", {**LESSON}, "y = F.linear(a, w)", (5, 10), True),
    ("square-ish: which side to flip is a guess", {"m": (3, 4), "n": (3, 4)}, "y = m @ n", (3, 3), False),
    ("a Gram matrix, unflipped", {**LESSON}, "y = a @ a", (5, 5), False),
    ("matrix times a vector of the wrong length", {"a": (5, 784), "v": (10,)}, "y = a @ v", (5,), False),
    ("matmul with a 0-d tensor", {"s": (), "x": (3,)}, "y = s @ x", (3,), True),
    # ---- a missing or extra None
    ("the lesson's row broadcast without its axis", {**LESSON}, "y = (a[0] * w).sum(0)", (10,), True),
    ("the lesson's loop body, same slip", {**LESSON}, "c[0] = (a[0] * w).sum(dim=0)", (10,), True),
    ("the issue's case: outer axes, (out, in) weights", {"a": (5, 784), "b": (10, 784)},
     "y = (a[:, :, None] * b[None]).sum(1)", (5, 10), True),
    ("None in the middle instead of at the end", {**LESSON}, "y = (a[:, None] * w).sum(-2)", (5, 10), True),
    ("outer axes without the sum: not evident", {**LESSON}, "y = a[:, None] * w[None]", (5, 784, 10), False),
    ("scale rows by a vector", {"x": (784,), "w": (784, 10)}, "y = x * w", (784, 10), True),
    ("add a per-row bias", {"w": (784, 10), "rowbias": (784,)}, "y = w + rowbias", (784, 10), True),
    ("centre rows: mean without keepdim", {"a": (5, 784)}, "y = a - a.mean(1)", (5, 784), True),
    ("normalize rows: sum without keepdim", {"a": (5, 784)}, "y = a / a.sum(1)", (5, 784), True),
    ("softmax by hand", {"a": (5, 10)}, "y = a.exp() / a.exp().sum(1)", (5, 10), True),
    ("a bias of the wrong size", {"a": (5, 784), "bias": (10,)}, "y = a + bias", (5, 784), False),
    ("vectors of different lengths", {"x": (3,), "z": (4,)}, "y = x + z", (3, 4), False),
    ("matrices transposed to each other", {"m": (3, 4), "n": (4, 3)}, "y = m + n", (3, 4), False),
    ("an extra None on the vector", {"x": (784,), "w": (784, 10)}, "y = (x[None] * w).sum(0)", (10,), True),
    # ---- the wrong sum dim
    ("sum over the wrong dim, into a row of c", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(1)", (10,), True),
    ("sum over the wrong dim, keyword", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(dim=1)", (10,), True),
    ("sum over the wrong dim, then the bias", {**LESSON}, "y = (a[0, :, None] * w).sum(1) + bias", (10,), True),
    ("sum over the wrong dim, negative", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(-1)", (10,), True),
    ("sum over the wrong dim, parenthesised", {**LESSON}, "c[0] = (a[0, :, None] * w).sum((1))", (10,), True),
    ("a row that cannot fit", {**LESSON}, "c[0] = a[0]", (10,), False),
    # ---- an einsum spec that does not match the operands
    ("einsum on w.T", {**LESSON}, "y = torch.einsum('ik,kj->ij', a, w.T)", (5, 10), True),
    ("einsum with w's subscripts flipped", {**LESSON}, "y = torch.einsum('ik,jk->ij', a, w)", (5, 10), True),
    ("einsum, implicit output, on w.T", {**LESSON}, "y = torch.einsum('ik,kj', a, w.T)", (5, 10), True),
    ("einsum with the operands swapped", {**LESSON}, "y = torch.einsum('ij,jk->ik', w, a)", (5, 10), False),
    ("batched einsum on (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)},
     "y = torch.einsum('bik,bkj->bij', p, q)", (2, 5, 10), False),
    ("einsum with a vector for a matrix", {"a": (5, 784), "v": (784,)},
     "y = torch.einsum('ik,kj->ij', a, v)", (5,), False),
    # ---- a view with the wrong size
    ("view to images, one side off", {"a": (5, 784)}, "y = a.view(5, 28, 27)", (5, 28, 28), False),
    ("view with -1 that cannot divide", {"a": (5, 784)}, "y = a.view(-1, 28, 27)", (5, 28, 28), False),
    ("view one image from the batch", {"a": (5, 784)}, "y = a.view(28, 28)", (28, 28), False),
    ("view of a transposed tensor", {"a": (5, 784)}, "y = a.T.view(-1)", (3920,), True),
    ("expand a column that is a row", {"v": (5,)}, "y = v.expand(5, 784)", (5, 784), True),
    # ---- nn.Linear in-features
    ("images not flattened", {"lin": "nn.Linear(784, 10)", "imgs": (5, 28, 28)}, "y = lin(imgs)", (5, 10), True),
    ("a model's images not flattened",
     {"model": "nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))", "imgs": (5, 28, 28)},
     "y = model(imgs)", (5, 10), True),
    ("the batch transposed", {"lin": "nn.Linear(784, 10)", "a": (5, 784)}, "y = lin(a.T)", (5, 10), True),
    ("features of the wrong size", {"lin": "nn.Linear(784, 10)", "h": (5, 10)}, "y = lin(h)", (5, 10), False),
    ("a hidden layer fed the input size",
     {"model": "nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))", "h": (5, 50)},
     "y = model(h)", (5, 10), False),
    # ---- torch.cat and torch.stack
    ("cat rows stored as columns", {"a": (5, 784), "more": (784, 3)}, "y = torch.cat([a, more])", (8, 784), True),
    ("cat with a stray .T", {"a": (5, 784), "extra": (3, 784)}, "y = torch.cat([a, extra.T])", (8, 784), True),
    ("cat a single row", {"a": (5, 784), "row": (784,)}, "y = torch.cat([a, row])", (6, 784), True),
    ("cat columns, dim forgotten", {"x1": (5, 3), "x2": (5, 4)}, "y = torch.cat([x1, x2])", (5, 7), True),
    ("cat along the dim written, sizes differ", {"x1": (5, 3), "x2": (4, 4)},
     "y = torch.cat([x1, x2], dim=0)", (9, 3), False),
    ("stack with a stray .T", {"a": (5, 784), "e": (5, 784)}, "y = torch.stack([a, e.T])", (2, 5, 784), True),
    ("stack of different sizes", {"a": (5, 784), "f": (10, 784)}, "y = torch.stack([a, f])", (2, 5, 784), False),
    ("stack a transposed twin: which one is a guess", {"a": (5, 784), "f": (784, 5)},
     "y = torch.stack([a, f])", (2, 5, 784), False),
    # ---- batches
    ("bmm with a weight matrix", {"p": (2, 5, 784), "w": (784, 10)}, "y = torch.bmm(p, w)", (2, 5, 10), True),
    ("mm with a batch", {"p": (2, 5, 784), "w": (784, 10)}, "y = torch.mm(p, w)", (2, 5, 10), True),
]
# fmt: on
