"""glTF and 3D Tiles out of LoD2 sources: buildings leave with their real roof, wall and ground
faces (triangulated in their planes, facing out), not as extruded blocks; buildings without faces
stay LoD1 blocks beside them. Checked on KIT's FZK-Haus, an NRW LoD2 tile and a PLATEAU tile of
LoD1 and LoD2 buildings: the Khronos validator, per-building and per-face areas, the gabled roof,
the bounding box of the CityGML coordinates, and the tiles' bounding volumes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygltflib
import pytest
import shapely
from gltf_validator import validate_gltf
from lxml import etree
from pyproj import CRS
from scene_content import accessor_values, checked_tiles

from twin.export import tiles3d
from twin.export.frame import LocalFrame
from twin.export.gltf import to_gltf_axes
from twin.export.mesh import building_mesh
from twin.export.run import export
from twin.export.solids import ROOF, Surface, triangulate
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.model import Twin
from twin.store import save_twin

FZK, NRW, MIXED = ("FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml", "LoD2_32_326_5730_1_NW.gml",
                   "52397519_bldg_6697_op.gml")
"""KIT's FZK-Haus (one gabled house), the larger NRW LoD2 tile (88 buildings with closure
faces), a PLATEAU Yokosuka tile (13 buildings, two with LoD2 faces)."""
AREA_RTOL = 1e-6
FACE_TURN = np.cos(np.radians(0.01))
"""Triangles whose normal is within 0.01° of a face's belong to it (FZK-Haus: no two faces
are parallel)."""


@dataclass(frozen=True)
class Exported:
    """A CityGML sample imported as a twin folder and exported as a GLB and a tileset."""

    twin: Twin
    glb: Path
    tiles: Path


@pytest.fixture(scope="module")
def exported(shared_data: Path, tmp_path_factory) -> dict[str, Exported]:
    out = {}
    for name in (FZK, NRW, MIXED):
        twin = assemble(name, [read_citygml(shared_data / "citygml-samples" / name)])
        folder = save_twin(twin, tmp_path_factory.mktemp("lod2") / "lod2.twin")
        glb, tiles = folder.parent / "lod2.glb", folder.parent / "tiles"
        export(folder, glb, "glb", "height")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tiles3d, "MAX_BUILDINGS", 20)  # the NRW tile in several tiles
            export(folder, tiles, "3dtiles", "height")
        out[name] = Exported(twin, glb, tiles)
    return out


@dataclass(frozen=True)
class Scene:
    """The buildings of a GLB read back: triangle corners and the NORMAL of each triangle in
    glTF axes (x east, y up, z south) [m], each triangle's building row, the frame."""

    triangles: np.ndarray
    normals: np.ndarray
    feature: np.ndarray
    frame: LocalFrame
    gltf: pygltflib.GLTF2

    def to_gltf(self, points: np.ndarray) -> np.ndarray:
        """Twin-CRS points (..., 3) [m] as this scene's glTF coordinates."""
        points = np.asarray(points, dtype=np.float64)
        return to_gltf_axes(self.frame.to_enu(points.reshape(-1, 3))).reshape(points.shape)

    def areas(self) -> np.ndarray:
        return 0.5 * np.linalg.norm(self._cross(), axis=1)

    def unit_normals(self) -> np.ndarray:
        """The triangles' normals from their winding (counter-clockwise: outward)."""
        cross = self._cross()
        return cross / np.linalg.norm(cross, axis=1, keepdims=True)

    def _cross(self) -> np.ndarray:
        t = self.triangles
        return np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])


def read_scene(path: Path) -> Scene:
    gltf = pygltflib.GLTF2().load(str(path))
    (primitive,) = gltf.meshes[0].primitives
    assert gltf.meshes[0].name == "buildings"
    corners = accessor_values(gltf, primitive.attributes.POSITION).astype(np.float64)
    normals = accessor_values(gltf, primitive.attributes.NORMAL).astype(np.float64)
    feature = accessor_values(gltf, primitive.attributes._FEATURE_ID_0)[::3, 0].astype(int)
    frame = gltf.asset.extras["frame"]
    return Scene(corners.reshape(-1, 3, 3), normals[::3], feature,
                 LocalFrame(CRS(frame["origin_crs"]), tuple(frame["origin_xyz_m"])), gltf)


