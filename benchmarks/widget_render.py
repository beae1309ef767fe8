"""How long a widget takes to re-render after a shape edit (target: one frame, 16 ms), and how
big the widget JS is (aim: under 50 KB unminified in total).

The built bundle ``matmul_magic/widgets/static/widgets.js`` (one ES module for all three widgets)
is imported in headless Chromium exactly as anywidget imports it (a blob URL), bound to an in-page
model whose ``_view_kind`` asks for the Shape Explorer, and an 8-D
shape is typed into an input again and again (alternating two shapes, one broadcastable and one
clashing). Each sample is the time from the ``input`` event through the synchronous re-render
and a forced style/layout of the new DOM (``offsetHeight``): the work that must fit in a frame.
Edits start at a frame boundary (after ``requestAnimationFrame``) so each one starts clean.
Cases: two 8-D operands, and eight 8-D operands (the limit).

    python benchmarks/widget_render.py [--edits 200] [--target-ms 16] [--check]

With ``--check`` the exit status is 1 when a case's median exceeds the target. Build first:
``cd labextension && npm run build`` (unminified) or ``npm run build:prod`` (minified).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# The same Chromium, launched the same way, as the browser tests.
from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

STATIC = REPO / "matmul_magic" / "widgets" / "static"
BUNDLE = STATIC / "widgets.js"
SIZE_AIM_KB = 50  # issue 4: widget JS under 50 KB unminified, in total

# Runs in the page: mounts the widget on a fake anywidget model and times `edits` edits.
MEASURE = """
async ([source, shapes, edits, inputIndex, texts]) => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const widget = (await import(url)).default;
  const data = { _view_kind: 'shape-explorer', shapes,
                 names: shapes.map((_, i) => String.fromCharCode(97 + i)),
                 values: shapes.map(() => null) };
  const listeners = {};
  let saves = 0;
  const model = {
    get: k => data[k], set: (k, v) => { data[k] = v; }, save_changes: () => { saves++; },
    on: (e, cb) => (listeners[e] ??= []).push(cb), off: () => {}
  };
  const el = document.createElement('div');
  document.body.appendChild(el);
  widget.render({ model, el });
  const input = el.querySelectorAll('input.mm-shape-input')[inputIndex];
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const sync = [];
  for (let i = 0; i < edits; i++) {
    await frame();
    const t0 = performance.now();
    input.value = texts[i % texts.length];
    input.dispatchEvent(new Event('input', { bubbles: true }));
    void el.offsetHeight;  // force style and layout of the new DOM
    sync.push(performance.now() - t0);
  }
  return { sync, saves, cells: el.querySelectorAll('td').length };
}
"""

CASES = {
    "2 operands, 8-D": (
        [[2, 1, 3, 1, 5, 1, 7, 1], [1, 4, 1, 6, 1, 8, 1, 3]],
        ["2,1,3,1,5,1,7,3", "2,1,3,1,5,1,7,4"],
    ),
    "8 operands, 8-D": (
        [[1, 2, 1, 2, 1, 2, 1, 2]] * 8,
        ["2,2,1,1,2,2,1,2", "3,2,1,1,2,2,1,2"],
    ),
}


def sizes() -> list[tuple[str, int, int, bool]]:
    """Every built widget file: name, bytes, gzip bytes, and whether it looks minified."""
    rows = []
    for path in sorted(STATIC.glob("*.js")):
        data = path.read_bytes()
        # esbuild's unminified lines are short; minified code runs on for thousands of chars
        # (only the stylesheet's template literal keeps its line breaks).
        minified = max(len(line) for line in data.splitlines() or [b""]) > 1000
        rows.append((path.name, len(data), len(gzip.compress(data, 9)), minified))
    return rows


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--target-ms", type=float, default=16.0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    if not BUNDLE.is_file():
        print(f"not built: {BUNDLE.relative_to(REPO)} (cd labextension && npm run build)")
        return 2

    from playwright.sync_api import sync_playwright

    source = BUNDLE.read_text(encoding="utf-8")
    failed = False
    print(f"re-render after a shape edit, headless Chromium, {args.edits} edits per case")
    print(f"{'case':<18}{'median':>9}{'p95':>9}{'max':>9}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto("about:blank")
        for label, (shapes, texts) in CASES.items():
            page.set_content("<!doctype html><html><head></head><body></body></html>")
            out = page.evaluate(MEASURE, [source, shapes, args.edits, 0, texts])
            assert out["saves"] == args.edits, out["saves"]  # every edit reached the model
            sync_med = statistics.median(out["sync"])
            print(
                f"{label:<18}{sync_med:>7.2f}ms{quantile(out['sync'], 0.95):>7.2f}ms"
                f"{max(out['sync']):>7.2f}ms"
            )
            failed |= sync_med > args.target_ms
        browser.close()
    verdict = "MISSED" if failed else "met"
    print(f"target: median re-render <= {args.target_ms:g} ms (one frame): {verdict}")
    print("(performance.now() is coarsened by the browser to about 0.1 ms)")

    print("\nwidget JS (matmul_magic/widgets/static/)")
    rows = sizes()
    for name, raw, packed, minified in rows:
        kind = "minified" if minified else "unminified"
        print(f"  {name:<22}{raw / 1024:>7.1f} KB {kind:<11}{packed / 1024:>6.1f} KB gzip")
    total = sum(r[1] for r in rows)
    print(
        f"  {'total':<22}{total / 1024:>7.1f} KB            "
        f"{sum(r[2] for r in rows) / 1024:>6.1f} KB gzip"
    )
    if any(r[3] for r in rows):
        print(f"target: under {SIZE_AIM_KB} KB unminified: measure the `npm run build` output")
    else:
        verdict = "met" if total < SIZE_AIM_KB * 1024 else "MISSED"
        print(f"target: under {SIZE_AIM_KB} KB unminified in total: {verdict}")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
