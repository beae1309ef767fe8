"""The operands a race runs on: the lesson's, the user's own, or seeded random ones.

Also the memory rules around them: a size too big for the device is the user's choice, so it
is a ``ValueError`` that says how much was asked for, never the allocator's traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import Tensor

from ..bench_result.views.format import format_number
from .options import parse_shape

DEFAULT_SHAPE = (5, 784, 10)
"""The lesson's operands: ``x_valid[:5]`` (5×784) @ ``weights`` (784×10)."""

_MNIST_CACHE: dict[tuple[str, float], Tensor] = {}


def _mnist_rows(rows: int) -> Tensor | None:
    """``x_valid[:rows]`` from a local MNIST, or ``None`` when there is none (never downloads)."""
    from ..data import find_mnist, read_mnist

    path = find_mnist()
    if path is None:
        return None
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _MNIST_CACHE:
        try:
            x_valid = read_mnist(path)[2]
        except ValueError:
            return None
        _MNIST_CACHE.clear()
        _MNIST_CACHE[key] = x_valid
    x = _MNIST_CACHE[key]
    return x[:rows] if x.shape[0] >= rows else None


def random_operand(shape: Sequence[int], seed: int, kind: str) -> Tensor:
    """Seeded data: ``pixels`` like MNIST (uniform in [0, 1)), else standard normal weights."""
    gen = torch.Generator().manual_seed(seed)
    if kind == "pixels":
        return torch.rand(*shape, generator=gen)
    return torch.randn(*shape, generator=gen)


def _as_tensor(x: Any, name: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return torch.as_tensor(x)
    except Exception as exc:
        raise TypeError(f"{name} must be a tensor or array-like, got {type(x).__name__}") from exc


def build_operands(
    a: Any, b: Any, shape: Any, seed: int, dev: torch.device, dt: torch.dtype
) -> tuple[Tensor, Tensor, str]:
    """``(a, b, where they came from)`` on ``dev`` in ``dt``, as ``bench()`` documents."""
    if a is not None or b is not None:
        if shape is not None:
            raise ValueError("give either a=/b= or shape=, not both")
        m, k, n = DEFAULT_SHAPE
        ta = _as_tensor(a, "a") if a is not None else None
        tb = _as_tensor(b, "b") if b is not None else None
        if ta is None:
            ta = random_operand(
                (m, tb.shape[0] if tb is not None and tb.ndim == 2 else k), seed, "pixels"
            )
        if tb is None:
            tb = random_operand((ta.shape[-1] if ta.ndim == 2 else k, n), seed + 1, "weights")
        check_compatible(ta, tb)
        check_real(ta, tb)
        return ta.to(dev, dt), tb.to(dev, dt), "user"
    m, k, n = parse_shape(shape) if shape is not None else DEFAULT_SHAPE
    weights = random_operand((k, n), seed + 1, "weights")
    if (m, k, n) == DEFAULT_SHAPE or (k == 784 and shape is not None):
        x = _mnist_rows(m) if k == 784 else None
        if x is not None:
            return x.to(dev, dt), weights.to(dev, dt), "mnist"
    pixels = random_operand((m, k), seed, "pixels")
    return pixels.to(dev, dt), weights.to(dev, dt), f"random, seed {seed}"


def sweep_operands(
    size: int, seed: int, dev: torch.device, dt: torch.dtype
) -> tuple[Tensor, Tensor]:
    """The ``size×size`` pair a sweep times at ``size``."""
    a = random_operand((size, size), seed + 2, "weights").to(dev, dt)
    b = random_operand((size, size), seed + 3, "weights").to(dev, dt)
    return a, b


def check_compatible(a: Tensor, b: Tensor) -> None:
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(
            f"operands are incompatible: a is {tuple(a.shape)} and b is {tuple(b.shape)}; "
            "bench needs a (m×k) and b (k×n) with the same k"
        )
    if a.numel() == 0 or b.numel() == 0:
        raise ValueError(f"operands are empty: a is {tuple(a.shape)} and b is {tuple(b.shape)}")


def check_real(a: Tensor, b: Tensor) -> None:
    """Complex operands are refused: casting them to the race's real dtype would drop their
    imaginary parts (torch only warns), and the lesson's steps are real products; so are
    meta tensors, which have no values to multiply."""
    for name, t in (("a", a), ("b", b)):
        if t.device.type == "meta":  # (copying it raised torch's NotImplementedError)
            raise ValueError(
                f"{name} is on the meta device, which holds shapes but no values: pass "
                "a tensor with data"
            )
        if t.is_complex():
            raise ValueError(
                f"{name} is complex ({str(t.dtype).removeprefix('torch.')}); bench races real "
                f"matrix products, and casting would drop the imaginary part: pass "
                f"{name}.real or {name}.imag"
            )


# -- memory ----------------------------------------------------------------------------------------

COPIES = 2
"""Each operand is held twice during a run: the pristine source and the working copy."""

MAX_BYTES = 2**63 - 1
"""The most bytes one allocation can ask for (torch's sizes are signed 64-bit)."""


def device_memory(dev: torch.device) -> int | None:
    """Bytes of memory ``dev`` has in all, or ``None`` where it cannot be told."""
    try:
        if dev.type == "cuda":
            return int(torch.cuda.get_device_properties(dev).total_memory)
        if dev.type == "cpu":
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError, RuntimeError):
        return None
    return None


