"""Read torch's shape-error messages into data: which kind of error, and the sizes it names.

Pure string parsing, no torch import. Each pattern is pinned by a test that produces the
message by running the failing torch op, so a torch upgrade that rewords one shows up there.
"""

from __future__ import annotations

import re
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


_N = r"(-?\d+)"
_LIST = r"\[([^\]]*)\]"

# (kind, pattern, builder); the first match wins, so specific patterns come first.
_PATTERNS: list[tuple[str, re.Pattern, object]] = []


def _pattern(kind: str, regex: str):
    def register(build):
        _PATTERNS.append((kind, re.compile(regex), build))
        return build

    return register


@_pattern(
    "broadcast",
    rf"The size of tensor a \({_N}\) must match the size of tensor b \({_N}\) "
    rf"at non-singleton dimension {_N}",
)
def _broadcast(m: re.Match) -> dict:
    return {"sizes": (int(m[1]), int(m[2])), "dim": int(m[3])}


@_pattern("matmul", rf"mat1 and mat2 shapes cannot be multiplied \({_N}x{_N} and {_N}x{_N}\)")
def _matmul(m: re.Match) -> dict:
    return {"shapes": ((int(m[1]), int(m[2])), (int(m[3]), int(m[4])))}


@_pattern("matmul", rf"size mismatch, got input \({_N}\), mat \({_N}x{_N}\), vec \({_N}\)")
def _matvec(m: re.Match) -> dict:
    return {"shapes": ((int(m[2]), int(m[3])), (int(m[4]),))}


@_pattern(
    "matmul",
    rf"inconsistent tensor size, expected tensor \[{_N}\] and src \[{_N}\] "
    r"to have the same number of elements",
)
def _dot(m: re.Match) -> dict:
    return {"shapes": ((int(m[1]),), (int(m[2]),))}


@_pattern(
    "matmul",
    rf"Expected size for first two dimensions of batch2 tensor to be: {_LIST} but got: {_LIST}",
)
def _bmm(m: re.Match) -> dict:
    return {"sizes": _ints(m[1]) + _ints(m[2]), "extra": {"batch": True}}


@_pattern("rank", r"(self|mat2) must be a matrix")
def _mm_rank(m: re.Match) -> dict:
    return {"operand": 0 if m[1] == "self" else 1, "sizes": (2,)}


@_pattern("rank", r"batch([12]) must be a 3D tensor")
def _bmm_rank(m: re.Match) -> dict:
    return {"operand": int(m[1]) - 1, "sizes": (3,)}


@_pattern("rank", r"vector \+ matrix @ vector expected, got 1, (\d+), (\d+)")
def _mv_rank(m: re.Match) -> dict:
    # torch.mv(mat, vec): the ranks of its (implicit) input, the matrix and the vector
    return {"operand": 0 if int(m[1]) != 2 else 1, "sizes": (2 if int(m[1]) != 2 else 1,)}


@_pattern("rank", r"both arguments to matmul need to be at least 1D, but they are (\d)D and (\d)D")
def _matmul_rank(m: re.Match) -> dict:
    return {"sizes": (1,), "extra": {"ranks": (int(m[1]), int(m[2]))}}


@_pattern(
    "einsum",
    rf"einsum\(\): subscript ([a-zA-Z]) has size {_N} for operand {_N} "
    rf"which does not broadcast with previously seen size {_N}",
)
def _einsum_size(m: re.Match) -> dict:
    return {"label": m[1], "sizes": (int(m[4]), int(m[2])), "operand": int(m[3])}


@_pattern(
    "einsum",
    rf"einsum\(\): the number of subscripts in the equation \({_N}\) does not match "
    rf"the number of dimensions \({_N}\) for operand {_N}",
)
def _einsum_rank(m: re.Match) -> dict:
    return {"sizes": (int(m[1]), int(m[2])), "operand": int(m[3]), "extra": {"rank": True}}


@_pattern("einsum", r"einsum\(\): (fewer|more) operands were provided than specified")
def _einsum_count(m: re.Match) -> dict:
    return {"extra": {"count": m[1]}}


@_pattern("einsum", r"einsum\(\): ")
def _einsum_other(m: re.Match) -> dict:
    return {}


@_pattern(
    "expand",
    rf"The expanded size of the tensor \({_N}\) must match the existing size \({_N}\) "
    rf"at non-singleton dimension {_N}\.\s+Target sizes: {_LIST}\.\s+Tensor sizes: {_LIST}",
)
def _expand(m: re.Match) -> dict:
    return {
        "sizes": (int(m[1]), int(m[2])),
        "dim": int(m[3]),
        "shapes": (_ints(m[5]), _ints(m[4])),
    }


@_pattern(
    "expand",
    rf"expand\([^{{]*\{{{_LIST}\}}, size={_LIST}\): the number of sizes provided \({_N}\) "
    rf"must be greater or equal to the number of dimensions in the tensor \({_N}\)",
)
def _expand_rank(m: re.Match) -> dict:
    return {"shapes": (_ints(m[1]), _ints(m[2])), "extra": {"rank": True}}


@_pattern("view", rf"shape '{_LIST}' is invalid for input of size {_N}")
def _view(m: re.Match) -> dict:
    return {"shapes": (_ints(m[1]),), "sizes": (int(m[2]),)}


@_pattern("view", r"view size is not compatible with input tensor's size and stride")
def _view_stride(m: re.Match) -> dict:
    return {"extra": {"stride": True}}


@_pattern("view", r"only one dimension can be inferred")
def _view_two_inferred(m: re.Match) -> dict:
    return {"extra": {"inferred": True}}


@_pattern("inplace", rf"output with shape {_LIST} doesn't match the broadcast shape {_LIST}")
def _inplace(m: re.Match) -> dict:
    return {"shapes": (_ints(m[1]), _ints(m[2]))}


@_pattern(
    "cat",
    rf"Sizes of tensors must match except in dimension {_N}\. Expected size {_N} but got "
    rf"size {_N} for tensor number {_N} in the list",
)
def _cat(m: re.Match) -> dict:
    return {"dim": int(m[1]), "sizes": (int(m[2]), int(m[3])), "operand": int(m[4])}


@_pattern("cat", rf"Tensors must have same number of dimensions: got {_N} and {_N}")
def _cat_rank(m: re.Match) -> dict:
    return {"sizes": (int(m[1]), int(m[2])), "extra": {"rank": True}}


@_pattern(
    "cat",
    rf"stack expects each tensor to be equal size, but got {_LIST} at entry {_N} and "
    rf"{_LIST} at entry {_N}",
)
def _stack(m: re.Match) -> dict:
    return {
        "shapes": (_ints(m[1]), _ints(m[3])),
        "sizes": (int(m[2]), int(m[4])),
        "extra": {"stack": True},
    }


def parse_message(text: str) -> ShapeMessage | None:
    """The :class:`ShapeMessage` for torch's error ``text``, or None when it is no shape error."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    for kind, regex, build in _PATTERNS:
        match = regex.search(first)
        if match:
            return ShapeMessage(kind=kind, text=first, **build(match))
    return None
