"""The ``surfaces`` layer: every semantic roof, wall, ground and closure face of LoD2 sources.

One row per face (a polygon of a CityGML thematic surface, or a semantic surface of a CityJSON
geometry) with its building id, kind, area [m²], tilt [°] and azimuth [°] and its 3D polygon;
the twin stores it as the table ``layer_surfaces`` of ``layers.gpkg``. Faces without semantics
(LoD1 solids) are not listed: their roofs and walls are the building's areas as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from twin.importers.cityjson_geometry import (
    CLASS_CLOSURE,
    CLASS_GROUND,
    CLASS_ROOF,
    CLASS_WALL,
    SurfaceMetrics,
    Surfaces,
    surface_polygons,
)

SURFACE_KINDS = {CLASS_ROOF: "roof", CLASS_WALL: "wall", CLASS_GROUND: "ground",
                 CLASS_CLOSURE: "closure"}
"""Face kind by surface class."""

SURFACE_COLUMNS: dict[str, str] = {
    "building_id": "object",
    "surface_id": "object",
    "kind": "object",
    "area": "float64",
    "tilt": "float64",
    "azimuth": "float64",
}
"""Columns of the ``surfaces`` layer besides its 3D Polygon ``geometry``: ``surface_id`` is the
source's id of the face's semantic surface where it has one (CityGML gml:id), ``area`` [m²] (holes
removed), ``tilt`` [°] between the outward normal and the vertical (0 a flat roof, 90 a wall,
180 a ground face), ``azimuth`` [°] of the normal's horizontal part from grid north clockwise
(90 faces east; NaN for a horizontal face, which faces no direction)."""

_KIND_FIRST = min(SURFACE_KINDS)
_KIND_NAMES = np.array([SURFACE_KINDS.get(c) for c in range(_KIND_FIRST, max(SURFACE_KINDS) + 1)],
                       dtype=object)
"""Face kind by surface class - ``_KIND_FIRST``."""

HORIZONTAL_TILT = 0.01
"""Faces within this many degrees of horizontal have no azimuth."""


def tilt_azimuth(normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tilt [°] from the upward vertical and azimuth [°] from grid north clockwise of unit
    normals ``(n, 3)``; azimuth NaN for horizontal faces (see ``HORIZONTAL_TILT``)."""
    tilt = np.degrees(np.arccos(np.clip(normal[:, 2], -1.0, 1.0)))
    azimuth = np.degrees(np.arctan2(normal[:, 0], normal[:, 1])) % 360.0
    horizontal = (tilt < HORIZONTAL_TILT) | (tilt > 180.0 - HORIZONTAL_TILT)
    return tilt, np.where(horizontal, np.nan, azimuth)


def listed_faces(metrics: SurfaceMetrics, semantic_class: np.ndarray) -> np.ndarray:
    """Indices of the faces the layer lists when every building is kept: those with a class
    from the source's semantics and an area."""
    return np.flatnonzero(np.isin(semantic_class, list(SURFACE_KINDS)) & metrics.usable)


def surface_layer(surfaces: Surfaces, metrics: SurfaceMetrics, semantic_class: np.ndarray,
                  building_ids: Sequence[str], kept: np.ndarray, crs: CRS,
                  surface_ids: Sequence[str | None] | None = None) -> gpd.GeoDataFrame | None:
    """The faces whose class came from the source's semantics, of the buildings ``kept``.

    Parameters
    ----------
    surfaces, metrics : Surfaces, SurfaceMetrics
        The assembled surfaces and their areas and outward normals.
    semantic_class : numpy.ndarray
        Class of each surface as the source's semantics gave it (``CLASS_UNKNOWN`` without).
    building_ids : sequence of str
        Id of each building row.
    kept : numpy.ndarray of bool
        Which building rows are output (the others' faces are left out).
    crs : pyproj.CRS
        The CRS of the coordinates [m].
    surface_ids : sequence of str or None, optional
        The source's id of each surface (None where it has none); all None if not given.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``SURFACE_COLUMNS`` and the 3D polygon of each face; None when no face has semantics.
    """
    building = surfaces.part_building[surfaces.surface_part]
    chosen = listed_faces(metrics, semantic_class)
    chosen = chosen[kept[building[chosen]]]
    if not chosen.size:
        return None
    tilt, azimuth = tilt_azimuth(metrics.normal[chosen])
    ids = np.asarray(building_ids, dtype=object)
    kinds = _KIND_NAMES[semantic_class[chosen] - _KIND_FIRST]
    columns = {
        "building_id": ids[building[chosen]],
        "surface_id": (np.full(len(chosen), None, dtype=object) if surface_ids is None
                       else np.asarray(surface_ids, dtype=object)[chosen]),
        "kind": kinds,
        "area": metrics.area[chosen],
        "tilt": tilt,
        "azimuth": azimuth,
    }
    table = pd.DataFrame({name: pd.Series(columns[name], dtype=dtype)
                          for name, dtype in SURFACE_COLUMNS.items()})
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(
        surface_polygons(surfaces, chosen, with_z=True), crs=crs), crs=crs)
