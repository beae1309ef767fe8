"""Hints for ``torch.einsum``: each operand's subscripts drawn over its dimensions, and a
fix when one operand is transposed or its subscripts are swapped."""

from __future__ import annotations

import ast

from ...shapes import format_shape, parse_einsum
from ..failing_line import FailingSite, Operand
from ..fixes import Advice, Fix, changed, choose, is_reshaped, single_changes
from ..intent import by_chance, read_intent
from ..messages import ShapeMessage
from ..render import OperandRow
from .op import FailingOp, operand_rows


def _einsum_terms(spec: str, shapes: list[tuple[int, ...] | None]) -> list[tuple[str, ...] | None]:
    """Each operand's subscripts, one per dimension (``...`` expanded), or None."""
    terms = spec.split("->")[0].replace(" ", "").split(",")
    out: list[tuple[str, ...] | None] = []
    for i, shape in enumerate(shapes):
        if i >= len(terms) or shape is None:
            out.append(None)
            continue
        head, dots, tail = terms[i].partition("...")
        covered = len(shape) - len(head) - len(tail) if dots else 0
        labels = (*head, *(["·"] * max(covered, 0)), *tail)
        out.append(labels if len(labels) == len(shape) else None)
    return out


def einsum_rule(message: ShapeMessage, op: FailingOp) -> tuple[list[OperandRow], Advice]:
    spec = op.args[0].value if op.args else None
    if type(spec) is not str:
        return operand_rows(op.operands), "the einsum spec and the operands' shapes do not agree."
    shapes = [t.shape for t in op.operands]
    terms = _einsum_terms(spec, shapes)
    rows = []
    for i, (operand, labels) in enumerate(zip(op.operands, terms, strict=True)):
        clash: set[int] = set()
        if labels and message.label:
            clash = {d - len(labels) for d, lab in enumerate(labels) if lab == message.label}
        if message.extra.get("rank") and message.operand == i and operand.shape is not None:
            clash = set(range(-len(operand.shape), 0))
        rows.append(OperandRow(operand.label, operand.shape, frozenset(clash), labels))
    if all(shape is not None for shape in shapes):
        advice = _einsum_fix(spec, op.operands, op.args[0].node, op.site)
        if isinstance(advice, Fix):
            return rows, advice
        try:
            parse_einsum(spec, *shapes)
        except ValueError as err:
            said = f"{str(err)[0].lower()}{str(err)[1:]}"
            return rows, f"{said} {advice}" if advice else said
    return rows, message.text.removeprefix("einsum(): ")


def _einsum_fix(
    spec: str, operands: list[Operand], spec_node: ast.AST | None, site: FailingSite | None
) -> Advice | None:
    shapes = [op.shape for op in operands]

    def outcome(*candidate):
        try:
            return parse_einsum(spec, *candidate).shape
        except ValueError:
            return None

    evidence = read_intent(operands, site, outcome, "its subscript shares with another operand")
    if evidence is not None:  # how an operand was built says more than its shape
        return evidence.fix or evidence.sentence
    undo = [c for c in single_changes(operands, None, new_axis=False) if c.tier == 0]
    fix = choose(undo, shapes, outcome)
    if fix is not None or any(outcome(*changed(shapes, c.index, c.shape)) for c in undo):
        return fix
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands) or spec_node is None:
        return None
    found: list[tuple[Fix, tuple[int, ...]]] = []
    for i, op in enumerate(operands):
        term = terms[i].strip()
        if len(term) >= 2 and "." not in term and is_reshaped(op.node) is None:
            swapped = term[:-2] + term[:-3:-1]  # the last two labels swapped: a transpose
            respelled_terms = [*terms[:i], swapped, *terms[i + 1 :]]
            if _pairs_by_chance(respelled_terms, operands):
                continue
            respelled = ",".join(respelled_terms) + arrow + rhs
            try:
                result = parse_einsum(respelled, *shapes).shape
            except ValueError:
                continue
            text = (
                f"{op.label} is {format_shape(op.shape)}, so its subscripts read "
                f"'{swapped}': did you mean '{respelled}'?"
            )
            found.append((Fix(text, spec_node, repr(respelled)), tuple(result)))
    return found[0][0] if found and len({r for _, r in found}) == 1 else None


def _pairs_by_chance(terms: list[str], operands: list[Operand]) -> bool:
    """Whether a subscript shared by operands pairs an axis a slice cut with an uncut one."""
    axes: dict[str, list[tuple[Operand, int]]] = {}
    for term, operand in zip(terms, operands, strict=True):
        term = term.strip()
        for d, label in enumerate(term):
            axes.setdefault(label, []).append((operand, d - len(term)))
    return any(by_chance(pairs) for pairs in axes.values() if len(pairs) > 1)
