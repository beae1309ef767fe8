"""The clone: nothing generated or local is tracked; the README names the Node npm needs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def _in_a_git_checkout() -> bool:
    try:
        return _git("rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except FileNotFoundError:  # no git at all
        return False


def test_no_tracked_file_is_one_that_gitignore_keeps_out():
    if not _in_a_git_checkout():
        pytest.skip("not a git checkout")
    # Tracked files that an ignore rule matches: a coverage database, a build output, a cache.
    listed = _git("ls-files", "--cached", "--ignored", "--exclude-standard")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == []


def test_coverage_data_is_ignored():
    if not _in_a_git_checkout():
        pytest.skip("not a git checkout")
    for name in (".coverage", ".coverage.host.1234.XyZ", "htmlcov/index.html"):
        assert _git("check-ignore", "-q", "--no-index", name).returncode == 0, name


def _versions(text: str) -> set[str]:
    return set(re.findall(r"Node (?:≥|>=) ?(\d+(?:\.\d+)*)", text))


def test_the_node_version_the_readme_and_setup_name_is_the_one_npm_needs():
    engines = json.loads((ROOT / "labextension" / "package.json").read_text())["engines"]["node"]
    needed = re.fullmatch(r">=\s*(\d+(?:\.\d+)*)", engines.strip())
    assert needed, f"engines.node is {engines!r}; this test reads a plain >=X.Y"
    readme = _versions((ROOT / "README.md").read_text())
    setup = _versions((ROOT / "scripts" / "setup").read_text())
    assert readme and setup
    assert readme | setup == {needed.group(1)}
