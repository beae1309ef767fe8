"""What ``%load_ext matmul_magic`` costs in a fresh process, against the 100 ms target.

Each run starts a new interpreter, builds an ``InteractiveShell`` (not timed: every
IPython session pays that anyway) and times ``%load_ext matmul_magic`` alone, including
the imports it triggers. The median of several runs is compared with the target, and
the script says whether torch or anywidget got imported (they must not be).

By default the runs use cached bytecode, as an installed package does: one untimed
warm-up run compiles into a temporary ``PYTHONPYCACHEPREFIX`` (the repository stays
clean even where ``PYTHONDONTWRITEBYTECODE`` is set). ``--cold`` times compiling too.

    python benchmarks/load_cost.py [--runs 7] [--target-ms 100] [--cold] [--check]

With ``--check`` the exit status is 1 when the median misses the target or a heavy
module was imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "anywidget", "numpy", "ipywidgets")

ONE_RUN = f"""
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
start = time.perf_counter()
ip.run_line_magic("load_ext", "matmul_magic")
elapsed = time.perf_counter() - start
print(json.dumps({{"ms": elapsed * 1e3, "imported": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def measure_once(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", ONE_RUN],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes to time (7)")
    parser.add_argument("--target-ms", type=float, default=100.0, help="the target (100 ms)")
    parser.add_argument("--cold", action="store_true", help="no bytecode cache: time compiling")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="matmul-magic-pycache-") as cache:
        env = dict(os.environ)
        if args.cold:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            measure_once(env)  # warm-up: compiles the bytecode the timed runs use
        runs = [measure_once(env) for _ in range(args.runs)]
    times = sorted(r["ms"] for r in runs)
    median = statistics.median(times)
    imported = sorted({m for r in runs for m in r["imported"]})
    verdict = "within" if median <= args.target_ms else "OVER"
    cache_note = "no bytecode cache" if args.cold else "bytecode cached"
    runs_text = f"{args.runs} run{'s' if args.runs != 1 else ''}"
    print(f"%load_ext matmul_magic in a fresh process ({runs_text}, {cache_note})")
    print(f"  median {median:.1f} ms   min {times[0]:.1f} ms   max {times[-1]:.1f} ms")
    print(
        f"  target {args.target_ms:.0f} ms: {verdict} ({median / args.target_ms:.2f}x the target)"
    )
    print(f"  torch imported: {'yes' if 'torch' in imported else 'no'}")
    print(f"  anywidget imported: {'yes' if 'anywidget' in imported else 'no'}")
    others = ", ".join(sorted(set(imported) - {"torch", "anywidget"})) or "none"
    print(f"  other heavy modules imported: {others}")
    failed = median > args.target_ms or "torch" in imported or "anywidget" in imported
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
