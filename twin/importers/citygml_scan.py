"""Stream a CityGML 1.0 / 2.0 / 3.0 file into flat arrays of building faces and attributes.

The file is read with lxml ``iterparse`` one city object member at a time; each member is
cleared once read, so memory follows the buildings kept, not the file. Entities are not
expanded, no DTD or network resource is loaded, and a file with a document type declaration is
refused (CityGML has none; an internal DTD is how entity-expansion bombs come).

Per ``Building`` (its ``BuildingPart`` members, nested ones too, are parts of it), each member's
highest LoD (1 to 4) is taken: its thematic surfaces (``boundedBy`` / ``boundary`` roof, wall,
ground, closure, ...) when it has any at that LoD, else the polygons of its ``lodNSolid`` /
``lodNMultiSurface``; ``xlink:href`` references to polygons of the same building are resolved
and every polygon is used once.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

from twin.errors import InputError
from twin.importers.cityjson_geometry import (
    CLASS_IGNORED,
    CLASS_UNKNOWN,
    SEMANTIC_CLASSES,
)

THEMATIC_CLASSES = {
    **SEMANTIC_CLASSES,
    "OuterCeilingSurface": CLASS_IGNORED,
    "OuterFloorSurface": CLASS_IGNORED,
    "InteriorWallSurface": CLASS_IGNORED,
    "CeilingSurface": CLASS_IGNORED,
    "FloorSurface": CLASS_IGNORED,
}
"""Thematic surface types and their class; windows and doors are part of the facade, as in the
CityJSON reader."""

POLYGON_TAGS = frozenset({"Polygon", "PolygonPatch", "Triangle", "Rectangle"})
ATTRIBUTE_TAGS = frozenset({"measuredHeight", "storeysAboveGround", "yearOfConstruction",
                            "dateOfConstruction", "function", "usage", "height"})
"""Attributes read from a building or part (``height`` is CityGML 3.0's ``con:Height``)."""

_LOD_GEOMETRY = re.compile(r"^lod([1-4])(Solid|MultiSolid|MultiSurface|CompositeSurface|Geometry)$")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_GML_ID = ("{http://www.opengis.net/gml}id", "{http://www.opengis.net/gml/3.2}id")
_MEMBER_TAGS = ("{*}cityObjectMember", "{*}featureMember", "{*}appearanceMember")
"""Children of the CityModel streamed one at a time (appearances only to be let go of: a
textured model's global appearances can be as large as its geometry)."""
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")
_POLYGON_AND_REFERENCE_TAGS = ("{*}Polygon", "{*}PolygonPatch", "{*}Triangle", "{*}Rectangle",
                               "{*}surfaceMember", "{*}baseSurface", "{*}solidMember",
                               "{*}geometryMember", "{*}OrientableSurface")
"""Elements of a geometry that are polygons, may reference one (``xlink:href``) or turn the
polygons inside them (an OrientableSurface comes before them in document order)."""
_CONTAINERS = frozenset({"boundedBy", "boundary", "opening", "fillingSurface",
                         "consistsOfBuildingPart", "buildingPart"})
"""Properties holding thematic surfaces, openings (CityGML 3.0: filling surfaces) or
BuildingParts; every other child of a building (installations, rooms, address, ...) holds no
part of its outer shell and is not walked."""
_GEOMETRY_SRS = etree.XPath(".//@srsName[not(ancestor::*[local-name()='address'])]")
"""srsNames of a building's geometry (an address may locate itself in another CRS)."""


SRS_DIMENSION = "posList has srsDimension {}; a building needs x y z"
RING_SIZE = "a ring has {} coordinates, not x y z triples"
FIRST_RING = "a polygon's first ring is not its exterior"
NO_EXTERIOR = "a polygon has no exterior ring"
NO_GEOMETRY = "no LoD 1-4 surface geometry"
"""Reasons a building is skipped (also those of :mod:`.citygml_stream`)."""


class BadBuilding(ValueError):
    """A building that cannot be read; the message says why (counted, never fatal)."""


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


def _gml_id(element: etree._Element) -> str | None:
    return element.get(_GML_ID[0]) or element.get(_GML_ID[1])


# --------------------------------------------------------------------------- one building


Ring = tuple[int, int, bool]
"""A ring: its first vertex in the scan's coordinates, its number of corners (the closing
repeat of the first left out) and whether its corners are to be taken in reverse."""


@dataclass
class _Polygon:
    lod: int
    surface_class: int
    rings: list[Ring]
    surface_id: str | None


@dataclass
class _Reference:
    lod: int
    surface_class: int
    flip: bool
    target: str


@dataclass
class _Member:
    """One Building or BuildingPart: its polygons (by gml:id where they have one), references
    and attributes (local name -> [(text, codeSpace)])."""

    polygons: list[tuple[str | None, _Polygon]] = field(default_factory=list)
    references: list[_Reference] = field(default_factory=list)
    attributes: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


def _ring(ring: etree._Element, coords: array, flip: bool) -> Ring:
    """Append the corners of a ``LinearRing`` (``posList``, ``pos`` or GML 2 ``coordinates``)
    to ``coords`` (x, y, z after each other) and return it as a :data:`Ring`."""
    texts = []
    for child in ring:
        name = _local(child.tag) if isinstance(child.tag, str) else ""
        if name == "posList":
            dimension = child.get("srsDimension")
            if dimension is not None and dimension.strip() != "3":
                raise BadBuilding(SRS_DIMENSION.format(dimension))
            texts.append(child.text or "")
        elif name == "pos":
            texts.append(child.text or "")
        elif name == "coordinates":
            texts.append((child.text or "").replace(",", " "))
    tokens = (texts[0] if len(texts) == 1 else " ".join(texts)).split()
    if len(tokens) % 3:
        raise BadBuilding(RING_SIZE.format(len(tokens)))
    first = len(coords)
    try:
        coords.extend(map(float, tokens))
        if len(tokens) > 3 and (tokens[:3] == tokens[-3:]
                                or coords[first:first + 3] == coords[-3:]):
            del coords[-3:]
    except ValueError:
        raise BadBuilding("coordinates are not numbers") from None
    return first // 3, (len(coords) - first) // 3, flip


def _polygon_rings(polygon: etree._Element, coords: array, flip: bool) -> list[Ring]:
    """Exterior then interior rings of a polygon."""
    rings: list[Ring] = []
    for boundary in polygon:
        name = _local(boundary.tag) if isinstance(boundary.tag, str) else ""
        if name not in ("exterior", "interior", "outerBoundaryIs", "innerBoundaryIs"):
            continue
        if not rings and name not in ("exterior", "outerBoundaryIs"):
            raise BadBuilding(FIRST_RING)
        rings.extend(_ring(ring, coords, flip) for ring in boundary
                     if isinstance(ring.tag, str))
    if not rings:
        raise BadBuilding(NO_EXTERIOR)
    return rings


def _flip_of(node: etree._Element, top: etree._Element) -> bool:
    """Whether the OrientableSurfaces between ``node`` and ``top`` turn it."""
    flip = False
    for ancestor in node.iterancestors():
        if ancestor is top:
            break
        if _local(ancestor.tag) == "OrientableSurface" and ancestor.get("orientation") == "-":
            flip = not flip
    return flip


def _geometry(geometry: etree._Element, lod: int, surface: tuple[int, str | None],
              member: _Member, coords: array) -> None:
    """Add the polygons and references of one LoD geometry property to ``member``."""
    oriented = False
    for node in geometry.iter(*_POLYGON_AND_REFERENCE_TAGS):
        if node.tag.endswith("}OrientableSurface"):
            oriented = True
            continue
        flip = oriented and _flip_of(node, geometry)
        href = node.get(_XLINK_HREF)
        if href is not None:
            member.references.append(_Reference(lod, surface[0], flip, href.lstrip("#")))
        elif _local(node.tag) in POLYGON_TAGS:
            pid = _gml_id(node)
            member.polygons.append((pid, _Polygon(lod, surface[0],
                                                  _polygon_rings(node, coords, flip),
                                                  surface[1] or pid)))


def _walk(element: etree._Element, surface: tuple[int, str | None], member: _Member,
          parts: list[etree._Element], coords: array) -> None:
    """Walk the children of a building, part or thematic surface: LoD geometry properties,
    thematic surfaces (through ``boundedBy`` / ``boundary`` / ``opening``) and parts."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        if name.startswith("lod"):
            match = _LOD_GEOMETRY.match(name)
            if match:
                _geometry(child, int(match[1]), surface, member, coords)
        elif name in _CONTAINERS:
            for inner in child:
                if not isinstance(inner.tag, str):
                    continue
                inner_name = _local(inner.tag)
                if inner_name == "BuildingPart":
                    parts.append(inner)
                elif inner_name in THEMATIC_CLASSES:
                    _walk(inner, (THEMATIC_CLASSES[inner_name], _gml_id(inner)), member, parts,
                          coords)


def _attribute_text(element: etree._Element) -> tuple[str, str | None]:
    """(text, codeSpace) of an attribute; for CityGML 3.0 ``height`` the value of its Height."""
    if _local(element.tag) == "height":
        values = [v for v in element.iter() if _local(v.tag) == "value"]
        return ((values[0].text or "").strip() if values else "", None)
    return ((element.text or "").strip(), element.get("codeSpace"))


def _attributes(element: etree._Element) -> dict[str, list[tuple[str, str | None]]]:
    """The attributes of one Building or BuildingPart (its direct children)."""
    attributes: dict[str, list[tuple[str, str | None]]] = {}
    for child in element:
        if isinstance(child.tag, str) and (name := _local(child.tag)) in ATTRIBUTE_TAGS:
            attributes.setdefault(name, []).append(_attribute_text(child))
    return attributes


def _members(building: etree._Element, coords: array) -> list[_Member]:
    """The building and each of its BuildingParts (nested ones too) with their polygons,
    references and attributes."""
    members, queue = [], [building]
    while queue:
        element = queue.pop(0)
        member = _Member(attributes=_attributes(element))
        parts: list[etree._Element] = []
        _walk(element, (CLASS_UNKNOWN, None), member, parts, coords)
        members.append(member)
        queue.extend(parts)
    return members


@dataclass
class Face:
    """One polygon chosen for a building: its member (0 the building, then its parts), class,
    rings (exterior first) and the gml:id of its thematic surface (else of the polygon itself,
    None without)."""

    member: int
    surface_class: int
    rings: list[Ring]
    surface_id: str | None


def _chosen_faces(members: list[_Member], unresolved: Counter) -> list[Face]:
    """Each member's faces at its highest LoD (see the module docstring)."""
    by_id: dict[str, _Polygon] = {}
    for member in members:
        for pid, polygon in member.polygons:
            if pid is not None and (pid not in by_id or polygon.surface_class != CLASS_UNKNOWN):
                by_id[pid] = polygon
    faces: list[Face] = []
    for k, member in enumerate(members):
        used: set[str] = set()
        lods = [p.lod for _, p in member.polygons] + [r.lod for r in member.references]
        if not lods:
            continue
        top = max(lods)
        polygons = [(pid, p) for pid, p in member.polygons if p.lod == top]
        references = [r for r in member.references if r.lod == top]
        thematic = ([(pid, p) for pid, p in polygons if p.surface_class != CLASS_UNKNOWN],
                    [r for r in references if r.surface_class != CLASS_UNKNOWN])
        if thematic[0] or thematic[1]:
            polygons, references = thematic
        for pid, polygon in polygons:
            if pid is None or pid not in used:
                if pid is not None:
                    used.add(pid)
                faces.append(Face(k, polygon.surface_class, polygon.rings, polygon.surface_id))
        for reference in references:
            target = by_id.get(reference.target)
            if target is None:
                unresolved["references"] += 1
                continue
            if reference.target in used:
                continue
            used.add(reference.target)
            known = reference.surface_class if reference.surface_class != CLASS_UNKNOWN else \
                target.surface_class
            rings = [(s, n, f != reference.flip) for s, n, f in target.rings]
            faces.append(Face(k, known, rings, target.surface_id))
    return faces


@dataclass
class Building:
    """A building read: its gml:id, the attributes of it and its parts (building first), its
    chosen faces and the srsNames its geometry declares."""

    id: str
    attributes: list[dict[str, list[tuple[str, str | None]]]]
    faces: list[Face]
    srs_names: frozenset[str]


def building_id(element: etree._Element) -> str:
    """A building's gml:id, or for one without, ``line-N`` after the line it starts on."""
    return _gml_id(element) or f"line-{element.sourceline}"


def read_building(element: etree._Element, coords: array, unresolved: Counter) -> Building:
    """A Building element with its parts, its corners appended to ``coords``; BadBuilding
    (with ``coords`` as it was) when it cannot be used."""
    first = len(coords)
    try:
        members = _members(element, coords)
        if not np.isfinite(np.frombuffer(coords, dtype=np.float64, offset=first * 8)).all():
            raise BadBuilding("coordinates are not finite numbers")
        faces = _chosen_faces(members, unresolved)
        if not faces:
            raise BadBuilding(NO_GEOMETRY)
    except BadBuilding:
        del coords[first:]
        raise
    srs_names = frozenset(str(name) for name in _GEOMETRY_SRS(element))
    return Building(building_id(element), [m.attributes for m in members], faces, srs_names)


# --------------------------------------------------------------------------- the file


@dataclass
class Scan:
    """What a file held: its buildings, the corners of their rings (x, y, z after each other,
    in the file's axis order), the first ``srsName`` it declares, what was skipped."""

    buildings: list[Building] = field(default_factory=list)
    coords: array = field(default_factory=lambda: array("d"))
    srs_name: str | None = None
    others: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    skipped_example: dict[str, str] = field(default_factory=dict)
    unresolved: Counter = field(default_factory=Counter)


def _check_root(path: Path, element: etree._Element) -> None:
    """Refuse a document type declaration and a root that is not a CityGML CityModel."""
    tree = element.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise InputError(path, "DOCTYPE", "a document type declaration is not allowed in "
                                          "CityGML (entities are not expanded)")
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    if _local(root.tag) != "CityModel" or "citygml" not in namespace:
        raise InputError(path, _local(root.tag), "not a CityGML file: expected a CityModel of "
                                                  "the CityGML 1.0, 2.0 or 3.0 namespace")


def _declared_srs(scan: Scan, member: etree._Element) -> None:
    """Record the file's srsName: the CityModel's envelope's, else the first building's."""
    root = member.getroottree().getroot()
    envelope = root.find("{*}boundedBy/{*}Envelope")
    if envelope is not None and envelope.get("srsName"):
        scan.srs_name = envelope.get("srsName")
    elif scan.buildings and scan.buildings[-1].srs_names:
        scan.srs_name = min(scan.buildings[-1].srs_names)


def _release(member: etree._Element) -> None:
    """Free a member read and every sibling before it (memory stays flat in the file size)."""
    member.clear()
    parent = member.getparent()
    while parent is not None and member.getprevious() is not None:
        del parent[0]


def scan_citygml(path: Path) -> Scan:
    """Read the buildings of a CityGML file (see the module docstring).

    A building that cannot be read is counted in ``skipped`` by reason; InputError for a file
    that is not well-formed XML (naming line and column), has a DTD, or is not CityGML.
    """
    scan = Scan()
    context = etree.iterparse(
        str(path), events=("end",), tag=_MEMBER_TAGS, resolve_entities=False,
        no_network=True, load_dtd=False, remove_comments=True, remove_pis=True,
        huge_tree=False)
    checked = False
    try:
        for _, member in context:
            if not checked:
                _check_root(path, member)
                checked = True
            if member.tag.endswith("}appearanceMember"):
                _release(member)
                continue
            for obj in member:
                if not isinstance(obj.tag, str):
                    continue
                kind = _local(obj.tag)
                if kind != "Building":
                    scan.others[kind] += 1
                    continue
                try:
                    scan.buildings.append(read_building(obj, scan.coords, scan.unresolved))
                except BadBuilding as reason:
                    scan.skipped[str(reason)] += 1
                    scan.skipped_example.setdefault(str(reason), building_id(obj))
            if scan.srs_name is None:
                _declared_srs(scan, member)
            _release(member)
        if not checked:
            root = context.root
            if root is not None:
                _check_root(path, root)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (0, 0)
        message = _POSITION_SUFFIX.sub("", error.msg or "")
        raise InputError(path, f"line {line} column {column}", f"invalid XML: {message}") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read the file: {error.strerror or error}") from None
    return scan
