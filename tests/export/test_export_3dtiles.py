"""3D Tiles 1.1 out: the tileset loads with py3dtiles, every tile's bounding volume holds its
content and its children, every building is in one tile, and the root's transform puts the
frame where pyproj puts the twin's corners."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from py3dtiles.tileset import TileSet
from pyproj import Transformer

from twin.export import tiles3d
from twin.export.run import export
from twin.model import Twin

TOLERANCE = 1e-3
"""m: float32 positions of a scene a few km wide are exact to well below this."""


@pytest.fixture(scope="module")
def tileset_folder(helsinki_folder: Path, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("tiles") / "helsinki"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tiles3d, "MAX_BUILDINGS", 60)  # a tree a few levels deep
        export(helsinki_folder, output, "3dtiles", "height")
    return output


def inside(points: np.ndarray, box: list[float]) -> bool:
    """Whether points (n, 3) lie in a 3D Tiles box (centre and three half-axes)."""
    centre, axes = np.array(box[:3]), np.array(box[3:]).reshape(3, 3)
    local = (points - centre) @ axes.T / (axes ** 2).sum(axis=1)
    lengths = np.linalg.norm(axes, axis=1)
    return bool(np.all(np.abs(local) <= 1 + TOLERANCE / lengths))


def corners(box: list[float]) -> np.ndarray:
    centre, axes = np.array(box[:3]), np.array(box[3:]).reshape(3, 3)
    signs = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)])
    return centre + signs @ axes


def test_the_tileset_loads_and_its_volumes_hold_their_content(tileset_folder: Path,
                                                              helsinki: Twin) -> None:
    tileset = TileSet.from_file(tileset_folder / "tileset.json")
    tiles = [tileset.root_tile, *tileset.root_tile.get_all_children()]
    depth = max(len(Path(t.content_uri).stem) for t in tiles if t.has_content())
    assert depth >= 3
    features = 0
    for tile in tiles:
        box = tile.bounding_volume.to_dict()["box"]
        for child in tile.children:
            assert inside(corners(child.bounding_volume.to_dict()["box"]), box)
        if not tile.has_content():
            assert tile.children and tile.geometric_error > 0
            continue
        content = tile.get_or_fetch_content(tileset_folder)
        y_up = np.asarray(content.get_vertices(), dtype=np.float64)
        z_up = np.column_stack([y_up[:, 0], -y_up[:, 2], y_up[:, 1]])  # glTF y-up to z-up
        assert inside(z_up, box)
        features += content._gltf.extensions["EXT_structural_metadata"]["propertyTables"][0]["count"]
        assert tile.geometric_error == 0
    assert features == int((helsinki.buildings["height"] > 0).sum())


def test_the_root_transform_places_the_tiles_on_the_earth(tileset_folder: Path,
                                                          helsinki: Twin) -> None:
    document = json.loads((tileset_folder / "tileset.json").read_text(encoding="utf-8"))
    assert document["asset"]["version"] == "1.1"
    assert document["metadata"]["properties"]["crs"] == ":".join(helsinki.crs.to_authority())
    matrix = np.array(document["root"]["transform"]).reshape(4, 4).T
    frame = document["asset"]["extras"]["frame"]
    origin_ecef = Transformer.from_crs(helsinki.crs.to_3d(), "EPSG:4978", always_xy=True)
    expected = np.array(origin_ecef.transform(*frame["origin_xyz_m"]))
    assert np.allclose(matrix[:3, 3], expected, atol=TOLERANCE)
    assert np.allclose(matrix[:3, :3].T @ matrix[:3, :3], np.eye(3), atol=1e-12)
    up = matrix[:3, 2]
    assert np.allclose(up, expected / np.linalg.norm(expected), atol=0.004)  # ~ the geocentric up
