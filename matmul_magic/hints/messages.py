"""Read torch's shape-error messages into data: which kind of error, and the sizes it names.

Pure string parsing, no torch import. Each pattern is pinned by a test that produces the
message by running the failing torch op, so a torch upgrade that rewords one shows up there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ShapeMessage:
    """One parsed torch error: ``kind`` plus whatever sizes the message names."""

    kind: str
    text: str
    shapes: tuple[tuple[int, ...], ...] = ()
    sizes: tuple[int, ...] = ()
    dim: int | None = None
    label: str | None = None
    operand: int | None = None
    extra: dict = field(default_factory=dict, compare=False)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"-?\d+", text))


def _at(m: re.Match, *groups: int) -> tuple[int, ...]:
    return tuple(int(m[group]) for group in groups)


_N = r"(-?\d+)"
_LIST = r"\[([^\]]*)\]"

# pattern: (kind, the fields its match gives); the first match wins, so specific patterns
# come first.
_PATTERNS: dict[str, tuple[str, Callable[[re.Match], dict]]] = {
    (
        rf"The size of tensor a \({_N}\) must match the size of tensor b \({_N}\) "
        rf"at non-singleton dimension {_N}"
    ): ("broadcast", lambda m: {"sizes": _at(m, 1, 2), "dim": int(m[3])}),
    rf"mat1 and mat2 shapes cannot be multiplied \({_N}x{_N} and {_N}x{_N}\)": (
        "matmul",
        lambda m: {"shapes": (_at(m, 1, 2), _at(m, 3, 4))},
    ),
    rf"size mismatch, got input \({_N}\), mat \({_N}x{_N}\), vec \({_N}\)": (
        "matmul",
        lambda m: {"shapes": (_at(m, 2, 3), _at(m, 4))},
    ),
    (
        rf"inconsistent tensor size, expected tensor \[{_N}\] and src \[{_N}\] "
        r"to have the same number of elements"
    ): ("matmul", lambda m: {"shapes": (_at(m, 1), _at(m, 2))}),
    rf"Expected size for first two dimensions of batch2 tensor to be: {_LIST} but got: {_LIST}": (
        "matmul",
        lambda m: {"sizes": _ints(m[1]) + _ints(m[2]), "extra": {"batch": True}},
    ),
    r"(self|mat2) must be a matrix": (
        "rank",
        lambda m: {"operand": 0 if m[1] == "self" else 1, "sizes": (2,)},
    ),
    r"batch([12]) must be a 3D tensor": (
        "rank",
        lambda m: {"operand": int(m[1]) - 1, "sizes": (3,)},
    ),
    # torch.mv(mat, vec): the ranks of its (implicit) input, the matrix and the vector
    r"vector \+ matrix @ vector expected, got 1, (\d+), (\d+)": (
        "rank",
        lambda m: {"operand": 0 if int(m[1]) != 2 else 1, "sizes": (2 if int(m[1]) != 2 else 1,)},
    ),
    r"both arguments to matmul need to be at least 1D, but they are (\d)D and (\d)D": (
        "rank",
        lambda m: {"sizes": (1,), "extra": {"ranks": _at(m, 1, 2)}},
    ),
    (
        rf"einsum\(\): subscript ([a-zA-Z]) has size {_N} for operand {_N} "
        rf"which does not broadcast with previously seen size {_N}"
    ): ("einsum", lambda m: {"label": m[1], "sizes": _at(m, 4, 2), "operand": int(m[3])}),
    (
        rf"einsum\(\): the number of subscripts in the equation \({_N}\) does not match "
        rf"the number of dimensions \({_N}\) for operand {_N}"
    ): ("einsum", lambda m: {"sizes": _at(m, 1, 2), "operand": int(m[3]), "extra": {"rank": True}}),
    r"einsum\(\): (fewer|more) operands were provided than specified": (
        "einsum",
        lambda m: {"extra": {"count": m[1]}},
    ),
    r"einsum\(\): ": ("einsum", lambda m: {}),
    (
        rf"The expanded size of the tensor \({_N}\) must match the existing size \({_N}\) "
        rf"at non-singleton dimension {_N}\.\s+Target sizes: {_LIST}\.\s+Tensor sizes: {_LIST}"
    ): (
        "expand",
        lambda m: {"sizes": _at(m, 1, 2), "dim": int(m[3]), "shapes": (_ints(m[5]), _ints(m[4]))},
    ),
    (
        rf"expand\([^{{]*\{{{_LIST}\}}, size={_LIST}\): the number of sizes provided \({_N}\) "
        rf"must be greater or equal to the number of dimensions in the tensor \({_N}\)"
    ): ("expand", lambda m: {"shapes": (_ints(m[1]), _ints(m[2])), "extra": {"rank": True}}),
    rf"shape '{_LIST}' is invalid for input of size {_N}": (
        "view",
        lambda m: {"shapes": (_ints(m[1]),), "sizes": _at(m, 2)},
    ),
    r"view size is not compatible with input tensor's size and stride": (
        "view",
        lambda m: {"extra": {"stride": True}},
    ),
    r"only one dimension can be inferred": ("view", lambda m: {"extra": {"inferred": True}}),
    rf"output with shape {_LIST} doesn't match the broadcast shape {_LIST}": (
        "inplace",
        lambda m: {"shapes": (_ints(m[1]), _ints(m[2]))},
    ),
    (
        rf"Sizes of tensors must match except in dimension {_N}\. Expected size {_N} but got "
        rf"size {_N} for tensor number {_N} in the list"
    ): ("cat", lambda m: {"dim": int(m[1]), "sizes": _at(m, 2, 3), "operand": int(m[4])}),
    rf"Tensors must have same number of dimensions: got {_N} and {_N}": (
        "cat",
        lambda m: {"sizes": _at(m, 1, 2), "extra": {"rank": True}},
    ),
    (
        rf"stack expects each tensor to be equal size, but got {_LIST} at entry {_N} and "
        rf"{_LIST} at entry {_N}"
    ): (
        "cat",
        lambda m: {
            "shapes": (_ints(m[1]), _ints(m[3])),
            "sizes": _at(m, 2, 4),
            "extra": {"stack": True},
        },
    ),
}


def parse_message(text: str) -> ShapeMessage | None:
    """The :class:`ShapeMessage` for torch's error ``text``, or None when it is no shape error."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    for regex, (kind, build) in _PATTERNS.items():
        match = re.search(regex, first)
        if match:
            return ShapeMessage(kind=kind, text=first, **build(match))
    return None
