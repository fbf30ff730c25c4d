"""The LoD2 faces a building leaves with: its rows of the twin's ``surfaces`` layer (roof, wall,
ground and closure faces of an LoD2 source) as :class:`~twin.export.solids.Surface` objects,
their 3D rings in the twin CRS [m] in the source's corner order (so each face keeps its
outward normal)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from twin.export.solids import Surface

LAYER = "surfaces"
"""Name of the twin layer holding the faces (``twin.importers.surface_layer``)."""


def building_faces(layers: Mapping[str, gpd.GeoDataFrame], building_ids: list[str]
                   ) -> dict[str, list[Surface]]:
    """The faces of each of ``building_ids`` found in the ``surfaces`` layer, in the layer's
    order; buildings without faces (LoD1 sources, buildings a scenario added) are absent.

    Faces without a 3D polygon of at least three corners are left out."""
    layer = layers.get(LAYER)
    if layer is None or not len(layer):
        return {}
    wanted = set(building_ids)
    rows = layer[layer["building_id"].isin(wanted)]
    faces: dict[str, list[Surface]] = {}
    for building, kind, polygon in zip(rows["building_id"], rows["kind"], rows.geometry.values):
        rings = _rings(polygon)
        if rings:
            faces.setdefault(str(building), []).append(Surface(str(kind), rings))
    return faces


def _rings(polygon: shapely.Geometry) -> tuple[np.ndarray, ...]:
    """The rings of a 3D polygon (outer first, then holes), unclosed, (k, 3) [m]; empty when
    it is not a polygon with z or its outer ring has fewer than three corners."""
    if not isinstance(polygon, shapely.Polygon) or polygon.is_empty or not polygon.has_z:
        return ()
    rings = [np.asarray(polygon.exterior.coords)[:-1],
             *(np.asarray(hole.coords)[:-1] for hole in polygon.interiors)]
    if len(rings[0]) < 3:
        return ()
    return tuple(ring for ring in rings if len(ring) >= 3)
