"""What a shape hint adds to a failing cell (target: under 50 ms), and what ``%%explain`` costs.

Both are measured in one real ``InteractiveShell`` with ``%load_ext matmul_magic``, timing
``run_cell`` end to end (output captured, not printed):

- hint cost: the same failing cell with hints off and on, alternating for ``--rounds``
  rounds so machine noise hits both alike; the figure is the difference of the medians.
  One case uses 4096×4096 operands to show that the hint never touches tensor data.
- ``%%explain`` overhead: the lesson's broadcast matmul cell run plainly and under
  ``%%explain``, alternating; reported as a ratio and per recorded op.

    python benchmarks/explain_cost.py [--rounds 25] [--target-ms 50] [--check]

With ``--check`` the exit status is 1 when any hint case adds more than the target.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

SETUP = """\
import torch
a = torch.randn(5, 784); b = torch.randn(784, 10); w = torch.randn(784, 10)
big = torch.randn(4096, 4096)
lin = torch.nn.Linear(784, 10); imgs = torch.randn(5, 28, 28)
"""

CASES = {
    "matmul a @ w.T": "y = a @ w.T",
    "broadcast a[0]*b": "y = (a[0] * b).sum(dim=0)",
    "einsum": "y = torch.einsum('ik,kj->ij', a, w.T)",
    "view": "y = a.view(3, -1)",
    "big 4096² @ .T[:100]": "y = big @ big.T[:100]",
    "outer axes .sum(1)": "y = (a[:, :, None] * w.T[None]).sum(1)",
    "nn.Linear on images": "y = lin(imgs)",
    "torch.cat": "y = torch.cat([a, w])",
    "view taken for .T": "y = a @ w.view(10, 784)",
    "slice on the summed axis": "y = a @ w[:5]",
    "mm with a stray None": "y = torch.mm(a, w[None])",
}

LESSON = """\
ar, ac = a.shape
br, bc = b.shape
c = torch.zeros(ar, bc)
for i in range(ar): c[i] = (a[i,:,None]*b).sum(dim=0)
d = a@b
"""


def timed(ip: InteractiveShell, cell: str) -> float:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        start = time.perf_counter()
        ip.run_cell(cell)
        return (time.perf_counter() - start) * 1e3


def hint_cost(ip: InteractiveShell, cell: str, rounds: int) -> tuple[float, float]:
    """Median ms of the failing cell with hints off and with hints on."""
    off, on = [], []
    magics = ip.magics_manager.registry["ExplainMagics"]
    for _ in range(rounds):
        magics.hints = False
        off.append(timed(ip, cell))
        magics.hints = True
        on.append(timed(ip, cell))
    return statistics.median(off), statistics.median(on)


def explain_cost(ip: InteractiveShell, rounds: int) -> tuple[float, float, int]:
    plain, traced = [], []
    for _ in range(rounds):
        plain.append(timed(ip, LESSON))
        traced.append(timed(ip, "%%explain\n" + LESSON))
    from matmul_magic import explain_code

    ops = sum(event.count for event in explain_code(LESSON, dict(ip.user_ns)).events)
    return statistics.median(plain), statistics.median(traced), ops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--target-ms", type=float, default=50.0)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_cell(SETUP)
    for cell in CASES.values():  # warm-up: imports and first-call caches are not the hint's cost
        timed(ip, cell)

    print(f"hint cost on a failing cell (median of {args.rounds} alternating rounds)")
    print(f"{'case':<26}{'hints off':>12}{'hints on':>12}{'added':>10}")
    worst = 0.0
    for name, cell in CASES.items():
        off, on = hint_cost(ip, cell, args.rounds)
        worst = max(worst, on - off)
        print(f"{name:<26}{off:>10.2f}ms{on:>10.2f}ms{on - off:>8.2f}ms")
    verdict = "meets" if worst < args.target_ms else "MISSES"
    print(f"worst added: {worst:.2f} ms ({verdict} the {args.target_ms:g} ms target)\n")

    timed(ip, "%%explain\n" + LESSON)
    plain, traced, ops = explain_cost(ip, args.rounds)
    print("%%explain on the lesson's broadcast matmul cell")
    print(f"plain run {plain:.2f} ms, under %%explain {traced:.2f} ms: ×{traced / plain:.1f}")
    print(
        f"{ops} tensor ops recorded: {(traced - plain) * 1e3 / ops:.0f} µs per op, display included"
    )
    return 1 if args.check and worst >= args.target_ms else 0


if __name__ == "__main__":
    raise SystemExit(main())
