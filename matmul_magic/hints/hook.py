"""The hint hook: after a cell died of a torch shape error, show a hint under its traceback.

:mod:`matmul_magic.magics.explain` calls :func:`hint_after_cell` from IPython's
``post_run_cell`` event (why that event, and not a custom exception handler, is said there).
The exception is only read, never replaced, and a hint that fails costs the user one line
on stderr, never the original error.

Only the standard library and ``IPython.display`` are imported here: torch is touched only
when a hint is computed, and only if the user already imported it (a torch error implies
torch is loaded).
"""

from __future__ import annotations

import sys
from typing import Any

from IPython.display import display


def hint_after_cell(result: Any) -> None:
    """Show a hint if the cell whose ``ExecutionResult`` is ``result`` died of a shape error."""
    error = getattr(result, "error_in_exec", None)
    if isinstance(error, (RuntimeError, ValueError)) and "torch" in sys.modules:
        show_hint(error)


def show_hint(error: BaseException) -> None:
    """Display the hint for ``error``; on any failure, one line saying it was unavailable."""
    try:
        from .rules import hint_for_exception

        hint = hint_for_exception(error)
        if hint is not None:
            display(hint)
    except Exception as failure:  # the hint is a bonus: never let it cost the user more
        reason = str(failure).strip().splitlines()[:1]
        said = f"{type(failure).__name__}: {reason[0][:120]}" if reason else type(failure).__name__
        print(f"(matmul-magic: shape hint unavailable: {said})", file=sys.stderr)
