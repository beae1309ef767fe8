"""``matmul-magic bench ...``: the bench from a terminal, with the notebook magic's options.

``matmul-magic bench [KERNELS ...] [options]`` races the lesson's steps and, when given, your
own functions: ``kernels.py`` (every public top-level function of ``(a, b)`` in it),
``kernels.py:fn`` or ``pkg.module:fn``. Output files are written first, then the table (or,
with ``--save -``, the JSON) goes to stdout; live progress goes to stderr, and so does
whatever the kernels print while they load and run (:mod:`.cli_streams`). A pipe whose
reader leaves during the run stops the race; the start-up before the race is reported
beside its ``took`` when it is large, so the two add up to the wall time a user waits.

Exit codes are the ``EXIT_*`` constants, worded once in ``EXIT_CODES_HELP`` (which
``--help`` prints); each failure is one line on stderr.

The option list lives in :mod:`matmul_magic.race.options`, shared with ``%matmul_bench``.
This module imports only the standard library at import time; torch arrives with the first run.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from .cli_streams import ResultStdout, process_started, stdout_is_closed
from .race.options import BENCH_OPTIONS, STDOUT, check_before_run, json_text, save_json

EXIT_OK = 0
EXIT_BAD_ROWS = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141
EXIT_CODES_HELP = (
    "Exit status: 0 all rows correct; 1 a row failed or is incorrect; 2 bad usage (nothing "
    "was run); 3 the output could not be written (/dev/full, a stdout closed with >&-); "
    "130 interrupted; 141 stdout's reader left early."
)
#: Start-up (imports, operands) at least this long is reported beside the race's ``took``.
STARTUP_NOTE_S = 0.5


class ReaderLeft(KeyboardInterrupt):
    """Raised from the progress callback when stdout's reader has gone: bench() then stops
    the race as on Ctrl-C and keeps the rows finished so far."""


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
    from . import __version__

    parser.add_argument("--version", action="version", version=f"matmul-magic {__version__}")
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
    with contextlib.suppress(BrokenPipeError, ValueError):
        print(text, file=sys.stderr)


def _load(targets: Sequence[str], quiet: bool) -> list[Callable[..., Any]]:
    from .race.kernels import KernelLoadError, left_out_message, load_kernels

    fns: list[Callable[..., Any]] = []
    for target in targets:
        try:
            found = load_kernels(target)
        except KernelLoadError as error:
            raise Failure(str(error)) from None
        fns.extend(found.fns)
        left_out = left_out_message(found.skipped, found.private)
        if left_out and not quiet:
            _say(f"{target}: {left_out}")
    return fns


def _output_paths(saves: Sequence[str] | None) -> tuple[list[str], bool]:
    """The files to write (``check_before_run`` checks them) and whether JSON goes to stdout."""
    if stdout_is_closed():
        raise Failure(
            "stdout is closed (>&-), so the result has nowhere to go; nothing was run "
            "(> /dev/null keeps only the --save files)",
            EXIT_OUTPUT,
        )
    saves = list(saves or [])
    if saves.count(STDOUT) > 1:
        raise Failure("--save - (stdout) is given twice")
    return [p for p in saves if p != STDOUT], STDOUT in saves


class _Progress:
    """bench()'s progress callback: shows progress (unless quiet) and stops the race when
    stdout's reader has gone, as Ctrl-C would (the finished rows are kept)."""

    def __init__(self, stdout: ResultStdout, quiet: bool) -> None:
        from .bench_result.views import StreamProgress

        self.stdout = stdout
        self.stream = None if quiet else StreamProgress(sys.stderr)
        self.reader_left = False

    def __call__(self, progress: Any) -> None:
        if self.stdout.reader_left():
            self.reader_left = True
            raise ReaderLeft
        if self.stream is not None:
            self.stream(progress)

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def _race(args: argparse.Namespace) -> tuple[Any, bool]:
    """Load the kernels and race them, stdout kept for the result: (result, reader left)."""
    from .race.runner import bench, bench_kwargs

    with ResultStdout() as stdout:
        fns = _load(args.kernels, args.quiet)
        if args.no_course and not fns:
            raise Failure(
                "--no-course would leave nothing to race: give your kernels "
                "(kernels.py or pkg.module:fn), or leave out --no-course to race the "
                "course (--only picks its rows)"
            )
        progress = _Progress(stdout, args.quiet)
        try:
            result = bench(*fns, **bench_kwargs(args), on_progress=progress)
        except (ValueError, TypeError) as error:
            raise Failure(str(error)) from None
        finally:
            progress.close()
    return result, progress.reader_left


