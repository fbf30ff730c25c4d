"""CityJSON importer: 3D buildings from CityJSON 1.0 / 1.1 / 2.0 and CityJSONSeq files.

One output row per ``Building`` (its ``BuildingPart`` children aggregated into it), with the 2D
footprint, height, base elevation, roof / wall / ground areas (walls by facing), volume, and the
use, year and floors found in its attributes. Other city objects (roads, vegetation, water, ...)
are counted in a warning. The numeric heavy lifting lives in :mod:`.cityjson_scanner` (bytes to arrays) and
:mod:`.cityjson_geometry` (arrays to surfaces and metrics).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.cityjson_geometry import (
    BOUNDARY_DEPTH,
    CLASS_IGNORED,
    SEMANTIC_CLASSES,
    GeometryError,
    GeometryRequest,
    assemble_surfaces,
    building_metrics,
    footprints,
    geometry_warnings,
    surface_metrics,
)
from twin.importers.cityjson_scanner import (
    NumericArrays,
    ScanError,
    array_number,
    scan_numeric_arrays,
)
from twin.importers.collector import collector_paused
from twin.importers.crs import check_coordinates_fit, horizontal_crs
from twin.importers.surface_layer import surface_layer
from twin.json_text import DuplicateKeyError, loads_json
from twin.model import BUILDING_COLUMNS

SUPPORTED_VERSIONS = ("1.0", "1.1", "2.0")


IGNORED_BUILDING_CHILDREN = frozenset({
    "BuildingInstallation", "BuildingStorey", "BuildingRoom", "BuildingUnit",
    "BuildingConstructiveElement", "BuildingFurniture",
})
"""Children of a Building that are not part of its envelope and are skipped without a warning."""

YEAR_ATTRIBUTES = ("yearOfConstruction", "oorspronkelijk_bouwjaar", "bouwjaar",
                   "construction_year")
USE_ATTRIBUTES = ("function", "usage", "gebruiksdoel")
USE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("storage", ("storage", "warehouse", "opslag", "garage", "shed", "schuur", "loods", "barn")),
    ("religious", ("relig", "church", "kerk", "chapel", "mosque", "moskee", "synagog", "temple")),
    ("education", ("educat", "onderwijs", "school", "universit", "college")),
    ("health", ("health", "gezondheid", "hospital", "clinic", "medical", "zorg")),
    ("hotel", ("hotel", "logies", "hostel", "lodging")),
    ("restaurant", ("restaurant", "cafe", "café", "horeca")),
    ("sport", ("sport", "gym", "stadium", "swimming")),
    ("office", ("office", "kantoor", "büro", "buero")),
    ("retail", ("retail", "winkel", "shop", "commerc", "store")),
    ("industrial", ("industr", "factory", "fabriek", "manufactur")),
    ("public", ("public", "bijeenkomst", "celfunctie", "government", "civic", "library",
                "museum", "police", "fire station", "town hall")),
    ("residential", ("resid", "woon", "wohn", "dwelling", "house", "housing", "apartment")),
    ("other", ("overig", "other")),
)
"""Use classes by keyword (case-insensitive substring of the attribute value), first match wins;
covers English, Dutch BAG ``gebruiksdoel`` and German terms. Bare numeric codes stay unknown."""

_DESCRIBING = frozenset((*YEAR_ATTRIBUTES, *USE_ATTRIBUTES, "storeysAboveGround"))
READ_ATTRIBUTES = ("measuredHeight", *_DESCRIBING)
"""The CityObject attributes the importer reads; the scan leaves the others out."""

DEFAULT_OPTIONS = ImportOptions()


_LOD_PATTERN = re.compile(r"\d+(\.\d+)?")
_URL_CRS = re.compile(r"/def/crs/([^/]+)/[^/]*/([^/]+)/?$")
_URN_CRS = re.compile(r"^urn:ogc:def:crs:([^:]+):[^:]*:([^:]+)$", re.IGNORECASE)
_YEAR = re.compile(r"^\s*(\d{4})(?!\d)")


def read_cityjson(path: str | Path, options: ImportOptions = DEFAULT_OPTIONS) -> SourceData:
    """Read the buildings of a CityJSON (``.city.json``, ``.json``) or CityJSONSeq
    (``.city.jsonl``, ``.jsonl``) file, in the file's horizontal CRS.

    Raises :class:`InputError` naming the file and the field for anything it cannot use.

    Parameters
    ----------
    path : str or Path
        The CityJSON or CityJSONSeq file.
    options : ImportOptions, optional
        ``lod``: level of detail to read (the highest present by default); ``crs``: the CRS of
        a file that declares none.

    Returns
    -------
    SourceData
        ``buildings`` (kind ``cityjson``) with heights and base elevations [m], roof, wall and
        ground areas [m²] and volumes [m³] from the 3D geometry, footprints in ``crs`` [m].

    Raises
    ------
    InputError
        Naming the file and the field (``CityObjects.ID.geometry[k]``, ``line N`` of a
        sequence, ...) of anything it cannot use.
    """
    path = Path(path)
    with collector_paused():
        return _read(path, options)


def _read(path: Path, options: ImportOptions) -> SourceData:
    """:func:`read_cityjson` itself; its intermediate objects die when it returns."""
    wanted_lod = _lod_option(path, options.lod)
    document = _parse(path, _read_bytes(path))
    vertices, vertex_arrays, vertex_starts = _vertices(path, document)
    crs = _horizontal_crs(path, document.header, options)
    if len(vertices):
        low, high = vertices[:, :2].min(axis=0), vertices[:, :2].max(axis=0)
        field = "metadata.referenceSystem" if _declares_crs(document.header) else "crs"
        check_coordinates_fit((low[0], low[1], high[0], high[1]), crs, path, field)
    selection = _select_buildings(path, document, wanted_lod)
    request = _request(document.arrays, selection, vertex_arrays, vertex_starts)
    buildings, faces, geometry_warnings = _buildings(path, document.arrays, vertices, selection,
                                                     request, crs)
    warnings = selection.warnings() + geometry_warnings
    layers = {"surfaces": faces} if faces is not None else {}
    return SourceData(path=path, kind="cityjson", crs=crs, buildings=buildings, layers=layers,
                      warnings=warnings)


# --------------------------------------------------------------------------- parsing


@dataclass
class _Document:
    """A parsed file: its header (the CityJSON object), its chunks of (CityObjects, number of
    the vertices array they index) — one for a CityJSON file, one per feature for a sequence —
    and the numeric arrays taken out of the text."""

    header: dict[str, Any]
    chunks: list[tuple[dict[str, Any], int]]
    arrays: NumericArrays


def _read_bytes(path: Path) -> bytes:
    """The file's bytes without a UTF-8 byte order mark."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file: {exc.strerror or exc}") from None
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw


