"""Fast reading of a CityJSON text: its numeric arrays straight into flat numpy buffers.

Reading a large CityJSON file with a JSON parser alone spends most of its time building millions
of small Python lists for ``vertices`` and geometry ``boundaries``. :func:`scan_numeric_arrays`
instead walks the raw bytes once (numba), parses those numeric arrays straight into flat numpy
buffers (one buffer of leaves, one buffer of child counts per nesting level), replaces each in
the text by a placeholder ``[k]`` and drops the attributes nobody reads, so the JSON parser only
sees the small rest (the "skeleton"); :mod:`.cityjson_geometry` assembles surfaces from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

MAX_LEVELS = 6
"""Deepest nesting of a numeric array kept in the level buffers (MultiSolid boundaries use 5)."""

_KEY_OTHER, _KEY_CITYOBJECTS, _KEY_GEOMETRY, _KEY_BOUNDARIES = 0, 1, 2, 3
_KEY_SEMANTICS, _KEY_VALUES, _KEY_VERTICES, _KEY_ATTRIBUTES = 4, 5, 6, 7
_KEY_NAMES = (b"CityObjects", b"geometry", b"boundaries", b"semantics", b"values", b"vertices",
              b"attributes")
_KEY_BYTES = np.frombuffer(b"".join(_KEY_NAMES), dtype=np.uint8)
_KEY_BOUNDS = np.cumsum([0] + [len(k) for k in _KEY_NAMES]).astype(np.int64)

_STACK = 64
_TRUE, _FALSE, _NULL = (np.frombuffer(w, dtype=np.uint8) for w in (b"true", b"false", b"null"))
_OK, _NOT_NUMERIC, _SYNTAX, _FULL_OUT, _FULL_LEAVES, _FULL_LEVELS, _FULL_META = range(7)
_QUOTE, _BACKSLASH, _COMMA, _COLON = ord('"'), ord("\\"), ord(","), ord(":")
_LBRACE, _RBRACE, _LBRACKET, _RBRACKET = ord("{"), ord("}"), ord("["), ord("]")
_MINUS, _PLUS, _DOT, _ZERO, _NINE = ord("-"), ord("+"), ord("."), ord("0"), ord("9")
_LOWER_E, _UPPER_E, _LOWER_N, _LOWER_U = ord("e"), ord("E"), ord("n"), ord("u")
_LOWER_L, _LOWER_T, _LOWER_F = ord("l"), ord("t"), ord("f")
_SPACE, _TAB, _LF, _CR = ord(" "), ord("\t"), ord("\n"), ord("\r")
_POW10 = 10.0 ** np.arange(23)

@numba.njit(cache=True)
def _grow(buffer: np.ndarray) -> np.ndarray:
    """A copy of ``buffer`` with twice the room along its last axis."""
    bigger = np.empty(buffer.shape[:-1] + (2 * buffer.shape[-1] + 64,), buffer.dtype)
    bigger[..., : buffer.shape[-1]] = buffer
    return bigger


@numba.njit(cache=True)
def _string_end(buf: np.ndarray, i: int) -> int:
    """Index of the quote closing the string opened at ``buf[i]``, or -1 if the text ends first."""
    j = i + 1
    n = buf.shape[0]
    while j < n:
        c = buf[j]
        if c == _BACKSLASH:
            j += 2
        elif c == _QUOTE:
            return j
        else:
            j += 1
    return -1


@numba.njit(cache=True)
def _find_name(buf: np.ndarray, start: int, end: int, names: np.ndarray, bounds: np.ndarray
               ) -> int:
    """1 + the position of ``buf[start:end]`` among the names ``names[bounds[k]:bounds[k+1]]``,
    0 if it is none of them."""
    for k in range(bounds.shape[0] - 1):
        a, b = bounds[k], bounds[k + 1]
        if b - a != end - start:
            continue
        same = True
        for m in range(b - a):
            if buf[start + m] != names[a + m]:
                same = False
                break
        if same:
            return k + 1
    return 0


@numba.njit(cache=True)
def _skip_value(buf: np.ndarray, i: int) -> int:
    """Index after the JSON value starting at or after ``buf[i]`` (-1 if the text ends or a
    scalar is malformed); nested values are skipped by bracket counting."""
    n = buf.shape[0]
    while i < n and (buf[i] == _SPACE or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
        i += 1
    if i == n:
        return -1
    c = buf[i]
    if c == _QUOTE:
        end = _string_end(buf, i)
        return end + 1 if end >= 0 else -1
    if c == _MINUS or _ZERO <= c <= _NINE:
        return _parse_number(buf, i)[1]
    if c == _LBRACE or c == _LBRACKET:
        depth = 0
        while i < n:
            c = buf[i]
            if c == _QUOTE:
                end = _string_end(buf, i)
                if end < 0:
                    return -1
                i = end
            elif c == _LBRACE or c == _LBRACKET:
                depth += 1
            elif c == _RBRACE or c == _RBRACKET:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return -1
    for word in (_TRUE, _FALSE, _NULL):
        if i + word.shape[0] <= n and np.all(buf[i: i + word.shape[0]] == word):
            return i + word.shape[0]
    return -1


@numba.njit(cache=True)
def _skip_member(buf: np.ndarray, i: int) -> int:
    """Index after the ``: value`` that follows an object key ending before ``buf[i]``."""
    n = buf.shape[0]
    while i < n and (buf[i] == _SPACE or buf[i] == _LF or buf[i] == _CR or buf[i] == _TAB):
        i += 1
    if i == n or buf[i] != _COLON:
        return -1
    return _skip_value(buf, i + 1)


@numba.njit(cache=True)
def _parse_real(buf: np.ndarray, i: int) -> tuple[float, int]:
    """The JSON number (any form) starting at ``buf[i]`` and the index after it, -1 if malformed.

    Exact (correctly rounded) for up to 15 significant digits and exponents within ±22.
    """
    n = buf.shape[0]
    negative = buf[i] == _MINUS
    if negative:
        i += 1
    mantissa = 0
    digits = 0
    exponent = 0
    start = i
    while i < n and _ZERO <= buf[i] <= _NINE:
        if digits < 18:
            mantissa = mantissa * 10 + (buf[i] - _ZERO)
            digits += mantissa > 0
        else:
            exponent += 1
        i += 1
    if i == start:
        return 0.0, -1
    if i < n and buf[i] == _DOT:
        i += 1
        start = i
        while i < n and _ZERO <= buf[i] <= _NINE:
            if digits < 18:
                mantissa = mantissa * 10 + (buf[i] - _ZERO)
                digits += mantissa > 0
                exponent -= 1
            i += 1
        if i == start:
            return 0.0, -1
    if i < n and (buf[i] == _LOWER_E or buf[i] == _UPPER_E):
        i += 1
        sign = 1
        if i < n and (buf[i] == _MINUS or buf[i] == _PLUS):
            sign = -1 if buf[i] == _MINUS else 1
            i += 1
        start = i
        power = 0
        while i < n and _ZERO <= buf[i] <= _NINE:
            power = min(power * 10 + (buf[i] - _ZERO), 100000)
            i += 1
        if i == start:
            return 0.0, -1
        exponent += sign * power
    value = float(mantissa)
    if 0 < exponent <= 22:
        value *= _POW10[exponent]
    elif -22 <= exponent < 0:
        value /= _POW10[-exponent]
    elif exponent != 0:
        value *= 10.0 ** exponent
    return (-value if negative else value), i


@numba.njit(cache=True, inline="always")
def _parse_number(buf: np.ndarray, i: int) -> tuple[float, int]:
    """The JSON number starting at ``buf[i]`` and the index after it (-1 if malformed); a fast
    path for integers of up to 18 digits, the common case of quantised vertices and indices."""
    n = buf.shape[0]
    first = i
    negative = buf[i] == _MINUS
    if negative:
        i += 1
    start = i
    mantissa = 0
    while i < n:
        c = buf[i]
        if c < _ZERO or c > _NINE:
            break
        mantissa = mantissa * 10 + (c - _ZERO)
        i += 1
    if i == start or i - start > 18 or (
            i < n and (buf[i] == _DOT or buf[i] == _LOWER_E or buf[i] == _UPPER_E)):
        return _parse_real(buf, first)
    value = float(mantissa)
    return (-value if negative else value), i


@numba.njit(cache=True)
def _parse_numeric_array(buf: np.ndarray, i: int, leaves: np.ndarray, n_leaves: int,
                         levels: np.ndarray, n_levels: np.ndarray) -> tuple[int, int, int, int]:
    """Parse the nested array of numbers / nulls opening at ``buf[i]``.

    Leaves go to ``leaves`` from ``n_leaves`` on (null as NaN); each list at nesting level d
    (0 = outermost) appends its child count to ``levels[d]`` (``n_levels`` is updated in place).
    Returns (status, index after the array or of the problem, leaf depth or -1 if leaves sit at
    mixed depths, new n_leaves). Status ``_NOT_NUMERIC``: the array holds strings, objects or
    booleans; ``_FULL_LEAVES`` / ``_FULL_LEVELS``: a buffer ran out of room.
    """
    n = buf.shape[0]
    counts = np.zeros(_STACK, np.int64)
    depth = 0
    leaf_depth = 0
    deepest = 0
    mixed = False
    expect_value = True
    just_opened = False
    while i < n:
        c = buf[i]
        if c == _MINUS or (_ZERO <= c <= _NINE) or c == _LOWER_N:
            if not expect_value:
                return _SYNTAX, i, 0, n_leaves
            if n_leaves == leaves.shape[0]:
                return _FULL_LEAVES, i, 0, n_leaves
            if c == _LOWER_N:
                if i + 4 > n or buf[i + 1] != _LOWER_U or buf[i + 2] != _LOWER_L or (
                        buf[i + 3] != _LOWER_L):
                    return _SYNTAX, i, 0, n_leaves
                value = np.nan
                i += 4
            else:
                value, end = _parse_number(buf, i)
                if end < 0:
                    return _SYNTAX, i, 0, n_leaves
                i = end
            leaves[n_leaves] = value
            n_leaves += 1
            counts[depth - 1] += 1
            if leaf_depth == 0:
                leaf_depth = depth
            elif leaf_depth != depth:
                mixed = True
            expect_value = False
            just_opened = False
        elif c == _COMMA:
            if expect_value:
                return _SYNTAX, i, 0, n_leaves
            expect_value = True
            i += 1
        elif c == _LBRACKET:
            if not expect_value:
                return _SYNTAX, i, 0, n_leaves
            if depth == _STACK:
                return _NOT_NUMERIC, i, 0, n_leaves
            if depth > 0:
                counts[depth - 1] += 1
            depth += 1
            counts[depth - 1] = 0
            just_opened = True
            i += 1
        elif c == _RBRACKET:
            if expect_value and not just_opened:
                return _SYNTAX, i, 0, n_leaves
            level = depth - 1
            if level < MAX_LEVELS:
                if n_levels[level] == levels.shape[1]:
                    return _FULL_LEVELS, i, 0, n_leaves
                levels[level, n_levels[level]] = counts[level]
                n_levels[level] += 1
            else:
                mixed = True
            deepest = max(deepest, depth)
            depth -= 1
            expect_value = False
            just_opened = False
            i += 1
            if depth == 0:
                if leaf_depth > 0 and deepest > leaf_depth:
                    mixed = True
                return _OK, i, (-1 if mixed else max(leaf_depth, deepest)), n_leaves
        elif c == _SPACE or c == _LF or c == _CR or c == _TAB:
            i += 1
        elif c == _QUOTE or c == _LBRACE or c == _LOWER_T or c == _LOWER_F:
            return _NOT_NUMERIC, i, 0, n_leaves
        else:
            return _SYNTAX, i, 0, n_leaves
    return _SYNTAX, n, 0, n_leaves


@numba.njit(cache=True)
def _is_target(depth: int, is_object: np.ndarray, keys: np.ndarray) -> bool:
    """Whether an array value opened here is one the scanner takes out: the top-level
    ``vertices``, or a CityObject geometry's ``boundaries`` or ``semantics.values``."""
    if depth == 1 and is_object[1] and keys[1] == _KEY_VERTICES:
        return True
    if depth < 5 or keys[1] != _KEY_CITYOBJECTS or keys[3] != _KEY_GEOMETRY or is_object[4]:
        return False
    if depth == 5 and keys[5] == _KEY_BOUNDARIES:
        return True
    return depth == 6 and keys[5] == _KEY_SEMANTICS and keys[6] == _KEY_VALUES and is_object[6]


