"""The operands a function may not change: kept pristine, handed out as copies, checked after use.

Every pair of operands a run uses (the main pair, each sweep size) has *sources*, which no
function ever receives (the caller's own tensors, when given), and *working* copies, which
every function is called with. A function that writes into what it got (``a.add_(1)``,
``a.unsqueeze_(-1)``, ``b.t_()``, ``a.resize_(1, 1)``, ``a.as_strided_(...)``, ``a.set_(...)``,
``a.requires_grad_()``, ``a.data = ...``, a write through ``a.data`` or ``a.numpy()``) is found
by comparing what it got with the sources, layout and values, after its calls: its row is
incorrect, with a sentence saying so, and the working copies are made again from the sources
before any other function runs. The caller's tensors are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .bench_operands import same_values


@dataclass(frozen=True)
class Layout:
    """Everything about a tensor but its values: what an in-place op on its metadata changes."""

    shape: tuple[int, ...]
    stride: tuple[int, ...]
    offset: int
    dtype: torch.dtype
    device: torch.device
    requires_grad: bool
    data_ptr: int

    @classmethod
    def of(cls, t: Tensor) -> Layout:
        return cls(
            tuple(t.shape),
            tuple(t.stride()),
            t.storage_offset(),
            t.dtype,
            t.device,
            t.requires_grad,
            t.data_ptr(),
        )

    def differs(self, t: Tensor) -> str | None:
        """What changed, in words (``'shape (5, 784) → (5, 784, 1)'``), or ``None``."""
        now = Layout.of(t)
        for field in ("shape", "dtype", "stride", "offset", "device", "requires_grad"):
            was, is_ = getattr(self, field), getattr(now, field)
            if was != is_:
                return f"{field.replace('_', ' ')} {_text(was)} → {_text(is_)}"
        if self.data_ptr != now.data_ptr:
            return "its storage was replaced"
        return None


def _text(value: object) -> str:
    return str(value).removeprefix("torch.")


def written_note(changes: dict[str, str]) -> str:
    """The row's note for a function that changed its inputs: which, and how."""
    names = ("inputs " if len(changes) > 1 else "input ") + " and ".join(changes)
    how = "; ".join(f"{name}: {what}" for name, what in changes.items())
    return (
        f"changed its {names} in place ({how}), so neither its output nor its time "
        "can be trusted (the other rows got the original operands); not timed"
    )


class Pair:
    """One pair of operands: the pristine sources and the working copies functions get."""

    def __init__(self, a: Tensor, b: Tensor) -> None:
        self.sources = (a, b)
        self.renew()

    def renew(self) -> None:
        """Fresh working copies (same strides as the sources), laid out as they were."""
        with torch.no_grad():
            self.working = tuple(s.clone() for s in self.sources)
        self.layouts = tuple(Layout.of(w) for w in self.working)

    @property
    def a(self) -> Tensor:
        return self.working[0]

    @property
    def b(self) -> Tensor:
        return self.working[1]

    def changes(self) -> dict[str, str]:
        """What a function changed in the working copies, by operand name."""
        found = {}
        for name, w, layout, s in zip("ab", self.working, self.layouts, self.sources, strict=True):
            what = layout.differs(w) or (None if _same(w, s) else "its values")
            if what is not None:
                found[name] = what
        return found

    def slices(self, rows: int, cols: int, depth: int | None = None) -> tuple[Tensor, Tensor]:
        """The sources' ``a[:rows]`` and ``b[:, :cols]`` (with ``depth``, their first ``depth``
        columns and rows), as views: what a probe's copies hold."""
        a, b = self.sources
        if depth is not None:
            return a[:rows, :depth], b[:depth, :cols]
        return a[:rows], b[:, :cols]


class ArgsGuard:
    """The layouts of the arguments one call gets, to tell afterwards what the call changed.

    Cheap (metadata and the version counter; values only once the counter moved): used
    around the check's calls, where the arguments are often short-lived slices. An in-place
    operation that was undone before the call returned (``b.t_(); b.t_()``, or ``mul_(2)``
    then ``div_(2)``) moves the counter but changes nothing: with the pristine ``refs`` to
    compare with, only what differs is reported. Values written through ``.data`` do not
    move the version counter; :meth:`Pair.changes` after the function's check finds those.
    """

    def __init__(self, args: tuple[Tensor, Tensor]) -> None:
        self.args = args
        self.layouts = tuple(Layout.of(t) for t in args)
        self.versions = tuple(t._version for t in args)

    def accept(self) -> None:
        """Take the arguments' current versions as the baseline: writes that were put back,
        with their values just compared (the race's audit), are not a function's."""
        self.versions = tuple(t._version for t in self.args)

    def changes(
        self, on: str | None = None, refs: tuple[Tensor, Tensor] | None = None
    ) -> dict[str, str]:
        """What changed, by operand name; ``on`` names the slice the call got, if one;
        ``refs``, the pristine values the arguments should hold (unknown without them)."""
        found = {}
        for i, (name, t, layout, version) in enumerate(
            zip("ab", self.args, self.layouts, self.versions, strict=True)
        ):
            what = layout.differs(t)
            if what is None and t._version != version:
                if refs is None:
                    what = "an in-place operation on it (its values were not compared)"
                elif not _same(t, refs[i]):
                    what = "its values"
            if what is not None:
                found[name] = what if on is None else f"{what}, called on {on}"
        return found


def _same(t: Tensor, ref: Tensor) -> bool:
    with torch.no_grad():
        return t.shape == ref.shape and same_values(t, ref)
