"""Shape hints' fixes checked by torch: random shapes, the lesson's product, learner mistakes."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hint_cells import hint_of  # noqa: E402

from matmul_magic.hints.rules.matmul import matmul_shape  # noqa: E402

hypothesis = pytest.importorskip("hypothesis")
import hint_corpus  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# ------------------------------------------------------------ fixes, checked by torch


_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(left=_shapes, right=_shapes, op=st.sampled_from(["*", "+", "@"]))
def test_every_suggested_fix_runs_under_torch(left, right, op):
    ns = {"p": torch.ones(left), "q": torch.ones(right)}
    source = f"y = p {op} q"
    try:
        exec(source, dict(ns))
        return  # no error, no hint
    except RuntimeError:
        pass
    hint = hint_of(source, dict(ns))
    assert hint is not None and (hint.fix or hint.explanation), source
    if hint.fix:
        value = eval(hint.fixed_line().split("=", 1)[1], {**ns, "torch": torch})
        shape = tuple(value.shape)
        if op == "@":
            assert shape == matmul_shape(*(tuple(value.shape) for value in _operands(hint, ns)))
        else:  # the smaller operand lined up with the bigger one, whose shape is kept
            assert shape in (left, right), (source, hint.fix)
    else:
        assert hint.edit is None
        assert any(w in hint.explanation for w in ("needs", "must", "clash", "scalar")), hint


def _operands(hint, ns):
    """The fixed product's operands, evaluated (the fix replaced one of them or swapped them)."""
    import ast

    node = ast.parse(hint.fixed_line()).body[0].value
    return [eval(ast.unparse(side), {**ns, "torch": torch}) for side in (node.left, node.right)]


# ------------------------------------------------------------ the corpus of learner mistakes


def _given(names: dict) -> dict:
    """The names as tensors of small integers (1 to 5, seeded): sums of their products are
    exact in float32, so a fixed line's values equal the intended ones on any CPU."""
    nn = torch.nn
    ns = {"torch": torch, "nn": nn, "F": torch.nn.functional}
    generator = torch.Generator().manual_seed(22)
    for name, value in names.items():
        if isinstance(value, str):
            ns[name] = eval(value, dict(ns))
        else:
            ns[name] = torch.randint(1, 6, value, generator=generator).float()
    return ns


def _rows(names):
    return [row for row in hint_corpus.CORPUS if row[0] in names]


def test_the_corpus_is_big_and_covers_each_kind_of_mistake():
    assert len(hint_corpus.CORPUS) >= 40
    assert sum(offered for *_, offered in hint_corpus.CORPUS) >= 25
    assert sum(not offered for *_, offered in hint_corpus.CORPUS) >= 10
    assert len({row[0] for row in hint_corpus.CORPUS}) == len(hint_corpus.CORPUS)


@pytest.mark.parametrize("family", hint_corpus.FAMILIES)
def test_each_family_of_issue_22_has_three_cases_of_its_own(family):
    names = hint_corpus.FAMILIES[family]
    assert len(_rows(names)) == len(names) >= 3, family
    others = {n for f, ns in hint_corpus.FAMILIES.items() if f != family for n in ns}
    assert not others & set(names), "a case counts for one family only"


@pytest.mark.parametrize(
    "what, names, line, intended, offered",
    hint_corpus.CORPUS,
    ids=[m[0] for m in hint_corpus.CORPUS],
)
def test_every_offered_fix_computes_the_intended_values(what, names, line, intended, offered):
    ns = _given(names)
    want = eval(intended, dict(ns))  # the intended expression runs, offered or not
    hint = hint_of(line, dict(ns))
    assert hint is not None, what
    text = hint.to_text()
    if not offered:
        assert hint.fix == "" and hint.edit is None and "fix:" not in text, text
        assert hint.explanation, text
        return
    assert hint.fix and "fix: " + hint.fix in text, text
    fixed = hint.fixed_line()
    assert fixed is not None and fixed != line, text
    after = dict(ns)
    exec(fixed, after)  # the fixed line runs
    value = eval(fixed.split("=", 1)[1], dict(ns))  # and computes what the line was after
    torch.testing.assert_close(value, want, msg=lambda m: f"{fixed}  vs  {intended}\n{m}\n{text}")
    if hint.fix.startswith("sum over dimension"):  # the call it quotes is the one it writes
        quoted = hint.fix.split(": ", 1)[1].rsplit(" is ", 1)[0]
        assert quoted in fixed, f"{hint.fix!r} does not quote {fixed!r}"


