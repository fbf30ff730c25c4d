"""Numba byte scanner of CityGML buildings: the raw XML bytes of whole city object members
straight into flat arrays of faces, rings and coordinates.

It reads what :mod:`.citygml_scan` reads from an lxml tree (same members, LoDs, thematic
surfaces, ``xlink:href`` references, OrientableSurface turns, attributes, srsNames, reasons to
skip a building) without building one: a tree walk costs far more than the numbers. It only
accepts plain files: whenever it meets something whose meaning it does not decode itself (a
document type declaration, a comment, CDATA or entity inside a value it reads, a namespace
re-declared for ``gml`` or ``xlink``, a number of another form than ``-12.5e3``, text that is not
well nested XML, ...) it stops with :data:`NOT_PLAIN` and the caller reads the file with lxml.
Nothing is ever expanded, fetched or loaded.

Numbers are parsed exactly (correctly rounded) when their mantissa fits 53 bits and their
exponent ±22; other well-formed numbers are handed back as text spans (``hard``) for Python's
``float``.
"""

from __future__ import annotations

import numba
import numpy as np

OK, NEED_MORE, NOT_PLAIN = 0, 1, 2
"""Scan status: every complete member read; stopped at a member the buffer ends in; not plain."""

ERR_SRS_DIMENSION, ERR_RING_SIZE, ERR_FIRST_RING, ERR_NO_EXTERIOR, ERR_NO_GEOMETRY = 1, 2, 3, 4, 5
"""Why a building is skipped (see ``citygml_stream.REASONS``)."""

# element names: their local name -> code (the table is built in citygml_stream)
N_OTHER, N_BUILDING, N_BUILDING_PART, N_OBJECT_MEMBER, N_APPEARANCE_MEMBER = 0, 1, 2, 3, 4
N_BOUNDED_BY, N_ENVELOPE, N_CONTAINER, N_POLYGON, N_REFERABLE = 5, 6, 7, 8, 9
N_ORIENTABLE, N_EXTERIOR, N_INTERIOR, N_POS_LIST, N_POS = 10, 11, 12, 13, 14
N_COORDINATES, N_ATTRIBUTE, N_HEIGHT, N_VALUE, N_ADDRESS = 15, 16, 17, 18, 19
N_LOD, N_THEMATIC = 20, 100
"""Name codes; a thematic surface is ``N_THEMATIC + k`` for the k-th thematic class."""

# roles of the open elements
_R_SKIP, _R_ROOT, _R_BOUNDED, _R_OBJECT, _R_MEMBER, _R_CONTAINER, _R_THEMATIC = 0, 1, 2, 3, 4, 5, 6
_R_OTHER, _R_GEOMETRY, _R_POLYGON, _R_BOUNDARY, _R_RING, _R_COORDS, _R_ATTRIBUTE = 7, 8, 9, 10, 11, 12, 13
_R_HEIGHT, _R_VALUE = 14, 15

_MAX_DEPTH = 256
_LT, _GT, _SLASH, _QMARK, _BANG, _EQ = ord("<"), ord(">"), ord("/"), ord("?"), ord("!"), ord("=")
_QUOTE, _APOS, _AMP, _COLON, _HASH = ord('"'), ord("'"), ord("&"), ord(":"), ord("#")
_SPACE, _TAB, _LF, _CR, _COMMA = ord(" "), ord("\t"), ord("\n"), ord("\r"), ord(",")
_MINUS, _DOT, _ZERO, _NINE, _LOWER_E, _UPPER_E = ord("-"), ord("."), ord("0"), ord("9"), ord("e"), ord("E")
_PLUS, _DASH = ord("+"), ord("-")
_POW10 = 10.0 ** np.arange(23)
_SRS_NAME, _SRS_DIMENSION, _ORIENTATION, _CODE_SPACE, _XMLNS = (
    np.frombuffer(word, dtype=np.uint8) for word in (b"srsName", b"srsDimension",
                                                      b"orientation", b"codeSpace", b"xmlns"))
_EXACT_MANTISSA = 2 ** 53
_MAX_MANTISSA = 10 ** 17
_CLASS_UNKNOWN = -1

# columns of the output tables
B_START, B_ID_START, B_ID_LEN, B_EVENT, B_FACES, B_MEMBERS, B_ERROR, B_VALUE = range(8)
B_VALUE_LEN, B_TAG_END = 8, 9
F_MEMBER, F_CLASS, F_SID_START, F_SID_LEN, F_RINGS = range(5)
S_FIRST, S_CORNERS, S_CHECK = range(3)
A_BUILDING, A_MEMBER, A_NAME, A_NAME_LEN, A_START, A_LEN, A_CS_START, A_CS_LEN = range(8)


@numba.njit(cache=True)
def _is_space(c: int) -> bool:
    return c == _SPACE or c == _LF or c == _CR or c == _TAB


@numba.njit(cache=True)
def _same(buf: np.ndarray, start: int, end: int, word: np.ndarray, a: int, b: int) -> bool:
    """Whether ``buf[start:end]`` equals ``word[a:b]``."""
    if end - start != b - a:
        return False
    for k in range(b - a):
        if buf[start + k] != word[a + k]:
            return False
    return True


