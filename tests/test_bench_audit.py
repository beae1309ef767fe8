"""A function whose race calls are lookups is not timed as the product (hostile review, item 1).

The check judges fresh slices; the race reuses one argument tuple and keeps no output, so a
``functools.lru_cache`` (tensors hash by identity) or a function that stops computing after
its checked calls would be timed as a lookup. The race's audit calls it again outside the
timed region and judges its answers: such a row is incorrect, with a sentence saying why.
"""

from __future__ import annotations

import functools
import weakref

import pytest
import torch
from bench_runner_common import SMALL, my_matmul

from matmul_magic.race import audit
from matmul_magic.race.runner import bench
from matmul_magic.race.task import Probe, Task
from matmul_magic.race.variants import Variant

pytestmark = pytest.mark.usefixtures("no_mnist")


class Racing:
    """``on_progress`` that notes when the race (not the check) has begun."""

    def __init__(self) -> None:
        self.now = False

    def __call__(self, progress) -> None:
        self.now = self.now or progress.phase == "time"


def _race(*fns, racing=None):
    return bench(*fns, my_matmul, course=False, shape=SMALL, budget=0.3, on_progress=racing)


def _distrusted(result, name):
    row = result[name]
    assert row.status == "incorrect", (row.error, row.note)
    assert row.median is None and row.error is None and "not timed" in row.note
    assert result["my_matmul"].status == "ok", result["my_matmul"].note
    return row.note


def test_an_lru_cached_function_is_incorrect_not_a_fast_row():
    @functools.lru_cache
    def cached(a, b):
        return a @ b

    note = _distrusted(_race(cached), "cached")
    assert "a stored result, e.g. functools.lru_cache" in note and "lookups" in note


def test_a_function_that_returns_a_stored_tensor_once_the_race_begins_is_incorrect():
    racing, kept = Racing(), {}

    def stored(a, b):
        if racing.now and "out" in kept:
            return kept["out"]
        kept["out"] = a @ b
        return kept["out"]

    note = _distrusted(_race(stored, racing=racing), "stored")
    assert "rows and columns shifted by one" in note and "does not compute the product" in note


def test_a_function_that_returns_torch_empty_once_the_race_begins_is_incorrect():
    racing = Racing()

    def empty(a, b):
        if racing.now:
            return torch.empty(a.shape[0], b.shape[1])  # may hold a freed product's values
        return a @ b

    note = _distrusted(_race(empty, racing=racing), "empty")
    assert "during the race" in note


def test_a_copy_of_a_stored_answer_fails_on_other_operands():
    racing, kept = Racing(), {}

    def copied(a, b):
        if racing.now and "out" in kept:
            return kept["out"].clone()  # a new tensor each call, the old product's values
        kept["out"] = a @ b
        return kept["out"]

    note = _distrusted(_race(copied, racing=racing), "copied")
    assert "(a.roll(1, 0), b.roll(1, 1))" in note and "does not compute the product" in note


def test_a_cache_keyed_by_the_tensor_that_returns_a_copy_is_incorrect():
    kept = {}

    def by_id(a, b):  # new operands miss it; the race's own hit it, and get a copy
        key = (id(a), id(b))
        if key not in kept:
            kept[key] = a @ b
        return kept[key].clone()

    @functools.lru_cache
    def _product(a, b):
        return a @ b

    def lru_plus_zero(a, b):
        return _product(a, b) + 0

    result = _race(by_id, lru_plus_zero)
    for name in ("by_id", "lru_plus_zero"):
        note = _distrusted(result, name)
        assert "shifted in place" in note and "even one that returns a copy" in note


def test_an_lru_cache_of_inference_tensors_is_named_for_what_it_is():
    @functools.lru_cache
    def inferred(a, b):
        with torch.inference_mode():
            return a @ b

    note = _distrusted(_race(inferred), "inferred")
    assert "a stored result, e.g. functools.lru_cache" in note and "NaN where" not in note


