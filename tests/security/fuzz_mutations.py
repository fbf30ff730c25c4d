"""Mutations shared by the fuzzing campaigns: hostile number texts, byte flips and the
replacement of one field of a delimited text file."""

from __future__ import annotations

from hypothesis import strategies as st

NUMBERS = st.sampled_from(["nan", "NaN", "inf", "-inf", "1e20", "1e300", "-5", "0", "-1e16", "1e9",
                           "999", "5e14", "", "9" * 400, "0x10", "١٢", "3,5", " 7 "])
TEXT = st.one_of(NUMBERS, st.text(max_size=12))


def flip(raw: bytes, at: int, new: bytes) -> bytes:
    """``raw`` with the bytes from ``at`` (modulo its length) overwritten by ``new``."""
    at %= len(raw)
    return raw[:at] + new + raw[at + len(new):]


def field_cases(lines: list[str], header_lines: int) -> st.SearchStrategy:
    """(line, field, text): a field of a header line (half of the time) or of any line, to be
    replaced by ``text``."""
    return st.tuples(st.one_of(st.integers(0, header_lines - 1), st.integers(0, len(lines) - 1)),
                     st.integers(0, 40), TEXT)


def replace_field(lines: list[str], separator: str | None, drawn: tuple[int, int, str]) -> str:
    """The text of ``lines`` with one field replaced as ``field_cases`` drew it; ``separator``
    None splits on runs of white space (and joins with one space)."""
    line, column, text = drawn
    fields = lines[line].split(separator)
    if not fields:
        fields = [""]
    fields[column % len(fields)] = text
    joined = (" " if separator is None else separator).join(fields)
    return "\n".join([*lines[:line], joined, *lines[line + 1:]]) + "\n"