@numba.njit(cache=True)
def _lookup(buf: np.ndarray, start: int, end: int, table: np.ndarray, bounds: np.ndarray) -> int:
    """Index of ``buf[start:end]`` among the words ``table[bounds[k]:bounds[k+1]]``, -1 if none."""
    for k in range(bounds.shape[0] - 1):
        if _same(buf, start, end, table, bounds[k], bounds[k + 1]):
            return k
    return -1


@numba.njit(cache=True)
def _hash(buf: np.ndarray, start: int, end: int) -> np.int64:
    """FNV-1a hash of ``buf[start:end]``."""
    h = np.uint64(14695981039346656037)
    for k in range(start, end):
        h = (h ^ np.uint64(buf[k])) * np.uint64(1099511628211)
    return np.int64(h)


@numba.njit(cache=True)
def _find(buf: np.ndarray, i: int, a: int, b: int, c: int) -> int:
    """Index of the first occurrence of the 3 bytes ``a b c`` at or after ``i`` (-1 if none);
    ``c < 0`` matches two bytes ``a b``."""
    n = buf.shape[0]
    while i + 1 < n:
        if buf[i] == a and buf[i + 1] == b and (c < 0 or (i + 2 < n and buf[i + 2] == c)):
            return i
        i += 1
    return -1


@numba.njit(cache=True, inline="always")
def _number(buf: np.ndarray, i: int, end: int) -> tuple[float, int]:
    """The number ``buf[i:end]``: (value, 0) when exact, (0, 1) when well formed but for
    Python's ``float`` (long mantissa, large exponent), (0, 2) when not of the plain form."""
    negative = buf[i] == _MINUS
    if negative:
        i += 1
    mantissa = 0
    exponent = 0
    start = i
    while i < end:
        c = int(buf[i]) - _ZERO
        if c < 0 or c > 9:
            break
        if mantissa >= _MAX_MANTISSA:
            return 0.0, 2
        mantissa = mantissa * 10 + c
        i += 1
    if i == start:
        return 0.0, 2
    if i < end and buf[i] == _DOT:
        i += 1
        start = i
        while i < end:
            c = int(buf[i]) - _ZERO
            if c < 0 or c > 9:
                break
            if mantissa >= _MAX_MANTISSA:
                return 0.0, 2
            mantissa = mantissa * 10 + c
            exponent -= 1
            i += 1
        if i == start:
            return 0.0, 2
    if i < end and (buf[i] == _LOWER_E or buf[i] == _UPPER_E):
        i += 1
        sign = 1
        if i < end and (buf[i] == _MINUS or buf[i] == _PLUS):
            sign = -1 if buf[i] == _MINUS else 1
            i += 1
        start = i
        power = 0
        while i < end and _ZERO <= buf[i] <= _NINE and power < 100000:
            power = power * 10 + (int(buf[i]) - _ZERO)
            i += 1
        if i == start or i != end:
            return 0.0, 2
        exponent += sign * power
    if i != end:
        return 0.0, 2
    if mantissa <= _EXACT_MANTISSA and -22 <= exponent <= 22:
        value = float(mantissa)
        if exponent > 0:
            value *= _POW10[exponent]
        elif exponent < 0:
            value /= _POW10[-exponent]
        return (-value if negative else value), 0
    magnitude = exponent + len(str(mantissa)) if mantissa else 0
    return 0.0, (1 if -300 <= magnitude <= 300 else 2)


@numba.njit(cache=True)
def _set_error(members: np.ndarray, m: int, code: int, value: int, start: int, length: int
               ) -> None:
    """Keep the first reason member ``m`` cannot be read."""
    if members[m, 2] == 0:
        members[m, 2] = code
        members[m, 3] = value
        members[m, 4] = start
        members[m, 5] = length


@numba.njit(cache=True)
def _bfs(members: np.ndarray, n: int) -> np.ndarray:
    """Rank of each member when read building first, then parts level by level (document order
    within a level, as ``citygml_scan`` queues them)."""
    order = np.empty(n, np.int64)
    order[0] = 0
    size = 1
    k = 0
    while k < size:
        for c in range(1, n):
            if members[c, 0] == order[k]:
                order[size] = c
                size += 1
        k += 1
    rank = np.empty(n, np.int64)
    for k in range(n):
        rank[order[k]] = k
    return rank


