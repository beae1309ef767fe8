"""What the bench CLI and magic tests share: paths and saved results.

The ``fake_bench`` fixture (a stand-in runner) is in ``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from matmul_magic.bench_result.result import BenchResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bench"
SCHEMA = json.loads((ROOT / "matmul_magic" / "bench_result" / "schema.json").read_text())
FAST = ["--budget", "0.2", "--only", "einsum,torch"]


def fixture(name: str) -> BenchResult:
    return BenchResult.from_dict(json.loads((FIXTURES / name).read_text()))
