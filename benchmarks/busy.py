"""The lesson's order on a busy machine: this engine and torch.utils.benchmark, one core kept busy.

    python benchmarks/busy.py                    # 10 runs (about 4 minutes here)
    python benchmarks/busy.py --runs 3 --json out.json

Each run, back to back: the default progression (``bench(device="cpu")``, the five course
steps at the lesson's 5×784 @ 784×10) and torch.utils.benchmark's
``adaptive_autorange(threshold=0.05)`` on the same steps and operands, first on the quiet
machine, then with another process spinning on one core the whole time (``while True:
pass``), the engine and the peer alternating. A run *tells the lesson* when its medians fall
in the course's order (loops > elementwise > broadcast > einsum > torch), and a busy
speedup *holds* when it is within 1.5× of the same run's quiet figure.

Targets (issue 20): under load the engine tells the lesson in at least 95 % of runs and every
course speedup holds; torch.utils.benchmark's figures on the same measure are printed beside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
import torch.utils.benchmark as tb  # noqa: E402
from _load import background  # noqa: E402

from matmul_magic.progression import COURSE  # noqa: E402
from matmul_magic.race.bench_operands import build_operands  # noqa: E402
from matmul_magic.race.runner import bench  # noqa: E402

STEPS = [name for name, _ in COURSE]
ORDER_TARGET, SPEEDUP_SPREAD = 0.95, 1.5


def ours() -> dict[str, float]:
    result = bench(device="cpu", only=STEPS)
    return {r.name: r.median for r in result.rows if r.median is not None}


def peers(a: torch.Tensor, b: torch.Tensor) -> dict[str, float]:
    out = {}
    for name, fn in COURSE:
        timer = tb.Timer("fn(a, b)", globals={"fn": fn, "a": a, "b": b})  # one thread: its default
        out[name] = timer.adaptive_autorange(threshold=0.05, max_run_time=2.0).median
    return out


def in_order(medians: dict[str, float]) -> bool:
    if any(n not in medians for n in STEPS):
        return False
    times = [medians[n] for n in STEPS]
    return all(x > y for x, y in zip(times, times[1:], strict=False))


def speedups(medians: dict[str, float]) -> dict[str, float]:
    return {n: medians["loops"] / medians[n] for n in STEPS[1:] if n in medians}


def held(quiet: dict[str, float], busy: dict[str, float]) -> list[bool]:
    q, b = speedups(quiet), speedups(busy)
    return [max(q[n], b[n]) / min(q[n], b[n]) <= SPEEDUP_SPREAD for n in q if n in b]


def spreads(quiet: dict[str, float], busy: dict[str, float]) -> float:
    """The worst factor between a busy speedup and the same run's quiet one."""
    q, b = speedups(quiet), speedups(busy)
    return max((max(q[n], b[n]) / min(q[n], b[n]) for n in q if n in b), default=float("inf"))


def line(label: str, medians: dict[str, float]) -> str:
    times = " ".join(f"{n} {medians[n] * 1e6:,.1f}" for n in STEPS if n in medians)
    ups = " ".join(f"{n} {s:,.0f}×" for n, s in speedups(medians).items())
    return f"  {label:28} µs: {times} | speedups: {ups}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    a, b, _ = build_operands(None, None, None, 0, torch.device("cpu"), torch.float32)
    bench(device="cpu", budget=0.1)  # warm-up: imports, numba's compile
    report: dict = {"runs": []}
    for i in range(args.runs):
        run = {"quiet": {"ours": ours(), "peer": peers(a, b)}}
        with background("busy"):
            time.sleep(0.2)  # the spinner is up before anything is timed
            run["busy"] = {"ours": ours(), "peer": peers(a, b)}
            run["load"] = os.getloadavg()[0]
        report["runs"].append(run)
        print(f"run {i + 1} (load {run['load']:.2f}):", flush=True)
        for cond in ("quiet", "busy"):
            for who, label in (("ours", "engine"), ("peer", "torch.utils.benchmark")):
                print(line(f"{label}, {cond}", run[cond][who]), flush=True)
    verdict = summary(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0 if verdict else 1


def summary(report: dict) -> bool:
    runs = report["runs"]
    ok = True
    print()
    for who, label in (("ours", "engine"), ("peer", "torch.utils.benchmark")):
        ordered = sum(in_order(r["busy"][who]) for r in runs) / len(runs)
        quiet_ordered = sum(in_order(r["quiet"][who]) for r in runs) / len(runs)
        holds = [h for r in runs for h in held(r["quiet"][who], r["busy"][who])]
        share = sum(holds) / max(len(holds), 1)
        worst = max(spreads(r["quiet"][who], r["busy"][who]) for r in runs)
        print(
            f"{label:22} busy runs in the lesson's order {ordered:.0%} "
            f"(quiet {quiet_ordered:.0%}); "
            f"busy speedups within {SPEEDUP_SPREAD}× of the quiet run's {share:.0%} "
            f"(worst {worst:.2f}×)"
        )
        report[who] = {"ordered": ordered, "quiet_ordered": quiet_ordered, "held": share,
                       "worst": worst}  # fmt: skip
        if who == "ours":
            ok = ordered >= ORDER_TARGET and share == 1.0
    print(f"target (engine): order >= {ORDER_TARGET:.0%}, every speedup held -> "
          f"{'met' if ok else 'NOT met'}")  # fmt: skip
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
