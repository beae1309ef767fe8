"""Blame where it belongs (issue 20, item 8) and the CUDA settings read through either API (item 9).

The gate's own float64 reference running out of memory never fails the user's function; a
two-slice estimate nothing confirms says so; TF32 set through the legacy or the new API
(``torch.backends.cuda.matmul.fp32_precision``, torch >= 2.9) is read without an error.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from bench_runner_common import SMALL, my_matmul

from matmul_magic.race import correctness
from matmul_magic.race.estimate import UNCONFIRMED_WORDS, estimate
from matmul_magic.race.runner import bench
from matmul_magic.race.task import Probe, Task
from matmul_magic.race.variants import Variant

pytestmark = pytest.mark.usefixtures("no_mnist")

OOMS = [
    torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    RuntimeError("[enforce fail at alloc_cpu.cpp:127] DefaultCPUAllocator: can't allocate memory"),
]


def _reference_fitting(rows: int, error: BaseException):
    real = correctness.reference

    def reference(a, b):
        if a.shape[0] > rows:
            raise error
        return real(a, b)

    return reference


@pytest.mark.parametrize("error", OOMS, ids=["OutOfMemoryError", "RuntimeError"])
def test_a_reference_too_big_for_memory_is_checked_a_block_of_rows_at_a_time(monkeypatch, error):
    monkeypatch.setattr(correctness, "reference", _reference_fitting(2, error))
    a, b = torch.arange(35.0).reshape(7, 5), torch.ones(5, 3)
    assert correctness.judge(a @ b, a, b) == correctness.Verdict(True, 0.0)
    wrong = a @ b
    wrong[5, 2] += 1
    verdict = correctness.judge(wrong, a, b)
    assert verdict.correct is False and verdict.max_abs_err == 1.0
    assert "(1 of 21 outputs beyond torch.float32 rounding, first at (5, 2))" in verdict.why

    def off_by_one(a, b):
        return a @ b + 1

    result = bench(my_matmul, off_by_one, course=False, a=a, b=b, budget=0.05)
    assert result["my_matmul"].status == "ok" and result["off_by_one"].status == "incorrect"


@pytest.mark.parametrize("error", OOMS, ids=["OutOfMemoryError", "RuntimeError"])
def test_a_reference_that_never_fits_is_a_check_not_made_not_a_failed_function(monkeypatch, error):
    monkeypatch.setattr(correctness, "reference", _reference_fitting(0, error))
    result = bench(my_matmul, course=False, shape=SMALL, budget=0.05)
    row = result["my_matmul"]
    assert row.error is None and row.correct is None and row.status == "skipped"
    assert row.note.startswith("could not be checked: the float64 reference of a 3×16 @ 16×4")
    assert "not the function's fault" in row.note and row.median is None


def test_other_errors_in_the_gate_are_not_mistaken_for_memory(monkeypatch):
    def broken(a, b):
        raise RuntimeError("something else")

    monkeypatch.setattr(correctness, "reference", broken)
    with pytest.raises(RuntimeError, match="something else"):
        correctness.judge(torch.ones(2, 2), torch.ones(2, 2), torch.ones(2, 2))


def _two_slice_task(points):
    task = Task(Variant("slow", "user", my_matmul), torch.ones(64, 3), torch.ones(3, 8))
    task.correct = True
    for rows, cols, seconds in points[-2:]:
        probe = Probe(task, rows, cols, seconds)
        probe.times = [seconds] * 9
        probe.rounds = list(range(9))
        task.probes.append(probe)
    task.points = list(points)
    return task


def test_a_two_slice_estimate_with_no_third_slice_is_labelled_unconfirmed():
    est = estimate(_two_slice_task([(1, 8, 1e-3), (2, 8, 2e-3)]))
    assert est.unconfirmed and not est.unreliable
    assert est.how.endswith(f"({UNCONFIRMED_WORDS})")
    confirmed = estimate(_two_slice_task([(1, 4, 5e-4), (1, 8, 1e-3), (2, 8, 2e-3)]))
    assert not confirmed.unconfirmed and not confirmed.unreliable
    assert "unconfirmed" not in confirmed.how
    assert confirmed.measurement.median == pytest.approx(est.measurement.median)


# -- TF32 through either API (each in a fresh interpreter: the new API's state is sticky) ---------

TF32_CHECK = """
import torch
from matmul_magic.race import correctness, devices, torch_state
cuda = torch.device("cuda")
assert devices.tf32_enabled(cuda) is False and devices.tf32_enabled(torch.device("cpu")) is None
assert correctness._eps(torch.float32, cuda) == torch.finfo(torch.float32).eps
state = torch_state.TorchState()
{turn_on}
assert devices.tf32_enabled(cuda) is True, "not read as on"
assert correctness._eps(torch.float32, cuda) == 2.0**-10
assert correctness._eps(torch.float32, torch.device("cpu")) == torch.finfo(torch.float32).eps
[words] = state.undo()
assert "float32 matmul precision" in words, words
assert devices.tf32_enabled(cuda) is False, "not put back"
torch.backends.cuda.matmul.allow_tf32  # readable again: the user's next read does not raise
assert torch.get_float32_matmul_precision() == "highest"
assert state.undo() == [], "put back to what was read, not to something that reads differently"
print("ok")
"""

TURN_ON = {
    "legacy allow_tf32": "torch.backends.cuda.matmul.allow_tf32 = True",
    "set_float32_matmul_precision": "torch.set_float32_matmul_precision('high')",
    "new fp32_precision": "torch.backends.cuda.matmul.fp32_precision = 'tf32'",
    "new generic fp32_precision": "torch.backends.fp32_precision = 'tf32'",
    "set_float32_matmul_precision medium": "torch.set_float32_matmul_precision('medium')",
}
NEW_API = hasattr(torch.backends, "fp32_precision")
MKLDNN_CHECK = """
fields = [getattr(m, "fp32_precision") for m in torch_state._precision_homes()]
assert set(fields) <= {"none", "tf32"}, fields  # cudnn's conv/rnn default to tf32
assert torch.backends.mkldnn.matmul.fp32_precision == "none"
print("ok")
"""


def _prints_ok_in_a_fresh_interpreter(code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize("api", TURN_ON)
def test_tf32_is_read_and_put_back_through_either_api(api):
    if "new" in api and not NEW_API:
        pytest.skip(f"torch {torch.__version__} has no fp32_precision API (torch >= 2.9 has)")
    code = textwrap.dedent(TF32_CHECK).replace("{turn_on}", TURN_ON[api])
    if NEW_API:  # oneDNN's float32 CPU matmuls (bf16 under "medium") are put back too
        code = code.replace('print("ok")', MKLDNN_CHECK)
    _prints_ok_in_a_fresh_interpreter(code)


BENCH_CHECK = """
import torch
from matmul_magic import bench
seen = set()

def medium(a, b):
    torch.set_float32_matmul_precision("medium")
    return a @ b

def honest(a, b):
    seen.add(torch.get_float32_matmul_precision())
    return a @ b

result = bench(medium, honest, course=False, shape=(4, 8, 3), budget=0.05)
assert seen == {"highest"}, seen
assert torch.get_float32_matmul_precision() == "highest"
assert "float32 matmul precision" in result["medium"].note, result["medium"].note
assert "precision" not in (result["honest"].note or ""), result["honest"].note  # (a busy
# machine may leave it timed by its check alone at 0.05 s, which its note says)
{extra}
print("ok")
"""


def test_a_function_that_lowers_float32_precision_does_not_lower_it_for_the_others():
    extra = 'assert torch.backends.mkldnn.matmul.fp32_precision == "none"' if NEW_API else ""
    code = textwrap.dedent(BENCH_CHECK).replace("{extra}", extra)
    _prints_ok_in_a_fresh_interpreter(code)
