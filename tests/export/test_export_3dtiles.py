"""3D Tiles 1.1 out: the tileset loads with py3dtiles, every tile's bounding volume holds its
content and its children, every building is in one tile, and the root's transform puts the
frame where pyproj puts the twin's corners."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from scene_content import TOLERANCE, checked_tiles

from twin.export import tiles3d
from twin.export.run import export
from twin.model import Twin


@pytest.fixture(scope="module")
def tileset_folder(helsinki_folder: Path, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("tiles") / "helsinki"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tiles3d, "MAX_BUILDINGS", 60)  # a tree a few levels deep
        export(helsinki_folder, output, "3dtiles", "height")
    return output


def test_the_tileset_loads_and_its_volumes_hold_their_content(tileset_folder: Path,
                                                              helsinki: Twin) -> None:
    tiles = checked_tiles(tileset_folder)
    depth = max(len(Path(t.tile.content_uri).stem) for t in tiles if t.tile.has_content())
    assert depth >= 3
    assert sum(t.buildings for t in tiles) == int((helsinki.buildings["height"] > 0).sum())


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
