"""Reading exported scenes back in tests: a GLB's accessors, whether points lie in a 3D Tiles
bounding box, and a tileset's tiles checked against their bounding volumes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygltflib
from py3dtiles.tileset import TileSet
from py3dtiles.tileset.tile import Tile

TOLERANCE = 1e-3
"""m: float32 positions of a scene a few km wide are exact to well below this."""


def accessor_values(gltf: pygltflib.GLTF2, index: int) -> np.ndarray:
    """The float32 values of an accessor of a GLB read back."""
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[accessor.type]
    data = gltf.binary_blob()[view.byteOffset:view.byteOffset + view.byteLength]
    return np.frombuffer(data, dtype=np.float32).reshape(accessor.count, width)


def inside(points: np.ndarray, box: list[float]) -> bool:
    """Whether points (n, 3) lie in a 3D Tiles box (centre and three half-axes)."""
    centre, axes = np.array(box[:3]), np.array(box[3:]).reshape(3, 3)
    local = (points - centre) @ axes.T / (axes ** 2).sum(axis=1)
    lengths = np.linalg.norm(axes, axis=1)
    return bool(np.all(np.abs(local) <= 1 + TOLERANCE / lengths))


def corners(box: list[float]) -> np.ndarray:
    """The eight corners of a 3D Tiles box (8, 3)."""
    centre, axes = np.array(box[:3]), np.array(box[3:]).reshape(3, 3)
    signs = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)])
    return centre + signs @ axes


@dataclass(frozen=True)
class TileContent:
    """A tile of a tileset read back: the tile, its content's vertices turned z-up (east,
    north, up [m]; none without content) and its buildings (rows of its property table)."""

    tile: Tile
    vertices: np.ndarray
    buildings: int


def checked_tiles(folder: Path) -> list[TileContent]:
    """Every tile of the tileset in ``folder`` loaded with py3dtiles, after asserting that each
    tile's bounding volume holds its children's and its content; tiles without content have
    children and a geometric error, tiles with content none."""
    tileset = TileSet.from_file(folder / "tileset.json")
    read = []
    for tile in [tileset.root_tile, *tileset.root_tile.get_all_children()]:
        box = tile.bounding_volume.to_dict()["box"]
        for child in tile.children:
            assert inside(corners(child.bounding_volume.to_dict()["box"]), box)
        if not tile.has_content():
            assert tile.children and tile.geometric_error > 0
            read.append(TileContent(tile, np.zeros((0, 3)), 0))
            continue
        content = tile.get_or_fetch_content(folder)
        y_up = np.asarray(content.get_vertices(), dtype=np.float64)
        z_up = np.column_stack([y_up[:, 0], -y_up[:, 2], y_up[:, 1]])  # glTF y-up to z-up
        assert inside(z_up, box)
        assert tile.geometric_error == 0
        tables = content._gltf.extensions["EXT_structural_metadata"]["propertyTables"]
        read.append(TileContent(tile, z_up, tables[0]["count"]))
    return read
