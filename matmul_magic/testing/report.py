"""A ``%%tests`` report (``TestReport``: what passed, each ``TestFailure``) and how it looks
(``ReportView``): each failure under its line (bold in HTML, bold red in a colour terminal),
its two values labelled ``a:`` and ``b:``, then the tally.

The failure messages themselves stay fastcore's (``"{cname}:\\n{a}\\n{b}"``): only this view
labels the values, when they are the ``.a`` and ``.b`` the error carries. Standard library
only; user text is escaped in HTML, never markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

_BOLD_RED, _RESET = "\x1b[1;31m", "\x1b[0m"


@dataclass
class TestFailure:
    """One failing ``test_*`` call: which function, on which line, and its message."""

    __test__ = False  # not a pytest test class

    name: str
    line: int | None
    message: str
    error: AssertionError | None = field(default=None, repr=False, compare=False)
    # the frame running the failing line and its instruction: the traceback's last entry
    frame: Any = field(default=None, repr=False, compare=False)
    lasti: int = field(default=-1, repr=False, compare=False)

    @property
    def heading(self) -> str:
        return f"line {'?' if self.line is None else self.line}: {self.name} failed"

    def __str__(self) -> str:
        return f"{self.heading}\n{self.message}"


@dataclass
class TestReport:
    """What ``collect_tests()`` saw: the number of passing calls and every failure."""

    __test__ = False

    passed: int = 0
    failures: list[TestFailure] = field(default_factory=list)
    # every test in the order it ran: (name, line, its failure or None when it passed)
    checks: list[tuple[str, int | None, TestFailure | None]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """The tally, in the one order used everywhere: ``N passed, M failed``."""
        return f"{self.passed} passed, {self.failed} failed"

    def failed_lines(self) -> list[int]:
        """The lines of the failures, each named once, in order."""
        return list(dict.fromkeys(f.line for f in self.failures if f.line is not None))

    def add(self, name: str, line: int | None, failure: TestFailure | None = None) -> None:
        if failure is None:
            self.passed += 1
        else:
            self.failures.append(failure)
        self.checks.append((name, line, failure))

    def __str__(self) -> str:
        return ReportView(self).text()


def _labelled(failure: TestFailure) -> list[str]:
    """The message's lines with the two values labelled ``a:`` and ``b:``, when they can be
    found as fastcore wrote them; else the message as it is."""
    message, error = failure.message, failure.error
    if not (hasattr(error, "a") and hasattr(error, "b")):  # None has neither
        return message.split("\n")
    from .diagnose import value_text

    head, _, rest = message.partition("\n")
    shown_a, shown_b = value_text(error.a), value_text(error.b)
    values = f"{shown_a}\n{shown_b}"
    if not head.endswith(":") or not (rest == values or rest.startswith(values + "\n")):
        return message.split("\n")
    lines = [head]
    for label, shown in (("a", shown_a), ("b", shown_b)):
        first, *more = shown.split("\n")
        lines += [f"  {label}: {first}", *(f"     {line}" for line in more)]
    tail = rest[len(values) + 1 :]
    return lines + (tail.split("\n") if tail else [])


@dataclass
class ReportView:
    """A ``%%tests`` report as shown under the cell (``stopped_by``: the exception that
    ended the cell early, if one did)."""

    report: TestReport
    stopped_by: str | None = None
    color: bool = False

    def closing(self) -> str:
        text = self.report.summary()
        return f"{text}, then {self.stopped_by} stopped the run" if self.stopped_by else text

    def text(self) -> str:
        lines: list[str] = []
        for failure in self.report.failures:
            heading = failure.heading
            lines.append(f"{_BOLD_RED}{heading}{_RESET}" if self.color else heading)
            lines += _labelled(failure)
        lines.append(self.closing())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        parts = []
        for failure in self.report.failures:
            parts.append(f"<b>{html.escape(failure.heading)}</b>")
            parts.append(html.escape("\n".join(_labelled(failure))))
        parts.append(html.escape(self.closing()))
        return '<pre class="matmul-magic-tests">' + "\n".join(parts) + "</pre>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self._repr_html_()}
