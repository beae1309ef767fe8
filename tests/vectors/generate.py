"""Write the shape-rule test vectors: ``broadcast.json`` and ``einsum.json`` next to this file.

Run ``python tests/vectors/generate.py`` after changing ``matmul_magic/shapes/``. Results
and whether a case is an error come from torch (``torch.broadcast_shapes`` and
``torch.einsum`` on zero-filled tensors); the error sentences and the explanation fields
come from ``matmul_magic.shapes``, which must agree with torch on every case or this script
fails. Cases with ``"oracle": "rules"`` are input checks torch does not make (bools,
negative or absurd sizes, too many operands): there ``matmul_magic.shapes`` is the reference.
``widgets.json`` holds the sentences the widgets build from the rules' ones (a clash naming
the operands' labels), from ``matmul_magic.widgets``; the TypeScript views are tested on it.
``tests/test_vectors.py`` checks that the committed files are current; the TypeScript
port in ``labextension/src/rules/`` is tested against them.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import torch  # noqa: E402

from matmul_magic import shapes as rules  # noqa: E402

SEED = 20240905
BIG = 2**40

# ---------------------------------------------------------------------------- broadcast

BROADCAST_CASES: list[list[Any]] = [
    [],
    [[]],
    [[], []],
    [[], [3]],
    [[5, 784], [784]],
    [[5, 784], [10]],
    [[784, 10], [5, 784]],
    [[3], [3, 1]],
    [[1, 3], [3, 1]],
    [[3, 1], [4, 5]],
    [[2, 3, 1], [4, 5, 7]],
    [[5, 1, 4], [3, 1], [1]],
    [[0], [1]],
    [[0], [3]],
    [[2, 1], [0]],
    [[0, 1], [1, 0]],
    [[1, 1], [1]],
    [3, [2, 1]],
    [[8, 1, 6, 1], [7, 1, 5]],
    [[256, 256, 3], [3]],
    [[15, 3, 5], [15, 1, 5], [3, 5], [1]],
    [[1], [1], [1], [1], [1], [1], [1], [4]],
    [[1] * 64],
    [[BIG, 1], [1, 4]],
    [[BIG, 0, BIG]],
]

# Input checks torch does not make the same way; matmul_magic.shapes is the reference for these.
BROADCAST_INVALID: list[list[Any]] = [
    [[2, True]],
    [[2.5]],
    [[3], [2, -1]],
    [[-1], [3]],
    [["3"]],
    [[None]],
    [[3], "5,1"],
    [[3], None],
    [[3], True],
    [[3]] * 9,
    [[1] * 65],
    [[2**60]],
    [[BIG, BIG]],
    [[BIG, 1], [BIG]],
]


def _random_broadcast(rng: random.Random) -> list[list[int]]:
    sizes = [0, 1, 1, 2, 3, 5, 7]
    base = [rng.choice(sizes) for _ in range(rng.randint(0, 5))]
    cases = []
    for _ in range(rng.randint(1, 4)):
        ndim = rng.randint(0, len(base) + 1)
        suffix = ([rng.choice(sizes)] + base)[-ndim:] if ndim else []
        cases.append([rng.choice([s, s, s, 1, rng.choice(sizes)]) for s in suffix])
    return cases


def _error(call: Any) -> tuple[Any, str | None, str | None]:
    try:
        return call(), None, None
    except (TypeError, ValueError) as error:
        return None, str(error), type(error).__name__


def broadcast_case(shapes: list[Any], oracle: str) -> dict[str, Any]:
    result, error, error_type = _error(lambda: list(rules.broadcast_shapes(*shapes)))
    if oracle == "torch":
        try:
            expected = list(torch.broadcast_shapes(*shapes))
        except RuntimeError:
            expected = None
        if expected != result:
            raise AssertionError(f"the rules disagree with torch on {shapes}: {result} {error}")
    explanation, _, _ = _error(lambda: rules.explain_broadcast(*shapes).to_dict())
    return {
        "shapes": shapes,
        "oracle": oracle,
        "result": result,
        "error": error,
        "error_type": error_type,
        "explain": explanation,
    }


def broadcast_vectors() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases = [broadcast_case(shapes, "torch") for shapes in BROADCAST_CASES]
    cases += [broadcast_case(_random_broadcast(rng), "torch") for _ in range(275)]
    cases += [broadcast_case(shapes, "rules") for shapes in BROADCAST_INVALID]
    return cases


# ---------------------------------------------------------------------------- einsum

EINSUM_CASES: list[list[Any]] = [
    ["ik,kj->ij", [[5, 784], [784, 10]]],
    ["ik,kj", [[5, 784], [784, 10]]],
    ["ik,kj->ij", [[5, 784], [783, 10]]],
    ["ik,kj->ij", [[5, 1], [784, 10]]],
    ["bik,bkj->bij", [[2, 5, 3], [2, 3, 4]]],
    ["i k , k j -> i j", [[5, 4], [4, 3]]],
    ["ij-> ji", [[2, 3]]],
    ["ij- >ji", [[2, 3]]],
    ["ij\t->ji", [[2, 3]]],
    ["i,i->i", [[1], [3]]],
    ["i,i", [[1], [3]]],
    ["i,j", [[2], [3]]],
    ["ii->i", [[3, 3]]],
    ["ii->i", [[3, 4]]],
    ["ii->i", [[1, 3]]],
    ["ii", [[3, 3]]],
    ["ii->", [[0, 0]]],
    ["iij->j", [[2, 2, 3]]],
    ["ii,i->i", [[1, 1], [3]]],
    ["ij,jj->i", [[2, 1], [3, 3]]],
    ["Ba,ab", [[2, 3], [3, 4]]],
    ["bA", [[2, 3]]],
    ["ab,bc->ac", [[2, 3], [3, 4]]],
    ["abcdefgh,h->a", [[1, 1, 1, 1, 1, 1, 1, 2], [2]]],
    ["ij->ii", [[2, 2]]],
    ["ij->k", [[2, 2]]],
    ["ij->j->i", [[2, 2]]],
    ["ij-->ij", [[2, 3]]],
    ["ij->i,j", [[2, 2]]],
    ["i->", [[2]]],
    ["->", [[]]],
    [",->", [[], []]],
    ["", [[]]],
    [" ", [[]]],
    [",", [[], []]],
    ["", [[2, 3], [3, 4]]],
    ["  ", [[5, 784], [784, 10]]],
    ["->i", [[2]]],
    ["i1", [[2, 2]]],
    ["é", [[2]]],
    ["ij,😀", [[2, 2], [2]]],
    ["..ij", [[2, 2]]],
    ["i . . . j", [[2, 3]]],
    ["i...j...", [[2, 2]]],
    ["i....", [[2, 3]]],
    ["i->...i...", [[2]]],
    ["...", [[2, 3]]],
    ["...->", [[2, 3]]],
    ["...->...", [[]]],
    ["i...->...i", [[2]]],
    ["...ij->...ji", [[2, 3]]],
    ["...ij,...jk", [[7, 2, 3], [3, 4]]],
    ["...ij,...jk->ij", [[7, 2, 3], [3, 4]]],
    ["ij,jk->...ik", [[2, 3], [3, 4]]],
    ["...ij,...jk->...ik", [[7, 2, 3], [5, 3, 4]]],
    ["...ij,...jk->...ik", [[7, 2, 3], [1, 3, 4]]],
    ["...ij,...jk", [[6, 7, 2, 3], [7, 3, 4]]],
    ["...ij,...jk", [[6, 7, 2, 3], [6, 3, 4]]],
    ["...ij,...jk", [[6, 1, 2, 3], [7, 3, 4]]],
    ["...,...->...", [[2, 3], [3]]],
    ["...,...->...", [[2, 3], [2]]],
    ["a...,a->...", [[2, 0], [2]]],
    ["j...,j...->...", [[2, 0], [2, 3]]],
    ["...ij,...jk", [[0, 2, 3], [1, 3, 4]]],
    ["...ij,...jk", [[0, 2, 3], [5, 3, 4]]],
    ["...ii->...", [[3, 2, 2]]],
    ["i...i->...", [[2, 3, 2]]],
    ["ij,ij->", [[0, 3], [1, 3]]],
    ["i,i->", [[0], [1]]],
    ["ij", [[2]]],
    ["ij", [[2, 3, 4]]],
    ["i...j", [[2]]],
    ["i...j", [[2, 3]]],
    ["ij,jk", [[2, 3]]],
    ["ij", [[2, 3], [3]]],
    ["ij,->ij", [[2, 3], [4]]],
    ["i,->i", [[2], []]],
    # torch.einsum takes any number of operands (8 is broadcasting's limit, not einsum's)
    [",".join("i" * 9), [[2]] * 9],
    ["ab,bc,cd,de,ef,fg,gh,hi,ij,jk->ak", [[2, 3], [3, 2]] * 4 + [[2, 3], [3, 1]]],
    [",".join("i" * 30) + "->i", [[2]] * 30],
]

EINSUM_INVALID: list[list[Any]] = [
    ["ij", []],
    ["i", ["ab"]],
    ["i", [[2.5]]],
    ["i", [[-2]]],
    ["i", [[True]]],
    ["i,j->ij", [[BIG], [BIG]]],
]


def _random_einsum(rng: random.Random) -> list[Any]:
    labels_pool = "ijkIb"
    sizes = {label: rng.choice([0, 1, 2, 3]) for label in labels_pool}
    ellipsis = [rng.choice([0, 1, 2, 3]) for _ in range(rng.randint(0, 2))]
    terms, shapes, used = [], [], []
    for _ in range(rng.randint(1, 3)):
        labels = [rng.choice(labels_pool) for _ in range(rng.randint(0, 3))]
        shape = []
        for label in labels:
            roll = rng.randint(0, 9)
            shape.append(
                1 if roll == 0 else rng.choice([0, 1, 2, 3]) if roll == 1 else sizes[label]
            )
        term = "".join(labels)
        if rng.randint(0, 2) == 0:
            at = rng.randint(0, len(labels))
            own = ellipsis[len(ellipsis) - rng.randint(0, len(ellipsis)) :]
            own = [1 if rng.randint(0, 5) == 0 else size for size in own]
            term = term[:at] + "..." + term[at:]
            shape[at:at] = own
            used.append("...")
        if rng.randint(0, 19) == 0:
            shape = shape[1:] if shape and rng.random() < 0.5 else [2, *shape]
        terms.append(term)
        shapes.append(shape)
        used.extend(labels)
    spec = ",".join(terms)
    if rng.random() < 0.5:
        candidates = sorted(set(used)) + rng.choice([[], [], ["k"], ["..."], ["i"]])
        rng.shuffle(candidates)
        spec += "->" + "".join(candidates[: rng.randint(0, len(candidates))])
    if rng.randint(0, 19) == 0:
        shapes = shapes[:-1] if rng.random() < 0.5 else [*shapes, [2]]
    if rng.randint(0, 9) == 0:
        at = rng.randint(0, len(spec))
        spec = spec[:at] + " " + spec[at:]
    return [spec, shapes]


def _random_garbage(rng: random.Random) -> list[Any]:
    spec = "".join(rng.choice("ij.,-> 1") for _ in range(rng.randint(0, 8)))
    shapes = [[rng.choice([1, 2, 3]) for _ in range(rng.randint(0, 2))] for _ in range(2)]
    return [spec, shapes[: rng.randint(1, 2)]]


def einsum_case(spec: str, shapes: list[Any], oracle: str) -> dict[str, Any]:
    plan, error, error_type = _error(lambda: rules.parse_einsum(spec, *shapes).to_dict())
    if oracle == "torch":
        try:
            operands = [torch.zeros(shape) for shape in shapes]
            expected = list(torch.einsum(spec, *operands).shape)
        except (RuntimeError, ValueError):
            expected = None
        got = None if plan is None else plan["shape"]
        if expected != got:
            raise AssertionError(f"the rules disagree with torch on {spec!r} {shapes}: {error}")
    return {
        "spec": spec,
        "shapes": shapes,
        "oracle": oracle,
        "shape": None if plan is None else plan["shape"],
        "error": error,
        "error_type": error_type,
        "plan": plan,
    }


def einsum_vectors() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases = [einsum_case(spec, shapes, "torch") for spec, shapes in EINSUM_CASES]
    cases += [einsum_case(*_random_einsum(rng), "torch") for _ in range(220)]
    cases += [einsum_case(*_random_garbage(rng), "torch") for _ in range(40)]
    cases += [einsum_case(spec, shapes, "rules") for spec, shapes in EINSUM_INVALID]
    return cases


# ---------------------------------------------------------------------------- widgets

# (shapes, labels): the clash sentence names the labels the table shows.
NAMED_CLASHES: list[tuple[list[list[int]], list[str]]] = [
    ([[2, 3], [4]], ["a", "b"]),
    ([[5, 1], [3, 4]], ["m", "c"]),
    ([[1, 3], [2, 1], [4, 1]], ["x", "y", "z"]),
    ([[8, 1, 6, 1], [7, 1, 5]], ["a", "b"]),
    ([[3], [3, 1], [2, 5, 1], [7]], ["<b>bold</b>", "a b", "x[:, None]", "é"]),
    ([[0], [2]], ["zero", "two"]),
    ([], []),
]

# (spec, shapes, labels): an einsum error's "operand 0" becomes the operand's label.
NAMED_EINSUM_ERRORS: list[tuple[str, list[list[int]], list[str]]] = [
    ("ik,kj->ij", [[5, 784], [10, 3]], ["m1", "m2"]),
    ("ij,jk", [[2, 3]], ["w"]),
    ("ii->i", [[2, 3]], ["sq"]),
    ("...i,...i->...", [[2, 3], [4, 3]], ["p", "q"]),
    ("ab,bc,cd->ad", [[2, 3], [3, 4], [5, 6]], ["a", "b", "Operand 2"]),
]


# What the einsum spec box reads from pasted text: one pair of matching quotes goes.
PASTED_SPECS = [
    "'ik,kj->ij'",
    '"ik,kj->ij"',
    " 'bik,bkj' ",
    "'ik,kj->ij\"",
    "'",
    "''",
    "ik,kj->ij",
    "i'j",
]


def widget_vectors() -> list[dict[str, Any]]:
    from matmul_magic.widgets._names import name_operands
    from matmul_magic.widgets.einsum_explorer import unquote_spec
    from matmul_magic.widgets.shape_explorer import named_reason

    cases: list[dict[str, Any]] = []
    for shapes, names in NAMED_CLASHES:
        sentence = named_reason(rules.explain_broadcast(*shapes), names)
        cases.append({"kind": "broadcast", "shapes": shapes, "names": names, "text": sentence})
    for spec, shapes, names in NAMED_EINSUM_ERRORS:
        try:
            rules.parse_einsum(spec, *shapes)
        except ValueError as error:
            message = str(error)
        else:
            raise AssertionError(f"{spec!r} {shapes} should fail")
        text = name_operands(message, names)
        cases.append({"kind": "einsum", "message": message, "names": names, "text": text})
    for pasted in PASTED_SPECS:
        cases.append({"kind": "spec", "pasted": pasted, "text": unquote_spec(pasted)})
    return cases


# ---------------------------------------------------------------------------- files


def render(cases: list[dict[str, Any]]) -> str:
    """One case per line, so a rule change shows as a readable diff."""
    lines = ",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in cases)
    header = json.dumps(
        "Generated by tests/vectors/generate.py from torch, matmul_magic.shapes and "
        "matmul_magic.widgets; do not edit by hand."
    )
    return f'{{\n "about": {header},\n "cases": [\n{lines}\n ]\n}}\n'


def vectors() -> dict[str, str]:
    """File name -> the text it should hold."""
    return {
        "broadcast.json": render(broadcast_vectors()),
        "einsum.json": render(einsum_vectors()),
        "widgets.json": render(widget_vectors()),
    }


def main() -> None:
    for name, text in vectors().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {HERE / name} ({text.count(chr(10)) - 5} cases)")


if __name__ == "__main__":
    main()
