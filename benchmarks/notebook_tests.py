"""``matmul-magic test`` against nbdev_test and nbmake, on the same notebooks, in one run.

    python benchmarks/notebook_tests.py [--rounds 3] [--workers 2]

The notebooks are ``examples/`` (the 2019 lesson included), copied into a scratch folder so
no tool can touch the originals. Each round runs the three tools one after the other, in a
shuffled order, so that load which comes and goes on a shared machine hits all alike:

- ``matmul-magic test -n W`` (this project; a fresh interpreter per notebook, benches
  capped at 0.2 s);
- ``nbdev_test --n_workers W`` (in-process execution with execnb);
- ``pytest --nbmake -n W`` (a Jupyter kernel per notebook, via nbclient and pytest-xdist).

The ratios are ours / theirs per round, then the median. nbdev, nbmake and pytest-xdist are
installed only in this benchmark's own virtualenv (``artifacts/notebook-bench/venv``, which
sees this project's environment through a ``.pth`` file); they are never dependencies of
matmul-magic. Last, a copy of the lesson with a bug in it shows what each tool reports.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = ROOT / "artifacts" / "notebook-bench" / "venv"
PEERS = ["nbdev", "nbmake", "pytest-xdist"]
LESSON = "04_lesson_2019_01_matmul.ipynb"
BUG = ("        c[i]   = (a[i  ].unsqueeze(-1) * b).sum(dim=0)",
       "        c[i]   = (a[i  ].unsqueeze(-1) * b).sum(dim=0) * (i < ar - 1)")  # fmt: skip


def peer_env() -> Path:
    """A virtualenv holding nbdev, nbmake and pytest-xdist, on top of this environment."""
    python = ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ENV)], check=True)
        site = Path(subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip())  # fmt: skip
        # The project's packages (torch, matmul-magic, ipykernel) without installing them twice.
        # addsitedir also runs that folder's own .pth files (the editable install's finder).
        (site / "_matmul_magic_project.pth").write_text(
            f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
        )
    missing = subprocess.run(
        [str(python), "-c", "import nbdev, nbmake, xdist"], capture_output=True
    ).returncode
    if missing:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *PEERS],
            check=True,
        )  # fmt: skip
    return python


def scratch(folder: Path) -> Path:
    """Copies of the examples, plus the minimal project file nbdev_test looks for."""
    if folder.exists():
        shutil.rmtree(folder)
    nbs = folder / "nbs"
    nbs.mkdir(parents=True)
    for nb in sorted((ROOT / "examples").glob("*.ipynb")):
        shutil.copy(nb, nbs / nb.name)
    # nbdev 3 reads pyproject.toml ([tool.nbdev]); nbdev 2 read settings.ini.
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "scratch"\nversion = "0.0.1"\n\n'
        '[tool.nbdev]\nnbs_path = "nbs"\nlib_path = "scratch"\n'
    )
    return folder


def _nbdev_test(bin_dir: Path, nbs: Path, workers: int) -> list[str]:
    if (bin_dir / "nbdev-test").exists():  # nbdev 3
        return [str(bin_dir / "nbdev-test"), str(nbs), "--n-workers", str(workers)]
    return [str(bin_dir / "nbdev_test"), "--path", str(nbs), "--n_workers", str(workers)]


def commands(python: Path, workers: int, nbs: Path) -> dict[str, list[str]]:
    bin_dir = python.parent
    return {
        "matmul-magic test": [sys.executable, "-m", "matmul_magic", "test", str(nbs), "-n",
                              str(workers), "-q"],
        "nbdev_test": _nbdev_test(bin_dir, nbs, workers),
        f"nbmake -n {workers}": [str(python), "-m", "pytest", "--nbmake", "-n", str(workers),
                                 "-p", "no:cacheprovider", "-q", str(nbs)],
    }  # fmt: skip


def timed(command: list[str], cwd: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, proc.returncode, proc.stdout + proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    python = peer_env()
    work = scratch(ROOT / "artifacts" / "notebook-bench" / "run")
    nbs = work / "nbs"
    tools = commands(python, args.workers, nbs)
    times: dict[str, list[float]] = {name: [] for name in tools}
    ratios: dict[str, list[float]] = {name: [] for name in tools if name != "matmul-magic test"}
    print(f"{len(list(nbs.glob('*.ipynb')))} notebooks, {args.workers} workers, "
          f"{os.cpu_count()} CPUs, {args.rounds} rounds")  # fmt: skip
    for r in range(args.rounds):
        order = list(tools)
        random.shuffle(order)
        this_round = {}
        for name in order:
            seconds, code, output = timed(tools[name], work)
            this_round[name] = seconds
            times[name].append(seconds)
            last = output.strip().splitlines()[-1] if output.strip() else ""
            print(f"round {r + 1}: {name:<20} {seconds:6.2f} s  exit {code}  | {last[:90]}")
        for name in ratios:
            ratios[name].append(this_round["matmul-magic test"] / this_round[name])
    print()
    print(f"{'tool':<20} {'median wall':>12}")
    for name, values in times.items():
        print(f"{name:<20} {statistics.median(values):10.2f} s")
    for name, values in ratios.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"ours / {name:<14} median {statistics.median(values):.2f}  (rounds: {shown})")

    # The same lesson with a bug (the last row of the broadcast matmul left at zero).
    print("\n-- a failing lesson: what each tool says --")
    broken = scratch(ROOT / "artifacts" / "notebook-bench" / "broken")
    for nb in (broken / "nbs").glob("*.ipynb"):
        if nb.name != LESSON:
            nb.unlink()
    lesson = broken / "nbs" / LESSON
    text = lesson.read_text()
    assert BUG[0].replace('"', '\\"') in text or BUG[0] in text
    lesson.write_text(text.replace(BUG[0], BUG[1]))
    for name, command in commands(python, 1, broken / "nbs").items():
        _, code, output = timed([c for c in command if c != "-q"], broken)
        print(f"\n$ {name}  (exit {code})\n{output.strip()[-2500:]}")


if __name__ == "__main__":
    main()
