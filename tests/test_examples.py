"""Every example notebook passes under ``matmul-magic test``: the lesson replayed, widely tested.

The examples run once per session, through the same runner as ``matmul-magic test examples/``
(each in a fresh interpreter, benches capped at 0.2 s); each check below reads the report.
A cell that fails on purpose carries Jupyter's ``raises-exception`` tag: its failures are
expected, and it must fail. ``example_reports[name].benches[cell]`` holds the rows of the
benches a ``%%matmul_bench`` cell ran, for checks about what raced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matmul_magic.notebook_tests import NotebookReport, run_notebooks
from matmul_magic.notebook_tests.report import failure_block

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.ipynb"))

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="session")
def example_reports() -> dict[str, NotebookReport]:
    """Each example notebook's report, by file name."""
    run = run_notebooks(EXAMPLES, workers=2, timeout=600)
    return {Path(nb.path).name: nb for nb in run.notebooks}


def test_examples_exist():
    assert [p.name for p in EXAMPLES] == [
        "01_matmul_from_foundations.ipynb",
        "02_broadcasting.ipynb",
        "03_race_your_kernel.ipynb",
        "04_lesson_2019_01_matmul.ipynb",
    ]


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES], ids=lambda n: n.split(".")[0])
def test_example_passes(name: str, example_reports):
    report = example_reports[name]
    assert report.error is None, report.error
    failures = [failure_block(t) for t in report.tests if t.outcome == "failed"]
    assert not failures, "\n\n".join(failures)
    assert report.tests[-1].outcome == "passed"  # the notebook ran top to bottom
    assert all(t.outcome in ("passed", "xfailed") for t in report.tests), [
        (t.test_id, t.outcome, t.message) for t in report.tests
    ]


def test_the_wrong_kernel_of_example_03_is_caught(example_reports):
    tests = {t.name: t for t in example_reports["03_race_your_kernel.ipynb"].tests}
    wrong = tests["matmul_bench[matmul_wrong]"]
    assert wrong.outcome == "xfailed" and "matmul_wrong is incorrect" in wrong.message


def test_the_2019_lesson_keeps_its_tests(example_reports):
    names = [t.name for t in example_reports["04_lesson_2019_01_matmul.ipynb"].tests]
    assert names.count("test_near(t1, matmul(m1, m2))") == 2  # broadcast and einsum
    assert "test_near(t1,matmul(m1, m2))" in names  # elementwise, spelled as the lesson does
    assert "test_near(t1, t2)" in names and "test_eq(TEST,'test')" in names
    # the lesson's `assert ac==br` sits inside `def matmul`: code, as in Jupyter, not a test
    assert "assert ac==br" not in names


def test_the_2019_lesson_opens_with_its_magics_as_the_lesson_does(example_reports):
    tests = example_reports["04_lesson_2019_01_matmul.ipynb"].tests
    cells = json.loads(EXAMPLES[3].read_text())["cells"]
    # course-v3 dl2/01_matmul's cell, as it stands there
    assert (
        "".join(cells[1]["source"]) == "%load_ext autoreload\n%autoreload 2\n\n%matplotlib inline"
    )
    assert tests[-1].name == "notebook runs" and tests[-1].outcome == "passed"


@pytest.mark.readme_output
def test_the_readmes_run_of_the_examples_is_what_the_command_prints(example_reports):
    import re
    from collections import Counter

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = readme.split("$ matmul-magic test examples/\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    shown = {}
    for line in lines[:-2]:
        m = re.fullmatch(r"PASS  examples/(\S+\.ipynb) \(([^)]*)\) [\d.,]+ [mµn]?s", line)
        assert m, line
        shown[m.group(1)] = m.group(2)
    assert sorted(shown) == [p.name for p in EXAMPLES]  # each once, all green
    totals: Counter = Counter()
    for name, counts in shown.items():
        real = Counter(t.outcome for t in example_reports[name].tests)
        totals += real
        said = ", ".join(f"{real[o]} {o}" for o in ("passed", "xfailed") if real[o])
        assert counts == said, name
    assert re.fullmatch(rf"{len(EXAMPLES)} notebooks in [\d.,]+ [mµn]?s", lines[-2])
    assert lines[-1] == f"{totals['passed']} passed, 0 failed, {totals['xfailed']} xfailed"
