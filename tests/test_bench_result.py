"""The bench contract: dataclasses <-> JSON payload <-> schema.json, on the committed fixtures."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path

import jsonschema
import pytest

from matmul_magic.bench_result.result import (
    MIME_TYPE,
    SCHEMA_VERSION,
    BenchEnvironment,
    BenchProgress,
    BenchResult,
    BenchRow,
    SweepPoint,
    fit_exponent,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "matmul_magic" / "bench_result" / "schema.json").read_text())
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "bench").glob("*.json"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def load(name: str) -> dict:
    return json.loads((ROOT / "tests" / "fixtures" / "bench" / name).read_text())


def test_schema_is_valid_draft_2020_12_and_pins_the_version():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["properties"]["version"]["const"] == SCHEMA_VERSION
    assert MIME_TYPE == "application/vnd.matmul-magic.bench+json"


def test_fixtures_cover_the_cases_the_renderers_must_handle():
    names = {p.name for p in FIXTURES}
    assert {"course_cpu.json", "faults_cpu.json", "sweep_cpu.json"} <= names
    statuses = {r["status"] for p in FIXTURES for r in json.loads(p.read_text())["rows"]}
    assert statuses == {"ok", "incorrect", "failed", "skipped"}
    faults = load("faults_cpu.json")
    assert any(r["extrapolated"] for r in faults["rows"])
    assert any("<img" in r["name"] for r in faults["rows"])
    sweep = load("sweep_cpu.json")
    assert sum(len(r["points"]) for r in sweep["rows"]) == 500


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_validates_and_round_trips(path):
    payload = json.loads(path.read_text())
    VALIDATOR.validate(payload)
    result = BenchResult.from_dict(payload)
    again = result.to_dict()
    assert again == payload
    assert json.dumps(again) == json.dumps(payload)  # byte for byte: key order too
    VALIDATOR.validate(json.loads(json.dumps(again)))


def test_course_fixture_is_the_lesson():
    result = BenchResult.from_dict(load("course_cpu.json"))
    assert [r.name for r in result.rows] == ["loops", "elementwise", "broadcast", "einsum", "torch"]
    assert result.shapes == {"a": (5, 784), "b": (784, 10)}
    assert result.mkn == (5, 784, 10)
    assert result.flops == 2 * 5 * 784 * 10
    torch_row = result["torch"]
    assert torch_row.speedup == pytest.approx(result["loops"].median / torch_row.median)
    assert torch_row.gflops == pytest.approx(result.flops / torch_row.median / 1e9)


def test_status_is_derived_from_the_fields():
    assert BenchRow("a", median=1.0, correct=True).status == "ok"
    assert BenchRow("a", median=1.0, correct=False).status == "incorrect"
    assert BenchRow("a", correct=False, max_abs_err=2.0).status == "incorrect"
    assert BenchRow("a", error="ValueError: x").status == "failed"
    assert BenchRow("a", median=1.0, error="boom").status == "failed"
    assert BenchRow("a", note="numba missing").status == "skipped"


def test_every_status_validates_against_the_schema():
    rows = [
        BenchRow("ok", median=1e-3, runs=5, correct=True),
        BenchRow("bad", correct=False, max_abs_err=1.0),
        BenchRow("boom", error="RuntimeError"),
        BenchRow("gone", kind="optional", note="not installed"),
    ]
    result = BenchResult(
        rows=rows, device="cpu", dtype="float32", shapes={"a": (2, 3), "b": (3, 4)}
    )
    VALIDATOR.validate(result.to_dict())


def test_from_dict_rejects_inconsistent_status():
    # The status rule is written once, as BenchRow.status; from_dict holds a payload to it.
    payload = load("course_cpu.json")
    payload["rows"][0]["status"] = "failed"  # but error is null
    with pytest.raises(ValueError, match=r"row\.status: the payload says 'failed', .* give 'ok'"):
        BenchResult.from_dict(payload)


def test_non_finite_numbers_travel_as_null():
    row = BenchRow("t", median=0.0, speedup=math.inf, gflops=math.nan, runs=1, correct=True)
    data = row.to_dict()
    assert data["speedup"] is None and data["gflops"] is None
    json.dumps(data, allow_nan=False)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=1),
        lambda d: d.update(threshold=1.5),
        lambda d: d["rows"][0].update(stalls=-1),
        lambda d: d["rows"][0].update(noisy="no"),
        lambda d: d.pop("rows"),
        lambda d: d.update(extra=1),
        lambda d: d["rows"][0].update(runs="3"),
        lambda d: d["rows"][0].update(extrapolated=1),
        lambda d: d["rows"][0].update(kind="mine"),
        lambda d: d["rows"][0].update(colour="red"),
        lambda d: d.update(operands="somewhere"),
        lambda d: d["shapes"].update(a="5x784"),
        lambda d: d["environment"].update(threads=True),
    ],
)
def test_from_dict_rejects_what_the_schema_rejects(mutate):
    payload = copy.deepcopy(load("course_cpu.json"))
    mutate(payload)
    assert not VALIDATOR.is_valid(payload)
    with pytest.raises(ValueError, match=r"not a valid bench payload:\n  \$"):
        BenchResult.from_dict(payload)


@pytest.mark.parametrize(
    "mutate, where",
    # Payloads the hand-written from_dict used to accept though the schema rejects them.
    [
        (lambda d: d.update(sweep={"sizes": ["a"]}), r"\$\.sweep\.sizes\[0\]"),
        (lambda d: d.update(sweep={"sizes": []}), r"\$\.sweep\.sizes"),
        (lambda d: d["rows"][1].update(median=-1.0), r"\$\.rows\[1\]\.median"),
        (lambda d: d["rows"][1].update(speedup=-2.0), r"\$\.rows\[1\]\.speedup"),
        (lambda d: d["rows"][0].update(name=""), r"\$\.rows\[0\]\.name"),
        (lambda d: d.update(device=""), r"\$\.device"),
        (lambda d: d.update(budget=-1), r"\$\.budget"),
        (lambda d: d["environment"].update(threads=0), r"\$\.environment\.threads"),
        (lambda d: d["environment"].update(peak_gflops=-1.0), r"\$\.environment\.peak_gflops"),
        (lambda d: d["shapes"].update(a=[]), r"\$\.shapes\.a"),
        (lambda d: d["shapes"].update(c=[1]), r"\$\.shapes"),
        (lambda d: d["rows"][0].update(points=[{"size": 0}]), r"\$\.rows\[0\]\.points\[0\]"),
    ],
)
def test_from_dict_rejects_payloads_it_once_let_through(mutate, where):
    payload = copy.deepcopy(load("course_cpu.json"))
    mutate(payload)
    assert not VALIDATOR.is_valid(payload)
    with pytest.raises(ValueError, match=where):
        BenchResult.from_dict(payload)


@pytest.mark.parametrize(
    "status, fields",
    [
        ("failed", {}),
        ("incorrect", {"correct": True}),
        ("skipped", {}),
        ("ok", {"median": None}),
        ("ok", {"correct": False}),
    ],
)
def test_from_dict_holds_every_status_to_the_rule(status, fields):
    payload = load("course_cpu.json")
    payload["rows"][0].update(status=status, **fields)
    with pytest.raises(ValueError, match=r"row\.status: the payload says"):
        BenchResult.from_dict(payload)


def test_from_dict_checks_the_fields_it_computes():
    # flops=1 is well-formed JSON for the schema; only the shapes say it is wrong.
    payload = load("course_cpu.json")
    payload["flops"] = 1
    assert VALIDATOR.is_valid(payload)
    with pytest.raises(ValueError, match=r"bench\.flops: the payload says 1, .* give 78400"):
        BenchResult.from_dict(payload)


def test_from_dict_rejects_a_non_object():
    with pytest.raises(ValueError, match="is not of type 'object'"):
        BenchResult.from_dict([1, 2])  # type: ignore[arg-type]


_PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_CLASS_OF = {"#/$defs/point": "SweepPoint", "#/$defs/row": "BenchRow"}
_CLASS_OF["#/$defs/environment"] = "BenchEnvironment"


def _annotation(prop: dict) -> str:
    """The annotation a field of this schema property must be written with."""
    if prop.get("$ref") in _CLASS_OF:
        return _CLASS_OF[prop["$ref"]]
    if "$ref" in prop:
        prop = {**SCHEMA["$defs"][prop["$ref"].split("/")[-1]], **prop}
        del prop["$ref"]
    if "enum" in prop:
        return "Literal[" + ", ".join(repr(v) for v in prop["enum"]) + "]"
    types = [prop["type"]] if isinstance(prop["type"], str) else prop["type"]
    if types == ["array"]:
        item = prop["items"]
        inner = _CLASS_OF.get(item.get("$ref"), _PYTHON_TYPES.get(item.get("type"), "?"))
        return f"tuple[{inner}, ...]"
    plain = [_PYTHON_TYPES[t] for t in types if t != "null"]
    return " | ".join(plain + (["None"] if "null" in types else []))


# Where Python holds a payload field in another form than JSON's, and why.
_PYTHON_FORMS = {
    (BenchResult, "shapes"): "dict[str, tuple[int, ...]]",  # the two shapes, as tuples
    (BenchResult, "rows"): "list[BenchRow]",  # the runner appends rows as they finish
}


def test_the_classes_are_the_schemas_objects_field_by_field():
    """Each class is its schema object written out: the same fields in the same order, the
    same types, required where the schema gives no default and defaulted to the schema's
    default otherwise; plus what it computes (a property) and, for the result,
    ``sweep_sizes`` standing for ``sweep``."""
    pairs = [
        (BenchResult, SCHEMA, {"version", "flops", "sweep"}, {"sweep_sizes"}),
        (BenchRow, SCHEMA["$defs"]["row"], {"status"}, set()),
        (SweepPoint, SCHEMA["$defs"]["point"], set(), set()),
        (BenchEnvironment, SCHEMA["$defs"]["environment"], set(), set()),
    ]
    for cls, schema, computed, python_only in pairs:
        fields = [f for f in dataclasses.fields(cls) if f.name not in python_only]
        written = [k for k in schema["properties"] if k not in computed]
        required = [k for k in written if "default" not in _resolved(schema["properties"][k])]
        # Required fields first (a dataclass needs them so), each group in the schema's order.
        assert [f.name for f in fields] == required + [k for k in written if k not in required]
        assert set(schema["required"]) == set(schema["properties"]), cls  # every key travels
        assert all(isinstance(getattr(cls, key), property) for key in computed)
        for f in fields:
            prop = schema["properties"][f.name]
            expected = _PYTHON_FORMS.get((cls, f.name)) or _annotation(prop)
            assert f.type == expected, (cls.__name__, f.name)
            default = _resolved(prop).get("default", dataclasses.MISSING)
            if f.default_factory is not dataclasses.MISSING:
                made = f.default_factory()
                assert made == type(made)(**default), (cls.__name__, f.name)
            elif isinstance(default, list):
                assert f.default == tuple(default), (cls.__name__, f.name)
            else:
                assert f.default == default and type(f.default) is type(default), f.name


def _resolved(prop: dict) -> dict:
    if "$ref" not in prop:
        return prop
    return {**SCHEMA["$defs"][prop["$ref"].split("/")[-1]], **prop}


def test_keyword_construction_takes_the_schema_defaults():
    row = BenchRow(name="t", median=1e-3)
    assert (row.kind, row.runs, row.points, row.correct, row.noisy) == ("user", 0, (), None, False)
    result = BenchResult(
        rows=[row], device="cpu", dtype="float32", shapes={"a": [2, 3], "b": [3, 4]}
    )
    assert result.threshold == 0.05 and result.operands == "random, seed 0"
    assert result.environment == BenchEnvironment()
    assert result.shapes == {"a": (2, 3), "b": (3, 4)} and result.sweep_sizes == ()
    VALIDATOR.validate(result.to_dict())


def test_constructor_rejects_bad_values():
    with pytest.raises(ValueError):
        BenchRow("")
    with pytest.raises(ValueError):
        BenchRow("x", kind="mine")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BenchRow("x", runs=-1)
    with pytest.raises(ValueError):
        BenchResult(rows=[], device="cpu", dtype="float32", shapes={"a": (1, 1)})
    with pytest.raises(ValueError):
        BenchResult(
            rows=[],
            device="cpu",
            dtype="float32",
            shapes={"a": (1, 1), "b": (1, 1)},
            operands="elsewhere",
        )


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        (BenchRow, "median", -1.0),
        (BenchRow, "speedup", -2.0),
        (BenchRow, "correct", "yes"),
        (BenchRow, "error", 3),
        (SweepPoint, "iqr", -1e-3),
        (BenchEnvironment, "threads", 0),
        (BenchEnvironment, "peak_gflops", 0.0),
    ],
)
def test_construction_and_from_dict_hold_a_nullable_field_to_the_same_rules(cls, field, value):
    """A nullable field is checked when it holds a value: what from_dict rejects in a payload,
    the constructor rejects too; null, NaN and infinity (which travel as null) pass."""
    required = {BenchRow: {"name": "t"}, SweepPoint: {"size": 1, "m": 1, "k": 1, "n": 1}}
    base = required.get(cls, {})
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.{field}"):
        cls(**base, **{field: value})
    payload = cls(**base).to_dict()
    payload[field] = value
    with pytest.raises(ValueError, match="not a valid bench payload"):
        cls.from_dict(payload)
    assert getattr(cls(**base, **{field: None}), field) is None
    if isinstance(value, float):
        cls(**base, **{field: math.nan})
        cls(**base, **{field: math.inf})
    else:  # NaN travels as null only where the field holds a number
        with pytest.raises(ValueError, match=rf"{cls.__name__}\.{field}"):
            cls(**base, **{field: math.nan})


def test_row_lookup_names_the_rows():
    result = BenchResult.from_dict(load("course_cpu.json"))
    assert result.row("einsum").name == "einsum"
    with pytest.raises(KeyError, match="loops"):
        result.row("nope")


def test_sweep_exponents_match_the_points():
    result = BenchResult.from_dict(load("sweep_cpu.json"))
    assert len(result.sweep_sizes) == 100
    exps = result.exponents
    assert set(exps) == {r.name for r in result.rows}
    assert exps["loops"] == pytest.approx(3, abs=0.2)
    assert exps["torch"] < exps["loops"]
    for row in result.rows:
        assert row.exponent == pytest.approx(fit_exponent(row.points))
        assert [p.size for p in row.points] == list(result.sweep_sizes)


def test_fit_exponent_recovers_a_power_law_and_needs_two_sizes():
    pts = [SweepPoint(size=s, m=s, k=s, n=s, median=2e-9 * s**3, runs=3) for s in (8, 16, 64)]
    assert fit_exponent(pts) == pytest.approx(3.0)
    assert fit_exponent(pts[:1]) is None
    assert fit_exponent([SweepPoint(size=4, m=4, k=4, n=4, median=None)]) is None


def test_environment_and_progress_are_plain_data():
    env = BenchEnvironment(threads=2, torch="2.13")
    assert BenchEnvironment.from_dict(env.to_dict()) == env
    progress = BenchProgress(planned=["loops", "torch"], current="loops", phase="time")
    assert progress.done == 0
    with pytest.raises(ValueError):
        BenchProgress(planned=["x"], phase="nap")
