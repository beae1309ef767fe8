"""What the second and third ``bash scripts/run`` add on top of the bench itself, from a fresh
clone (target: at most 3 s each).

``scripts/run`` runs ``scripts/setup`` first. The script clones this repository's committed
state into a temporary folder and runs ``bash scripts/run <bench args>`` there three times:
the first sets everything up from scratch (a virtualenv, torch, npm packages, the extension
build; timed and shown, not judged), the second and third must find every step's stamp fresh.
Each of those two is timed beside the same bench run directly (``.venv/bin/matmul-magic
bench <bench args>``), back to back in alternating order so that load on a shared machine
hits both alike; what a run adds is the difference. That difference is smaller than the
bench's own spread on a noisy machine, so the script also times ``bash scripts/setup`` alone
(the median of ``--rounds``), which is exactly what ``scripts/run`` adds.

    python benchmarks/setup_cost.py [--rounds 5] [--target-s 3] [--check] [--keep]

With ``--check`` the exit status is 1 when the second or third run, or setup alone, misses
the target. ``--keep`` leaves the clone (its path is printed) instead of removing it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_ARGS = ["--budget", "0.3", "--only", "torch", "--quiet"]


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)  # fmt: skip
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}) in {cwd}:\n{done.stderr}")
    return took


def _clone(into: Path) -> Path:
    clone = into / "matmul-magic"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
                   check=True)  # fmt: skip
    return clone


def _later_run(n: int, clone: Path, env: dict[str, str]) -> float:
    """Time run ``n`` of scripts/run and the bench alone beside it; what the run adds."""
    run = ["bash", "scripts/run", *BENCH_ARGS]
    direct = [str(clone / ".venv" / "bin" / "matmul-magic"), "bench", *BENCH_ARGS]
    if n % 2:
        alone, whole = _timed(direct, clone, env), _timed(run, clone, env)
    else:
        whole, alone = _timed(run, clone, env), _timed(direct, clone, env)
    added = whole - alone
    print(f"run {n}: scripts/run {whole:.2f} s, the bench alone {alone:.2f} s, "
          f"added {added:+.2f} s")  # fmt: skip
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--target-s", type=float, default=3.0)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "MATMUL_MAGIC_VENV"}  # the clone's own
    folder = Path(tempfile.mkdtemp(prefix="matmul-magic-setup-cost-"))
    try:
        clone = _clone(folder)
        head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=clone)
        print(f"fresh clone of {head.decode().strip()} in {clone}")
        first = _timed(["bash", "scripts/run", *BENCH_ARGS], clone, env)
        print(f"run 1 (sets everything up): {first:.1f} s")
        added = [_later_run(n, clone, env) for n in (2, 3)]
        setup = statistics.median(
            _timed(["bash", "scripts/setup"], clone, env) for _ in range(args.rounds)
        )
        print(f"bash scripts/setup alone, everything up to date: {setup * 1e3:.0f} ms "
              f"(median of {args.rounds})")  # fmt: skip
        print(f"the second and third scripts/run add {added[0]:.2f} s and {added[1]:.2f} s "
              f"(target <= {args.target_s:g} s)")  # fmt: skip
        missed = max(*added, setup) > args.target_s
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
