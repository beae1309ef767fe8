"""The terminal's sweep: a column per size, and a log-log chart drawn in braille."""

from __future__ import annotations

import json
from pathlib import Path

from matmul_magic.bench_result.result import BenchResult, BenchRow, SweepPoint
from matmul_magic.bench_result.views import to_text
from matmul_magic.bench_result.views.sweep_text import (
    shown_sizes,
    sweep_chart,
    sweep_table,
    to_text_with_sweep,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bench"


def _result(rows: dict[str, list[tuple[int, float | None]]], **point_kwargs) -> dict:
    sizes = sorted({s for points in rows.values() for s, _ in points})
    return BenchResult(
        rows=[
            BenchRow(
                name,
                kind="course",
                median=1e-3,
                runs=3,
                points=tuple(
                    SweepPoint(s, s, s, s, median=t, runs=1 if t else 0, **point_kwargs)
                    for s, t in points
                ),
            )
            for name, points in rows.items()
        ],
        device="cpu",
        dtype="float32",
        shapes={"a": (5, 784), "b": (784, 10)},
        sweep_sizes=tuple(sizes),
    ).to_dict()


def test_the_table_has_a_column_per_size_each_time_in_its_own_unit():
    result = _result(
        {"cubic": [(10, 1e-6), (100, 1e-3)], "flat\x1b[31m": [(10, 2e-6), (100, None)]}
    )
    lines = sweep_table(result).splitlines()
    assert lines[0] == "median time at each size ±95% interval (size×size @ size×size)"
    assert lines[1].split() == ["name", "10²", "100²", "exponent"]
    assert lines[3].split() == ["cubic", "1.00", "µs", "1.00", "ms", "—"]
    assert lines[4].split() == ["flat�[31m", "2.00", "µs", "—", "—"]  # user text stays text


def test_extrapolated_and_failed_points_are_marked():
    result = _result({"x": [(8, 2e-3), (16, 3e-3)]}, extrapolated=True)
    assert "≈ 2.00 ms" in sweep_table(result)
    failed = _result({"x": [(8, None), (16, None)]}, error="boom")
    cells = sweep_table(failed).splitlines()[3].split("  ")
    assert [c.strip() for c in cells if c.strip()] == ["x", "! failed", "! failed", "—"]


def test_a_long_sweep_shows_at_most_eight_sizes_evenly_spread_and_says_so():
    assert shown_sizes(list(range(1, 4))) == [1, 2, 3]
    picked = shown_sizes(list(range(100)))
    assert len(picked) == 8 and picked[0] == 0 and picked[-1] == 99
    result = json.loads((FIXTURES / "sweep_cpu.json").read_text())
    table = sweep_table(result)
    assert "8 of the 100 sizes, all of them in --save" in table
    assert table.splitlines()[1].split()[1:-1] == [
        f"{s}²" for s in shown_sizes(result["sweep"]["sizes"])
    ]


def test_the_chart_puts_log_time_against_log_size():
    # A cube law over one decade of size spans three decades of time: corner to corner.
    result = _result({"cubic": [(10, 1e-6), (100, 1e-3)], "flat": [(10, 1e-6), (100, 1e-6)]})
    lines = sweep_chart(result, width=20, height=6).splitlines()
    assert [line[:8] for line in lines[:6]] == [
        "  1 ms ┤", "       │", "100 µs ┤", " 10 µs ┤", "       │", "  1 µs ┤",
    ]  # fmt: skip
    assert lines[0].endswith("1")  # top right: cubic's end
    assert lines[5].startswith("  1 µs ┤2")  # bottom left: both start; the later marker wins
    assert lines[5].endswith("2")  # flat stays at the bottom
    assert any("\u2800" < ch <= "\u28ff" for line in lines[1:5] for ch in line)  # the braille line
    assert lines[-4].startswith("       └┬") and lines[-4].endswith("┬")
    assert lines[-3].split() == ["10", "100"]
    assert lines[-1].split() == ["1", "cubic", "2", "flat"]


def test_a_dense_sweep_marks_only_the_ends_of_each_line():
    result = json.loads((FIXTURES / "sweep_cpu.json").read_text())
    chart = sweep_chart(result)
    plot = "\n".join(line.split("┤")[-1].split("│")[-1] for line in chart.splitlines()[:-4])
    for marker in "12345":
        assert plot.count(marker) <= 2
    assert "1 loops  2 elementwise  3 broadcast  4 einsum  5 torch" in chart


def test_nothing_to_draw_is_no_chart_and_no_sweep_is_the_plain_table():
    assert sweep_chart(_result({"x": [(8, 1e-3)]})) == ""  # one size: no slope
    assert sweep_chart(_result({"x": [(8, None), (16, None)]})) == ""  # nothing timed
    course = json.loads((FIXTURES / "course_cpu.json").read_text())
    assert sweep_table(course) == "" and to_text_with_sweep(course) == to_text(course)


def test_a_sweep_result_printed_in_ipython_has_the_per_size_table_and_the_chart(ip):
    # What terminal IPython prints for `bench(..., sweep=...)`: its text/plain, as the CLI does.
    result = BenchResult.from_dict(json.loads((FIXTURES / "sweep_cpu.json").read_text()))
    payload = result.to_dict()
    table, chart = sweep_table(payload), sweep_chart(payload)
    assert table and chart
    formatter = ip.display_formatter
    shown = formatter.format(result)[0]["text/plain"]
    assert shown == to_text_with_sweep(payload) == repr(result)
    assert table in shown and chart in shown
    assert shown.startswith(to_text(payload))


def test_each_sweep_time_shows_its_interval_and_an_unreliable_row_no_exact_figure():
    result = _result({"torch": [(10, 1e-6), (100, 1e-3)]}, median_low=None, median_high=None)
    point = result["rows"][0]["points"][1]
    point["median_low"], point["median_high"] = 0.98e-3, 1.05e-3
    assert "1.00 ms ±5.0%" in sweep_table(result)
    result["rows"][0]["unreliable"] = True
    result["rows"][0]["exponent"] = -3.87
    table = sweep_table(result)
    assert "≈ 1.0 ms ⚠" in table and "±5.0%" not in table
    assert "-3.87 ⚠" in table  # issue 20: an exponent of -3.87 was shown as a figure


def test_the_html_sweep_chart_draws_intervals_and_marks_unreliable_lines():
    from matmul_magic.bench_result.views.svg import sweep_chart_svg

    result = json.loads((FIXTURES / "sweep_cpu.json").read_text())
    chart = sweep_chart_svg(result)
    assert "stroke-opacity: 0.6" in chart  # the points' 95 % intervals as error bars
    assert "∝ size^" in chart and "n^" not in chart
    result["rows"][0]["unreliable"] = True
    result["rows"][0]["note"] = "contended"
    chart = sweep_chart_svg(result)
    assert "stroke-dasharray: 4 3;" in chart and " ⚠</text>" in chart
    assert "unreliable, contended" in chart


def test_a_size_the_race_did_not_reach_reads_not_measured_not_failed():
    """Issue 20: the race's "not measured: ..." points are no failure; a raise still is."""
    result = _result({"loops": [(10, 1e-6), (100, None), (1000, None)]})
    points = result["rows"][0]["points"]
    points[1]["error"] = "not measured: the budget was spent before the race reached this size"
    points[2]["error"] = "RuntimeError: out of memory"
    cells = sweep_table(result).splitlines()[3]
    assert "– not measured" in cells
    assert cells.count("! failed") == 1
