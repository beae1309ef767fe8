# ruff: noqa: E501  (a table: one mistake per row reads better than wrapped rows)
"""Typical learner mistakes in the lesson's setting, each with the expression it was after.

One row per mistake: (what went wrong, the names the line uses, the failing line, the
expression the line was after, whether a hint may offer a fix). ``tests/test_hints_fixes.py``
runs each line, takes its hint, and where the hint offers a ``fix:`` applies it to the line
and checks that the fixed line runs and computes the *values* of the intended expression,
not only its shape. Where no fix is certainly right (False), the hint must offer none and
explain the clash instead; the intended expression is then one reading of the line (it
must still run), which the hint cannot know.

Names map to a shape (a tensor of small integers, so every product is exact in float32) or
to source for other values (a layer). The lesson's names: ``a`` a batch of 5 flattened
images (5, 784), ``w`` weights (784, 10), ``bias`` (10,), ``c`` the (5, 10) result filled
row by row; issue 22's ``m1`` (5, 784) and ``m2`` (784, 10).
"""

from __future__ import annotations

LESSON = {"a": (5, 784), "w": (784, 10), "bias": (10,), "c": (5, 10)}
ISSUE = {"m1": (5, 784), "m2": (784, 10)}

# fmt: off
CORPUS = [
    # ---- transposed operands
    ("weights transposed twice", {**LESSON}, "y = a @ w.T", "a @ w", True),
    ("weights stored (out, in)", {"a": (5, 784), "w": (10, 784)}, "y = a @ w", "a @ w.T", True),
    ("operands swapped", {**LESSON}, "y = w @ a", "a @ w", True),
    ("mm with a stray .T", {**LESSON}, "y = torch.mm(a, w.T)", "torch.mm(a, w)", True),
    ("matmul with a stray .t()", {**LESSON}, "y = torch.matmul(a, w.t())", "torch.matmul(a, w)", True),
    ("method form, (out, in) weights", {"a": (5, 784), "w": (10, 784)}, "y = a.mm(w)", "a.mm(w.T)", True),
    ("a batch of (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)}, "y = p @ q", "p @ q.mT", True),
    ("bmm of (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)}, "y = torch.bmm(p, q)", "torch.bmm(p, q.mT)", True),
    ("F.linear with (in, out) weights", {**LESSON}, "y = F.linear(a, w)", "F.linear(a, w.T)", True),
    ("square-ish: which side to flip is a guess", {"m": (3, 4), "n": (3, 4)}, "y = m @ n", "m @ n.T", False),
    ("a Gram matrix, unflipped", {**LESSON}, "y = a @ a", "a @ a.T", False),
    ("matrix times a vector of the wrong length", {"a": (5, 784), "v": (10,)}, "y = a @ v", "a[:, :10] @ v", False),
    ("matmul with a 0-d tensor", {"s": (), "x": (3,)}, "y = s @ x", "s * x", True),
    ("a stray .permute(1, 0)", {**ISSUE}, "y = m1 @ m2.permute(1, 0)", "m1 @ m2", True),
    ("a stray .transpose(-1, -2), mm", {**ISSUE}, "y = torch.mm(m1, m2.transpose(-1, -2))", "torch.mm(m1, m2)", True),
    ("a product's operand summed: which sum is a guess", {**ISSUE}, "y = m1 @ m2.sum(0)", "(m1 @ m2).sum(0)", False),
    # ---- a missing or extra None
    ("the lesson's row broadcast without its axis", {**LESSON}, "y = (a[0] * w).sum(0)", "a[0] @ w", True),
    ("the lesson's loop body, same slip", {**LESSON}, "c[0] = (a[0] * w).sum(dim=0)", "a[0] @ w", True),
    ("the issue's case: outer axes, (out, in) weights", {"a": (5, 784), "b": (10, 784)},
     "y = (a[:, :, None] * b[None]).sum(1)", "a @ b.T", True),
    ("None in the middle instead of at the end", {**LESSON}, "y = (a[:, None] * w).sum(-2)", "a @ w", True),
    ("outer axes without the sum: not evident", {**LESSON}, "y = a[:, None] * w[None]", "a[:, :, None] * w[None]", False),
    ("scale rows by a vector", {"x": (784,), "w": (784, 10)}, "y = x * w", "x[:, None] * w", True),
    ("add a per-row bias", {"w": (784, 10), "rowbias": (784,)}, "y = w + rowbias", "w + rowbias[:, None]", True),
    ("centre rows: mean without keepdim", {"a": (5, 784)}, "y = a - a.mean(1)", "a - a.mean(1, keepdim=True)", True),
    ("normalize rows: sum without keepdim", {"a": (5, 784)}, "y = a / a.sum(1)", "a / a.sum(1, keepdim=True)", True),
    ("softmax by hand", {"a": (5, 10)}, "y = a.exp() / a.exp().sum(1)", "a.exp() / a.exp().sum(1, keepdim=True)", True),
    ("a bias of the wrong size", {"a": (5, 784), "bias": (10,)}, "y = a + bias", "a @ torch.ones(784, 10) + bias", False),
    ("vectors of different lengths", {"x": (3,), "z": (4,)}, "y = x + z", "x[:, None] + z", False),
    ("matrices transposed to each other", {"m": (3, 4), "n": (4, 3)}, "y = m + n", "m + n.T", False),
    ("an extra None on the vector", {"x": (784,), "w": (784, 10)}, "y = (x[None] * w).sum(0)", "x @ w", True),
    # ---- the wrong sum dim
    ("sum over the wrong dim, into a row of c", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(1)", "a[0] @ w", True),
    ("sum over the wrong dim, keyword", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(dim=1)", "a[0] @ w", True),
    ("sum over the wrong dim, then the bias", {**LESSON}, "y = (a[0, :, None] * w).sum(1) + bias", "a[0] @ w + bias", True),
    ("sum over the wrong dim, negative", {**LESSON}, "c[0] = (a[0, :, None] * w).sum(-1)", "a[0] @ w", True),
    ("sum over the wrong dim, parenthesised", {**LESSON}, "c[0] = (a[0, :, None] * w).sum((1))", "a[0] @ w", True),
    ("a row that cannot fit", {**LESSON}, "c[0] = a[0]", "a[0] @ w", False),
    # ---- an einsum spec that does not match the operands
    ("einsum on w.T", {**LESSON}, "y = torch.einsum('ik,kj->ij', a, w.T)", "a @ w", True),
    ("einsum with w's subscripts flipped", {**LESSON}, "y = torch.einsum('ik,jk->ij', a, w)", "a @ w", True),
    ("einsum, implicit output, on w.T", {**LESSON}, "y = torch.einsum('ik,kj', a, w.T)", "a @ w", True),
    ("einsum with the operands swapped", {**LESSON}, "y = torch.einsum('ij,jk->ik', w, a)", "a @ w", False),
    ("batched einsum on (out, in) weights", {"p": (2, 5, 784), "q": (2, 10, 784)},
     "y = torch.einsum('bik,bkj->bij', p, q)", "p @ q.mT", True),
    ("einsum with a vector for a matrix", {"a": (5, 784), "v": (784,)},
     "y = torch.einsum('ik,kj->ij', a, v)", "a @ v", False),
    # ---- a view with the wrong size
    ("view to images, one side off", {"a": (5, 784)}, "y = a.view(5, 28, 27)", "a.view(5, 28, 28)", False),
    ("view with -1 that cannot divide", {"a": (5, 784)}, "y = a.view(-1, 28, 27)", "a.view(-1, 28, 28)", False),
    ("view one image from the batch", {"a": (5, 784)}, "y = a.view(28, 28)", "a[0].view(28, 28)", False),
    ("view of a transposed tensor", {"a": (5, 784)}, "y = a.T.view(-1)", "a.T.reshape(-1)", True),
    ("expand a column that is a row", {"v": (5,)}, "y = v.expand(5, 784)", "v[:, None].expand(5, 784)", True),
    # ---- nn.Linear in-features
    ("images not flattened", {"lin": "nn.Linear(784, 10)", "imgs": (5, 28, 28)}, "y = lin(imgs)", "lin(imgs.flatten(1))", True),
    ("a model's images not flattened",
     {"model": "nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))", "imgs": (5, 28, 28)},
     "y = model(imgs)", "model(imgs.flatten(1))", True),
    ("the batch transposed", {"lin": "nn.Linear(784, 10)", "a": (5, 784)}, "y = lin(a.T)", "lin(a)", True),
    ("features of the wrong size", {"lin": "nn.Linear(784, 10)", "h": (5, 10)}, "y = lin(h)", "lin(h @ torch.ones(10, 784))", False),
    ("a hidden layer fed the input size",
     {"model": "nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))", "h": (5, 50)},
     "y = model(h)", "model[2](h)", False),
    # ---- torch.cat and torch.stack
    ("cat rows stored as columns", {"a": (5, 784), "more": (784, 3)}, "y = torch.cat([a, more])", "torch.cat([a, more.T])", True),
    ("cat with a stray .T", {"a": (5, 784), "extra": (3, 784)}, "y = torch.cat([a, extra.T])", "torch.cat([a, extra])", True),
    ("cat a single row", {"a": (5, 784), "row": (784,)}, "y = torch.cat([a, row])", "torch.cat([a, row[None]])", True),
    ("cat columns, dim forgotten", {"x1": (5, 3), "x2": (5, 4)}, "y = torch.cat([x1, x2])", "torch.cat([x1, x2], dim=1)", True),
    ("cat along the dim written, sizes differ", {"x1": (5, 3), "x2": (4, 4)},
     "y = torch.cat([x1, x2], dim=0)", "torch.cat([x1, x2[:, :3]], dim=0)", False),
    ("stack with a stray .T", {"a": (5, 784), "e": (5, 784)}, "y = torch.stack([a, e.T])", "torch.stack([a, e])", True),
    ("stack of different sizes", {"a": (5, 784), "f": (10, 784)}, "y = torch.stack([a, f])", "torch.stack([a, f[:5]])", False),
    ("stack a transposed twin: which one is a guess", {"a": (5, 784), "f": (784, 5)},
     "y = torch.stack([a, f])", "torch.stack([a, f.T])", False),
    # ---- batches
    ("bmm with a weight matrix", {"p": (2, 5, 784), "w": (784, 10)}, "y = torch.bmm(p, w)", "p @ w", True),
    ("mm with a batch", {"p": (2, 5, 784), "w": (784, 10)}, "y = torch.mm(p, w)", "p @ w", True),
    # ---- issue 22: view/reshape taken for a transpose (the fix uses the tensor as it was)
    ("view taken for a transpose, right operand", {**ISSUE}, "y = m1 @ m2.view(10, 784)", "m1 @ m2", True),
    ("reshape with -1 taken for a transpose", {**ISSUE}, "y = m1 @ m2.reshape(-1, 784)", "m1 @ m2", True),
    ("view taken for a transpose, left operand", {**ISSUE}, "y = m1.view(784, 5) @ m2", "m1 @ m2", True),
    ("reshape with -1 on the left, mm", {**ISSUE}, "y = torch.mm(m1.reshape(784, -1), m2)", "torch.mm(m1, m2)", True),
    ("view taken for a transpose in einsum", {**ISSUE},
     "y = torch.einsum('ik,kj->ij', m1, m2.view(10, 784))", "torch.einsum('ik,kj->ij', m1, m2)", True),
    ("view to undo a .T: reshape would reinterpret", {**ISSUE}, "y = m1 @ m2.T.view(784, 10)", "m1 @ m2", False),
    ("reshape to undo a .T, sizes unchanged", {**ISSUE}, "y = m1 @ m2.T.reshape(10, 784)", "m1 @ m2", False),
    ("a view that reorders, and nothing uncut fits", {"m1": (5, 784), "n": (10, 5)},
     "y = m1 @ n.view(5, 10)", "m1[:, :10] @ n", False),
    ("F.linear with a weight viewed as its transpose", {"a": (5, 784), "w": (10, 784)},
     "y = F.linear(a, w.view(784, 10))", "F.linear(a, w)", True),
    ("F.linear, a reshaped weight is never transposed", {"a": (5, 784), "wt": (784, 10)},
     "y = F.linear(a, wt.reshape(784, 10))", "F.linear(a, wt.T)", False),
    # ---- issue 22: a slice on the axis the product sums over (the fix cuts the other axis)
    ("columns sliced as rows", {**ISSUE}, "y = m1 @ m2[:5]", "m1 @ m2[:, :5]", True),
    ("columns sliced as rows, mm, a range", {**ISSUE}, "y = torch.mm(m1, m2[2:7])", "torch.mm(m1, m2[:, 2:7])", True),
    ("rows sliced as columns, left operand", {"x": (50, 784), "m2": (784, 10)}, "y = x[:, :3] @ m2", "x[:3] @ m2", True),
    ("columns sliced as rows in einsum", {**ISSUE},
     "y = torch.einsum('ik,kj->ij', m1, m2[:5])", "torch.einsum('ik,kj->ij', m1, m2[:, :5])", True),
    ("more columns sliced than there are", {**ISSUE}, "y = m1 @ m2[:20]", "m1 @ m2", False),
    ("inputs cut alike on both sides, weights stored (out, in)", {"x": (5, 784), "w": (10, 784)},
     "y = x[:, :100] @ w[:, :100]", "x[:, :100] @ w[:, :100].T", True),
    # ---- a slice on the axis an elementwise op matches: no new axis (the values would differ)
    ("a vector cut short, broadcast over rows", {"x": (3, 4), "v": (4,)}, "y = x + v[:3]", "x + v", False),
    ("a bias cut short, multiplied", {"x": (5, 10), "b": (10,)}, "y = x * b[:5]", "x * b", False),
    ("a matrix's columns cut, added", {"x": (3, 4), "w": (3, 4)}, "y = x + w[:, :3]", "x + w", False),
    # ---- issue 22: the operand whose last size is already the inner size is left alone
    ("a batch axis, then a slice on the wrong axis", {**ISSUE},
     "y = torch.matmul(m1[None], m2[:5])", "torch.matmul(m1[None], m2[:, :5])", True),
    ("batched product, slice on the wrong axis", {"p": (2, 5, 784), "q": (2, 784, 10)},
     "y = p @ q[:, :5]", "p @ q[:, :, :5]", True),
    ("bmm, slice on the wrong axis", {"p": (2, 5, 784), "q": (2, 784, 10)},
     "y = torch.bmm(p, q[:, :5])", "torch.bmm(p, q[:, :, :5])", True),
    ("both operands sliced alike, one on the wrong axis", {**ISSUE}, "y = m1[:3] @ m2[:3]", "m1[:3] @ m2[:, :3]", True),
    ("a cut that matches the batch by chance", {**ISSUE}, "y = m2[:5] @ m1", "m1 @ m2[:, :5]", False),
    ("einsum, a cut that matches the batch by chance", {**ISSUE},
     "y = torch.einsum('ik,kj->ij', m2[:5], m1)", "torch.einsum('ik,kj->ij', m1, m2[:, :5])", False),
    # ---- issue 22: batched operands to mm/bmm/mv (the fix keeps the result, or says it changes)
    ("mm with a stray None on the right", {**ISSUE}, "y = torch.mm(m1, m2[None])", "torch.mm(m1, m2)", True),
    ("mm with a stray None on the left", {**ISSUE}, "y = torch.mm(m1[None], m2)", "torch.mm(m1, m2)", True),
    ("mv with a row for a vector", {"m1": (5, 784), "v": (784,)}, "y = torch.mv(m1, v[None])", "torch.mv(m1, v)", True),
    ("mv, method form, a column for a vector", {"m1": (5, 784), "v": (784,)}, "y = m1.mv(v[:, None])", "m1.mv(v)", True),
    ("mv with a batch of matrices", {"p": (2, 5, 784), "v": (784,)}, "y = torch.mv(p, v)", "p @ v", True),
    ("bmm with a single matrix first", {"m1": (5, 784), "q": (2, 784, 10)}, "y = torch.bmm(m1, q)", "m1 @ q", True),
    # ---- issue 22: einsum subscripts swapped on one operand
    ("einsum with the first operand's subscripts swapped", {**ISSUE},
     "y = torch.einsum('ki,kj->ij', m1, m2)", "m1 @ m2", True),
    ("einsum, other letters, second operand swapped", {**ISSUE},
     "y = torch.einsum('ij,kj->ik', m1, m2)", "m1 @ m2", True),
    ("batched einsum with the last two subscripts swapped", {"p": (2, 5, 784), "q": (2, 784, 10)},
     "y = torch.einsum('bik,bjk->bij', p, q)", "p @ q", True),
    ("einsum, square-ish: which operand was swapped is a guess", {"m": (3, 4), "n": (4, 3)},
     "y = torch.einsum('ki,kj->ij', m, n)", "m @ n", False),
]

# Issue 22's families, each with cases of its own (names of rows above).
FAMILIES = {
    "view/reshape used as a transpose": [
        "view taken for a transpose, right operand", "reshape with -1 taken for a transpose",
        "view taken for a transpose, left operand", "reshape with -1 on the left, mm",
        "view taken for a transpose in einsum", "view to undo a .T: reshape would reinterpret",
        "reshape to undo a .T, sizes unchanged", "a view that reorders, and nothing uncut fits",
        "F.linear with a weight viewed as its transpose",
        "F.linear, a reshaped weight is never transposed",
    ],
    "a slice on the axis an elementwise op matches": [
        "a vector cut short, broadcast over rows", "a bias cut short, multiplied",
        "a matrix's columns cut, added",
    ],
    "a slice on the wrong axis": [
        "columns sliced as rows", "columns sliced as rows, mm, a range",
        "rows sliced as columns, left operand", "columns sliced as rows in einsum",
        "more columns sliced than there are",
        "inputs cut alike on both sides, weights stored (out, in)",
    ],
    "a transpose of the operand whose last size is already the inner size": [
        "a batch axis, then a slice on the wrong axis", "batched product, slice on the wrong axis",
        "bmm, slice on the wrong axis", "both operands sliced alike, one on the wrong axis",
        "a cut that matches the batch by chance",
        "einsum, a cut that matches the batch by chance",
    ],
    "batched operands to mm/bmm/mv": [
        "mm with a stray None on the right", "mm with a stray None on the left",
        "mv with a row for a vector", "mv, method form, a column for a vector",
        "mv with a batch of matrices", "bmm with a single matrix first",
    ],
    "einsum subscripts swapped": [
        "einsum with the first operand's subscripts swapped",
        "einsum, other letters, second operand swapped",
        "batched einsum with the last two subscripts swapped",
        "einsum, square-ish: which operand was swapped is a guess",
    ],
}
# fmt: on
