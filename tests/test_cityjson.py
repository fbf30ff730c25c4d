"""Tests of the CityJSON importer on the real sample data and on small hand-made files.

Expected values come from the data READMEs or from an independent computation here (plain
numpy Newell areas, shapely polygons, the AHN3 lidar grids), never from the importer itself.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.features import geometry_mask

from twin.errors import InputError
from twin.importers.base import ImportOptions
from twin.importers.cityjson import read_cityjson
from twin.importers.cityjson_scanner import scan_numeric_arrays
from twin.model import BUILDING_COLUMNS

RD = CRS.from_epsg(28992)
RD_NAP = ImportOptions(crs=CRS.from_epsg(7415))


# --------------------------------------------------------------------------- helpers


def samples(shared_data: Path, name: str) -> Path:
    return shared_data / "cityjson-samples" / f"{name}.city.json"


def real_vertices(doc: dict) -> np.ndarray:
    """The document's vertices in metres, transform applied."""
    transform = doc.get("transform", {"scale": [1, 1, 1], "translate": [0, 0, 0]})
    return np.array(doc["vertices"], float) * transform["scale"] + transform["translate"]


def ring_vector(points: np.ndarray) -> np.ndarray:
    """Newell vector area of a closed ring (independent of the importer's fan formula),
    around its mean point to keep precision with large map coordinates."""
    points = points - points.mean(axis=0)
    nxt = np.roll(points, -1, axis=0)
    return 0.5 * np.cross(points, nxt).sum(axis=0)


def surface_area(vertices: np.ndarray, surface: list[list[int]], holes: bool = True) -> float:
    """Area of a surface with inner rings subtracted (or ignored)."""
    outer = ring_vector(vertices[surface[0]])
    if not np.linalg.norm(outer):
        return 0.0
    unit = outer / np.linalg.norm(outer)
    inner = sum(abs(ring_vector(vertices[ring]) @ unit) for ring in surface[1:]) if holes else 0
    return float(np.linalg.norm(outer) - inner)


def semantic_surfaces(geometry: dict) -> list[tuple[str | None, list[list[int]]]]:
    """(semantic type, surface) of every surface of a MultiSurface or Solid geometry."""
    semantics = geometry.get("semantics")
    if geometry["type"] == "Solid":
        surfaces = [s for shell in geometry["boundaries"] for s in shell]
        values = [v for shell in semantics["values"] for v in shell] if semantics else None
    else:
        surfaces, values = geometry["boundaries"], semantics["values"] if semantics else None
    types = [None if values is None or v is None else semantics["surfaces"][v]["type"]
             for v in (values or [None] * len(surfaces))]
    return list(zip(types, surfaces))


def box(x0: float, y0: float, z0: float, dx: float, dy: float, dz: float, first: int = 0
        ) -> tuple[list[list[float]], list[list[list[int]]]]:
    """Vertices and the outward-facing shell (ground, roof, S, E, N, W) of an axis box."""
    corners = [(x0, y0), (x0 + dx, y0), (x0 + dx, y0 + dy), (x0, y0 + dy)]
    vertices = [[x, y, z0] for x, y in corners] + [[x, y, z0 + dz] for x, y in corners]
    faces = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
    return vertices, [[[first + i for i in face]] for face in faces]


def document(objects: dict, vertices: list, **extra) -> dict:
    doc = {"type": "CityJSON", "version": "2.0", "CityObjects": objects, "vertices": vertices,
           "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/7415"}}
    doc.update(extra)
    return doc


def solid_building(shell: list, **fields) -> dict:
    return {"type": "Building", "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell]}],
            **fields}


def write(tmp_path: Path, doc: dict | list | str | bytes, name: str = "test.city.json"
          ) -> Path:
    path = tmp_path / name
    if not isinstance(doc, (str, bytes)):
        doc = json.dumps(doc)
    path.write_bytes(doc.encode() if isinstance(doc, str) else doc)
    return path


def box_file(tmp_path: Path, **fields) -> Path:
    vertices, shell = box(85000, 447000, 1.0, 10, 20, 5)
    return write(tmp_path, document({"b1": solid_building(shell, **fields)}, vertices))


def to_sequence(doc: dict) -> str:
    """The document as CityJSONSeq: a header line, then one feature per top-level object with
    its children and its own renumbered vertices."""
    header = {k: doc[k] for k in ("type", "version", "transform", "metadata") if k in doc}
    lines = [json.dumps({**header, "CityObjects": {}, "vertices": []})]
    objects = doc["CityObjects"]
    for top, obj in objects.items():
        if obj.get("parents"):
            continue
        members = [top] + list(obj.get("children", []))
        feature_objects = {oid: copy.deepcopy(objects[oid]) for oid in members}
        numbering: dict[int, int] = {}

        def renumber(node, numbering=numbering):
            if isinstance(node, list):
                return [renumber(child) for child in node]
            return numbering.setdefault(node, len(numbering))

        for feature_obj in feature_objects.values():
            for geometry in feature_obj.get("geometry", []):
                geometry["boundaries"] = renumber(geometry["boundaries"])
        vertices = [doc["vertices"][old] for old in sorted(numbering, key=numbering.get)]
        lines.append(json.dumps({"type": "CityJSONFeature", "id": top,
                                 "CityObjects": feature_objects, "vertices": vertices}))
    return "\n".join(lines) + "\n"


