"""One owner for each widget value, and one source for what Python and the page agree on.

Derived values (a ShapeExplorer's ``result``/``error``, an EinsumExplorer's ``result``,
``summed``, ``error``, ``loops``) are computed in Python for Python and never synced: the page
derives its own from the TypeScript port of the same rules. The limits, names and words both
sides use come from ``matmul_magic/widgets/constants.json`` and ``matmul_magic/shapes/kinds.json``,
which the TypeScript gets generated (``labextension/scripts/generators/widgets.mjs``).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
import traitlets as t

from matmul_magic.shapes import KIND_LEGEND, KIND_WORDS, MAX_OPERANDS, Kind
from matmul_magic.widgets import EinsumExplorer, MatmulStepper, ShapeExplorer
from matmul_magic.widgets.constants import LEVELS, MAX_VALUE_SIDE, OPERAND_NAMES, steps_at

REPO = Path(__file__).resolve().parents[1]


def synced(widget) -> set[str]:
    return set(widget.get_state())


def test_derived_values_stay_in_python():
    shapes = ShapeExplorer((5, 1), (1, 4))
    einsum = EinsumExplorer("ik,kj->ij", (5, 784), (784, 10))
    assert {"result", "error"}.isdisjoint(synced(shapes))
    assert {"result", "error", "summed", "loops"}.isdisjoint(synced(einsum))
    assert {"shapes", "names", "values", "strides"} <= synced(shapes)
    assert {"spec", "shapes", "names"} <= synced(einsum)
    assert (shapes.result, einsum.result, einsum.summed) == ([5, 4], [5, 10], ["k"])


@pytest.mark.parametrize(
    ("widget", "name"),
    [(ShapeExplorer((5, 1), (1, 4)), "result"), (EinsumExplorer("ij->j", (2, 3)), "summed")],
)
def test_derived_values_cannot_be_set_by_hand(widget, name):
    with pytest.raises(t.TraitError):
        setattr(widget, name, [])


def test_a_refused_edit_still_says_why_in_python():
    w = ShapeExplorer((5, 1), (1, 4))
    w.set_state({"shapes": [[5, -1]]})
    assert w.error.startswith("Edit refused") and w.result == [5, 4]


def test_stepper_levels_count_the_lesson_steps():
    assert [level.name for level in LEVELS] == [
        "scalar k loop", "row · column", "row broadcast", "whole product",
    ]  # fmt: skip
    assert [steps_at(level, 5, 784, 10) for level in range(4)] == [39200, 50, 5, 1]
    assert str(LEVELS[0]) == "scalar k loop: c[i,j] += a[i,k] * b[k,j]"
    w = MatmulStepper((2, 3), (3, 4), level=1)
    assert w.total_steps == 8 and str(LEVELS[1]) in repr(w)


def test_every_operand_has_a_default_name_and_small_values_are_8_by_8():
    assert len(OPERAND_NAMES) >= MAX_OPERANDS == 8
    assert ShapeExplorer(*[(1,)] * 8).names == list(OPERAND_NAMES)
    assert MAX_VALUE_SIDE == 8


def test_every_broadcast_kind_has_its_words():
    kinds = set(typing.get_args(Kind))
    assert set(KIND_WORDS) == set(KIND_LEGEND) == kinds
    assert KIND_WORDS["missing"] == "missing" and KIND_LEGEND["missing"].startswith("missing")


def test_the_typescript_reads_the_same_files():
    """The generator names both JSON files, and no view keeps a copy of what they hold."""
    generator = (REPO / "labextension/scripts/generators/widgets.mjs").read_text(encoding="utf-8")
    assert "'widgets', 'constants.json'" in generator and "'shapes', 'kinds.json'" in generator
    views = [p for p in (REPO / "labextension/src").rglob("*.ts") if "generated" not in p.parts]
    for path in views:
        text = path.read_text(encoding="utf-8")
        for copy in ("prepended as 1", "scalar k loop", "MAX_VALUE_SIDE = ", "fromCharCode(97"):
            assert copy not in text or path.name.endswith(".test.ts"), (path, copy)
    data = json.loads((REPO / "matmul_magic/widgets/constants.json").read_text(encoding="utf-8"))
    assert [level["name"] for level in data["stepper_levels"]] == [lv.name for lv in LEVELS]