def _startup_note(result: Any, race_ended: float) -> str | None:
    """The time before the race, when it is large: with ``took``, the wall time waited."""
    startup = race_ended - result.elapsed - process_started()
    if startup < STARTUP_NOTE_S:
        return None
    from .bench_result.views.format import format_time

    return (
        f"start-up {format_time(startup)} before the race (Python, importing torch and the "
        f"kernels, the operands) + the race's took {format_time(result.elapsed)} = "
        f"{format_time(startup + result.elapsed)} in all"
    )


def run_bench(args: argparse.Namespace) -> int:
    files, json_to_stdout = _output_paths(args.save)
    try:
        check_before_run(args)
    except ValueError as error:
        raise Failure(str(error)) from None
    result, reader_left = _race(args)
    race_ended = time.perf_counter()

    code = EXIT_OK
    for path in files:  # files first: a closed stdout must not lose them
        try:
            save_json(result, path)
        except OSError as error:
            _say(f"matmul-magic bench: error: cannot write {path}: {error.strerror or error}")
            code = EXIT_OUTPUT
    if reader_left:
        n = len(result.rows)
        _say(
            f"matmul-magic bench: stdout's reader left, so the race stopped after {n} "
            f"row{'s' if n != 1 else ''}" + (" (the --save files hold them)" if files else "")
        )
        return EXIT_PIPE
    if not args.quiet and (note := _startup_note(result, race_ended)):
        _say(note)
    from .bench_result.views import to_text_with_sweep

    text = json_text(result) if json_to_stdout else to_text_with_sweep(result.to_dict())
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # an OSError too, but the reader left: main() says so
        raise
    except OSError as error:  # e.g. > /dev/full
        _say(f"matmul-magic bench: error: cannot write to stdout: {error.strerror or error}")
        code = EXIT_OUTPUT
    if result.interrupted or code != EXIT_OK:
        return EXIT_INTERRUPTED if result.interrupted else code
    bad = any(row.status in ("failed", "incorrect") for row in result.rows)
    return EXIT_BAD_ROWS if bad else EXIT_OK


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit's flush raises nothing."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _exit_now(code: int) -> None:
    """End the process once its output is flushed, skipping the interpreter's teardown.

    Unloading torch takes 0.5 s or more after the table is printed: time a user waits that
    neither ``took`` nor the start-up note could account for. The exit handlers still run
    (logging's flush, coverage, a kernel file's own ``atexit``), then the streams are flushed;
    only the modules' teardown is skipped. What the handlers print goes to stderr: stdout
    holds only the result (``--save - | jq`` reads valid JSON)."""
    _flush(sys.stdout)  # the result, out before the handlers' prints go elsewhere
    with ResultStdout():
        atexit._run_exitfuncs()  # what sys.exit would run first (about 0.1 s)
    _flush(sys.stdout, sys.stderr)
    os._exit(code)


def _flush(*streams: Any) -> None:
    for stream in streams:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # closed, or None (>&-)
            stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matmul-magic`` script and ``python -m matmul_magic``.

    Called as the script (no ``argv``), ``bench`` ends the process itself when it is done
    (:func:`_exit_now`); with ``argv`` it returns the exit code."""
    if argv is None:
        code = main(sys.argv[1:])
        if sys.argv[1:2] == ["bench"]:
            _exit_now(code)
        return code
    argv = list(argv)
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
        _say(f"{prog}: stdout's reader left before the output was written")
        return EXIT_PIPE
    except KeyboardInterrupt:  # outside bench(), which keeps its finished rows itself
        _say("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
