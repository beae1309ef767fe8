"""Render docs/bench-schema.md from matmul_magic/bench_result/schema.json, its one source.

    python docs/generate_bench_schema.py          # rewrites docs/bench-schema.md

Every field's path, type, nullability and meaning come from the schema; the prose around the
tables (who renders what, conventions, progress) lives in this file's template, and the example
is the committed fixture tests/fixtures/bench/course_cpu.json, abridged to one row.
``tests/test_bench_contract.py`` fails when the committed file differs from what this renders.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bench-schema.md"
EXAMPLE = ROOT / "tests" / "fixtures" / "bench" / "course_cpu.json"
sys.path.insert(0, str(ROOT))

from matmul_magic.bench_result.contract import MIME_TYPE, SCHEMA  # noqa: E402
from matmul_magic.bench_result.result import PHASES  # noqa: E402

UNITS = {"seconds": "seconds", "nonneg": "number ≥ 0", "shape": "shape"}
"""How a field that refers to one of these ``$defs`` reads in the type column."""

BOUNDS = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}

INTRO = f"""\
<!-- Generated from matmul_magic/bench_result/schema.json by docs/generate_bench_schema.py: \
edit those, not this file. -->
# The bench payload: `{MIME_TYPE}`

`bench(...)` returns a `BenchResult` (`matmul_magic/bench_result/result.py`). In a notebook it
displays itself as a MIME bundle with three representations of the same rows:

| MIME type | who renders it |
|---|---|
| `{MIME_TYPE}` | the JupyterLab extension (interactive) |
| `text/html` | VS Code, Colab, GitHub, nbviewer, exported HTML: a table, SVG charts, no scripts |
| `text/plain` | terminal IPython, logs, the CLI |

The JSON payload is `BenchResult.to_dict()`. Its JSON Schema (draft 2020-12),
`matmul_magic/bench_result/schema.json`, is the contract's one written form: the Python classes
are held to it by a test, the labextension's types are generated from it, and
this page is rendered from it. `BenchResult.from_dict(payload)` rebuilds the object after
checking the payload against the schema (with the `jsonschema` package).

{SCHEMA["description"]}

## Conventions

- **Units.** Every time is in **seconds**. Throughput is in **GFLOP/s** (10⁹ floating-point
  operations per second). `pct_of_peak` is a **percentage** (0–100).
- **`null`** means "not measured" or "does not apply". Non-finite numbers (NaN, ∞) are written
  as `null`, since JSON has none.
- **Every field is always present** (no optional keys), so a renderer never tests for
  `undefined`; objects allow no other keys.
- **User text is text.** Fields marked so can hold anything a user wrote (a function's
  `__name__`, an exception message). Render them with `textContent`, escape them in HTML.
- **Versioning.** See `version` below. The MIME type never changes; the version does.
"""

PROGRESS = f"""\
## Progress (Python only)

While `bench(..., on_progress=callback)` runs, the runner calls `callback(BenchProgress)` with
`planned` (all names in run order), `rows` (finished rows), `current` (the name now running or
`None`), `phase` ({", ".join(f"`{p}`" for p in PHASES)}), `size` (sweep size), `elapsed` and
`budget` in seconds. Variants are checked one by one (`phase` `check`, `current` the name),
then timed together in interleaved rounds (`phase` `time` or `sweep`, `current` `None`, `rows`
every row's figures so far). The magic shows it in a display that updates and is replaced by
the final result. Progress never travels as JSON, so it is not part of the schema.
"""


def resolve(schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``schema`` with its ``$ref`` followed, and the name of the ``$defs`` it referred to."""
    ref = schema.get("$ref")
    if ref is None:
        return schema, None
    name = ref.removeprefix("#/$defs/")
    return {**SCHEMA["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}, name


def type_words(schema: dict[str, Any]) -> str:
    """The type column: what a value is, with its constraints, but not whether it may be null."""
    schema, ref = resolve(schema)
    if ref == "shape" or ref in ("row", "point", "environment"):
        return {"shape": "shape", "row": "row", "point": "sweep point"}.get(ref, "object")
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    kinds = [t for t in _types(schema) if t != "null"]
    words = UNITS.get(ref or "", " or ".join(kinds))
    if "array" in kinds:
        words = f"array of {type_words(schema.get('items', {}))}"
    constraints = [f"{sign} {schema[key]}" for key, sign in BOUNDS.items() if key in schema]
    if ref is None or ref not in UNITS:
        words += "".join(f" {c}" for c in constraints[:1]) + "".join(
            f" and {c}" for c in constraints[1:]
        )
    if schema.get("minLength"):
        words = f"non-empty {words}"
    if schema.get("minItems"):
        words += f", at least {schema['minItems']}"
    if "pattern" in schema:
        words += f" matching `{schema['pattern']}`"
    return words


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def rows_for(obj: dict[str, Any], prefix: str) -> list[str]:
    """One table line per field of ``obj``; a nested object without its own section inlines."""
    lines = []
    for key, prop in obj["properties"].items():
        schema, ref = resolve(prop)
        path = f"{prefix}{key}"
        nullable = "yes" if "null" in _types(schema) else "no"
        description = " ".join(prop.get("description", schema.get("description", "")).split())
        if ref in ("environment",):
            description += " See [`environment`](#environment)."
        cells = [f"`{path}`", type_words(prop), nullable, description]
        # A | inside a cell, even in code, would end it: GitHub's tables want it escaped.
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        if "properties" in schema and ref is None:
            lines += rows_for(schema, f"{path}.")
    return lines


def table(title: str, obj: dict[str, Any], prefix: str, anchor_note: str = "") -> str:
    head = [f"## {title}", ""]
    if obj.get("description") and obj is not SCHEMA:
        head += [" ".join(obj["description"].split()), ""]
    if anchor_note:
        head += [anchor_note, ""]
    head += ["| field | type | null? | meaning |", "|---|---|---|---|"]
    return "\n".join(head + rows_for(obj, prefix)) + "\n"


def rules(obj: dict[str, Any]) -> str:
    lines = ["The schema holds every row to these rules:", ""]
    lines += [f"- {rule['description']}" for rule in obj.get("allOf", [])]
    return "\n".join(lines) + "\n"


def example() -> str:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    payload["rows"] = payload["rows"][-1:]
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    # Arrays of plain values on one line: [5, 784], not four lines.
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: f"[{' '.join(m[1].split())}]", text)
    return (
        "## Example\n\n"
        f"`{EXAMPLE.relative_to(ROOT)}`, abridged to its last row:\n\n"
        f"```json\n{text}\n```\n"
    )


def render() -> str:
    defs = SCHEMA["$defs"]
    parts = [
        INTRO,
        table("Top level", SCHEMA, ""),
        table("`environment`", defs["environment"], "environment."),
        table("Row", defs["row"], "rows[]."),
        rules(defs["row"]),
        table("Sweep point", defs["point"], "rows[].points[]."),
        PROGRESS,
        example(),
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
