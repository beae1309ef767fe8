"""Payload classes whose fields come from ``schema.json``, so Python declares none by hand.

``@payload_class("row")`` turns a class body holding only behaviour (a docstring, properties,
``__post_init__``) into a dataclass with one field per property of ``$defs/row``, in the
schema's order, typed and defaulted from it (``default``; a field without one is a required
argument). A schema property the class computes itself, as a ``property`` of the same name
(``BenchRow.status``), is written to the payload and checked when one is read, but is not a
constructor argument. ``to_dict`` and ``from_dict`` follow the schema too.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from .contract import SCHEMA, definition, validate_payload

_CLASSES: dict[str | None, type] = {}
"""Payload classes by the ``$defs`` name they were built from (``None`` for the whole payload)."""

_JSON_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": tuple,
    "object": dict,
}


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with its ``$ref`` followed; the referring schema's own keywords win.
    Without a ``$ref`` it is ``schema`` itself: never modify what this returns."""
    if "$ref" not in schema:
        return schema
    target = resolve(definition(schema["$ref"].removeprefix("#/$defs/")))
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


def payload_class(name: str | None, *, frozen: bool = True, extra: tuple = ()):
    """Build the dataclass for ``$defs/name`` (``None``: the whole payload) around a class body.

    ``extra`` adds Python-only fields, as ``(name, type, dataclasses.field(...))`` triples.
    """

    def build(body: type) -> type:
        properties = definition(name)["properties"]
        computed = {key for key in properties if isinstance(body.__dict__.get(key), property)}
        fields = [_field(key, properties[key]) for key in properties if key not in computed]
        fields.sort(key=lambda f: len(f) == 3)  # required (no default) first, else in order
        namespace = {k: v for k, v in body.__dict__.items() if k not in ("__dict__", "__weakref__")}
        namespace.update(
            _definition=name,
            _properties=properties,
            _encoders={key: encoder(prop) for key, prop in properties.items()},
            _computed=frozenset(computed),
            _checks=_checks(properties, computed),
        )
        kwargs = {"module": body.__module__} if sys.version_info >= (3, 12) else {}
        cls = dataclasses.make_dataclass(
            body.__name__,
            [*fields, *extra],
            bases=(PayloadObject,),
            namespace=namespace,
            frozen=frozen,
            **kwargs,
        )
        cls.__qualname__ = body.__qualname__
        _CLASSES[name] = cls
        return cls

    return build


def _checks(properties: Mapping[str, Any], computed: set[str]) -> tuple:
    """``(key, schema, types)`` of the fields a constructor checks: those that cannot be null."""
    resolved = ((key, resolve(prop)) for key, prop in properties.items() if key not in computed)
    return tuple(
        (key, schema, frozenset(types_of(schema)))
        for key, schema in resolved
        if "null" not in types_of(schema)
    )


def _field(key: str, raw: Mapping[str, Any]) -> tuple:
    schema = resolve(raw)
    python_type = _python_type(raw)
    if "default" not in schema:
        return (key, python_type)
    default = schema["default"]
    if isinstance(default, list):
        return (key, python_type, dataclasses.field(default=tuple(default)))
    if isinstance(default, dict):
        return (key, python_type, dataclasses.field(default_factory=_factory(raw, default)))
    return (key, python_type, dataclasses.field(default=default))


def _factory(schema: Mapping[str, Any], default: dict) -> Callable[[], Any]:
    """A fresh default object each time: the payload class of a ``$ref``, else a dict."""
    target = _class_of(schema)
    return (lambda: _CLASSES[target](**default)) if target is not None else (lambda: dict(default))


def _class_of(schema: Mapping[str, Any]) -> str | None:
    """The ``$defs`` name whose payload class a schema (before resolving) stands for."""
    ref = schema.get("$ref", "")
    name = ref.removeprefix("#/$defs/")
    return name if ref and definition(name).get("type") == "object" else None


def _python_type(raw: Mapping[str, Any]) -> Any:
    """The annotation for a field: a payload class, a tuple of them, or a plain type."""
    target = _class_of(raw)
    if target is not None:
        return _CLASSES.get(target, Any)
    schema = resolve(raw)
    items = _class_of(schema.get("items", {}))
    if items is not None:
        return tuple[_CLASSES.get(items, Any), ...]
    if "enum" in schema:
        return Literal[tuple(schema["enum"])]
    types = types_of(schema)
    python = [_JSON_TYPES[t] for t in sorted(types - {"null"})]
    result: Any = python[0] if len(python) == 1 else Any
    return result | None if "null" in types and result is not Any else result


class PayloadObject:
    """What every payload class shares: schema-driven ``to_dict``/``from_dict`` and checks."""

    _definition: str | None
    _properties: dict[str, dict[str, Any]]  # as written, with their $refs
    _encoders: dict[str, Encoder]  # how each field is written as JSON
    _checks: tuple[tuple[str, dict[str, Any], frozenset[str]], ...]  # what __init__ checks
    _computed: frozenset[str]

    def _check_fields(self) -> None:
        """``ValueError`` for a value off the schema in a field that must hold one (not null)."""
        for key, schema, types in self._checks:
            check_value(f"{type(self).__name__}.{key}", getattr(self, key), schema, types)

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
        """Constructor arguments of Python-only fields (see ``payload_class(extra=...)``)."""
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
    types = set(types_of(schema) if types is None else types)
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
    bounds = {
        "minimum": (lambda v, b: v >= b, ">="),
        "exclusiveMinimum": (lambda v, b: v > b, ">"),
        "maximum": (lambda v, b: v <= b, "<="),
        "exclusiveMaximum": (lambda v, b: v < b, "<"),
    }
    for keyword, (holds, word) in bounds.items():
        bound = schema.get(keyword)
        if bound is not None and isinstance(value, numbers.Real) and not holds(value, bound):
            raise ValueError(f"{where} must be {word} {schema[keyword]}, got {value!r}")


_EXACT = {str: "string", int: "integer", float: "number", bool: "boolean", tuple: "array"}
"""The JSON type of the Python types most fields hold, for a check without abstract classes."""


def _has_type(value: Any, types: set[str]) -> bool:
    if type(value) in _EXACT and _EXACT[type(value)] in types:
        return True  # the common case, without the abstract-class checks below
    if not types:
        return True
    if isinstance(value, bool):
        return "boolean" in types
    checks = {
        "integer": lambda v: isinstance(v, numbers.Integral),
        "number": lambda v: isinstance(v, numbers.Real),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: False,
        "array": lambda v: isinstance(v, (list, tuple)),
        "object": lambda v: isinstance(v, Mapping) or isinstance(v, PayloadObject),
        "null": lambda v: v is None,
    }
    return any(checks[t](value) for t in types)


__all__ = ["SCHEMA", "PayloadObject", "check_value", "decode", "encoder", "payload_class"]
