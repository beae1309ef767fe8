"""The presentation rules: the committed vectors are current, and the strings the views once
disagreed on are pinned by hand (the vectors come from the Python formatters, so a wrong
rule would otherwise be copied into them)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from matmul_magic.bench_result.views import format as fmt
from matmul_magic.bench_result.views import to_html

VECTORS = Path(__file__).resolve().parent / "vectors"


def _generator():
    path = VECTORS / "generate_presentation.py"
    spec = importlib.util.spec_from_file_location("vectors_generate_presentation", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_presentation_vectors_are_current():
    committed = (VECTORS / "presentation.json").read_text(encoding="utf-8")
    assert committed == _generator().vectors(), (
        "tests/vectors/presentation.json is stale: run "
        "`python tests/vectors/generate_presentation.py` and commit it"
    )


def test_vectors_cover_every_formatter_and_word():
    cases = json.loads((VECTORS / "presentation.json").read_text(encoding="utf-8"))["cases"]
    formatters = {c["fn"] for c in cases}
    public = {name for name in dir(fmt) if name.startswith(("format_", "status_", "pick_"))}
    assert public - {"format_significant", "status_badges"} <= formatters
    expected = {c["expected"] for c in cases}
    for word in fmt.RULES["status_words"].values():
        assert any(text.startswith(word) for text in expected), word
    assert fmt.MISSING in expected


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (fmt.format_number, 1234.5, "1,235"),  # half away from zero, as JavaScript's toFixed
        (fmt.format_number, 4.3e-6, "4.30e-6"),
        (fmt.format_number, 3e-8, "3.00e-8"),
        (fmt.format_number, 999.95, "1,000"),
        (fmt.format_number, 0.000190291, "0.000190"),
        (fmt.format_number, None, "—"),
        (fmt.format_number, float("nan"), "—"),
        (fmt.format_time, 4.3e-6, "4.30 µs"),
        (fmt.format_time, 999.96e-6, "1.00 ms"),  # never "1,000 µs"
        (fmt.format_time, 0.0, "0 s"),
        (fmt.format_rate, 1234.5, "1.23 TFLOP/s"),
        (fmt.format_tick, 1e-5, "10 µs"),
        (fmt.format_error, 1.9e-6, "1.9e-6"),
        (fmt.format_estimate, 95813.95, "96,000"),
        (fmt.format_count, 4000, "4,000"),
        (fmt.format_exponent, 2.125, "2.13"),
    ],
)
def test_settled_strings(fn, value, expected):
    assert fn(value) == expected


def test_status_words_and_marks():
    row = {"status": "incorrect", "extrapolated": True, "unreliable": False}
    assert fmt.status_text(row) == "✗ incorrect, ≈ extrapolated"
    assert fmt.format_speedup(95813.95, 92940.1, 98688.9) == "95,814× (92,940–98,689)"
    assert fmt.format_speedup(95813.95, unreliable=True) == "≈ 96,000×"
    assert fmt.kind_colour("course") == "var(--jp-brand-color1, #1976d2)"


def test_the_html_fallback_uses_only_the_one_palette():
    palette = fmt.RULES["colours"]
    fallbacks = {c[1] for c in palette["series"]} | {
        palette[n][1] for n in ("accent", "ok", "warn", "error")
    }
    fixtures = Path(__file__).resolve().parent / "fixtures" / "bench"
    seen = set()
    for path in fixtures.glob("*.json"):
        seen |= set(re.findall(r"#[0-9a-fA-F]{6}\b", to_html(json.loads(path.read_text()))))
    assert seen and seen <= fallbacks
