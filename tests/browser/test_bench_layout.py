"""The bench output reads at 1280, 900 and 600 px (issue 23, item 1), in the lab renderer, the
HTML fallback inside JupyterLab, an exported HTML page and the example notebooks' live runs:
no name broken inside a word, every status on screen, chart text 10 px or more, no tick label
cut off or drawn over another. Each width leaves a screenshot in ``artifacts/screenshots/``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from matmul_magic.bench_result.contract import MIME_TYPE
from matmul_magic.bench_result.views import to_html, to_text

from .lab import SCREENSHOTS

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
CHECKS = (HERE / "layout_checks.js").read_text(encoding="utf-8")
FIXTURES = HERE.parent / "fixtures" / "bench"
EXAMPLES = HERE.parents[1] / "examples"
WIDTHS = (1280, 900, 600)
OUTPUTS = '[data-matmul-magic="bench-renderer"], [data-matmul-magic="bench-html"]'
SHOWN = ("contended_cpu", "faults_cpu", "sweep_cpu", "long_labels")


def _payload(name: str) -> dict:
    """A fixture, or ``long_labels``: the longest value labels a row gets, speedups not known
    across wide intervals (``not known (26,000–64,000×)`` once ran past the lab's chart at
    1280 px) and a time with every status badge."""
    if name != "long_labels":
        return json.loads((FIXTURES / f"{name}.json").read_text())
    payload = _payload("contended_cpu")
    rows = payload["rows"]
    rows[1].update(extrapolated=True, over_budget=True, one_off=1.2, noisy=True)
    rows[3].update(speedup=30_000, speedup_low=26_000, speedup_high=64_000)
    rows[4].update(speedup=1_000_000, speedup_low=260_000, speedup_high=6_400_000)
    return payload


def layout_problems(page, width: int, label: str) -> list[str]:
    """Every problem of every bench output on the page at ``width`` px (a screenshot each)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(400)  # JupyterLab lays its panels out again after a resize
    outputs = page.locator(OUTPUTS)
    problems = []
    for i in range(outputs.count()):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        problems += [f"{label} {width}px output {i}: {p}" for p in output.evaluate(CHECKS)]
    return problems


def _screenshot(lab, name: str) -> None:
    lab.page.mouse.move(0, 0)  # no tooltip over the picture
    lab.screenshot(name, lab.page.locator(OUTPUTS).first, max_height=900)


TOOLTIP_CHECK = """row => {
    const view = row.closest('[data-matmul-magic="bench-renderer"]');
    const tip = view.querySelector('.mm-bench-tooltip');
    const [t, r] = [tip.getBoundingClientRect(), row.getBoundingClientRect()];
    const out = [];
    if (tip.hidden) out.push('no tooltip');
    const inside = t.left >= 0 && t.top >= 0 && t.right <= innerWidth && t.bottom <= innerHeight;
    if (!inside) out.push('past the viewport');
    if (Math.min(t.bottom, r.bottom) - Math.max(t.top, r.top) > 0) out.push('over its row');
    return out;
}"""


FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def tooltip_problems(page, width: int) -> list[str]:
    """Focus each table row of the first renderer: its tooltip inside the viewport, off the row."""
    problems = []
    page.mouse.move(0, 0)  # a keyboard user's check: no row hovered meanwhile
    rows = page.locator('[data-matmul-magic="bench-renderer"]').first.locator("tbody tr")
    for i in range(rows.count()):
        rows.nth(i).focus()
        # Focus scrolls the row into view; the tooltip follows on the scroll event, a frame on.
        page.evaluate(FRAMES)
        problems += [f"{width}px row {i} tooltip: {p}" for p in rows.nth(i).evaluate(TOOLTIP_CHECK)]
    return problems


def _all_metrics(lab, width: int, label: str) -> list[str]:
    """The checks in each chart metric: the sweep's Speedup mode once clipped its ticks."""
    problems = []
    for metric in ("time", "speedup", "gflops"):
        for button in lab.page.locator(f'button[data-metric="{metric}"]').all():
            button.click()
        problems += layout_problems(lab.page, width, f"{label} ({metric})")
    return problems