def raises_input_error(path: Path, field: str, message: str = "", **options) -> InputError:
    """Read ``path`` expecting an InputError that names the file and ``field``."""
    with pytest.raises(InputError) as caught:
        read_cityjson(path, ImportOptions(**options))
    error = caught.value
    assert error.path == str(path)
    assert error.field is not None and field in error.field, error
    assert message in error.reason, error
    return error


# --------------------------------------------------------------------------- Delft


@pytest.fixture(scope="module")
def delft(shared_data):
    return read_cityjson(shared_data / "delft" / "delft.city.json")


@pytest.fixture(scope="module")
def delft_lidar_heights(shared_data, delft):
    """Per building: DSM - DTM of the AHN3 grid cells inside its footprint (m)."""
    folder = shared_data / "delft" / "dem"
    with rasterio.open(folder / "delft_ahn3_dsm_50cm.tif") as dsm, \
            rasterio.open(folder / "delft_ahn3_dtm_50cm.tif") as dtm:
        difference = dsm.read(1) - dtm.read(1)
        transform = dsm.transform
    return [difference[geometry_mask([shape], difference.shape, transform, invert=True)]
            for shape in delft.buildings.geometry]


def test_delft_table(delft):
    buildings = delft.buildings
    assert delft.kind == "cityjson"
    assert delft.crs == RD
    assert len(buildings) == 160
    assert list(buildings.columns) == [*BUILDING_COLUMNS, "geometry"]
    for name, dtype in BUILDING_COLUMNS.items():
        assert str(buildings[name].dtype) == dtype, name
    assert buildings["id"].is_unique
    assert (buildings["id"] == buildings["source_id"]).all()
    assert set(buildings["source"]) == {"delft.city.json"}
    assert (buildings["use"] == "unknown").all()
    assert buildings.crs == RD
    assert any(w.startswith("410 non-building city objects") and "143 Road" in w
               and "126 PlantCover" in w for w in delft.warnings)


def test_delft_footprints_are_valid_and_where_the_readme_says(delft):
    footprints = delft.buildings.geometry
    assert footprints.is_valid.all()
    assert footprints.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert (delft.buildings["footprint_area"] > 0).all()
    np.testing.assert_allclose(delft.buildings["footprint_area"], footprints.area)
    xmin, ymin, xmax, ymax = footprints.total_bounds
    assert 84825 <= xmin and xmax <= 85058 and 447456 <= ymin and ymax <= 447625


def test_delft_footprints_overlay_the_lidar(delft_lidar_heights):
    # The README measured DSM - DTM inside the BGT footprints: median 6.3 m, 5-95 % 2.4-11.1 m.
    medians = [np.median(cells) for cells in delft_lidar_heights]
    assert np.median(medians) == pytest.approx(6.3, abs=0.1)
    assert np.percentile(medians, [5, 95]) == pytest.approx([2.4, 11.1], abs=0.15)


def test_delft_heights_are_plausible(delft, delft_lidar_heights):
    buildings = delft.buildings
    assert (buildings["height_source"] == "attribute").all()
    assert buildings["height"].between(0.5, 30).all()
    # An LoD1 block cannot rise above the highest lidar return on its roof (0.5 m for noise);
    # these 3dfier blocks are lower than the lidar median (median 3.0 m against 6.3 m).
    highest = np.array([cells.max() for cells in delft_lidar_heights])
    assert (buildings["height"] <= highest + 0.5).all()
    assert 2.0 < buildings["height"].median() < 6.3
    assert buildings["base_elevation"].between(-0.61, 2.28).all()  # the DTM's range


def test_delft_lod1_surfaces(delft):
    buildings = delft.buildings
    # LoD1 roofs are horizontal, so their area is their projection: the footprint (up to
    # floating point, the roof triangles tile it exactly).
    np.testing.assert_allclose(buildings["roof_area"], buildings["footprint_area"], rtol=1e-9)
    sides = buildings[["wall_area_n", "wall_area_e", "wall_area_s", "wall_area_w"]].sum(axis=1)
    np.testing.assert_allclose(buildings["wall_area"], sides, rtol=1e-12)
    # Walls run from the ground to the roof: about perimeter x height (ground is not level).
    ratio = buildings["wall_area"] / (buildings.geometry.length * buildings["height"])
    assert ratio.between(0.6, 1.2).all() and 0.85 < ratio.median() < 1.05
    # These 3dfier solids have no floor: ground area unknown (NaN), not closed, so no volume.
    assert buildings["ground_area"].isna().all()
    assert buildings["volume"].isna().all()


