"""The published JSON Schema of scenario files (``scenarios/schema.json``, draft 2020-12)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "schema.json"
FORMAT = 1
"""The scenario format this engine reads."""


@cache
def scenario_schema() -> dict[str, Any]:
    """The parsed schema (cached; treat it as read-only).

    Returns
    -------
    dict
        The JSON Schema of scenario files (``scenarios/schema.json``).
    """
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
