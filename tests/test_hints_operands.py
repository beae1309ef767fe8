"""Shape hints read the failing line's operands without re-running or trusting user code."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hint_cells import hint_of  # noqa: E402

from matmul_magic.hints.rules import hint_for_exception  # noqa: E402


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
    hint = hint_of("y = bump(a) @ w.T", ns)
    assert calls == [1]  # once, by the failing line itself
    assert hint.rows[0].label == "bump(a)" and hint.rows[0].shape is None
    hint = hint_of("y = s.m @ w.T", ns)
    assert calls == [1, "property"]
    assert hint.rows[0].shape is None and "?" in hint.to_text()


def test_operands_are_evaluated_on_meta_tensors(ns):
    hint = hint_of("y = a.reshape(784, 5).t().unsqueeze(0)[..., None][0, :, :, 0] @ w.T", ns)
    assert hint.rows[0].shape == (5, 784)


def test_locals_of_a_function_frame_are_used(ns):
    hint = hint_of("def f(p, q):\n    return p * q\nf(a[0], w)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("p", (784,)), ("q", (784, 10))]
    assert hint.fix == "p needs a trailing axis: p[:, None]"


def test_non_shape_errors_get_no_hint(ns):
    with pytest.raises(ZeroDivisionError) as info:
        exec("1 / 0", ns)
    assert hint_for_exception(info.value) is None


def test_html_escapes_user_text(ns):
    ns["<b>"] = None
    ns["evil"] = ns["a"]
    hint = hint_of("y = evil @ w.T  # <script>alert(1)</script>", ns)
    html = hint.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'data-clash="true"' in html
    bundle = hint._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


def test_a_reraised_torch_error_is_explained_from_its_cause(ns):
    source = (
        "try:\n    y = a @ w.T\nexcept RuntimeError as err:\n    raise ValueError('bad') from err"
    )
    hint = hint_of(source, ns)
    assert hint.kind == "matmul" and hint.line == "y = a @ w.T"


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
    hint = hint_of(source, ns)
    assert hint is not None and (hint.fix or hint.explanation)
    assert "torch.f(" not in hint.fix
    hint.to_text(), hint.to_html()


def test_unknown_method_receivers_are_shown_as_unknown_operands(ns):
    ns["bump"] = lambda t: t
    hint = hint_of("y = bump(a).mm(w.T)", ns)
    assert [(row.label, row.shape) for row in hint.rows] == [("bump(a)", None), ("w.T", (10, 784))]
    hint = hint_of("y = torch.add(a, a[None, :, :3])", ns)
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
    hint = hint_of(source, ns)
    assert hint.line == "y = a @ w.T" and hint.fixed_line() == "y = a @ w"


def test_a_user_raise_with_a_torch_like_message_gets_no_hint(ns):
    source = "raise RuntimeError(\"shape '[2, 3]' is invalid for input of size 5\")"
    assert hint_of(source, ns) is None
    message = "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"
    source = f"def check():\n    raise RuntimeError({message!r})\ncheck()"
    assert hint_of(source, ns) is None


def test_a_shape_error_inside_a_tensor_subclass_points_at_the_users_expression(ns):
    source = (
        "class Logged(torch.Tensor):\n"
        "    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n"
        "x = torch.randn(5, 784).as_subclass(Logged)\n"
        "y = x @ w.T\n"
    )
    hint = hint_of(source, ns)
    assert hint.line == "y = x @ w.T"
    assert hint.fixed_line() == "y = x @ w"
