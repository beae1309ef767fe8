"""The lesson's matrix multiplications, step by step, written the way the lesson writes them.

Each step computes ``a @ b`` for a ``m×k`` matrix ``a`` and a ``k×n`` matrix ``b`` and
returns a new ``m×n`` tensor on the operands' device, in their dtype. The course steps,
slowest first, are the 2019 lesson's journey:

- :func:`matmul_loops`: three nested Python loops, one scalar multiply-add at a time;
- :func:`matmul_elementwise`: the inner loop becomes a row-times-column product and a sum;
- :func:`matmul_broadcast`: one row of ``a`` against the whole of ``b`` by broadcasting;
- :func:`matmul_einsum`: Einstein summation, ``'ik,kj->ij'``;
- :func:`matmul_torch`: PyTorch's own ``a @ b``.

:func:`batch_matmul` is the batched einsum ``'bik,bkj->bij'``.

Optional steps join when their package is there: the 2022 lesson's numba ``@njit`` loops
(CPU), and on CUDA a numba.cuda kernel and ``torch.compile``. :func:`optional_steps` lists
them with either the function or the note saying why the step is skipped; a missing package
is never an error.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .race.devices import dtype_name

MatmulFn = Callable[[Tensor, Tensor], Tensor]


def _zeros_product(a: Tensor, b: Tensor) -> Tensor:
    """The zeros a loop fills in (the lesson's ``assert`` that ``a``'s columns are ``b``'s rows)."""
    (ar, ac), (br, bc) = a.shape, b.shape
    assert ac == br
    return torch.zeros(ar, bc, dtype=a.dtype, device=a.device)


def matmul_loops(a: Tensor, b: Tensor) -> Tensor:
    """Three nested loops: ``c[i,j] += a[i,k] * b[k,j]``, one scalar at a time."""
    c = _zeros_product(a, b)
    (ar, bc), ac = c.shape, a.shape[1]
    for i in range(ar):
        for j in range(bc):
            for k in range(ac):
                c[i, j] += a[i, k] * b[k, j]
    return c


def matmul_elementwise(a: Tensor, b: Tensor) -> Tensor:
    """Two loops: the innermost becomes the row ``a[i,:]`` times the column ``b[:,j]``, summed."""
    c = _zeros_product(a, b)
    ar, bc = c.shape
    for i in range(ar):
        for j in range(bc):
            c[i, j] = (a[i, :] * b[:, j]).sum()
    return c


def matmul_broadcast(a: Tensor, b: Tensor) -> Tensor:
    """One loop: row ``a[i]`` as a column (``k×1``) broadcasts against ``b`` (``k×n``)."""
    c = _zeros_product(a, b)
    for i in range(c.shape[0]):
        c[i] = (a[i].unsqueeze(-1) * b).sum(dim=0)
    return c


def matmul_einsum(a: Tensor, b: Tensor) -> Tensor:
    """No Python loop: Einstein summation over the shared index ``k``."""
    return torch.einsum("ik,kj->ij", a, b)


def matmul_torch(a: Tensor, b: Tensor) -> Tensor:
    """PyTorch's own matrix product (BLAS on CPU, cuBLAS on CUDA)."""
    return a @ b


def batch_matmul(a: Tensor, b: Tensor) -> Tensor:
    """A batch of products, ``a[b] @ b[b]`` for every ``b``, as one einsum."""
    return torch.einsum("bik,bkj->bij", a, b)


COURSE: tuple[tuple[str, MatmulFn], ...] = (
    ("loops", matmul_loops),
    ("elementwise", matmul_elementwise),
    ("broadcast", matmul_broadcast),
    ("einsum", matmul_einsum),
    ("torch", matmul_torch),
)
"""The course rows, slowest first, under the names the bench table shows."""

PER_OUTPUT_STEPS = frozenset({"loops", "elementwise"})
"""The course steps whose cost is one Python loop iteration per output: their only fixed
cost is the empty output tensor (microseconds against a millisecond slice), so a slice's
time scales to the full call in proportion to the outputs, with no fit to make."""

PER_TERM_STEPS = frozenset({"loops"})
"""The course steps whose cost is one Python loop iteration per multiply-add (the innermost
loop runs over ``k``): one output's first terms time them as well as whole outputs do, in
a millisecond where one whole output of the lesson takes 20."""


# -- optional steps --------------------------------------------------------------------------


def _have(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def numba_cache_dir() -> Path | None:
    """Where numba keeps the compiled loops: a per-user folder, never the package's own.

    ``$NUMBA_CACHE_DIR`` when set (numba's own setting), else
    ``$XDG_CACHE_HOME/matmul-magic/numba`` (``~/.cache/...``); ``None`` when that folder cannot
    be made or written, and then the loops compile afresh in each process.
    """
    from numba.core import config

    if config.CACHE_DIR:
        return Path(config.CACHE_DIR)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "matmul-magic" / "numba"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


@cache
def _numba_dot_loops() -> Callable[..., Any]:
    """The 2022 lesson's loops, compiled by numba on first use (cached in numba_cache_dir())."""
    from numba import njit
    from numba.core import config

    def dot_loops(a, b, c):  # pragma: no cover - runs compiled
        ar, ac = a.shape
        bc = b.shape[1]
        for i in range(ar):
            for j in range(bc):
                acc = 0.0
                for k in range(ac):
                    acc += a[i, k] * b[k, j]
                c[i, j] = acc
        return c

    where = numba_cache_dir()
    if where is None:  # no cache rather than one beside the installed package
        return njit(dot_loops)
    # numba picks a function's cache folder as it decorates it, from this setting; it is put
    # back at once, so the user's own @njit(cache=True) functions keep numba's defaults.
    previous, config.CACHE_DIR = config.CACHE_DIR, str(where)
    try:
        return njit(cache=True)(dot_loops)
    finally:
        config.CACHE_DIR = previous


def matmul_numba(a: Tensor, b: Tensor) -> Tensor:
    """The three loops again, compiled to machine code by numba's ``@njit`` (CPU tensors).

    numba works on NumPy arrays, so the tensors are viewed as arrays (no copy on CPU).
    """
    c = _zeros_product(a, b)
    _numba_dot_loops()(a.numpy(), b.numpy(), c.numpy())
    return c


@cache
def _numba_cuda_kernel() -> Any:
    """The 2022 lesson's CUDA kernel: one thread per output element."""
    from numba import cuda

    @cuda.jit
    def matmul_kernel(a, b, c):  # pragma: no cover - runs on a GPU
        i, j = cuda.grid(2)
        if i < c.shape[0] and j < c.shape[1]:
            tmp = 0.0
            for k in range(a.shape[1]):
                tmp += a[i, k] * b[k, j]
            c[i, j] = tmp

    return matmul_kernel


def matmul_numba_cuda(a: Tensor, b: Tensor) -> Tensor:
    """A numba.cuda kernel with one thread per ``c[i,j]``, launched on 16×16 thread blocks."""
    from numba import cuda

    c = _zeros_product(a, b)
    tpb = (16, 16)
    blocks = tuple((size + t - 1) // t for size, t in zip(c.shape, tpb, strict=True))
    stream = cuda.external_stream(torch.cuda.current_stream(a.device).cuda_stream)
    kernel = _numba_cuda_kernel()
    kernel[blocks, tpb, stream](
        cuda.as_cuda_array(a.contiguous()),
        cuda.as_cuda_array(b.contiguous()),
        cuda.as_cuda_array(c),
    )
    return c


@cache
def _compiled_matmul() -> MatmulFn:
    return torch.compile(matmul_torch, dynamic=False)


def matmul_compiled(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` through ``torch.compile`` (TorchInductor, which emits Triton on CUDA)."""
    return _compiled_matmul()(a, b)


@dataclass(frozen=True)
class OptionalStep:
    """A step beyond the 2019 lesson: ``fn`` when it can run here, else ``None`` and a ``note``."""

    name: str
    fn: MatmulFn | None
    note: str | None = None


_NUMBA_DTYPES = (torch.float32, torch.float64)


def optional_steps(device: torch.device | str, dtype: torch.dtype) -> list[OptionalStep]:
    """The optional steps for operands on ``device`` in ``dtype``, each runnable or explained.

    CPU gets numba's ``@njit`` loops; CUDA gets the numba.cuda kernel and ``torch.compile``.
    Steps for other devices are not listed at all; a step whose package or dtype support is
    missing comes back with ``fn=None`` and a note (the bench shows it as skipped).
    """
    kind = torch.device(device).type
    steps: list[OptionalStep] = []
    if kind == "cpu":
        steps.append(_numba_missing("numba", dtype) or OptionalStep("numba", matmul_numba))
    elif kind == "cuda":
        steps.append(_numba_cuda_step(dtype))
        steps.append(_compile_step())
    return steps


def _numba_missing(name: str, dtype: torch.dtype) -> OptionalStep | None:
    if not _have("numba"):
        return OptionalStep(name, None, "skipped: numba is not installed")
    if dtype not in _NUMBA_DTYPES:
        return OptionalStep(name, None, f"skipped: numba has no {dtype_name(dtype)}")
    return None


def _numba_cuda_step(dtype: torch.dtype) -> OptionalStep:
    missing = _numba_missing("numba_cuda", dtype)
    if missing is not None:
        return missing
    try:
        from numba import cuda

        usable = cuda.is_available()
    except Exception as exc:  # numba's CUDA driver probing can fail in many ways
        return OptionalStep("numba_cuda", None, f"skipped: numba.cuda failed to load ({exc})")
    if not usable:
        return OptionalStep("numba_cuda", None, "skipped: numba.cuda finds no usable GPU")
    return OptionalStep("numba_cuda", matmul_numba_cuda)


def _compile_step() -> OptionalStep:
    if not _have("triton"):
        return OptionalStep("compiled", None, "skipped: torch.compile needs triton on CUDA")
    return OptionalStep("compiled", matmul_compiled)
