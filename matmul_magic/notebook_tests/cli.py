"""``matmul-magic test PATH...``: run notebooks headless and report every test inside.

Exit status: 0 every test passed, 1 something failed (a test, an error outside a test, a
file that is not a notebook), 2 bad usage (a missing path), 130 interrupted (Ctrl-C; the
results so far are printed first).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import report as reports
from .options import OPTIONS
from .runner import run_notebooks

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser(prog: str = "matmul-magic test") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Run notebooks headless, each in a fresh interpreter, and report every test "
            "inside: test_* calls, %test_* lines, %%tests cells, asserts, and the verdicts "
            "of %%matmul_bench cells on the functions they race. A failing test is "
            "recorded and the notebook goes on; any other error stops that notebook. "
            "Skip a cell with the tag skip-test or nbdev's directive '#| eval: false'; skip a "
            'notebook with the metadata {"matmul_magic": {"skip": true}}. Exit status: '
            "0 all passed, 1 something failed, 2 bad usage, 130 interrupted."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders")
    for option in OPTIONS:
        flags = [option.short, option.flag] if option.short else [option.flag]
        parser.add_argument(
            *flags, dest=option.name, type=option.parse, default=option.default,
            metavar=option.metavar, help=option.help,
        )  # fmt: skip
    parser.add_argument("--junit", metavar="PATH", help="write a JUnit XML report")
    parser.add_argument(
        "--json", metavar="PATH",
        help="write a JSON report; '-' prints it on stdout instead of the text report",
    )  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true", help="list every test")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no line per notebook as it finishes"
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "matmul-magic test") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)

    def on_notebook(nb: reports.NotebookReport) -> None:
        print(reports.notebook_line(nb), file=sys.stderr, flush=True)

    try:
        run = run_notebooks(
            args.paths,
            workers=args.workers,
            timeout=args.timeout,
            bench_budget=args.bench_budget,
            on_notebook=None if args.quiet or args.json == "-" else on_notebook,
        )
    except FileNotFoundError as error:
        parser.error(str(error))  # exits with EXIT_USAGE
    if not run.notebooks:
        parser.error(f"no notebooks (*.ipynb) under {' '.join(args.paths)}")
    if args.json == "-":
        print(reports.to_json(run))
    else:
        print(reports.to_text(run, verbose=args.verbose))
    for path, text in ((args.junit, reports.to_junit), (args.json, reports.to_json)):
        if path and path != "-":
            try:
                reports.write(path, text(run))
            except OSError as error:
                print(f"{prog}: error: cannot write {path}: {error.strerror or error}",
                      file=sys.stderr)  # fmt: skip
                return EXIT_USAGE
    if run.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if run.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
