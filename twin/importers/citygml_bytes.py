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

# columns of the stack of open elements: name start and end, role, member, thematic class,
# surface id start and length, LoD, turned, inside an address, item (ring, polygon, attribute),
# commas separate numbers
_S_NS, _S_NE, _S_ROLE, _S_MEMBER, _S_CLASS, _S_SID_S, _S_SID_L, _S_LOD = range(8)
_S_FLIP, _S_ADDRESS, _S_ITEM, _S_COMMA, _S_COLUMNS = 8, 9, 10, 11, 12

# roles of the open elements
_R_SKIP, _R_ROOT, _R_BOUNDED, _R_OBJECT, _R_MEMBER, _R_CONTAINER, _R_THEMATIC = 0, 1, 2, 3, 4, 5, 6
_R_OTHER, _R_GEOMETRY, _R_POLYGON, _R_BOUNDARY, _R_RING, _R_COORDS, _R_ATTRIBUTE = 7, 8, 9, 10, 11, 12, 13
_R_HEIGHT, _R_VALUE = 14, 15

_MAX_DEPTH = 256
_u = np.uint64
"""Byte positions are cast to it as indices: no check for negative ones in the hot loops."""
_LT, _GT, _SLASH, _QMARK, _BANG, _EQ = ord("<"), ord(">"), ord("/"), ord("?"), ord("!"), ord("=")
_QUOTE, _APOS, _AMP, _COLON, _HASH = ord('"'), ord("'"), ord("&"), ord(":"), ord("#")
_SPACE, _TAB, _LF, _CR, _COMMA = ord(" "), ord("\t"), ord("\n"), ord("\r"), ord(",")
_MINUS, _DOT, _ZERO, _NINE, _LOWER_E, _UPPER_E = ord("-"), ord("."), ord("0"), ord("9"), ord("e"), ord("E")
_PLUS, _DASH = ord("+"), ord("-")
_POW10 = 10.0 ** np.arange(23)
_AT_ID, _AT_HREF, _AT_SRS_NAME, _AT_SRS_DIMENSION, _AT_ORIENTATION, _AT_CODE_SPACE = range(6)
"""Kinds of the attributes the scanner reads (see :func:`attribute_table`)."""
_X, _M, _N, _L, _S = ord("x"), ord("m"), ord("n"), ord("l"), ord("s")
_EXACT_MANTISSA = 2 ** 53
_MAX_MANTISSA = 10 ** 17
_CLASS_UNKNOWN = -1

# columns of the output tables
B_START, B_ID_START, B_ID_LEN, B_EVENT, B_FACES, B_MEMBERS, B_ERROR, B_VALUE = range(8)
B_VALUE_LEN, B_TAG_END = 8, 9
F_MEMBER, F_CLASS, F_SID_START, F_SID_LEN, F_RINGS = range(5)
S_FIRST, S_CORNERS, S_CHECK = range(3)
A_BUILDING, A_MEMBER, A_NAME, A_NAME_LEN, A_START, A_LEN, A_CS_START, A_CS_LEN = range(8)


@numba.njit(cache=True, inline="always")
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


_SEED = 5381
"""Start of :func:`_word_hash`."""


@numba.njit(cache=True)
def _word_hash(buf: np.ndarray, start: int, end: int) -> int:
    """Hash of the name ``buf[start:end]``: ``h * 33 + byte`` from :data:`_SEED`, as the scanner
    computes it while it reads a name."""
    h = _SEED
    for k in range(start, end):
        h = h * 33 + buf[k]
    return h


@numba.njit(cache=True)
def _slot(h: int, mask: int) -> int:
    """Slot of a :func:`_word_hash` in a table of ``mask + 1`` slots."""
    return (h ^ (h >> 23)) & mask


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


@numba.njit(cache=True)
def _digits(value: int) -> int:
    """Number of decimal digits of ``value`` > 0."""
    digits = 0
    while value > 0:
        value //= 10
        digits += 1
    return digits


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
        slot = _slot(_word_hash(np.frombuffer(name, dtype=np.uint8), 0, len(name)), size - 1)
        while slots[slot] >= 0:
            slot = (slot + 1) & (size - 1)
        slots[slot] = k
    return slots