def _fixture_cells() -> list[str]:
    """A notebook showing each fixture twice: the lab renderer and the HTML fallback."""
    return [
        "import json\nfrom IPython.display import HTML, display\n"
        "from matmul_magic.bench_result.result import BenchResult\n"
        "from matmul_magic.bench_result.views import to_html",
        *(
            f"payload = json.loads({json.dumps(_payload(name))!r})\n"
            "display(BenchResult.from_dict(payload))\ndisplay(HTML(to_html(payload)))"
            for name in SHOWN
        ),
    ]


@pytest.mark.parametrize("front_end", ["lab", "notebook7"])
def test_fixture_outputs_read_at_every_width(lab, labextension_installed, front_end):
    path = lab.write_notebook(f"bench_layout_{front_end}.ipynb", _fixture_cells())
    (lab.open_notebook if front_end == "lab" else lab.open_notebook7)(path)
    lab.run_all()
    lab.page.locator('[data-matmul-magic="bench-html"]').nth(len(SHOWN) - 1).wait_for()
    problems = []
    for width in WIDTHS:
        problems += _all_metrics(lab, width, front_end)
        problems += tooltip_problems(lab.page, width)
        _screenshot(lab, f"bench-layout-{front_end}-{width}")
    assert problems == [], "\n".join(problems)


def _exported(tmp_path: Path) -> Path:
    """``jupyter nbconvert --to html`` of saved bench outputs: the page a reader opens."""
    notebook = nbformat.v4.new_notebook()
    for name in SHOWN:
        payload = _payload(name)
        data = {MIME_TYPE: payload, "text/html": to_html(payload), "text/plain": to_text(payload)}
        cell = nbformat.v4.new_code_cell(f"bench({name!r})")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        notebook.cells.append(cell)
    source = tmp_path / "exported.ipynb"
    nbformat.write(notebook, source)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(source)],
        check=True,
        capture_output=True,
    )
    return tmp_path / "exported.html"


def test_exported_html_reads_at_every_width(page, tmp_path):
    page.goto(_exported(tmp_path).as_uri())
    page.locator('[data-matmul-magic="bench-html"]').nth(len(SHOWN) - 1).wait_for()
    problems = []
    for width in WIDTHS:
        problems += layout_problems(page, width, "exported")
    assert problems == [], "\n".join(problems)


# VS Code draws text/html outputs in a webview of their own; its width is the window's less the
# activity bar (48 px), the cell's run gutter and left margin (32 + 28 px), its right margin
# (16 px) and the output's padding (2 x 8 px), the side bar closed: 1140, 760 and 460 px
# for windows of 1280, 900 and 600 px.
VSCODE_OUTPUT_WIDTHS = tuple(width - 140 for width in WIDTHS)


def test_html_outputs_read_at_vscode_output_widths(page, tmp_path):
    # A webview as VS Code's: its own document, 13 px text, outputs one under the other.
    body = "\n".join(f'<div class="output">{to_html(_payload(name))}</div>' for name in SHOWN)
    style = "body { margin: 0; font: 13px system-ui, sans-serif; } .output { padding: 8px 0; }"
    webview = tmp_path / "vscode_output.html"
    webview.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    page.goto(webview.as_uri())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in VSCODE_OUTPUT_WIDTHS:
        problems += layout_problems(page, width, "vscode")
        page.screenshot(path=str(SCREENSHOTS / f"bench-layout-vscode-{width}.png"))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "notebook", ["01_matmul_from_foundations.ipynb", "03_race_your_kernel.ipynb"]
)
def test_example_notebook_bench_outputs_read_at_every_width(lab, labextension_installed, notebook):
    (lab.server.root_dir / notebook).write_bytes((EXAMPLES / notebook).read_bytes())
    lab.open_notebook(notebook)
    lab.run_all(timeout_ms=300_000)
    lab.page.locator('[data-matmul-magic="bench-renderer"]').first.wait_for()
    problems = []
    for width in WIDTHS:
        problems += _all_metrics(lab, width, notebook)
        _screenshot(lab, f"bench-layout-{Path(notebook).stem}-{width}")
    assert problems == [], "\n".join(problems)
