"""What a second ``bash scripts/run`` adds on top of the bench itself (target: at most 3 s).

``scripts/run`` runs ``scripts/setup`` first; once everything is in place, setup finds every
step's stamp fresh and skips it. Each round times ``bash scripts/run <bench args>`` and the
same bench run directly (``.venv/bin/matmul-magic bench <bench args>``) back to back, in
alternating order, so that load on a shared machine hits both alike; the figure is the
median of the per-round differences. On a noisy machine that difference is smaller than the
bench's own spread, so the script also times ``bash scripts/setup`` alone, which is exactly
what ``scripts/run`` adds. The first, untimed call of ``scripts/run`` brings the setup up to
date.

    python benchmarks/setup_cost.py [--rounds 5] [--target-s 3] [--check]

With ``--check`` the exit status is 1 when the median difference misses the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_ARGS = ["--budget", "0.3", "--only", "torch", "--quiet"]


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--target-s", type=float, default=3.0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    venv = Path(os.environ.get("MATMUL_MAGIC_VENV", ROOT / ".venv"))
    run = ["bash", "scripts/run", *BENCH_ARGS]
    direct = [str(venv / "bin" / "matmul-magic"), "bench", *BENCH_ARGS]
    _timed(run)  # brings the setup up to date; not timed
    diffs, runs, directs = [], [], []
    for i in range(args.rounds):
        if i % 2:
            d, r = _timed(direct), _timed(run)
        else:
            r, d = _timed(run), _timed(direct)
        runs.append(r)
        directs.append(d)
        diffs.append(r - d)
        print(f"round {i + 1}: scripts/run {r:.2f} s, bench alone {d:.2f} s, added {r - d:+.2f} s")
    setup = statistics.median(_timed(["bash", "scripts/setup"]) for _ in range(args.rounds))
    added = statistics.median(diffs)
    print(f"bash scripts/setup alone, everything up to date: {setup * 1e3:.0f} ms (median)")
    print(
        f"median: scripts/run {statistics.median(runs):.2f} s, bench alone "
        f"{statistics.median(directs):.2f} s; a second scripts/run adds {added:.2f} s "
        f"(target <= {args.target_s:g} s)"
    )
    return 1 if args.check and max(added, setup) > args.target_s else 0


if __name__ == "__main__":
    sys.exit(main())
