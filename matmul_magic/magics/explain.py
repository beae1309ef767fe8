"""Shape hints under torch shape errors, ``%matmul_magic hints on|off`` and ``%%explain``.

How hints are installed, and why: a ``post_run_cell`` callback, not ``set_custom_exc``.
IPython keeps a single custom exception handler, so taking it would replace another
extension's (or be replaced by it), and that handler must also draw the traceback itself.
``post_run_cell`` runs after IPython has shown the normal traceback, whoever drew it, so
the hint lands under it; the exception object is only read (``result.error_in_exec`` and
its ``__traceback__``, whose frames still hold the variables), never replaced; and other
callbacks and handlers run exactly as before.

This module only parses and registers: the hook itself (:mod:`matmul_magic.hints.hook`) and
the ``%%explain`` recorder (:mod:`matmul_magic.hints.trace`) are imported when first used.
Only IPython is imported at module level.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display
from traitlets import Bool

from ._cell import cell_syntax_error, running_cell_number
from ._registry import register, registered, unregister

_EVENT = "post_run_cell"


@magics_class
class ExplainMagics(Magics):
    """Shape hints for torch errors, and ``%%explain``.

    ``%config ExplainMagics.hints = False`` switches hints off, as does
    ``%matmul_magic hints off``.
    """

    hints = Bool(True, help="Show a shape hint under torch shape errors.").tag(config=True)

    def post_run_cell(self, result: Any) -> None:
        """IPython ``post_run_cell`` callback: show a hint if the cell died of a shape error."""
        if self.hints:
            from ..hints.hook import hint_after_cell

            hint_after_cell(result)

    @magic_arguments()
    @argument("topic", choices=["hints"], help="what to switch: 'hints'")
    @argument("state", nargs="?", choices=["on", "off"], help="on or off; omit to see the state")
    @line_magic
    def matmul_magic(self, line: str) -> None:
        """Switch the shape hints shown under torch shape errors: ``%matmul_magic hints off``."""
        args = parse_argstring(self.matmul_magic, line)
        if args.state is not None:
            self.hints = args.state == "on"
        print(f"matmul-magic shape hints are {'on' if self.hints else 'off'}")

    @cell_magic
    def explain(self, line: str, cell: str) -> Any:
        """Run the cell once and show every tensor op it ran, line by line.

        Each op is recorded with its input shapes, output shape and source line, under a
        torch function mode that exists only while the cell runs. Broadcasts show their
        steps, and a failing op is highlighted; the error is then raised as usual.
        The cell's effects happen exactly once. Returns the value of a final expression.
        """
        __tracebackhide__ = True  # noqa: F841  (the traceback shows the cell, not this magic)
        from ..hints.trace import run_traced

        source, filename = self._cell_source(line, cell)
        return self._shown(run_traced(source, self.shell.user_ns, filename), cell, filename)

    async def explain_async(self, line: str, cell: str) -> Any:
        """``%%explain`` for a cell that awaits at its top level (see ``awaiting``)."""
        __tracebackhide__ = True  # noqa: F841
        from ..hints.trace import run_traced_async

        source, filename = self._cell_source(line, cell)
        trace = await run_traced_async(source, self.shell.user_ns, filename)
        return self._shown(trace, cell, filename)

    def _cell_source(self, line: str, cell: str) -> tuple[str, str]:
        if line.strip():
            raise UsageError(f"%%explain takes no options, got {line.strip()!r}")
        import torch  # noqa: F401  (%%explain is about torch ops: load it now, not mid-trace)

        shell = self.shell
        # transform_cell runs input_transformers_post, awaiting's rewriter among them
        source = shell.transform_cell(cell)
        return source, shell.compile.cache(source, running_cell_number(shell), raw_code=cell)

    def _shown(self, trace: Any, cell: str, filename: str) -> Any:
        __tracebackhide__ = True  # noqa: F841
        error = trace.exception
        if isinstance(error, SyntaxError) and error.filename == filename and not trace.events:
            raise cell_syntax_error("%%explain", error) from None  # the cell never ran
        display(trace)
        if trace.exception is not None:
            raise trace.exception
        return None if cell.rstrip().endswith(";") else trace.value  # `;` hides Out, as usual


def load(ipython: Any) -> None:
    magics = register(ipython, ExplainMagics)
    # Magics.__init__ put the instance in shell.configurables (so %config sees it) with the
    # shell as parent (so `c.ExplainMagics.hints = False` in a config file applies).
    if magics.post_run_cell not in ipython.events.callbacks.get(_EVENT, []):
        ipython.events.register(_EVENT, magics.post_run_cell)  # once: else hints show twice


def unload(ipython: Any) -> None:
    magics = registered(ipython, ExplainMagics)
    if magics is not None and magics.post_run_cell in ipython.events.callbacks.get(_EVENT, []):
        ipython.events.unregister(_EVENT, magics.post_run_cell)
    unregister(ipython, ExplainMagics)  # its instance leaves shell.configurables too