def attribute_table(id_names: list[str], href_names: list[str]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The attribute names the scanner reads (the gml:id names first, by rank, then the
    xlink:href names, srsName, srsDimension, orientation, codeSpace): their bytes, bounds,
    :func:`_word_hash` and kind (``_AT_`` constants)."""
    words = [name.encode() for name in id_names + href_names] + [
        b"srsName", b"srsDimension", b"orientation", b"codeSpace"]
    kinds = [_AT_ID] * len(id_names) + [_AT_HREF] * len(href_names) + [
        _AT_SRS_NAME, _AT_SRS_DIMENSION, _AT_ORIENTATION, _AT_CODE_SPACE]
    table = np.frombuffer(b"".join(words), dtype=np.uint8)
    bounds = np.cumsum([0] + [len(w) for w in words]).astype(np.int64)
    hashes = np.array([_word_hash(np.frombuffer(w, dtype=np.uint8), 0, len(w)) for w in words],
                      dtype=np.int64)
    return table, bounds, hashes, np.array(kinds, dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def scan_members(buf: np.ndarray, final: bool, root_name: np.ndarray, names: np.ndarray,
                 bounds: np.ndarray, slots: np.ndarray, codes: np.ndarray, thematic_class: np.ndarray,
                 attr_names: np.ndarray, attr_bounds: np.ndarray, attr_hashes: np.ndarray,
                 attr_kinds: np.ndarray, refused: np.ndarray, refused_bounds: np.ndarray,
                 state: np.ndarray) -> tuple:
    """Read the city object members in ``buf`` (text inside the root element, after its start
    tag); see the module docstring. Element names are found in ``slots`` (see
    :func:`name_slots`), attributes in the table of :func:`attribute_table`. ``state``: [member events so far, unresolved references,
    envelope srsName start, its length, envelope state (0 none yet, 1 found, 2 not to be found),
    phase (1 in the root, 2 after it), an appearanceMember came before the first member].

    Returns (status, bytes consumed, buildings, faces, face rings (source ring, flip), source
    rings, coordinates, hard numbers, attributes, srsNames, other objects, skipped buildings,
    line breaks in the bytes consumed);
    tables as 2D int64 arrays whose columns are the ``B_``, ``F_``, ``S_`` and ``A_`` constants.
    """
    n = buf.shape[0]
    mask = slots.shape[0] - 1
    cap = 16
    newlines = 0
    for k in range(n):  # branch-free, so that it runs over whole vectors
        c = buf[k]
        cap += c == _LT
        newlines += c == _LF
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
    st = np.zeros((_MAX_DEPTH, _S_COLUMNS), np.int64)  # the open elements, see _S_NS
    st[0, _S_ROLE] = _R_ROOT
    depth = 1
    snap = state.copy()
    saved = np.zeros(10, np.int64)
    restart = 0
    i = 0
    status = OK
    empty = np.zeros((0, 1), np.int64)
    while True:
        while i < n and buf[_u(i)] != _LT:
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
            if i + 1 < n and buf[_u(i + 1)] != _QMARK and buf[_u(i + 1)] != _BANG:
                return (NOT_PLAIN, 0, empty, empty, empty, empty, coords[:0].copy(), empty,
                        empty, empty, empty, empty, 0)
        if i + 1 >= n:
            status = NEED_MORE
            break
        c = buf[_u(i + 1)]
        role = st[depth - 1, _S_ROLE] if depth > 0 else _R_SKIP
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
            if i + 3 < n and buf[_u(i + 2)] == _DASH and buf[_u(i + 3)] == _DASH:
                e = _find(buf, i + 4, _DASH, _DASH, _GT)
                if e < 0:
                    status = NEED_MORE
                    break
                if capturing:
                    status = NOT_PLAIN
                    break
                i = e + 3
                continue
            if i + 8 < n and buf[_u(i + 2)] == ord("[") and buf[_u(i + 3)] == ord("C") and \
                    buf[_u(i + 8)] == ord("["):
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
            e = -1
            if depth > 1:  # mostly the open element's name right before '>'
                a = st[depth - 1, _S_NS]
                e = i + 2 + st[depth - 1, _S_NE] - a
                if e < n and buf[_u(e)] == _GT:
                    for k in range(e - i - 2):
                        if buf[_u(i + 2 + k)] != buf[_u(a + k)]:
                            e = -1
                            break
                else:
                    e = -1
            if e < 0:
                e = i + 2
                while e < n and buf[_u(e)] != _GT:
                    e += 1
                if e >= n:
                    status = NEED_MORE
                    break
                end = e
                while end > i + 2 and _is_space(buf[_u(end - 1)]):
                    end -= 1
                if depth == 1:
                    if not _same(buf, i + 2, end, root_name, 0, root_name.shape[0]):
                        status = NOT_PLAIN
                        break
                    state[5] = 2
                    depth = 0
                    i = e + 1
                    continue
                if not _same(buf, i + 2, end, buf, st[depth - 1, _S_NS], st[depth - 1, _S_NE]):
                    status = NOT_PLAIN
                    break
            i = e + 1
            closing = True
            self_closing = False
            tag_end = e
        else:
            # a start tag: name, attributes
            j = i + 1
            local = j
            h = _SEED  # of the local name
            while j < n:
                c = buf[_u(j)]
                if _is_space(c) or c == _GT or c == _SLASH:
                    break
                if c == _COLON:
                    local = j + 1
                    h = _SEED
                else:
                    h = h * 33 + c
                j += 1
            if j >= n:
                status = NEED_MORE
                break
            name_s, name_e = i + 1, j
            if name_e == name_s or depth >= _MAX_DEPTH - 1 or state[5] == 2:
                status = NOT_PLAIN
                break
            id_s = id_l = href_s = href_l = srs_s = srs_l = dim_s = dim_l = -1
            orient_minus = False
            cs_s = cs_l = -1
            id_rank = 99
            self_closing = False
            bad = False
            incomplete = False
            while True:
                while j < n and _is_space(buf[_u(j)]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                if buf[_u(j)] == _GT:
                    break
                if buf[_u(j)] == _SLASH:
                    if j + 1 >= n:
                        incomplete = True
                    elif buf[_u(j + 1)] != _GT:
                        bad = True
                    else:
                        self_closing = True
                        j += 1
                    break
                a0 = j
                ah = _SEED
                while j < n:
                    c = buf[_u(j)]
                    if _is_space(c) or c == _EQ or c == _GT or c == _SLASH:
                        break
                    ah = ah * 33 + c
                    j += 1
                a1 = j
                while j < n and _is_space(buf[_u(j)]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                if a1 == a0 or buf[_u(j)] != _EQ:
                    bad = True
                    break
                j += 1
                while j < n and _is_space(buf[_u(j)]):
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                q = buf[_u(j)]
                if q != _QUOTE and q != _APOS:
                    bad = True
                    break
                v0 = j + 1
                j = v0
                amp = False
                while j < n and buf[_u(j)] != q:
                    if buf[_u(j)] == _LT:
                        bad = True
                    elif buf[_u(j)] == _AMP:
                        amp = True
                    j += 1
                if j >= n:
                    incomplete = True
                    break
                v1 = j
                j += 1
                if bad or (j < n and not _is_space(buf[_u(j)]) and buf[_u(j)] != _GT and
                           buf[_u(j)] != _SLASH):
                    bad = True
                    break
                kind = -1
                for t in range(attr_hashes.shape[0]):
                    w = attr_bounds[t]
                    if attr_hashes[t] == ah and attr_bounds[t + 1] - w == a1 - a0:
                        kind = attr_kinds[t]
                        for k in range(a1 - a0):
                            if buf[_u(a0 + k)] != attr_names[w + k]:
                                kind = -1
                                break
                        if kind >= 0:
                            if kind == _AT_ID and v1 > v0 and t < id_rank:
                                id_s, id_l, id_rank = v0, v1 - v0, t
                            break
                if kind == _AT_HREF:
                    href_s, href_l = v0, v1 - v0
                elif kind == _AT_SRS_NAME:
                    srs_s, srs_l = v0, v1 - v0
                elif kind == _AT_SRS_DIMENSION:
                    dim_s, dim_l = v0, v1 - v0
                elif kind == _AT_ORIENTATION:
                    orient_minus = v1 == v0 + 1 and buf[_u(v0)] == _DASH
                elif kind == _AT_CODE_SPACE:
                    cs_s, cs_l = v0, v1 - v0
                elif kind < 0:
                    if a1 - a0 >= 5 and buf[_u(a0)] == _X and buf[_u(a0 + 1)] == _M and \
                            buf[_u(a0 + 2)] == _L and buf[_u(a0 + 3)] == _N and buf[_u(a0 + 4)] == _S and (
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
            # the name's code: N_LOD for lodN + an N_LOD name, N_OTHER for a name not listed
            start = local
            lod = name_e - local > 4 and buf[_u(local)] == _L and buf[_u(local + 1)] == ord("o") and \
                buf[_u(local + 2)] == ord("d") and ord("1") <= buf[_u(local + 3)] <= ord("4")
            if lod:
                start = local + 4
                h = _SEED
                for k in range(start, name_e):
                    h = h * 33 + buf[_u(k)]
            code = N_OTHER
            slot = _slot(h, mask)
            while slots[slot] >= 0:
                w = slots[slot]
                if bounds[w + 1] - bounds[w] == name_e - start:
                    code = codes[w]
                    for k in range(name_e - start):
                        if buf[_u(start + k)] != names[bounds[w] + k]:
                            code = N_OTHER
                            break
                    if code != N_OTHER:
                        break
                slot = (slot + 1) & mask
            if (code == N_LOD) != lod:
                code = N_OTHER
            if (code == N_OBJECT_MEMBER or code == N_APPEARANCE_MEMBER) and depth != 1:
                status = NOT_PLAIN
                break
            # the new element's role and context, from its parent's
            d = depth
            for k in range(_S_COLUMNS):  # the parent's context
                st[d, k] = st[d - 1, k]
            st[d, _S_NS] = name_s
            st[d, _S_NE] = name_e
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
                    st[d, _S_MEMBER] = 0
                    st[d, _S_CLASS] = _CLASS_UNKNOWN
                    st[d, _S_SID_L] = -1
                    st[d, _S_ADDRESS] = 0
                else:
                    others[nk, 0] = local
                    others[nk, 1] = name_e - local
                    nk += 1
            elif role == _R_MEMBER or role == _R_THEMATIC:
                if code == N_LOD:
                    new = _R_GEOMETRY
                    st[d, _S_LOD] = buf[_u(local + 3)] - ord("0")
                    st[d, _S_FLIP] = 0
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
                    attributes[na, A_MEMBER] = st[d, _S_MEMBER]
                    attributes[na, A_NAME] = local
                    attributes[na, A_NAME_LEN] = name_e - local
                    attributes[na, A_START] = tag_end + 1
                    attributes[na, A_LEN] = 0 if new == _R_ATTRIBUTE else -1
                    attributes[na, A_CS_START] = cs_s if new == _R_ATTRIBUTE else -1
                    attributes[na, A_CS_LEN] = cs_l if new == _R_ATTRIBUTE else -1
                    st[d, _S_ITEM] = na
                    na += 1
            elif role == _R_CONTAINER:
                if code == N_BUILDING_PART:
                    new = _R_MEMBER
                    members[n_members, 0] = st[d - 1, _S_MEMBER]
                    members[n_members, 2] = 0
                    st[d, _S_MEMBER] = n_members
                    n_members += 1
                    st[d, _S_CLASS] = _CLASS_UNKNOWN
                    st[d, _S_SID_L] = -1
                elif code >= N_THEMATIC:
                    new = _R_THEMATIC
                    st[d, _S_CLASS] = thematic_class[code - N_THEMATIC]
                    st[d, _S_SID_S], st[d, _S_SID_L] = id_s, id_l
                else:
                    new = _R_OTHER
            elif role == _R_HEIGHT or role == _R_VALUE:
                new = _R_HEIGHT
                if code == N_VALUE and attributes[st[d, _S_ITEM], A_LEN] < 0:
                    new = _R_VALUE
                    attributes[st[d, _S_ITEM], A_START] = tag_end + 1
                    attributes[st[d, _S_ITEM], A_LEN] = 0
            elif role == _R_OTHER or role == _R_ATTRIBUTE:
                new = _R_OTHER
            elif role != _R_SKIP:  # inside an LoD geometry
                m = st[d, _S_MEMBER]
                new = _R_GEOMETRY
                geometric = code == N_POLYGON or code == N_REFERABLE or code == N_ORIENTABLE
                if role == _R_POLYGON and (code == N_EXTERIOR or code == N_INTERIOR):
                    new = _R_BOUNDARY
                    if code == N_INTERIOR and polys[st[d, _S_ITEM], 9] == 0:
                        _set_error(members, m, ERR_FIRST_RING, 0, 0, 0)
                elif role == _R_BOUNDARY:
                    if geometric:
                        status = NOT_PLAIN
                        break
                    new = _R_RING
                    srings[nr, S_FIRST] = nc
                    polys[st[d, _S_ITEM], 9] += 1
                    st[d, _S_ITEM] = nr
                    nr += 1
                elif role == _R_RING and (code == N_POS_LIST or code == N_POS
                                          or code == N_COORDINATES):
                    new = _R_COORDS
                    if code == N_POS_LIST and dim_s >= 0:
                        a, b = dim_s, dim_s + dim_l
                        while a < b and _is_space(buf[_u(a)]):
                            a += 1
                        while b > a and _is_space(buf[_u(b - 1)]):
                            b -= 1
                        if b - a != 1 or buf[_u(a)] != ord("3"):
                            _set_error(members, m, ERR_SRS_DIMENSION, 0, dim_s, dim_l)
                    st[d, _S_COMMA] = 1 if code == N_COORDINATES else 0  # GML 2: commas too
                elif role == _R_RING and geometric:
                    status = NOT_PLAIN
                    break
                elif code == N_ORIENTABLE:
                    if orient_minus:
                        st[d, _S_FLIP] = 1 - st[d, _S_FLIP]
                elif code == N_POLYGON or code == N_REFERABLE:
                    if href_s >= 0:
                        a = href_s
                        while a < href_s + href_l and buf[_u(a)] == _HASH:
                            a += 1
                        refs[n_refs, 0] = m
                        refs[n_refs, 1] = st[d, _S_LOD]
                        refs[n_refs, 2] = st[d, _S_CLASS]
                        refs[n_refs, 3] = st[d, _S_FLIP]
                        refs[n_refs, 4] = a
                        refs[n_refs, 5] = href_s + href_l - a
                        refs[n_refs, 6] = _hash(buf, a, href_s + href_l)
                        n_refs += 1
                    elif code == N_POLYGON:
                        new = _R_POLYGON
                        p = n_polys
                        polys[p, 0] = m
                        polys[p, 1] = st[d, _S_LOD]
                        polys[p, 2] = st[d, _S_CLASS]
                        polys[p, 3] = id_s if id_l > 0 else 0
                        polys[p, 4] = id_l if id_l > 0 else 0
                        polys[p, 5] = _hash(buf, id_s, id_s + id_l) if id_l > 0 else 0
                        if st[d, _S_SID_L] > 0:
                            polys[p, 6], polys[p, 7] = st[d, _S_SID_S], st[d, _S_SID_L]
                        elif id_l > 0:
                            polys[p, 6], polys[p, 7] = id_s, id_l
                        else:
                            polys[p, 6], polys[p, 7] = 0, -1
                        polys[p, 8] = nr
                        polys[p, 9] = 0
                        polys[p, 10] = st[d, _S_FLIP]
                        st[d, _S_ITEM] = p
                        n_polys += 1
            if new != _R_SKIP and new != _R_ROOT and new != _R_OBJECT and new != _R_BOUNDED \
                    and srs_s >= 0 and st[d, _S_ADDRESS] == 0:
                srs[ns, 0] = nb
                srs[ns, 1] = srs_s
                srs[ns, 2] = srs_l
                ns += 1
            if code == N_ADDRESS:
                st[d, _S_ADDRESS] = 1  # the srsNames below are an address's, not the geometry's
            st[d, _S_ROLE] = new
            depth += 1
            closing = self_closing
            if not self_closing and (new == _R_ATTRIBUTE or new == _R_VALUE
                                     or new == _R_COORDS):
                # the element's text: up to its first child or its end
                e = i
                while e < n and buf[_u(e)] != _LT:
                    e += 1
                if e + 1 >= n:
                    status = NEED_MORE
                    break
                if buf[_u(e + 1)] == _BANG or buf[_u(e + 1)] == _QMARK:
                    status = NOT_PLAIN
                    break
                if new == _R_COORDS:
                    comma = st[d, _S_COMMA] == 1
                    a = i
                    while a < e:
                        while a < e and (_is_space(buf[_u(a)]) or (comma and buf[_u(a)] == _COMMA)):
                            a += 1
                        if a >= e:
                            break
                        # a number -12.5e3 up to the next separator: exact when its mantissa
                        # fits 53 bits and its exponent +-22, else kind 1 (for Python's float)
                        # when well formed, kind 2 when not of this plain form
                        b = a
                        negative = buf[_u(b)] == _MINUS
                        if negative:
                            b += 1
                        mantissa = 0
                        exponent = 0
                        kind = 0
                        first = b
                        dot = -1
                        while b < e:  # digits, one '.' among them
                            digit = int(buf[_u(b)]) - _ZERO
                            if digit == _DOT - _ZERO and dot < 0:
                                dot = b
                                b += 1
                                continue
                            if digit < 0 or digit > 9:
                                break
                            if mantissa >= _MAX_MANTISSA:
                                kind = 2
                                break
                            mantissa = mantissa * 10 + digit
                            b += 1
                        if b == first or dot == first or dot == b - 1:
                            kind = 2  # no digit before or after the '.'
                        elif dot >= 0:
                            exponent = dot + 1 - b
                        if kind == 0 and b < e and (buf[_u(b)] == _LOWER_E or buf[_u(b)] == _UPPER_E):
                            b += 1
                            sign = 1
                            if b < e and (buf[_u(b)] == _MINUS or buf[_u(b)] == _PLUS):
                                sign = -1 if buf[_u(b)] == _MINUS else 1
                                b += 1
                            first = b
                            power = 0
                            while b < e and _ZERO <= buf[_u(b)] <= _NINE and power < 100000:
                                power = power * 10 + (int(buf[_u(b)]) - _ZERO)
                                b += 1
                            if b == first:
                                kind = 2
                            exponent += sign * power
                        if kind == 0 and b < e and not (_is_space(buf[_u(b)]) or (
                                comma and buf[_u(b)] == _COMMA)):
                            kind = 2
                        value = 0.0
                        if kind == 0:
                            if mantissa <= _EXACT_MANTISSA and -22 <= exponent <= 22:
                                value = float(mantissa)
                                if exponent > 0:
                                    value *= _POW10[exponent]
                                elif exponent < 0:
                                    value /= _POW10[-exponent]
                                if negative:
                                    value = -value
                            else:
                                magnitude = exponent + _digits(mantissa) if mantissa else 0
                                kind = 1 if -300 <= magnitude <= 300 else 2
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
                        if buf[_u(a)] == _AMP:
                            status = NOT_PLAIN
                    if status == NOT_PLAIN:
                        break
                    item = st[d, _S_ITEM]
                    attributes[item, A_START] = i
                    attributes[item, A_LEN] = e - i
                i = e
        if not closing:
            continue
        # an element ends: finish what it was
        depth -= 1
        d = depth
        role = st[d, _S_ROLE]
        if role == _R_RING:
            r = st[d, _S_ITEM]
            count = nc - srings[r, S_FIRST]
            if count % 3:
                _set_error(members, st[d, _S_MEMBER], ERR_RING_SIZE, count, 0, 0)
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
            if polys[st[d, _S_ITEM], 9] == 0:
                _set_error(members, st[d, _S_MEMBER], ERR_NO_EXTERIOR, 0, 0, 0)
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
