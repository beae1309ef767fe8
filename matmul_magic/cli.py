"""``matmul-magic bench ...``: the bench from a terminal, with the notebook magic's options.

The text table goes to stdout, live progress to stderr. Exit codes: 0 every row ran and is
correct, 1 some row failed or is incorrect, 2 bad options (argparse), 130 interrupted.

``BENCH_OPTIONS`` is the single list of options; ``%matmul_bench`` builds its
``magic_arguments`` from it too, so the two doors cannot drift apart. This module imports
only the standard library at import time; torch arrives with the first run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_ROWS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def shape_arg(text: str) -> tuple[int, int, int]:
    """``MxKxN`` (``x``, ``×`` or ``,`` between) as three positive ints."""
    parts = [p for p in re.split(r"\s*[x×,*]\s*", text.strip().lower()) if p]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        dims = ()
    if len(dims) != 3 or any(d < 1 for d in dims):
        raise argparse.ArgumentTypeError(
            f"--shape takes MxKxN with three positive sizes (a is MxK, b is KxN), got {text!r}"
        )
    return dims  # type: ignore[return-value]


def budget_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"--budget takes positive seconds, got {text!r}")
    return value


def sizes_arg(text: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        sizes = ()
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(
            f"--sweep takes positive sizes separated by commas, e.g. 16,32,64; got {text!r}"
        )
    return sizes


def names_arg(text: str) -> tuple[str, ...]:
    names = tuple(n for n in (p.strip() for p in text.split(",")) if n)
    if not names:
        raise argparse.ArgumentTypeError(
            f"--only takes row names separated by commas, got {text!r}"
        )
    return names


# (flags, argparse keyword arguments): shared by the CLI and %matmul_bench.
BENCH_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--device",), {"help": "cpu, cuda, cuda:1, mps (default: cuda, then mps, then cpu)"}),
    (("--dtype",), {"help": "float32 (default), float64, float16, bfloat16"}),
    (("--shape",), {"type": shape_arg, "metavar": "MxKxN",
                    "help": "random a (MxK) and b (KxN) instead of the lesson's 5x784x10"}),
    (("--budget",), {"type": budget_arg, "metavar": "SECONDS",
                     "help": "total time budget in seconds (default about 1, more with --sweep)"}),
    (("--baseline",), {"metavar": "NAME", "help": "row that speedups divide by (default loops)"}),
    (("--only",), {"type": names_arg, "metavar": "NAMES",
                   "help": "comma-separated row names to keep, e.g. einsum,torch"}),
    (("--no-course",), {"action": "store_true", "dest": "no_course",
                        "help": "race only your functions, without the lesson's steps"}),
    (("--sweep",), {"type": sizes_arg, "metavar": "SIZES",
                    "help": "also time every row on SIZExSIZE operands, e.g. 16,32,64,128"}),
    (("--save",), {"metavar": "PATH", "help": "write the result as JSON (the bench schema)"}),
)  # fmt: skip


def bench_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of ``bench(...)`` from parsed options."""
    kwargs: dict[str, Any] = {"course": not args.no_course}
    if args.device is not None:
        kwargs["device"] = args.device
    if args.dtype is not None:
        kwargs["dtype"] = args.dtype
    if args.shape is not None:
        kwargs["shape"] = args.shape
    if args.budget is not None:
        kwargs["budget"] = args.budget
    if args.baseline is not None:
        kwargs["baseline"] = args.baseline
    if args.only is not None:
        kwargs["only"] = list(args.only)
    if args.sweep is not None:
        kwargs["sweep"] = list(args.sweep)
    return kwargs


def save_json(result: Any, path: str | Path) -> Path:
    """Write ``result.to_dict()`` to ``path`` (parents created); returns the path."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_dict(), indent=2, allow_nan=False) + "\n")
    return path


def exit_code(result: Any) -> int:
    if result.interrupted:
        return EXIT_INTERRUPTED
    if any(row.status in ("failed", "incorrect") for row in result.rows):
        return EXIT_BAD_ROWS
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matmul-magic",
        description="fast.ai's 'matrix multiplication from foundations' as tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench = commands.add_parser(
        "bench",
        help="race the lesson's matmuls: checked against torch, then timed",
        description=(
            "Race the lesson's five matmuls (loops, elementwise, broadcast, einsum, torch) "
            "and the optional steps: each is checked against torch, then timed within one "
            "budget. The table goes to stdout, progress to stderr. Exit status: 0 all rows "
            "correct, 1 a row failed or is incorrect, 2 bad options, 130 interrupted."
        ),
    )
    for flags, kwargs in BENCH_OPTIONS:
        bench.add_argument(*flags, **kwargs)
    bench.add_argument(
        "--json",
        metavar="PATH",
        help="write the result as JSON to PATH; '-' prints the JSON on stdout instead of the table",
    )
    bench.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    bench.set_defaults(parser=bench)
    # Listed here for --help; main() hands `test ...` to its own parser before parsing.
    commands.add_parser("test", add_help=False, help="run notebooks' inline tests headless")
    return parser


def run_bench(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .benchmark.display import StreamProgress, to_text
    from .benchmark.runner import bench

    if args.no_course:  # the CLI has no functions of its own to race
        parser.error(
            "--no-course would leave nothing to race: from a terminal only the "
            "lesson's steps race; pick some with --only"
        )
    progress = None if args.quiet else StreamProgress(sys.stderr)
    try:
        result = bench(**bench_kwargs(args), on_progress=progress)
    except (ValueError, TypeError) as error:
        if progress is not None:
            progress.close()
        parser.error(str(error))  # exits with EXIT_USAGE
    if progress is not None:
        progress.close()
    # The result is shown before it is saved, so a path that cannot be written loses nothing.
    if args.json == "-":
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(to_text(result))
    for path in (args.save, args.json):
        if path and path != "-":
            try:
                save_json(result, path)
            except OSError as error:
                reason = error.strerror or str(error)
                print(f"{parser.prog}: error: cannot write {path}: {reason}", file=sys.stderr)
                return EXIT_USAGE
    return exit_code(result)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matmul-magic`` script and ``python -m matmul_magic``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["test"]:
        from .notebook_tests.cli import main as test_main

        return test_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run_bench(args, args.parser)
    except KeyboardInterrupt:  # outside bench(), which keeps its finished rows itself
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