def test_cityjsonseq_reads_like_the_cityjson(tmp_path, shared_data, delft):
    doc = json.loads((shared_data / "delft" / "delft.city.json").read_text())
    path = write(tmp_path, to_sequence(doc), "delft.city.jsonl")
    sequence = read_cityjson(path)
    assert sequence.crs == delft.crs
    assert sequence.warnings == delft.warnings
    ours, theirs = sequence.buildings, delft.buildings
    assert list(ours["id"]) == list(theirs["id"])
    numeric = [c for c, dtype in BUILDING_COLUMNS.items() if dtype == "float64"]
    np.testing.assert_allclose(ours[numeric], theirs[numeric], rtol=1e-9)
    assert shapely.equals_exact(ours.geometry.values, theirs.geometry.values, tolerance=1e-6).all()


# --------------------------------------------------------------------------- 3DBAG multi-LoD


@pytest.fixture(scope="module")
def bag_doc(shared_data):
    return json.loads(samples(shared_data, "3dbag_multi_lod").read_text())


def test_file_without_crs_needs_the_option(shared_data):
    path = samples(shared_data, "3dbag_multi_lod")
    raises_input_error(path, "metadata.referenceSystem", "--crs")
    assert read_cityjson(path, RD_NAP).crs == RD


def test_wrong_crs_is_refused(shared_data):
    path = samples(shared_data, "3dbag_multi_lod")
    raises_input_error(path, "crs", "area of use", crs=CRS.from_epsg(2056))


def test_lod_selection_changes_geometry(shared_data):
    path = samples(shared_data, "3dbag_multi_lod")
    read = {lod: read_cityjson(path, ImportOptions(lod=lod, crs=RD)) for lod in
            (None, "1.2", "1.3", "2.2", "2", "1")}
    default, lod12, lod13, lod22 = read[None], read["1.2"], read["1.3"], read["2.2"]
    assert len(default.buildings) == 10
    for name in ("roof_area", "wall_area", "height", "volume"):
        np.testing.assert_array_equal(default.buildings[name], lod22.buildings[name])
        np.testing.assert_array_equal(read["2"].buildings[name], lod22.buildings[name])
        np.testing.assert_array_equal(read["1"].buildings[name], lod13.buildings[name])
    # LoD 1.2 is one flat block: roof = footprint; the LoD 2.2 roofs are sloped and larger.
    np.testing.assert_allclose(lod12.buildings["roof_area"], lod12.buildings["footprint_area"],
                               rtol=1e-6)
    slanted = lod22.buildings["roof_area"] > lod22.buildings["footprint_area"] * 1.01
    assert slanted.sum() >= 5
    assert not np.allclose(lod12.buildings["volume"], lod22.buildings["volume"])
    assert not np.allclose(lod12.buildings["height"], lod22.buildings["height"])
    assert not any("LoD" in w for s in read.values() for w in s.warnings)


def test_missing_lod_falls_back_below_or_fails(shared_data):
    path = samples(shared_data, "3dbag_multi_lod")
    higher = read_cityjson(path, ImportOptions(lod="3", crs=RD))
    assert any(w.startswith("10 buildings have no LoD 3 geometry") and "LoD 2.2: 10" in w
               for w in higher.warnings)
    error = raises_input_error(path, "CityObjects.", "no geometry at LoD 0", lod="0", crs=RD)
    assert "1.2, 1.3, 2.2" in error.reason


def test_ground_footprint_matches_shapely(shared_data, bag_doc):
    source = read_cityjson(samples(shared_data, "3dbag_multi_lod"), RD_NAP)
    vertices = real_vertices(bag_doc)
    by_id = source.buildings.set_index("id")
    for oid, obj in bag_doc["CityObjects"].items():
        geometry = next(g for g in obj["geometry"] if g["lod"] == "2.2")
        grounds = [shapely.Polygon(vertices[s[0], :2], [vertices[r, :2] for r in s[1:]])
                   for kind, s in semantic_surfaces(geometry) if kind == "GroundSurface"]
        assert by_id.loc[oid, "footprint_area"] == pytest.approx(
            shapely.union_all(grounds).area, rel=1e-6)
        assert by_id.loc[oid, "ground_area"] == pytest.approx(sum(g.area for g in grounds),
                                                              rel=1e-6)
        assert by_id.loc[oid, "year"] == obj["attributes"]["oorspronkelijk_bouwjaar"]


# --------------------------------------------------------------------------- Zürich, Rotterdam,
# Den Haag


@pytest.fixture(scope="module")
def zurich(shared_data):
    path = samples(shared_data, "zurich_subset_lod2")
    return read_cityjson(path), json.loads(path.read_text())