def _is_sequence(path: Path) -> bool:
    return path.name.lower().endswith(".jsonl")


def _parse(path: Path, raw: bytes) -> _Document:
    """Parse the text; raise InputError with line and column for invalid JSON."""
    try:
        skeleton, arrays = scan_numeric_arrays(raw, READ_ATTRIBUTES)
    except ScanError as exc:
        raise _json_error(path, raw, exc.position) from None
    if _is_sequence(path):
        return _parse_sequence(path, raw, skeleton, arrays)
    try:
        header = loads_json(skeleton)
    except DuplicateKeyError as error:
        raise InputError(path, error.key, "key given twice in one JSON object") from None
    except orjson.JSONDecodeError:
        raise _json_error(path, raw, None) from None
    _check_header(path, header)
    return _Document(header, [(_city_objects(path, header, ""), _vertices_array(path, header, ""))],
                     arrays)


def _parse_sequence(path: Path, raw: bytes, skeleton: bytes, arrays: NumericArrays) -> _Document:
    """Parse a CityJSONSeq skeleton: a CityJSON header line, then one CityJSONFeature a line."""
    lines = [(number, line) for number, line in enumerate(skeleton.split(b"\n"), start=1)
             if line.strip()]
    if not lines:
        raise InputError(path, None, "the file is empty")
    parsed = []
    for number, line in lines:
        try:
            parsed.append((number, loads_json(line)))
        except DuplicateKeyError as error:
            raise InputError(path, f"line {number}: {error.key}", "key given twice in one JSON object") from None
        except orjson.JSONDecodeError:
            raise _json_error(path, raw, None) from None
    (_, header), features = parsed[0], parsed[1:]
    _check_header(path, header)
    chunks = []
    for number, feature in features:
        where = f"line {number}: "
        if not isinstance(feature, dict) or feature.get("type") != "CityJSONFeature":
            raise InputError(path, f"line {number}", 'expected a CityJSONFeature '
                             '("type": "CityJSONFeature") after the header line')
        chunks.append((_city_objects(path, feature, where), _vertices_array(path, feature, where)))
    return _Document(header, chunks, arrays)


