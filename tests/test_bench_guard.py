"""A raced function cannot break the race or the caller's data (issue 20, item 7).

In-place changes to the operands make that row incorrect and leave the caller's tensors as
they were; global settings a function changes are put back; long errors are clipped;
partials and callable objects are named after what they wrap.
"""

from __future__ import annotations

import functools
import json
import random

import numpy as np
import pytest
import torch
from bench_runner_common import SMALL, my_matmul

from matmul_magic.race import checking, guard
from matmul_magic.race.runner import bench

pytestmark = pytest.mark.usefixtures("no_mnist")


def _as_strided(a, b):
    a.as_strided_((2, 2), (1, 1))
    return a @ b


def _set(a, b):
    a.set_(torch.zeros(3, 3))
    return a @ b


def _data_assign(a, b):
    a.data = torch.zeros(a.shape, dtype=torch.float64)
    return a @ b


def _data_write(a, b):
    a.data.add_(1)  # .data does not move the version counter: only the values tell
    return (a - 1) @ b


HOSTILE = {
    "unsqueeze": lambda a, b: a.unsqueeze_(-1).squeeze(-1) @ b,
    "transpose": lambda a, b: a @ b.t_().t(),
    "resize": lambda a, b: a.resize_(1, 1) @ b[:1],
    "add": lambda a, b: a.add_(1) @ b,
    "as_strided": _as_strided,
    "set_": _set,
    "data_assign": _data_assign,
    "data_write": _data_write,
    "requires_grad": lambda a, b: a.requires_grad_() @ b,
}


def _fingerprint(t):
    return (t.shape, t.stride(), t.storage_offset(), t.dtype, t.data_ptr(), t.requires_grad)


@pytest.mark.parametrize("how", HOSTILE)
def test_an_in_place_change_of_an_input_marks_that_row_and_leaves_the_callers_tensors(how):
    fn = HOSTILE[how]
    fn.__name__ = "mine"
    a, b = torch.randn(5, 16), torch.randn(16, 4)
    before = [(_fingerprint(t), t.clone()) for t in (a, b)]
    result = bench(fn, my_matmul, a=a, b=b, course=False, budget=0.05)
    assert result["mine"].status == "incorrect", (result["mine"].error, result["mine"].note)
    assert "changed its input" in result["mine"].note and "in place" in result["mine"].note
    assert result["mine"].median is None
    assert result["my_matmul"].status == "ok", result["my_matmul"].note
    for t, (print_, values) in zip((a, b), before, strict=True):
        assert _fingerprint(t) == print_  # shape, strides, dtype, the very storage
        assert torch.equal(t, values)
    assert result.shapes == {"a": (5, 16), "b": (16, 4)}


def test_the_lessons_unsqueeze_no_longer_crashes_or_reshapes_the_callers_tensor():
    a, b = torch.rand(5, 784), torch.randn(784, 10)

    def mine(a, b):
        a.unsqueeze_(-1)
        return (a * b.unsqueeze(0)).sum(1)

    result = bench(mine, a=a, b=b, only=["torch"], budget=0.1)
    assert a.shape == (5, 784) and a.stride() == (784, 1)
    assert result["mine"].status == "incorrect"
    note = result["mine"].note
    assert "a: shape (1, 784) → (1, 784, 1), called on a[:1] @ b[:, :1] (1 of 50 outputs)" in note
    assert result["torch"].status == "ok"


def test_a_write_first_made_during_the_race_marks_that_row_and_restores_the_operands():
    racing = {"now": False}

    def later(a, b):
        if racing["now"]:
            a.mul_(0)
        return a @ b

    seen = []

    def watches(a, b):  # every call of an honest row sees the true operands (or the audit's
        true = pristine[: a.shape[0]]  # rows shifted by one: the same numbers, moved)
        seen.append(bool(torch.equal(a, true) or torch.equal(a, true.roll(1, 0))))
        return a @ b

    def progress(p):
        racing["now"] = p.phase == "time" or racing["now"]

    a, b = torch.randn(4, 8), torch.randn(8, 3)
    pristine = a.clone()
    result = bench(later, watches, a=a, b=b, course=False, budget=0.2, on_progress=progress)
    assert result["later"].status == "incorrect" and result["later"].error is None
    assert "changed its input a in place (a: its values)" in result["later"].note
    assert result["watches"].status == "ok" and all(seen) and len(seen) > 3
    assert torch.equal(a, pristine)