@numba.njit(cache=True)
def _write_placeholder(out: np.ndarray, o: int, value: int) -> int:
    """Write ``[value]`` (value ≥ 0) at ``out[o]``; the index after it, -1 if it does not fit.

    No array of one number survives the scan at these places (it would have been taken out),
    so a one-integer list there can only be a placeholder.
    """
    width = 1
    power = 10
    while value >= power:
        width += 1
        power *= 10
    if o + width + 2 > out.shape[0]:
        return -1
    out[o] = _LBRACKET
    for m in range(width, 0, -1):
        out[o + m] = _ZERO + value % 10
        value //= 10
    out[o + width + 1] = _RBRACKET
    return o + width + 2


@numba.njit(cache=True)
def _in_attributes(depth: int, is_object: np.ndarray, keys: np.ndarray) -> bool:
    """Whether the scan is directly inside a CityObject's ``attributes`` object."""
    return depth == 4 and is_object[4] and keys[3] == _KEY_ATTRIBUTES and (
        keys[1] == _KEY_CITYOBJECTS)


@numba.njit(cache=True)
def _scan_into(buf: np.ndarray, state: np.ndarray, is_object: np.ndarray, keys: np.ndarray,
               out: np.ndarray, leaves: np.ndarray, levels: np.ndarray, n_levels: np.ndarray,
               meta: np.ndarray, attributes: np.ndarray, attribute_bounds: np.ndarray,
               filtering: bool) -> tuple[int, int]:
    """Scan ``buf`` from the position in ``state`` on, until done or a buffer is full.

    ``state`` holds (byte index, skeleton length, depth, expecting a key, leaves, arrays, kept
    members of the current attributes object) and is saved on return so a call with bigger
    buffers resumes where this one stopped. Returns (status, byte index of a syntax error).
    """
    n = buf.shape[0]
    i, o, depth, expect_key, n_leaves, n_arrays, kept = state
    status = _OK
    while i < n:
        c = buf[i]
        if c == _QUOTE:
            j = _string_end(buf, i)
            if j < 0:
                status = _SYNTAX
                break
            if o + j + 2 - i > out.shape[0]:
                status = _FULL_OUT
                break
            if expect_key:
                expect_key = False
                if filtering and _in_attributes(depth, is_object, keys):
                    if not _find_name(buf, i + 1, j, attributes, attribute_bounds):
                        end = _skip_member(buf, j + 1)
                        if end < 0:
                            status = _SYNTAX
                            i = j + 1
                            break
                        i = end
                        continue
                    if kept:
                        out[o] = _COMMA
                        o += 1
                    kept += 1
                keys[min(depth, _STACK)] = _find_name(buf, i + 1, j, _KEY_BYTES, _KEY_BOUNDS)
            for k in range(i, j + 1):
                out[o] = buf[k]
                o += 1
            i = j + 1
            continue
        if o == out.shape[0]:
            status = _FULL_OUT
            break
        if c == _LBRACKET:
            if _is_target(depth, is_object, keys):
                if n_arrays == meta.shape[1]:
                    status = _FULL_META
                    break
                meta[2:, n_arrays] = n_levels
                result, end, leaf_depth, new_leaves = _parse_numeric_array(
                    buf, i, leaves, n_leaves, levels, n_levels)
                if result == _SYNTAX:
                    status = _SYNTAX
                    i = end
                    break
                if result == _OK:
                    written = _write_placeholder(out, o, n_arrays)
                    if written >= 0:
                        meta[0, n_arrays] = leaf_depth
                        meta[1, n_arrays] = n_leaves
                        n_arrays += 1
                        n_leaves = new_leaves
                        o = written
                        i = end
                        continue
                    result = _FULL_OUT
                n_levels[:] = meta[2:, n_arrays]
                if result != _NOT_NUMERIC:
                    status = result
                    break
            depth += 1
            is_object[min(depth, _STACK)] = False
        elif c == _LBRACE:
            depth += 1
            is_object[min(depth, _STACK)] = True
            keys[min(depth, _STACK)] = _KEY_OTHER
            expect_key = True
            kept = 0
        elif c == _RBRACE or c == _RBRACKET:
            depth -= 1
            expect_key = False
        elif c == _COMMA:
            expect_key = is_object[min(depth, _STACK)]
            if filtering and _in_attributes(depth, is_object, keys):
                i += 1
                continue
        out[o] = c
        o += 1
        i += 1
    state[:] = (i, o, depth, expect_key, n_leaves, n_arrays, kept)
    return status, i


