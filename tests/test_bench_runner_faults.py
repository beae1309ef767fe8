"""``bench(...)`` faults: bad arguments, failing or wrong variants, interrupts, out of memory."""

from __future__ import annotations

import re
import signal

import pytest
import torch
from bench_runner_common import FAST, SMALL, my_matmul

from matmul_magic.race import bench_operands, calls, correctness, rounds
from matmul_magic.race.runner import bench

pytestmark = pytest.mark.usefixtures("no_mnist")


# -- faults ------------------------------------------------------------------------------------


def test_unknown_or_unavailable_device_lists_the_available_ones():
    with pytest.raises(ValueError, match="available: .*cpu"):
        bench(device="tpu", only=FAST)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' is not available"):
            bench(device="cuda", only=FAST)


def test_bad_dtype_is_a_value_error():
    with pytest.raises(ValueError, match="dtype"):
        bench(dtype="int7", only=FAST)


def test_incompatible_operands_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(4, 2\)"):
        bench(a=torch.ones(5, 3), b=torch.ones(4, 2), only=FAST)
    with pytest.raises(ValueError, match="incompatible"):
        bench(a=torch.ones(2, 3, 4), b=torch.ones(4, 2), only=FAST)


def test_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="functions"):
        bench(42, only=FAST)


def test_unknown_only_name_is_a_value_error():
    with pytest.raises(ValueError, match="'nope'.*loops"):
        bench(only=["nope"])


def test_bad_budget_is_a_value_error():
    with pytest.raises(ValueError, match="budget"):
        bench(only=FAST, budget=0)


@pytest.mark.parametrize("kwargs", [{"shape": "8x16x4"}, {"shape": "8x16x4", "sweep": [8, 16]}])
def test_operands_too_big_for_memory_are_said_in_words(monkeypatch, kwargs):
    def no_room(*args, **kw):
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] DefaultCPUAllocator: can't allocate memory: "
            "you tried to allocate 40000000000 bytes. Error code 12 (Cannot allocate memory)"
        )

    real = bench_operands.random_operand
    calls = []

    def random(shape, seed, kind):
        calls.append(shape)
        # the main operands are fine when a sweep is asked for: its sizes are what fails
        return real(shape, seed, kind) if "sweep" in kwargs and len(calls) <= 2 else no_room()

    monkeypatch.setattr(bench_operands, "random_operand", random)
    message = r"the operands do not fit in cpu memory \(one of them needs 40.0 GB\); choose a"
    if "sweep" not in kwargs:  # the run's own operands: nothing can run
        with pytest.raises(ValueError, match="^" + message):
            bench(my_matmul, course=False, budget=0.05, **kwargs)
        return
    # a sweep size's, made when the sweep reaches it: the rows measured so far are kept
    result = bench(my_matmul, course=False, budget=0.5, **kwargs)
    row = result["my_matmul"]
    assert row.status == "ok" and row.median is not None
    first, larger = row.points
    assert first.median is None and re.match("^not measured: " + message, first.error)
    assert larger.error == "not measured: size 8's operands did not fit in memory"
    assert "swept 0 of 2 sizes; the others' operands do not fit in memory" in row.note


def test_no_room_for_the_copy_that_guards_the_operands_is_a_value_error(monkeypatch):
    def no_room(self, *args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(torch.Tensor, "clone", no_room)
    with pytest.raises(ValueError, match="^the operands do not fit in cpu memory; choose a"):
        bench(my_matmul, course=False, shape=SMALL, budget=0.05)


def one_argument(a):
    return a


def boom(a, b):
    raise RuntimeError("<b>boom</b>")


def off_by_one(a, b):
    return a @ b + 1


def wrong_shape(a, b):
    return (a @ b).T


def returns_a_list(a, b):
    return (a @ b).tolist()


def test_faulty_variants_become_rows_and_the_others_carry_on():
    result = bench(
        one_argument, boom, off_by_one, wrong_shape, returns_a_list, my_matmul,
        only=["torch", "one_argument", "boom", "off_by_one", "wrong_shape", "returns_a_list",
              "my_matmul"],
        shape=SMALL, budget=0.1,
    )  # fmt: skip
    rows = {r.name: r for r in result.rows}
    assert rows["one_argument"].status == "failed"
    assert rows["one_argument"].error.startswith("TypeError:")
    assert rows["boom"].status == "failed" and rows["boom"].error == "RuntimeError: <b>boom</b>"
    assert rows["off_by_one"].status == "incorrect"
    assert rows["off_by_one"].max_abs_err == pytest.approx(1.0)
    assert rows["off_by_one"].median is None and "not timed" in rows["off_by_one"].note
    assert rows["wrong_shape"].status == "incorrect" and "shape" in rows["wrong_shape"].note
    assert rows["returns_a_list"].status == "incorrect"  # only a tensor is an answer
    assert "returned list, not a tensor" in rows["returns_a_list"].note
    for name in ("torch", "my_matmul"):
        assert rows[name].status == "ok" and rows[name].median > 0
    assert [r.name for r in result.rows][0] == "torch"


def test_a_function_that_fails_only_on_slices_is_judged_on_the_full_operands():
    def needs_five_rows(a, b):
        if a.shape[0] != 5:
            raise ValueError("only five rows, please")
        return a @ b

    result = bench(needs_five_rows, course=False, budget=0.05)
    assert result.rows[0].status == "ok" and not result.rows[0].extrapolated


def test_keyboard_interrupt_keeps_finished_rows():
    def interrupting(a, b):
        # Ctrl-C arriving during this call: SIGINT's handler runs here, as the OS would
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)

    # Python's own handler, as a user's interpreter has it (a test worker may have been
    # left ignoring SIGINT by something it ran before, and then no Ctrl-C ever arrives)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = bench(interrupting, my_matmul, only=["torch", "interrupting", "my_matmul"],
                       shape=SMALL, budget=0.05)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, before)
    assert result.interrupted is True
    # The check had passed torch; the race, which comes after every check, never ran: the
    # row keeps what its check measured, and says so.
    assert [r.name for r in result.rows] == ["torch"]
    assert result.rows[0].correct is True and result.rows[0].median > 0
    assert result.rows[0].noisy and "timed by its check's calls alone" in result.rows[0].note
    assert result.to_dict()["interrupted"] is True


