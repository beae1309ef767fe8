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
    # format_plain is Python's only: text that reads as Python (test failures, hints, tolerances),
    # which the lab renderer never shows; test_plain_values_read_as_python pins it.
    assert public - {"format_significant", "status_badges", "format_plain"} <= formatters
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
    assert fmt.format_speedup(95813.95, 92940.1, 98688.9) == "95,814× ±3.0%"
    assert fmt.format_speedup(95813.95, unreliable=True) == "≈ 96,000× ⚠"
    assert fmt.kind_colour("course") == "var(--jp-brand-color1, #1976d2)"


def test_a_median_states_its_own_unit_and_how_well_it_is_known():
    # Issue 23: "≈ 2,056,535" in a µs column where the chart said 2.06 s.
    assert fmt.format_median(2.056535, 1.9, 2.3) == "2.06 s ±12%"
    assert fmt.format_median(1.234e-3, 1.21e-3, 1.26e-3) == "1.23 ms ±2.1%"
    assert fmt.format_median(7.54e-6, 7.5399e-6, 7.5401e-6) == "7.54 µs ±<0.1%"
    assert fmt.format_median(2.056535, 1.9, 2.3, extrapolated=True) == "≈ 2.06 s ±12%"
    assert fmt.format_median(7.54e-6) == "7.54 µs"  # a v2 payload: no interval, no claim


def test_an_unreliable_figure_never_reads_as_exact():
    assert fmt.format_median(2.056535, 1.9, 2.3, unreliable=True) == "≈ 2.1 s ⚠"
    row = {"status": "ok", "extrapolated": False, "unreliable": True}
    assert fmt.status_text(row) == "✓ ok, ⚠ unreliable"


def test_a_speedup_whose_interval_spans_more_than_2x_is_not_known():
    # Issue 20: "84.6× (12.9–29,186)" was shown as a figure.
    assert fmt.format_speedup(84.6, 12.9, 29186.0) == "not known (13–29,000×)"
    assert fmt.format_speedup(84.6, 42.2, 169.2) == "not known (42–170×)"
    assert fmt.format_speedup(84.6, 42.3, 169.2) == "84.6× ±100%"  # 2× either way: still known
    assert fmt.format_speedup(508.64) == "509×"


def test_precision_rounds_to_whole_percent_from_ten():
    assert fmt.format_precision(1.0, 0.9, 1.0999) == " ±10%"  # never "±10.0%"
    assert fmt.format_precision(1.0, 0.95, 1.0949) == " ±9.5%"
    assert fmt.format_exponent_label(2.912) == "∝ size^2.91"


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


def test_plain_values_read_as_python():
    assert [fmt.format_plain(v) for v in (1e-05, 0.001, 2.5, 16777217.0)] == [
        "1e-05",
        "0.001",
        "2.5",
        "1.67772e+07",
    ]
    assert fmt.format_plain(16777217.0, 9) == "16777217"
    assert fmt.format_plain(100 / 3, 3) == "33.3"


def test_each_legend_starts_with_the_mark_it_explains():
    legends = fmt.RULES["legends"]
    assert legends["extrapolated"].startswith(f"{fmt.ESTIMATE.strip()} = ")
    assert legends["unreliable"].startswith(f"{fmt.RULES['unreliable_mark'].strip()} = ")
    assert legends["interval"].startswith(f"{fmt.RULES['precision']['mark'].strip()}N% = ")
