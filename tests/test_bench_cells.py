"""One payload, three views, identical cells.

``tests/vectors/bench_cells.json`` holds the table (headers and cell strings) of every bench
fixture. Here the HTML view's table and the text view's table are read back and compared with
it; ``labextension/src/bench_result/cells.test.ts`` compares the lab renderer's DOM with the
same file. Any view that prints a number, a word or a mark differently fails one of them.
"""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from matmul_magic.bench_result.views import to_html, to_text
from matmul_magic.bench_result.views.html import escape
from matmul_magic.bench_result.views.summary import plain

HERE = Path(__file__).resolve().parent
EXPECTED = json.loads((HERE / "vectors" / "bench_cells.json").read_text(encoding="utf-8"))
FIXTURES = {p.stem: p for p in sorted((HERE / "fixtures" / "bench").glob("*.json"))}


class _Table(HTMLParser):
    """The header and body cell texts of the first table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._where = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr" and self._where == "tbody":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            (self.headers if tag == "th" else self.rows[-1]).append(text)
            self._cell = None
        elif tag in ("thead", "tbody"):
            self._where = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_cells(payload: dict) -> tuple[list[str], list[list[str]]]:
    parser = _Table()
    parser.feed(to_html(payload))
    return parser.headers, parser.rows


def text_cells(payload: dict) -> tuple[list[str], list[list[str]]]:
    """Cut the header and the rows under the dashed rule at the rule's column spans."""
    lines = to_text(payload).splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]

    def cut(line: str) -> list[str]:
        padded = line.ljust(spans[-1][1])
        return [padded[a:b].strip() for a, b in spans]

    body = lines[rule + 1 : rule + 1 + len(payload["rows"])]
    return cut(lines[rule - 1]), [cut(line) for line in body]


def test_every_fixture_has_expected_cells_and_they_cover_the_hard_rows():
    assert set(EXPECTED) == set(FIXTURES)
    statuses = {
        row["status"] for path in FIXTURES.values() for row in json.loads(path.read_text())["rows"]
    }
    assert statuses == {"ok", "incorrect", "failed", "skipped"}
    text = json.dumps(EXPECTED, ensure_ascii=False)
    for mark in ("≈ extrapolated", "≈ estimate, unreliable", "noisy", "over budget", "—"):
        assert mark in text, mark


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_html_view_shows_the_expected_cells(name):
    payload = json.loads(FIXTURES[name].read_text(encoding="utf-8"))
    headers, rows = html_cells(payload)
    assert headers == EXPECTED[name]["headers"]
    assert rows == EXPECTED[name]["rows"]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_text_view_shows_the_expected_cells(name):
    payload = json.loads(FIXTURES[name].read_text(encoding="utf-8"))
    headers, rows = text_cells(payload)
    assert headers == EXPECTED[name]["headers"]
    assert rows == [[plain(c) for c in row] for row in EXPECTED[name]["rows"]]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_both_views_say_the_expected_sentences(name):
    payload = json.loads(FIXTURES[name].read_text(encoding="utf-8"))
    expected = EXPECTED[name]
    lines = to_text(payload).splitlines()
    assert lines[:2] == [expected["headline"], expected["conditions"]]
    for note_name, text in expected["notes"]:
        assert f"{plain(note_name)}: {plain(text)}" in lines
    page = to_html(payload)
    for sentence in (expected["headline"], expected["conditions"]):
        assert escape(sentence) in page
    for note_name, text in expected["notes"]:
        assert f"<li><b>{escape(note_name)}</b>: {escape(text)}</li>" in page


def test_committed_cells_are_current():
    path = HERE / "vectors" / "generate_presentation.py"
    spec = importlib.util.spec_from_file_location("vectors_generate_presentation", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (HERE / "vectors" / "bench_cells.json").read_text(encoding="utf-8")
    assert committed == module.bench_cells(), (
        "tests/vectors/bench_cells.json is stale: run "
        "`python tests/vectors/generate_presentation.py` and commit it"
    )
