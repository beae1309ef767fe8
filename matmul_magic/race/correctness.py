"""The correctness gate: is a variant's output the product, as far as its dtype can tell?

The reference is computed in float64 from the very same (possibly half-precision) inputs, so
it holds no rounding of its own. A product of ``K`` terms rounded in a dtype with machine
epsilon ``eps`` can be off by about ``eps · Σ_k |a_ik| |b_kj|`` (the classic dot-product error
bound, which grows with ``K`` through the sum), so element ``(i, j)`` passes when

    |out_ij - ref_ij| <= ERROR_BOUND_FACTOR · eps · Σ_k |a_ik| |b_kj| + tiny

That lets the lesson's own loops, which accumulate in half precision one term at a time,
pass at float16 and bfloat16 up to K = 8192, while an output that is wrong in a single
element by more than its dtype's rounding still fails. On CUDA with TF32 allowed, float32
products are judged with TF32's epsilon.

Only a dense, real, strided tensor with data is an answer: a list, a complex, sparse, nested
or meta tensor is an incorrect row whose reason is said in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from ..bench_result.views.format import format_error
from . import devices
from .bench_operands import is_oom, release_memory

ERROR_BOUND_FACTOR = 2.5
"""Headroom over ``eps · Σ|a||b|``: sequential half-precision accumulation (the course's loops)
lands at up to 1.35× it in our trials (K up to 16384); an error above 2.5× is not rounding."""

_TF32_EPS = 2.0**-10


@dataclass(frozen=True)
class Verdict:
    correct: bool | None  # None: the check could not be made
    max_abs_err: float | None
    why: str | None = None


def _eps(dtype: torch.dtype, device: torch.device) -> float:
    if dtype == torch.float32 and device.type == "cuda" and devices.tf32_matmul_allowed():
        return _TF32_EPS
    if dtype.is_floating_point:
        return torch.finfo(dtype).eps
    return torch.finfo(torch.float32).eps  # integer inputs are raced as float32 by bench()


def _kind_problem(out: Any, expected: tuple[int, int]) -> str | None:
    """Why ``out`` is not a usable answer of shape ``expected``, in words; ``None`` when it is."""
    if not isinstance(out, Tensor):
        return f"returned {type(out).__name__}, not a tensor"
    if out.is_nested:
        return "returned a nested tensor, not a dense one"
    if out.layout != torch.strided:
        return f"returned a {str(out.layout).removeprefix('torch.')} tensor, not a dense one"
    if out.device.type == "meta":
        return "returned a meta tensor, which holds no values"
    if out.is_complex():
        return f"returned a complex tensor ({str(out.dtype).removeprefix('torch.')})"
    if tuple(out.shape) != expected:
        return f"output shape {tuple(out.shape)} differs from torch's {expected}"
    return None


def reference(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """``(a @ b, |a| @ |b|)`` in float64, from the same inputs (on the CPU where the device
    has no float64, as on MPS)."""
    where = a.device if a.device.type in ("cpu", "cuda") else torch.device("cpu")
    a64 = a.detach().to(where, torch.float64)
    b64 = b.detach().to(where, torch.float64)
    return a64 @ b64, a64.abs() @ b64.abs()


def judge(out: Any, a: Tensor, b: Tensor, sample: Tensor | None = None) -> Verdict:
    """Whether ``out`` is ``a @ b`` within the rounding that ``a``'s dtype allows (only on
    the rows of the product that ``sample`` indexes, when given: the race's sample).

    The float64 reference is the gate's own memory, not the function's: when it does not fit,
    it is made a block of rows at a time, and when not even one row fits, the verdict is
    that the check could not be made (``correct`` is ``None``), never that the output is wrong.
    """
    problem = _kind_problem(out, (a.shape[0], b.shape[-1]))
    if problem is not None:
        return Verdict(False, None, problem)
    if sample is not None:
        out, a = out[sample], a[sample]
    rows = a.shape[0]
    while True:
        try:
            return _judge_rows(out, a, b, rows)
        except (RuntimeError, MemoryError) as exc:  # torch.OutOfMemoryError is a RuntimeError
            if not is_oom(exc):
                raise
            release_memory()
            if rows <= 1:
                where = a.device.type if a.device.type in ("cpu", "cuda") else "cpu"
                why = (
                    f"could not be checked: the float64 reference of a {a.shape[0]}×{a.shape[1]} "
                    f"@ {b.shape[0]}×{b.shape[1]} product does not fit in {where} memory, not "
                    "even a row at a time (the gate's memory, not the function's fault)"
                )
                return Verdict(None, None, why)
            rows = (rows + 1) // 2


def _judge_rows(out: Tensor, a: Tensor, b: Tensor, rows: int) -> Verdict:
    """The verdict, from references made ``rows`` rows of the product at a time."""
    err, count, first, total = 0.0, 0, None, 0
    for start in range(0, a.shape[0], rows):
        part = slice(start, start + rows)
        ref, magnitude = reference(a[part], b)
        got = out[part].detach().to(device=ref.device, dtype=torch.float64)
        diff = (got - ref).abs()
        if bool((got.isnan() != ref.isnan()).any()):
            return Verdict(
                False, None, "output holds NaN where the product has none (or misses one)"
            )
        diff = torch.where(ref.isnan(), torch.zeros_like(diff), diff)
        err = max(err, float(diff.max()) if diff.numel() else 0.0)
        if not math.isfinite(err):
            return Verdict(False, None, "output holds infinity where the product is finite")
        tolerance = ERROR_BOUND_FACTOR * _eps(a.dtype, a.device) * magnitude + 1e-300
        over = diff > tolerance
        total += over.numel()
        if bool(over.any()):
            count += int(over.sum())
            if first is None:
                i, j = (int(x) for x in torch.nonzero(over)[0].tolist())
                first = (start + i, j)
        del ref, magnitude, got, diff, over
    if first is None:
        return Verdict(True, err)
    return Verdict(
        False,
        err,
        f"output differs from the float64 product by up to {format_error(err)} "
        f"({count} of {total} outputs beyond {a.dtype} rounding, first at {first})",
    )
