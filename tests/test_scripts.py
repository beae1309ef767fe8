"""The scripts a new user runs: setup that runs each step once, tests that leave the clone clean."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_browser_screenshots_go_to_an_ignored_build_folder_not_to_docs():
    sys.path.insert(0, str(ROOT))
    try:
        from tests.browser import lab
    finally:
        sys.path.remove(str(ROOT))
    folder = lab.SCREENSHOTS.relative_to(ROOT)
    assert folder.parts[0] != "docs"
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    assert _git("check-ignore", "-q", str(folder / "shape-panel.png")).returncode == 0
    assert _git("check-ignore", "-q", "docs/images/shape-panel.png").returncode == 1
    assert (ROOT / "scripts" / "screenshots").read_text().count("docs/images/") >= 1


# -- scripts/setup's stamps, against stand-ins for pip, npm and jupyter -----------------------

LOGGER = """#!/usr/bin/env bash
echo "{name} $*" >> "$SETUP_LOG"
{extra}
"""


def _sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the repository's setup inputs, and an environment whose tools only log."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup", repo / "scripts" / "setup")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    (repo / "labextension" / "src").mkdir(parents=True)
    (repo / "labextension" / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    (repo / "labextension" / "src" / "index.ts").write_text("export {};\n")
    venv, tools = repo / ".venv" / "bin", tmp_path / "tools"
    venv.mkdir(parents=True)
    tools.mkdir()
    scripts = {
        venv / "python": LOGGER.format(name="python", extra=(
            'case "$*" in *" -e "*) : > "$(dirname "$0")/matmul-magic"; '
            'chmod +x "$(dirname "$0")/matmul-magic";; esac\n'
            'case "$*" in *install*) echo "Collecting pkg-$$"; '
            'echo "Requirement already satisfied: other"; echo "Successfully installed pkg";; esac'
        )),
        venv / "jupyter": LOGGER.format(name="jupyter", extra=(
            'mkdir -p "$(dirname "$0")/../share/jupyter/labextensions/matmul-magic"'
        )),
        tools / "npm": LOGGER.format(name="npm", extra=(
            'case "$1" in ci) mkdir -p node_modules; echo "added 405 packages in 1m";; run) '
            "mkdir -p ../matmul_magic/labextension ../matmul_magic/widgets/static && "
            ": > ../matmul_magic/labextension/package.json && "
            ": > ../matmul_magic/widgets/static/widgets.js && "
            # what a real build writes inside labextension/, all of it git-ignored
            "mkdir -p src/generated lib && echo $RANDOM > src/generated/rules.ts && "
            "echo $RANDOM > lib/index.js && echo $RANDOM > tsconfig.tsbuildinfo;; esac"
        )),
    }  # fmt: skip
    for path, text in scripts.items():
        path.write_text(text)
        path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATMUL_MAGIC_")}
    env.update(PATH=f"{tools}:{env['PATH']}", SETUP_LOG=str(tmp_path / "log"))
    return repo, env


def _setup(repo: Path, env: dict[str, str], log: Path) -> list[str]:
    log.write_text("")
    done = subprocess.run(
        ["bash", "scripts/setup"], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    assert done.stdout == ""  # stdout belongs to the job scripts/run starts after setup
    return [line.split()[0] + " " + line.split()[1] for line in log.read_text().splitlines()]


def test_setup_does_each_step_once_and_again_only_when_its_inputs_change(tmp_path):
    repo, env = _sandbox(tmp_path)
    log = tmp_path / "log"
    first = _setup(repo, env, log)
    assert first == [
        "python -c",  # is torch there? (the stand-in says yes)
        "python -m",  # build tools
        "npm ci",
        "npm run",  # the extension build
        "python -m",  # the editable install
        "jupyter labextension",
    ]
    assert _setup(repo, env, log) == []  # a second run does nothing

    (repo / "labextension" / "src" / "index.ts").write_text("export const x = 1;\n")
    assert _setup(repo, env, log) == ["npm run"]  # a TypeScript change: the build only
    (repo / "labextension" / "src" / "new.ts").write_text("export {};\n")
    assert _setup(repo, env, log) == ["npm run"]  # a new source file too

    with (repo / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert _setup(repo, env, log) == ["python -m", "jupyter labextension"]

    (repo / "labextension" / "package-lock.json").write_text('{"lockfileVersion": 3, "x": 1}\n')
    assert _setup(repo, env, log) == ["npm ci", "npm run"]

    shutil.rmtree(repo / "matmul_magic" / "labextension")  # a build output gone: rebuilt
    assert _setup(repo, env, log) == ["npm run"]
    env["MATMUL_MAGIC_TORCH"] = "torch==2.13.0+cu126"  # another torch asked for: checked again
    assert _setup(repo, env, log) == ["python -c"]


def test_the_readmes_outputs_are_checked_on_another_cpus_rounding_too():
    """scripts/test runs the tests that read the README's outputs with torch's portable CPU
    kernels as well as the machine's own, so a pasted figure that holds on one CPU only
    (float32 sums differ in their last bits between AVX2, AVX-512 and others) fails here."""
    script = (ROOT / "scripts" / "test").read_text()
    assert "ATEN_CPU_CAPABILITY=default" in script and "-m readme_output" in script
    marked = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "-m", "readme_output", str(ROOT / "tests" / "test_magics_testing_cell.py")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert "test_the_readmes_failure_example_is_what_a_run_prints" in marked.stdout


def test_a_build_writing_its_generated_files_does_not_make_the_next_setup_rebuild(tmp_path):
    # The build writes src/generated/, lib/ and tsconfig.tsbuildinfo inside labextension/
    # (new contents every time): the fingerprint must not count them, or every second
    # `scripts/run` rebuilds the extension.
    repo, env = _sandbox(tmp_path)
    log = tmp_path / "log"
    assert "npm run" in _setup(repo, env, log)
    assert (repo / "labextension" / "src" / "generated" / "rules.ts").exists()
    assert _setup(repo, env, log) == []
    assert _setup(repo, env, log) == []


def test_every_labextension_path_gitignore_names_is_left_out_of_the_fingerprint(tmp_path):
    repo, env = _sandbox(tmp_path)
    log = tmp_path / "log"
    _setup(repo, env, log)
    ignored = [
        line.rstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.startswith("labextension/")
    ]
    assert "labextension/src/generated" in ignored
    for path in ignored:
        target = repo / path / "new-file" if not Path(path).suffix else repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("written by a build\n")
    assert _setup(repo, env, log) == []


def test_setup_shows_each_step_and_pips_packages_on_stderr_and_says_how_long_it_took(tmp_path):
    repo, env = _sandbox(tmp_path)
    first = subprocess.run(["bash", "scripts/setup"], cwd=repo, env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    assert first.stdout == ""
    err = first.stderr
    assert "installing labextension/ npm packages" in err
    assert "added 405 packages" not in err  # npm's chatter is shown only when it fails
    assert "    Collecting pkg-" in err  # pip's line per package
    assert "Requirement already satisfied" not in err
    assert err.count("    done in ") >= 4  # every step says how long it took
    assert re.search(r"==> setup done in \d+(\.\d s| min \d\d s)", err), err
    again = subprocess.run(["bash", "scripts/setup"], cwd=repo, env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    assert again.stdout == ""
    assert re.fullmatch(r"setup: everything up to date \(\d+\.\d s\)\n", again.stderr)


def test_a_failing_npm_install_shows_what_npm_said(tmp_path):
    repo, env = _sandbox(tmp_path)
    npm = Path(env["PATH"].split(":")[0]) / "npm"
    npm.write_text("#!/usr/bin/env bash\necho 'npm ERR! code E404'; exit 1\n")
    failed = subprocess.run(["bash", "scripts/setup"], cwd=repo, env=env, capture_output=True,
                            text=True)  # fmt: skip
    assert failed.returncode != 0
    assert failed.stdout == ""
    assert "npm ERR! code E404" in failed.stderr


def test_count_lines_counts_the_package_and_the_extension_without_tests():
    command = [sys.executable, "scripts/count-lines"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    said = re.findall(r"(\w+): (\d+) lines; code (\d+)", out)
    found = {name: (int(total), int(code)) for name, total, code in said}
    tracked = subprocess.check_output(["git", "ls-files"], cwd=ROOT, text=True).split()
    python = [f for f in tracked if f.startswith("matmul_magic/") and f.endswith(".py")]
    ts = [f for f in tracked if f.startswith("labextension/src/") and f.endswith(".ts")]
    lines = {f: len((ROOT / f).read_text(encoding="utf-8").splitlines()) for f in python + ts}
    assert found["python"][0] == sum(lines[f] for f in python)
    assert found["typescript"][0] == sum(lines[f] for f in ts if ".test." not in f)
    for total, code in found.values():
        assert 0 < code < total


def test_count_lines_leaves_out_a_docstring_once_blank_lines_included(tmp_path):
    (tmp_path / "matmul_magic").mkdir()
    (tmp_path / "matmul_magic" / "x.py").write_text(
        'def f():\n    """One.\n\n    Two."""\n    # why\n\n    return 1\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    command = [sys.executable, str(ROOT / "scripts" / "count-lines")]
    out = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "python: 7 lines; code 2" in out  # def and return; the docstring's blank line once