def face_vector_areas(scene: Scene, faces: list[shapely.Polygon]) -> np.ndarray:
    """The vector area (n, 3) of each 3D face (holes taken off) in the scene's glTF axes [m²]."""
    out = []
    for face in faces:
        rings = [scene.to_gltf(np.asarray(r.coords)[:-1]) for r in (face.exterior, *face.interiors)]
        vectors = [0.5 * np.cross(r, np.roll(r, -1, axis=0)).sum(axis=0) for r in rings]
        outer = vectors[0]
        unit = outer / np.linalg.norm(outer)
        out.append(unit * (np.linalg.norm(outer) - sum(np.linalg.norm(v) for v in vectors[1:])))
    return np.array(out)


def per_building(scene: Scene, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(scene.feature, values, minlength=n)


@pytest.mark.parametrize("name", (FZK, NRW, MIXED))
def test_lod2_scenes_pass_the_khronos_validator(exported: dict[str, Exported], name: str) -> None:
    report = validate_gltf(exported[name].glb)
    issues = report["issues"]
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"]


def test_fzk_haus_triangles_are_its_faces(exported: dict[str, Exported]) -> None:
    """The triangles cover every face of FZK-Haus: per building and per face the same area as
    the twin's faces, facing out (their winding and NORMAL agree), the gabled roof's two faces
    at the roof's tilt."""
    twin = exported[FZK].twin
    faces = twin.layers["surfaces"]
    assert sorted(faces["kind"]) == ["ground", "roof", "roof", "wall", "wall", "wall", "wall"]
    # in the twin CRS: the triangles' area is the twin's roof + wall + ground area
    mesh = building_mesh(twin.buildings, twin.layers)
    corners = mesh.triangles
    area = 0.5 * np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0],
                                         corners[:, 2] - corners[:, 0]), axis=1).sum()
    building = twin.buildings.iloc[0]
    expected = building["roof_area"] + building["wall_area"] + building["ground_area"]
    assert area == pytest.approx(expected, rel=AREA_RTOL)
    assert area == pytest.approx(faces["area"].sum(), rel=AREA_RTOL)
    # in the GLB's east-north-up frame (true distances, so areas differ from the UTM grid's by
    # the scale factor, about 8e-4 here): each face's triangles have the face's area there
    scene = read_scene(exported[FZK].glb)
    normals = scene.unit_normals()
    assert (np.einsum("ij,ij->i", normals, scene.normals) > 1 - 1e-6).all()
    vectors = face_vector_areas(scene, list(faces.geometry))
    assert scene.areas().sum() == pytest.approx(np.linalg.norm(vectors, axis=1).sum(),
                                                rel=AREA_RTOL)
    for vector in vectors:
        unit = vector / np.linalg.norm(vector)
        mine = normals @ unit > FACE_TURN
        assert scene.areas()[mine].sum() == pytest.approx(np.linalg.norm(vector), rel=AREA_RTOL)
    # the gabled roof: two sloped faces, facing opposite ways, their triangles at their tilt
    roofs = faces[faces["kind"] == ROOF]
    assert ((roofs["tilt"] > 10) & (roofs["tilt"] < 80)).all()
    assert abs((roofs["azimuth"].iloc[0] - roofs["azimuth"].iloc[1]) % 360 - 180) < 0.01
    tilt = np.degrees(np.arccos(np.clip(normals[:, 1], -1, 1)))
    for roof_tilt, vector in zip(roofs["tilt"], face_vector_areas(scene, list(roofs.geometry))):
        mine = normals @ (vector / np.linalg.norm(vector)) > FACE_TURN
        assert mine.sum() >= 2
        assert np.abs(tilt[mine] - roof_tilt).max() < 0.05  # grid and true north differ
    # a closed shell facing out: positive volume, the twin's (to the scale factor)
    volume = np.einsum("ij,ij->i", scene.triangles[:, 0],
                       np.cross(scene.triangles[:, 1], scene.triangles[:, 2])).sum() / 6
    assert volume == pytest.approx(building["volume"], rel=2e-3)


