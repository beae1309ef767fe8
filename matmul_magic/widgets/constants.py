"""What the widgets' Python side and their TypeScript views agree on, read from ``constants.json``.

The TypeScript gets the same file generated into ``labextension/src/generated/widgets.ts``
(``labextension/scripts/generators/widgets.mjs``), so a limit or a word is changed in one place.
Plain data and arithmetic only: importing this never imports anywidget or traitlets.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "constants.json").read_text(encoding="utf-8"))

#: Tensors with at most 2 dims of at most this size send their values to the front end.
MAX_VALUE_SIDE: int = _DATA["max_value_side"]

#: What an operand is called when no expression or ``names=`` labels it: a, b, c...
OPERAND_NAMES: tuple[str, ...] = tuple(_DATA["operand_names"])


@dataclass(frozen=True)
class Level:
    """One of the stepper's levels: its name, what one step does, its code, what it loops over."""

    name: str
    step: str
    code: str
    steps: tuple[str, ...]  # the dims ("m", "k", "n") whose product is the number of steps

    def __str__(self) -> str:
        return f"{self.name}: {self.step}"


#: The lesson's levels, slowest first.
LEVELS: tuple[Level, ...] = tuple(
    Level(level["name"], level["step"], level["code"], tuple(level["steps"]))
    for level in _DATA["stepper_levels"]
)


def steps_at(level: int, m: int, k: int, n: int) -> int:
    """How many Python-level steps level ``level`` takes for an (m, k) @ (k, n) product."""
    dims = {"m": m, "k": k, "n": n}
    return math.prod(dims[dim] for dim in LEVELS[level].steps)
