"""pytest plugin: every test inside a notebook is its own pytest item.

Off unless asked for: ``pytest --matmul-magic`` (or ``matmul_magic = true`` in the ini
file). Then each ``*.ipynb`` collected is read (not run) and yields one item per test
(``nb.ipynb::cell7:line2:test_near(t1, m1 @ m2)``) plus ``nb.ipynb::notebook runs``.
The notebook runs once, in a fresh interpreter, when its first item runs; each item then
reports its own outcome, with the diagnosis the notebook shows. So ``-k``, ``-x``,
``--lf``, ``--junitxml`` and pytest-xdist's ``-n`` work as usual; with ``-n`` the
notebook's items go to one worker (``--dist loadscope``) so it runs once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .options import OPTIONS

_RUNS_KEY: Any = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("matmul-magic", "notebooks as test suites (matmul-magic)")
    group.addoption(
        "--matmul-magic", action="store_true", default=False,
        help="collect *.ipynb files: one item per test inside each notebook",
    )  # fmt: skip
    for option in OPTIONS:
        if option.in_pytest:
            group.addoption(
                f"--matmul-magic-{option.flag[2:]}", dest=f"matmul_magic_{option.name}",
                type=option.parse, default=None, metavar=option.metavar,
                help=option.help,
            )  # fmt: skip
            parser.addini(f"matmul_magic_{option.name}", default="", help=option.help)
    parser.addini("matmul_magic", type="bool", default=False,
                  help="collect *.ipynb files as matmul-magic notebook tests")  # fmt: skip


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("matmul_magic") or config.getini("matmul_magic"))


def _value(config: pytest.Config, option: Any) -> Any:
    """The option's value: the command line's, else the ini file's, else the default; the
    ini value goes through the same check as the command line's."""
    value = config.getoption(f"matmul_magic_{option.name}")
    if value is not None:
        return value
    text = config.getini(f"matmul_magic_{option.name}")
    if not text:
        return option.default
    try:
        return option.parse(text)
    except ValueError as error:
        raise pytest.UsageError(f"matmul_magic_{option.name} (ini): {error}") from None


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        options_of(config)  # a bad value is a usage error now, not a failure in a notebook


def options_of(config: pytest.Config) -> Any:
    from .model import Options

    return Options(**{o.name: _value(config, o) for o in OPTIONS if o.in_pytest})


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".ipynb" or ".ipynb_checkpoints" in file_path.parts:
        return None
    return NotebookFile.from_parent(parent, path=file_path) if _enabled(parent.config) else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``-n``, keep a notebook's items on one worker so the notebook runs once."""
    if not _enabled(config) or config.getoption("dist", None) != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    return LoadScopeScheduling(config, log)


class NotebookTestFailure(Exception):
    """A notebook test failed; its message is the diagnosis."""


class NotebookFile(pytest.File):
    def collect(self):  # type: ignore[override]
        from .discovery import plan_notebook

        timeout = options_of(self.config).timeout
        self.plan = plan_notebook(self.path, self.nodeid.split("::")[0], timeout)
        if self.plan.error is not None:
            yield NotebookItem.from_parent(self, name="read", test=None)
            return
        for test in self.plan.tests:
            yield NotebookItem.from_parent(self, name=test.test_id, test=test)

    def report(self) -> Any:
        """Run the notebook once per session (per xdist worker), on first demand."""
        runs = self.config.stash.setdefault(_RUNS_KEY, {})
        if self.nodeid not in runs:
            from .outcomes import merge
            from .runner import execute

            options = options_of(self.config)
            execution = None if self.plan.skip is not None else execute(self.plan, options)
            runs[self.nodeid] = merge(self.plan, execution, options)
        return runs[self.nodeid]


class NotebookItem(pytest.Item):
    def __init__(self, *, test: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test
        if test is not None and test.skip_reason:
            self.add_marker(pytest.mark.skip(reason=test.skip_reason))

    def runtest(self) -> None:
        parent: NotebookFile = self.parent  # type: ignore[assignment]
        if self.test is None:
            raise NotebookTestFailure(parent.plan.error)
        report = parent.report()
        result = next((t for t in report.tests if t.test_id == self.test.test_id), None)
        if result is None or result.outcome is None:
            pytest.skip("not run")
        if result.outcome == "failed":
            raise NotebookTestFailure(result.message or "failed")
        if result.outcome == "skipped":
            pytest.skip(result.message or "skipped")
        if result.outcome == "xfailed":
            pytest.xfail(result.headline or "expected")

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, NotebookTestFailure):
            if self.test is None:  # the file is no notebook: the error names it
                return str(excinfo.value)
            return f"{self.test.where}: {self.test.name}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int, str]:
        # Line 0 of the file: a cell's lines are not the .ipynb file's lines.
        if self.test is None:
            return self.path, 0, f"{self.path.name}: read"
        return self.path, 0, f"{self.test.where}: {self.test.name}"
