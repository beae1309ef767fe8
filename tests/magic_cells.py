"""What the tests of the testing magics share: running a cell, the lesson's names, tracebacks.

Cells go through ``ip.run_cell`` so that IPython's own transformer turns ``%test_eq ...``
into a magic call, as in a notebook; errors are then read from the ``ExecutionResult``.
The ``lesson`` fixture (the lesson's names in the shell) is in ``conftest.py``.
"""

from __future__ import annotations

LINE_MAGICS = ["test_eq", "test_ne", "test_near", "test_close", "test_is", "test_shuffled"]


def run(ip, cell: str):
    """Run ``cell`` like a notebook does; return the exception it raised, or None."""
    result = ip.run_cell(cell)
    return result.error_before_exec or result.error_in_exec


def traceback_text(ip, capsys, cell: str) -> str:
    previous = ip.colors
    ip.run_line_magic("colors", "nocolor")
    try:
        run(ip, cell)
    finally:
        ip.run_line_magic("colors", previous)
    return capsys.readouterr().out


def last_frame(out: str) -> str:
    frames = [block for block in out.split("\n\n") if "---->" in block]
    return frames[-1]
