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
    assert speedup_text(row) == "95,814× ±1.9%"
    course = load("course_cpu")
    for page in (to_text(course), to_html(course)):
        assert "95,814× ±3.0%" in page and "95% interval" in page


def test_each_median_shows_its_interval_in_text_html_and_bars():
    course = load("course_cpu")
    assert "412 ms ±1.0%" in to_text(course)
    page = to_html(course)
    assert page.count("412 ms ±1.0%") >= 2  # the table cell and the bar's label
    assert "<path d=" in page  # the bars' interval whiskers


def test_a_speedup_whose_interval_is_wider_than_2x_is_not_shown_as_a_figure():
    # Issue 20: "84.6× (12.9–29,186)" read as a figure.
    contended = load("contended_cpu")
    for page in (to_text(contended), to_html(contended)):
        assert "not known (13–29,000×)" in page
        assert "84.6×" not in page


def test_an_unreliable_row_is_marked_in_the_table_the_bars_and_the_notes():
    contended = load("contended_cpu")
    text, page = to_text(contended), to_html(contended)
    for out in (text, page):
        assert "≈ 220 µs ⚠" in out and "224 µs" not in out  # never the exact figure
        assert "✓ ok, ⚠ unreliable" in out
        assert "⚠ = unreliable" in out  # the legend
        assert "contended: 2 threads ran 14× slower" in out  # the reason, in the notes
        assert "≈ 1,800× ⚠" in out
    assert 'data-unreliable="true"' in page
    assert 'title="unreliable: contended: 2 threads' in page  # on hover, beside the figure
    assert "fill-opacity: 0.2;" in page  # the faded, dashed bar
    assert "2 threads" in text.splitlines()[1]  # the conditions line states the threads


def test_an_unreliable_estimate_is_never_shown_as_exact():
    row = BenchRow("slow", median=2.75, speedup=0.14981818, speedup_low=0.145, speedup_high=0.154,
                   extrapolated=True, unreliable=True)  # fmt: skip
    assert speedup_text(row) == "≈ 0.15× ⚠"
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
        assert "broadcast, einsum (median known to ±8.7%, ±6.6%; target ±5%)" in page


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
    assert "target: each median known to ±5%" in to_text(load("course_cpu"))
