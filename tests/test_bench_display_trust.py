"""The fallback (text/html, text/plain) says how far to trust each figure, each thing once."""

from __future__ import annotations

import json
from pathlib import Path

from matmul_magic.bench_result.result import BenchResult, BenchRow
from matmul_magic.bench_result.views import to_html, to_text
from matmul_magic.bench_result.views.format import format_speedup, status_text

FIXTURES = Path(__file__).parent / "fixtures" / "bench"


def load(name: str) -> dict:
    return BenchResult.from_dict(json.loads((FIXTURES / f"{name}.json").read_text())).to_dict()


def speedup_text(row: BenchRow) -> str:
    return format_speedup(row.speedup, row.speedup_low, row.speedup_high, row.unreliable)


def test_speedup_shows_its_95_percent_interval():
    row = BenchRow("torch", median=4.3e-6, speedup=95813.9, speedup_low=94000, speedup_high=97500)
    assert speedup_text(row) == "95,814× (94,000–97,500)"
    course = load("course_cpu")
    for page in (to_text(course), to_html(course)):
        assert "95,814× (92,940–98,688)" in page and "95% interval" in page


def test_an_unreliable_estimate_is_never_shown_as_exact():
    row = BenchRow("slow", median=2.75, speedup=0.14981818, speedup_low=0.145, speedup_high=0.154,
                   extrapolated=True, unreliable=True)  # fmt: skip
    assert speedup_text(row) == "≈ 0.15×"
    assert status_text(row.to_dict()) == "✓ ok, ≈ estimate, unreliable"
    page = to_text(load("faults_cpu"))
    assert "0.1498" not in page and "0.150×" not in page and "estimate, unreliable" in page


def test_calls_and_blocks_are_named_apart():
    page = to_text(load("course_cpu"))
    assert "calls (blocks)" in page and "4,000 (20)" in page and " runs " not in page
    assert "calls (blocks) = calls timed, in blocks" in page


def test_noisy_rows_are_said_once_under_the_table():
    course = load("course_cpu")
    for page in (to_text(course), to_html(course)):
        assert page.count("the machine may be busy") == 1
        assert "broadcast, einsum (IQR 12%, 9% of the median; target 5%)" in page


def test_one_off_cost_on_its_row_and_once_in_the_header():
    faults = load("faults_cpu")
    text = to_text(faults)
    assert "one-off first-call costs, not counted: my_matmul & <friends> 1.20 s" in text
    assert "✓ ok, first call +1.20 s" in text
    assert "my_matmul &amp; &lt;friends&gt; 1.20 s" in to_html(faults)


def test_stalls_and_over_budget_are_said():
    text = to_text(load("faults_cpu"))
    assert "stalls: blocks over 10× the median: einsum 2; the machine was busy" in text
    assert text.count("blocks over 10×") == 1  # said once, from the row's stalls field
    assert "≈ extrapolated, over budget" in text


def test_threshold_is_in_the_conditions():
    assert "target IQR ≤ 5% of the median" in to_text(load("course_cpu"))
