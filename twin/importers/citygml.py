"""CityGML importer: 3D buildings from CityGML 1.0, 2.0 and 3.0 files (``.gml``).

One output row per ``Building`` (its ``BuildingPart`` members merged into it, as the CityJSON
reader does) with its 2D footprint, height, base elevation, roof / wall / ground areas (walls by
facing), volume, use, year and floors; and the ``surfaces`` layer of its semantic faces (roof,
wall, ground, closure) with area, tilt and azimuth. The XML is streamed by
:mod:`.citygml_stream`; areas, normals, volumes and footprints are computed by the CityJSON
reader's :mod:`.cityjson_geometry` over the same flat arrays.

Coordinates in a geographic CRS (PLATEAU's EPSG:6697, latitude first) are taken to
(longitude, latitude) and projected to their local UTM zone, where areas and angles are true;
the source's CRS is then that UTM zone.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.citygml_crs import FileCrs, UnknownCrs, parse_srs_name
from twin.importers.citygml_faces import Attributes, FileBuildings
from twin.importers.citygml_stream import read_buildings
from twin.importers.citygml_uses import use_of_code
from twin.importers.cityjson import building_frame, use_of_text
from twin.importers.cityjson_geometry import (
    SurfaceMetrics,
    Surfaces,
    building_metrics,
    footprints,
    geometry_warnings,
    surface_metrics,
)
from twin.importers.cityjson_scanner import ranges
from twin.importers.collector import collector_paused
from twin.importers.crs import check_coordinates_fit, horizontal_crs, utm_crs_for
from twin.importers.surface_layer import listed_faces, surface_layer

DEFAULT_OPTIONS = ImportOptions()
_YEAR = re.compile(r"^\s*(\d{4})(?!\d)")


def read_citygml(path: str | Path, options: ImportOptions = DEFAULT_OPTIONS) -> SourceData:
    """Read the buildings of a CityGML file.

    Parameters
    ----------
    path : str or Path
        The CityGML 1.0, 2.0 or 3.0 file.
    options : ImportOptions, optional
        ``crs``: the CRS of a file that declares no ``srsName``.

    Returns
    -------
    SourceData
        ``buildings`` (kind ``citygml``) with heights and base elevations [m], areas [m²] and
        volumes [m³] from the 3D geometry and footprints in ``crs`` [m]; ``layers["surfaces"]``
        with the semantic faces of LoD2+ buildings (``twin.importers.surface_layer``).
        Buildings that cannot be read are skipped and counted in ``warnings``.

    Raises
    ------
    InputError
        Naming the file and the field (``line N column M``, ``srsName``, ``DOCTYPE``) of what
        stops the whole file from being read.
    """
    path = Path(path)
    with collector_paused():
        return _read(path, options)


def _read(path: Path, options: ImportOptions) -> SourceData:
    """:func:`read_citygml` of a path."""
    scan = read_buildings(path)
    file_crs = _file_crs(path, scan, options)
    buildings = _in_file_crs(scan, file_crs)
    surfaces = _surfaces(buildings)
    vertices = surfaces.vertices
    if file_crs.latitude_first:
        vertices = vertices[:, [1, 0, 2]]
    crs = file_crs.crs
    if len(surfaces.index):
        used = vertices[surfaces.index, :2]
        low, high = used.min(axis=0), used.max(axis=0)
        check_coordinates_fit((low[0], low[1], high[0], high[1]), crs, path, "srsName")
        if crs.is_geographic:
            vertices, crs = _to_utm(vertices, crs, (low + high) / 2.0)
    surfaces = Surfaces(vertices=np.ascontiguousarray(vertices), index=surfaces.index,
                        ring_start=surfaces.ring_start, surface_start=surfaces.surface_start,
                        surface_part=surfaces.surface_part, surface_class=surfaces.surface_class,
                        part_building=surfaces.part_building)
    frame, faces, warnings = _buildings(path, buildings, surfaces, crs)
    return SourceData(path=path, kind="citygml", crs=crs, buildings=frame,
                      layers={"surfaces": faces} if faces is not None else {},
                      warnings=_scan_warnings(scan) + warnings)


# --------------------------------------------------------------------------- CRS


def _file_crs(path: Path, scan: FileBuildings, options: ImportOptions) -> FileCrs:
    """The file's CRS from its first srsName, else ``options.crs``; every other srsName in the
    file must name the same CRS."""
    if scan.srs_name is None:
        if options.crs is None:
            raise InputError(path, "srsName", "the file declares no CRS; pass --crs "
                                              "(for example --crs EPSG:25832)")
        crs = horizontal_crs(CRS.from_user_input(options.crs))
        first = crs.axis_info[0].direction.lower() if crs.axis_info else ""
        return FileCrs(crs, crs.is_geographic and first == "north")
    try:
        return parse_srs_name(scan.srs_name)
    except UnknownCrs as error:
        raise InputError(path, "srsName", str(error)) from None


def _in_file_crs(scan: FileBuildings, file_crs: FileCrs) -> FileBuildings:
    """The buildings whose geometry is in the file's CRS; the others are counted as skipped."""
    same: dict[str, bool] = {}

    def fits(name: str) -> bool:
        if name not in same:
            try:
                same[name] = parse_srs_name(name).crs.equals(file_crs.crs)
            except UnknownCrs:
                same[name] = False
        return same[name]

    if all(map(fits, frozenset().union(*scan.srs_names))):
        return scan
    keep = np.array([all(map(fits, names)) for names in scan.srs_names], dtype=bool)
    reason = "geometry in another CRS than the file's srsName"
    for row in np.flatnonzero(~keep):
        scan.skipped[reason] += 1
        scan.skipped_example.setdefault(reason, scan.ids[row])
    return scan.subset(keep)