@numba.njit(cache=True)
def _choose_faces(buf: np.ndarray, members: np.ndarray, n_members: int, polys: np.ndarray,
                  n_polys: int, refs: np.ndarray, n_refs: int, rank: np.ndarray,
                  faces: np.ndarray, nf: int, rings: np.ndarray, no: int) -> tuple[int, int, int, bool]:
    """Append the faces of one building (each member's highest LoD, its thematic surfaces when
    it has any, references resolved, every polygon once per member) to ``faces`` / ``rings``.

    Returns the new face and face-ring counts, the number of unresolved references and False
    when two different ids share a hash (the caller then gives up on the file).
    """
    order = np.empty(n_members, np.int64)
    for m in range(n_members):
        order[rank[m]] = m
    # polygons with an id in the order citygml_scan meets them: members by rank, then document
    listed = np.empty(n_polys, np.int64)
    size = 0
    for k in range(n_members):
        for p in range(n_polys):
            if polys[p, 0] == order[k] and polys[p, 4] > 0:
                listed[size] = p
                size += 1
    listed = listed[:size]
    keys = polys[listed, 5].copy()
    perm = np.argsort(keys, kind="mergesort")
    sorted_keys = keys[perm]
    group = np.full(n_polys, -1, np.int64)
    chosen = np.empty(size, np.int64)
    group_first = np.empty(size, np.int64)
    n_groups = 0
    k = 0
    while k < size:
        e = k
        first = listed[perm[k]]
        pick = first
        while e < size and sorted_keys[e] == sorted_keys[k]:
            p = listed[perm[e]]
            if not _same(buf, polys[p, 3], polys[p, 3] + polys[p, 4], buf, polys[first, 3],
                         polys[first, 3] + polys[first, 4]):
                return nf, no, 0, False
            group[p] = n_groups
            if polys[p, 2] != _CLASS_UNKNOWN:
                pick = p
            e += 1
        chosen[n_groups] = pick
        group_first[n_groups] = k
        n_groups += 1
        k = e
    group_keys = np.empty(n_groups, np.int64)
    for g in range(n_groups):
        group_keys[g] = sorted_keys[group_first[g]]
    unresolved = 0
    used = np.zeros(n_groups, np.int64)
    for k in range(n_members):
        m = order[k]
        top = -1
        for p in range(n_polys):
            if polys[p, 0] == m:
                top = max(top, polys[p, 1])
        for r in range(n_refs):
            if refs[r, 0] == m:
                top = max(top, refs[r, 1])
        if top < 0:
            continue
        thematic = False
        for p in range(n_polys):
            if polys[p, 0] == m and polys[p, 1] == top and polys[p, 2] != _CLASS_UNKNOWN:
                thematic = True
        for r in range(n_refs):
            if refs[r, 0] == m and refs[r, 1] == top and refs[r, 2] != _CLASS_UNKNOWN:
                thematic = True
        stamp = k + 1
        for p in range(n_polys):
            if polys[p, 0] != m or polys[p, 1] != top or (
                    thematic and polys[p, 2] == _CLASS_UNKNOWN):
                continue
            g = group[p]
            if g >= 0:
                if used[g] == stamp:
                    continue
                used[g] = stamp
            faces[nf, 0] = k
            faces[nf, 1] = polys[p, 2]
            faces[nf, 2] = polys[p, 6]
            faces[nf, 3] = polys[p, 7]
            for s in range(polys[p, 8], polys[p, 8] + polys[p, 9]):
                rings[no, 0] = s
                rings[no, 1] = polys[p, 10]
                no += 1
            faces[nf, 4] = no
            nf += 1
        for r in range(n_refs):
            if refs[r, 0] != m or refs[r, 1] != top or (
                    thematic and refs[r, 2] == _CLASS_UNKNOWN):
                continue
            g = np.searchsorted(group_keys, refs[r, 6])
            if g >= n_groups or group_keys[g] != refs[r, 6]:
                unresolved += 1
                continue
            t = chosen[g]
            if not _same(buf, refs[r, 4], refs[r, 4] + refs[r, 5], buf, polys[t, 3],
                         polys[t, 3] + polys[t, 4]):
                return nf, no, 0, False
            if used[g] == stamp:
                continue
            used[g] = stamp
            faces[nf, 0] = k
            faces[nf, 1] = refs[r, 2] if refs[r, 2] != _CLASS_UNKNOWN else polys[t, 2]
            faces[nf, 2] = polys[t, 6]
            faces[nf, 3] = polys[t, 7]
            for s in range(polys[t, 8], polys[t, 8] + polys[t, 9]):
                rings[no, 0] = s
                rings[no, 1] = polys[t, 10] ^ refs[r, 3]
                no += 1
            faces[nf, 4] = no
            nf += 1
    return nf, no, unresolved, True


@numba.njit(cache=True, nogil=True)
def join_spans(buf: np.ndarray, spans: np.ndarray) -> tuple[np.ndarray, bool]:
    """The bytes of the (start, length) rows of ``spans`` in ``buf``, each followed by a NUL
    (an empty span for a negative length), and whether no span holds a NUL itself."""
    total = 0
    for r in range(spans.shape[0]):
        total += max(spans[r, 1], 0) + 1
    joined = np.empty(total, np.uint8)
    clean = True
    k = 0
    for r in range(spans.shape[0]):
        start = spans[r, 0]
        for j in range(start, start + max(spans[r, 1], 0)):
            c = buf[j]
            if c == 0:
                clean = False
            joined[k] = c
            k += 1
        joined[k] = 0
        k += 1
    return joined, clean