@numba.njit(cache=True)
def _scan(buf: np.ndarray, attributes: np.ndarray, attribute_bounds: np.ndarray,
          filtering: bool) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                    np.ndarray]:
    """Take the numeric arrays out of a CityJSON text; see :func:`scan_numeric_arrays`."""
    n = buf.shape[0]
    out = np.empty(n + 4096, np.uint8)
    leaves = np.empty(n // 4 + 64, np.float64)
    levels = np.empty((MAX_LEVELS, n // 16 + 64), np.int64)
    meta = np.empty((2 + MAX_LEVELS, n // 64 + 64), np.int64)
    n_levels = np.zeros(MAX_LEVELS, np.int64)
    is_object = np.zeros(_STACK + 1, np.bool_)
    keys = np.zeros(_STACK + 1, np.int64)
    state = np.zeros(7, np.int64)
    while True:
        status, position = _scan_into(buf, state, is_object, keys, out, leaves, levels,
                                      n_levels, meta, attributes, attribute_bounds, filtering)
        if status == _FULL_OUT:
            out = _grow(out)
        elif status == _FULL_LEAVES:
            leaves = _grow(leaves)
        elif status == _FULL_LEVELS:
            levels = _grow(levels)
        elif status == _FULL_META:
            meta = _grow(meta)
        else:
            break
    o, n_leaves, n_arrays = state[1], state[4], state[5]
    return status, position, out[:o], leaves[:n_leaves], levels, n_levels, meta[:, :n_arrays]


@dataclass(frozen=True)
class NumericArrays:
    """The numeric arrays taken out of a CityJSON text, numbered in text order.

    depth[k]: nesting depth of the leaves of array k (1 for a flat list, -1 if mixed);
    leaf_start[k]: offset of array k in ``leaves`` (k = n gives the total); level_start[k, d]:
    offset of array k in ``levels[d]``, the child counts of its lists at nesting level d
    (``levels`` is a buffer: row d is valid up to ``level_start[-1, d]``).
    """

    depth: np.ndarray
    leaf_start: np.ndarray
    level_start: np.ndarray
    leaves: np.ndarray
    levels: np.ndarray

    def leaf_count(self, arrays: np.ndarray) -> np.ndarray:
        """Number of leaves of each of ``arrays``."""
        return self.leaf_start[arrays + 1] - self.leaf_start[arrays]

    def level(self, arrays: np.ndarray, d: int) -> np.ndarray:
        """Child counts of the level-d lists of ``arrays``, concatenated in order."""
        start = self.level_start[arrays, d]
        return self.levels[d][ranges(start, self.level_start[arrays + 1, d] - start)]

    def leaf_values(self, arrays: np.ndarray) -> np.ndarray:
        """Leaves of ``arrays``, concatenated in order."""
        start = self.leaf_start[arrays]
        return self.leaves[ranges(start, self.leaf_start[arrays + 1] - start)]


class ScanError(ValueError):
    """The text is not valid JSON at byte ``position``."""

    def __init__(self, position: int) -> None:
        super().__init__(f"invalid JSON at byte {position}")
        self.position = position


def scan_numeric_arrays(text: bytes, attributes: tuple[str, ...] | None = None
                        ) -> tuple[bytes, NumericArrays]:
    """Split a CityJSON (or CityJSONSeq) text into its skeleton and its numeric arrays.

    The top-level ``vertices`` and each CityObject geometry's ``boundaries`` and
    ``semantics.values`` array is replaced in the skeleton by ``[k]``, k its number in the
    returned :class:`NumericArrays` (see :func:`array_number`). Arrays holding anything but numbers and nulls are left in place.
    With ``attributes``, CityObject attributes not named there are left out of the skeleton
    (their values are skipped by bracket counting, not fully validated).
    Raises :class:`ScanError` on malformed JSON inside those arrays or an unterminated string.
    """
    names = [name.encode() for name in attributes or ()]
    status, position, skeleton, leaves, levels, n_levels, meta = _scan(
        np.frombuffer(text, dtype=np.uint8), np.frombuffer(b"".join(names) or b" ", np.uint8),
        np.cumsum([0] + [len(name) for name in names]).astype(np.int64),
        attributes is not None)
    if status != _OK:
        raise ScanError(int(position))
    level_start = np.concatenate((meta[2:].T, n_levels[None, :]), axis=0)
    arrays = NumericArrays(
        depth=meta[0].copy(),
        leaf_start=np.append(meta[1], len(leaves)),
        level_start=level_start,
        leaves=leaves,
        levels=levels,
    )
    return skeleton.tobytes(), arrays


def array_number(value: object) -> int | None:
    """The number of a scanned-out array from its placeholder ``[k]``, None if not one."""
    if type(value) is list and len(value) == 1 and type(value[0]) is int:
        return value[0]
    return None


def ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start[i], start[i] + count[i])`` over i."""
    count = np.asarray(count, dtype=np.int64)
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    first = np.cumsum(count) - count
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(start, np.int64) - first, count)