def test_a_write_into_the_sweep_operands_is_caught_too():
    def sweeps_wrong(a, b):
        if a.shape[0] == 8:
            b.zero_()
        return a @ b

    result = bench(sweeps_wrong, my_matmul, course=False, shape=SMALL, sweep=[8], budget=1.0)
    assert result["sweeps_wrong"].status == "incorrect"
    assert "changed its input b in place" in result["sweeps_wrong"].note
    assert result["my_matmul"].status == "ok" and result["my_matmul"].points[0].error is None


def test_the_args_guard_and_the_pair_say_what_changed():
    a = torch.randn(3, 4)
    pair = guard.Pair(a, torch.randn(4, 2))
    assert pair.a is not a and pair.changes() == {}
    pair.a.t_()
    assert pair.changes() == {"a": "shape (3, 4) → (4, 3)"}
    pair.renew()
    args = (pair.a[:2], pair.b)
    watch = guard.ArgsGuard(args)
    args[0].add_(0)  # a write, even of the same values, moves the version counter
    assert watch.changes() == {"a": "an in-place operation on it (its values were not compared)"}
    assert watch.changes(refs=pair.slices(2, 2)) == {}  # with the pristine values: no change
    args[0].add_(1)
    assert watch.changes(refs=pair.slices(2, 2)) == {"a": "its values"}


# -- global settings ---------------------------------------------------------------------------


def test_global_settings_a_function_changes_are_put_back_before_other_rows_run():
    def meddles(a, b):
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        torch.set_anomaly_enabled(True)  # (use_deterministic_algorithms' first call takes 13 s)
        torch.backends.opt_einsum.enabled = not einsum_was
        torch.manual_seed(1234)
        random.seed(1234)
        np.random.seed(1234)
        return a @ b

    seen, racing = set(), {"now": False}

    def honest(a, b):
        if racing["now"]:  # (the check sizes every row with one thread)
            seen.add((torch.get_num_threads(), torch.get_default_dtype(), torch.is_grad_enabled(),
                      torch.is_anomaly_enabled()))  # fmt: skip
        return a @ b

    def progress(p):
        racing["now"] = p.phase == "time" or racing["now"]

    torch.manual_seed(7)
    random.seed(7)
    np.random.seed(7)
    states = torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy()
    threads, einsum_was = torch.get_num_threads(), torch.backends.opt_einsum.enabled
    result = bench(
        meddles, honest, course=False, shape=SMALL, budget=0.1, threads=2, on_progress=progress
    )
    assert seen == {(2, torch.float32, True, False)}
    assert torch.get_num_threads() == threads and torch.get_default_dtype() == torch.float32
    assert torch.is_grad_enabled() and not torch.is_anomaly_enabled()
    assert torch.backends.opt_einsum.enabled == einsum_was
    assert torch.equal(torch.get_rng_state(), states[0]) and random.getstate() == states[1]
    assert np.array_equal(np.random.get_state()[1], states[2])
    note = result["meddles"].note
    assert "the default dtype (torch.set_default_dtype)" in note and "random generators" in note
    assert result["meddles"].status == "ok" and result["honest"].status == "ok"


# -- errors and names --------------------------------------------------------------------------


