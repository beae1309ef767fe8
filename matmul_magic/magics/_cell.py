"""What the cell magics share about the cell they run."""

from __future__ import annotations

import re
import sys
from typing import Any

from IPython.core.error import UsageError


def cell_syntax_error(
    magic: str, error: SyntaxError, magic_line_counted: bool = False
) -> UsageError:
    """A usage error saying where the cell's syntax error is, without the magic's frames.

    Lines count the ``%%magic`` line as line 1, as the editor does; pass
    ``magic_line_counted=True`` when the compiled source already starts with a line for it.
    """
    line = error.lineno if magic_line_counted or not error.lineno else error.lineno + 1
    where = f"line {line}" if line else "the cell"
    text = (error.text or "").strip()
    shown = f"\n    {text}" if text else ""
    return UsageError(
        f"{magic}: the cell is not valid Python ({where}: {error.msg}), so nothing ran{shown}"
    )


def running_cell_number(shell: Any) -> int:
    """The number of the cell now running (its ``In [n]``), to name the code a cell magic
    compiles: ``shell.execution_count`` is already one ahead while a stored cell runs, which
    made tracebacks say ``Cell In[4]`` under cell 3. The caller's frames know the cell."""
    frame = sys._getframe(1)
    while frame is not None:
        label = shell.compile.format_code_name(frame.f_code.co_filename)
        found = re.fullmatch(r"In\[(\d+)\]", label[1]) if label else None
        if found:
            return int(found[1])
        frame = frame.f_back
    return shell.execution_count
