"""3D Tiles 1.1 out: ``tileset.json`` with a quadtree of tiles (split until a tile holds at most
``MAX_BUILDINGS`` buildings), one GLB per leaf tile (the buildings' meshes, LoD2 faces where the
twin has them and LoD1 blocks elsewhere, coloured by an attribute, their values as
``EXT_structural_metadata``), every tile's geometry in one local east-north-up frame that the
root's ``transform`` takes to Earth-centred, Earth-fixed coordinates. Bounding volumes are boxes
around each tile's content; a tile's geometric error is the diagonal of its box [m] (0 for
leaves), so a viewer refines the tiles it comes near."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from twin.export.colours import colour_by
from twin.export.gltf import FeatureTable, Part, glb_bytes, metadata_schema
from twin.export.mesh import Mesh, building_mesh
from twin.export.scene import building_table, scene_frame
from twin.model import Twin

MAX_BUILDINGS = 250
"""Buildings of a leaf tile at most (unless they cannot be split further)."""
MAX_DEPTH = 12
TILESET = "tileset.json"
CONTENT_FOLDER = "tiles"


@dataclass(frozen=True)
class _Node:
    """A quadtree cell: its name (the quadrant path) and buildings, or its children."""

    name: str
    rows: np.ndarray
    children: tuple[_Node, ...] = ()


def quadtree(x: np.ndarray, y: np.ndarray, rows: np.ndarray, name: str = "0",
             depth: int = 0) -> _Node:
    """Split the points (building centres [m]) into quadrants of their bounding box until a
    cell holds at most ``MAX_BUILDINGS`` or cannot be split."""
    if len(rows) <= MAX_BUILDINGS or depth >= MAX_DEPTH:
        return _Node(name, rows)
    px, py = x[rows], y[rows]
    cx, cy = (px.min() + px.max()) / 2, (py.min() + py.max()) / 2
    quadrant = (px > cx).astype(int) + 2 * (py > cy).astype(int)
    if len(np.unique(quadrant)) == 1:
        return _Node(name, rows)
    children = tuple(quadtree(x, y, rows[quadrant == q], f"{name}{q}", depth + 1)
                     for q in range(4) if (quadrant == q).any())
    return _Node(name, rows, children)


def write_tileset(twin: Twin, folder: Path, attribute: str | None) -> dict:
    """Write ``tileset.json`` and the tiles' GLBs into ``folder`` (which exists).

    Parameters
    ----------
    twin : Twin
        The twin (its buildings with a run's results as further columns, when from a run).
    folder : Path
        The empty folder to fill.
    attribute : str or None
        Numeric building column to colour by; None for one grey.

    Returns
    -------
    dict
        Facts of what was written: ``tiles`` (with content), ``buildings``, the ``legend``.
    """
    buildings = twin.buildings
    mesh = building_mesh(buildings, twin.layers)
    frame = scene_frame(twin, mesh)
    colouring = colour_by(buildings, attribute)
    table = building_table(buildings)
    enu = Mesh(frame.to_enu(mesh.triangles.reshape(-1, 3)).reshape(-1, 3, 3), mesh.feature)
    meshed = np.unique(mesh.feature)
    centres = shapely.centroid(buildings.geometry.to_numpy()[meshed])
    root = quadtree(shapely.get_x(centres), shapely.get_y(centres), meshed)
    (folder / CONTENT_FOLDER).mkdir()

    def tile(node: _Node) -> dict:
        if node.children:
            children = [tile(child) for child in node.children]
            box = _union([c["boundingVolume"]["box"] for c in children])
            return {"boundingVolume": {"box": box}, "geometricError": _diagonal(box),
                    "refine": "ADD", "children": children}
        part = enu.subset(node.rows)
        uri = f"{CONTENT_FOLDER}/{node.name}.glb"
        subset = FeatureTable(table.class_name, [table.ids[r] for r in node.rows],
                              {k: v[node.rows] for k, v in table.columns.items()}, table.units)
        (folder / uri).write_bytes(glb_bytes(
            [Part("buildings", part.triangles, colouring.rgba[node.rows][part.feature],
                  part.feature)], subset))
        return {"boundingVolume": {"box": _box(part.triangles.reshape(-1, 3))},
                "geometricError": 0.0, "refine": "ADD", "content": {"uri": uri}}

    root_tile = tile(root)
    root_tile["transform"] = frame.enu_to_ecef_matrix().T.ravel().tolist()
    tileset = {
        "asset": {"version": "1.1", "generator": "localtwin",
                  "extras": {"frame": frame.description(), "legend": colouring.legend}},
        "schema": _tileset_schema(table),
        "metadata": {"class": "twin", "properties": {
            "name": twin.name, "buildings": len(meshed), "crs": frame.description()["origin_crs"]}},
        "geometricError": _diagonal(root_tile["boundingVolume"]["box"]),
        "root": root_tile,
    }
    (folder / TILESET).write_text(json.dumps(tileset, indent=1), encoding="utf-8")
    return {"tiles": _leaves(root), "buildings": len(meshed), "legend": colouring.legend}


def _leaves(node: _Node) -> int:
    """Leaf cells under ``node`` (the tiles with content)."""
    return sum(_leaves(child) for child in node.children) if node.children else 1


def _tileset_schema(table: FeatureTable) -> dict:
    """The metadata schema: the buildings' class (as in every tile's GLB) and the tileset's."""
    schema = metadata_schema(table)
    schema["classes"]["twin"] = {"properties": {
        "name": {"type": "STRING"}, "buildings": {"type": "SCALAR", "componentType": "UINT32"},
        "crs": {"type": "STRING", "description": "the twin's CRS (authority:code)"}}}
    return schema


def _box(points: np.ndarray) -> list[float]:
    """A 3D Tiles box (centre, three half-axes) around points in east, north, up [m]; glTF's
    y-up content is turned z-up by the viewer, so the box is in east, north, up."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre, half = (low + high) / 2, np.maximum((high - low) / 2, 0.01)
    return [*centre.tolist(), half[0], 0.0, 0.0, 0.0, half[1], 0.0, 0.0, 0.0, half[2]]


def _union(boxes: list[list[float]]) -> list[float]:
    """The axis-aligned box around boxes made by :func:`_box`."""
    array = np.array(boxes)
    centre, half = array[:, :3], array[:, [3, 7, 11]]
    return _box(np.concatenate([centre - half, centre + half]))


def _diagonal(box: list[float]) -> float:
    """Length of the box's diagonal [m]."""
    return float(2 * np.linalg.norm([box[3], box[7], box[11]]))