def name_slots(names: list[bytes]) -> np.ndarray:
    """Open-addressing hash table of ``names``: the index of each in the slot of its hash."""
    size = 1 << max(6, (4 * len(names)).bit_length())
    slots = np.full(size, -1, np.int64)
    for k, name in enumerate(names):
        slot = _hash(np.frombuffer(name, dtype=np.uint8), 0, len(name)) & (size - 1)
        while slots[slot] >= 0:
            slot = (slot + 1) & (size - 1)
        slots[slot] = k
    return slots


@numba.njit(cache=True)
def _find_name(buf: np.ndarray, start: int, end: int, names: np.ndarray, bounds: np.ndarray,
               slots: np.ndarray) -> int:
    """Index of ``buf[start:end]`` among ``names`` (see :func:`name_slots`), -1 if none."""
    mask = slots.shape[0] - 1
    slot = _hash(buf, start, end) & mask
    while slots[slot] >= 0:
        k = slots[slot]
        if _same(buf, start, end, names, bounds[k], bounds[k + 1]):
            return k
        slot = (slot + 1) & mask
    return -1


@numba.njit(cache=True)
def _code(buf: np.ndarray, start: int, end: int, names: np.ndarray, bounds: np.ndarray,
          slots: np.ndarray, codes: np.ndarray) -> int:
    """Name code of the local name ``buf[start:end]`` (``N_LOD`` for an LoD geometry property)."""
    if end - start > 4 and buf[start] == ord("l") and buf[start + 1] == ord("o") and \
            buf[start + 2] == ord("d") and ord("1") <= buf[start + 3] <= ord("4"):
        k = _find_name(buf, start + 4, end, names, bounds, slots)
        if k >= 0 and codes[k] == N_LOD:
            return N_LOD
        return N_OTHER
    k = _find_name(buf, start, end, names, bounds, slots)
    if k < 0 or codes[k] == N_LOD:
        return N_OTHER
    return codes[k]


