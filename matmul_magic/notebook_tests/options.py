"""The options of a notebook test run, declared once: ``matmul-magic test`` and the pytest
plugin (``--matmul-magic-<name>`` and the ini key ``matmul_magic_<name>``) are built from
this table, so both take the same names, defaults, checks and messages.

Standard library only.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..bench_result.views.format import format_time
from ..race.plan import OptionError
from .model import DEFAULT_BENCH_BUDGET, DEFAULT_TIMEOUT


def positive_seconds(text: str) -> float:
    """Seconds > 0 (and finite); ``OptionError`` (a ``ValueError``) in both doors' words."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise OptionError(f"expected positive seconds, got {text!r}")
    return value


def timeout_seconds(text: str) -> float | None:
    """Positive seconds, or ``none`` for no limit."""
    if str(text).strip().lower() == "none":
        return None
    seconds = positive_seconds(text)
    if seconds > threading.TIMEOUT_MAX:  # a timer cannot wait that long (OverflowError)
        raise OptionError(f"expected at most {threading.TIMEOUT_MAX:.0f} seconds, got {text!r}")
    return seconds


def worker_count(text: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = -1
    if value < 1:
        raise OptionError(f"expected a positive number of workers, got {text!r}")
    return value


@dataclass(frozen=True)
class Option:
    name: str  # the Options field; --name-with-dashes on the command line
    parse: Callable[[str], Any]
    default: Any
    metavar: str
    help: str
    short: str | None = None  # a one-letter flag of the CLI
    in_pytest: bool = True  # pytest-xdist owns -n: workers are the CLI's alone

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option(
        "workers", worker_count, 0, "N", "notebooks run at once (default: the CPU count)",
        short="-n", in_pytest=False,
    ),
    Option(
        "timeout", timeout_seconds, DEFAULT_TIMEOUT, "SECONDS",
        f"fail a notebook that runs longer than this, naming the cell that was running "
        f"(default {format_time(DEFAULT_TIMEOUT)}; 'none': no limit; a notebook's metadata "
        f"execution.timeout, nbmake's key, wins)",
    ),
    Option(
        "bench_budget", positive_seconds, DEFAULT_BENCH_BUDGET, "SECONDS",
        f"cap on each bench's budget inside notebooks "
        f"(default {format_time(DEFAULT_BENCH_BUDGET)})",
    ),
)  # fmt: skip
