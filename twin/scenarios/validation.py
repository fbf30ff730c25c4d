"""Check a parsed scenario document against the schema; every error as (key path, message).

jsonschema's messages quote whole values and speak JSON; these name the key, the TOML type and
the allowed range with its unit (from the schema's descriptions).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from twin.scenarios.errors import KeyPath
from twin.scenarios.schema import scenario_schema

_TYPE_NAMES = {
    "object": "a table",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
}
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_BOUNDS = {
    "minimum": "below the minimum",
    "exclusiveMinimum": "below the exclusive minimum",
    "maximum": "above the maximum",
    "exclusiveMaximum": "above the exclusive maximum",
}
_COUNTS = {
    "minItems": ("at least", "items"),
    "maxItems": ("at most", "items"),
    "minLength": ("at least", "characters"),
    "maxLength": ("at most", "characters"),
}


def jsonable(value: Any) -> Any:
    """A tomllib value with TOML dates and times as ISO strings (what the schema checks)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value


def schema_problems(document: dict[str, Any],
                    schema: dict[str, Any] | None = None) -> list[tuple[KeyPath, str]]:
    """Every way ``document`` breaks ``schema`` (default: the scenario schema), as
    (key path, message)."""
    schema = schema if schema is not None else scenario_schema()
    validator = Draft202012Validator(schema)
    problems = list(_non_finite(document, ()))
    said = {key for key, _ in problems}
    for error in validator.iter_errors(document):
        problems += [p for p in _explain(error, schema) if p[0] not in said]
    return problems


def _non_finite(value: Any, key: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """TOML's nan and inf wherever they stand: JSON Schema bounds cannot refuse them (every
    comparison with NaN is false), so ``u_wall = nan`` would pass a 0.05..6 check."""
    if isinstance(value, float) and not math.isfinite(value):
        yield key, f"{value} is not a usable number; give a finite value"
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _non_finite(item, (*key, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*key, index))


def short(value: Any, limit: int = 60) -> str:
    """A value as TOML-ish text, cut to ``limit`` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k} = {short(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _toml_type(value: Any) -> str:
    for kind, test in (
        ("a boolean", bool),
        ("an integer", int),
        ("a number", float),
        ("a string", str),
        ("an array", list),
        ("a table", dict),
    ):
        if isinstance(value, test):
            return kind
    return type(value).__name__


def _explain(error: ValidationError, schema: dict[str, Any]) -> list[tuple[KeyPath, str]]:
    path: KeyPath = tuple(error.absolute_path)
    kind, rule, value = error.validator, error.validator_value, error.instance
    about = _description(schema, list(error.absolute_schema_path))
    unit = f" ({about.rstrip('.')})" if about else ""
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return [
            (path + (key,), f"unknown key {key!r}; allowed here: {', '.join(allowed)}")
            for key in value
            if key not in allowed
        ]
    if kind == "required":
        match = _REQUIRED.match(error.message)
        name = match.group(1) if match else str(rule)
        described = error.schema.get("properties", {}).get(name, {}).get(
            "description"
        ) or error.schema.get("description")
        return [(path, f"missing key {name!r}" + (f": {described}" if described else ""))]
    if kind == "type":
        wanted = " or ".join(
            _TYPE_NAMES.get(t, t) for t in ([rule] if isinstance(rule, str) else rule)
        )
        return [(path, f"expected {wanted}, got {_toml_type(value)} {short(value)}")]
    if kind in _BOUNDS:
        return [(path, f"{short(value)} is {_BOUNDS[kind]} {rule}{unit}")]
    if kind == "enum":
        return [(path, f"{short(value)} is not one of {', '.join(short(v) for v in rule)}")]
    if kind == "const":
        return [(path, f"expected {short(rule)}, got {short(value)}{unit}")]
    if kind == "pattern":
        return [(path, f"{short(value)} is not of the expected form{unit}")]
    if kind in _COUNTS:
        limit, things = _COUNTS[kind]
        return [(path, f"expected {limit} {rule} {things}, got {len(value)}")]
    if kind == "uniqueItems":
        return [(path, "the items must all differ")]
    if kind in ("anyOf", "oneOf") and all(set(s) == {"required"} for s in rule):
        keys = [k for s in rule for k in s["required"]]
        present = [k for k in keys if isinstance(value, dict) and k in value]
        if present:
            return [(path + (present[-1],), f"give only one of {', '.join(keys)}")]
        needs = "one" if kind == "oneOf" else "at least one"
        return [(path, f"needs {needs} of the keys {', '.join(keys)}")]
    if kind == "not":
        keys = _keys(rule)
        present = [k for k in keys if isinstance(value, dict) and k in value]
        where = path + (present[-1],) if present else path
        return [(where, rule.get("description", "not allowed here"))]
    return [(path, error.message if len(error.message) < 200 else error.message[:197] + "...")]


def _keys(rule: dict[str, Any]) -> list[str]:
    """Keys a ``required`` (or an anyOf of them) in a ``not`` names."""
    keys = list(rule.get("required", []))
    for sub in rule.get("anyOf", []):
        keys += sub.get("required", [])
    return keys


def _description(schema: dict[str, Any], schema_path: list[Any]) -> str:
    """First sentence of the deepest description on the way to the failing keyword
    ($refs followed)."""
    node: Any = schema
    found = ""
    for part in [*schema_path, None]:
        while isinstance(node, dict):
            if isinstance(node.get("description"), str):
                found = node["description"]
            if "$ref" not in node or part in node:
                break
            node = _pointer(schema, node["$ref"])
        if part is None or part == "$ref":
            continue
        node = node[part]
    return found.split(". ")[0]


def _pointer(schema: dict[str, Any], ref: str) -> Any:
    node: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node
