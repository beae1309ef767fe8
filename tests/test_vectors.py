"""The committed shape-rule vectors are current: regenerating them changes nothing.

The TypeScript port is tested against these files, so a rule change in ``matmul_magic/shapes/``
that is not followed by ``python tests/vectors/generate.py`` fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parent / "vectors"


def _generator():
    spec = importlib.util.spec_from_file_location("vectors_generate", VECTORS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return _generator().vectors()


@pytest.mark.parametrize("name", ["broadcast.json", "einsum.json", "widgets.json"])
def test_committed_vectors_are_current(generated, name):
    committed = (VECTORS / name).read_text(encoding="utf-8")
    assert committed == generated[name], (
        f"tests/vectors/{name} is stale: run `python tests/vectors/generate.py` and commit it"
    )


@pytest.mark.parametrize("name", ["broadcast.json", "einsum.json"])
def test_vectors_cover_the_rules(name):
    cases = json.loads((VECTORS / name).read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 300
    errors = [case for case in cases if case["error"] is not None]
    assert len(errors) >= 40 and len(cases) - len(errors) >= 150
    assert {case["oracle"] for case in cases} == {"torch", "rules"}
    assert {case["error_type"] for case in errors} == {"TypeError", "ValueError"}
    if name == "broadcast.json":
        assert any(case["shapes"] == [[], [3]] for case in cases)  # 0-d
        assert any(0 in (case["result"] or []) for case in cases)  # zero-size
        kinds = {k for case in cases if case["explain"] for c in case["explain"]["columns"]
                 for k in c["kinds"]}  # fmt: skip
        assert kinds == {"equal", "stretched", "missing", "clash"}
    else:
        plans = [case["plan"] for case in cases if case["plan"]]
        assert any(plan["implicit"] for plan in plans)
        assert any(plan["ellipsis"] for plan in plans)
        assert any(len(set(labels)) < len(labels) for p in plans for labels in p["inputs"])
