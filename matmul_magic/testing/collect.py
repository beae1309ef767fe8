"""Recording failures instead of raising them (``collect_tests``, ``%%tests``), and tracebacks
that end at the user's line: the machinery every ``test_*`` function is wrapped in.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import types
from collections.abc import Callable
from typing import Any

from .report import ReportView, TestFailure, TestReport
from .statements import PACKAGE_DIR, Site, failure_message, pop_sink, push_sink


class _Collector:
    """Records the block's tests: ``test_*`` calls (``recorded``) and, as the sink of
    ``statements``, the test statements of a ``%%tests`` cell (``assert`` included)."""

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self.report = TestReport()
        self._mark = 0

    def start(self, site: Site) -> None:
        self._mark = len(self.report.checks)

    def end(self, site: Site, error: AssertionError | None) -> None:
        line, _, _, function = site
        if error is not None:
            frame = sys._getframe(2)  # the cell's code, at the statement (statements.end)
            failure = TestFailure(
                function, line, failure_message(site, error), error, frame, frame.f_lasti
            )
            self.report.add(function, line, failure)
        elif len(self.report.checks) == self._mark:  # no test call inside recorded it
            self.report.add(function, line)

    def raised(self, site: Site, error: BaseException) -> None:
        pass  # not a failed test: it stops the block, as any exception does

    def frame_of(self, frame: Any) -> Any:
        """The innermost frame that runs code from the watched file."""
        while frame is not None and frame.f_code.co_filename != self.filename:
            frame = frame.f_back
        return frame


_COLLECTOR: contextvars.ContextVar[_Collector | None] = contextvars.ContextVar(
    "matmul_magic_collector", default=None
)
# How many test_* calls (or ExceptionExpected blocks) are running: only the outermost records.
DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("matmul_magic_depth", default=0)


def _ours(entry: types.TracebackType) -> bool:
    frame = entry.tb_frame
    return frame.f_code.co_filename.startswith(PACKAGE_DIR) or bool(
        frame.f_locals.get("__tracebackhide__")
    )


def _user_traceback(tb: types.TracebackType | None, failure: TestFailure | None) -> Any:
    """``tb`` without its tail of package (and ``__tracebackhide__``) frames, then one more
    entry when ``failure`` has one: its line in the code it ran in."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    last = max((i for i, entry in enumerate(entries) if not _ours(entry)), default=None)
    chained = None
    if failure is not None and failure.frame is not None and failure.line is not None:
        # tb_lasti -1: the line is tb_lineno (the frame has moved on since; its lasti would not say)
        chained = types.TracebackType(None, failure.frame, -1, failure.line)
    for entry in reversed(entries if last is None else entries[: last + 1]):
        chained = types.TracebackType(chained, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chained


def _ends_at_the_users_line(
    error: BaseException, failure: TestFailure | None = None
) -> BaseException:
    """Let IPython show ``error``'s traceback ending at the user's call.

    pytest hides frames that set ``__tracebackhide__``; IPython does too, except the last
    one, which for a failed test is always ours. IPython asks an exception for
    ``_render_traceback_()`` first: this one renders the traceback without our tail.
    """

    def render() -> list[str]:
        tb = _user_traceback(error.__traceback__, failure)
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None or failure is not None:
            # never raise here (IPython would print a second traceback); and a %%tests
            # failure's frame is made for the learner's line, which IPython's source-position
            # finder (executing) can spend minutes on: Python's own formatter shows it plainly
            import traceback

            return traceback.format_exception(type(error), error, tb)
        return shell.InteractiveTB.structured_traceback(type(error), error, tb)

    error._render_traceback_ = render  # type: ignore[attr-defined]
    return error


def recorded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Make ``fn`` record its outcome instead of raising while a collector is active."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841  (pytest and IPython hide this frame)
        collector, depth = _COLLECTOR.get(), DEPTH.get()
        token = DEPTH.set(depth + 1)
        try:
            if depth:
                return fn(*args, **kwargs)
            if collector is None:
                try:
                    return fn(*args, **kwargs)
                except AssertionError as e:
                    _ends_at_the_users_line(e)
                    raise  # as is: test_fail's message keeps its cause
            frame = collector.frame_of(sys._getframe(1))
            line = frame.f_lineno if frame is not None else None
            failure = None
            try:
                fn(*args, **kwargs)
            except AssertionError as e:
                lasti = frame.f_lasti if frame is not None else -1
                failure = TestFailure(fn.__name__, line, str(e), e, frame, lasti)
            collector.report.add(fn.__name__, line, failure)
            return None
        finally:
            DEPTH.reset(token)

    wrapper.__test__ = False  # type: ignore[attr-defined]  # `from ... import *` in pytest files
    return wrapper


class collect_tests:  # noqa: N801  (used like a function: `with collect_tests() as report:`)
    """Run a block of tests and report every failure instead of stopping at the first.

    Inside the ``with`` block each failing ``test_*`` call of this module (also through the
    line magics) is recorded with its line number, and the block goes on. On leaving the
    block the failures and a closing line ``N passed, M failed`` are printed (``show=False``
    silences this) and, when any test failed, ``AssertionError`` is raised (unless
    ``raise_on_failure=False``). Any other exception propagates as usual, after the
    failures recorded so far are printed. Plain ``assert`` statements are not recorded.

    ``filename`` is the file whose line numbers are reported; by default the file of the
    code that enters the block. The ``AssertionError`` carries the report as ``.report``;
    each failure's ``.error`` holds the values it compared, in full, as ``.a`` and ``.b``.
    This is the plain-Python twin of the ``%%tests`` cell magic::

        with collect_tests(raise_on_failure=False) as report:
            test_eq(1 + 1, 2)
            test_near(torch.ones(3), torch.zeros(3))
        report.passed, report.failed   # (1, 1)
    """

    __test__ = False

    def __init__(
        self,
        *,
        raise_on_failure: bool = True,
        show: bool = True,
        file: Any = None,
        filename: str | None = None,
        on_report: Callable[[TestReport, str | None], None] | None = None,
    ) -> None:
        self.raise_on_failure = raise_on_failure
        self.show = show
        self.on_report = on_report
        self.file = file
        self.filename = filename
        # one entry per open block (a collect_tests object may be entered again inside itself)
        self._entered: list[tuple[_Collector, contextvars.Token, contextvars.Token]] = []
        self.report = TestReport()

    def __enter__(self) -> TestReport:
        filename = self.filename or sys._getframe(1).f_code.co_filename
        collector = _Collector(filename)
        self.report = collector.report
        self._entered.append((collector, _COLLECTOR.set(collector), DEPTH.set(0)))
        push_sink(collector)
        return self.report

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        __tracebackhide__ = True  # noqa: F841
        collector, collector_token, depth_token = self._entered.pop()
        pop_sink(collector)
        DEPTH.reset(depth_token)
        _COLLECTOR.reset(collector_token)
        report = self.report
        if exc_type is not None:
            if self.show and report.failures:
                self._show(report, exc_type.__name__)
            return False
        if self.show:
            self._show(report, None)
        if report.failures and self.raise_on_failure:
            lines = ", ".join(str(line) for line in report.failed_lines())
            where = f" (line{'s' if ',' in lines else ''} {lines})" if lines else ""
            error = AssertionError(f"{report.summary()}{where}")
            error.report = report  # type: ignore[attr-defined]  # each failure's .error.a, .b
            raise _ends_at_the_users_line(error, report.failures[0])
        return False

    def _show(self, report: TestReport, stopped_by: str | None) -> None:
        if self.on_report is not None:
            self.on_report(report, stopped_by)
        else:
            file = self.file if self.file is not None else sys.stdout
            print(ReportView(report, stopped_by).text(), file=file)


# ---------------------------------------------------------------------------------------------
