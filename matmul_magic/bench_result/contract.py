"""The bench contract's constants, for every module that speaks it.

``schema.json`` beside this file is the contract; this module only names what the Python side
needs from it without importing the payload classes, so the views can use it without a cycle.
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.json")

MIME_TYPE = "application/vnd.matmul-magic.bench+json"
"""The MIME type of the JSON payload. Its version travels in the payload's ``version``."""

SCHEMA_VERSION: int = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]["version"][
    "const"
]
"""Bumped whenever the payload changes in a way a renderer could notice."""
