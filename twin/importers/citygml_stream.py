"""Read the buildings of a CityGML file: the numba byte scanner block by block, else lxml.

The file is read in blocks of ``BLOCK`` bytes; :func:`.citygml_bytes.scan_members` reads the
complete city object members of each (memory follows the buildings kept, not the file). A file
the scanner does not take as plain (see :mod:`.citygml_bytes`) is read again by the lxml tree
walk of :mod:`.citygml_scan`, which also gives every error message about a broken file.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from twin.importers import citygml_bytes as cb
from twin.importers.citygml_faces import Attributes, FileBuildings, from_tree_scan
from twin.importers.citygml_scan import (
    ATTRIBUTE_TAGS,
    FIRST_RING,
    NO_EXTERIOR,
    NO_GEOMETRY,
    POLYGON_TAGS,
    RING_SIZE,
    SRS_DIMENSION,
    THEMATIC_CLASSES,
    scan_citygml,
)

BLOCK = 8 << 20
"""Bytes read at a time."""
ROOT_SEARCH = 1 << 20
"""Bytes within which the root element's start tag must end."""

GML = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")
XLINK = "http://www.w3.org/1999/xlink"

_NAMES: dict[str, int] = {
    "Building": cb.N_BUILDING, "BuildingPart": cb.N_BUILDING_PART,
    "cityObjectMember": cb.N_OBJECT_MEMBER, "featureMember": cb.N_OBJECT_MEMBER,
    "appearanceMember": cb.N_APPEARANCE_MEMBER, "boundedBy": cb.N_BOUNDED_BY,
    "Envelope": cb.N_ENVELOPE, "OrientableSurface": cb.N_ORIENTABLE,
    "exterior": cb.N_EXTERIOR, "outerBoundaryIs": cb.N_EXTERIOR,
    "interior": cb.N_INTERIOR, "innerBoundaryIs": cb.N_INTERIOR,
    "posList": cb.N_POS_LIST, "pos": cb.N_POS, "coordinates": cb.N_COORDINATES,
    "height": cb.N_HEIGHT, "value": cb.N_VALUE, "address": cb.N_ADDRESS,
    **dict.fromkeys(("boundary", "opening", "fillingSurface", "consistsOfBuildingPart",
                     "buildingPart"), cb.N_CONTAINER),
    **dict.fromkeys(POLYGON_TAGS, cb.N_POLYGON),
    **dict.fromkeys(("surfaceMember", "baseSurface", "solidMember", "geometryMember"),
                    cb.N_REFERABLE),
    **dict.fromkeys(ATTRIBUTE_TAGS - {"height"}, cb.N_ATTRIBUTE),
    **dict.fromkeys(("Solid", "MultiSolid", "MultiSurface", "CompositeSurface", "Geometry"),
                    cb.N_LOD),
    **{name: cb.N_THEMATIC + k for k, name in enumerate(THEMATIC_CLASSES)},
}
"""Code of each element local name the scanner tells apart (``lodN`` + an N_LOD name is an LoD
geometry property)."""
_THEMATIC = np.array(list(THEMATIC_CLASSES.values()), dtype=np.int64)

