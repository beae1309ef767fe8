"""The bench contract end to end: what the engine writes validates against schema.json, and
the documentation is the schema's own rendering."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import jsonschema
import pytest
import torch

from matmul_magic.bench_result.contract import MIME_TYPE, SCHEMA, validate_payload
from matmul_magic.race import devices
from matmul_magic.race.runner import bench

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CPU = torch.device("cpu")


@pytest.mark.parametrize("bad", ["-1", "0", "abc", "inf", "nan", "-inf", "1e400"])
def test_a_bad_peak_override_is_refused_by_name(monkeypatch, bad):
    monkeypatch.setenv("MATMUL_MAGIC_PEAK_GFLOPS", bad)
    with pytest.raises(ValueError, match=r"MATMUL_MAGIC_PEAK_GFLOPS .* positive number"):
        devices.peak_gflops(CPU, torch.float32)
    with pytest.raises(ValueError, match="MATMUL_MAGIC_PEAK_GFLOPS"):
        bench(only=["torch"], shape=(2, 3, 2), budget=0.02)


def test_a_good_peak_override_reaches_a_payload_that_validates(monkeypatch):
    monkeypatch.setenv("MATMUL_MAGIC_PEAK_GFLOPS", " 250.5 ")
    assert devices.peak_gflops(CPU, torch.float32) == 250.5
    # (0.3 s, not 0.02: run beside other tests, the row once had no median at 0.02 s, so no
    # percentage of the peak to compare)
    result = bench(only=["torch"], shape=(2, 3, 2), budget=0.3)
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    VALIDATOR.validate(payload)
    assert payload["environment"]["peak_gflops"] == 250.5
    assert math.isclose(payload["rows"][0]["pct_of_peak"], payload["rows"][0]["gflops"] / 2.505)


def test_an_empty_peak_override_means_none(monkeypatch):
    monkeypatch.setenv("MATMUL_MAGIC_PEAK_GFLOPS", "")
    assert devices.peak_gflops(CPU, torch.float32) is None


def test_the_mime_type_is_the_schemas():
    assert MIME_TYPE == SCHEMA["mimeType"] == "application/vnd.matmul-magic.bench+json"


def test_a_row_read_back_names_the_status_rule_it_breaks():
    from matmul_magic.bench_result.result import BenchRow

    payload = json.loads((ROOT / "tests" / "fixtures" / "bench" / "course_cpu.json").read_text())
    row = dict(payload["rows"][0], status="failed")  # but its error is null
    validate_payload(row, "row")  # the schema leaves the rule to BenchRow.status, its one home
    with pytest.raises(ValueError, match=r"row\.status: the payload says 'failed'"):
        BenchRow.from_dict(row)
    validate_payload(payload["rows"][0], "row")


def _doc_generator():
    spec = importlib.util.spec_from_file_location(
        "generate_bench_schema", ROOT / "docs" / "generate_bench_schema.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_schema_doc_is_rendered_from_the_schema():
    generator = _doc_generator()
    committed = (ROOT / "docs" / "bench-schema.md").read_text(encoding="utf-8")
    assert committed == generator.render(), (
        "docs/bench-schema.md is out of date with schema.json; "
        "regenerate it: python docs/generate_bench_schema.py"
    )


def test_the_schema_doc_has_a_line_per_field():
    text = (ROOT / "docs" / "bench-schema.md").read_text(encoding="utf-8")
    defs = SCHEMA["$defs"]
    for prefix, obj in [
        ("", SCHEMA),
        ("environment.", defs["environment"]),
        ("rows[].", defs["row"]),
        ("rows[].points[].", defs["point"]),
    ]:
        for key, prop in obj["properties"].items():
            assert f"| `{prefix}{key}` |" in text
            assert prop.get("description") or "$ref" in prop, f"{prefix}{key} needs a description"
