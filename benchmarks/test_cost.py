"""What a failing ``test_eq`` / ``test_near`` costs against the passing check on the same data.

Targets (issue 11), for float32 tensors of 10**7 and 5*10**7 elements on the CPU:

- time: a failing check (message and diagnosis included) takes at most 3x the passing one;
- memory: it needs at most one operand's size of extra memory, beyond what the passing
  check needs, so it never makes a float64 copy of a whole float32 operand (that alone
  would be two operands' size).

Time is measured in this process, passing and failing calls alternating for ``--rounds``
rounds so that load which comes and goes hits both alike; the figure is the ratio of the
medians. The failing data differ from the passing data in every element (``b + 1``), the
worst case for the diagnosis, which looks at each differing element. Memory is the growth
of the peak resident set during one call (VmHWM, reset just before it through
``/proc/self/clear_refs``; Linux only), each call in a fresh process.

    python benchmarks/test_cost.py [--sizes 1e7 5e7] [--rounds 3] [--check]

With ``--check`` the exit status is 1 when any case misses a target.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_TARGET = 3.0
MEMORY_TARGET = 1.0  # operands
CHECKS = ("test_eq", "test_near")


def operands(n: int, failing: bool):
    import torch

    torch.manual_seed(0)
    a = torch.randn(n)
    b = a.clone()
    if failing:
        b += 1  # in place: no temporary, so the data's own peak is two operands
    return a, b


def call(check: str, a, b) -> bool:
    """Run ``check(a, b)`` with its message built; True when it passed."""
    from matmul_magic import testing

    try:
        getattr(testing, check)(a, b)
    except AssertionError as error:
        assert "differing elements" in str(error)
        return False
    return True


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Make the peak resident set (VmHWM) the current one (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError as error:  # a sandbox may forbid it: say so rather than report a wrong peak
        raise SystemExit(f"cannot reset the peak resident set here ({error})") from None


def one_memory_run(n: int, check: str, failing: bool) -> dict:
    """In this (fresh) process: the peak growth, in bytes, of one call."""
    import matmul_magic.testing  # noqa: F401  (its own import is not the check's memory)

    a, b = operands(n, failing)
    # First-use costs (lazy imports, numpy's and torch's own set-up) outside the measurement.
    call(check, a[:300_000], b[:300_000])
    reset_peak()
    before = status_kib("VmRSS")
    passed = call(check, a, b)
    assert passed != failing
    return {"extra": (status_kib("VmHWM") - before) * 1024}


def memory(n: int, check: str, failing: bool) -> int:
    done = subprocess.run(
        [sys.executable, __file__, "--memory-run", str(n), check, str(int(failing))],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["extra"]


def timings(n: int, check: str, rounds: int) -> tuple[float, float]:
    """Median seconds of the passing and the failing call, alternating."""
    a, same = operands(n, failing=False)
    differs = same + 1
    call(check, a, same)  # warm-up
    passing, failing = [], []
    for _ in range(rounds):
        for data, out in ((same, passing), (differs, failing)):
            start = time.perf_counter()
            call(check, a, data)
            out.append(time.perf_counter() - start)
    return statistics.median(passing), statistics.median(failing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e7, 5e7])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--memory-run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_run:
        n, check, failing = args.memory_run
        print(json.dumps(one_memory_run(int(n), check, failing == "1")))
        return 0

    import torch

    print(
        f"Failing vs passing checks on float32 CPU tensors, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {args.rounds} alternating rounds "
        f"(every element differs)"
    )
    missed = False
    for size in args.sizes:
        n = int(size)
        operand = 4 * n
        for check in CHECKS:
            passing, failing = timings(n, check, args.rounds)
            ratio = failing / passing
            extra_pass = memory(n, check, failing=False)
            extra_fail = memory(n, check, failing=True)
            beyond = max(extra_fail - extra_pass, 0) / operand
            ok = ratio <= TIME_TARGET and beyond <= MEMORY_TARGET
            missed |= not ok
            print(
                f"{check:<9} n={n:.0e} ({operand / 2**20:.0f} MiB per operand): "
                f"passing {passing * 1e3:.0f} ms, failing {failing * 1e3:.0f} ms, "
                f"ratio {ratio:.2f}x (target <= {TIME_TARGET:g}x); "
                f"peak memory growth: passing {extra_pass / 2**20:.0f} MiB, "
                f"failing {extra_fail / 2**20:.0f} MiB, "
                f"failing beyond passing {beyond:.2f} operand (target <= {MEMORY_TARGET:g}; "
                f"a float64 copy of an operand alone is 2): {'met' if ok else 'MISSED'}"
            )
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
