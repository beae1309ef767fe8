"""The JavaScript matmul-magic ships, and what of it JupyterLab loads at start-up.

Lists the built labextension (``matmul_magic/labextension/static``) and the anywidget bundle
(``matmul_magic/widgets/static/widgets.js``, one ES module for all three widgets) with raw and
gzip sizes, then (unless ``--no-browser``) starts a
real JupyterLab, opens it in headless ``/usr/bin/chromium`` and records which of the extension's
files the browser fetches: at start-up, on the first bench output, and on opening the Shape
Explorer panel. The heavy parts (validator, charts, table; the shape rules and view) should
load only when used.

    .venv/bin/python benchmarks/js_size.py [--no-browser]

Build first (``npm run build`` or ``npm run build:prod`` in labextension/); sizes are of
whatever build is there, and the script says which kind it is.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LABEXT_STATIC = REPO / "matmul_magic" / "labextension" / "static"
WIDGETS_STATIC = REPO / "matmul_magic" / "widgets" / "static"
FIXTURE = REPO / "tests" / "fixtures" / "notebooks" / "bench_outputs.ipynb"
URL_PART = "/lab/extensions/matmul-magic/static/"


def _kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


def _sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9))


def list_files(title: str, folder: Path) -> dict[str, int]:
    files = sorted(p for p in folder.glob("*.js")) if folder.exists() else []
    print(f"{title} ({folder.relative_to(REPO)}):")
    if not files:
        print("  (not built: run `npm run build` in labextension/)")
        return {}
    total_raw = total_gz = 0
    sizes = {}
    for path in files:
        raw, gz = _sizes(path)
        sizes[path.name] = raw
        total_raw += raw
        total_gz += gz
        print(f"  {path.name:48s} {_kb(raw)}  gzip {_kb(gz)}")
    print(f"  {'total':48s} {_kb(total_raw)}  gzip {_kb(total_gz)}")
    return sizes


def load_browser_fixtures():
    """tests/browser/lab.py's server helpers, without running pytest."""
    spec = importlib.util.spec_from_file_location(
        "_matmul_magic_browser", REPO / "tests" / "browser" / "lab.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def measure_loading(sizes: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    fixtures = load_browser_fixtures()
    fetched: list[str] = []

    def record(response) -> None:
        if URL_PART in response.url:
            name = response.url.split(URL_PART, 1)[1].split("?", 1)[0]
            if name.endswith(".js") and name not in fetched:
                fetched.append(name)

    def stage(label: str, before: int) -> int:
        names = fetched[before:]
        total = sum(sizes.get(n, 0) for n in names)
        print(f"  {label:34s} {len(names)} file(s) {_kb(total)}")
        for name in names:
            print(f"    {name}")
        return len(fetched)

    print("\nWhat the browser fetches from the extension:")
    with fixtures.running_lab() as server, sync_playwright() as playwright:
        shutil.copy(FIXTURE, server.root_dir / FIXTURE.name)
        browser = playwright.chromium.launch(
            executable_path=fixtures.CHROMIUM, headless=True, args=fixtures.CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("response", record)
        lab = fixtures.Lab(server, page)
        lab.goto_lab()
        page.wait_for_timeout(1000)
        seen = stage("at JupyterLab start-up", 0)
        lab.goto_lab(FIXTURE.name, reset=False)
        page.wait_for_selector('[data-matmul-magic="bench-renderer"]')
        seen = stage("+ first bench output", seen)
        lab.command("matmul-magic:open-shape-explorer")
        page.wait_for_selector('[data-matmul-magic="shape-panel"]')
        stage("+ Shape Explorer panel", seen)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-browser", action="store_true", help="only list the built files")
    args = parser.parse_args()
    kind = "development" if any(LABEXT_STATIC.glob("*.js.map")) else "production"
    print(f"labextension build: {kind}\n")
    sizes = list_files("JupyterLab extension", LABEXT_STATIC)
    print()
    list_files("anywidget bundle (all three widgets)", WIDGETS_STATIC)
    if not args.no_browser:
        if not sizes:
            sys.exit("build the extension first")
        measure_loading(sizes)


if __name__ == "__main__":
    main()