def test_a_long_error_is_one_line_of_at_most_300_characters_in_the_table_and_the_json():
    def verbose(a, b):
        raise RuntimeError("first line\n" + "x" * 5000)

    result = bench(verbose, course=False, shape=SMALL, budget=0.05)
    error = result["verbose"].error
    assert len(error) == checking.ERROR_LIMIT and error.endswith("…")
    assert error.startswith("RuntimeError: first line xxx") and "\n" not in error
    assert json.loads(json.dumps(result.to_dict()))["rows"][0]["error"] == error
    assert checking.clip("short") == "short"


def test_partials_and_callable_objects_are_named_after_what_they_wrap():
    class Kernel:
        def __call__(self, a, b):
            return a @ b

    fns = [functools.partial(torch.mm), functools.partial(torch.mm, out=None), Kernel()]
    result = bench(*fns, course=False, shape=SMALL, budget=0.05)
    assert [r.name for r in result.rows] == ["mm", "mm (2)", "Kernel"]
    assert all(r.status == "ok" for r in result.rows)


def test_a_setting_first_changed_during_the_race_is_put_back_after_each_block_and_named():
    racing, seen = {"now": False}, set()

    def later(a, b):
        if racing["now"]:
            torch.set_num_threads(1)
            torch.set_default_dtype(torch.float64)
        return a @ b

    def honest(a, b):
        if racing["now"]:
            seen.add((torch.get_num_threads(), torch.get_default_dtype()))
        return a @ b

    def progress(p):
        racing["now"] = p.phase == "time" or racing["now"]

    result = bench(
        later, honest, course=False, shape=SMALL, budget=0.1, threads=2, on_progress=progress
    )
    assert seen == {(2, torch.float32)} and torch.get_default_dtype() == torch.float32
    assert "changed the thread count (torch.set_num_threads), the default dtype" in (
        result["later"].note
    )
    assert result["honest"].note is None


def _transposed_twice(a, b):
    b.t_()
    b.t_()  # shape and strides as they were
    return a @ b


def _doubled_and_halved(a, b):
    a.mul_(2).div_(2)  # exact: the values come back
    return a @ b


@pytest.mark.parametrize("fn", [_transposed_twice, _doubled_and_halved])
def test_an_in_place_operation_undone_before_it_returns_changes_nothing(fn):
    a, b = torch.randn(5, 16), torch.randn(16, 4)
    result = bench(fn, a=a, b=b, course=False, budget=0.1)
    row = result[fn.__name__]
    assert row.status == "ok" and row.note is None, row.note  # was "b: its values"


def test_an_in_place_change_of_layout_is_named_by_what_differs():
    def left_transposed(a, b):
        b.t_()
        return a @ b.t()

    result = bench(left_transposed, a=torch.randn(3, 4), b=torch.randn(4, 4), course=False,
                   budget=0.05)  # fmt: skip
    note = result["left_transposed"].note
    assert "b: shape (4, 1) → (1, 4)" in note and "values" not in note
    assert guard.ArgsGuard((torch.ones(2), torch.ones(2))).changes() == {}
    moved = torch.ones(2)
    watch = guard.ArgsGuard((moved, torch.ones(2)))
    moved.t_()  # moves the version counter, changes nothing: without refs, no claim on values
    assert watch.changes() == {"a": "an in-place operation on it (its values were not compared)"}
    assert watch.changes(refs=(torch.ones(2), torch.ones(2))) == {}
    assert watch.changes(refs=(torch.zeros(2), torch.ones(2))) == {"a": "its values"}


def test_the_race_looks_after_a_users_blocks_and_not_after_the_lessons(monkeypatch):
    """The lesson's steps write into no input and change no setting: the look after each
    block (a tenth of the race's time) is spent on your functions only."""
    from matmul_magic.race import run

    looked = []
    look = run.Watch._look

    def spy(self, args, probe, guard_):
        looked.append(probe.task.variant.kind)
        return look(self, args, probe, guard_)

    monkeypatch.setattr(run.Watch, "_look", spy)
    result = bench(my_matmul, only=["einsum", "torch"], budget=0.2)
    assert all(r.status == "ok" for r in result.rows)
    assert "user" in looked and "course" not in looked
