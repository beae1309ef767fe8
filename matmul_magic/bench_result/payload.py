"""What the payload classes in ``result.py`` share: writing, reading and checking JSON.

The classes are written out as dataclasses (their fields, types and defaults visible to an
editor); ``schema.json`` stays the one written contract, and ``tests/test_bench_result.py``
holds the classes to it field by field. This module reads the schema only to write a payload
in its key order, to check a constructor's values against it and to validate ``from_dict``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .contract import definition as contract_definition
from .contract import validate_payload

_CLASSES: dict[str | None, type[PayloadObject]] = {}
"""Payload classes by the ``$defs`` name they stand for (``None`` for the whole payload)."""


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with its ``$ref`` followed; the referring schema's own keywords win.
    Without a ``$ref`` it is ``schema`` itself: never modify what this returns."""
    if "$ref" not in schema:
        return schema
    target = resolve(contract_definition(schema["$ref"].removeprefix("#/$defs/")))
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def types_of(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types ``schema`` allows (an ``enum`` or ``const`` allows its values' types)."""
    declared = schema.get("type")
    if declared is not None:
        return {declared} if isinstance(declared, str) else set(declared)
    values = schema.get("enum", [schema["const"]] if "const" in schema else [])
    return {_json_type(v) for v in values}


def _json_type(value: Any) -> str:
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    return kinds[type(value)]


class PayloadObject:
    """What every payload class shares: ``to_dict``/``from_dict`` in the schema's terms, and
    the schema's checks of each field in ``__post_init__`` (a subclass that normalises its
    fields first calls it last). A subclass names its schema object:
    ``class BenchRow(PayloadObject, definition="row")`` (``None``: the whole payload)."""

    _definition: str | None
    _properties: dict[str, dict[str, Any]]  # as written, with their $refs, in payload order
    _encoders: dict[str, Encoder]  # how each field is written as JSON
    _checks: tuple[tuple[str, Mapping[str, Any], frozenset[str], Callable[[Any], bool]], ...]
    _computed: frozenset[str]  # payload fields the class computes (properties)

    def __init_subclass__(cls, definition: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        properties = contract_definition(definition)["properties"]
        computed = {key for key in properties if isinstance(getattr(cls, key, None), property)}
        cls._definition = definition
        cls._properties = properties
        cls._encoders = {key: encoder(prop) for key, prop in properties.items()}
        cls._computed = frozenset(computed)
        cls._checks = tuple(
            (key, schema, frozenset(types), _passes(schema, types))
            for key, schema in ((k, resolve(v)) for k, v in properties.items() if k not in computed)
            for types in [types_of(schema)]
        )
        _CLASSES[definition] = cls

    def __post_init__(self) -> None:
        """``ValueError`` for a field off the schema, by the rules ``from_dict`` holds its
        payload to: a nullable field is checked too, unless it is null or travels as null
        (NaN, infinity)."""
        for key, schema, types, passes in self._checks:
            value = getattr(self, key)
            nan = "number" in types and isinstance(value, float) and not math.isfinite(value)
            if "null" in types and (value is None or nan):
                continue  # null, or a NaN or infinity, which travels as null
            if passes(value):
                continue
            check_value(f"{type(self).__name__}.{key}", value, schema, types)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready payload: in the schema's order, NaN and infinity as ``null``."""
        return {key: write(getattr(self, key)) for key, write in self._encoders.items()}

    @classmethod
    def from_dict(cls, data: Any) -> Any:
        """Rebuild from a payload. ``ValueError`` says where it breaks the schema (needs
        ``jsonschema``) or where a field the class computes disagrees with the others."""
        validate_payload(data, cls._definition)
        return cls._decode(data)

    @classmethod
    def _decode(cls, data: Mapping[str, Any]) -> Any:
        kwargs = {
            key: decode(data[key], schema)
            for key, schema in cls._properties.items()
            if key not in cls._computed
        }
        obj = cls(**kwargs, **cls._extra_from_payload(data))
        for key in sorted(cls._computed):
            derived = cls._encoders[key](getattr(obj, key))
            if derived != data[key]:
                where = cls._definition or "bench"
                raise ValueError(
                    f"{where}.{key}: the payload says {data[key]!r}, "
                    f"its other fields give {derived!r}"
                )
        return obj

    @classmethod
    def _extra_from_payload(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor arguments of Python-only fields (``BenchResult.sweep_sizes``)."""
        return {}


Encoder = Callable[[Any], Any]


def encoder(schema: Mapping[str, Any]) -> Encoder:
    """A function writing a value of ``schema`` as JSON: numbers as finite floats or ``None``,
    tuples as lists, payload objects by their ``to_dict``. Built once per field, since a
    sweep's payload has thousands of values."""
    schema = resolve(schema)
    types = types_of(schema)
    if "number" in types:
        return _number
    if "array" in types:
        item = encoder(schema.get("items", {}))
        return lambda value: None if value is None else [item(v) for v in value]
    if "object" in types:
        fields = {key: encoder(prop) for key, prop in schema.get("properties", {}).items()}
        return lambda value: _object(value, fields)
    return _plain


def _number(value: Any) -> Any:
    if type(value) is not float:  # the common case first: numbers.Real is a slow check
        if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
            return value
        value = float(value)
    return value if math.isfinite(value) else None


def _object(value: Any, fields: Mapping[str, Encoder]) -> Any:
    if value is None or isinstance(value, PayloadObject):
        return None if value is None else value.to_dict()
    return {key: fields.get(key, _plain)(item) for key, item in value.items()}


def _plain(value: Any) -> Any:
    return value


def _class_of(schema: Mapping[str, Any]) -> str | None:
    """The ``$defs`` name whose payload class a schema (before resolving) stands for."""
    ref = schema.get("$ref", "")
    name = ref.removeprefix("#/$defs/")
    return name if ref and contract_definition(name).get("type") == "object" else None


def decode(value: Any, schema: Mapping[str, Any]) -> Any:
    """A validated JSON value as the payload classes hold it: objects as classes, arrays as
    tuples."""
    target = _class_of(schema) if isinstance(value, Mapping) else None
    if target is not None:
        return _CLASSES[target]._decode(value)
    schema = resolve(schema)
    if isinstance(value, list):
        return tuple(decode(item, schema.get("items", {})) for item in value)
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        return {key: decode(item, props.get(key, {})) for key, item in value.items()}
    return value


def check_value(
    where: str, value: Any, schema: Mapping[str, Any], types: Iterable[str] | None = None
) -> None:
    """The schema's rules on one value: type, enum, pattern, bounds, length and keys (not what
    an array or object holds)."""
    types = types_of(schema) if types is None else types
    if not _has_type(value, types):
        raise ValueError(f"{where} must be {' or '.join(sorted(types))}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise ValueError(f"{where} must be one of {tuple(schema['enum'])}, got {value!r}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ValueError(f"{where} must match {schema['pattern']!r}, got {value!r}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        raise ValueError(f"{where} must not be empty")
    if isinstance(value, Mapping):
        keys, known = set(value), set(schema.get("properties", ()))
        if not set(schema.get("required", ())) <= keys or (
            schema.get("additionalProperties") is False and not keys <= known
        ):
            raise ValueError(f"{where} needs exactly the keys {sorted(known)}, got {sorted(keys)}")
    for keyword, (holds, word) in _BOUNDS.items():
        bound = schema.get(keyword)
        if bound is not None and isinstance(value, numbers.Real) and not holds(value, bound):
            raise ValueError(f"{where} must be {word} {schema[keyword]}, got {value!r}")


_BOUNDS = {
    "minimum": (lambda v, b: v >= b, ">="),
    "exclusiveMinimum": (lambda v, b: v > b, ">"),
    "maximum": (lambda v, b: v <= b, "<="),
    "exclusiveMaximum": (lambda v, b: v < b, "<"),
}


def _passes(schema: Mapping[str, Any], types: set[str]) -> Callable[[Any], bool]:
    """A quick test that a value of the commonest Python types keeps ``schema``'s rules
    (built once a class; ``False`` leaves the verdict, and its words, to ``check_value``)."""
    exact = {t for t, name in _EXACT.items() if name in types} | (
        {int} if "number" in types else set()
    )
    enum = frozenset(schema["enum"]) if "enum" in schema else None
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    shortest = schema.get("minLength", 0)
    bounds = [(holds, schema[k]) for k, (holds, _) in _BOUNDS.items() if k in schema]

    def passes(value: Any) -> bool:
        return (
            type(value) in exact
            and (enum is None or value in enum)
            and (pattern is None or pattern.search(value) is not None)
            and (not shortest or len(value) >= shortest)
            and all(holds(value, bound) for holds, bound in bounds)
        )

    return passes


_EXACT = {str: "string", int: "integer", float: "number", bool: "boolean", tuple: "array"}
"""The JSON type of the Python types most fields hold, for a check without abstract classes."""


def _has_type(value: Any, types: set[str]) -> bool:
    if type(value) in _EXACT and _EXACT[type(value)] in types:
        return True  # the common case, without the abstract-class checks below
    if not types:
        return True
    if isinstance(value, bool):
        return "boolean" in types
    return any(_TYPE_CHECKS[t](value) for t in types)


_TYPE_CHECKS = {
    "integer": lambda v: isinstance(v, numbers.Integral),
    "number": lambda v: isinstance(v, numbers.Real),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: False,  # a bool was answered above
    "array": lambda v: isinstance(v, (list, tuple)),
    "object": lambda v: isinstance(v, (Mapping, PayloadObject)),
    "null": lambda v: v is None,
}
