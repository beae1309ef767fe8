"""What a notebook test run produces: one :class:`TestResult` per test, and a :class:`RunReport`.

A *test* is a place in a notebook: a ``test_*`` call, a ``%test_*`` line, a line of a
``%%tests`` cell, an ``assert``, a function raced by a ``%%matmul_bench`` cell, or the
notebook itself ("it runs top to bottom"). Tests are found by reading the notebook
(``discovery``), so both runners (the CLI and pytest) know every test before anything
runs, and a run only fills in the outcomes. A call site that runs many times (a loop)
stays one test: it fails when any of its calls failed.

Cells and lines count from 1, as an editor numbers them: the cell's index among all the
notebook's cells (markdown included), and the line within the cell (a ``%%magic`` line is
line 1).

Standard library only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Outcome = Literal["passed", "failed", "skipped", "xfailed"]
Kind = Literal["test", "assert", "bench", "notebook"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

DEFAULT_BENCH_BUDGET = 0.2
"""Seconds a ``bench()`` call may take in a notebook under test (``--bench-budget``)."""

DEFAULT_TIMEOUT = 600.0
"""Seconds a notebook may run before it fails as timed out (``--timeout``; nbmake's
``execution.timeout`` metadata overrides it)."""

NOTEBOOK_TEST = "notebook runs"
"""The name of each notebook's own test: every cell ran without an error outside a test."""


@dataclass
class TestResult:
    """One test of a notebook and, after a run, its outcome."""

    __test__ = False  # not a pytest test class

    notebook: str
    name: str
    kind: Kind = "test"
    cell: int | None = None
    line: int | None = None
    col: int | None = None
    function: str | None = None  # the test function (test_near) or the raced function
    outcome: Outcome | None = None  # None: not run (yet)
    message: str = ""
    calls: int = 0
    failed_calls: int = 0
    expect_failure: bool = False  # in a cell tagged raises-exception
    skip_reason: str | None = None

    @property
    def where(self) -> str:
        """``notebook.ipynb:cell 7:line 2``, as much of it as is known."""
        parts = [self.notebook]
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ":".join(parts)

    @property
    def headline(self) -> str:
        """The message's first line ("" without a message)."""
        return self.message.splitlines()[0] if self.message else ""

    @property
    def test_id(self) -> str:
        """A name unique within its notebook and stable across runs (pytest's item name)."""
        if self.kind == "notebook":
            return NOTEBOOK_TEST
        return f"cell{self.cell}:line{self.line}:{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "notebook": self.notebook,
            "cell": self.cell,
            "line": self.line,
            "name": self.name,
            "kind": self.kind,
            "id": self.test_id,
            "outcome": self.outcome or "skipped",
            "message": self.message,
            "calls": self.calls,
            "failed_calls": self.failed_calls,
        }


@dataclass
class NotebookReport:
    """The tests of one notebook, its load error (not JSON, not a notebook) if any, and how
    long it ran."""

    path: str
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    duration: float = 0.0
    finished: bool = False
    # cell -> the rows of the bench(es) its %%matmul_bench ran: name, kind, status, message
    benches: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.error is not None or any(t.outcome == "failed" for t in self.tests)


@dataclass
class RunReport:
    """Every notebook's report, in the order the paths were given."""

    notebooks: list[NotebookReport] = field(default_factory=list)
    interrupted: bool = False
    duration: float = 0.0

    @property
    def tests(self) -> list[TestResult]:
        return [t for nb in self.notebooks for t in nb.tests]

    def counts(self) -> dict[str, int]:
        found = Counter(test.outcome for test in self.tests)
        counts = {outcome: found[outcome] for outcome in OUTCOMES}
        # A file that is not a notebook has no tests: it counts as one failure.
        counts["failed"] += sum(1 for nb in self.notebooks if nb.error is not None)
        return counts

    @property
    def ok(self) -> bool:
        return not self.interrupted and self.counts()["failed"] == 0

    def summary(self) -> str:
        """``N passed, M failed`` and, when there are any, ``, K skipped`` and ``, X xfailed``."""
        c = self.counts()
        text = f"{c['passed']} passed, {c['failed']} failed"
        return text + "".join(f", {c[o]} {o}" for o in ("skipped", "xfailed") if c[o])


@dataclass
class Options:
    workers: int = 0  # 0: the CPU count
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per notebook (None: no limit)
    bench_budget: float = DEFAULT_BENCH_BUDGET


@dataclass
class Execution:
    """What a worker process left behind."""

    records: list[dict[str, Any]]
    returncode: int | None
    timed_out: bool = False
    timeout: float | None = None  # the limit it ran under
    interrupted: bool = False
    output_tail: str = ""
    duration: float = 0.0
