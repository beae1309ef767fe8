"""The Python loop nest an einsum stands for, and what it calls each operand."""

from __future__ import annotations

from .operand_shapes import Shape

ELLIPSIS = "..."


def operand_names(labels: set[str], count: int) -> list[str]:
    """a, b, c... for the operands, unless an index already uses one of those letters (or
    there are more operands than letters): then x0, x1, ..."""
    for first in ("a", "A")[: 2 if count <= 26 else 0]:
        names = [chr(ord(first) + i) for i in range(count)]
        if not labels & set(names):
            return names
    return [f"x{i}" for i in range(count)]


def _operand_indices(labels: list[str], shape: Shape, sizes: dict[str, int], ellipsis: Shape):
    """How the loop indexes one operand: a loop variable, or 0 where the operand broadcasts."""
    ell_vars = [f"e{i}" for i in range(len(ellipsis))]
    indices: list[str] = []
    position = 0
    for label in labels:
        if label == ELLIPSIS:
            covered = len(shape) - (len(labels) - 1)
            for var, full, own in zip(
                ell_vars[len(ell_vars) - covered :],
                ellipsis[len(ellipsis) - covered :],
                shape[position : position + covered],
                strict=True,
            ):
                indices.append("0" if own != full else var)
            position += covered
        else:
            indices.append("0" if shape[position] != sizes[label] else label)
            position += 1
    return indices


def loop_nest(
    inputs: list[list[str]],
    shapes: tuple[Shape, ...],
    output: list[str],
    summed: list[str],
    sizes: dict[str, int],
    ellipsis: Shape,
    names: list[str],
) -> str:
    """A ``for`` per output index, then per summed index, around ``out[...] += a[...] * ...``."""
    ell_vars = [f"e{i}" for i in range(len(ellipsis))]

    def expand(labels: list[str]) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for label in labels:
            if label == ELLIPSIS:
                out.extend(zip(ell_vars, ellipsis, strict=True))
            else:
                out.append((label, sizes[label]))
        return out

    loops = expand(output) + expand(summed)
    factors = []
    for name, labels, shape in zip(names, inputs, shapes, strict=True):
        indices = _operand_indices(labels, shape, sizes, ellipsis)
        factors.append(f"{name}[{', '.join(indices)}]" if indices else name)
    target = [var for var, _ in expand(output)]
    lhs = f"out[{', '.join(target)}]" if target else "out"
    lines = [
        f"{'  ' * depth}for {var} in range({size}):" for depth, (var, size) in enumerate(loops)
    ]
    lines.append(f"{'  ' * len(loops)}{lhs} += {' * '.join(factors)}")
    return "\n".join(lines)