def test_fzk_haus_bounding_box_is_its_citygml_coordinates(exported: dict[str, Exported],
                                                          shared_data: Path) -> None:
    """The GLB's bounding box is that of every coordinate in the CityGML file, taken to the
    frame (east, north, up from the origin in ``asset.extras``; glTF x east, y up, z south):
    the house stands on the origin, 6.52 m high. (Its 12 m x 10 m plan is turned by the
    meridian convergence, grid north not being true north, so its axis-aligned box is wider.)"""
    tree = etree.parse(str(shared_data / "citygml-samples" / FZK))
    gml = "{http://www.opengis.net/gml}"
    coordinates = np.concatenate([np.array(p.text.split(), dtype=float).reshape(-1, 3)
                                  for p in tree.iter(f"{gml}posList")])
    low = np.array(next(tree.iter(f"{gml}lowerCorner")).text.split(), dtype=float)
    high = np.array(next(tree.iter(f"{gml}upperCorner")).text.split(), dtype=float)
    assert np.allclose(coordinates.min(axis=0), low)
    assert np.allclose(coordinates.max(axis=0), high)
    scene = read_scene(exported[FZK].glb)
    accessor = scene.gltf.accessors[scene.gltf.meshes[0].primitives[0].attributes.POSITION]
    expected = scene.to_gltf(coordinates)
    assert np.allclose(accessor.min, expected.min(axis=0), atol=1e-5)
    assert np.allclose(accessor.max, expected.max(axis=0), atol=1e-5)
    # the origin: the middle of the horizontal extent, at the lowest corner; up is glTF's
    # y (the frame's up and the twin's heights agree to 0.1 mm across the house)
    assert np.allclose(scene.frame.origin, [*(low[:2] + high[:2]) / 2, low[2]])
    assert accessor.min[1] == pytest.approx(0.0, abs=1e-4)
    assert accessor.max[1] == pytest.approx(high[2] - low[2], abs=1e-4)


def test_a_mixed_twin_exports_lod2_faces_and_lod1_blocks(exported: dict[str, Exported]) -> None:
    """The PLATEAU tile: buildings with LoD2 faces leave with them (the faces' area; roofs at
    several heights or sloped), the others as blocks (only level and upright triangles, as high
    as the building)."""
    twin = exported[MIXED].twin
    faces = twin.layers["surfaces"]
    ids = twin.buildings["id"].astype(str).to_numpy()
    lod2 = np.isin(ids, faces["building_id"].astype(str).unique())
    assert 0 < lod2.sum() < len(ids)
    scene = read_scene(exported[MIXED].glb)
    assert set(scene.feature) == set(range(len(ids)))
    up = np.abs(scene.unit_normals()[:, 1])
    level_or_upright = (up > 1 - 1e-6) | (up < 1e-3)
    areas = per_building(scene, scene.areas(), len(ids))
    for row in np.flatnonzero(lod2):
        mine = scene.feature == row
        level = mine & (up > 1 - 1e-6)
        heights_of_level = np.unique(np.round(scene.triangles[level][..., 1], 2))
        assert len(heights_of_level) > 2 or not level_or_upright[mine].all()  # not one block
        own = faces[faces["building_id"].astype(str) == ids[row]]
        expected = np.linalg.norm(face_vector_areas(scene, list(own.geometry)), axis=1).sum()
        assert areas[row] == pytest.approx(expected, rel=1e-4)  # faces planar to 0.1 mm
    heights = twin.buildings["height"].to_numpy()
    bases = twin.buildings["base_elevation"].fillna(0.0).to_numpy()
    for row in np.flatnonzero(~lod2):
        mine = scene.feature == row
        assert level_or_upright[mine].all()
        plan = shapely.get_coordinates(twin.buildings.geometry.iloc[row])
        block = np.concatenate([np.column_stack([plan, np.full(len(plan), z)])
                                for z in (bases[row], bases[row] + heights[row])])
        up_block = scene.to_gltf(block)[:, 1]  # the frame's up bends with the Earth
        assert np.ptp(scene.triangles[mine][..., 1]) == pytest.approx(np.ptp(up_block), abs=1e-4)