def _to_utm(vertices: np.ndarray, crs: CRS, centre: np.ndarray) -> tuple[np.ndarray, CRS]:
    """(longitude, latitude, height) vertices projected to the UTM zone of ``centre``."""
    utm = utm_crs_for(float(centre[0]), float(centre[1]))
    x, y = Transformer.from_crs(crs, utm, always_xy=True).transform(vertices[:, 0], vertices[:, 1])
    return np.column_stack([x, y, vertices[:, 2]]), utm


# --------------------------------------------------------------------------- geometry


def _surfaces(buildings: FileBuildings) -> Surfaces:
    """The chosen faces of every building as the flat arrays of ``cityjson_geometry`` (one
    part per building member: the building, then each BuildingPart)."""
    n = len(buildings.ids)
    length = buildings.ring_length
    corner = ranges(np.zeros_like(length), length)
    reverse = np.repeat(buildings.ring_flip, length)
    index = np.repeat(buildings.ring_first, length) + np.where(
        reverse, np.repeat(length, length) - 1 - corner, corner)
    members = np.zeros(n, np.int64)
    np.maximum.at(members, buildings.face_building, buildings.face_member + 1)
    first_part = np.cumsum(members) - members
    return Surfaces(
        vertices=buildings.coords,
        index=index.astype(np.int64),
        ring_start=np.concatenate(([0], np.cumsum(length))).astype(np.int64),
        surface_start=buildings.face_rings,
        surface_part=first_part[buildings.face_building] + buildings.face_member,
        surface_class=buildings.face_class.astype(np.int8),
        part_building=np.repeat(np.arange(n, dtype=np.int64), members),
    )


def _buildings(path: Path, buildings: FileBuildings, surfaces: Surfaces, crs: CRS
               ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, list[str]]:
    """The building table, the surfaces layer and the warnings about the geometry."""
    n = len(buildings.ids)
    ids = buildings.ids
    metrics = surface_metrics(surfaces)
    with ThreadPoolExecutor(1) as worker:  # shapely builds the faces without the GIL
        layer = worker.submit(surface_layer, surfaces, metrics, surfaces.surface_class, ids,
                              np.ones(n, dtype=bool), crs, buildings.surface_ids)
        frame, kept, repaired = _building_frame(path, buildings, surfaces, metrics, crs)
        faces = layer.result()
    if faces is not None and not kept.all():
        rows = surfaces.part_building[surfaces.surface_part][
            listed_faces(metrics, surfaces.surface_class)]
        faces = faces[kept[rows]].reset_index(drop=True) if kept[rows].any() else None
    warnings = geometry_warnings(metrics, repaired, int((~kept).sum()))
    return frame[kept].reset_index(drop=True), faces, warnings


