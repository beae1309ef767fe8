"""One prepared run for a lent CUDA GPU (written for an H200): a few minutes, one JSON of figures.

    python benchmarks/gpu.py                      # writes $OUT/gpu.json if $OUT is set
    python benchmarks/gpu.py --json gpu.json --skip-compile

Steps, each guarded so one failure never loses the others' figures:

1. ``env``: GPU, torch/CUDA versions, TF32 settings, which optional packages import.
2. ``progression``: the default bench on CUDA (5×784 @ 784×10, float32): every course row,
   numba.cuda and torch.compile when present; the same with an L2 flush before each call.
3. ``big_matmul``: 4096² @ 4096² in bfloat16 (and float16, float32) through ``bench``, with
   the % of the dense peak (H200 bf16: 989 TFLOP/s).
4. ``timing_check``: the same bf16 product timed four ways: our CUDA-event clock (blocks, no
   flush), our clock with L2 flush (per call), ``triton.testing.do_bench`` (or a do_bench-style
   fallback: events per call, cache flush, median) and plain wall time around a synchronised
   loop. Agreement within a few % says the event timing is right.
5. ``oom``: a variant asking for far more memory than exists becomes a failed row and the
   allocator's reserved memory is back where it was.
6. ``tf32_apis``: ``bench`` on CUDA with TF32 turned on through the legacy API
   (``allow_tf32``) and through torch >= 2.9's ``fp32_precision = "tf32"`` (which made reading
   ``allow_tf32`` raise "mix of the legacy and new APIs"): both run, say TF32 on, and the
   setting is put back afterwards.
7. ``guard``: a function that reshapes and writes into its CUDA operands is an incorrect row,
   the others are ok, and the caller's tensors are unchanged (values, shape, storage).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from matmul_magic.race import devices, timing  # noqa: E402
from matmul_magic.race.runner import bench  # noqa: E402

BIG = 4096


def _rows(result: Any) -> list[dict]:
    keep = ("name", "status", "median", "iqr", "runs", "gflops", "pct_of_peak", "speedup")
    return [
        {k: v for k, v in row.to_dict().items() if k in keep + ("error", "note", "extrapolated")}
        for row in result.rows
    ]


def step_env() -> dict:
    props = torch.cuda.get_device_properties(0)
    return {
        "device_name": torch.cuda.get_device_name(0),
        "capability": list(torch.cuda.get_device_capability(0)),
        "memory_gib": round(props.total_memory / 2**30, 1),
        "sms": props.multi_processor_count,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        # Read through devices: with the new API in use, allow_tf32 and
        # get_float32_matmul_precision() raise "mix of the legacy and new APIs".
        "tf32_matmul": devices.tf32_matmul_allowed(),
        "fp32_precision_matmul": getattr(torch.backends.cuda.matmul, "fp32_precision", None),
        "triton": importlib.util.find_spec("triton") is not None,
        "numba": importlib.util.find_spec("numba") is not None,
    }


def step_progression(skip_compile: bool, device: str = "cuda") -> dict:
    out = {}
    only = None
    if skip_compile:
        only = ["loops", "elementwise", "broadcast", "einsum", "torch", "numba_cuda"]
    for flush in (False, True):
        t0 = time.perf_counter()
        only_here = only if device == "cuda" else only and only[:5]
        result = bench(device=device, budget=3.0, l2_flush=flush, only=only_here)
        out["l2_flush" if flush else "plain"] = {
            "wall": time.perf_counter() - t0,
            "environment": result.environment.to_dict(),
            "operands": result.operands,
            "rows": _rows(result),
        }
    return out


def step_big_matmul(device: str = "cuda", size: int = BIG) -> dict:
    out = {}
    for dtype in ("bfloat16", "float16", "float32"):
        result = bench(
            device=device, dtype=dtype, shape=f"{size}x{size}x{size}", only=["torch"], budget=2.0
        )
        row = result.rows[0]
        out[dtype] = {
            "median_s": row.median,
            "iqr_s": row.iqr,
            "tflops": row.gflops / 1e3 if row.gflops else None,
            "pct_of_peak": row.pct_of_peak,
            "peak_tflops": (result.environment.peak_gflops or 0) / 1e3 or None,
            "tf32": result.environment.tf32,
            "status": row.status,
            "error": row.error,
        }
    return out


def _do_bench_style(fn, reps: int = 50) -> float:
    """Events around each call, 256 MiB cache flush before it, median (seconds)."""
    cache = torch.empty(timing.L2_FLUSH_BYTES // 4, dtype=torch.int32, device="cuda")
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    for s, e in zip(starts, ends, strict=True):
        cache.zero_()
        s.record()
        fn()
        e.record()
    torch.cuda.synchronize()
    return statistics.median(s.elapsed_time(e) for s, e in zip(starts, ends, strict=True)) / 1e3


def step_timing_check() -> dict:
    a = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    fn = torch.matmul
    flops = 2 * BIG**3
    out: dict[str, Any] = {}
    for flush in (False, True):
        row = bench(fn, a=a, b=b, course=False, l2_flush=flush, budget=2.0).rows[0]
        out["ours_flush" if flush else "ours"] = {
            "median_s": row.median,
            "iqr_s": row.iqr,
            "blocks": row.blocks,
            "calls": row.runs,
            "tflops": flops / row.median / 1e12 if row.median else None,
            "note": row.note,
        }
    try:
        from triton.testing import do_bench

        try:
            ms = do_bench(lambda: fn(a, b), return_mode="median")
        except TypeError:  # older triton: no return_mode
            ms = do_bench(lambda: fn(a, b))
        out["triton_do_bench"] = {"median_s": ms / 1e3, "tflops": flops / (ms / 1e3) / 1e12}
    except Exception as exc:  # triton missing or failing: the do_bench-style fallback
        out["triton_do_bench"] = {"error": f"{type(exc).__name__}: {exc}"}
    s = _do_bench_style(lambda: fn(a, b))
    out["do_bench_style"] = {"median_s": s, "tflops": flops / s / 1e12}
    torch.cuda.synchronize()
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        fn(a, b)
    torch.cuda.synchronize()
    wall = (time.perf_counter() - t0) / n
    out["wall_synchronised"] = {"median_s": wall, "tflops": flops / wall / 1e12}
    ref = out["ours"]["median_s"]
    out["ratios_to_ours"] = {
        k: v["median_s"] / ref for k, v in out.items() if isinstance(v, dict) and "median_s" in v
    }
    return out


def step_oom(device: str = "cuda") -> dict:
    cuda = device == "cuda"
    if cuda:
        torch.cuda.empty_cache()
    before = torch.cuda.memory_reserved() if cuda else None

    def greedy(a, b):
        hog = torch.empty(2**31, 2**20, dtype=torch.uint8, device=a.device)  # 2 PiB
        return hog

    result = bench(greedy, course=False, device=device, budget=0.5)
    row = result.rows[0]
    return {
        "status": row.status,
        "error": row.error,
        "reserved_before": before,
        "reserved_after": torch.cuda.memory_reserved() if cuda else None,
    }


def step_tf32_apis(device: str = "cuda") -> dict:
    """``bench`` with TF32 on through each API this torch has; the setting put back after."""
    matmul = torch.backends.cuda.matmul
    ways = {"legacy allow_tf32": lambda on: setattr(matmul, "allow_tf32", on)}
    if hasattr(matmul, "fp32_precision"):  # torch >= 2.9
        ways["fp32_precision"] = lambda on: setattr(
            matmul, "fp32_precision", "tf32" if on else "ieee"
        )
    out = {}
    for name, turn in ways.items():
        turn(True)
        try:
            result = bench(device=device, only=["torch"], budget=0.5)
            out[name] = {
                "tf32_reported": result.environment.tf32,
                "rows": _rows(result),
                "still_on_after": devices.tf32_matmul_allowed(),
            }
        except Exception as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            turn(False)
    return out


def step_guard(device: str = "cuda") -> dict:
    """A function that reshapes and writes into its inputs harms no row but its own."""
    a = torch.randn(64, 128, device=device)
    b = torch.randn(128, 32, device=device)
    before = [(t.shape, t.stride(), t.data_ptr(), t.clone()) for t in (a, b)]

    def hostile(a, b):
        a.unsqueeze_(-1)
        b.add_(1)
        return a.squeeze(-1) @ b

    def mine(a, b):
        return a @ b

    result = bench(hostile, mine, a=a, b=b, course=False, budget=0.5)
    intact = all(
        (t.shape, t.stride(), t.data_ptr()) == was[:3] and torch.equal(t, was[3])
        for t, was in zip((a, b), before, strict=True)
    )
    return {"rows": _rows(result), "callers_tensors_intact": intact}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ["OUT"]) / "gpu.json" if os.environ.get("OUT") else None
    parser.add_argument("--json", type=Path, default=default or Path("gpu.json"))
    parser.add_argument("--skip-compile", action="store_true", help="leave torch.compile out")
    parser.add_argument(
        "--smoke", action="store_true", help="check this script on the CPU (small, no GPU steps)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        steps = [
            ("progression", lambda: step_progression(True, "cpu")),
            ("big_matmul", lambda: step_big_matmul("cpu", 128)),
            ("oom", lambda: step_oom("cpu")),
            ("guard", lambda: step_guard("cpu")),
        ]
        return run_steps(steps, args.json)
    if not torch.cuda.is_available():
        print("no CUDA GPU here: nothing to do (try --smoke)", file=sys.stderr)
        return 2

    steps = [
        ("env", step_env),
        ("progression", lambda: step_progression(args.skip_compile)),
        ("big_matmul", step_big_matmul),
        ("timing_check", step_timing_check),
        ("oom", step_oom),
        ("tf32_apis", step_tf32_apis),
        ("guard", step_guard),
    ]
    return run_steps(steps, args.json)


def run_steps(steps: list, path: Path) -> int:
    figures: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name, step in steps:
        t0 = time.perf_counter()
        try:
            figures[name] = step()
        except Exception as exc:
            figures[name] = {
                "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(),
            }
        figures.setdefault("seconds", {})[name] = round(time.perf_counter() - t0, 2)
        print(f"[{name}] {time.perf_counter() - t0:.1f} s")
        print(json.dumps(figures[name], indent=1, default=str)[:3000], flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2, default=str))  # after every step
    big = figures.get("big_matmul", {}).get("bfloat16", {})
    if big.get("pct_of_peak") is not None:
        print(f"\n4096² bf16 @: {big['tflops']:.0f} TFLOP/s = {big['pct_of_peak']:.1f}% of peak")
    print(f"figures: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
