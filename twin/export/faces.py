"""The faces a building leaves with: its rows of the twin's ``surfaces`` layer (roof, wall,
ground and closure faces of an LoD2 source) as :class:`~twin.export.solids.Surface` objects,
their 3D rings in the twin CRS [m] in the source's corner order (so each face keeps its
outward normal); a building without such faces leaves as LoD1 solids (its footprint extruded).
Every export (CityJSON, glTF, 3D Tiles) takes its buildings' shells from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from twin.export.solids import Surface, building_solids

LAYER = "surfaces"
"""Name of the twin layer holding the faces (``twin.importers.surface_layer``)."""


def building_faces(layers: Mapping[str, gpd.GeoDataFrame], building_ids: list[str]
                   ) -> dict[str, list[Surface]]:
    """The faces of each of ``building_ids`` found in the ``surfaces`` layer, in the layer's
    order; buildings without faces (LoD1 sources, buildings a scenario added) are absent.

    Faces without a 3D polygon whose outer ring has three corners or more are left out, and
    so are holes of fewer corners."""
    layer = layers.get(LAYER)
    if layer is None or not len(layer):
        return {}
    rows = layer[layer["building_id"].isin(set(building_ids))]
    polygons = rows.geometry.values
    usable = ((shapely.get_type_id(polygons) == shapely.GeometryType.POLYGON)
              & shapely.has_z(polygons) & ~shapely.is_empty(polygons))
    rings, ring_face = shapely.get_rings(polygons[usable], return_index=True)
    corners, corner_ring = shapely.get_coordinates(rings, include_z=True, return_index=True)
    bounds = np.searchsorted(corner_ring, np.arange(len(rings) + 1))
    outer = np.r_[True, ring_face[1:] != ring_face[:-1]] if len(rings) else np.zeros(0, bool)
    face_rings: list[list[np.ndarray]] = [[] for _ in range(int(usable.sum()))]
    for ring, face in enumerate(ring_face):
        closed = corners[bounds[ring]:bounds[ring + 1]]
        if len(closed) >= 4 and (outer[ring] or face_rings[face]):  # 3 corners + the repeat
            face_rings[face].append(closed[:-1])
    faces: dict[str, list[Surface]] = {}
    for building, kind, kept in zip(rows["building_id"].to_numpy()[usable],
                                    rows["kind"].to_numpy()[usable], face_rings):
        if kept:
            faces.setdefault(str(building), []).append(Surface(str(kind), tuple(kept)))
    return faces


@dataclass(frozen=True)
class Shell:
    """The faces of a building at one level of detail: ``lod`` 2 for the building's LoD2 faces
    (all of them, one MultiSurface), 1 for one extruded part of its footprint (a closed
    solid)."""

    lod: int
    surfaces: list[Surface]


def building_shells(buildings: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame]
                    ) -> list[list[Shell]]:
    """Each building's shells, row by row: one LoD2 shell of its faces in the ``surfaces``
    layer where it has any, else one LoD1 solid per footprint part (from ``base_elevation``, 0 m
    where missing, up by ``height``); none for a building without faces, footprint or a positive
    height."""
    faces = building_faces(layers, [str(i) for i in buildings["id"]])
    bases = np.nan_to_num(buildings["base_elevation"].to_numpy(dtype=float), nan=0.0)
    heights = buildings["height"].to_numpy(dtype=float)
    return [[Shell(2, faces[str(i)])] if str(i) in faces else
            [Shell(1, solid) for solid in building_solids(footprint, base, height)]
            for i, footprint, base, height in zip(buildings["id"], buildings.geometry, bases,
                                                  heights)]