def _building_frame(path: Path, buildings: FileBuildings, surfaces: Surfaces,
                    metrics: SurfaceMetrics, crs: CRS
                    ) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
    """The building table, which rows have a footprint and how many footprints were
    repaired."""
    n = len(buildings.ids)
    ids = buildings.ids
    values = building_metrics(surfaces, metrics, n)
    shapes, repaired = footprints(surfaces, metrics, n)
    attributes = buildings.attributes
    measured = np.array([_measured_height(sets) for sets in attributes], dtype=np.float64)
    from_attribute = np.isfinite(measured)
    columns: dict[str, Any] = {
        "id": ids,
        "source_id": ids,
        "source": [path.name] * n,
        "height": np.where(from_attribute, measured, values["z_max"] - values["z_min"]),
        "height_source": np.where(from_attribute, "attribute", "geometry").astype(object),
        "base_elevation": values["z_min"],
        "floors": pd.array([_first(sets, _floors) for sets in attributes], dtype="Int64"),
        "use": [_use(sets) for sets in attributes],
        "building_type": [None] * n,
        "year": pd.array([_first(sets, _year) for sets in attributes], dtype="Int64"),
        "footprint_area": shapely.area(shapes).astype(np.float64),
    }
    frame, kept = building_frame(columns, values, shapes, crs)
    return frame, kept, repaired


def _scan_warnings(scan: FileBuildings) -> list[str]:
    """One line per kind of thing the scan skipped, with counts."""
    lines = []
    if scan.others:
        kinds = ", ".join(f"{n} {kind}" for kind, n in scan.others.most_common())
        lines.append(f"{sum(scan.others.values())} non-building city objects not imported "
                     f"({kinds})")
    for reason, count in scan.skipped.most_common():
        lines.append(f"{count} buildings skipped: {reason} (first: {scan.skipped_example[reason]})")
    if scan.unresolved:
        lines.append(f"{scan.unresolved} xlink:href surface references to "
                     "polygons outside their building not resolved")
    return lines


# --------------------------------------------------------------------------- attributes


def _number(text: str) -> float:
    """A finite number from text, else NaN."""
    try:
        number = float(text)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def _height(attributes: Attributes) -> float:
    """``measuredHeight`` (or CityGML 3.0 ``height``) in m where positive, else NaN."""
    for name in ("measuredHeight", "height"):
        for text, _ in attributes.get(name, []):
            height = _number(text)
            if height > 0:
                return height
    return math.nan


def _measured_height(attribute_sets: list[Attributes]) -> float:
    """The building's own measured height, else the tallest of its parts' (parts stand on the
    ground, so the tallest is the building's), NaN when none has one."""
    own = _height(attribute_sets[0])
    if math.isfinite(own):
        return own
    parts = [h for h in map(_height, attribute_sets[1:]) if math.isfinite(h)]
    return max(parts) if parts else math.nan


def _floors(attributes: Attributes) -> int | None:
    """``storeysAboveGround`` as a whole number ≥ 0, else None."""
    for text, _ in attributes.get("storeysAboveGround", []):
        floors = _number(text)
        if floors >= 0 and floors.is_integer():
            return int(floors)
    return None


def _year(attributes: Attributes) -> int | None:
    """The year of ``yearOfConstruction`` (1.0, 2.0) or ``dateOfConstruction`` (3.0)."""
    for name in ("yearOfConstruction", "dateOfConstruction"):
        for text, _ in attributes.get(name, []):
            match = _YEAR.match(text)
            if match and 1000 <= int(match[1]) <= 2100:
                return int(match[1])
    return None


def _first(attribute_sets: list[Attributes], read: Any) -> Any:
    """The first value ``read`` finds in the building's attributes, then in its parts'."""
    for attributes in attribute_sets:
        value = read(attributes)
        if value is not None:
            return value
    return None


def _use(attribute_sets: list[Attributes]) -> str:
    """The use class of the first ``function`` or ``usage`` that names one (building first,
    then its parts): codes by ``citygml_uses``, words by the CityJSON keyword table."""
    for attributes in attribute_sets:
        for name in ("function", "usage"):
            for text, code_space in attributes.get(name, []):
                use = use_of_code(text, code_space)
                if use is None:
                    use = use_of_text(text)
                if use != "unknown":
                    return use
    return "unknown"
