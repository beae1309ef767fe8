"""Shape hints: torch's messages parsed, operands found without re-running, one fix each.

Every message is produced here by running the failing torch op, so a torch release that
rewords one fails these tests instead of silently losing its hint.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from matmul_magic.hints.messages import parse_message  # noqa: E402
from matmul_magic.hints.render import ShapeHint  # noqa: E402
from matmul_magic.hints.rules import hint_for_exception  # noqa: E402
from matmul_magic.hints.rules.matmul import matmul_shape  # noqa: E402


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


def _hint(source: str, namespace: dict) -> ShapeHint | None:
    """Run ``source`` as a cell would, catch its error, and build the hint from it."""
    import linecache

    filename = f"<hint-test-{abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with pytest.raises(Exception) as info:
        exec(compile(source, filename, "exec"), namespace)
    return hint_for_exception(info.value)


@pytest.fixture
def ns():
    return {
        "torch": torch,
        "a": torch.randn(5, 784),
        "b": torch.randn(784, 10),
        "w": torch.randn(784, 10),
        "c": torch.zeros(5, 10),
        "x": torch.randn(3),
    }


def test_matmul_hint_suggests_dropping_the_transpose(ns):
    hint = _hint("y = a @ w.T", ns)
    assert hint.kind == "matmul"
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("w.T", (10, 784))]
    # the inner sizes clash: a's last dim against w.T's first
    assert hint.rows[0].clash == {-1} and hint.rows[1].clash == {-2}
    assert hint.line == "y = a @ w.T" and hint.line[slice(*hint.mark)] == "@"


def test_broadcast_hint_adds_the_lessons_axis(ns):
    hint = _hint("for i in range(5):\n    y = (a[i]*b).sum(dim=0)", ns)
    assert hint.kind == "broadcast"
    assert hint.fix == "a[i] needs a trailing axis: a[i, :, None]"
    assert hint.line[slice(*hint.mark)] == "*"
    text = hint.to_text()
    assert "[784]" in text and "[10]" in text  # the clashing column, bracketed


def test_broadcast_hint_without_a_single_fix_states_the_rule(ns):
    hint = _hint("y = torch.ones(3, 3) + x.unsqueeze(0).expand(4, 3).T", ns)
    assert hint.kind == "broadcast"
    assert hint.rows[0].label == "torch.ones(3, 3)" and hint.rows[0].shape is None  # a call: '?'
    assert "must be equal or one of them 1" in hint.explanation and hint.fix == ""


def test_broadcast_hint_with_known_shapes_and_no_axis_fix_names_the_clash(ns):
    ns.update(p=torch.randn(3, 4), q=torch.randn(2, 5))  # no added axis can fix this
    hint = _hint("y = p + q", ns)
    assert hint.kind == "broadcast"
    assert hint.fix == "" and hint.edit is None
    assert hint.explanation == "dimension -1: 4 and 5 clash: sizes must be equal or one of them 1."
    assert hint.rows[0].clash == {-2, -1} and hint.rows[1].clash == {-2, -1}


def test_mm_call_hint_marks_the_function_name(ns):
    hint = _hint("y = torch.mm(a,\n    w.T)", ns)
    assert hint.line[slice(*hint.mark)] == "mm"
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"


def test_matmul_hint_suggests_swapping_operands(ns):
    hint = _hint("y = b @ a", ns)
    assert hint.fix.startswith("did you mean a @ b?")


def test_bmm_rank_hint_suggests_a_leading_axis(ns):
    ns["batch"] = torch.randn(2, 5, 784)
    hint = _hint("y = torch.bmm(batch, w)", ns)
    assert hint.kind == "rank"
    assert hint.fix.startswith("w needs a leading batch axis: w[None].expand(2, -1, -1)")


def test_einsum_hint_respells_the_spec(ns):
    hint = _hint("y = torch.einsum('ik,jk->ij', a, w)", ns)
    assert hint.kind == "einsum"
    assert hint.fix == "w is (784, 10), so its subscripts read 'kj': did you mean 'ik,kj->ij'?"
    assert hint.rows[1].subscripts == ("j", "k") and hint.rows[1].clash == {-1}
    assert "[k=10]" in hint.to_text()


def test_einsum_hint_drops_a_transpose(ns):
    hint = _hint("y = torch.einsum('ik,kj->ij', a, w.T)", ns)
    assert hint.fix == "did you mean w (784, 10) instead of w.T?"


def test_einsum_operand_count_hint(ns):
    hint = _hint("y = torch.einsum('ik,kj->ij', a)", ns)
    assert hint.explanation == "the spec names 2 operands but 1 was given."


def test_expand_hint_adds_an_axis(ns):
    hint = _hint("y = x.expand(4, 3, 5)", ns)
    assert hint.kind == "expand"
    assert hint.fix == "x needs a trailing axis: x[:, None]"


def test_setitem_hint_names_the_target(ns):
    hint = _hint("c[0] = a[0]", ns)
    assert hint.kind == "expand"
    assert [row.label for row in hint.rows] == ["a[0]", "c[0]"]
    assert hint.explanation == (
        "c[0] has shape (10,): the value must broadcast to it, but a[0] is (784,)."
    )


def test_view_hints(ns):
    assert "3920 elements (5, 784)" in _hint("y = a.view(3, -1)", ns).explanation
    assert _hint("y = a.view(10, 10)", ns).explanation.startswith("(10, 10) holds 100 elements")
    stride = _hint("y = a.T.view(-1)", ns)
    assert "not contiguous (strides (1, 784))" in stride.fix
    assert stride.fixed_line() == "y = a.T.reshape(-1)"


def test_inplace_hint_suggests_a_new_tensor(ns):
    ns["big"] = torch.randn(3, 5, 784)
    hint = _hint("a += big", ns)
    assert hint.kind == "inplace"
    assert hint.fix == "" and "but a + big is (3, 5, 784)" in hint.explanation
    assert hint.rows[1].clash == {-3}


def test_operands_are_read_not_rerun(ns):
    calls = []

    def bump(t):
        calls.append(1)
        return t

    class Sneaky:
        @property
        def m(self):
            calls.append("property")
            return torch.randn(5, 784)

    ns.update(bump=bump, s=Sneaky())
    hint = _hint("y = bump(a) @ w.T", ns)
    assert calls == [1]  # once, by the failing line itself
    assert hint.rows[0].label == "bump(a)" and hint.rows[0].shape is None
    hint = _hint("y = s.m @ w.T", ns)
    assert calls == [1, "property"]
    assert hint.rows[0].shape is None and "?" in hint.to_text()


def test_operands_are_evaluated_on_meta_tensors(ns):
    hint = _hint("y = a.reshape(784, 5).t().unsqueeze(0)[..., None][0, :, :, 0] @ w.T", ns)
    assert hint.rows[0].shape == (5, 784)


def test_locals_of_a_function_frame_are_used(ns):
    hint = _hint("def f(p, q):\n    return p * q\nf(a[0], w)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("p", (784,)), ("q", (784, 10))]
    assert hint.fix == "p needs a trailing axis: p[:, None]"


def test_non_shape_errors_get_no_hint(ns):
    with pytest.raises(ZeroDivisionError) as info:
        exec("1 / 0", ns)
    assert hint_for_exception(info.value) is None


def test_html_escapes_user_text(ns):
    ns["<b>"] = None
    ns["evil"] = ns["a"]
    hint = _hint("y = evil @ w.T  # <script>alert(1)</script>", ns)
    html = hint.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'data-clash="true"' in html
    bundle = hint._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


def test_axis_fix_only_extends_an_index_that_keeps_trailing_axes(ns):
    # a[:, 0] keeps axis 0, so "a[:, 0, :, None]" would be wrong: index the result instead
    hint = _hint("y = a[:, 0] * w[:5]", ns)
    assert hint.fix == "a[:, 0] needs a trailing axis: a[:, 0][:, None]"


def test_batched_matmul_hint_points_at_the_batch_dims(ns):
    ns.update(p=torch.randn(2, 5, 784), q=torch.randn(3, 784, 10))
    hint = _hint("y = p @ q", ns)
    assert hint.kind == "broadcast"
    assert hint.rows[0].clash == {-3} and hint.rows[1].clash == {-3}
    assert "the batch dimensions (2,) and (3,) of p @ q must broadcast" in hint.explanation


def test_linear_hint_explains_the_weight_layout(ns):
    hint = _hint("y = torch.nn.functional.linear(a, w)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("w.T", (10, 784))]
    assert hint.fix == "linear(x, w) computes x @ w.T, so w is (out, in): pass w.T (10, 784)."


def test_bmm_fixes_respect_that_bmm_does_not_broadcast(ns):
    ns.update(p=torch.randn(2, 3, 4), q=torch.randn(3, 4, 6), r=torch.randn(2, 5, 4))
    hint = _hint("y = torch.bmm(p, q)", ns)
    assert hint.explanation == "the batch sizes (2,) and (3,) differ: torch.bmm needs them equal."
    assert hint.rows[0].clash == {-3} and hint.rows[1].clash == {-3}
    hint = _hint("y = torch.bmm(p, r)", ns)
    assert hint.fix == "did you mean r.mT (2, 4, 5)?"


def test_bmm_with_unreadable_operands_names_the_sizes_torch_quoted(ns):
    # Calls are never re-run, so the operands are unknown: the sentence comes from the message.
    hint = _hint("y = torch.bmm(torch.ones(2, 3, 4), torch.ones(3, 4, 5))", ns)
    assert hint.explanation == "torch.bmm needs equal batch sizes, and they are 2 and 3."
    hint = _hint("y = torch.bmm(torch.ones(2, 3, 4), torch.ones(2, 5, 6))", ns)
    assert hint.explanation == (
        "torch.bmm needs the first operand's last size (4) to equal the second's middle size (5)."
    )
    for call in (
        "torch.ones(3) @ torch.ones(3, 5, 4)",
        "torch.matmul(torch.ones(3), torch.ones(3, 5, 4))",
    ):
        hint = _hint(f"y = {call}", ns)  # broadcast into bmm by torch: only the inner sizes
        assert hint.explanation == (
            "a @ b needs a's last size (3) to equal b's second-to-last size (5)."
        )


def test_mm_swap_is_written_as_the_user_wrote_it(ns):
    hint = _hint("y = torch.mm(b, a)", ns)
    assert hint.fix.startswith("did you mean torch.mm(a, b)?")


def test_a_reraised_torch_error_is_explained_from_its_cause(ns):
    source = (
        "try:\n    y = a @ w.T\nexcept RuntimeError as err:\n    raise ValueError('bad') from err"
    )
    hint = _hint(source, ns)
    assert hint.kind == "matmul" and hint.line == "y = a @ w.T"


@pytest.mark.parametrize("name, fn, kind, fields", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_a_hint_needs_no_traceback(name, fn, kind, fields):
    """Without source or frames (a compiled caller, a pickled error) the message still serves."""
    hint = hint_for_exception(RuntimeError(_message(fn)))
    assert hint is not None and hint.kind == kind and hint.explanation and not hint.fix
    assert hint.line == "" and all(row.shape is None for row in hint.rows if row.label == "?")
    hint.to_text(), hint.to_html()


ODD_SITES = [
    "f = torch.mm\ny = f(a, w.T)",
    "import functools\ny = functools.reduce(torch.mm, [a, w.T])",
    "y = [a][0] @ w.T",
    "y = a.expand_as(*[torch.empty(4, 5)])",
    "y = torch.einsum(*['ik,kj->ij', a, w.T])",
    "y = a.view(*[3, -1])",
    "y = {'k': a}['k'] @ w.T",
    "y = (lambda: a)() + w",
]


@pytest.mark.parametrize("source", ODD_SITES)
def test_odd_call_sites_still_get_a_hint(ns, source):
    hint = _hint(source, ns)
    assert hint is not None and (hint.fix or hint.explanation)
    assert "torch.f(" not in hint.fix
    hint.to_text(), hint.to_html()


# ------------------------------------------------------------ fixes, checked by torch

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

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
    hint = _hint(source, dict(ns))
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

import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "hint_corpus", Path(__file__).resolve().parent / "hint_corpus.py"
)
hint_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hint_corpus)


def _given(names: dict) -> dict:
    nn = torch.nn
    ns = {"torch": torch, "nn": nn, "F": torch.nn.functional}
    for name, value in names.items():
        ns[name] = eval(value, dict(ns)) if isinstance(value, str) else torch.randn(value)
    return ns


def test_the_corpus_is_big_and_covers_each_kind_of_mistake():
    assert len(hint_corpus.CORPUS) >= 40
    assert sum(offered for *_, offered in hint_corpus.CORPUS) >= 25
    assert sum(not offered for *_, offered in hint_corpus.CORPUS) >= 10


@pytest.mark.parametrize(
    "what, names, line, wanted, offered", hint_corpus.CORPUS, ids=[m[0] for m in hint_corpus.CORPUS]
)
def test_every_offered_fix_gives_the_shape_the_line_was_after(what, names, line, wanted, offered):
    ns = _given(names)
    hint = _hint(line, dict(ns))
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
    value = eval(fixed.split("=", 1)[1], dict(ns))  # and gives what the line was after
    assert tuple(value.shape) == wanted, f"{fixed}  ->  {tuple(value.shape)}\n{text}"


def test_the_issues_wrong_fix_is_no_longer_offered():
    ns = _given({"a": (5, 784), "b": (10, 784)})
    hint = _hint("y = (a[:, :, None] * b[None]).sum(1)", ns)
    assert "[..., None]" not in hint.fix and "trailing axis" not in hint.fix
    assert hint.fixed_line() == "y = (a[:, :, None] * b[None].mT).sum(1)"


def test_the_linear_hint_names_the_expected_in_features():
    ns = _given({"lin": "nn.Linear(784, 10)", "h": (5, 10)})
    hint = _hint("y = lin(h)", ns)
    assert "in_features=784" in hint.explanation and "nn.Linear(784, 10)" in hint.explanation
    assert [(row.label, row.shape) for row in hint.rows] == [
        ("h", (5, 10)),
        ("lin weight.T", (784, 10)),
    ]
    ns = _given({"lin": "nn.Linear(784, 10)", "imgs": (5, 28, 28)})
    assert _hint("y = lin(imgs)", ns).fix == "imgs needs flattening to (5, 784): imgs.flatten(1)"


def test_unknown_method_receivers_are_shown_as_unknown_operands(ns):
    ns["bump"] = lambda t: t
    hint = _hint("y = bump(a).mm(w.T)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("bump(a)", None), ("w.T", (10, 784))]
    hint = _hint("y = torch.add(a, a[None, :, :3])", ns)
    assert hint.kind == "broadcast" and len(hint.rows) == 2


# ------------------------------------------------------------ hints never run user code


def test_hints_read_user_objects_statically_with_zero_extra_calls(ns):
    calls = {"getattribute": 0, "class": 0, "getattr": 0}

    class Box:
        def __init__(self, t):
            object.__setattr__(self, "t", t)

        def __getattribute__(self, name):
            calls["getattribute"] += 1
            return object.__getattribute__(self, name)

        def __getattr__(self, name):
            calls["getattr"] += 1
            raise AttributeError(name)

        @property
        def __class__(self):
            calls["class"] += 1
            return Box

    ns.update(bx=Box(torch.randn(3, 4)), d=torch.randn(5))
    with pytest.raises(RuntimeError) as info:
        exec(compile("y = bx.t + d", "<box>", "exec"), ns)
    before = dict(calls)  # the line itself read bx.t once
    import linecache

    linecache.cache["<box>"] = (12, None, ["y = bx.t + d\n"], "<box>")
    hint = hint_for_exception(info.value)
    assert calls == before, calls  # the hint added none
    assert [(row.label, row.shape) for row in hint.rows] == [("bx.t", (3, 4)), ("d", (5,))]


def test_a_tensor_subclass_is_read_without_its_torch_function(ns):
    seen = []

    class Logged(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            seen.append(getattr(func, "__name__", func))
            return super().__torch_function__(func, types, args, kwargs or {})

    ns["x"] = torch.randn(5, 784).as_subclass(Logged)
    with pytest.raises(RuntimeError) as info:
        exec(compile("y = x @ w.T", "<logged>", "exec"), ns)
    import linecache

    linecache.cache["<logged>"] = (11, None, ["y = x @ w.T\n"], "<logged>")
    seen.clear()
    hint = hint_for_exception(info.value)
    assert seen == []  # the subclass's own code never ran for the hint
    assert hint.line == "y = x @ w.T" and hint.fix == "did you mean w (784, 10) instead of w.T?"


def test_a_rewrapped_torch_error_is_explained_from_the_one_torch_raised(ns):
    source = (
        "try:\n    y = a @ w.T\n"
        "except RuntimeError as err:\n    raise RuntimeError(str(err)) from err"
    )
    hint = _hint(source, ns)
    assert hint.line == "y = a @ w.T" and hint.fixed_line() == "y = a @ w"


def test_a_user_raise_with_a_torch_like_message_gets_no_hint(ns):
    source = "raise RuntimeError(\"shape '[2, 3]' is invalid for input of size 5\")"
    assert _hint(source, ns) is None
    message = "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"
    source = f"def check():\n    raise RuntimeError({message!r})\ncheck()"
    assert _hint(source, ns) is None


def test_a_shape_error_inside_a_tensor_subclass_points_at_the_users_expression(ns):
    source = (
        "class Logged(torch.Tensor):\n"
        "    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n"
        "x = torch.randn(5, 784).as_subclass(Logged)\n"
        "y = x @ w.T\n"
    )
    hint = _hint(source, ns)
    assert hint.line == "y = x @ w.T"
    assert hint.fixed_line() == "y = x @ w"


def test_cat_and_stack_hints(ns):
    ns.update(more=torch.randn(784, 3), x1=torch.randn(5, 3), x2=torch.randn(4, 4))
    hint = _hint("y = torch.cat([a, more])", ns)
    assert hint.kind == "cat" and hint.fix == "did you mean more.T (3, 784)?"
    assert [(row.label, row.shape) for row in hint.rows] == [("a", (5, 784)), ("more", (784, 3))]
    assert hint.rows[1].clash == {-1}
    hint = _hint("y = torch.cat([x1, x2], dim=0)", ns)
    assert hint.fix == "" and hint.explanation == (
        "torch.cat joins along dimension 0: every other dimension must match, "
        "but tensor 1 has size 4 where the first has 3."
    )
    hint = _hint("y = torch.stack([a, w])", ns)
    assert hint.explanation == (
        "torch.stack needs equal shapes, but entry 0 is (5, 784) and entry 1 is (784, 10)."
    )
    hint = _hint("y = torch.cat([a, x])", ns)
    assert "same number of dimensions, not 2 and 1" in hint.explanation


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
    hint = _hint(line, dict(ns))
    assert hint is not None
    if not hint.fix:
        return
    value = eval(hint.fixed_line().split("=", 1)[1], dict(ns))
    want = a[0] @ w if "a[0" in line else a @ w
    if line == "y = b @ a" and value.shape == want.T.shape:
        want = want.T  # b @ a.T: the column convention W x, which that order asks for
    assert value.shape == want.shape and torch.allclose(value, want), (line, hint.fix)