def test_the_in_place_audit_puts_the_race_operands_back():
    a, b = torch.randn(6, 5), torch.randn(5, 3)
    race = (a.clone(), b.clone())
    stale = {}

    def remembers(x, y):
        return stale.setdefault(id(x), x @ y).clone()

    said = audit.Audit(block_seconds=1e-3).check(remembers, race, (a, b))
    assert "shifted in place" in said
    assert torch.equal(race[0], a) and torch.equal(race[1], b)
    same = torch.randn(4, 4)  # one tensor as both operands: shifting one shifts both
    assert (
        audit.Audit(block_seconds=1e-3).check(lambda x, y: x @ y, (same, same), (same, same))
        is None
    )


def test_a_function_that_takes_only_non_negative_operands_is_audited_within_its_domain():
    def pixels_only(a, b):
        assert (a >= 0).all(), "pixels are in [0, 1]"
        return a @ b

    a, b = torch.rand(6, 8), torch.randn(8, 3)
    result = bench(pixels_only, my_matmul, a=a, b=b, course=False, budget=0.3)
    assert result["pixels_only"].status == "ok", result["pixels_only"].error


def test_a_function_that_fills_one_output_buffer_each_call_is_timed():
    buffers = {}

    def into_buffer(a, b):
        shape = (a.shape[0], b.shape[1])
        out = buffers.setdefault(shape, torch.empty(shape))
        return torch.matmul(a, b, out=out)

    result = _race(into_buffer)
    assert result["into_buffer"].status == "ok", result["into_buffer"].note
    assert result["into_buffer"].median is not None


def test_the_audit_answers_on_its_own():
    a, b = torch.randn(6, 5), torch.randn(5, 3)
    check = audit.Audit(block_seconds=1e-3).check
    assert check(lambda x, y: x @ y, (a.clone(), b.clone()), (a, b)) is None
    stale = a @ b
    assert "shifted by one" in check(lambda x, y: stale.clone(), (a.clone(), b.clone()), (a, b))
    one = torch.randn(1, 5), torch.randn(5, 1)  # one output: nothing to shift, no false alarm
    assert check(lambda x, y: x @ y, one, one) is None
    assert "does not compute the product" in check(lambda x, y: torch.zeros(6, 3), (a, b), (a, b))
    race = (a.clone(), b.clone())  # right for fresh operands, wrong for the race's own
    said = check(lambda x, y: torch.zeros(6, 3) if x is race[0] else x @ y, race, (a, b))
    assert said.startswith("called again during the race, its answer differs from the float64")
    assert "stopped computing the product" in said
    assert "returned list" in check(lambda x, y: [1.0], (a, b), (a, b))


def test_only_a_users_quick_rows_are_audited():
    a, b = torch.randn(2, 2), torch.randn(2, 2)
    watch = audit.Audit(block_seconds=1e-3)
    course = Probe(Task(Variant("torch", "course", torch.matmul), a, b), 2, 2, 1e-6)
    assert not any(watch.due(course, 1e-6) for _ in range(20))
    fast = Probe(Task(Variant("mine", "user", torch.matmul), a, b), 2, 2, 1e-6)
    assert [i for i in range(1, 21) if watch.due(fast, 1e-6)] == [1, 4, 16]
    slow = Probe(Task(Variant("slow", "user", torch.matmul), a, b), 2, 2, 1e-2)
    assert not any(watch.due(slow, 1e-2) for _ in range(20))  # a lookup is no 10 ms call


def test_a_cache_that_checks_the_tensor_version_computes_and_is_timed():
    kept = {}

    def prepacked(a, b):  # keeps b's transpose while b is unchanged, as t._version tells
        seen = kept.get(id(b))
        if seen is None or seen[0]() is not b or seen[1] != b._version:
            seen = kept[id(b)] = (weakref.ref(b), b._version, b.t().contiguous())
        return a @ seen[2].t()

    result = _race(prepacked)
    assert result["prepacked"].status == "ok", result["prepacked"].note
    assert result["prepacked"].median is not None
