"""The twin as a glTF scene: buildings (their LoD2 faces where the twin has them, else LoD1
blocks; coloured by an attribute, their values as metadata) and road ribbons, in a local
east-north-up frame whose origin the asset records."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from twin.errors import InputError
from twin.export.attributes import numeric_columns, unit_of
from twin.export.colours import colour_by
from twin.export.frame import LocalFrame, frame_of
from twin.export.gltf import FeatureTable, Part, glb_bytes
from twin.export.mesh import Mesh, building_mesh, road_mesh
from twin.model import Twin

ROAD_COLOUR = (0.25, 0.25, 0.27, 1.0)
"""Linear RGBA of the road ribbons."""


def building_table(buildings: gpd.GeoDataFrame) -> FeatureTable:
    """The buildings' ids and numeric columns (with their units) as a property table."""
    columns = {name: np.asarray(buildings[name].to_numpy(dtype=float, na_value=np.nan))
               for name in numeric_columns(buildings)}
    return FeatureTable("building", [str(i) for i in buildings["id"]], columns,
                        {name: unit_of(name) for name in columns})


def scene_frame(twin: Twin, *meshes: Mesh) -> LocalFrame:
    """The frame at the centre of the meshes; InputError when there is nothing to export."""
    corners = [m.triangles.reshape(-1, 3) for m in meshes if len(m.triangles)]
    if not corners:
        raise InputError(twin.name, "buildings", "no building with a footprint and a positive "
                                                 "height, and no road: nothing to export")
    return frame_of(twin.crs, np.concatenate(corners))


def scene_glb(twin: Twin, attribute: str | None, roads: bool = True) -> tuple[bytes, dict]:
    """The scene as GLB bytes and its legend (empty when not coloured by an attribute).

    Parameters
    ----------
    twin : Twin
        The twin (its buildings with a run's results as further columns, when from a run).
    attribute : str or None
        Numeric building column to colour by; None for one grey.
    roads : bool, default True
        Draw the road links as ribbons.

    Returns
    -------
    bytes
        The GLB file (east, north, up [m] from the origin in ``asset.extras.frame``).
    dict
        The legend (attribute, unit, colour map, range and stops).
    """
    buildings = building_mesh(twin.buildings, twin.layers)
    streets = road_mesh(twin.network.links, twin.terrain, _ground(twin)) if roads else None
    frame = scene_frame(twin, buildings, *([streets] if streets is not None else []))
    colouring = colour_by(twin.buildings, attribute)
    parts = [Part("buildings", frame.to_enu(buildings.triangles.reshape(-1, 3)).reshape(-1, 3, 3),
                  colouring.rgba[buildings.feature], buildings.feature)]
    if streets is not None and len(streets.triangles):
        parts.append(Part("roads", frame.to_enu(streets.triangles.reshape(-1, 3)).reshape(-1, 3, 3),
                          np.tile(ROAD_COLOUR, (len(streets.triangles), 1))))
    extras = {"twin": twin.name, "frame": frame.description(), "legend": colouring.legend}
    return glb_bytes(parts, building_table(twin.buildings), extras), colouring.legend


def _ground(twin: Twin) -> float:
    """Height of roads where the twin has no DTM: the buildings' median base elevation [m]."""
    bases = twin.buildings["base_elevation"].to_numpy(dtype=float, na_value=np.nan)
    finite = bases[np.isfinite(bases)]
    return float(np.median(finite)) if len(finite) else 0.0
