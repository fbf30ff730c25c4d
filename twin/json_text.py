"""JSON text from users parsed with every object's keys unique.

RFC 8259 leaves a repeated key to the reader, and readers differ (most keep the last value, some
the first), so a document with one can mean one thing to this program and another to the tool
that checked or signed it. Every JSON input is parsed here: ``orjson`` gives the value (its
errors, limits and number handling unchanged), and a second pass of the standard library's
parser with an ``object_pairs_hook`` refuses a repeated key, naming it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class DuplicateKeyError(ValueError):
    """A JSON object that gives one key twice; ``key`` names it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} given twice in one object")
        self.key = key


def loads_json(data: bytes | str) -> Any:
    """The value of JSON ``data``, refusing an object that repeats a key.

    Parameters
    ----------
    data : bytes or str
        JSON text (UTF-8 when bytes).

    Returns
    -------
    Any
        The parsed value, as ``orjson.loads`` gives it.

    Raises
    ------
    orjson.JSONDecodeError
        For text that is not JSON (a ``ValueError``).
    DuplicateKeyError
        For an object that gives a key twice (a ``ValueError``).
    """
    value = orjson.loads(data)
    if isinstance(value, (dict, list)):
        try:
            json.loads(data, object_pairs_hook=_unique, parse_int=_skip, parse_float=_skip,
                       parse_constant=_skip)
        except RecursionError:  # orjson took it, the standard parser nests less deep
            raise orjson.JSONDecodeError("arrays or objects nested too deeply", str(data)[:80], 0) from None
    return value


def _unique(pairs: list[tuple[str, Any]]) -> None:
    """The object hook of the duplicate check: DuplicateKeyError at the first repeated key."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKeyError(key)
        seen.add(key)


def _skip(_: str) -> None:
    """Numbers are not converted in the duplicate check (``orjson`` gave the value)."""
