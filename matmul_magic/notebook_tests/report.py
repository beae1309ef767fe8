"""A run's report as text (the terminal), JUnit XML (CI) and JSON (machines).

Standard library only. Text from notebooks (test names, messages) is data: the XML writer
escapes it, and the JSON carries it as strings.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from ..bench_result.views.format import format_time
from .model import NotebookReport, RunReport, TestResult

JSON_VERSION = 1
_JUNIT_COUNTS = ("tests", "failures", "errors", "skipped")


def indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines())


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def notebook_line(report: NotebookReport) -> str:
    """One line per notebook as it finishes: ``PASS path (5 passed, 1 skipped) 1.2 s``, or
    ``ERROR`` and why the file is no notebook (the error names the file)."""
    if report.error is not None:
        return f"ERROR {report.error}"
    counts = Counter(test.outcome for test in report.tests if test.outcome is not None)
    if not report.finished:
        word = "STOP"
    elif report.failed:
        word = "FAIL"
    elif counts and set(counts) == {"skipped"}:
        word = "SKIP"
    else:
        word = "PASS"
    detail = ", ".join(f"{n} {o}" for o, n in counts.items())
    return f"{word:<5} {report.path} ({detail}) {format_time(report.duration)}"


def failure_block(test: TestResult) -> str:
    """A failed test: where, what, and the diagnosis the notebook shows."""
    head = f"FAILED {test.where}: {test.name}"
    return f"{head}\n{indent(test.message)}" if test.message else head


def to_text(run: RunReport, verbose: bool = False) -> str:
    """Failures in full (and with ``verbose`` every test), then the summary line last."""
    lines: list[str] = []
    if verbose:
        for test in run.tests:
            if test.outcome is not None:
                quiet = test.outcome not in ("skipped", "xfailed") or not test.message
                reason = "" if quiet else f"  ({test.headline})"
                lines.append(f"{test.outcome.upper():<8} {test.where}: {test.name}{reason}")
        lines.append("")
    lines += [notebook_line(nb) for nb in run.notebooks if nb.error is not None]
    lines += [failure_block(test) for test in run.tests if test.outcome == "failed"]
    if run.interrupted:
        unfinished = [nb.path for nb in run.notebooks if not nb.finished]
        lines.append(
            "interrupted: results so far"
            + (f"; did not finish: {', '.join(unfinished)}" if unfinished else "")
        )
    lines.append(f"{plural(len(run.notebooks), 'notebook')} in {format_time(run.duration)}")
    lines.append(run.summary())
    return "\n".join(lines).lstrip("\n")


def to_dict(run: RunReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "summary": run.counts(),
        "summary_line": run.summary(),
        "interrupted": run.interrupted,
        "duration": round(run.duration, 3),
        "notebooks": [
            {
                "path": nb.path,
                "error": nb.error,
                "finished": nb.finished,
                "duration": round(nb.duration, 3),
                "tests": [t.to_dict() for t in nb.tests if t.outcome is not None],
            }
            for nb in run.notebooks
        ],
    }


def to_json(run: RunReport) -> str:
    return json.dumps(to_dict(run), indent=2)


def to_junit(run: RunReport) -> str:
    """JUnit XML: a ``testsuite`` per notebook, a ``testcase`` per test; skips and expected
    failures are ``skipped`` (as pytest writes them)."""
    root = ET.Element("testsuites", name="matmul-magic test")
    total: Counter[str] = Counter()
    for nb in run.notebooks:
        suite = ET.SubElement(root, "testsuite", name=nb.path)
        counts: Counter[str] = Counter()
        if nb.error is not None:
            case = ET.SubElement(suite, "testcase", classname=nb.path, name="read", file=nb.path)
            ET.SubElement(case, "error", message=nb.error).text = nb.error
            counts.update(("tests", "errors"))
        for test in nb.tests:
            if test.outcome is None:
                continue
            counts["tests"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=nb.path, name=test.test_id, file=nb.path
            )
            if test.line is not None:
                case.set("line", str(test.line))
            if test.outcome == "failed":
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=test.headline).text = test.message
            elif test.outcome in ("skipped", "xfailed"):  # an xfail as pytest writes it
                counts["skipped"] += 1
                xfail = {"type": "pytest.xfail"} if test.outcome == "xfailed" else {}
                ET.SubElement(case, "skipped", **xfail, message=test.headline)
        for key in _JUNIT_COUNTS:
            suite.set(key, str(counts[key]))
        suite.set("time", f"{nb.duration:.3f}")
        total += counts
    for key in _JUNIT_COUNTS:
        root.set(key, str(total[key]))
    root.set("time", f"{run.duration:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def write(path: str | Path, text: str) -> Path:
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
