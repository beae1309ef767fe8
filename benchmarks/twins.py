"""Twins: race identical functions together and count how often their figures agree.

    python benchmarks/twins.py                     # pulsing load (0.2 s busy / 0.3 s idle)
    python benchmarks/twins.py --load none         # a quiet machine
    python benchmarks/twins.py --repeats 12 --json out.json

Two pairs of twins (a fast pair: einsum; a slower pair: the lesson's broadcast step) race in
one ``bench()`` call, in the argument order fast A, slow A, fast B, slow B, ``--repeats``
times. A pair *agrees* when its two medians are within 5 %. Beside it, torch.utils.benchmark
times the same four functions one after another under the same load (``blocked_autorange``,
one thread: its default, and the engine's), as a user would without an interleaving bench.

Targets (issue 20): under each load (``pulse``, ``busy``; ``none`` for a quiet machine) at
least 95 % of twin pairs within 5 %, and the worst pair within 1.15×.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
import torch.utils.benchmark as tb  # noqa: E402
from _load import KINDS, background  # noqa: E402

from matmul_magic.race.bench_operands import build_operands  # noqa: E402
from matmul_magic.race.runner import bench  # noqa: E402


def fast_a(a, b):
    return torch.einsum("ik,kj->ij", a, b)


def fast_b(a, b):
    return torch.einsum("ik,kj->ij", a, b)


def slow_a(a, b):
    c = torch.zeros(a.shape[0], b.shape[1])
    for i in range(a.shape[0]):
        c[i] = (a[i, :, None] * b).sum(dim=0)
    return c


def slow_b(a, b):
    c = torch.zeros(a.shape[0], b.shape[1])
    for i in range(a.shape[0]):
        c[i] = (a[i, :, None] * b).sum(dim=0)
    return c


PAIRS = (("fast", "fast_a", "fast_b"), ("slow", "slow_a", "slow_b"))


def ratio(x: float, y: float) -> float:
    return max(x, y) / min(x, y)


def engine_round(budget: float) -> dict[str, float]:
    result = bench(fast_a, slow_a, fast_b, slow_b, course=False, device="cpu", budget=budget)
    return {r.name: r.median for r in result.rows}


def torch_round(a: torch.Tensor, b: torch.Tensor) -> dict[str, float]:
    out = {}
    for fn in (fast_a, slow_a, fast_b, slow_b):
        timer = tb.Timer("fn(a, b)", globals={"fn": fn, "a": a, "b": b})
        out[fn.__name__] = timer.blocked_autorange(min_run_time=0.1).median
    return out


def agreement(rounds: list[dict[str, float]], tolerance: float) -> tuple[float, float, list]:
    ratios = [ratio(r[x], r[y]) for r in rounds for _, x, y in PAIRS]
    within = sum(1 for q in ratios if q <= 1 + tolerance) / len(ratios)
    return within, max(ratios), ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", choices=KINDS, default="pulse")
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--budget", type=float, default=1.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    tolerance, target, worst_target = 0.05, 0.95, 1.15
    a, b, _ = build_operands(None, None, None, 0, torch.device("cpu"), torch.float32)
    bench(fast_a, course=False, budget=0.05)  # warm-up: imports, first-call costs
    engine, peer = [], []
    with background(args.load):
        for i in range(args.repeats):
            engine.append(engine_round(args.budget))
            peer.append(torch_round(a, b))
            e, p = engine[-1], peer[-1]
            print(
                f"round {i + 1}: engine fast {ratio(e['fast_a'], e['fast_b']):.3f}×, "
                f"slow {ratio(e['slow_a'], e['slow_b']):.3f}× | torch.utils.benchmark fast "
                f"{ratio(p['fast_a'], p['fast_b']):.3f}×, "
                f"slow {ratio(p['slow_a'], p['slow_b']):.3f}×",
                flush=True,
            )
    e_within, e_worst, e_ratios = agreement(engine, tolerance)
    p_within, p_worst, p_ratios = agreement(peer, tolerance)
    print(f"\nload: {args.load}; {len(e_ratios)} twin pairs; agreement = within {tolerance:.0%}")
    print(f"  engine (interleaved):          {e_within:.0%} agree, worst pair {e_worst:.2f}×")
    print(f"  torch.utils.benchmark (serial): {p_within:.0%} agree, worst pair {p_worst:.2f}×")
    ok = e_within >= target and e_worst <= worst_target
    print(
        f"  target: >= {target:.0%} within {tolerance:.0%}, worst <= {worst_target}× -> "
        f"{'met' if ok else 'NOT met'}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"load": args.load, "tolerance": tolerance, "engine": engine, "torch": peer,
                 "engine_within": e_within, "torch_within": p_within},
                indent=1,
            )
        )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
