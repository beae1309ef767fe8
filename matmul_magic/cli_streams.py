"""stdout for the result alone, and the clock a terminal user waits on (``matmul-magic bench``).

:class:`ResultStdout` holds stdout for the table or the JSON while the user's code loads and
runs: a print (Python's ``print`` or a C library writing to file descriptor 1) goes to stderr
instead, and the first one says so, so that ``--save - | jq`` always reads valid JSON. It
also tells when the reader of a pipe on stdout has gone (``| head`` that got its lines, a
killed pager), so the race can stop instead of running on for nobody.

:func:`process_started` is when this process began, on ``time.perf_counter``'s clock, so the
start-up (Python, torch, the kernels' imports) can be reported beside the race's ``took``.

Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import select
import stat
import sys
import time
from typing import Any, TextIO

_IMPORTED = time.perf_counter()

REDIRECT_NOTE = (
    "matmul-magic bench: what your code prints goes to stderr while the bench runs "
    "(stdout holds only the result)"
)


def process_started() -> float:
    """When this process started, as a ``time.perf_counter()`` value.

    Linux says it in ``/proc/self/stat`` (in clock ticks since boot); elsewhere this module's
    import time stands in, which leaves out the interpreter's own start (a few tens of ms).
    """
    try:
        with open("/proc/self/stat", "rb") as f:
            # The command name (field 2) may hold spaces: count fields after its ')'.
            fields = f.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22, starttime
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return _IMPORTED
    return time.perf_counter() - max(age, 0.0)


def stdout_is_closed() -> bool:
    """Whether the process started without a stdout (``>&-``): Python then sets it to None."""
    if sys.stdout is None:
        return True
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return False  # a stream without a descriptor (a capture, a StringIO) is open
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


class _ToStderr:
    """A text stream that writes to stderr, saying once why it is not stdout."""

    def __init__(self) -> None:
        self.used = False

    def write(self, text: str) -> int:
        if text and not self.used:
            self.used = True
            _print_err(REDIRECT_NOTE)
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, errors, fileno, ...
        return getattr(sys.stderr, name)


def _print_err(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


class ResultStdout:
    """While active, stdout (``sys.stdout`` and descriptor 1) writes to stderr.

    Use as ``with ResultStdout() as guard:``; after it, stdout is the caller's again.
    ``guard.reader_left()`` says whether a pipe on the real stdout has lost its reader.
    """

    def __init__(self) -> None:
        self._saved_fd: int | None = None
        self._saved_stream: TextIO | None = None
        self._is_pipe = False

    def __enter__(self) -> ResultStdout:
        self._saved_stream = sys.stdout
        try:
            sys.stdout.flush()
            self._saved_fd = os.dup(1)
            self._is_pipe = stat.S_ISFIFO(os.fstat(self._saved_fd).st_mode)
            sys.stderr.flush()
            os.dup2(2, 1)  # C-level writes to descriptor 1 too
        except (OSError, ValueError, AttributeError):
            if self._saved_fd is not None:
                os.close(self._saved_fd)
            self._saved_fd = None
        sys.stdout = _ToStderr()  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        sys.stdout = self._saved_stream  # type: ignore[assignment]
        if self._saved_fd is not None:
            os.dup2(self._saved_fd, 1)
            os.close(self._saved_fd)
            self._saved_fd = None

    def reader_left(self) -> bool:
        """Whether stdout is a pipe whose reading end has been closed (its reader left)."""
        if not self._is_pipe or self._saved_fd is None:
            return False
        poller = select.poll()
        poller.register(self._saved_fd, 0)  # POLLERR and POLLHUP are always reported
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