def _json_error(path: Path, raw: bytes, position: int | None) -> InputError:
    """An InputError with the line and column where the text stops being valid JSON."""
    texts = raw.split(b"\n") if _is_sequence(path) else [raw]
    for number, text in enumerate(texts, start=1):
        try:
            if text.strip():
                orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            line = exc.lineno + number - 1
            return InputError(path, f"line {line} column {exc.colno}", f"invalid JSON: {exc.msg}")
    position = len(raw) if position is None else position
    line = raw.count(b"\n", 0, position) + 1
    column = position - (raw.rfind(b"\n", 0, position) + 1) + 1
    return InputError(path, f"line {line} column {column}", "invalid JSON")


def _check_header(path: Path, header: Any) -> None:
    """Check that the root is a CityJSON object of a supported version."""
    if not isinstance(header, dict) or header.get("type") != "CityJSON":
        found = header.get("type") if isinstance(header, dict) else type(header).__name__
        raise InputError(path, "type", 'not a CityJSON file: expected "type": "CityJSON", '
                                       f"found {found!r}")
    version = header.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise InputError(path, "version", f"CityJSON version {version!r} is not supported "
                                          f"(supported: {', '.join(SUPPORTED_VERSIONS)})")


def _city_objects(path: Path, root: dict[str, Any], where: str) -> dict[str, Any]:
    objects = root.get("CityObjects")
    if not isinstance(objects, dict):
        raise InputError(path, f"{where}CityObjects", "missing or not an object of city objects")
    return objects


def _vertices_array(path: Path, root: dict[str, Any], where: str) -> int:
    """The number of the root's ``vertices`` array (the scanner left ``[number]`` in place)."""
    if "vertices" not in root:
        raise InputError(path, f"{where}vertices", "missing: a CityJSON file needs its vertices")
    number = array_number(root["vertices"])
    if number is None:
        raise InputError(path, f"{where}vertices", "must be an array of [x, y, z] numbers")
    return number