def roof_areas(doc: dict, holes: bool = True) -> dict[str, float]:
    """Roof area of each Building summed over its parts, computed here."""
    vertices = real_vertices(doc)
    objects = doc["CityObjects"]
    totals = {}
    for oid, obj in objects.items():
        if obj["type"] != "Building":
            continue
        geometries = [g for member in [oid, *obj.get("children", [])]
                      for g in objects[member].get("geometry", [])]
        totals[oid] = sum(surface_area(vertices, s, holes) for g in geometries
                          for kind, s in semantic_surfaces(g) if kind == "RoofSurface")
    return totals


def test_zurich_parts_are_aggregated(zurich):
    source, doc = zurich
    assert source.crs == CRS.from_epsg(2056)
    assert len(source.buildings) == 49
    assert source.warnings == []
    expected = roof_areas(doc)
    ours = source.buildings.set_index("id")["roof_area"]
    assert ours.to_dict() == pytest.approx(expected, rel=1e-9)
    assert source.buildings.geometry.is_valid.all()


def test_zurich_holes_reduce_the_roof_area(zurich):
    source, doc = zurich
    with_holes, without = roof_areas(doc), roof_areas(doc, holes=False)
    holed = [oid for oid in with_holes if without[oid] > with_holes[oid] + 1e-6]
    assert len(holed) >= 1  # the README counts 4 surfaces with holes
    ours = source.buildings.set_index("id")["roof_area"]
    for oid in holed:
        assert ours[oid] == pytest.approx(with_holes[oid], rel=1e-9)
        assert ours[oid] < without[oid]


def test_rotterdam_semantic_areas(shared_data):
    path = samples(shared_data, "rotterdam_subset")
    source = read_cityjson(path, ImportOptions(crs=RD))
    doc = json.loads(path.read_text())
    vertices = real_vertices(doc)
    by_id = source.buildings.set_index("id")
    assert len(by_id) == 16
    for oid, obj in doc["CityObjects"].items():
        totals = {"RoofSurface": 0.0, "WallSurface": 0.0, "GroundSurface": 0.0}
        for kind, surface in semantic_surfaces(obj["geometry"][0]):
            totals[kind] += surface_area(vertices, surface)
        assert by_id.loc[oid, "roof_area"] == pytest.approx(totals["RoofSurface"], rel=1e-9)
        assert by_id.loc[oid, "wall_area"] == pytest.approx(totals["WallSurface"], rel=1e-9)
        assert by_id.loc[oid, "ground_area"] == pytest.approx(totals["GroundSurface"], rel=1e-9)
    # Roofs cover the footprint (flat ones within 0.1 %: their outlines differ by cm).
    assert (by_id["roof_area"] >= by_id["footprint_area"] * (1 - 1e-3)).all()
    np.testing.assert_allclose(by_id["ground_area"], by_id["footprint_area"], rtol=1e-4)
    # Zero-area surfaces (a ring of two repeated points) counted independently: 12.
    assert "12 degenerate surfaces skipped (fewer than 3 corners or no area)" in source.warnings


def test_rotterdam_surfaces_layer_lists_every_semantic_face(shared_data):
    """One row per non-degenerate semantic roof, wall and ground surface, with its own area
    (plain numpy Newell areas here) and a tilt and azimuth from its Newell normal."""
    path = samples(shared_data, "rotterdam_subset")
    source = read_cityjson(path, ImportOptions(crs=RD))
    faces = source.layers["surfaces"]
    doc = json.loads(path.read_text())
    vertices = real_vertices(doc)
    kinds = {"RoofSurface": "roof", "WallSurface": "wall", "GroundSurface": "ground"}
    expected = []
    for oid, obj in doc["CityObjects"].items():
        for kind, surface in semantic_surfaces(obj["geometry"][0]):
            area = surface_area(vertices, surface)
            if kind in kinds and area > 1e-9:
                normal = ring_vector(vertices[surface[0]])
                normal = normal / np.linalg.norm(normal)
                expected.append((oid, kinds[kind], area, math.degrees(math.acos(normal[2]))))
    assert len(faces) == len(expected)
    ours = sorted(zip(faces["building_id"], faces["kind"], faces["area"], faces["tilt"],
                      strict=True))
    for (oid, kind, area, tilt), mine in zip(sorted(expected), ours, strict=True):
        assert mine[:2] == (oid, kind)
        assert mine[2] == pytest.approx(area, rel=1e-9)
        assert mine[3] == pytest.approx(tilt, abs=1e-6)
    assert faces.geometry.has_z.all()


