"""The HTML view's bar chart keeps every label inside the svg and off the others on its line,
however long a row's value label gets (its status badges all at once)."""

from __future__ import annotations

import html
import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from matmul_magic.bench_result.views.format import RULES
from matmul_magic.bench_result.views.svg import _value_label, bar_chart_svg

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bench"
TEXT = re.compile(
    r'<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)"([^>]*)>(?:<title>.*?</title>)?(.*?)</text>'
)


def _spans(svg: str) -> list[tuple[str, float, float, float]]:
    """Each text, its line and its estimated [left, right] (char_width is for 11 px)."""
    out = []
    for x, y, size, attrs, text in TEXT.findall(svg):
        width = len(html.unescape(text)) * RULES["char_width"] * int(size) / 11
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        shift = {"end": width, "middle": width / 2}.get(anchor and anchor[1], 0)
        out.append((text, float(y), float(x) - shift, float(x) - shift + width))
    return out


def _payload(**changes) -> dict:
    payload = json.loads((FIXTURES / "faults_cpu.json").read_text())
    payload["rows"][8].update(changes)  # my_matmul & <friends>
    return payload


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"extrapolated": True, "unreliable": True, "over_budget": True, "noisy": True},
        {"median": 123.4, "median_low": 1, "median_high": 200, "extrapolated": True}
        | {"over_budget": True, "one_off": 1234.5, "noisy": True},
    ],
)
def test_every_bar_label_is_inside_the_chart_and_off_the_others_on_its_line(changes):
    payload = _payload(**changes)
    svg = bar_chart_svg(payload)
    width = float(re.search(r'<svg [^>]*width="([\d.]+)"', svg)[1])
    spans = _spans(svg)
    assert len(spans) == svg.count("<text")
    assert _value_label(payload["rows"][8]) in [text for text, *_ in spans]
    for text, _, left, right in spans:
        assert (text, left >= 0, right <= width) == (text, True, True)
    for a, b in pairwise(spans):
        if a[1] == b[1]:
            assert a[3] < b[2], (a, b)
