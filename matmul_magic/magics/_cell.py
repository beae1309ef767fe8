"""What the cell magics share about the cell they run."""

from __future__ import annotations

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