def test_denhaag_parts_and_volumes(shared_data):
    path = samples(shared_data, "denhaag_subset")
    source = read_cityjson(path, ImportOptions(crs=RD))
    doc = json.loads(path.read_text())
    vertices = real_vertices(doc)
    objects = doc["CityObjects"]
    by_id = source.buildings.set_index("id")
    assert sorted(by_id.index) == sorted(o for o, v in objects.items() if v["type"] == "Building")
    for oid, obj in objects.items():
        if obj["type"] != "Building":
            continue
        low = high = 0.0
        for member in obj.get("children") or [oid]:
            attributes = objects[member]["attributes"]
            grounds = [shapely.Polygon(vertices[s[0], :2])
                       for g in objects[member]["geometry"]
                       for kind, s in semantic_surfaces(g) if kind == "GroundSurface"]
            area = shapely.union_all(grounds).area
            low += area * attributes["RelativeEavesHeight"]
            high += area * attributes["RelativeRidgeHeight"]
        # A pitched-roof volume lies between footprint x eaves and footprint x ridge height.
        assert low * 0.98 <= by_id.loc[oid, "volume"] <= high * 1.02


# --------------------------------------------------------------------------- hand-made files


def test_box_volume_areas_and_orientation(tmp_path):
    source = read_cityjson(box_file(tmp_path))
    row = source.buildings.iloc[0]
    assert row["volume"] == pytest.approx(1000.0)
    assert row["roof_area"] == pytest.approx(200.0)
    assert row["ground_area"] == pytest.approx(200.0)
    assert row["footprint_area"] == pytest.approx(200.0)
    assert row["height"] == pytest.approx(5.0) and row["height_source"] == "geometry"
    assert row["base_elevation"] == pytest.approx(1.0)
    assert [row[f"wall_area_{s}"] for s in "nesw"] == pytest.approx([50, 100, 50, 100])
    assert source.warnings == []


def test_rotated_walls_change_sector(tmp_path):
    vertices, shell = box(0, 0, 0, 10, 20, 5)
    angle = math.radians(60)  # counter-clockwise: the south wall now faces azimuth 120 (E)
    turned = [[85000 + x * math.cos(angle) - y * math.sin(angle),
               447000 + x * math.sin(angle) + y * math.cos(angle), z] for x, y, z in vertices]
    path = write(tmp_path, document({"b": solid_building(shell)}, turned))
    row = read_cityjson(path).buildings.iloc[0]
    # faces: S (10x5) -> az 120 E, E (20x5) -> az 30 N, N -> az 300 W, W -> az 210 S
    assert [row[f"wall_area_{s}"] for s in "nesw"] == pytest.approx([100, 50, 100, 50])


def test_inward_facing_solid_is_turned(tmp_path):
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    inward = [[ring[::-1] for ring in face] for face in shell]
    source = read_cityjson(write(tmp_path, document({"b": solid_building(inward)}, vertices)))
    row = source.buildings.iloc[0]
    assert row["volume"] == pytest.approx(1000.0)
    assert row["roof_area"] == pytest.approx(200.0) and row["ground_area"] == pytest.approx(200.0)
    assert "1 closed shells faced inward; their normals were turned" in source.warnings


def test_multisolid_and_open_multisurface(tmp_path):
    v1, s1 = box(85000, 447000, 0, 10, 10, 3)
    v2, s2 = box(85100, 447000, 0, 5, 4, 6, first=8)
    open_shell = [face for face in s1 if face != s1[1]]  # no roof
    objects = {
        "two": {"type": "Building", "geometry": [
            {"type": "MultiSolid", "lod": "1", "boundaries": [[s1], [s2]]}]},
        "open": {"type": "Building", "geometry": [
            {"type": "CompositeSurface", "lod": "1", "boundaries": open_shell}]},
        "closed": {"type": "Building", "geometry": [
            {"type": "MultiSurface", "lod": "1", "boundaries": s2}]},
    }
    rows = read_cityjson(write(tmp_path, document(objects, v1 + v2))).buildings.set_index("id")
    assert rows.loc["two", "volume"] == pytest.approx(300 + 120)
    assert rows.loc["two", "footprint_area"] == pytest.approx(120)
    assert rows.loc["two"].geometry.geom_type == "MultiPolygon"
    assert math.isnan(rows.loc["open", "volume"])
    assert rows.loc["open", "roof_area"] == 0 and rows.loc["open", "footprint_area"] == 100
    assert rows.loc["closed", "volume"] == pytest.approx(120)


def test_roof_with_hole(tmp_path):
    vertices = [[85000, 447000, 5], [85010, 447000, 5], [85010, 447010, 5], [85000, 447010, 5],
                [85004, 447004, 5], [85006, 447004, 5], [85006, 447006, 5], [85004, 447006, 5]]
    roof = [[0, 1, 2, 3], [4, 7, 6, 5]]
    objects = {"b": {"type": "Building", "geometry": [{
        "type": "MultiSurface", "lod": "2", "boundaries": [roof],
        "semantics": {"surfaces": [{"type": "RoofSurface"}], "values": [0]}}]}}
    row = read_cityjson(write(tmp_path, document(objects, vertices))).buildings.iloc[0]
    assert row["roof_area"] == pytest.approx(96.0)
    assert row["footprint_area"] == pytest.approx(96.0)  # projection of the roof, hole kept
    # A hole stored with the outer ring's orientation still counts as a hole.
    roof[1] = roof[1][::-1]
    row = read_cityjson(write(tmp_path, document(objects, vertices))).buildings.iloc[0]
    assert row["roof_area"] == pytest.approx(96.0)