def _vertices(path: Path, document: _Document) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All vertices, chunk after chunk, as real coordinates (n, 3) with the transform applied;
    the numbers of the chunks' vertices arrays (increasing) and where each chunk starts."""
    arrays = document.arrays
    ids = np.array([vertices for _, vertices in document.chunks], dtype=np.int64)
    counts = arrays.leaf_count(ids)
    nested = (arrays.depth[ids] == 2) | (counts == 0)
    if not nested.all() or not np.all(arrays.level(ids, 1) == 3):
        raise InputError(path, "vertices", "must be an array of [x, y, z] numbers")
    raw = arrays.leaf_values(ids).reshape(-1, 3)
    if not np.isfinite(raw).all():
        raise InputError(path, "vertices", "contains null or non-finite coordinates")
    scale, translate = _transform(path, document.header)
    return raw * scale + translate, ids, np.cumsum(counts // 3) - counts // 3


def _transform(path: Path, header: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``transform`` scale and translate (identity when the file has no transform)."""
    transform = header.get("transform")
    if transform is None:
        return np.ones(3), np.zeros(3)
    try:
        scale = np.array(transform["scale"], dtype=np.float64)
        translate = np.array(transform["translate"], dtype=np.float64)
    except (TypeError, KeyError, ValueError):
        raise InputError(path, "transform", "needs scale and translate, 3 numbers each") from None
    if scale.shape != (3,) or translate.shape != (3,) or not np.isfinite([scale, translate]).all():
        raise InputError(path, "transform", "needs scale and translate, 3 numbers each")
    return scale, translate


# --------------------------------------------------------------------------- CRS


def _horizontal_crs(path: Path, header: dict[str, Any], options: ImportOptions) -> CRS:
    """The horizontal part of the declared CRS (EPSG:7415 → EPSG:28992), else ``options.crs``."""
    metadata = header.get("metadata")
    declared = metadata.get("referenceSystem") if isinstance(metadata, dict) else None
    if declared is None:
        if options.crs is None:
            raise InputError(path, "metadata.referenceSystem",
                             "the file declares no CRS; pass --crs (for example --crs EPSG:7415)")
        crs = CRS.from_user_input(options.crs)
    else:
        crs = _parse_crs(path, declared)
    crs = horizontal_crs(crs)
    if crs.is_vertical or not (crs.is_projected or crs.is_geographic):
        raise InputError(path, "metadata.referenceSystem",
                         f"{crs.name} has no horizontal part to place the buildings")
    return crs


def _parse_crs(path: Path, text: Any) -> CRS:
    """A CRS from an OGC URL, an OGC URN or an ``AUTHORITY:CODE`` string."""
    if not isinstance(text, str):
        raise InputError(path, "metadata.referenceSystem", f"must be a string, not {text!r}")
    match = _URL_CRS.search(text.strip()) or _URN_CRS.match(text.strip())
    spec = f"{match[1]}:{match[2]}" if match else text.strip()
    try:
        return CRS.from_user_input(spec)
    except CRSError:
        raise InputError(path, "metadata.referenceSystem",
                         f"unknown CRS {text!r}; expected for example "
                         "https://www.opengis.net/def/crs/EPSG/0/7415") from None


def _declares_crs(header: dict[str, Any]) -> bool:
    metadata = header.get("metadata")
    return isinstance(metadata, dict) and metadata.get("referenceSystem") is not None


# --------------------------------------------------------------------------- selection


def _lod_option(path: Path, lod: str | None) -> str | None:
    """The requested LoD as text ("1", "1.2", ...), checked."""
    if lod is None:
        return None
    text = str(lod).strip()
    if not _LOD_PATTERN.fullmatch(text):
        raise InputError(path, "lod", f'{lod!r} is not a level of detail like "1", "1.2" or "2.2"')
    return text


def _lod_text(value: Any) -> str | None:
    """A geometry's ``lod`` as text (CityJSON 1.0 stores numbers), None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = f"{value:g}"
    return value if isinstance(value, str) and _LOD_PATTERN.fullmatch(value) else None


@functools.cache
def _lod_key(lod: str) -> tuple[int, ...]:
    return tuple(int(part) for part in lod.split("."))


def _lod_matches(lod: str, wanted: str) -> bool:
    """Whether ``lod`` is the wanted one; a bare "2" matches every 2.x."""
    return lod == wanted or ("." not in wanted and lod.split(".")[0] == wanted)


def _pick_lod(lods: list[str], wanted: str) -> str | None:
    """The LoD to use among ``lods``: the highest matching ``wanted``, else the highest below it."""
    matching = [lod for lod in lods if _lod_matches(lod, wanted)]
    if not matching:
        matching = [lod for lod in lods if _lod_key(lod) < _lod_key(wanted)]
    return max(matching, key=_lod_key) if matching else None


@dataclass
class _Selection:
    """The buildings to output and the geometries chosen for them.

    records: per geometry (boundaries array, values array or -1, boundary depth, vertices
    array, output row); owners: its (object id, position in ``geometry``); surfaces: its
    ``semantics.surfaces`` (empty without semantics).
    """

    path: Path
    wanted_lod: str | None
    ids: list[str] = field(default_factory=list)
    attributes: list[list[dict[str, Any]]] = field(default_factory=list)
    records: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    owners: list[tuple[str, int]] = field(default_factory=list)
    surfaces: list[list[Any]] = field(default_factory=list)
    lod_texts: dict[str, str] = field(default_factory=dict)
    others: Counter = field(default_factory=Counter)
    orphan_parts: int = 0
    without_geometry: int = 0
    lower_lod: Counter = field(default_factory=Counter)

    def lod(self, oid: str, j: int, value: Any) -> str:
        """The text of a geometry's ``lod`` (checked text values are cached: files repeat a
        few)."""
        text = self.lod_texts.get(value) if type(value) is str else None
        if text is None:
            text = _lod_text(value)
            if text is None:
                raise InputError(self.path, f"CityObjects.{oid}.geometry[{j}].lod",
                                 f'{value!r} is not a level of detail like "2.2"')
            if type(value) is str:
                self.lod_texts[value] = text
        return text

    def warnings(self) -> list[str]:
        """One line per thing that was skipped or replaced, with counts."""
        lines = []
        if self.others:
            kinds = ", ".join(f"{n} {kind}" for kind, n in self.others.most_common())
            lines.append(f"{sum(self.others.values())} non-building city objects not imported "
                         f"({kinds})")
        if self.lower_lod:
            used = ", ".join(f"LoD {lod}: {n}" for lod, n in sorted(self.lower_lod.items()))
            lines.append(f"{sum(self.lower_lod.values())} buildings have no LoD "
                         f"{self.wanted_lod} geometry; used the highest LoD below it ({used})")
        if self.orphan_parts:
            lines.append(f"{self.orphan_parts} BuildingParts without a parent Building skipped")
        if self.without_geometry:
            lines.append(f"{self.without_geometry} buildings without surface geometry skipped")
        return lines


def _select_buildings(path: Path, document: _Document, wanted: str | None) -> _Selection:
    """Choose, per Building, the geometries of it and its BuildingParts at the wanted LoD."""
    selection = _Selection(path, wanted)
    for objects, vertex_array in document.chunks:
        buildings, parts = _sort_objects(path, objects, selection.others)
        members = _building_members(objects, buildings, parts) if parts else {}
        if parts:
            aggregated = {part for group in members.values() for part in group[1:]}
            selection.orphan_parts += len(set(parts) - aggregated)
        for building in buildings:
            _select_geometries(objects, members.get(building) or [building], vertex_array,
                               selection)
    return selection


def _sort_objects(path: Path, objects: dict[str, Any], others: Counter
                  ) -> tuple[list[str], list[str]]:
    """Ids of the Buildings and BuildingParts; other types are counted in ``others``."""
    buildings, parts = [], []
    for oid, obj in objects.items():
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "Building":
            buildings.append(oid)
        elif kind == "BuildingPart":
            parts.append(oid)
        elif kind is None:
            raise InputError(path, f"CityObjects.{oid}", 'must be an object with a "type"')
        elif not isinstance(kind, str):
            raise InputError(path, f"CityObjects.{oid}.type", f"must be a string, not {kind!r:.40}")
        elif kind not in IGNORED_BUILDING_CHILDREN:
            others[kind] += 1
    return buildings, parts


def _building_members(objects: dict[str, Any], buildings: list[str], parts: list[str]
                      ) -> dict[str, list[str]]:
    """Each Building with its BuildingParts (through ``children`` or the parts' ``parents``,
    nested parts included), the building first."""
    part_set = set(parts)
    children: dict[str, list[str]] = {}
    for oid in (*buildings, *parts):
        children[oid] = [c for c in _list(objects[oid].get("children")) if isinstance(c, str) and c in part_set]
    for part in parts:
        for parent in _list(objects[part].get("parents")):
            if parent in children and part not in children[parent]:
                children[parent].append(part)
    members = {}
    for building in buildings:
        found, queue = [building], list(children[building])
        while queue:
            part = queue.pop(0)
            if part not in found:
                found.append(part)
                queue.extend(children[part])
        members[building] = found
    return members


def _select_geometries(objects: dict[str, Any], members: list[str], vertex_array: int,
                       selection: _Selection) -> None:
    """Choose the surface geometries of one Building and its parts; add them to ``selection``."""
    found = []
    for oid in members:
        for j, geometry in enumerate(_list(objects[oid].get("geometry"))):
            if type(geometry) is dict and geometry.get("type") in BOUNDARY_DEPTH:
                found.append((oid, j, geometry, selection.lod(oid, j, geometry.get("lod"))))
    if not found:
        selection.without_geometry += 1
        return
    chosen = found if len(found) == 1 and selection.wanted_lod is None else _choose(
        members[0], found, selection)
    row = len(selection.ids)
    selection.ids.append(members[0])
    selection.attributes.append([_attributes(objects[oid]) for oid in members])
    for oid, j, geometry, _ in chosen:
        _add_geometry(oid, j, geometry, vertex_array, row, selection)


def _choose(building: str, found: list[tuple[str, int, dict, str]], selection: _Selection
            ) -> list[tuple[str, int, dict, str]]:
    """Per member object, its first geometry at the LoD :func:`_pick_lod` picks for the wanted
    LoD (default: the highest LoD of the building)."""
    wanted = selection.wanted_lod
    lods: dict[str, list[str]] = {}
    for oid, _, _, lod in found:
        lods.setdefault(oid, []).append(lod)
    target = wanted or max((item[3] for item in found), key=_lod_key)
    picked = {oid: _pick_lod(options, target) for oid, options in lods.items()}
    used = {lod for lod in picked.values() if lod is not None}
    if not used:
        present = sorted({item[3] for item in found}, key=_lod_key)
        raise InputError(selection.path, f"CityObjects.{building}",
                         f"has no geometry at LoD {wanted} or below "
                         f"(it has LoD {', '.join(present)})")
    if wanted and not any(_lod_matches(lod, wanted) for lod in used):
        selection.lower_lod[max(used, key=_lod_key)] += 1
    chosen, seen = [], set()
    for item in found:
        if item[3] == picked[item[0]] and item[0] not in seen:
            seen.add(item[0])
            chosen.append(item)
    return chosen


def _add_geometry(oid: str, j: int, geometry: dict[str, Any], vertex_array: int, row: int,
                  selection: _Selection) -> None:
    """Append one chosen geometry (its array numbers and semantic surfaces) to ``selection``."""
    boundaries = array_number(geometry.get("boundaries"))
    if boundaries is None:
        raise InputError(selection.path, f"CityObjects.{oid}.geometry[{j}].boundaries",
                         "missing or not nested arrays of vertex indices")
    values = -1
    surfaces: list[Any] = []
    semantics = geometry.get("semantics")
    if semantics is not None:
        number = array_number(semantics.get("values")) if isinstance(semantics, dict) else None
        listed = semantics.get("surfaces") if isinstance(semantics, dict) else None
        if number is None or type(listed) is not list:
            raise InputError(selection.path, f"CityObjects.{oid}.geometry[{j}].semantics",
                             "needs surfaces and values (arrays of surface numbers)")
        for k, surface in enumerate(listed):
            if isinstance(surface, dict) and not isinstance(surface.get("type", ""), str):
                raise InputError(selection.path,
                                 f"CityObjects.{oid}.geometry[{j}].semantics.surfaces[{k}].type",
                                 f"expected a surface type name, got {surface['type']!r}")
        values, surfaces = number, listed
    selection.records.append((boundaries, values, BOUNDARY_DEPTH[geometry["type"]],
                              vertex_array, row))
    selection.owners.append((oid, j))
    selection.surfaces.append(surfaces)


# --------------------------------------------------------------------------- buildings


def _request(arrays: NumericArrays, selection: _Selection, vertex_arrays: np.ndarray,
             vertex_starts: np.ndarray) -> GeometryRequest:
    """The selection as the arrays :func:`assemble_surfaces` takes (``vertex_arrays`` /
    ``vertex_starts``: where each vertices array starts in the stacked vertices)."""
    records = np.array(selection.records, dtype=np.int64).reshape(-1, 5)
    boundaries, values, depth, vertex_array, building = records.T
    counts = np.fromiter(map(len, selection.surfaces), np.int64, count=len(selection.surfaces))
    classes = [SEMANTIC_CLASSES.get(s["type"], CLASS_IGNORED) if isinstance(s, dict) and "type" in s
               else CLASS_IGNORED for s in itertools.chain.from_iterable(selection.surfaces)]
    return GeometryRequest(
        boundaries=boundaries,
        values=values,
        depth=depth,
        vertex_offset=vertex_starts[np.searchsorted(vertex_arrays, vertex_array)],
        vertex_count=arrays.leaf_count(vertex_array) // 3,
        building=building,
        semantic_start=np.cumsum(counts) - counts,
        semantic_count=counts,
        semantic_classes=np.array(classes, dtype=np.int8),
    )


def _buildings(path: Path, arrays: NumericArrays, vertices: np.ndarray, selection: _Selection,
               request: GeometryRequest, crs: CRS
               ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, list[str]]:
    """The building table, its semantic faces (the ``surfaces`` layer, None without
    semantics) and the warnings about its geometry."""
    n = len(selection.ids)
    try:
        surfaces = assemble_surfaces(arrays, vertices, request)
    except GeometryError as exc:
        oid, j = selection.owners[exc.geometry]
        raise InputError(path, f"CityObjects.{oid}.geometry[{j}]", exc.message) from None
    metrics = surface_metrics(surfaces)
    values = building_metrics(surfaces, metrics, n)
    shapes, repaired = footprints(surfaces, metrics, n)
    measured = _measured_heights(selection.attributes)
    floors, years, uses = _descriptions(selection.attributes)
    geometric = values["z_max"] - values["z_min"]
    from_attribute = np.isfinite(measured)
    columns: dict[str, Any] = {
        "id": selection.ids,
        "source_id": selection.ids,
        "source": [path.name] * n,
        "height": np.where(from_attribute, measured, geometric),
        "height_source": np.where(from_attribute, "attribute", "geometry").astype(object),
        "base_elevation": values["z_min"],
        "floors": pd.array(floors, dtype="Int64"),
        "use": uses,
        "building_type": [None] * n,
        "year": pd.array(years, dtype="Int64"),
        "footprint_area": shapely.area(shapes).astype(np.float64),
    }
    frame, has_footprint = building_frame(columns, values, shapes, crs)
    warnings = geometry_warnings(metrics, repaired, int((~has_footprint).sum()))
    faces = surface_layer(surfaces, metrics, surfaces.surface_class, selection.ids,
                          has_footprint, crs)
    return frame[has_footprint].reset_index(drop=True), faces, warnings


def building_frame(columns: dict[str, Any], values: dict[str, np.ndarray], shapes: np.ndarray,
                   crs: CRS) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The buildings table (``BUILDING_COLUMNS``, footprints ``shapes`` in ``crs``) from the
    read ``columns`` and the measured ``values`` (areas [m²], volume [m³]), and which rows have a
    footprint. A building without any ground surface (3dfier's floorless solids) has an unknown
    ground area, not 0."""
    columns = columns | {name: values[name] for name in BUILDING_COLUMNS if name in values}
    columns["ground_area"] = np.where(columns["ground_area"] > 0, columns["ground_area"], np.nan)
    frame = gpd.GeoDataFrame(
        {name: pd.Series(columns[name], dtype=dtype) for name, dtype in BUILDING_COLUMNS.items()},
        geometry=gpd.GeoSeries(shapes, crs=crs), crs=crs)
    return frame, frame.geometry.notna().to_numpy()


# --------------------------------------------------------------------------- attributes


def _number(value: Any) -> float:
    """A finite number from a JSON number or numeric string, else NaN."""
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _list(value: Any) -> list[Any]:
    """A CityObject member that must be a JSON array (``geometry``, ``children``, ``parents``);
    empty when it is not one."""
    return value if isinstance(value, list) else []


def _attributes(city_object: dict[str, Any]) -> dict[str, Any]:
    """The ``attributes`` of a CityObject; none when the member is not a JSON object."""
    attributes = city_object.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def _measured_heights(attribute_sets: list[list[dict[str, Any]]]) -> np.ndarray:
    """Each building's own ``measuredHeight`` in m where it is a positive number, else NaN."""
    heights = np.array([_number(sets[0].get("measuredHeight")) for sets in attribute_sets],
                       dtype=np.float64)
    return np.where(heights > 0, heights, np.nan)


def _descriptions(attribute_sets: list[list[dict[str, Any]]]
                  ) -> tuple[list[int | None], list[int | None], list[str]]:
    """Floors, construction year and use of each building, from its attributes or else its
    parts'. Buildings without any of the attributes read are passed over quickly."""
    n = len(attribute_sets)
    floors: list[int | None] = [None] * n
    years: list[int | None] = [None] * n
    uses = ["unknown"] * n
    for k, sets in enumerate(attribute_sets):
        if all(_DESCRIBING.isdisjoint(attributes) for attributes in sets):
            continue
        floors[k] = _first(sets, _floors)
        years[k] = _first(sets, _year)
        uses[k] = _use(sets)
    return floors, years, uses


def _floors(attributes: dict[str, Any]) -> int | None:
    """``storeysAboveGround`` as a whole number ≥ 0, else None."""
    floors = _number(attributes.get("storeysAboveGround"))
    return int(floors) if floors >= 0 and floors.is_integer() else None


def _year(attributes: dict[str, Any]) -> int | None:
    """The construction year from the first of ``YEAR_ATTRIBUTES`` holding one."""
    for name in YEAR_ATTRIBUTES:
        value = attributes.get(name)
        if value is None or isinstance(value, bool):
            continue
        match = _YEAR.match(str(int(value)) if isinstance(value, float) and value.is_integer()
                            else str(value))
        if match and 1000 <= int(match[1]) <= 2100:
            return int(match[1])
    return None


def _first(attribute_sets: list[dict[str, Any]], read: Callable[[dict[str, Any]], Any]) -> Any:
    """The first value ``read`` finds in the building's attributes, then in its parts'."""
    for attributes in attribute_sets:
        value = read(attributes)
        if value is not None:
            return value
    return None


def _use(attribute_sets: list[dict[str, Any]]) -> str:
    """The building use class (``BUILDING_USES``) from ``USE_ATTRIBUTES``, "unknown" if none."""
    for attributes in attribute_sets:
        for name in USE_ATTRIBUTES:
            value = attributes.get(name)
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                if isinstance(text, str):
                    use = use_of_text(text)
                    if use != "unknown":
                        return use
    return "unknown"


def use_of_text(text: str) -> str:
    """The use class a text names; "other" for unrecognised words, "unknown" for codes."""
    lowered = text.lower()
    for use, keywords in USE_KEYWORDS:
        if any(keyword in lowered for keyword in keywords):
            return use
    return "other" if re.search(r"[^\W\d_]", lowered) else "unknown"