def test_the_value_check_catches_a_fix_of_the_right_shape_and_wrong_values():
    """The corpus test's oracle, on the issue's first example: the fix it used to offer has
    the intended shape, and assert_close tells it apart."""
    ns = _given(hint_corpus.ISSUE)
    wrong = eval("m1 @ m2.view(10, 784).T", dict(ns))
    want = eval("m1 @ m2", dict(ns))
    assert wrong.shape == want.shape
    with pytest.raises(AssertionError):
        torch.testing.assert_close(wrong, want)


def test_the_issues_wrong_fix_is_no_longer_offered():
    ns = _given({"a": (5, 784), "b": (10, 784)})
    hint = hint_of("y = (a[:, :, None] * b[None]).sum(1)", ns)
    assert "[..., None]" not in hint.fix and "trailing axis" not in hint.fix
    assert hint.fixed_line() == "y = (a[:, :, None] * b[None].mT).sum(1)"


def test_the_linear_hint_names_the_expected_in_features():
    ns = _given({"lin": "nn.Linear(784, 10)", "h": (5, 10)})
    hint = hint_of("y = lin(h)", ns)
    assert "in_features=784" in hint.explanation and "nn.Linear(784, 10)" in hint.explanation
    assert [(row.label, row.shape) for row in hint.rows] == [
        ("h", (5, 10)),
        ("lin weight.T", (784, 10)),
    ]
    ns = _given({"lin": "nn.Linear(784, 10)", "imgs": (5, 28, 28)})
    assert hint_of("y = lin(imgs)", ns).fix == "imgs needs flattening to (5, 784): imgs.flatten(1)"


_LESSON_PATTERNS = [  # the lesson's broadcast matmul, as learners write it (some right, most not)
    "y = (a[:, :, None] * b[None]).sum(1)",
    "y = (a[:, None] * b).sum(-2)",
    "y = (a[:, None, :] * b[None]).sum(-1)",
    "y = (a[:, :, None] * b).sum(1)",
    "y = (a[0] * b).sum(0)",
    "y = (a[0, :, None] * b).sum(1)",
    "y = (a[0][:, None] * b).sum(0)",
    "y = (a[0][None] * b).sum(0)",
    "y = a @ b",
    "y = b @ a",
    "y = torch.einsum('ik,kj->ij', a, b)",
]


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 7), min_size=3, max_size=3, unique=True),
    stored_transposed=st.booleans(),
    line=st.sampled_from(_LESSON_PATTERNS),
)
def test_a_fix_to_the_lessons_product_computes_that_product(sizes, stored_transposed, line):
    """The oracle is the product itself: a fixed line must give a @ w's values, where w is
    the (k, n) matrix that b holds (b is w, or w.T when stored (out, in))."""
    m, k, n = sizes
    a, w = torch.randn(m, k, dtype=torch.float64), torch.randn(k, n, dtype=torch.float64)
    ns = {"torch": torch, "a": a, "b": w.T.contiguous() if stored_transposed else w}
    try:
        exec(line, dict(ns))
        return  # it ran: no hint to check
    except RuntimeError:
        pass
    hint = hint_of(line, dict(ns))
    assert hint is not None
    if not hint.fix:
        return
    value = eval(hint.fixed_line().split("=", 1)[1], dict(ns))
    want = a[0] @ w if "a[0" in line else a @ w
    if line == "y = b @ a" and value.shape == want.T.shape:
        want = want.T  # b @ a.T: the column convention W x, which that order asks for
    assert value.shape == want.shape and torch.allclose(value, want), (line, hint.fix)


def _fix_sites() -> set[tuple[str, int]]:
    """Every place in the hints that writes a ``Fix(...)``: (file name, line)."""
    import ast
    from pathlib import Path

    import matmul_magic.hints as hints

    sites = set()
    for path in Path(hints.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Fix":
                sites.add((path.name, node.lineno))
    return sites


def test_every_kind_of_fix_is_offered_somewhere_in_the_corpus(monkeypatch):
    """So the corpus test above applies each of them: a new kind of fix needs a corpus row."""
    import sys

    from matmul_magic.hints import fixes, intent
    from matmul_magic.hints.rules import einsum, join, matmul, view

    made: dict[str, tuple[str, int]] = {}

    class RecordedFix(fixes.Fix):
        def __init__(self, text, node, replacement):
            caller = sys._getframe(1)
            made[text] = (caller.f_code.co_filename.rsplit("/", 1)[-1], caller.f_lineno)
            super().__init__(text, node, replacement)

    for module in (fixes, intent, einsum, join, matmul, view):
        monkeypatch.setattr(module, "Fix", RecordedFix)
    offered = set()
    for _, names, line, _, expected in hint_corpus.CORPUS:
        hint = hint_of(line, _given(names))
        if expected and hint is not None and hint.fix:
            offered.add(made[hint.fix])
    sites = _fix_sites()
    assert len(sites) >= 10
    assert sites - offered == set(), "fixes no corpus row offers (add a row for each)"
