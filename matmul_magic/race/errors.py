"""What a raced function's exception becomes: that row's error text, or, for the user's
Ctrl-C, the end of the run.

While a run is watched, a SIGINT handler notes that the user pressed Ctrl-C and then does
what the handler it replaced would have done (IPython's and Python's both raise
``KeyboardInterrupt``). A ``KeyboardInterrupt`` caught from a function's call is the user's
only when that note was made; otherwise the function raised it itself, and it fails that
row alone. Off the main thread no handler can be installed, and every
``KeyboardInterrupt`` counts as the user's.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

ERROR_LIMIT = 300
"""Characters an error text may take in the table and the JSON (a traceback's worth is noise)."""


def clip(text: str, limit: int = ERROR_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters, an ellipsis where it was cut."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def error_text(exc: BaseException) -> str:
    """``Type: message`` (the module too, for a type outside builtins), clipped."""
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    try:
        text = str(exc).strip()
    except BaseException:  # noqa: BLE001 - a user's exception whose __str__ raises
        text = ""
    return clip(f"{name}: {text}" if text else name)


class Interrupts:
    """One run's record of whether the user pressed Ctrl-C."""

    def __init__(self) -> None:
        self.watched = False
        self.by_user = False

    @contextmanager
    def watching(self) -> Iterator[Interrupts]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        self.by_user = False
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(signum: int, frame: FrameType | None) -> Any:
            self.by_user = True
            if callable(previous):
                return previous(signum, frame)
            if previous == signal.SIG_IGN:
                return None
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, on_sigint)
        self.watched = True
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)
            self.watched = False

    def reraise_if_user(self, exc: BaseException) -> None:
        """Raise ``exc`` again when it is the user's Ctrl-C; return when it is a row's error."""
        if isinstance(exc, KeyboardInterrupt) and (self.by_user or not self.watched):
            raise exc


def row_error(exc: BaseException) -> str:
    """The row's error text; a ``KeyboardInterrupt`` the function raised says it was not Ctrl-C."""
    text = error_text(exc)
    if isinstance(exc, KeyboardInterrupt):
        return clip(f"{text} (raised by the function itself, not Ctrl-C)")
    return text


ACTIVE = Interrupts()
"""The run's record, which the check and the race consult (SIGINT has one handler, so runs
are watched one at a time)."""
