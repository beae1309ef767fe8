"""torch's global settings that a raced function could change, and how to put them back.

A function may call ``torch.set_num_threads(1)``, ``torch.set_default_dtype(torch.float64)``,
``torch.manual_seed(0)`` or ``torch.use_deterministic_algorithms(True)``: harmless in its own
row, but every row raced after it would run under its settings (fewer threads, another dtype
for the course's ``torch.zeros``, an error on CUDA ops without a deterministic kernel). A
:class:`TorchState` snapshot is taken when the run starts; :meth:`TorchState.undo` compares
the cheap settings and restores those that differ (after each block of the race, after each
function's check), and :meth:`TorchState.undo_seeds` puts the random generators back (after
each function's check and at the end of the race: reading them costs a copy, so not per block).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import torch

from . import devices


@dataclass(frozen=True)
class Setting:
    """One global setting: what to call it in a note, how to read it and how to set it."""

    words: str
    read: Callable[[], Any]
    write: Callable[[Any], None]


def _deterministic() -> tuple[bool, bool]:
    return (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )


def _set_deterministic(value: tuple[bool, bool]) -> None:
    torch.use_deterministic_algorithms(value[0], warn_only=value[1])


def _anomaly() -> tuple[bool, bool]:
    return torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()


def _set_anomaly(value: tuple[bool, bool]) -> None:
    torch.set_anomaly_enabled(value[0], value[1])


def _set_default_device(device: torch.device) -> None:
    # cpu is torch's own default: clearing the setting restores it without leaving a
    # device context that every factory call would then go through.
    torch.set_default_device(None if device == torch.device("cpu") else device)


# Where torch >= 2.9 keeps float32 precision per backend ("none" inherits from the parent).
_PRECISION_HOMES = (
    "", "cuda.matmul", "mkldnn", "mkldnn.matmul", "mkldnn.conv", "mkldnn.rnn", "cudnn",
    "cudnn.conv", "cudnn.rnn",
)  # fmt: skip
_MIXED = "mixed"  # what torch's legacy getter says after the new API was used


@cache  # the same modules all run long: walking to them was half of every block's look
def _precision_homes() -> tuple[Any, ...]:
    found = []
    for path in _PRECISION_HOMES:
        module: Any = torch.backends
        for part in filter(None, path.split(".")):
            module = getattr(module, part, None)
        if module is not None and hasattr(module, "fp32_precision"):
            found.append(module)
    return tuple(found)  # cached: shared by every caller, so not a list one could change


def _float32_precision() -> tuple[Any, ...]:
    """TF32/bf16 for float32 matmuls, as both of torch's APIs hold it.

    ``torch.set_float32_matmul_precision("medium")`` sets oneDNN's CPU matmuls to bf16 and
    CUDA's to TF32 through the new per-backend fields; ``allow_tf32`` and the legacy getter
    read the same state where no field says otherwise, and raise "mix of the legacy and new
    APIs" where one does. All three are read so a change through any of them is seen.
    """
    try:
        legacy = torch.get_float32_matmul_precision()
    except RuntimeError:
        legacy = _MIXED
    fields = tuple(module.fp32_precision for module in _precision_homes())
    return devices.tf32_matmul_allowed(), legacy, fields


def _set_float32_precision(value: tuple[Any, ...]) -> None:
    """Back to ``value``: the legacy setting first (it rewrites the fields), then each field."""
    _, legacy, fields = value
    if legacy != _MIXED:
        torch.set_float32_matmul_precision(legacy)
    for module, field in zip(_precision_homes(), fields, strict=True):
        module.fp32_precision = field


def _backend_flag(module: Any, name: str, words: str) -> Setting | None:
    if module is None or not hasattr(module, name):
        return None
    return Setting(words, partial(getattr, module, name), partial(setattr, module, name))


def settings() -> list[Setting]:
    """The settings guarded, those this torch has (the package supports torch 2.1 and later)."""
    found: list[Setting | None] = [
        Setting("the thread count (torch.set_num_threads)", torch.get_num_threads,
                torch.set_num_threads),
        Setting("the default dtype (torch.set_default_dtype)", torch.get_default_dtype,
                torch.set_default_dtype),
        Setting("grad mode (torch.set_grad_enabled)", torch.is_grad_enabled,
                torch.set_grad_enabled),
        Setting("deterministic algorithms (torch.use_deterministic_algorithms)", _deterministic,
                _set_deterministic),
        Setting("anomaly detection (torch.autograd.set_detect_anomaly)", _anomaly, _set_anomaly),
        Setting("the float32 matmul precision (TF32/bf16: torch.set_float32_matmul_precision)",
                _float32_precision, _set_float32_precision),
        _backend_flag(torch.backends.cuda.matmul, "allow_fp16_reduced_precision_reduction",
                      "fp16 reduced-precision reductions"),
        _backend_flag(torch.backends.cuda.matmul, "allow_bf16_reduced_precision_reduction",
                      "bf16 reduced-precision reductions"),
        _backend_flag(getattr(torch.backends, "mkldnn", None), "enabled", "oneDNN (mkldnn)"),
        _backend_flag(getattr(torch.backends, "opt_einsum", None), "enabled", "opt_einsum"),
        _backend_flag(getattr(torch.backends, "opt_einsum", None), "strategy",
                      "opt_einsum's strategy"),
    ]  # fmt: skip
    if hasattr(torch, "get_default_device"):  # torch >= 2.3
        found.append(
            Setting("the default device (torch.set_default_device)", torch.get_default_device,
                    _set_default_device)
        )  # fmt: skip
    return [s for s in found if s is not None]


def _read(setting: Setting) -> Any:
    try:
        return setting.read()
    except Exception:  # noqa: BLE001 - a setting this build cannot read is not guarded
        return _UNREADABLE


_UNREADABLE = object()


class TorchState:
    """The global settings as they were when the run started, and the seeds of every RNG."""

    def __init__(self) -> None:
        self.settings = settings()
        self.values = [_read(s) for s in self.settings]
        self.seeds = {name: get() for name, (get, _) in _generators().items()}

    def undo(self) -> list[str]:
        """Put back every cheap setting that differs; the words for those that did."""
        changed = []
        for setting, was in zip(self.settings, self.values, strict=True):
            if was is _UNREADABLE or _read(setting) == was:
                continue
            try:
                setting.write(was)
            except Exception:  # noqa: BLE001 - never let a restore end the run
                continue
            changed.append(setting.words)
        return changed

    def undo_seeds(self) -> bool:
        """Put every random generator back where it was; True when one had moved."""
        moved = False
        for name, (get, put) in _generators().items():
            if name in self.seeds and not _same_state(get(), self.seeds[name]):
                put(self.seeds[name])
                moved = True
        return moved


def _generators() -> dict[str, tuple[Callable[[], Any], Callable[[Any], None]]]:
    """How to read and set the state of each random generator in use."""
    found: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {
        "torch": (torch.get_rng_state, torch.set_rng_state),
        "random": (random.getstate, random.setstate),
    }
    if "numpy" in sys.modules:
        np_random = sys.modules["numpy"].random
        found["numpy"] = (np_random.get_state, np_random.set_state)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        found["cuda"] = (torch.cuda.get_rng_state_all, torch.cuda.set_rng_state_all)
    return found


def _same_state(now: Any, was: Any) -> bool:
    if isinstance(now, torch.Tensor):
        return torch.equal(now, was)
    try:
        # random's 625 ints compare in one C call; walking them took ~10 ms a run
        return bool(now == was)
    except (TypeError, ValueError, RuntimeError):  # arrays or tensors inside: element-wise
        pass
    if isinstance(now, (list, tuple)) and isinstance(was, (list, tuple)):
        return len(now) == len(was) and all(
            _same_state(x, y) for x, y in zip(now, was, strict=True)
        )
    import numpy as np

    return bool(np.array_equal(now, was))


def changed_words(changed: list[str]) -> str:
    """The note for a row whose function changed global settings."""
    return (
        f"changed {', '.join(changed)}; bench put it back after each of its calls, so the other "
        "rows ran with the session's settings"
    )
