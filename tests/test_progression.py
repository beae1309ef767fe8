"""The lesson's steps compute ``a @ b`` on the operands' device and dtype; optional steps explain
themselves when they cannot run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from matmul_magic import progression
from matmul_magic.progression import (
    COURSE,
    batch_matmul,
    matmul_broadcast,
    matmul_einsum,
    matmul_elementwise,
    matmul_loops,
    matmul_torch,
    optional_steps,
)

STEPS = [matmul_loops, matmul_elementwise, matmul_broadcast, matmul_einsum, matmul_torch]


def test_course_rows_are_named_and_ordered_as_the_lesson():
    assert [name for name, _ in COURSE] == ["loops", "elementwise", "broadcast", "einsum", "torch"]
    assert [fn for _, fn in COURSE] == STEPS


@pytest.mark.parametrize("fn", STEPS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_each_step_matches_torch_and_keeps_dtype(fn, dtype):
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(4, 9, generator=gen, dtype=dtype)
    b = torch.randn(9, 3, generator=gen, dtype=dtype)
    out = fn(a, b)
    assert out.shape == (4, 3)
    assert out.dtype == dtype
    assert out.device == a.device
    torch.testing.assert_close(out, a @ b, rtol=1e-4, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 4), k=st.integers(1, 6), n=st.integers(1, 4), seed=st.integers(0, 99))
def test_steps_agree_with_torch_on_any_small_shape(m, k, n, seed):
    gen = torch.Generator().manual_seed(seed)
    a, b = torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen)
    for fn in STEPS:
        torch.testing.assert_close(fn(a, b), a @ b, rtol=1e-4, atol=1e-5)


def test_bfloat16_outputs_stay_bfloat16():
    a, b = torch.ones(2, 3, dtype=torch.bfloat16), torch.ones(3, 2, dtype=torch.bfloat16)
    for fn in STEPS:
        assert fn(a, b).dtype == torch.bfloat16


def test_loops_reject_mismatched_inner_sizes():
    with pytest.raises(AssertionError):
        matmul_loops(torch.ones(2, 3), torch.ones(4, 2))


def test_batch_matmul_is_bmm():
    gen = torch.Generator().manual_seed(2)
    a, b = torch.randn(3, 4, 5, generator=gen), torch.randn(3, 5, 2, generator=gen)
    torch.testing.assert_close(batch_matmul(a, b), torch.bmm(a, b))


def test_cpu_offers_numba_when_installed():
    steps = optional_steps("cpu", torch.float32)
    assert [s.name for s in steps] == ["numba"]
    (step,) = steps
    if progression._have("numba"):
        assert step.fn is progression.matmul_numba and step.note is None
        a, b = torch.randn(3, 5), torch.randn(5, 2)
        torch.testing.assert_close(step.fn(a, b), a @ b)
    else:
        assert step.fn is None and "not installed" in step.note


def test_missing_numba_is_a_note_not_an_error(monkeypatch):
    monkeypatch.setattr(progression, "_have", lambda module: False)
    (step,) = optional_steps("cpu", torch.float32)
    assert step.fn is None
    assert step.note == "skipped: numba is not installed"


def test_numba_skips_dtypes_numpy_lacks(monkeypatch):
    monkeypatch.setattr(progression, "_have", lambda module: True)
    (step,) = optional_steps("cpu", torch.bfloat16)
    assert step.fn is None and "bfloat16" in step.note


def test_cuda_steps_without_a_usable_gpu_or_packages_are_skipped_with_notes(monkeypatch):
    monkeypatch.setattr(progression, "_have", lambda module: False)
    steps = optional_steps("cuda", torch.float32)
    assert [s.name for s in steps] == ["numba_cuda", "compiled"]
    assert all(s.fn is None and s.note.startswith("skipped:") for s in steps)


def test_cuda_steps_when_numba_present_but_no_gpu(monkeypatch):
    pytest.importorskip("numba")
    from numba import cuda

    monkeypatch.setattr(cuda, "is_available", lambda: False)
    step = progression._numba_cuda_step(torch.float32)
    assert step.fn is None and "no usable GPU" in step.note


def test_compile_step_needs_triton(monkeypatch):
    monkeypatch.setattr(progression, "_have", lambda module: module != "triton")
    step = progression._compile_step()
    assert step.fn is None and "triton" in step.note
    monkeypatch.setattr(progression, "_have", lambda module: True)
    assert progression._compile_step().fn is progression.matmul_compiled


def test_mps_and_other_devices_have_no_optional_steps():
    assert optional_steps("mps", torch.float32) == []


NUMBA_RUN = (
    "import torch\n"
    "from matmul_magic import progression\n"
    "a, b = torch.rand(3, 4), torch.rand(4, 2)\n"
    "assert torch.allclose(progression.matmul_numba(a, b), a @ b)\n"
)


def _numba_in_a_fresh_process(cache_home: Path, then: str = "") -> None:
    """Run matmul_numba in a new interpreter whose per-user cache home is ``cache_home``."""
    pytest.importorskip("numba")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    subprocess.run([sys.executable, "-c", NUMBA_RUN + then], check=True, env=env, timeout=300)


def test_numba_caches_its_loops_per_user_never_in_the_package(tmp_path):
    package = Path(progression.__file__).parent
    started = time.time()
    _numba_in_a_fresh_process(tmp_path)
    cached = [p.name for p in (tmp_path / "matmul-magic" / "numba").rglob("*.nb[ic]")]
    assert any(name.startswith("progression.") for name in cached), cached
    beside = [p for p in package.rglob("*.nb[ic]") if p.stat().st_mtime >= started - 1]
    assert beside == []


def test_numba_without_a_writable_cache_folder_compiles_without_a_cache(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")  # the cache folder would have to be made inside a file
    _numba_in_a_fresh_process(blocker, then=(
        "assert progression.numba_cache_dir() is None\n"
        "assert progression._numba_dot_loops()._cache.__class__.__name__ == 'NullCache'\n"
    ))  # fmt: skip