def test_degenerate_surfaces_are_skipped(tmp_path):
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    shell += [[[0, 1]], [[0, 1, 1]]]
    source = read_cityjson(write(tmp_path, document({"b": solid_building(shell)}, vertices)))
    assert "2 degenerate surfaces skipped (fewer than 3 corners or no area)" in source.warnings
    assert source.buildings.iloc[0]["roof_area"] == pytest.approx(200.0)


def test_attributes_and_parts(tmp_path):
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    v2, shell2 = box(85010, 447000, 0, 10, 20, 8, first=8)
    objects = {
        "b": {"type": "Building", "children": ["p1", "p2"],
              "attributes": {"gebruiksdoel": ["kantoorfunctie", "woonfunctie"],
                             "storeysAboveGround": 4, "measuredHeight": 7.5}},
        "p1": {"type": "BuildingPart", "parents": ["b"], "attributes": {"bouwjaar": 1923},
               "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell]}]},
        "p2": {"type": "BuildingPart", "parents": ["b"],
               "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell2]}]},
        "installation": {"type": "BuildingInstallation", "parents": ["b"]},
        "house": {"type": "Building", "attributes": {"function": "Residential building",
                                                     "yearOfConstruction": "1931-05-01"},
                  "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell]}]},
        "coded": {"type": "Building", "attributes": {"function": "1000"},
                  "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell]}]},
        "road": {"type": "Road"},
    }
    source = read_cityjson(write(tmp_path, document(objects, vertices + v2)))
    rows = source.buildings.set_index("id")
    assert list(rows.index) == ["b", "house", "coded"]
    b = rows.loc["b"]
    assert (b["use"], b["floors"], b["year"]) == ("office", 4, 1923)
    assert (b["height"], b["height_source"]) == (7.5, "attribute")
    assert b["volume"] == pytest.approx(1000 + 1600)
    assert b["footprint_area"] == pytest.approx(400)
    assert b.geometry.geom_type == "Polygon"  # the parts' footprints merged
    assert (rows.loc["house", "use"], rows.loc["house", "year"]) == ("residential", 1931)
    assert rows.loc["coded", "use"] == "unknown"
    assert source.warnings == ["1 non-building city objects not imported (1 Road)"]


def test_cityjson_10_with_float_vertices(tmp_path):
    vertices, shell = box(85000.25, 447000.5, 0.0, 10, 20, 5)
    doc = {
        "type": "CityJSON", "version": "1.0",
        "metadata": {"referenceSystem": "urn:ogc:def:crs:EPSG::7415"},
        "CityObjects": {"b": {"type": "Building", "geometry": [
            {"type": "Solid", "lod": 2, "boundaries": [shell]}]}},
        "vertices": vertices,
    }
    raw = json.dumps(doc).replace("85000.25", "8.500025e4").replace("85010.25", "8.501025E+4")
    row = read_cityjson(write(tmp_path, raw)).buildings.iloc[0]
    assert row["volume"] == pytest.approx(1000.0)
    assert row.geometry.bounds == pytest.approx((85000.25, 447000.5, 85010.25, 447020.5))


@pytest.mark.parametrize("reference", [
    "https://www.opengis.net/def/crs/EPSG/0/7415",
    "http://www.opengis.net/def/crs/EPSG/0/28992",
    "urn:ogc:def:crs:EPSG::7415",
    "EPSG:7415",
])
def test_reference_system_forms(tmp_path, reference):
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    doc = document({"b": solid_building(shell)}, vertices,
                   metadata={"referenceSystem": reference})
    assert read_cityjson(write(tmp_path, doc)).crs == RD


def test_file_without_buildings(tmp_path):
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    road = {"type": "Road", "geometry": [{"type": "MultiSurface", "lod": "1",
                                          "boundaries": shell[:1]}]}
    source = read_cityjson(write(tmp_path, document({"r": road}, vertices)))
    assert source.buildings.empty and list(source.buildings.columns)[-1] == "geometry"
    assert source.warnings == ["1 non-building city objects not imported (1 Road)"]


def test_declared_crs_wins_over_the_option(tmp_path):
    source = read_cityjson(box_file(tmp_path), ImportOptions(crs=CRS.from_epsg(2056)))
    assert source.crs == RD


# --------------------------------------------------------------------------- bad input


def test_truncated_json(tmp_path, shared_data):
    raw = (shared_data / "delft" / "delft.city.json").read_bytes()
    path = write(tmp_path, raw[: len(raw) // 2])
    error = raises_input_error(path, "line ", "invalid JSON")
    assert "column" in error.field


@pytest.mark.parametrize(("text", "where"), [
    ('{"type": "CityJSON", "version": "2.0" "CityObjects": {}}', "line 1 column 39"),
    ('{"type": "CityJSON",\n "vertices": [[1, 2, 3], [4, 5, ]]}', "line 2 column 31"),
    ('{"type": "CityJSON",\n "vertices": [[1, 2, 3], [4, 5, 6]', "line 2"),
    ('{"type": "CityJSON", "name": "unterminated', "line 1"),
])
def test_invalid_json_names_line_and_column(tmp_path, text, where):
    raises_input_error(write(tmp_path, text), where, "invalid JSON")


@pytest.mark.parametrize(("doc", "field", "message"), [
    ({"type": "FeatureCollection", "features": []}, "type", "not a CityJSON file"),
    ([1, 2], "type", "not a CityJSON file"),
    ({"type": "CityJSON", "version": "3.0", "CityObjects": {}, "vertices": []}, "version",
     "not supported"),
    ({"type": "CityJSON", "version": "1.1.0", "CityObjects": {}, "vertices": []}, "version",
     "not supported"),
    ({"type": "CityJSON", "version": "2.0", "CityObjects": {}}, "vertices", "missing"),
    ({"type": "CityJSON", "version": "2.0", "vertices": []}, "CityObjects", "missing"),
    ({"type": "CityJSON", "version": "2.0", "CityObjects": {}, "vertices": [["a", 1, 2]]},
     "vertices", "[x, y, z]"),
    ({"type": "CityJSON", "version": "2.0", "CityObjects": {}, "vertices": [[1, 2]]},
     "vertices", "[x, y, z]"),
    ({"type": "CityJSON", "version": "2.0", "CityObjects": {}, "vertices": [],
      "transform": {"scale": [1, 1]}}, "transform", "3 numbers"),
])
def test_bad_documents(tmp_path, doc, field, message):
    raises_input_error(write(tmp_path, doc), field, message, crs=RD)


def broken(tmp_path: Path, change) -> Path:
    vertices, shell = box(85000, 447000, 0, 10, 20, 5)
    building = solid_building(copy.deepcopy(shell))
    change(building["geometry"][0])
    return write(tmp_path, document({"ok": solid_building(shell), "bad": building}, vertices))


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda g: g["boundaries"][0][2][0].__setitem__(1, 99), "CityObjects.bad.geometry[0]",
     "vertex index 99 out of range (there are 8 vertices)"),
    (lambda g: g["boundaries"][0][2][0].__setitem__(1, -1), "CityObjects.bad.geometry[0]",
     "vertex index -1 out of range"),
    (lambda g: g["boundaries"][0][2][0].__setitem__(1, 1.5), "CityObjects.bad.geometry[0]",
     "vertex index 1.5 out of range"),
    (lambda g: g.__setitem__("boundaries", g["boundaries"][0]), "CityObjects.bad.geometry[0]",
     "nested 3 deep where its type needs 4"),
    (lambda g: g["boundaries"][0].append([0, 1, 2]), "CityObjects.bad.geometry[0]",
     "different depths"),
    (lambda g: g["boundaries"][0][0][0].__setitem__(0, "zero"),
     "CityObjects.bad.geometry[0].boundaries", "vertex indices"),
    (lambda g: g.pop("boundaries"), "CityObjects.bad.geometry[0].boundaries", "missing"),
    (lambda g: g.pop("lod"), "CityObjects.bad.geometry[0].lod", "level of detail"),
    (lambda g: g.__setitem__("semantics", {"surfaces": [{"type": "RoofSurface"}],
                                           "values": [[0, 0]]}),
     "CityObjects.bad.geometry[0]", "semantics.values has 2 entries"),
    (lambda g: g.__setitem__("semantics", {"surfaces": [{"type": "RoofSurface"}],
                                           "values": [[0, 0, 0, 0, 0, 3]]}),
     "CityObjects.bad.geometry[0]", "refers to surface 3 of 1"),
    (lambda g: g.__setitem__("semantics", {"values": [[0, 0, 0, 0, 0, 0]]}),
     "CityObjects.bad.geometry[0].semantics", "needs surfaces and values"),
])
def test_broken_geometry_names_the_object(tmp_path, change, field, message):
    raises_input_error(broken(tmp_path, change), field, message)


def test_sequence_errors_name_the_line(tmp_path, shared_data):
    doc = json.loads((shared_data / "delft" / "delft.city.json").read_text())
    lines = to_sequence(doc).splitlines()
    path = write(tmp_path, "\n".join([lines[0], '{"type": "CityJSON"}', *lines[1:]]),
                 "bad.city.jsonl")
    raises_input_error(path, "line 2", "CityJSONFeature")
    path = write(tmp_path, "\n".join([*lines[:3], lines[3][:40], *lines[4:]]), "cut.city.jsonl")
    raises_input_error(path, "line 4 column", "invalid JSON")


def test_unreadable_files_and_options(tmp_path):
    with pytest.raises(InputError, match="cannot read the file"):
        read_cityjson(tmp_path / "missing.city.json")
    raises_input_error(write(tmp_path, ""), "line 1", "invalid JSON")
    raises_input_error(box_file(tmp_path), "lod", "level of detail", lod="high")
    doc = json.loads(box_file(tmp_path).read_text())
    doc["metadata"]["referenceSystem"] = "https://www.opengis.net/def/crs/EPSG/0/999999"
    raises_input_error(write(tmp_path, doc), "metadata.referenceSystem", "unknown CRS")


def test_scan_takes_out_only_geometry_arrays():
    # Many small arrays: the scanner's buffers (skeleton, levels, array table) must grow.
    geometries = [{"type": "MultiSurface", "lod": "1",
                   "boundaries": [[[k, k + 1, k + 2]]] if k % 7 == 1 else [],
                   "semantics": {"surfaces": [], "values": [[[[[[0]]]]]] if k % 2 else []}}
                  for k in range(20000)]
    for k in range(0, 20000, 10):
        geometries[k]["material"] = {"m": {"values": [k]}}
    doc = {"type": "CityJSON", "CityObjects": {"b": {"type": "Building", "geometry": geometries,
                                                     "attributes": {"vertices": [1, 2],
                                                                    "measuredHeight": 3}}},
           "geometry-templates": {"templates": [{"boundaries": [[0]]}]},
           "vertices": [[1, 2, 3.5e-1]]}
    text = json.dumps(doc, separators=(",", ":")).encode()
    skeleton, arrays = scan_numeric_arrays(text, ("measuredHeight",))
    assert len(skeleton) > len(text) + 4096  # "[12345]" placeholders are longer than "[]"
    parsed = json.loads(skeleton)
    assert arrays.leaf_values(np.array(parsed["vertices"])).tolist() == [1, 2, 0.35]
    assert parsed["geometry-templates"] == doc["geometry-templates"]
    assert parsed["CityObjects"]["b"]["attributes"] == {"measuredHeight": 3}
    for k, geometry in enumerate(parsed["CityObjects"]["b"]["geometry"]):
        assert geometry.get("material") == geometries[k].get("material")
        assert arrays.leaf_values(np.array(geometry["boundaries"])).tolist() == (
            [k, k + 1, k + 2] if k % 7 == 1 else [])
        assert arrays.depth[geometry["semantics"]["values"][0]] == (6 if k % 2 else 1)


def test_scan_of_dense_vertices():
    # Mostly short numbers: the leaf and level buffers must grow past their first guess.
    vertices = [[k % 10, -1, 0.5] for k in range(800_000)]
    text = json.dumps({"type": "CityJSON", "vertices": vertices}, separators=(",", ":"))
    skeleton, arrays = scan_numeric_arrays(text.encode())
    number = json.loads(skeleton)["vertices"]
    assert np.array_equal(arrays.leaf_values(np.array(number)).reshape(-1, 3), vertices)
    assert np.all(arrays.level(np.array(number), 1) == 3)


def test_a_semantic_surface_type_that_is_not_a_name_is_named(tmp_path):
    vertices, shell = box(85000, 447000, 1.0, 10, 20, 5)
    building = solid_building(shell)
    building["geometry"][0]["semantics"] = {
        "surfaces": [{"type": "GroundSurface"}, {"type": ["RoofSurface"]}],
        "values": [[0, 1, 0, 0, 0, 0]]}
    path = write(tmp_path, document({"b1": building}, vertices))
    raises_input_error(path, "CityObjects.b1.geometry[0].semantics.surfaces[1].type",
                       "expected a surface type name")


def test_ids_with_control_characters_are_kept_apart_and_counted(shared_data, tmp_path):
    from twin.importers.assemble import import_files
    from twin.store import load_twin, save_twin

    city = json.loads((shared_data / "delft" / "delft.city.json").read_text(encoding="utf-8"))
    buildings = [k for k, v in city["CityObjects"].items() if v["type"] == "Building"][:2]
    for key in buildings:  # two ids that a NUL-truncating store would make one
        city["CityObjects"][key[:4] + "\x00" + key] = city["CityObjects"].pop(key)
    source = tmp_path / "nul.city.json"
    source.write_text(json.dumps(city), encoding="utf-8")
    twin = import_files([source], name="nul")
    assert "ids of 2 buildings held control characters: written as \\xNN" in twin.warnings
    save_twin(twin, tmp_path / "nul.twin")
    ids = set(load_twin(tmp_path / "nul.twin").buildings["id"])
    assert {key[:4] + "\\x00" + key for key in buildings} <= ids