def check_sizes_fit(
    shape: tuple[int, int, int] | None, sizes: Sequence[int], dev: torch.device, dt: torch.dtype
) -> None:
    """``ValueError`` before anything is allocated when the operands that ``shape`` and the
    sweep ``sizes`` imply (with the run's copy of each) exceed the device's memory in all,
    or what one allocation can address: torch's own error would be a storage overflow, or
    the system's out-of-memory killer ending the process."""
    item = torch.empty((), dtype=dt).element_size()
    kind = str(dt).removeprefix("torch.")
    parts = []
    if shape is not None:
        m, k, n = shape
        parts.append((f"shape {m}x{k}x{n}", f"a {m}×{k} and b {k}×{n}", m * k + k * n))
    parts += [(f"sweep size {s}", f"two {s}×{s}", 2 * s * s) for s in sizes]
    need = {what: COPIES * elements * item for what, _, elements in parts}
    memory = device_memory(dev)
    limit = min(memory, MAX_BYTES) if memory else MAX_BYTES
    if sum(need.values()) <= limit:
        return
    held = f"{dev.type} memory ({format_number(memory / 1e9)} GB in all)" if memory else ""
    where = held or "one allocation"
    what, operands, _ = max(parts, key=lambda p: need[p[0]])
    if need[what] > limit:
        raise ValueError(
            f"{what} is too large: its {operands} {kind} operands take "
            f"{format_number(need[what] / 1e9)} GB with the run's copy of each, more than {where} "
            "holds; choose a smaller size (nothing was run)"
        )
    raise ValueError(
        f"the operands are too large together: {format_number(sum(need.values()) / 1e9)} GB "
        f"with the run's copy of each, more than {where} holds; choose a smaller shape or fewer "
        "sweep sizes (nothing was run)"
    )


def is_oom(exc: BaseException) -> bool:
    try:
        text = str(exc).lower()
    except BaseException:  # noqa: BLE001 - a user's exception whose __str__ raises
        text = ""
    return isinstance(exc, torch.cuda.OutOfMemoryError) or any(
        marker in text for marker in ("out of memory", "can't allocate memory")
    )


def release_memory() -> None:
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    if torch.backends.mps.is_available():
        torch.mps.empty_cache()


@contextlib.contextmanager
def operands_fit(dev: torch.device) -> Iterator[None]:
    """An out-of-memory error while building operands is a size the user chose: ValueError."""
    try:
        yield
    except RuntimeError as exc:
        if not is_oom(exc):
            raise
        release_memory()
        wanted = re.search(r"allocate (\d+) bytes", str(exc))
        needs = f" (one of them needs {format_number(int(wanted[1]) / 1e9)} GB)" if wanted else ""
        raise ValueError(
            f"the operands do not fit in {dev.type} memory{needs}; "
            "choose a smaller shape or sweep size"
        ) from None


def same_values(now: Tensor, was: Tensor) -> bool:
    """Equal element for element, NaN matching NaN."""
    return torch.equal(now, was) or bool(((now == was) | (now.isnan() & was.isnan())).all())
