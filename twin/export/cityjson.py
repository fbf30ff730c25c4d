"""CityJSON 2.0 out: every building as an LoD1 ``Solid`` (a footprint of several parts: one
``BuildingPart`` child with a Solid per part, CityJSON allowing no MultiSolid for a Building) with semantic surfaces (RoofSurface, WallSurface, GroundSurface), quantised
vertices with a ``transform`` at millimetre scale, the twin CRS as ``metadata.referenceSystem``
(an OGC CRS URL), and the building's columns and run results as attributes.

Attributes the CityJSON importer reads back take the names it reads (``measuredHeight``,
``storeysAboveGround``, ``yearOfConstruction``, ``function``); every other column keeps the
twin's name (``base_elevation``, ``roof_area``, ``heating_kWh_m2``, ...) in the twin's units.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import orjson
from pyproj import CRS

from twin.export.attributes import exported_columns, plain
from twin.export.solids import GROUND, ROOF, WALL, Surface, building_solids
from twin.model import Twin

VERSION = "2.0"
SCALE = 0.001
"""m per unit of the quantised vertices."""
SEMANTIC_TYPES = {ROOF: "RoofSurface", WALL: "WallSurface", GROUND: "GroundSurface"}
SEMANTIC_INDEX = {kind: k for k, kind in enumerate(SEMANTIC_TYPES)}
RENAMED = {"height": "measuredHeight", "floors": "storeysAboveGround",
           "year": "yearOfConstruction", "use": "function"}
"""Twin column -> CityGML / CityJSON attribute name, for the attributes importers read."""
LEFT_OUT = ("id",)


def reference_system(crs: CRS) -> str | None:
    """The OGC URL of the CRS (``https://www.opengis.net/def/crs/EPSG/0/28992``), None when
    it has no authority code."""
    authority = crs.to_authority()
    if authority is None:
        return None
    return f"https://www.opengis.net/def/crs/{authority[0]}/0/{authority[1]}"


def cityjson_document(twin: Twin) -> tuple[dict[str, Any], int]:
    """The twin's buildings as a CityJSON 2.0 document, and how many buildings were left out
    (no positive height or no footprint: no solid to write).

    Parameters
    ----------
    twin : Twin
        The twin; its buildings' further columns (a run's results) become attributes.

    Returns
    -------
    dict
        The CityJSON object (coordinates quantised to ``SCALE`` m).
    int
        Buildings left out.
    """
    buildings = twin.buildings
    bases = np.nan_to_num(buildings["base_elevation"].to_numpy(dtype=float), nan=0.0)
    heights = buildings["height"].to_numpy(dtype=float)
    solids = [building_solids(f, b, h) for f, b, h in zip(buildings.geometry, bases, heights)]
    rings = [ring for parts in solids for solid in parts for s in solid for ring in s.rings]
    if rings:
        stacked = np.concatenate(rings)
        translate = np.floor(stacked.min(axis=0))
        quantised = np.rint((stacked - translate) / SCALE).astype(np.int64)
        vertices, index = np.unique(quantised, axis=0, return_inverse=True)
        ring_indices = iter(np.split(index.ravel(), np.cumsum([len(r) for r in rings])[:-1]))
    else:
        translate, vertices, ring_indices = np.zeros(3), np.zeros((0, 3), np.int64), iter(())
    objects: dict[str, Any] = {}
    left_out = 0
    for row, parts in zip(_rows(buildings), solids):
        if not parts:
            left_out += 1
            continue
        geometries = [_solid([_surface(s, ring_indices) for s in solid],
                         [SEMANTIC_INDEX[s.kind] for s in solid]) for solid in parts]
        building = str(row["id"])
        objects[building] = {"type": "Building", "attributes": _attributes(row),
                             "geometry": geometries if len(geometries) == 1 else []}
        if len(geometries) > 1:
            children = [f"{building}-part{k + 1}" for k in range(len(geometries))]
            objects[building]["children"] = children
            objects.update({child: {"type": "BuildingPart", "parents": [building],
                                    "geometry": [solid]} for child, solid in zip(children, geometries)})
    document = {
        "type": "CityJSON", "version": VERSION,
        "transform": {"scale": [SCALE] * 3, "translate": [float(v) for v in translate]},
        "metadata": _metadata(twin, translate, vertices),
        "CityObjects": objects, "vertices": vertices.tolist(),
    }
    return document, left_out


def cityjson_bytes(twin: Twin) -> tuple[bytes, int]:
    """:func:`cityjson_document` serialised (UTF-8 JSON) and the count left out."""
    document, left_out = cityjson_document(twin)
    return orjson.dumps(document), left_out


def _rows(buildings: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    columns = exported_columns(buildings)
    return [dict(zip(columns, values)) for values in
            buildings[columns].itertuples(index=False, name=None)]


def _surface(surface: Surface, ring_indices: Any) -> list[list[int]]:
    return [next(ring_indices).tolist() for _ in surface.rings]


def _solid(shell: list[list[list[int]]], values: list[int]) -> dict[str, Any]:
    """An LoD1 Solid of one shell, each surface's semantic type by index."""
    return {"type": "Solid", "lod": "1", "boundaries": [shell], "semantics": {
        "surfaces": [{"type": t} for t in SEMANTIC_TYPES.values()], "values": [values]}}


def _attributes(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, raw in row.items():
        value = plain(raw)
        if name in LEFT_OUT or value is None or (name == "use" and value == "unknown"):
            continue
        out[RENAMED.get(name, name)] = value
    return out


def _metadata(twin: Twin, translate: np.ndarray, vertices: np.ndarray) -> dict[str, Any]:
    metadata: dict[str, Any] = {"title": twin.name}
    system = reference_system(twin.crs)
    if system is not None:
        metadata["referenceSystem"] = system
    if len(vertices):
        low = vertices.min(axis=0) * SCALE + translate
        high = vertices.max(axis=0) * SCALE + translate
        metadata["geographicalExtent"] = [round(float(v), 3) for v in (*low, *high)]
    return metadata
