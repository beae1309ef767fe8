"""Which devices and dtypes a bench can run on, what they are called, and their known peaks."""

from __future__ import annotations

import math
import os
import platform

import torch

DTYPES: dict[str, torch.dtype] = {
    name: dtype
    for dtype, names in (
        (torch.float32, ("float32", "fp32", "float")),
        (torch.float64, ("float64", "fp64", "double")),
        (torch.float16, ("float16", "fp16", "half")),
        (torch.bfloat16, ("bfloat16", "bf16")),
    )
    for name in names
}

# Dense (no sparsity) peak throughput in TFLOP/s from the vendors' data sheets, by a substring
# of torch.cuda.get_device_name() (first match wins, so the more specific names come first).
# "tf32" is float32 matmul on tensor cores, used when TF32 is allowed.
_HOPPER_SXM = {"float64": 67.0, "float32": 67.0, "tf32": 494.7, "bfloat16": 989.4, "float16": 989.4}
_CUDA_PEAKS_TFLOPS: tuple[tuple[str, dict[str, float]], ...] = (
    ("H200", _HOPPER_SXM),
    (
        "H100 PCIe",
        {"float64": 51.0, "float32": 51.0, "tf32": 378.0, "bfloat16": 756.0, "float16": 756.0},
    ),
    ("H100", _HOPPER_SXM),
    (
        "A100",
        {"float64": 19.5, "float32": 19.5, "tf32": 156.0, "bfloat16": 312.0, "float16": 312.0},
    ),
    ("L4", {"float32": 30.3, "tf32": 60.0, "bfloat16": 121.0, "float16": 121.0}),
    ("T4", {"float32": 8.1, "float16": 65.0}),
    ("V100", {"float64": 7.8, "float32": 15.7, "float16": 125.0}),
)


def available_devices() -> list[str]:
    """Devices torch can use here, best first: ``cuda`` (and ``cuda:N``), ``mps``, ``cpu``."""
    devices: list[str] = []
    if torch.cuda.is_available():
        devices += ["cuda"] + [f"cuda:{i}" for i in range(max(torch.cuda.device_count(), 1))]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None`` picks the best device (cuda, then mps, then cpu); unusable ones: ``ValueError``."""
    available = available_devices()
    if device is None:
        return torch.device(available[0])
    name = str(device).strip().lower()
    if name not in available:
        raise ValueError(
            f"device {str(device)!r} is not available here; available: {', '.join(available)}"
        )
    return torch.device(name)


def resolve_dtype(dtype: str | torch.dtype | None) -> torch.dtype:
    """``None`` is float32 (the lesson's); names such as ``'bf16'`` or ``'float16'`` work too."""
    if dtype is None:
        return torch.float32
    name = str(dtype).strip().lower().removeprefix("torch.")
    if name not in DTYPES:
        names = ", ".join(sorted({dtype_name(d) for d in DTYPES.values()}))
        raise ValueError(f"dtype {dtype!r} is not supported; use one of {names}")
    return DTYPES[name]


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def device_name(device: torch.device) -> str:
    """A human name: the GPU's marketing name, or the CPU model."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return f"Apple GPU ({platform.machine()})"
    return _cpu_model() or platform.processor() or platform.machine() or "CPU"


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def tf32_enabled(device: torch.device) -> bool | None:
    """Whether float32 matmuls may use TF32 tensor cores (CUDA only)."""
    if device.type != "cuda":
        return None
    return tf32_matmul_allowed()


def tf32_matmul_allowed() -> bool:
    """Whether cuBLAS may run float32 matmuls in TF32, whichever API turned it on.

    ``torch.backends.cuda.matmul.allow_tf32`` is the legacy API (every torch we support). From
    torch 2.9 on, ``fp32_precision = "tf32"`` (the new API, directly or inherited from
    ``torch.backends.fp32_precision``) makes reading ``allow_tf32`` raise "mix of the legacy
    and new APIs"; the new getter, which also reflects a legacy setting, answers then.
    """
    matmul = torch.backends.cuda.matmul
    try:
        return bool(matmul.allow_tf32)
    except RuntimeError:
        return getattr(matmul, "fp32_precision", None) == "tf32"


def peak_gflops(device: torch.device, dtype: torch.dtype) -> float | None:
    """The device's dense peak for ``dtype`` in GFLOP/s when known, else ``None``.

    Known for the CUDA GPUs in the table above; ``$MATMUL_MAGIC_PEAK_GFLOPS`` overrides it
    (for a CPU whose peak you know, say). A value there that is not a positive, finite number
    is a ``ValueError`` before anything runs, never a payload that fails its own schema.
    """
    override = os.environ.get(PEAK_VARIABLE, "").strip()
    if override:
        return parse_peak_override(override)
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    key = dtype_name(dtype)
    if key == "float32" and tf32_enabled(device):
        key = "tf32"
    return cuda_peak_gflops(name, key)


PEAK_VARIABLE = "MATMUL_MAGIC_PEAK_GFLOPS"


def parse_peak_override(text: str) -> float:
    """``$MATMUL_MAGIC_PEAK_GFLOPS`` as GFLOP/s: a positive, finite number, else ``ValueError``."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"${PEAK_VARIABLE} must be the device's peak in GFLOP/s, a positive number; "
            f"got {text!r}. Fix it or unset it."
        )
    return value


def cuda_peak_gflops(gpu_name: str, key: str) -> float | None:
    """Peak GFLOP/s for the GPU called ``gpu_name`` and ``key`` (a dtype name or ``'tf32'``)."""
    for fragment, peaks in _CUDA_PEAKS_TFLOPS:
        if fragment in gpu_name:
            tflops = peaks.get(key)
            return None if tflops is None else tflops * 1000.0
    return None
