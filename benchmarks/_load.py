"""Background load for the benchmarks: another process busy on one core, steadily or in pulses.

``pulse`` alternates about 0.2 s busy and 0.3 s idle (load that comes and goes, like a browser
tab); ``busy`` spins all the time. The process is started and stopped by the script that uses
it (``with background(kind): ...``), so no benchmark leaves a spinner behind.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

_SPIN = {
    "busy": "while True: pass",
    "pulse": (
        "import time\n"
        "while True:\n"
        "    end = time.perf_counter() + 0.2\n"
        "    while time.perf_counter() < end: pass\n"
        "    time.sleep(0.3)\n"
    ),
}

KINDS = ("none", *_SPIN)


@contextlib.contextmanager
def background(kind: str) -> Iterator[None]:
    if kind == "none":
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", _SPIN[kind]])
    try:
        yield
    finally:
        proc.kill()
        proc.wait()
