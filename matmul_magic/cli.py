"""``matmul-magic bench ...``: the bench from a terminal, with the notebook magic's options.

``matmul-magic bench [KERNELS ...] [options]`` races the lesson's steps and, when given, your
own functions: ``kernels.py`` (every public top-level function of ``(a, b)`` in it),
``kernels.py:fn`` or ``pkg.module:fn``. Output files are written first, then the table (or,
with ``--save -``, the JSON) goes to stdout; live progress goes to stderr. A closed pipe
(``| head -1``) ends the run quietly.

Exit codes (``EXIT_*``): 0 every row ran and is correct; 1 a row failed or is incorrect;
2 bad usage (options, kernel files, output paths: nothing was run); 3 the output could not be
written; 130 interrupted (Ctrl-C); 141 stdout was closed early (as SIGPIPE gives a shell).

The option list lives in :mod:`matmul_magic.race.options`, shared with ``%matmul_bench``.
This module imports only the standard library at import time; torch arrives with the first run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .race.options import (
    BENCH_OPTIONS,
    STDOUT,
    bench_kwargs,
    check_output_path,
    json_text,
    save_json,
)

EXIT_OK = 0
EXIT_BAD_ROWS = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141
EXIT_CODES_HELP = (
    "Exit status: 0 all rows correct; 1 a row failed or is incorrect; 2 bad usage (nothing "
    "was run); 3 the output could not be written; 130 interrupted; 141 stdout closed early."
)


class Failure(Exception):
    """Ends a command with one line on stderr and an exit code (no usage text, no traceback)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The ``matmul-magic`` parser; each subcommand sets ``run`` (a function of the args)."""
    parser = argparse.ArgumentParser(
        prog="matmul-magic",
        description="fast.ai's 'matrix multiplication from foundations' as tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_bench_command(commands)
    # Listed here for --help; main() hands `test ...` to its own parser before parsing.
    commands.add_parser("test", add_help=False, help="run notebooks' inline tests headless")
    return parser


def add_bench_command(commands: Any) -> argparse.ArgumentParser:
    bench = commands.add_parser(
        "bench",
        help="race the lesson's matmuls and your own: checked against torch, then timed",
        description=(
            "Race the lesson's five matmuls (loops, elementwise, broadcast, einsum, torch), "
            "the optional steps, and your own kernels: each is checked against torch, then "
            "timed within one budget. The table goes to stdout, progress to stderr. "
            + EXIT_CODES_HELP
        ),
        epilog=(
            "examples: matmul-magic bench kernels.py --only torch; "
            "matmul-magic bench mypkg.kernels:tiled --no-course --sweep 64,128,256; "
            "matmul-magic bench --save - | jq '.rows[].median'"
        ),
    )
    bench.add_argument(
        "kernels", nargs="*", metavar="KERNELS",
        help="your functions of (a, b) to race: kernels.py (every public top-level function "
             "of (a, b) in it), kernels.py:fn, or pkg.module:fn",
    )  # fmt: skip
    for flags, kwargs in BENCH_OPTIONS:
        bench.add_argument(*flags, **kwargs)
    bench.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    bench.set_defaults(run=run_bench)
    return bench


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (BrokenPipeError, ValueError):
        pass


def _load(targets: Sequence[str], quiet: bool) -> list[Callable[..., Any]]:
    from .race.kernels import KernelLoadError, load_kernels

    fns: list[Callable[..., Any]] = []
    for target in targets:
        try:
            found = load_kernels(target)
        except KernelLoadError as error:
            raise Failure(str(error)) from None
        fns.extend(found.fns)
        if found.skipped and not quiet:
            _say(f"{target}: not racing {', '.join(found.skipped)} (not functions of (a, b))")
    return fns


def _output_paths(saves: Sequence[str] | None) -> tuple[list[str], bool]:
    """The files to write (checked now, before anything runs) and whether JSON goes to stdout."""
    saves = list(saves or [])
    if saves.count(STDOUT) > 1:
        raise Failure("--save - (stdout) is given twice")
    files = [p for p in saves if p != STDOUT]
    for path in files:
        try:
            check_output_path(path)
        except ValueError as error:
            raise Failure(f"--save: {error}") from None
    return files, STDOUT in saves


def run_bench(args: argparse.Namespace) -> int:
    files, json_to_stdout = _output_paths(args.save)
    fns = _load(args.kernels, args.quiet)
    if args.no_course and not fns:
        raise Failure(
            "--no-course would leave nothing to race: give your kernels "
            "(kernels.py or pkg.module:fn), or pick course rows with --only"
        )
    kwargs = bench_kwargs(args)

    from .bench_result.views import StreamProgress, to_text_with_sweep
    from .race.runner import bench

    progress = None if args.quiet else StreamProgress(sys.stderr)
    try:
        result = bench(*fns, **kwargs, on_progress=progress)
    except (ValueError, TypeError) as error:
        raise Failure(str(error)) from None
    finally:
        if progress is not None:
            progress.close()

    code = EXIT_OK
    for path in files:  # files first: a closed stdout must not lose them
        try:
            save_json(result, path)
        except OSError as error:
            _say(f"matmul-magic bench: error: cannot write {path}: {error.strerror or error}")
            code = EXIT_OUTPUT
    text = json_text(result) if json_to_stdout else to_text_with_sweep(result.to_dict())
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # an OSError too, but the reader left: main() ends quietly
        raise
    except OSError as error:  # e.g. > /dev/full
        _say(f"matmul-magic bench: error: cannot write to stdout: {error.strerror or error}")
        code = EXIT_OUTPUT
    if result.interrupted:
        return EXIT_INTERRUPTED
    if code != EXIT_OK:
        return code
    if any(row.status in ("failed", "incorrect") for row in result.rows):
        return EXIT_BAD_ROWS
    return EXIT_OK


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit's flush raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matmul-magic`` script and ``python -m matmul_magic``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["test"]:
        from .notebook_tests.cli import main as test_main

        return test_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)  # bad options: usage and exit 2
    prog = f"{parser.prog} {args.command}"
    try:
        return args.run(args)
    except Failure as failure:
        _say(f"{prog}: error: {failure}")
        return failure.code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:  # outside bench(), which keeps its finished rows itself
        _say("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
