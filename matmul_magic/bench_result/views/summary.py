"""The sentences around the bench table: headline, run conditions, legends and notes.

Shared by the HTML and text views; each takes the payload dict (``BenchResult.to_dict()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .format import (
    RULES,
    format_number,
    format_percent,
    format_precision,
    format_shape,
    format_time,
)

Payload = Mapping[str, Any]

_BUSY = "the machine may be busy"


def legends(payload: Payload) -> list[str]:
    """The legends under the table, each where a row needs it."""
    rows, text = payload["rows"], RULES["legends"]
    out = [text["extrapolated"]] if any(r.get("extrapolated") for r in rows) else []
    out += [text["unreliable"]] if any(r.get("unreliable") for r in rows) else []
    return out + ([text["interval"], text["calls"]] if rows else [])


def plain(text: str) -> str:
    """User text on one line: control characters would break a text table's alignment."""
    return "".join(ch if ch.isprintable() else "�" for ch in text.replace("\n", "↵"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def headline(payload: Payload) -> str:
    shapes = payload["shapes"]
    return (
        f"matmul bench on {payload['device']} ({payload['dtype']}): "
        f"a {format_shape(shapes['a'])} @ b {format_shape(shapes['b'])}, "
        f"operands {payload['operands']}"
    )


def _environment(env: Mapping[str, Any]) -> list[str]:
    parts = []
    if env.get("device_name"):
        parts.append(env["device_name"])
    if env.get("torch"):
        parts.append(f"torch {env['torch']}")
    if env.get("threads") is not None:
        parts.append(_plural(env["threads"], "thread"))
    if env.get("tf32") is not None:
        parts.append(f"TF32 {'on' if env['tf32'] else 'off'}")
    if env.get("stream"):
        parts.append(f"stream {env['stream']}")
    if env.get("timer"):
        parts.append(f"timer {env['timer']}")
    if env.get("l2_flush") is not None:
        parts.append(f"L2 flush {'on' if env['l2_flush'] else 'off'}")
    if env.get("peak_gflops") is not None:
        parts.append(f"peak {format_number(env['peak_gflops'])} GFLOP/s")
    return parts


def conditions(payload: Payload) -> str:
    """Where and how the numbers were taken, ``·``-separated."""
    parts = _environment(payload.get("environment") or {})
    if payload.get("budget") is not None:
        parts.append(f"budget {format_time(payload['budget'])}")
    if payload.get("elapsed") is not None:
        parts.append(f"took {format_time(payload['elapsed'])}")
    parts.append(f"target: each median known to ±{format_percent(100 * payload['threshold'])}")
    # JIT compiles, lazy set-up: ``one-off first-call costs, not counted: numba 1.20 s``
    costs = [
        f"{r['name']} {format_time(r['one_off'])}"
        for r in payload["rows"]
        if r.get("one_off") is not None
    ]
    if costs:
        parts.append("one-off first-call costs, not counted: " + ", ".join(costs))
    return " · ".join(parts)


def interrupted_text(payload: Payload) -> str:
    n = len(payload["rows"])
    return f"INTERRUPTED: showing the {_plural(n, 'row')} finished before the interrupt"


def sweep_caption(payload: Payload) -> str:
    sizes = payload["sweep"]["sizes"]
    return (
        f"sweep over {_plural(len(sizes), 'size')} ({sizes[0]} to {sizes[-1]}); "
        "exponent = slope of log time vs log size"
    )


def warnings(payload: Payload) -> list[tuple[str, str]]:
    """Warnings that apply to several rows, each said once: ``("noisy rows", "a, b (±12% …)")``."""
    out = []
    rows = payload["rows"]
    noisy = [r for r in rows if r.get("noisy")]
    if noisy:
        spreads = [
            format_precision(r.get("median"), r.get("median_low"), r.get("median_high")).strip()
            or "±?"
            for r in noisy
        ]
        target = format_percent(100 * payload["threshold"])
        names = ", ".join(r["name"] for r in noisy)
        out.append((
            "noisy rows",
            f"{names} (median known to {', '.join(spreads)}; target ±{target}): {_BUSY}",
        ))  # fmt: skip
    stalled = [r for r in rows if r.get("stalls")]
    if stalled:
        counts = ", ".join(f"{r['name']} {r['stalls']}" for r in stalled)
        out.append(("stalls", f"blocks over 10× the median: {counts}; the machine was busy"))
    return out


def footnotes(payload: Payload) -> list[tuple[str, str]]:
    """``(row name, text)`` for every error and note, in row order, then the shared warnings."""
    notes = []
    for row in payload["rows"]:
        if row.get("error") is not None:
            notes.append((row["name"], f"error: {row['error']}"))
        if row.get("note") is not None:
            notes.append((row["name"], row["note"]))
    return notes + warnings(payload)
