"""CityJSON 2.0 out: every building as an LoD1 ``Solid`` (a footprint of several parts: one
``BuildingPart`` child with a Solid per part, CityJSON allowing no MultiSolid for a Building), or,
where the twin's ``surfaces`` layer holds its faces (an LoD2 source), as an LoD2
``MultiSurface`` of those faces; both with semantic surfaces (RoofSurface, WallSurface,
GroundSurface, ClosureSurface). Vertices are quantised with a ``transform``: to the millimetre
when every corner lies on the millimetre grid, else to the micrometre (so faces keep their areas
and angles); the twin CRS is ``metadata.referenceSystem`` (an OGC CRS URL), and the building's
columns and run results are attributes.

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
from twin.export.faces import building_shells
from twin.export.solids import CLOSURE, GROUND, ROOF, WALL, Surface
from twin.model import Twin

VERSION = "2.0"
SCALE = 0.001
"""m per unit of the quantised vertices when every corner lies on this grid."""
FINE_SCALE = 1e-6
"""m per unit otherwise."""
ON_GRID = 1e-7
"""m: a corner this close to a multiple of ``SCALE`` (after the translation) lies on it."""
SEMANTIC_TYPES = {ROOF: "RoofSurface", WALL: "WallSurface", GROUND: "GroundSurface",
                  CLOSURE: "ClosureSurface"}
RENAMED = {"height": "measuredHeight", "floors": "storeysAboveGround",
           "year": "yearOfConstruction", "use": "function"}
"""Twin column -> CityGML / CityJSON attribute name, for the attributes importers read."""
LEFT_OUT = ("id",)
SOLID, MULTI_SURFACE = "Solid", "MultiSurface"


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
        The CityJSON object (coordinates quantised to ``SCALE`` or ``FINE_SCALE`` m).
    int
        Buildings left out.
    """
    buildings = twin.buildings
    rows = _rows(buildings)
    kinds = {1: SOLID, 2: MULTI_SURFACE}
    shapes = [[(kinds[shell.lod], shell.surfaces) for shell in shells]
              for shells in building_shells(buildings, twin.layers)]
    rings = [ring for shape in shapes for _, surfaces in shape for s in surfaces for ring in s.rings]
    translate, scale, vertices, ring_indices = _quantised(rings)
    objects: dict[str, Any] = {}
    left_out = 0
    for row, shape in zip(rows, shapes):
        if not shape:
            left_out += 1
            continue
        geometries = [_geometry(kind, [_surface(s, ring_indices) for s in surfaces],
                                [s.kind for s in surfaces]) for kind, surfaces in shape]
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
        "transform": {"scale": [scale] * 3, "translate": [float(v) for v in translate]},
        "metadata": _metadata(twin, translate, scale, vertices),
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


def _quantised(rings: list[np.ndarray]) -> tuple[np.ndarray, float, np.ndarray, Any]:
    """(translate [m], scale [m per unit], unique quantised vertices, iterator of each ring's
    vertex indices) of the rings' corners."""
    if not rings:
        return np.zeros(3), SCALE, np.zeros((0, 3), np.int64), iter(())
    stacked = np.concatenate(rings)
    translate = np.floor(stacked.min(axis=0))
    shifted = stacked - translate
    on_grid = np.abs(shifted - np.rint(shifted / SCALE) * SCALE).max() <= ON_GRID
    scale = SCALE if on_grid else FINE_SCALE
    quantised = np.rint(shifted / scale).astype(np.int64)
    vertices, index = np.unique(quantised, axis=0, return_inverse=True)
    ring_indices = iter(np.split(index.ravel(), np.cumsum([len(r) for r in rings])[:-1]))
    return translate, scale, vertices, ring_indices


def _surface(surface: Surface, ring_indices: Any) -> list[list[int]]:
    return [next(ring_indices).tolist() for _ in surface.rings]


def _geometry(kind: str, boundaries: list[list[list[int]]], kinds: list[str]
              ) -> dict[str, Any]:
    """An LoD1 ``Solid`` of one shell or an LoD2 ``MultiSurface``, each surface's semantic
    type by index into the types it uses."""
    used = list(dict.fromkeys(kinds))
    values = [used.index(k) for k in kinds]
    semantics = {"surfaces": [{"type": SEMANTIC_TYPES[k]} for k in used],
                 "values": [values] if kind == SOLID else values}
    return {"type": kind, "lod": "1" if kind == SOLID else "2",
            "boundaries": [boundaries] if kind == SOLID else boundaries, "semantics": semantics}


def _attributes(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, raw in row.items():
        value = plain(raw)
        if name in LEFT_OUT or value is None or (name == "use" and value == "unknown"):
            continue
        out[RENAMED.get(name, name)] = value
    return out


def _metadata(twin: Twin, translate: np.ndarray, scale: float, vertices: np.ndarray
              ) -> dict[str, Any]:
    metadata: dict[str, Any] = {"title": twin.name}
    system = reference_system(twin.crs)
    if system is not None:
        metadata["referenceSystem"] = system
    if len(vertices):
        low = vertices.min(axis=0) * scale + translate
        high = vertices.max(axis=0) * scale + translate
        metadata["geographicalExtent"] = [round(float(v), 3) for v in (*low, *high)]
    return metadata
