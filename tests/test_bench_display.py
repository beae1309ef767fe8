"""The three representations of a BenchResult hold the same rows; user text is never markup."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matmul_magic.bench_result.contract import MIME_TYPE
from matmul_magic.bench_result.result import BenchProgress, BenchResult, BenchRow
from matmul_magic.bench_result.views import format as fmt
from matmul_magic.bench_result.views import mimebundle
from matmul_magic.bench_result.views import to_html as _to_html
from matmul_magic.bench_result.views import to_text as _to_text
from matmul_magic.bench_result.views.format import (
    RULES,
    TIME_UNITS,
    format_number,
    format_tick,
    pick_unit,
)
from matmul_magic.bench_result.views.progress import (
    StreamProgress,
    progress_html,
    progress_line,
    progress_mimebundle,
    progress_snapshot,
    progress_text,
    reserved_height,
    share_done,
)
from matmul_magic.bench_result.views.table import table as _table

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "bench").glob("*.json"))
SAFE_TAGS = {
    "div", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "b",
    "svg", "title", "line", "text", "rect", "polyline", "circle", "path", "wbr",
}  # fmt: skip


def to_html(result: BenchResult) -> str:
    return _to_html(result.to_dict())


def to_text(result: BenchResult) -> str:
    return _to_text(result.to_dict())


def table(result: BenchResult):
    return _table(result.to_dict())


def fixture(name: str) -> BenchResult:
    path = Path(__file__).parent / "fixtures" / "bench" / name
    return BenchResult.from_dict(json.loads(path.read_text()))


class _Html(HTMLParser):
    """Collects tags, attributes, and the cell texts of the result table's body rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.rows: list[list[str]] = []
        self.row_attrs: list[dict[str, str | None]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
            self.row_attrs.append(dict(attrs))
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_html(text: str) -> _Html:
    parser = _Html()
    parser.feed(text)
    parser.close()
    return parser


def parse_text_table(text: str) -> list[list[str]]:
    """Cut the rows under the dashed rule into cells at the rule's column spans."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    rows = []
    for line in lines[rule + 1 :]:
        if not line or line.startswith(("≈ =", "sweep over", "calls (blocks) =")):
            break
        padded = line.ljust(spans[-1][1])
        rows.append([padded[a:b].strip() for a, b in spans])
    return rows


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_three_representations_hold_the_same_rows(path):
    result = BenchResult.from_dict(json.loads(path.read_text()))
    bundle = result._repr_mimebundle_()
    assert set(bundle) == {MIME_TYPE, "text/html", "text/plain"}
    assert bundle[MIME_TYPE] == result.to_dict()
    _, cells = table(result)
    assert [r["name"] for r in bundle[MIME_TYPE]["rows"]] == [r.name for r in result.rows]
    assert parse_html(bundle["text/html"]).rows == cells
    assert parse_text_table(bundle["text/plain"]) == cells
    for row, json_row, values in zip(result.rows, bundle[MIME_TYPE]["rows"], cells, strict=True):
        assert json_row["median"] == row.median
        assert values[0] == row.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_html_has_no_script_no_handlers_and_only_known_tags(path):
    result = BenchResult.from_dict(json.loads(path.read_text()))
    parsed = parse_html(to_html(result))
    assert {tag for tag, _ in parsed.tags} <= SAFE_TAGS
    for _, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert "javascript:" not in (value or "")
    assert "<script" not in to_html(result).lower()


def test_markup_in_names_errors_and_notes_is_escaped():
    result = fixture("faults_cpu.json")
    html_text = to_html(result)
    assert "<img" not in html_text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert "&lt;/td&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_text
    assert "&lt;b&gt;boom&lt;/b&gt; &amp; &quot;quotes&quot; &#x27;single&#x27;" in html_text
    assert "<!--" not in html_text
    # the names reach the reader as the same text they were
    parsed = parse_html(html_text)
    assert [cells[0] for cells in parsed.rows] == [r.name for r in result.rows]


def test_incorrect_failed_skipped_and_extrapolated_rows_are_marked_everywhere():
    result = fixture("faults_cpu.json")
    payload = result.to_dict()
    text = to_text(result)
    parsed = parse_html(to_html(result))
    text_rows = parse_text_table(text)
    for row, json_row, attrs, cells in zip(
        result.rows, payload["rows"], parsed.row_attrs, text_rows, strict=True
    ):
        assert json_row["status"] == row.status == attrs["data-status"]
        assert json_row["extrapolated"] == row.extrapolated
        assert attrs["data-extrapolated"] == ("true" if row.extrapolated else "false")
        status_cell = cells[1]
        assert status_cell.startswith(RULES["status_words"][row.status])
        assert ("≈ e" in status_cell) == row.extrapolated
        if row.extrapolated:
            assert cells[2].startswith("≈ ")
    assert "error: RuntimeError: <b>boom</b>" in text
    assert "numba is not installed" in text
    assert "stroke-dasharray: 4 2" in to_html(result)  # extrapolated bars are dashed


def test_each_median_states_a_unit_that_fits_it_and_its_interval():
    # Issue 23: one µs column printed "≈ 2,056,535" where the chart said 2.06 s.
    result = fixture("course_cpu.json")
    cols, cells = table(result)
    assert "median ±95% interval" in [c.header for c in cols]
    median_at = [c.key for c in cols].index("median")
    factors = dict(fmt.TIME_UNITS)
    for row, values in zip(result.rows, cells, strict=True):
        m = re.fullmatch(r"(?:≈ )?([\d.,]+) (\S+) ±(<?[\d.]+)%", values[median_at])
        assert m, values[median_at]
        number, unit = float(m[1].replace(",", "")), m[2]
        assert 1 <= number < 1000  # a unit that fits the value
        assert number * factors[unit] == pytest.approx(row.median, rel=5e-3)
        half = max(row.median_high - row.median, row.median - row.median_low) / row.median
        assert float(m[3].lstrip("<")) == pytest.approx(100 * half, abs=0.051)


def test_rate_column_unit_follows_the_fastest_row():
    result = fixture("interrupted_cuda.json")
    cols, cells = table(result)
    assert "TFLOP/s" in [c.header for c in cols]
    assert "% of peak" in [c.header for c in cols]
    cpu_cols, _ = table(fixture("course_cpu.json"))
    assert "GFLOP/s" in [c.header for c in cpu_cols]
    assert "% of peak" not in [c.header for c in cpu_cols]  # unknown peak: column left out


def test_interrupted_results_say_so_in_text_and_html():
    result = fixture("interrupted_cuda.json")
    assert "INTERRUPTED" in to_text(result)
    assert "INTERRUPTED" in to_html(result)
    assert "INTERRUPTED" not in to_text(fixture("course_cpu.json"))


def test_sweep_adds_exponents_and_a_log_log_chart():
    result = fixture("sweep_cpu.json")
    text, html_text = to_text(result), to_html(result)
    assert "sweep exponent" in text and "3.00" in text
    assert html_text.count("<polyline") == len(result.rows)
    assert "loops ∝ size^3.00" in html_text
    points = html_text.split("<polyline", 1)[1].split('points="', 1)[1].split('"', 1)[0]
    assert len(points.split()) == len(result.rows[0].points)


def test_mimebundle_honours_include_and_exclude():
    result = fixture("course_cpu.json")
    payload = result.to_dict()
    assert set(mimebundle(payload, include={"text/plain"})) == {"text/plain"}
    assert set(mimebundle(payload, exclude={"text/html"})) == {MIME_TYPE, "text/plain"}


def test_an_empty_result_still_renders():
    shapes = {"a": (5, 784), "b": (784, 10)}
    empty = BenchResult(rows=[], device="cpu", dtype="float32", shapes=shapes, interrupted=True)
    assert "(no rows)" in to_text(empty)
    assert "(no rows)" in to_html(empty)
    assert "<svg" not in to_html(empty)


def test_control_characters_cannot_break_the_text_table():
    row = BenchRow("evil\nname\x1b[31m", median=1e-3, runs=3, correct=True)
    result = BenchResult(
        rows=[row], device="cpu", dtype="float32", shapes={"a": (1, 1), "b": (1, 1)}
    )
    text = to_text(result)
    assert "\x1b" not in text
    assert len(parse_text_table(text)) == 1


def test_unit_helpers():
    units = TIME_UNITS
    assert pick_unit([0.5, 2.0], units) == ("ms", 1e-3)
    assert pick_unit([3e-6, 1.0], units) == ("µs", 1e-6)
    assert pick_unit([None, None], units) == ("s", 1.0)
    assert pick_unit([1e-12], units) == ("ns", 1e-9)
    assert format_number(412000.0) == "412,000"
    assert format_number(4.3) == "4.30"
    assert format_number(0.000190) == "0.000190"
    assert format_number(0) == "0"
    assert format_tick(1e-5) == "10 µs"
    assert format_tick(100.0) == "100 s"


def test_progress_shows_done_running_and_waiting():
    done = BenchRow("loops", kind="course", median=0.4, runs=3, correct=True, extrapolated=True)
    progress = BenchProgress(
        planned=("loops", "elementwise", "<b>mine</b>"),
        rows=(done,),
        current="elementwise",
        phase="check",
        elapsed=0.5,
        budget=1.0,
    )
    line = progress_line(progress_snapshot(progress))
    assert line.startswith("matmul bench [2/3] elementwise: checking")
    assert "1.00 s" in line
    bundle = progress_mimebundle(progress)
    assert set(bundle) == {"text/html", "text/plain"}
    assert "waiting" in bundle["text/plain"] and "≈ extrapolated" in bundle["text/plain"]
    assert "<b>mine</b>" not in bundle["text/html"]
    assert "&lt;b&gt;mine&lt;/b&gt;" in bundle["text/html"]
    racing = BenchProgress(planned=("loops", "x"), rows=(done,), current=None, phase="time")
    assert progress_line(progress_snapshot(racing)).startswith("matmul bench [2/2] racing")
    assert "racing" in progress_text(progress_snapshot(racing)).splitlines()[-1]
    finished = BenchProgress(planned=("loops",), rows=(done,), phase="done", elapsed=0.6)
    assert progress_line(progress_snapshot(finished)).startswith("matmul bench [1/1] done")


times = st.one_of(st.none(), st.floats(min_value=1e-9, max_value=1e3))
names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and s.isprintable())


@st.composite
def results(draw):
    rows = []
    for i, name in enumerate(draw(st.lists(names, min_size=1, max_size=6, unique=True))):
        median = draw(times)
        rows.append(
            BenchRow(
                name=name if name.strip() else f"f{i}",
                kind=draw(st.sampled_from(["course", "optional", "user"])),
                median=median,
                iqr=None if median is None else median * draw(st.floats(0, 0.5)),
                min=median,
                runs=draw(st.integers(0, 10_000)),
                speedup=draw(st.one_of(st.none(), st.floats(1e-6, 1e6))),
                gflops=draw(st.one_of(st.none(), st.floats(1e-9, 1e6))),
                correct=draw(st.one_of(st.none(), st.booleans())),
                max_abs_err=draw(st.one_of(st.none(), st.floats(0, 10))),
                extrapolated=draw(st.booleans()),
                error=draw(st.one_of(st.none(), st.text(max_size=20))),
            )
        )
    return BenchResult(rows=rows, device="cpu", dtype="float32",
                       shapes={"a": (5, 784), "b": (784, 10)}, baseline="loops")  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results())
def test_property_representations_agree_for_any_rows(result):
    _, cells = table(result)
    assert parse_html(to_html(result)).rows == cells
    plain = [[c.replace("\n", "↵") for c in row] for row in cells]
    if all(all(c.isprintable() and "  " not in c for c in row) for row in plain):
        assert parse_text_table(to_text(result)) == plain
    json.dumps(result.to_dict(), allow_nan=False)


def test_the_progress_bar_follows_the_budget_and_reserves_the_final_height():
    # Issue 23: the bar sat at 100% from the start of the race, and the output then jumped.
    planned = ("loops", "einsum", "torch")
    racing = progress_snapshot(
        BenchProgress(planned=planned, rows=(), current=None, phase="time", elapsed=0.3, budget=1.2)
    )
    assert share_done(racing) == pytest.approx(0.25)
    page = progress_html(racing)
    assert 'aria-valuenow="25"' in page and "width: 25%" in page
    late = {**racing, "elapsed": 2.0}
    assert share_done(late) == 1.0  # a run past its budget stops at full
    assert share_done({**racing, "phase": "done"}) == 1.0
    assert share_done({**racing, "budget": None, "current": None}) == 0.0
    height = reserved_height(racing)
    assert f"min-height: {height}px" in page
    assert reserved_height({**racing, "planned": planned * 2}) > height
    assert reserved_height({**racing, "phase": "sweep"}) > height


def test_a_terminal_progress_line_moves_its_clock_every_quarter_second():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    progress = StreamProgress(tty)
    for elapsed in (0.0, 0.1, 0.26, 0.3, 0.52):
        progress(BenchProgress(("a",), (), None, "time", elapsed=elapsed, budget=1.0))
    assert tty.getvalue().count("\r") == 3  # 0.0, 0.26 and 0.52
