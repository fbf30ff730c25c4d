"""The numeric side of the CityJSON importer: flat arrays in, building metrics out.

Reading a large CityJSON file with a JSON parser alone spends most of its time building millions
of small Python lists for ``vertices`` and geometry ``boundaries``. :func:`scan_numeric_arrays`
instead walks the raw bytes once (numba), parses those numeric arrays straight into flat numpy
buffers (one buffer of leaves, one buffer of child counts per nesting level), replaces each in
the text by a placeholder ``[k]`` and drops the attributes nobody reads, so the JSON parser only
sees the small rest (the "skeleton"). :func:`assemble_surfaces` turns the arrays of the chosen
geometries into flat ring arrays, and :func:`surface_metrics` / :func:`building_metrics` /
:func:`footprints` compute areas, normals, volumes and 2D footprints over them without a Python
loop per surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import shapely

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

CLASS_UNKNOWN, CLASS_ROOF, CLASS_WALL, CLASS_GROUND, CLASS_IGNORED = -1, 0, 1, 2, 3
"""Surface classes: from semantics (unknown when a surface has none), else from the normal."""

WALL_MAX_NZ = float(np.sin(np.radians(10.0)))
"""A surface without semantics whose unit normal has |n_z| below this (within 10° of vertical) is
a wall; above, an upward normal makes it roof and a downward one ground."""

CLOSURE_TOLERANCE = 1e-3
"""A part is closed when its summed vector area is below this fraction of its total area (exactly
zero for a closed shell, whatever its shape)."""

MIN_AREA = 1e-9
"""Surfaces below this area (m²) are degenerate."""


class GeometryError(ValueError):
    """A chosen geometry that cannot be read; ``geometry`` is its position in the request."""

    def __init__(self, geometry: int, message: str) -> None:
        super().__init__(message)
        self.geometry = geometry
        self.message = message


# --------------------------------------------------------------------------- scanning


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
def _parse_numeric_array(buf, i, leaves, n_leaves, levels, n_levels):
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
def _scan_into(buf, state, is_object, keys, out, leaves, levels, n_levels, meta, attributes,
               attribute_bounds, filtering):
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
          filtering: bool):
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


# --------------------------------------------------------------------------- flat surfaces


BOUNDARY_DEPTH = {"MultiSurface": 3, "CompositeSurface": 3, "Solid": 4, "MultiSolid": 5,
                  "CompositeSolid": 5}
"""Nesting depth of ``boundaries`` for the geometry types the importer reads."""


@dataclass(frozen=True)
class GeometryRequest:
    """The geometries to assemble, one entry each (arrays of equal length).

    boundaries / values: numbers of their ``boundaries`` and ``semantics.values`` arrays (values
    -1 when the geometry has no semantics); depth: ``BOUNDARY_DEPTH`` of the geometry type;
    vertex_offset / vertex_count: where the vertices it indexes start in the stacked vertex
    array and how many there are; building: output row; semantic_start / semantic_count: its
    slice of ``semantic_classes``, the class of each entry of its ``semantics.surfaces``.
    """

    boundaries: np.ndarray
    values: np.ndarray
    depth: np.ndarray
    vertex_offset: np.ndarray
    vertex_count: np.ndarray
    building: np.ndarray
    semantic_start: np.ndarray
    semantic_count: np.ndarray
    semantic_classes: np.ndarray


@dataclass(frozen=True)
class Surfaces:
    """Flat polygon soup of the chosen geometries.

    index: vertex numbers of all rings; ring_start: offsets of each ring in ``index`` (+ total);
    surface_start: offsets of each surface's rings (+ total; the first ring is the outer one);
    surface_part / surface_class: the part (solid, or whole surface geometry; surfaces of a
    part are consecutive) and class of each surface; part_building: output row of each part.
    """

    vertices: np.ndarray
    index: np.ndarray
    ring_start: np.ndarray
    surface_start: np.ndarray
    surface_part: np.ndarray
    surface_class: np.ndarray
    part_building: np.ndarray


_BAD_DEPTH, _MIXED_DEPTH, _BAD_INDEX, _BAD_VALUES_COUNT, _BAD_VALUE = 1, 2, 3, 4, 5


@numba.njit(cache=True)
def _assembly_sizes(leaf_start, level_start, array_depth, boundaries, depth):
    """Indices, rings, surfaces and parts the geometries hold, or an error (code, geometry)."""
    n_index = n_rings = n_surfaces = n_parts = 0
    for g in range(boundaries.shape[0]):
        k, d = boundaries[g], depth[g]
        if leaf_start[k + 1] == leaf_start[k]:
            continue
        if array_depth[k] != d:
            return (_BAD_DEPTH if array_depth[k] > 0 else _MIXED_DEPTH), g, 0, 0, 0, 0
        n_index += leaf_start[k + 1] - leaf_start[k]
        n_rings += level_start[k + 1, d - 1] - level_start[k, d - 1]
        n_surfaces += level_start[k + 1, d - 2] - level_start[k, d - 2]
        n_parts += level_start[k + 1, 1] - level_start[k, 1] if d == 5 else 1
    return 0, -1, n_index, n_rings, n_surfaces, n_parts


@numba.njit(cache=True)
def _classify(leaves, first, end, start, count, classes, surface_class, begin, stop):
    """Set ``surface_class[begin:stop]`` from a geometry's semantic values ``leaves[first:end]``
    (indices into ``classes[start:start + count]``, NaN for none); (error code, bad value)."""
    if end - first != stop - begin:
        return _BAD_VALUES_COUNT, float(end - first)
    for m in range(end - first):
        v = leaves[first + m]
        if np.isnan(v):
            continue
        if not (0.0 <= v < count) or v != np.floor(v):
            return _BAD_VALUE, v
        surface_class[begin + m] = classes[start + np.int64(v)]
    return 0, 0.0


@numba.njit(cache=True)
def _assemble(leaves, levels, leaf_start, level_start, array_depth, boundaries, depth,
              vertex_offset, vertex_count, building, values, semantic_start, semantic_count,
              semantic_classes):
    """Flatten the geometries' arrays into :class:`Surfaces` arrays; see
    :func:`assemble_surfaces`. Returns (error code, geometry, bad value, arrays)."""
    code, g_bad, n_index, n_rings, n_surfaces, n_parts = _assembly_sizes(
        leaf_start, level_start, array_depth, boundaries, depth)
    index = np.empty(n_index, np.int64)
    ring_start = np.empty(n_rings + 1, np.int64)
    surface_start = np.empty(n_surfaces + 1, np.int64)
    surface_part = np.empty(n_surfaces, np.int64)
    surface_class = np.full(n_surfaces, CLASS_UNKNOWN, np.int8)
    part_building = np.empty(n_parts, np.int64)
    result = (index, ring_start, surface_start, surface_part, surface_class, part_building)
    if code:
        return code, g_bad, 0.0, result
    o_index = o_ring = o_surface = o_part = 0
    for g in range(boundaries.shape[0]):
        k, d = boundaries[g], depth[g]
        if leaf_start[k + 1] == leaf_start[k]:
            continue
        for m in range(leaf_start[k], leaf_start[k + 1]):
            v = leaves[m]
            if not (0.0 <= v < vertex_count[g]) or v != np.floor(v):
                return _BAD_INDEX, g, v, result
            index[o_index + m - leaf_start[k]] = np.int64(v) + vertex_offset[g]
        first_ring = o_ring
        for r in range(level_start[k, d - 1], level_start[k + 1, d - 1]):
            ring_start[o_ring] = o_index
            o_index += levels[d - 1, r]
            o_ring += 1
        begin = o_surface
        for s in range(level_start[k, d - 2], level_start[k + 1, d - 2]):
            surface_start[o_surface] = first_ring
            first_ring += levels[d - 2, s]
            o_surface += 1
        if d == 5:
            s = begin
            shell = level_start[k, 2]
            for solid in range(level_start[k, 1], level_start[k + 1, 1]):
                for _ in range(levels[1, solid]):
                    surface_part[s: s + levels[2, shell]] = o_part
                    s += levels[2, shell]
                    shell += 1
                part_building[o_part] = building[g]
                o_part += 1
        else:
            surface_part[begin:o_surface] = o_part
            part_building[o_part] = building[g]
            o_part += 1
        if values[g] >= 0:
            code, bad = _classify(leaves, leaf_start[values[g]], leaf_start[values[g] + 1],
                                  semantic_start[g], semantic_count[g], semantic_classes,
                                  surface_class, begin, o_surface)
            if code:
                return code, g, bad, result
    ring_start[o_ring] = o_index
    surface_start[o_surface] = o_ring
    return 0, -1, 0.0, result


def assemble_surfaces(arrays: NumericArrays, vertices: np.ndarray,
                      request: GeometryRequest) -> Surfaces:
    """Flat ring arrays of the requested geometries.

    Raises :class:`GeometryError` naming the first geometry whose arrays do not fit its type,
    with a vertex index out of range, or with semantic values that do not fit its surfaces.
    """
    code, g, bad, result = _assemble(
        arrays.leaves, arrays.levels, arrays.leaf_start, arrays.level_start, arrays.depth,
        request.boundaries, request.depth, request.vertex_offset, request.vertex_count,
        request.building, request.values, request.semantic_start, request.semantic_count,
        request.semantic_classes)
    if code:
        raise GeometryError(g, _assembly_message(arrays, request, code, g, bad))
    index, ring_start, surface_start, surface_part, surface_class, part_building = result
    return Surfaces(vertices=vertices, index=index, ring_start=ring_start,
                    surface_start=surface_start, surface_part=surface_part,
                    surface_class=surface_class, part_building=part_building)


def _assembly_message(arrays: NumericArrays, request: GeometryRequest, code: int, g: int,
                      bad: float) -> str:
    """What is wrong with geometry ``g`` (see the ``_BAD_*`` codes of :func:`_assemble`)."""
    if code == _BAD_DEPTH:
        return (f"boundaries are nested {arrays.depth[request.boundaries[g]]} deep where its type "
                f"needs {request.depth[g]}")
    if code == _MIXED_DEPTH:
        return "boundaries are nested to different depths"
    if code == _BAD_INDEX:
        return (f"vertex index {bad:g} out of range (there are {request.vertex_count[g]} "
                "vertices)")
    if code == _BAD_VALUES_COUNT:
        return f"semantics.values has {bad:g} entries, not one per surface"
    return f"semantics.values refers to surface {bad:g} of {request.semantic_count[g]}"


# --------------------------------------------------------------------------- metrics


@numba.njit(cache=True)
def _ring_vector(vertices, index, a, b):
    """Vector area (m², x, y, z) of the ring ``index[a:b]`` by the fan from its first vertex."""
    p = index[a]
    x0, y0, z0 = vertices[p, 0], vertices[p, 1], vertices[p, 2]
    nx = ny = nz = 0.0
    q = index[a + 1]
    ux, uy, uz = vertices[q, 0] - x0, vertices[q, 1] - y0, vertices[q, 2] - z0
    for k in range(a + 2, b):
        q = index[k]
        wx, wy, wz = vertices[q, 0] - x0, vertices[q, 1] - y0, vertices[q, 2] - z0
        nx += uy * wz - uz * wy
        ny += uz * wx - ux * wz
        nz += ux * wy - uy * wx
        ux, uy, uz = wx, wy, wz
    return 0.5 * nx, 0.5 * ny, 0.5 * nz


@numba.njit(cache=True)
def _surface_kernel(vertices, index, ring_start, surface_start, surface_part):
    """Per surface: area (m², holes removed), unit normal of the outer ring, vector area (m²),
    signed volume contribution (m³, divergence theorem, relative to the first vertex of its
    part), and min / max z (m).

    A ring's vector area is summed over the fan of triangles from its first vertex, so it is
    exact for any planar polygon, convex or not. Holes count against the outer ring whatever
    their stored orientation.
    """
    n = surface_start.shape[0] - 1
    area = np.zeros(n)
    normal = np.zeros((n, 3))
    vector = np.zeros((n, 3))
    volume = np.zeros(n)
    z_min = np.full(n, np.inf)
    z_max = np.full(n, -np.inf)
    part = -1
    ox = oy = oz = 0.0
    for s in range(n):
        ax = ay = az = 0.0
        outer = 0.0
        holes = 0.0
        for r in range(surface_start[s], surface_start[s + 1]):
            a, b = ring_start[r], ring_start[r + 1]
            for k in range(a, b):
                z = vertices[index[k], 2]
                z_min[s] = min(z_min[s], z)
                z_max[s] = max(z_max[s], z)
            if b - a < 3 or (r > surface_start[s] and outer == 0.0):
                continue
            p = index[a]
            if surface_part[s] != part:
                part = surface_part[s]
                ox, oy, oz = vertices[p, 0], vertices[p, 1], vertices[p, 2]
            nx, ny, nz = _ring_vector(vertices, index, a, b)
            if r == surface_start[s]:
                ax, ay, az = nx, ny, nz
                outer = np.sqrt(nx * nx + ny * ny + nz * nz)
            else:
                along = (nx * ax + ny * ay + nz * az) / outer
                if along > 0.0:
                    nx, ny, nz = -nx, -ny, -nz
                holes += abs(along)
            vector[s, 0] += nx
            vector[s, 1] += ny
            vector[s, 2] += nz
            volume[s] += ((vertices[p, 0] - ox) * nx + (vertices[p, 1] - oy) * ny
                          + (vertices[p, 2] - oz) * nz) / 3.0
        if outer > 0.0:
            normal[s, 0] = ax / outer
            normal[s, 1] = ay / outer
            normal[s, 2] = az / outer
            area[s] = max(outer - holes, 0.0)
    return area, normal, vector, volume, z_min, z_max


@numba.njit(cache=True)
def _group_extremes(low: np.ndarray, high: np.ndarray, group: np.ndarray, n: int):
    """Min of ``low`` and max of ``high`` per group 0..n-1 (inf / -inf for empty groups)."""
    out_low = np.full(n, np.inf)
    out_high = np.full(n, -np.inf)
    for k in range(group.shape[0]):
        g = group[k]
        out_low[g] = min(out_low[g], low[k])
        out_high[g] = max(out_high[g], high[k])
    return out_low, out_high


@dataclass(frozen=True)
class SurfaceMetrics:
    """Per surface: area (m²), outward unit normal, class (``CLASS_*``), usable (not degenerate),
    min / max z (m); per part: closed, reoriented (it faced inward and was turned), volume (m³,
    NaN if open)."""

    area: np.ndarray
    normal: np.ndarray
    surface_class: np.ndarray
    usable: np.ndarray
    z_min: np.ndarray
    z_max: np.ndarray
    part_closed: np.ndarray
    part_reoriented: np.ndarray
    part_volume: np.ndarray


def surface_metrics(surfaces: Surfaces) -> SurfaceMetrics:
    """Areas, outward normals, classes and part volumes of ``surfaces``.

    A part whose surfaces close (summed vector area ≈ 0) gets its volume by the divergence
    theorem; if that volume is negative its surfaces faced inward and their normals are turned.
    Surfaces without semantics are classed by their normal (see ``WALL_MAX_NZ``).
    """
    area, normal, vector, volume, z_min, z_max = _surface_kernel(
        surfaces.vertices, surfaces.index, surfaces.ring_start, surfaces.surface_start,
        surfaces.surface_part)
    usable = area > MIN_AREA
    n_parts = len(surfaces.part_building)
    part = surfaces.surface_part
    part_area = np.bincount(part, weights=area, minlength=n_parts)
    part_vector = np.column_stack([np.bincount(part, weights=vector[:, k], minlength=n_parts)
                                   for k in range(3)])
    part_volume = np.bincount(part, weights=volume, minlength=n_parts)
    closed = (part_area > 0) & (np.linalg.norm(part_vector, axis=1)
                                <= CLOSURE_TOLERANCE * part_area)
    reoriented = closed & (part_volume < 0)
    normal = normal * np.where(reoriented, -1.0, 1.0)[part][:, None]
    surface_class = surfaces.surface_class.copy()
    unknown = surface_class == CLASS_UNKNOWN
    nz = normal[:, 2]
    surface_class[unknown] = np.where(np.abs(nz[unknown]) < WALL_MAX_NZ, CLASS_WALL,
                                      np.where(nz[unknown] > 0, CLASS_ROOF, CLASS_GROUND))
    return SurfaceMetrics(
        area=area, normal=normal, surface_class=surface_class, usable=usable,
        z_min=z_min, z_max=z_max, part_closed=closed, part_reoriented=reoriented,
        part_volume=np.where(closed, np.abs(part_volume), np.nan),
    )


def wall_sector(normal: np.ndarray) -> np.ndarray:
    """0 N, 1 E, 2 S, 3 W: the 90° sector (centred on grid north, east, ...) each normal faces."""
    azimuth = np.degrees(np.arctan2(normal[:, 0], normal[:, 1]))
    return (np.floor((azimuth + 45.0) / 90.0).astype(np.int64)) % 4


def building_metrics(surfaces: Surfaces, metrics: SurfaceMetrics,
                     n_buildings: int) -> dict[str, np.ndarray]:
    """Per building: roof / wall / ground areas and walls by facing (m²), volume (m³, NaN if a
    part is open), min and max z (m, NaN without geometry)."""
    building = surfaces.part_building[surfaces.surface_part]
    cls = np.where(metrics.usable, metrics.surface_class, CLASS_IGNORED)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(building, weights=np.where(mask, metrics.area, 0.0),
                           minlength=n_buildings)

    walls = cls == CLASS_WALL
    by_sector = np.bincount(building * 4 + wall_sector(metrics.normal),
                            weights=np.where(walls, metrics.area, 0.0),
                            minlength=4 * n_buildings).reshape(n_buildings, 4)
    open_parts = np.bincount(surfaces.part_building, weights=~metrics.part_closed,
                             minlength=n_buildings)
    volume = np.bincount(surfaces.part_building, weights=np.nan_to_num(metrics.part_volume),
                         minlength=n_buildings)
    z_min, z_max = _group_extremes(metrics.z_min, metrics.z_max, building, n_buildings)
    return {
        "roof_area": total(cls == CLASS_ROOF),
        "wall_area": by_sector.sum(axis=1),
        "wall_area_n": by_sector[:, 0],
        "wall_area_e": by_sector[:, 1],
        "wall_area_s": by_sector[:, 2],
        "wall_area_w": by_sector[:, 3],
        "ground_area": total(cls == CLASS_GROUND),
        "volume": np.where(open_parts > 0, np.nan, volume),
        "z_min": np.where(np.isfinite(z_min), z_min, np.nan),
        "z_max": np.where(np.isfinite(z_max), z_max, np.nan),
    }


# --------------------------------------------------------------------------- footprints


def _projected_polygons(surfaces: Surfaces, chosen: np.ndarray) -> np.ndarray:
    """The 2D (x, y) projection of each of the ``chosen`` surfaces, holes kept, as polygons
    (rings of fewer than 3 corners left out)."""
    ring_count = np.diff(surfaces.surface_start)[chosen]
    rings = ranges(surfaces.surface_start[chosen], ring_count)
    ring_surface = np.repeat(np.arange(len(chosen)), ring_count)
    length = np.diff(surfaces.ring_start)[rings]
    keep = length >= 3
    rings, ring_surface, length = rings[keep], ring_surface[keep], length[keep]
    corner = surfaces.index[ranges(surfaces.ring_start[rings], length)]
    ends = np.cumsum(length)
    closed = np.insert(corner, ends, corner[ends - length])
    offsets = (np.concatenate(([0], np.cumsum(length + 1))),
               np.concatenate(([0], np.cumsum(np.bincount(ring_surface, minlength=len(chosen))))))
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON,
                                     surfaces.vertices[closed, :2], offsets)


def _polygonal(shape: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a repaired shape (a repair can leave lines or points), or None."""
    if isinstance(shape, (shapely.Polygon, shapely.MultiPolygon)):
        return None if shape.is_empty else shape
    parts = [p for p in shapely.get_parts(shape)
             if isinstance(p, (shapely.Polygon, shapely.MultiPolygon)) and not p.is_empty]
    return shapely.union_all(parts) if parts else None


