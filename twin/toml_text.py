"""TOML text from users parsed with the same errors for every kind of bad input.

``tomllib`` raises ``TOMLDecodeError`` for bad syntax, but a deeply nested array exhausts the
recursion limit and an integer of more than 4,300 digits hits Python's conversion limit; both
come back here as ``TOMLDecodeError`` with a readable reason, so every caller reports them as it
reports a syntax error (one line naming the file).
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any


def loads_toml(text: str) -> dict[str, Any]:
    """The document of TOML ``text``.

    Parameters
    ----------
    text : str
        TOML text.

    Returns
    -------
    dict
        The parsed document.

    Raises
    ------
    tomllib.TOMLDecodeError
        For bad syntax, nesting too deep to read, or an integer too long to convert.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise tomllib.TOMLDecodeError(
            f"arrays or tables nested too deeply{_at(text, _deepest(text))}") from None
    except ValueError as error:
        if "integer string conversion" not in str(error):
            raise
        limit = sys.get_int_max_str_digits()
        long_number = re.search(rf"\d{{{limit + 1},}}", text)
        raise tomllib.TOMLDecodeError(
            f"an integer has more than {limit} digits"
            f"{_at(text, long_number.start() if long_number else None)}") from None


def _deepest(text: str) -> int:
    """Offset of the first bracket at the greatest nesting depth (strings not told apart)."""
    depth = deepest = where = 0
    for offset, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, offset
        elif char in "]}":
            depth -= 1
    return where


def _at(text: str, offset: int | None) -> str:
    """`` (at line L, column C)`` of ``offset`` in ``text``, as tomllib words its errors."""
    if offset is None:
        return ""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f" (at line {line}, column {column})"
