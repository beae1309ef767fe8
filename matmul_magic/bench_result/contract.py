"""The bench contract's constants, and the check of a payload against it.

``schema.json`` beside this file is the contract, its one written statement; this module only
names what the Python side needs from it without importing the payload classes, so the views
can use it without a cycle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")

SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
"""The parsed schema. Treat it as read-only: the payload classes are built from it."""

MIME_TYPE: str = SCHEMA["mimeType"]
"""The MIME type of the JSON payload. Its version travels in the payload's ``version``."""

SCHEMA_VERSION: int = SCHEMA["properties"]["version"]["const"]
"""Bumped whenever the payload changes in a way a renderer could notice."""

_MAX_PROBLEMS = 5
"""Problems listed in one error: enough to fix a payload, few enough to read."""


def definition(name: str | None) -> dict[str, Any]:
    """The schema of the payload (``None``) or of one of its ``$defs`` (``"row"``, ...)."""
    return SCHEMA if name is None else SCHEMA["$defs"][name]


def validate_payload(data: Any, name: str | None = None) -> None:
    """``ValueError`` listing where ``data`` breaks the schema (of ``$defs/name`` if given).

    Needs the ``jsonschema`` package (``pip install jsonschema``); it comes with Jupyter.
    """
    try:
        import jsonschema
    except ImportError as exc:  # pragma: no cover - jsonschema ships with nbformat/Jupyter
        raise ImportError(
            "checking a bench payload needs the jsonschema package: pip install jsonschema"
        ) from exc
    schema = SCHEMA if name is None else {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"}
    validator = jsonschema.Draft202012Validator(schema)
    problems = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        lines = [_describe(error) for error in problems[:_MAX_PROBLEMS]]
        more = len(problems) - _MAX_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more")
        raise ValueError("not a valid bench payload:\n  " + "\n  ".join(lines))


def _describe(error: Any) -> str:
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{path}: {error.message}"