def footprints(surfaces: Surfaces, metrics: SurfaceMetrics,
               n_buildings: int) -> tuple[np.ndarray, int]:
    """Valid 2D footprint (Polygon / MultiPolygon, or None) of each building, and how many
    single-polygon footprints were invalid and had to be repaired.

    The footprint is the union of the building's ground surfaces projected to (x, y); a
    building without ground surfaces gets the union of the projections of its other
    non-vertical surfaces.
    """
    building = surfaces.part_building[surfaces.surface_part]
    flat = metrics.usable & (np.abs(metrics.normal[:, 2]) >= WALL_MAX_NZ)
    ground = flat & (metrics.surface_class == CLASS_GROUND)
    has_ground = np.bincount(building[ground], minlength=n_buildings) > 0
    chosen = np.flatnonzero(ground | (flat & ~has_ground[building]))
    chosen = chosen[np.argsort(building[chosen], kind="stable")]
    polygons = _projected_polygons(surfaces, chosen)
    owner = building[chosen]
    count = np.bincount(owner, minlength=n_buildings)
    result = np.full(n_buildings, None, dtype=object)
    single = count[owner] == 1
    result[owner[single]] = polygons[single]
    invalid = owner[single][~shapely.is_valid(polygons[single])]
    if invalid.size:
        repaired = shapely.make_valid(result[invalid], method="structure", keep_collapsed=False)
        result[invalid] = [_polygonal(shape) for shape in repaired]
    if not single.all():
        merged, local = np.unique(owner[~single], return_inverse=True)
        parts = shapely.multipolygons(polygons[~single], indices=local)
        unions = shapely.make_valid(parts, method="structure", keep_collapsed=False)
        result[merged] = [_polygonal(shape) for shape in unions]
    return result, int(invalid.size)
