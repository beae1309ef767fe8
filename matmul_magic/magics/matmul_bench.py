"""``%matmul_bench`` and ``%%matmul_bench``: a thin parser over ``matmul_magic.bench(...)``.

At import time only IPython and ``matmul_magic.race.options`` (the option list shared
with the CLI, standard library only) are loaded; torch and the runner arrive with the first
run. The line is split as a shell splits it, so ``--save '/tmp/with space.json'`` is one path.
"""

from __future__ import annotations

import ast
import shlex
import sys
from collections.abc import Callable
from typing import Any

from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments

from ..race.options import BENCH_OPTIONS, STDOUT, check_before_run, json_text, save_json
from ._cell import cell_syntax_error, running_cell_number
from ._registry import register, unregister


def cell_function_names(source: str, private: bool = False) -> list[str]:
    """Names of the top-level ``def``s in ``source``, in order: the public ones, or with
    ``private=True`` the ``_helpers`` (not dunders), which do not race."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_") is private:
            if node.name not in names and not node.name.startswith("__"):
                names.append(node.name)
    return names


PROGRESS_TICK = 0.25
"""Seconds between progress updates when only the clock moved."""


class LiveProgress:
    """Shows ``BenchProgress`` while the bench runs and puts the result in its place.

    In a kernel (Jupyter, VS Code, Colab) it is one display updated in place. In terminal
    IPython, where an update would print again, progress is a line on stderr and the result
    is printed once at the end.
    """

    def __init__(self, shell: Any) -> None:
        self.in_place = type(shell.display_pub) is not DisplayPublisher
        self._handle: Any = None
        self._stream: Any = None
        self._last: tuple | None = None

    def __call__(self, progress: Any) -> None:
        from IPython.display import display

        # The clock in quarter seconds too: "racing 0.75 s of 1.00 s" moves while the rows
        # race, though nothing else changes for the whole race.
        tick = int(progress.elapsed / PROGRESS_TICK)
        state = (progress.current, progress.phase, progress.size, progress.done, tick)
        if state == self._last:
            return
        self._last = state
        if not self.in_place:
            if self._stream is None:
                from ..bench_result.views import StreamProgress

                self._stream = StreamProgress(sys.stderr)
            self._stream(progress)
        elif self._handle is None:
            self._handle = display(progress, display_id=True)
        else:
            self._handle.update(progress)

    def show(self, result: Any) -> None:
        """Replace the progress with ``result`` (or print it, in a terminal)."""
        from IPython.display import display

        if self._stream is not None:
            self._stream.close()
        if self._handle is not None:
            self._handle.update(result)
        else:
            display(result)

    def clear(self) -> None:
        """Take the progress away without a result (the run did not start)."""
        if self._stream is not None:
            self._stream.close()
        if self._handle is not None:
            self._handle.update({"text/plain": ""}, raw=True)


def parse_line(parser: Any, line: str) -> Any:
    """The magic's line split as a shell would (quotes group, and are taken off), then parsed.

    ``-h``/``--help`` prints the options (as ``%matmul_bench?`` lists them) and gives None.
    """
    try:
        argv = shlex.split(line)
    except ValueError as error:  # "No closing quotation"
        raise UsageError(f"cannot split the options: {error}: {line}") from None
    if "-h" in argv or "--help" in argv:
        print(parser.format_help())
        return None
    return parser.parse_args(argv)


def check_names(args: Any, defined: list[str] | None) -> None:
    """Refuse ``--only`` and ``--baseline`` names that are neither a row of the course nor a
    function the cell defines (``defined``; ``None`` for the line magic), before the cell's
    body runs: nothing runs on a typo."""
    only = list(args.only or [])
    baseline = [args.baseline] if args.baseline not in (None, "loops") else []
    if not only and not baseline:
        return
    from ..race.devices import resolve_device, resolve_dtype
    from ..race.variants import select

    dev, dt = resolve_device(args.device), resolve_dtype(args.dtype)
    course = [] if args.no_course else [v.name for v in select([], True, None, dev, dt)]
    places = [f"a row of the course ({', '.join(course)})"] if course else []
    if defined is not None:
        places.append(f"a function this cell defines ({', '.join(defined)})")
    if not places:
        return  # nothing could race: said below
    where = " nor ".join(places)
    for option, names in (("--only", only), ("--baseline", baseline)):
        unknown = [n for n in names if n not in course and n not in (defined or [])]
        if unknown:
            are = "is" if len(unknown) == 1 else "are"
            raise UsageError(
                f"{option}: {', '.join(map(repr, unknown))} {are} "
                f"{'neither' if len(places) == 2 else 'not'} {where}; nothing was run"
            )


def save_all(result: Any, saves: list[str]) -> list[str]:
    """Write ``result`` to every path of ``--save`` (``-``: print the JSON); the failures."""
    problems = []
    for path in saves:
        if path == STDOUT:
            print(json_text(result))
            continue
        try:
            save_json(result, path)
        except OSError as error:
            reason = error.strerror or str(error)
            problems.append(f"--save: cannot write {path}: {reason}")
    return problems


def _options(func: Callable) -> Callable:
    for flags, kwargs in reversed(BENCH_OPTIONS):
        func = argument(*flags, **kwargs)(func)
    return func


@magics_class
class BenchMagics(Magics):
    @magic_arguments()
    @argument("-o", action="store_true", dest="output", help="return the BenchResult")
    @_options
    @no_var_expand
    @line_cell_magic
    def matmul_bench(self, line: str, cell: str | None = None) -> Any:
        """Race the lesson's matmuls, and the cell's functions, checked then timed.

        ``%matmul_bench`` races the course: loops, elementwise, broadcast, einsum, torch
        (then numba, Triton or torch.compile when installed). ``%%matmul_bench`` first runs
        the cell in your namespace, then races every top-level ``def`` in it that can be
        called as ``f(a, b)`` beside the course; the others and names starting with ``_``
        (helpers) are left out and named on stderr, as ``matmul-magic bench`` does. Each
        variant is checked against torch before it is timed; a wrong or failing one gets a
        marked row and the rest carry on. Progress shows while it runs.
        ``--only`` picks rows of the course; the cell's functions always race.

        Example::

            %%matmul_bench --budget 2 --only einsum,torch
            def mine(a, b):
                return (a[:, :, None] * b[None]).sum(1)

        ``--save PATH`` writes the result as JSON (``-`` prints it); every path is checked
        before anything runs. Ctrl-C shows the rows finished so far, then stops (so "Run All"
        stops too). With ``-o`` the result always comes back (shown once, as the cell's
        ``Out``; ``r = %matmul_bench -o`` keeps it without showing it), also after Ctrl-C or
        a save that failed; the interrupt or the error is then reported on stderr instead.
        Options are checked before the cell runs. ``%matmul_bench --help`` lists them.
        The same options work from a terminal: ``matmul-magic bench --help``.
        """
        __tracebackhide__ = True  # noqa: F841  (an error in the cell shows the cell, not us)
        args = parse_line(self.matmul_bench.parser, line)
        if args is None:  # --help
            return None
        saves = list(args.save or [])
        try:
            check_before_run(args)
        except ValueError as error:
            raise UsageError(str(error)) from None
        source, defined = self._cell_functions(cell) if cell is not None else (None, None)
        check_names(args, defined)  # before the body runs: nothing happens on a typo
        fns = self._run_cell(cell, source, defined) if cell and source and defined else []
        if args.no_course and not fns:
            raise UsageError("--no-course races only the cell's functions, and there are none")

        from ..race.runner import bench, bench_kwargs

        live = LiveProgress(self.shell)
        try:
            result = bench(*fns, on_progress=live, **bench_kwargs(args))
        except BaseException as error:
            live.clear()
            if isinstance(error, (ValueError, TypeError)):
                raise UsageError(str(error)) from None
            raise
        if args.output:  # the result comes back, and IPython shows it once (as Out[])
            live.clear()
        else:
            live.show(result)
        save_errors = save_all(result, saves)
        if args.output or result.interrupted:  # what went wrong is said, not raised
            for error in save_errors:
                print(f"UsageError: {error}", file=sys.stderr)
        if args.output:
            if result.interrupted:
                n = len(result.rows)
                print(
                    f"KeyboardInterrupt: the bench stopped after {n} row{'s' if n != 1 else ''}; "
                    "the result holds them",
                    file=sys.stderr,
                )
            return result
        if result.interrupted:
            raise KeyboardInterrupt
        if save_errors:
            raise UsageError("; ".join(save_errors))
        return None

    def _cell_functions(self, cell: str) -> tuple[str, list[str]]:
        """The cell's source as IPython runs it, and the top-level functions it defines
        (read, not run)."""
        __tracebackhide__ = True  # noqa: F841
        # A leading newline makes line numbers count the %%matmul_bench line, as the editor does.
        source = "\n" + self.shell.transform_cell(cell)
        try:
            names = cell_function_names(source)
        except SyntaxError as error:
            # The user's typo, not ours: a usage error without the magic's own frames.
            raise cell_syntax_error("%%matmul_bench", error, magic_line_counted=True) from None
        if not names:
            raise UsageError(
                "%%matmul_bench races the cell's top-level functions of (a, b), and this cell "
                "defines none; use %matmul_bench (one %) to race the course alone"
            )
        return source, names

    def _run_cell(self, cell: str, source: str, names: list[str]) -> list[Callable]:
        """Run ``cell`` (as ``source``) in the user namespace; return its functions ``names``."""
        __tracebackhide__ = True  # noqa: F841
        shell = self.shell
        filename = shell.compile.cache(source, running_cell_number(shell), raw_code="\n" + cell)
        exec(compile(source, filename, "exec"), shell.user_global_ns, shell.user_ns)
        from ..race.kernels import left_out_message, takes_a_and_b

        fns = {n: shell.user_ns[n] for n in names if callable(shell.user_ns.get(n))}
        racing = [fn for fn in fns.values() if takes_a_and_b(fn)]
        skipped = [n for n, fn in fns.items() if not takes_a_and_b(fn)]
        left_out = left_out_message(skipped, cell_function_names(source, private=True))
        if left_out:
            print(f"%%matmul_bench: {left_out}", file=sys.stderr)
        return racing


def load(ipython: Any) -> None:
    register(ipython, BenchMagics)


def unload(ipython: Any) -> None:
    unregister(ipython, BenchMagics)