@pytest.mark.parametrize("name", (NRW, MIXED))
def test_lod2_tilesets_hold_their_faces(exported: dict[str, Exported], name: str) -> None:
    """The tileset loads with py3dtiles, every tile's box holds its LoD2 content and its
    children, every building is in one tile, and the tiles hold the GLB's triangles."""
    tiles = checked_tiles(exported[name].tiles)
    twin = exported[name].twin
    assert sum(t.buildings for t in tiles) == len(twin.buildings)
    if name == NRW:
        assert sum(t.tile.has_content() for t in tiles) > 1
    scene = read_scene(exported[name].glb)
    vertices = np.concatenate([t.vertices for t in tiles])
    assert len(vertices) == 3 * len(scene.triangles)
    z_up = scene.triangles.reshape(-1, 3)[:, [0, 2, 1]] * [1, -1, 1]
    assert np.allclose(vertices.min(axis=0), z_up.min(axis=0), atol=1e-3)
    assert np.allclose(vertices.max(axis=0), z_up.max(axis=0), atol=1e-3)


def test_faces_triangulate_in_their_planes_facing_their_normal() -> None:
    """A sloped L-shaped face with a hole, an upright wall and a face turned the other way:
    triangles in each face's plane, winding along its normal (the outer ring's counter-clockwise
    side), covering its area, their corners the face's own; a ring crossing itself is drawn as
    its two loops."""
    turn = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(0.5), -np.sin(0.5)],
                     [0.0, np.sin(0.5), np.cos(0.5)]])  # a 28.6° slope

    def sloped(ring: list[tuple[float, float]]) -> np.ndarray:
        return np.column_stack([ring, np.zeros(len(ring))]) @ turn.T + [500_000.0, 5e6, 100.0]

    l_shape = [(0, 0), (6, 0), (6, 2), (2, 2), (2, 5), (0, 5)]
    hole = [(0.5, 0.5), (0.5, 1.5), (1.5, 1.5), (1.5, 0.5)]
    wall = np.array([[0, 0, 0], [4, 0, 0], [4, 0, 3], [0, 0, 3]], dtype=float)
    bowtie = np.array([[0, 0, 0], [2, 2, 0], [2, 0, 0], [0, 2, 0]], dtype=float)
    surfaces = [Surface(ROOF, (sloped(l_shape), sloped(hole))), Surface("wall", (wall,)),
                Surface("ground", (wall[::-1] + [0, 5, 0],)), Surface(ROOF, (bowtie,))]
    triangles, face = triangulate(surfaces)
    cross = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    area = np.bincount(face, 0.5 * np.linalg.norm(cross, axis=1), minlength=len(surfaces))
    planar = shapely.Polygon(l_shape, [hole]).area
    assert area == pytest.approx([planar, 12.0, 12.0, 2.0], rel=1e-9)
    normals = cross / np.linalg.norm(cross, axis=1, keepdims=True)
    expected = np.array([turn[:, 2], [0, -1, 0], [0, 1, 0]])  # the bowtie has no one normal
    drawn = face < 3
    assert (np.einsum("ij,ij->i", normals[drawn], expected[face[drawn]]) > 1 - 1e-9).all()
    for k in range(3):
        own = np.concatenate(surfaces[k].rings)
        mine = triangles[face == k].reshape(-1, 3)
        assert (np.abs(mine[:, None] - own[None]).sum(axis=2).min(axis=1) == 0).all()