@numba.njit(cache=True, nogil=True)
def scan_members(buf: np.ndarray, final: bool, root_name: np.ndarray, names: np.ndarray,
                 bounds: np.ndarray, slots: np.ndarray, codes: np.ndarray, thematic_class: np.ndarray,
                 id_names: np.ndarray, id_bounds: np.ndarray, href_names: np.ndarray,
                 href_bounds: np.ndarray, refused: np.ndarray, refused_bounds: np.ndarray,
                 state: np.ndarray) -> tuple:
    """Read the city object members in ``buf`` (text inside the root element, after its start
    tag); see the module docstring. ``state``: [member events so far, unresolved references,
    envelope srsName start, its length, envelope state (0 none yet, 1 found, 2 not to be found),
    phase (1 in the root, 2 after it), an appearanceMember came before the first member].

    Returns (status, bytes consumed, buildings, faces, face rings (source ring, flip), source
    rings, coordinates, hard numbers, attributes, srsNames, other objects, skipped buildings,
    line breaks in the bytes consumed);
    tables as 2D int64 arrays whose columns are the ``B_``, ``F_``, ``S_`` and ``A_`` constants.
    """
    n = buf.shape[0]
    cap = 16
    newlines = 0
    for k in range(n):
        if buf[k] == _LT:
            cap += 1
        elif buf[k] == _LF:
            newlines += 1
    buildings = np.empty((cap, 10), np.int64)
    faces = np.empty((cap, 5), np.int64)
    rings = np.empty((cap, 2), np.int64)
    srings = np.empty((cap, 3), np.int64)
    coords = np.empty(n // 2 + 16, np.float64)
    hard = np.empty((n // 2 + 16, 3), np.int64)
    attributes = np.empty((cap, 8), np.int64)
    srs = np.empty((cap, 3), np.int64)
    others = np.empty((cap, 2), np.int64)
    skipped = np.empty((cap, 10), np.int64)
    members = np.empty((cap, 6), np.int64)
    polys = np.empty((cap, 11), np.int64)
    refs = np.empty((cap, 7), np.int64)
    nb = nf = no = nr = nc = nh = na = ns = nk = ns_skip = 0
    n_members = n_polys = n_refs = 0
    b_start = b_tag = b_id_s = b_id_l = 0
    nf0 = no0 = nr0 = nc0 = nh0 = na0 = ns0 = 0
    st_ns = np.empty(_MAX_DEPTH, np.int64)
    st_ne = np.empty(_MAX_DEPTH, np.int64)
    st_role = np.empty(_MAX_DEPTH, np.int64)
    st_member = np.empty(_MAX_DEPTH, np.int64)
    st_class = np.empty(_MAX_DEPTH, np.int64)
    st_sid_s = np.empty(_MAX_DEPTH, np.int64)
    st_sid_l = np.empty(_MAX_DEPTH, np.int64)
    st_lod = np.empty(_MAX_DEPTH, np.int64)
    st_flip = np.empty(_MAX_DEPTH, np.int64)
    st_address = np.empty(_MAX_DEPTH, np.int64)
    st_item = np.empty(_MAX_DEPTH, np.int64)
    st_comma = np.zeros(_MAX_DEPTH, np.bool_)
    st_role[0] = _R_ROOT
    depth = 1
    snap = state.copy()
    saved = np.zeros(10, np.int64)
    restart = 0
    i = 0
    status = OK
    empty = np.zeros((0, 1), np.int64)
    while True:
        while i < n and buf[i] != _LT:
            i += 1
        if depth <= 1:
            restart = i
            snap[:] = state
            saved[:] = (nb, nf, no, nr, nc, nh, na, ns, nk, ns_skip)
        if i >= n:
            if depth <= 1:
                break
            status = NEED_MORE
            break
        if state[5] == 2:  # after the root: only comments and processing instructions
            if i + 1 < n and buf[i + 1] != _QMARK and buf[i + 1] != _BANG:
                return (NOT_PLAIN, 0, empty, empty, empty, empty, coords[:0].copy(), empty,
                        empty, empty, empty, empty, 0)
        if i + 1 >= n:
            status = NEED_MORE
            break
        c = buf[i + 1]
        role = st_role[depth - 1] if depth > 0 else _R_SKIP
        capturing = role == _R_ATTRIBUTE or role == _R_VALUE or role == _R_COORDS
        inside = depth >= 3 and role != _R_SKIP
        if c == _QMARK:
            e = _find(buf, i + 2, _QMARK, _GT, -1)
            if e < 0:
                status = NEED_MORE
                break
            if capturing or inside:
                status = NOT_PLAIN
                break
            i = e + 2
            continue
        if c == _BANG:
            if i + 3 < n and buf[i + 2] == _DASH and buf[i + 3] == _DASH:
                e = _find(buf, i + 4, _DASH, _DASH, _GT)
                if e < 0:
                    status = NEED_MORE
                    break
                if capturing:
                    status = NOT_PLAIN
                    break
                i = e + 3
                continue
            if i + 8 < n and buf[i + 2] == ord("[") and buf[i + 3] == ord("C") and \
                    buf[i + 8] == ord("["):
                e = _find(buf, i + 9, ord("]"), ord("]"), _GT)
                if e < 0:
                    status = NEED_MORE
                    break
                if inside:
                    status = NOT_PLAIN
                    break
                i = e + 3
                continue
            if i + 8 >= n and not final:
                status = NEED_MORE
                break
            status = NOT_PLAIN
            break
        if c == _SLASH:
            e = i + 2
            while e < n and buf[e] != _GT:
                e += 1
            if e >= n:
                status = NEED_MORE
                break
            end = e
            while end > i + 2 and _is_space(buf[end - 1]):
                end -= 1
            if depth == 1:
                if not _same(buf, i + 2, end, root_name, 0, root_name.shape[0]):
                    status = NOT_PLAIN
                    break
                state[5] = 2
                depth = 0
                i = e + 1
                continue
            if not _same(buf, i + 2, end, buf, st_ns[depth - 1], st_ne[depth - 1]):
                status = NOT_PLAIN
                break
            i = e + 1
            closing = True
            self_closing = False
            tag_end = e
        else:
            # a start tag: name, attributes
            j = i + 1
            while j < n and not _is_space(buf[j]) and buf[j] != _GT and buf[j] != _SLASH:
                j += 1
            if j >= n:
                status = NEED_MORE
                break
            name_s, name_e = i + 1, j
            if name_e == name_s or depth >= _MAX_DEPTH - 1 or state[5] == 2:
                status = NOT_PLAIN
                break
            local = name_s
            for k in range(name_s, name_e):
                if buf[k] == _COLON:
                    local = k + 1
            id_s = id_l = href_s = href_l = srs_s = srs_l = dim_s = dim_l = -1
            orient_minus = False
            cs_s = cs_l = -1
            id_rank = 99
            self_closing = False
            bad = False
            incomplete = False
            while True:
                while j < n and _is_space(buf[j]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                if buf[j] == _GT:
                    break
                if buf[j] == _SLASH:
                    if j + 1 >= n:
                        incomplete = True
                    elif buf[j + 1] != _GT:
                        bad = True
                    else:
                        self_closing = True
                        j += 1
                    break
                a0 = j
                while j < n and not _is_space(buf[j]) and buf[j] != _EQ and buf[j] != _GT \
                        and buf[j] != _SLASH:
                    j += 1
                a1 = j
                while j < n and _is_space(buf[j]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                if a1 == a0 or buf[j] != _EQ:
                    bad = True
                    break
                j += 1
                while j < n and _is_space(buf[j]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                q = buf[j]
                if q != _QUOTE and q != _APOS:
                    bad = True
                    break
                v0 = j + 1
                j = v0
                amp = False
                while j < n and buf[j] != q:
                    if buf[j] == _LT:
                        bad = True
                    elif buf[j] == _AMP:
                        amp = True
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                v1 = j
                j += 1
                if bad or (j < n and not _is_space(buf[j]) and buf[j] != _GT and
                           buf[j] != _SLASH):
                    bad = True
                    break
                k = _lookup(buf, a0, a1, id_names, id_bounds)
                if k >= 0:
                    if v1 > v0 and k < id_rank:
                        id_s, id_l, id_rank = v0, v1 - v0, k
                elif _lookup(buf, a0, a1, href_names, href_bounds) >= 0:
                    href_s, href_l = v0, v1 - v0
                elif _same(buf, a0, a1, _SRS_NAME, 0, _SRS_NAME.shape[0]):
                    srs_s, srs_l = v0, v1 - v0
                elif _same(buf, a0, a1, _SRS_DIMENSION, 0, _SRS_DIMENSION.shape[0]):
                    dim_s, dim_l = v0, v1 - v0
                elif _same(buf, a0, a1, _ORIENTATION, 0, _ORIENTATION.shape[0]):
                    orient_minus = v1 == v0 + 1 and buf[v0] == _DASH
                elif _same(buf, a0, a1, _CODE_SPACE, 0, _CODE_SPACE.shape[0]):
                    cs_s, cs_l = v0, v1 - v0
                else:
                    if a1 - a0 >= 5 and _same(buf, a0, a0 + 5, _XMLNS, 0, 5) and (
                            _lookup(buf, a0, a1, refused, refused_bounds) >= 0
                            or _lookup(buf, v0, v1, refused, refused_bounds) >= 0):
                        bad = True
                        break
                    continue
                if amp:
                    bad = True
                    break
            if incomplete:
                status = NEED_MORE
                break
            if bad:
                status = NOT_PLAIN
                break
            tag_end = j
            i = j + 1
            code = _code(buf, local, name_e, names, bounds, slots, codes)
            if (code == N_OBJECT_MEMBER or code == N_APPEARANCE_MEMBER) and depth != 1:
                status = NOT_PLAIN
                break
            # the new element's role and context, from its parent's
            d = depth
            st_ns[d] = name_s
            st_ne[d] = name_e
            st_member[d] = st_member[d - 1]
            st_class[d] = st_class[d - 1]
            st_sid_s[d] = st_sid_s[d - 1]
            st_sid_l[d] = st_sid_l[d - 1]
            st_lod[d] = st_lod[d - 1]
            st_flip[d] = st_flip[d - 1]
            st_address[d] = st_address[d - 1]
            st_item[d] = st_item[d - 1]
            new = _R_SKIP
            if role == _R_ROOT:
                if code == N_OBJECT_MEMBER:
                    new = _R_OBJECT
                elif code == N_APPEARANCE_MEMBER:
                    if state[0] == 0:
                        state[6] = 1
                elif code == N_BOUNDED_BY:
                    new = _R_BOUNDED
            elif role == _R_BOUNDED:
                if code == N_ENVELOPE and state[4] == 0:
                    if state[0] > 0 or state[6] == 1:
                        status = NOT_PLAIN
                        break
                    if srs_l > 0:
                        state[2], state[3], state[4] = srs_s, srs_l, 1
                    else:
                        state[4] = 2
            elif role == _R_OBJECT:
                if code == N_BUILDING:
                    new = _R_MEMBER
                    b_start, b_tag, b_id_s, b_id_l = name_s - 1, tag_end, id_s, id_l
                    nf0, no0, nr0, nc0, nh0, na0, ns0 = nf, no, nr, nc, nh, na, ns
                    n_members = n_polys = n_refs = 0
                    members[0, 0] = -1
                    members[0, 2] = 0
                    n_members = 1
                    st_member[d] = 0
                    st_class[d] = _CLASS_UNKNOWN
                    st_sid_l[d] = -1
                    st_address[d] = 0
                else:
                    others[nk, 0] = local
                    others[nk, 1] = name_e - local
                    nk += 1
            elif role == _R_MEMBER or role == _R_THEMATIC:
                if code == N_LOD:
                    new = _R_GEOMETRY
                    st_lod[d] = buf[local + 3] - ord("0")
                    st_flip[d] = 0
                elif code == N_CONTAINER or code == N_BOUNDED_BY:
                    new = _R_CONTAINER
                elif role == _R_MEMBER and code == N_ATTRIBUTE:
                    new = _R_ATTRIBUTE
                elif role == _R_MEMBER and code == N_HEIGHT:
                    new = _R_HEIGHT
                else:
                    new = _R_OTHER
                if new == _R_ATTRIBUTE or new == _R_HEIGHT:
                    attributes[na, A_BUILDING] = nb
                    attributes[na, A_MEMBER] = st_member[d]
                    attributes[na, A_NAME] = local
                    attributes[na, A_NAME_LEN] = name_e - local
                    attributes[na, A_START] = tag_end + 1
                    attributes[na, A_LEN] = 0 if new == _R_ATTRIBUTE else -1
                    attributes[na, A_CS_START] = cs_s if new == _R_ATTRIBUTE else -1
                    attributes[na, A_CS_LEN] = cs_l if new == _R_ATTRIBUTE else -1
                    st_item[d] = na
                    na += 1
            elif role == _R_CONTAINER:
                if code == N_BUILDING_PART:
                    new = _R_MEMBER
                    members[n_members, 0] = st_member[d - 1]
                    members[n_members, 2] = 0
                    st_member[d] = n_members
                    n_members += 1
                    st_class[d] = _CLASS_UNKNOWN
                    st_sid_l[d] = -1
                elif code >= N_THEMATIC:
                    new = _R_THEMATIC
                    st_class[d] = thematic_class[code - N_THEMATIC]
                    st_sid_s[d], st_sid_l[d] = id_s, id_l
                else:
                    new = _R_OTHER
            elif role == _R_HEIGHT or role == _R_VALUE:
                new = _R_HEIGHT
                if code == N_VALUE and attributes[st_item[d], A_LEN] < 0:
                    new = _R_VALUE
                    attributes[st_item[d], A_START] = tag_end + 1
                    attributes[st_item[d], A_LEN] = 0
            elif role == _R_OTHER or role == _R_ATTRIBUTE:
                new = _R_OTHER
            elif role != _R_SKIP:  # inside an LoD geometry
                m = st_member[d]
                new = _R_GEOMETRY
                geometric = code == N_POLYGON or code == N_REFERABLE or code == N_ORIENTABLE
                if role == _R_POLYGON and (code == N_EXTERIOR or code == N_INTERIOR):
                    new = _R_BOUNDARY
                    if code == N_INTERIOR and polys[st_item[d], 9] == 0:
                        _set_error(members, m, ERR_FIRST_RING, 0, 0, 0)
                elif role == _R_BOUNDARY:
                    if geometric:
                        status = NOT_PLAIN
                        break
                    new = _R_RING
                    srings[nr, S_FIRST] = nc
                    polys[st_item[d], 9] += 1
                    st_item[d] = nr
                    nr += 1
                elif role == _R_RING and (code == N_POS_LIST or code == N_POS
                                          or code == N_COORDINATES):
                    new = _R_COORDS
                    if code == N_POS_LIST and dim_s >= 0:
                        a, b = dim_s, dim_s + dim_l
                        while a < b and _is_space(buf[a]):
                            a += 1
                        while b > a and _is_space(buf[b - 1]):
                            b -= 1
                        if b - a != 1 or buf[a] != ord("3"):
                            _set_error(members, m, ERR_SRS_DIMENSION, 0, dim_s, dim_l)
                    st_comma[d] = code == N_COORDINATES  # GML 2: commas separate too
                elif role == _R_RING and geometric:
                    status = NOT_PLAIN
                    break
                elif code == N_ORIENTABLE:
                    if orient_minus:
                        st_flip[d] = 1 - st_flip[d]
                elif code == N_POLYGON or code == N_REFERABLE:
                    if href_s >= 0:
                        a = href_s
                        while a < href_s + href_l and buf[a] == _HASH:
                            a += 1
                        refs[n_refs, 0] = m
                        refs[n_refs, 1] = st_lod[d]
                        refs[n_refs, 2] = st_class[d]
                        refs[n_refs, 3] = st_flip[d]
                        refs[n_refs, 4] = a
                        refs[n_refs, 5] = href_s + href_l - a
                        refs[n_refs, 6] = _hash(buf, a, href_s + href_l)
                        n_refs += 1
                    elif code == N_POLYGON:
                        new = _R_POLYGON
                        p = n_polys
                        polys[p, 0] = m
                        polys[p, 1] = st_lod[d]
                        polys[p, 2] = st_class[d]
                        polys[p, 3] = id_s if id_l > 0 else 0
                        polys[p, 4] = id_l if id_l > 0 else 0
                        polys[p, 5] = _hash(buf, id_s, id_s + id_l) if id_l > 0 else 0
                        if st_sid_l[d] > 0:
                            polys[p, 6], polys[p, 7] = st_sid_s[d], st_sid_l[d]
                        elif id_l > 0:
                            polys[p, 6], polys[p, 7] = id_s, id_l
                        else:
                            polys[p, 6], polys[p, 7] = 0, -1
                        polys[p, 8] = nr
                        polys[p, 9] = 0
                        polys[p, 10] = st_flip[d]
                        st_item[d] = p
                        n_polys += 1
            if new != _R_SKIP and new != _R_ROOT and new != _R_OBJECT and new != _R_BOUNDED \
                    and srs_s >= 0 and st_address[d] == 0:
                srs[ns, 0] = nb
                srs[ns, 1] = srs_s
                srs[ns, 2] = srs_l
                ns += 1
            if code == N_ADDRESS:
                st_address[d] = 1  # the srsNames below are an address's, not the geometry's
            st_role[d] = new
            depth += 1
            closing = self_closing
            if not self_closing and (new == _R_ATTRIBUTE or new == _R_VALUE
                                     or new == _R_COORDS):
                # the element's text: up to its first child or its end
                e = i
                while e < n and buf[e] != _LT:
                    e += 1
                if e + 1 >= n:
                    status = NEED_MORE
                    break
                if buf[e + 1] == _BANG or buf[e + 1] == _QMARK:
                    status = NOT_PLAIN
                    break
                if new == _R_COORDS:
                    comma = st_comma[d]
                    a = i
                    while a < e:
                        while a < e and (_is_space(buf[a]) or (comma and buf[a] == _COMMA)):
                            a += 1
                        if a >= e:
                            break
                        b = a
                        while b < e and not _is_space(buf[b]) and not (
                                comma and buf[b] == _COMMA):
                            b += 1
                        value, kind = _number(buf, a, b)
                        if kind == 2:
                            status = NOT_PLAIN
                            break
                        if kind == 1:
                            hard[nh, 0] = nc
                            hard[nh, 1] = a
                            hard[nh, 2] = b - a
                            nh += 1
                            value = np.nan
                        coords[nc] = value
                        nc += 1
                        a = b
                    if status == NOT_PLAIN:
                        break
                else:
                    for a in range(i, e):
                        if buf[a] == _AMP:
                            status = NOT_PLAIN
                    if status == NOT_PLAIN:
                        break
                    item = st_item[d]
                    attributes[item, A_START] = i
                    attributes[item, A_LEN] = e - i
                i = e
        if not closing:
            continue
        # an element ends: finish what it was
        depth -= 1
        d = depth
        role = st_role[d]
        if role == _R_RING:
            r = st_item[d]
            count = nc - srings[r, S_FIRST]
            if count % 3:
                _set_error(members, st_member[d], ERR_RING_SIZE, count, 0, 0)
                srings[r, S_CORNERS] = 0
                srings[r, S_CHECK] = 0
            else:
                first = srings[r, S_FIRST]
                corners = count // 3
                check = 0
                if count > 3:
                    same = True
                    unknown = False
                    for k in range(3):
                        x, y = coords[first + k], coords[nc - 3 + k]
                        if np.isnan(x) or np.isnan(y):
                            unknown = True
                        elif x != y:
                            same = False
                    if unknown and same:
                        check = 1
                    elif same:
                        corners -= 1
                srings[r, S_CORNERS] = corners
                srings[r, S_CHECK] = check
            srings[r, S_FIRST] = srings[r, S_FIRST] // 3
        elif role == _R_POLYGON:
            if polys[st_item[d], 9] == 0:
                _set_error(members, st_member[d], ERR_NO_EXTERIOR, 0, 0, 0)
        elif role == _R_OBJECT:
            state[0] += 1
        elif role == _R_MEMBER and d == 2:
            # the building is complete
            rank = _bfs(members, n_members)
            worst = -1
            for mm in range(n_members):
                if members[mm, 2] != 0 and (worst < 0 or rank[mm] < rank[worst]):
                    worst = mm
            error = 0
            value = vs = vl = 0
            if worst >= 0:
                error = members[worst, 2]
                value, vs, vl = members[worst, 3], members[worst, 4], members[worst, 5]
            else:
                nf, no, lost, unique = _choose_faces(buf, members, n_members, polys, n_polys,
                                                     refs, n_refs, rank, faces, nf, rings, no)
                if not unique:
                    status = NOT_PLAIN
                    break
                state[1] += lost
                if nf == nf0:
                    error = ERR_NO_GEOMETRY
            if error:
                skipped[ns_skip, B_START] = b_start
                skipped[ns_skip, B_ID_START] = b_id_s
                skipped[ns_skip, B_ID_LEN] = b_id_l
                skipped[ns_skip, B_ERROR] = error
                skipped[ns_skip, B_VALUE] = value if error != ERR_SRS_DIMENSION else vs
                skipped[ns_skip, B_VALUE_LEN] = vl
                skipped[ns_skip, B_TAG_END] = b_tag
                ns_skip += 1
                nf, no, nr, nc, nh, na, ns = nf0, no0, nr0, nc0, nh0, na0, ns0
            else:
                for a in range(na0, na):
                    attributes[a, A_MEMBER] = rank[attributes[a, A_MEMBER]]
                buildings[nb, B_START] = b_start
                buildings[nb, B_ID_START] = b_id_s
                buildings[nb, B_ID_LEN] = b_id_l
                buildings[nb, B_EVENT] = state[0]
                buildings[nb, B_FACES] = nf
                buildings[nb, B_MEMBERS] = n_members
                buildings[nb, B_TAG_END] = b_tag
                nb += 1
    if status == NOT_PLAIN or (status == NEED_MORE and final):
        return (NOT_PLAIN, 0, empty, empty, empty, empty, coords[:0].copy(), empty, empty,
                empty, empty, empty, 0)
    stop = n
    if status == NEED_MORE:
        state[:] = snap
        nb, nf, no, nr, nc = saved[0], saved[1], saved[2], saved[3], saved[4]
        nh, na, ns, nk, ns_skip = saved[5], saved[6], saved[7], saved[8], saved[9]
        stop = restart
        for k in range(stop, n):
            if buf[k] == _LF:
                newlines -= 1
    return (status, stop, buildings[:nb].copy(), faces[:nf].copy(), rings[:no].copy(),
            srings[:nr].copy(), coords[:nc].copy(), hard[:nh].copy(), attributes[:na].copy(),
            srs[:ns].copy(), others[:nk].copy(), skipped[:ns_skip].copy(), newlines)