def test_a_keyboard_interrupt_a_function_raises_is_its_rows_error_not_a_ctrl_c():
    def interrupting(a, b):
        raise KeyboardInterrupt("from inside")

    before = signal.getsignal(signal.SIGINT)
    result = bench(interrupting, my_matmul, only=["torch"], shape=SMALL, budget=0.05)
    assert not result.interrupted
    row = result["interrupting"]
    assert row.status == "failed" and row.error.startswith("KeyboardInterrupt: from inside")
    assert "not Ctrl-C" in row.error
    assert result["torch"].median is not None and result["my_matmul"].median is not None
    assert signal.getsignal(signal.SIGINT) is before  # the run's handler is gone again


def test_interrupt_from_the_progress_callback_is_an_interrupt_too():
    def stop_once_timed(progress):
        if progress.rows:
            raise KeyboardInterrupt

    result = bench(only=FAST, shape=SMALL, budget=0.05, on_progress=stop_once_timed)
    assert result.interrupted and [r.name for r in result.rows] == FAST
    assert all(r.median is not None for r in result.rows)  # what was measured is kept


def test_out_of_memory_is_reported_on_its_row_and_memory_released(monkeypatch):
    released = []
    monkeypatch.setattr(calls, "release_memory", lambda: released.append(True))

    def hungry(a, b):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 64.00 GiB")

    result = bench(hungry, my_matmul, course=False, shape=SMALL, budget=0.05)
    row = result["hungry"]
    assert row.status == "failed"
    assert row.error.startswith("torch.OutOfMemoryError: CUDA out of memory")
    assert released
    assert result["my_matmul"].status == "ok"


def test_out_of_memory_during_timing_is_caught_too(monkeypatch):
    monkeypatch.setattr(rounds, "release_memory", lambda: None)
    calls = []

    def fails_later(a, b):
        calls.append(1)
        if len(calls) > 6:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return a @ b

    result = bench(fails_later, course=False, shape=SMALL, budget=0.05)
    assert result.rows[0].status == "failed" and "out of memory" in result.rows[0].error


def test_release_memory_runs_on_cpu():
    bench_operands.release_memory()  # no GPU: gc only, no error


def test_the_gate_allows_the_dtypes_rounding_and_no_more():
    a, b = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0, 0.0], [0.0, 1000.0]])
    ref = a @ b
    assert correctness.judge(ref, a, b).correct
    eps = torch.finfo(torch.float32).eps
    assert correctness.judge(ref + torch.tensor([[0.0, 2000 * eps]]), a, b).correct  # rounding
    verdict = correctness.judge(ref * (1 + 5e-3), a, b)
    assert not verdict.correct and verdict.max_abs_err == pytest.approx(20.0)
    assert not correctness.judge(torch.full_like(ref, float("nan")), a, b).correct
    assert not correctness.judge(object(), a, b).correct


def test_an_exception_whose_str_raises_is_still_that_rows_error():
    class Unprintable(Exception):
        def __str__(self):
            raise ZeroDivisionError

    def raises(a, b):
        raise Unprintable

    result = bench(raises, only=["torch"], shape=SMALL, budget=0.05)
    assert result["raises"].status == "failed" and "Unprintable" in result["raises"].error
    assert result["torch"].median is not None