_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_ROOT = re.compile(rb"<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"<&]*\"|'[^'<&]*'))*)\s*>")
_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([^\"']*)[\"']")


def _table(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Words as one byte array and the bounds of each in it."""
    data = [w.encode() for w in words]
    table = np.frombuffer(b"".join(data) or b"\0", dtype=np.uint8)
    return table, np.cumsum([0] + [len(w) for w in data]).astype(np.int64)


_NAME_TABLE, _NAME_BOUNDS = _table(list(_NAMES))
_NAME_CODES = np.array(list(_NAMES.values()), dtype=np.int64)
_NAME_SLOTS = cb.name_slots([name.encode() for name in _NAMES])


class NotPlain(Exception):
    """The file is left to the lxml reader."""


def read_buildings(path: Path) -> FileBuildings:
    """The buildings of a CityGML file (see the module docstring); InputError from the lxml
    reader for a file that is broken or not CityGML."""
    try:
        return scan_file(path)
    except (NotPlain, UnicodeDecodeError):
        return from_tree_scan(scan_citygml(path))


def _root(head: bytes) -> tuple[int, bytes, dict[str, str]]:
    """Where the root start tag ends, its name and its namespace declarations; NotPlain for
    a document type declaration, another encoding than UTF-8 or a root that is not a CityGML
    CityModel with the gml namespace declared."""
    encoding = _ENCODING.match(head)
    if encoding and encoding[1].lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise NotPlain
    prolog = _PROLOG.match(head)
    root = _ROOT.match(head, prolog.end() if prolog else 0)
    if root is None:
        raise NotPlain
    namespaces = {}
    for match in _ATTRIBUTE.finditer(root[2]):
        name = match[1].decode()
        if name == "xmlns" or name.startswith("xmlns:"):
            namespaces[name[6:]] = (match[2] if match[2] is not None else match[3]).decode()
    prefix, _, local = root[1].decode().rpartition(":")
    if local != "CityModel" or "citygml" not in namespaces.get(prefix, ""):
        raise NotPlain
    if not any(uri in namespaces.values() for uri in GML):
        raise NotPlain
    return root.end(), root[1], namespaces


def _prefix(namespaces: dict[str, str], uri: str) -> list[str]:
    """The prefix bound to ``uri`` (none or one; NotPlain for more)."""
    bound = [p for p, u in namespaces.items() if u == uri and p]
    if len(bound) > 1:
        raise NotPlain
    return bound


class _Reader:
    """The scanner's tables for one file and the buildings read so far."""

    def __init__(self, root_name: bytes, namespaces: dict[str, str]) -> None:
        gml = [p for uri in GML for p in _prefix(namespaces, uri)]
        xlink = _prefix(namespaces, XLINK)
        self.root_name = np.frombuffer(root_name, dtype=np.uint8)
        self.attributes_read = cb.attribute_table([f"{p}:id" for p in gml],
                                                  [f"{p}:href" for p in xlink])
        self.refused = _table([f"xmlns:{p}" for p in gml + xlink] + [*GML, XLINK])
        self.state = np.zeros(7, np.int64)
        self.state[5] = 1
        self.lines = 0
        self.parts: list[tuple[Any, ...]] = []
        self.ids_read: list[str] = []
        self.attributes: list[list[Attributes]] = []
        self.srs_names: list[frozenset[str]] = []
        self.events: list[int] = []
        self.surface_ids: list[str | None] = []
        self.others: Counter = Counter()
        self.skipped: Counter = Counter()
        self.skipped_example: dict[str, str] = {}
        self.envelope: str | None = None

    def scan(self, data: bytes, final: bool) -> tuple:
        """The scanner's tables of the complete members of ``data`` (run in a worker thread:
        the scanner does not hold the GIL)."""
        return cb.scan_members(np.frombuffer(data, dtype=np.uint8), final, self.root_name,
                               _NAME_TABLE, _NAME_BOUNDS, _NAME_SLOTS, _NAME_CODES, _THEMATIC,
                               *self.attributes_read, *self.refused, self.state)

    def take(self, data: bytes, tables: tuple) -> None:
        """Add the buildings of one :meth:`scan` of ``data``."""
        (_, _, buildings, faces, rings, srings, coords, hard, attributes, srs, others,
         skipped, lines) = tables
        text = _Text(data, self.lines)
        first_row = len(self.ids_read)
        self.ids_read.extend(text.ids(buildings))
        self.events.extend(buildings[:, cb.B_EVENT].tolist())
        self.attributes.extend(_attributes(text, attributes, buildings[:, cb.B_MEMBERS]))
        names: dict[int, set[str]] = {}
        for row, start, length in srs.tolist():
            names.setdefault(row, set()).add(text.string(start, length))
        none: frozenset[str] = frozenset()
        if names:
            self.srs_names.extend(frozenset(names[row]) if row in names else none
                                  for row in range(len(buildings)))
        else:
            self.srs_names.extend([none] * len(buildings))
        self.surface_ids.extend(text.strings(faces[:, cb.F_SID_START:cb.F_SID_LEN + 1]))
        self.others.update(text.string(start, length) for start, length in others.tolist())
        for row in skipped:
            reason = _reason(text, row)
            self.skipped[reason] += 1
            self.skipped_example.setdefault(reason, text.id_of(row))
        for index, start, length in hard.tolist():
            coords[index] = float(data[start:start + length])
        closed = srings[:, cb.S_CHECK] == 1
        if closed.any():
            xyz = coords.reshape(-1, 3)
            for r in np.flatnonzero(closed):
                first, corners = srings[r, cb.S_FIRST], srings[r, cb.S_CORNERS]
                if np.array_equal(xyz[first], xyz[first + corners - 1]):
                    srings[r, cb.S_CORNERS] -= 1
        self.parts.append((buildings[:, cb.B_FACES], faces, rings, srings, coords,
                           np.int64(first_row)))
        self.lines += int(lines)

    def result(self) -> FileBuildings:
        """Everything read, as one :class:`FileBuildings`."""
        face_building, face_member, face_class, face_rings = [], [], [], []
        ring_first, ring_length, ring_flip, all_coords = [], [], [], []
        n_rings = n_sources = n_vertices = 0
        for ends, faces, rings, srings, coords, first_row in self.parts:
            counts = np.diff(np.concatenate(([0], ends)))
            face_building.append(first_row + np.repeat(np.arange(len(ends)), counts))
            face_member.append(faces[:, cb.F_MEMBER])
            face_class.append(faces[:, cb.F_CLASS])
            face_rings.append(faces[:, cb.F_RINGS] + n_rings)
            source = rings[:, 0]
            ring_first.append(srings[source, cb.S_FIRST] + n_vertices)
            ring_length.append(srings[source, cb.S_CORNERS])
            ring_flip.append(rings[:, 1] == 1)
            all_coords.append(coords.reshape(-1, 3))
            n_rings += len(rings)
            n_sources += len(srings)
            n_vertices += len(coords) // 3
        return FileBuildings(
            ids=self.ids_read, attributes=self.attributes, srs_names=self.srs_names,
            face_building=_join(face_building, np.int64),
            face_member=_join(face_member, np.int64),
            face_class=_join(face_class, np.int8),
            face_rings=np.concatenate([[0], _join(face_rings, np.int64)]).astype(np.int64),
            surface_ids=self.surface_ids,
            ring_first=_join(ring_first, np.int64), ring_length=_join(ring_length, np.int64),
            ring_flip=_join(ring_flip, np.bool_),
            coords=np.concatenate(all_coords) if all_coords else np.zeros((0, 3)),
            srs_name=self._srs_name(), others=self.others, skipped=self.skipped,
            skipped_example=self.skipped_example, unresolved=int(self.state[1]))

    def _srs_name(self) -> str | None:
        """The envelope's srsName, else that of the first member's last building naming one
        (as ``citygml_scan`` decides it, member by member)."""
        if self.envelope is not None:
            return self.envelope
        last: dict[int, int] = {}
        for row, event in enumerate(self.events):
            last[event] = row
        for event in sorted(last):
            names = self.srs_names[last[event]]
            if names:
                return min(names)
        return None


def _join(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)


class _Text:
    """Strings out of one block of the file, decoded from UTF-8 (only the spans asked for)."""

    def __init__(self, data: bytes, lines: int) -> None:
        self.data = data
        self.bytes = np.frombuffer(data, dtype=np.uint8)
        self.lines = lines

    def string(self, start: int, length: int) -> str:
        return self.data[start:start + length].decode()

    def strings(self, spans: np.ndarray) -> list[str | None]:
        """The strings of (start, length) rows; None where the length is negative. The spans
        are gathered into one buffer, separated by NUL (which XML text cannot hold), decoded
        once and split."""
        joined, clean = cb.join_spans(self.bytes, np.ascontiguousarray(spans, dtype=np.int64))
        if not clean:
            return [None if n < 0 else self.string(start, n) for start, n in spans.tolist()]
        found: list[str | None] = [*joined.tobytes().decode().split("\0")[:-1]]
        for row in np.flatnonzero(spans[:, 1] < 0).tolist():
            found[row] = None
        return found

    def id_of(self, row: np.ndarray) -> str:
        """A building's gml:id, else ``line-N`` after the line its start tag ends on."""
        if row[cb.B_ID_LEN] > 0:
            return self.string(row[cb.B_ID_START], row[cb.B_ID_LEN])
        line = self.lines + self.data.count(b"\n", 0, row[cb.B_TAG_END]) + 1
        return f"line-{line}"

    def ids(self, buildings: np.ndarray) -> list[str]:
        """:meth:`id_of` of every building row."""
        ids = self.strings(buildings[:, cb.B_ID_START:cb.B_ID_LEN + 1])
        for row in np.flatnonzero(buildings[:, cb.B_ID_LEN] <= 0):
            ids[row] = self.id_of(buildings[row])
        return ids  # type: ignore[return-value]


def _attributes(text: _Text, records: np.ndarray, members: np.ndarray
                ) -> list[list[Attributes]]:
    """Per building, the attributes of it and each of its ``members - 1`` parts."""
    result: list[list[Attributes]] = [[{}] if m == 1 else [{} for _ in range(m)]
                                      for m in members.tolist()]
    records = records[np.lexsort((records[:, cb.A_MEMBER], records[:, cb.A_BUILDING]))]
    names = text.strings(records[:, cb.A_NAME:cb.A_NAME_LEN + 1])
    values = text.strings(np.where(records[:, [cb.A_LEN]] > 0,
                                   records[:, cb.A_START:cb.A_LEN + 1], 0))
    code_spaces = text.strings(records[:, cb.A_CS_START:cb.A_CS_LEN + 1])
    for building, member, name, value, code_space in zip(
            records[:, cb.A_BUILDING].tolist(), records[:, cb.A_MEMBER].tolist(), names, values,
            code_spaces, strict=True):
        result[building][member].setdefault(name, []).append(((value or "").strip(), code_space))
    return result


def _reason(text: _Text, row: np.ndarray) -> str:
    """Why a building was skipped."""
    error = row[cb.B_ERROR]
    if error == cb.ERR_SRS_DIMENSION:
        return SRS_DIMENSION.format(text.string(row[cb.B_VALUE], row[cb.B_VALUE_LEN]))
    if error == cb.ERR_RING_SIZE:
        return RING_SIZE.format(row[cb.B_VALUE])
    return {cb.ERR_FIRST_RING: FIRST_RING, cb.ERR_NO_EXTERIOR: NO_EXTERIOR,
            cb.ERR_NO_GEOMETRY: NO_GEOMETRY}[error]


def scan_file(path: Path) -> FileBuildings:
    """The byte scanner over the whole file; NotPlain where it gives up. Each block is
    scanned in a worker thread while the buildings of the one before are added."""
    with path.open("rb") as stream, ThreadPoolExecutor(1) as worker:
        data = stream.read(BLOCK)
        while len(data) < ROOT_SEARCH and (more := stream.read(BLOCK)):
            data += more
        start, root_name, namespaces = _root(data)
        reader = _Reader(root_name, namespaces)
        reader.lines = data.count(b"\n", 0, start)
        data = data[start:]
        more = stream.read(BLOCK)
        final = not more
        data += more
        scanning: Future | None = worker.submit(reader.scan, data, final)
        while scanning is not None:
            tables = scanning.result()
            if tables[0] == cb.NOT_PLAIN:
                raise NotPlain
            if reader.state[4] == 1 and reader.envelope is None:
                start, length = reader.state[2], reader.state[3]
                reader.envelope = data[start:start + length].decode()
            scanned, data = data, data[tables[1]:]
            scanning = None
            if not final:
                more = stream.read(BLOCK)
                final = not more
                data += more
                scanning = worker.submit(reader.scan, data, final)
            reader.take(scanned, tables)
    if reader.state[5] != 2:
        raise NotPlain
    return reader.result()
