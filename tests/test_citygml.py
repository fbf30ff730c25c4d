"""Tests of the CityGML importer and the surfaces layer on the real samples and hostile files.

Expected values come from the sample README (counts), from the files' own attributes read here
with the standard library's ElementTree, or from hand computation on the coordinates; never
from the importer itself.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Transformer

from twin.errors import InputError
from twin.importers import registry
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.importers.readers import CITYGML
from twin.model import BUILDING_COLUMNS
from twin.store import load_twin, save_twin

FZK_V2 = "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml"
FZK_V3 = "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1__v3.gml"
NRW_A = "LoD2_32_326_5730_1_NW.gml"
NRW_B = "LoD2_32_325_5732_1_NW.gml"
PLATEAU_LOD1 = "53375768_bldg_6697_op.gml"
PLATEAU_OSAKA = "51357335_bldg_6697_op.gml"
PLATEAU_LOD2 = "52397519_bldg_6697_op.gml"

ROOF_NORTH = "GML_875d470b-32b4-4985-a4c8-0f02caa342a2"
ROOF_SOUTH = "GML_eeb6796a-e261-4d3b-a6f2-475940cca80a"
WALL_WEST = "GML_5856d7ad-5e34-498a-817b-9544bfbb1475"
WALL_SOUTH = "GML_d38cf762-c29d-4491-88c9-bdc89e141978"
WALL_EAST = "GML_8e5db638-e46a-4739-a98a-2fc2d39c9069"
WALL_NORTH = "GML_0f30f604-e70d-4dfe-ba35-853bc69609cc"
GROUND = "GML_257a8dde-8194-4ca3-b581-abd591dcd6a3"


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    return shared_data / "citygml-samples"


@pytest.fixture
def citygml_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with the CityGML reader, as after the package is reinstalled (the entry
    point metadata of the installed package may predate it)."""
    installed = registry.registered_readers()
    readers = installed if any(r.name == "citygml" for r in installed) else (*installed, CITYGML)
    monkeypatch.setattr(registry, "registered_readers", lambda: readers)


def attributes_by_building(path: Path) -> dict[str, list[dict[str, str]]]:
    """Per Building gml:id, the texts of its own and then each BuildingPart's direct children
    (local name -> text), read with ElementTree."""
    result = {}
    for element in ET.parse(path).getroot().iter():
        if element.tag.endswith("}Building"):
            members = [element] + [e for e in element.iter() if e.tag.endswith("}BuildingPart")]
            result[_gml_id(element)] = [
                {child.tag.rpartition("}")[2]: (child.text or "").strip() for child in member}
                for member in members]
    return result


def _gml_id(element: ET.Element) -> str:
    return next(v for k, v in element.attrib.items() if k.endswith("}id"))


# --------------------------------------------------------------------------- FZK-Haus


def test_fzk_haus_faces_match_the_hand_computation(samples: Path) -> None:
    """FZK-Haus: a 12 m (x 457842..457854) by 10 m (y 5439083..5439093) gabled house, ground
    z0 = 111.8, eaves ze = 115.430940107676, ridge zr = 118.317691453624 along x at y 5439088.

    - roofs: rise zr - ze = 2.886751345948 over a run of 5 m: tan(tilt) = 0.577350 = 1/sqrt(3),
      tilt 30°; the north roof falls to the north (outward normal towards +y: azimuth 0°), the
      south roof to the south (180°); each is 12 m by sqrt(5² + 2.886751²) = 5.773503 m =
      69.282032 m².
    - south and north walls: 12 m by ze - z0 = 3.630940 m = 43.571281 m², tilt 90°, azimuth 180°
      and 0°.
    - west and east gables: 10 m by 3.630940 m plus the triangle 10 m by 2.886751 m / 2 =
      36.309401 + 14.433757 = 50.743158 m², azimuth 270° and 90°.
    - ground: 12 m by 10 m = 120 m², tilt 180°, no azimuth.
    - volume: 120 m² by 3.630940 m plus the prism 14.433757 m² by 12 m = 608.917894 m³.
    """
    z0, ze, zr = 111.8, 115.430940107676, 118.317691453624
    rise, run = zr - ze, 5.0
    slope = math.hypot(run, rise)
    gable = 10.0 * (ze - z0) + 0.5 * 10.0 * rise
    expected = {  # surface id: (kind, area, tilt, azimuth)
        ROOF_NORTH: ("roof", 12.0 * slope, math.degrees(math.atan2(rise, run)), 0.0),
        ROOF_SOUTH: ("roof", 12.0 * slope, math.degrees(math.atan2(rise, run)), 180.0),
        WALL_SOUTH: ("wall", 12.0 * (ze - z0), 90.0, 180.0),
        WALL_NORTH: ("wall", 12.0 * (ze - z0), 90.0, 0.0),
        WALL_WEST: ("wall", gable, 90.0, 270.0),
        WALL_EAST: ("wall", gable, 90.0, 90.0),
        GROUND: ("ground", 120.0, 180.0, math.nan),
    }
    assert math.isclose(expected[ROOF_NORTH][2], 30.0, abs_tol=1e-9)
    source = read_citygml(samples / FZK_V2)
    faces = source.layers["surfaces"].set_index("surface_id")
    assert sorted(faces.index) == sorted(expected)
    for surface_id, (kind, area, tilt, azimuth) in expected.items():
        face = faces.loc[surface_id]
        assert face["kind"] == kind
        assert face["area"] == pytest.approx(area, rel=1e-9)
        assert face["tilt"] == pytest.approx(tilt, abs=1e-7)
        if math.isnan(azimuth):
            assert math.isnan(face["azimuth"])
        else:
            assert face["azimuth"] % 360.0 == pytest.approx(azimuth, abs=1e-7)
        assert face.geometry.has_z
    building = source.buildings.iloc[0]
    assert source.crs.to_epsg() == 25832
    assert building["roof_area"] == pytest.approx(2 * 12.0 * slope, rel=1e-9)
    assert building["wall_area"] == pytest.approx(2 * 12.0 * (ze - z0) + 2 * gable, rel=1e-9)
    assert building["ground_area"] == pytest.approx(120.0, rel=1e-9)
    assert building["volume"] == pytest.approx(120.0 * (ze - z0) + 0.5 * 10.0 * rise * 12.0,
                                               rel=1e-9)
    assert building["height"] == pytest.approx(zr - z0, rel=1e-9)  # no measuredHeight: geometry
    assert building["base_elevation"] == pytest.approx(z0)
    assert building.geometry.area == pytest.approx(120.0)
    assert (building["use"], building["floors"], building["year"]) == ("residential", 2, 1948)


def test_fzk_haus_reads_the_same_in_citygml_2_and_3(samples: Path) -> None:
    v2, v3 = read_citygml(samples / FZK_V2), read_citygml(samples / FZK_V3)
    a, b = v2.buildings.iloc[0], v3.buildings.iloc[0]
    assert a["id"] == b["id"]
    for column in ("roof_area", "wall_area", "ground_area", "volume", "base_elevation",
                   "wall_area_n", "wall_area_e", "wall_area_s", "wall_area_w"):
        assert a[column] == pytest.approx(b[column], rel=1e-9), column
    assert a.geometry.equals(b.geometry)
    assert (a["use"], a["floors"]) == (b["use"], b["floors"])
    # the 3.0 file states the height (con:Height 6.52, rounded to cm) where the 2.0 file
    # leaves it to the geometry (6.5177); the years differ in the files (1948, 2020-01-01)
    assert b["height_source"] == "attribute" and b["height"] == 6.52
    assert a["height"] == pytest.approx(b["height"], abs=0.005)
    assert (a["year"], b["year"]) == (1948, 2020)
    faces_a = v2.layers["surfaces"].set_index("surface_id").sort_index()
    faces_b = v3.layers["surfaces"].set_index("surface_id").sort_index()
    assert list(faces_a.index) == list(faces_b.index)
    for column in ("area", "tilt"):
        np.testing.assert_allclose(faces_a[column], faces_b[column], rtol=1e-9)
    assert list(faces_a["kind"]) == list(faces_b["kind"])


def test_building_and_garage_in_2_and_3_give_one_closed_building(samples: Path) -> None:
    """One building with a garage BuildingPart (merged into it); the garage's shared wall is an
    OrientableSurface (orientation "-") on the house's wall polygon, so both parts close."""
    v2 = read_citygml(samples / "Building_and_garage_LOD2-EPSG25832_v2.gml")
    v3 = read_citygml(samples / "Building_and_garage_LOD2-EPSG25832_v3.gml")
    for source in (v2, v3):
        assert len(source.buildings) == 1
        assert np.isfinite(source.buildings["volume"]).all()
        assert source.buildings["use"].iloc[0] == "residential"  # SIG3D function 1000
        assert source.buildings["height"].iloc[0] == 6.0  # the building's own height
    assert v2.buildings["volume"].iloc[0] == pytest.approx(v3.buildings["volume"].iloc[0])


# --------------------------------------------------------------------------- NRW


def test_nrw_tile_counts_heights_uses_and_crs(samples: Path) -> None:
    """README: 88 buildings + 34 parts, 181 roof / 724 wall / 108 ground surfaces;
    urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH*GCG2016 = EPSG:25832 + DHHN2016 heights."""
    source = read_citygml(samples / NRW_A)
    buildings, faces = source.buildings, source.layers["surfaces"]
    assert source.crs == CRS.from_epsg(25832)
    assert len(buildings) == 88 and buildings["id"].is_unique
    assert faces.groupby("kind")["surface_id"].nunique().to_dict() == {
        "roof": 181, "wall": 724, "ground": 108, "closure": faces.query(
            "kind == 'closure'")["surface_id"].nunique()}
    assert faces["building_id"].isin(buildings["id"]).all()
    stated = attributes_by_building(samples / NRW_A)
    for _, row in buildings.iterrows():
        members = stated[row["id"]]
        heights = [float(m["measuredHeight"]) for m in members if "measuredHeight" in m]
        own = members[0].get("measuredHeight")
        assert row["height"] == pytest.approx(float(own) if own else max(heights)), row["id"]
        assert row["height_source"] == "attribute"
    functions = {bid: members[0]["function"] for bid, members in stated.items()}
    uses = dict(zip(buildings["id"], buildings["use"], strict=True))
    alkis = {  # AX_Gebaeudefunktion (GeoInfoDok) of the codes in the tile
        "31001_1000": "residential",  # Wohngebäude
        "31001_1010": "residential",  # Wohnhaus
        "31001_1130": "residential",  # Wohngebäude mit Gewerbe und Industrie
        "31001_1210": "residential",  # Land- und forstwirtschaftliches Wohngebäude
        "31001_1220": "residential",  # Land- und forstwirtschaftliches Wohn- und Betriebsgebäude
        "31001_1313": "storage",      # Gartenhaus
        "31001_2100": "industrial",   # Gebäude für Gewerbe und Industrie
        "31001_2143": "storage",      # Lagerhalle, Lagerschuppen, Lagerhaus
        "31001_2463": "storage",      # Garage
        "31001_2720": "storage",      # Land- und forstwirtschaftliches Betriebsgebäude
        "31001_2723": "storage",      # Schuppen
        "31001_3074": "public",       # Schutzbunker
        "51009_1610": "other",        # a structure (AX_SonstigesBauwerk...), not a building
    }
    assert set(functions.values()) <= set(alkis)
    for bid, code in functions.items():
        assert uses[bid] == alkis[code], (bid, code)


def test_nrw_second_tile_parts_and_storeys(samples: Path) -> None:
    """README: 45 buildings + 14 parts, storeysAboveGround on 40 (buildings or parts)."""
    source = read_citygml(samples / NRW_B)
    assert len(source.buildings) == 45
    stated = attributes_by_building(samples / NRW_B)
    assert sum(len(members) - 1 for members in stated.values()) == 14
    assert sum("storeysAboveGround" in m for members in stated.values() for m in members) == 40
    floors = source.buildings.set_index("id")["floors"]
    for bid, members in stated.items():
        given = [int(m["storeysAboveGround"]) for m in members if "storeysAboveGround" in m]
        if given:
            assert floors[bid] == given[0], bid
        else:
            assert pd.isna(floors[bid]), bid


# --------------------------------------------------------------------------- PLATEAU


PLATEAU_USES = {  # PLATEAU Building_usage.xml
    "401": "office", "402": "retail", "403": "hotel", "411": "residential",
    "412": "residential", "413": "residential", "414": "residential", "415": "residential",
    "421": "public", "422": "education", "431": "storage", "441": "industrial",
    "451": "other", "452": "industrial", "454": "other",
}


@pytest.mark.parametrize(("name", "count"), [(PLATEAU_LOD1, 329), (PLATEAU_OSAKA, 433),
                                              (PLATEAU_LOD2, 13)])
def test_plateau_tiles_counts_heights_uses_and_crs(samples: Path, name: str, count: int) -> None:
    """EPSG:6697 is JGD2011 latitude, longitude, height: the footprints must land inside the
    file's envelope once turned back to (latitude, longitude); heights are measuredHeight."""
    source = read_citygml(samples / name)
    buildings = source.buildings
    assert len(buildings) == count
    assert source.crs.is_projected and source.crs.name.startswith("WGS 84 / UTM zone 5")
    root = ET.parse(samples / name).getroot()
    envelope = root.find("{http://www.opengis.net/gml}boundedBy/{http://www.opengis.net/gml}"
                         "Envelope")
    assert envelope is not None and envelope.get("srsName", "").endswith("/6697")
    lower = [float(v) for v in envelope.findtext("{http://www.opengis.net/gml}lowerCorner",
                                                 "").split()]
    upper = [float(v) for v in envelope.findtext("{http://www.opengis.net/gml}upperCorner",
                                                 "").split()]
    centres = shapely.centroid(buildings.geometry.values)
    to_jgd = Transformer.from_crs(source.crs, CRS.from_epsg(6668))  # lat, lon order
    lat, lon = to_jgd.transform(shapely.get_x(centres), shapely.get_y(centres))
    margin = 1e-4  # degrees, ~10 m
    assert (lower[0] - margin <= lat).all() and (lat <= upper[0] + margin).all()
    assert (lower[1] - margin <= lon).all() and (lon <= upper[1] + margin).all()
    stated = attributes_by_building(samples / name)
    for _, row in buildings.iterrows():
        members = stated[row["id"]]  # the building, then its parts
        heights = [float(m["measuredHeight"]) for m in members if "measuredHeight" in m]
        if heights:
            own = members[0].get("measuredHeight")
            assert row["height"] == pytest.approx(float(own) if own else max(heights)), row["id"]
        usage = next((m["usage"] for m in members if "usage" in m), None)
        assert row["use"] == (PLATEAU_USES[usage] if usage else "unknown"), row["id"]
    assert np.isfinite(buildings["footprint_area"]).all()


def test_plateau_lod2_buildings_give_faces_lod1_do_not(samples: Path) -> None:
    """README: 13 buildings, 3 with LoD2 surfaces (a building and two BuildingParts, both of
    one other building); the LoD1 tile has no semantic faces."""
    root = ET.parse(samples / PLATEAU_LOD2).getroot()
    with_lod2 = [e for e in root.iter() if e.tag.endswith(("}Building", "}BuildingPart"))
                 and any(c.tag.endswith("}lod2Solid") for c in e)]
    assert len(with_lod2) == 3
    buildings = {_gml_id(e) for e in root.iter() if e.tag.endswith("}Building")
                 and any(d.tag.endswith("}lod2Solid") for d in e.iter())}
    lod2 = read_citygml(samples / PLATEAU_LOD2)
    assert set(lod2.layers["surfaces"]["building_id"]) == buildings and len(buildings) == 2
    assert "surfaces" not in read_citygml(samples / PLATEAU_LOD1).layers


# --------------------------------------------------------------------------- areas, independently

GML = "{http://www.opengis.net/gml}"
THEMATIC = {"RoofSurface": "roof", "WallSurface": "wall", "GroundSurface": "ground",
            "ClosureSurface": "closure"}
AREA_RTOL = 1e-9
"""Both sides sum float64 cross products of corners 1e5 to 6e6 m from the origin, shifted to
the face (rounding ~1e-16 x 1e6 m / 1 m face size = 1e-10 relative)."""


def ring_corners(ring: ET.Element) -> np.ndarray:
    """The corners (k, 3) of a gml:LinearRing (posList or pos elements) as written."""
    text = ring.findtext(f"{GML}posList")
    values = (text.split() if text is not None
              else [v for pos in ring.iter(f"{GML}pos") for v in (pos.text or "").split()])
    return np.array(values, dtype=float).reshape(-1, 3)


def vector_area(corners: np.ndarray) -> np.ndarray:
    """Vector area (3,) [m²] of a planar 3D ring (closed or not): half the sum of the cross
    products of its corners taken from its first corner (Newell / Stokes); its norm is the
    area, its direction the normal by the corners' order."""
    shifted = corners - corners[0]
    return 0.5 * np.cross(shifted[:-1], shifted[1:]).sum(axis=0)


def planar_area(corners: np.ndarray) -> float:
    """Area [m²] of a planar 3D ring."""
    return float(np.linalg.norm(vector_area(corners)))


def member_surfaces(member: ET.Element) -> list[ET.Element]:
    """The thematic surfaces of a Building or BuildingPart, not those of its BuildingParts."""
    found, stack = [], list(member)
    while stack:
        element = stack.pop()
        name = element.tag.rpartition("}")[2]
        if name == "BuildingPart":
            continue
        if name in THEMATIC:
            found.append(element)
        else:
            stack.extend(element)
    return found


def thematic_areas(path: Path, project: Callable[[np.ndarray], np.ndarray]) -> pd.DataFrame:
    """One row per polygon of each thematic surface of each Building and its BuildingParts,
    read with ElementTree from the raw coordinates: building, member (0 the building, then its
    parts), surface (the gml:id of the thematic surface, else of the polygon, as the surfaces
    layer names it), kind, area [m²] (holes taken out), vector area (x, y, z [m²], along the
    outer ring's normal), its term of the volume [m³] (divergence theorem: a third of the
    vector area dotted with the offset of a corner from the building's first corner) and that
    offset's length [m]; ``project`` takes the corners as written to metres."""
    rows = []
    for building in ET.parse(path).getroot().iter():
        if not building.tag.endswith("}Building"):
            continue
        origin = None
        members = [building] + [e for e in building.iter() if e.tag.endswith("}BuildingPart")]
        for member, element in ((m, e) for m, part in enumerate(members)
                                for e in member_surfaces(part)):
            kind = THEMATIC[element.tag.rpartition("}")[2]]
            own = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            for polygon in element.iter(f"{GML}Polygon"):
                (outer,) = [r for e in polygon.iter(f"{GML}exterior")
                            for r in e.iter(f"{GML}LinearRing")]
                holes = [r for e in polygon.iter(f"{GML}interior")
                         for r in e.iter(f"{GML}LinearRing")]
                corners = project(ring_corners(outer))
                origin = corners[0] if origin is None else origin
                area = planar_area(corners) - sum(planar_area(project(ring_corners(r)))
                                                  for r in holes)
                vector = vector_area(corners) / planar_area(corners) * area
                offset = corners - origin
                rows.append((_gml_id(building), member, own or _gml_id(polygon), kind, area,
                             *vector, float(np.dot(offset[0], vector)) / 3.0,
                             float(np.linalg.norm(offset, axis=1).max())))
    return pd.DataFrame(rows, columns=["building", "member", "surface", "kind", "area",
                                       "vx", "vy", "vz", "volume", "reach"])


@pytest.mark.parametrize("name", [NRW_A, NRW_B, PLATEAU_LOD2])
def test_face_areas_match_an_independent_reading_of_the_raw_coordinates(samples: Path,
                                                                       name: str) -> None:
    """Every thematic surface's polygons read with ElementTree and their areas computed here
    with numpy (PLATEAU's latitude, longitude projected with pyproj to the importer's UTM zone)
    give the importer's faces: per surface the same kind, number of polygons and area; per
    building and kind the same total area, the building table's roof, wall and ground areas,
    and its volume (divergence theorem over all the building's polygons). (The samples hold no CityJSON of the same
    buildings to compare with: see the sample READMEs.)"""
    source = read_citygml(samples / name)
    assert source.crs is not None and source.buildings is not None
    if source.crs.to_epsg() == 25832:
        def project(corners: np.ndarray) -> np.ndarray:
            return corners
    else:
        to_utm = Transformer.from_crs(CRS.from_epsg(6697), source.crs)  # latitude first

        def project(corners: np.ndarray) -> np.ndarray:
            x, y = to_utm.transform(corners[:, 0], corners[:, 1])
            return np.column_stack([x, y, corners[:, 2]])

    expected = thematic_areas(samples / name, project)
    faces = source.layers["surfaces"]
    named = expected.groupby("surface").agg(kind=("kind", "first"), polygons=("kind", "size"),
                                            area=("area", "sum"))
    read = faces.groupby("surface_id").agg(kind=("kind", "first"), polygons=("kind", "size"),
                                           area=("area", "sum"))
    assert sorted(read.index) == sorted(named.index)
    read = read.loc[named.index]
    assert read["kind"].tolist() == named["kind"].tolist()
    assert read["polygons"].tolist() == named["polygons"].tolist()
    np.testing.assert_allclose(read["area"], named["area"], rtol=AREA_RTOL)
    totals = expected.pivot_table(index="building", columns="kind", values="area",
                                  aggfunc="sum", fill_value=0.0)
    by_kind = faces.pivot_table(index="building_id", columns="kind", values="area",
                                aggfunc="sum", fill_value=0.0)
    assert sorted(by_kind.index) == sorted(totals.index)
    assert sorted(by_kind.columns) == sorted(totals.columns)
    np.testing.assert_allclose(by_kind.loc[totals.index, totals.columns], totals, rtol=AREA_RTOL)
    buildings = source.buildings.set_index("id").loc[totals.index]
    for kind in ("roof", "wall", "ground"):
        np.testing.assert_allclose(buildings[f"{kind}_area"], totals[kind], rtol=AREA_RTOL)
    # volume: every building closes (one whose geometry is all in its parts too), up to the
    # gaps of its members' shells: a member's residual vector area moves the divergence
    # theorem's result by at most its length times the distance between the origins taken
    # (here the building's first corner, the importer's each part's first corner) / 3
    by_building = expected.groupby("building")
    volume = by_building["volume"].sum().abs().loc[totals.index]
    residual = np.linalg.norm(expected.groupby(["building", "member"])[["vx", "vy", "vz"]]
                              .sum().to_numpy(), axis=1)
    gaps = pd.Series(residual, index=expected.groupby(["building", "member"]).size().index)
    bound = (gaps.groupby(level="building").sum() * by_building["reach"].max() / 3.0
             ).loc[totals.index]
    assert (np.abs(buildings["volume"] - volume) <= bound + AREA_RTOL * volume).all()


# --------------------------------------------------------------------------- registry, store


def test_gml_files_are_read_through_the_registry(samples: Path, citygml_registered: None
                                                 ) -> None:
    assert registry.reader_for(samples / FZK_V2).name == "citygml"
    source = registry.read_source(samples / FZK_V2)
    assert source.kind == "citygml" and len(source.buildings) == 1


def test_surfaces_layer_is_stored_in_layers_gpkg(samples: Path, tmp_path: Path) -> None:
    twin = assemble("nrw", [read_citygml(samples / NRW_A)])
    assert list(twin.buildings.columns[:-1]) == list(BUILDING_COLUMNS)
    stored = load_twin(save_twin(twin, tmp_path / "nrw.twin")).layers["surfaces"]
    faces = twin.layers["surfaces"]
    assert len(stored) == len(faces)
    assert stored.geometry.has_z.all()
    np.testing.assert_allclose(stored["area"], faces["area"])
    np.testing.assert_allclose(shapely.area(stored.geometry.values),
                               shapely.area(faces.geometry.values))


# --------------------------------------------------------------------------- hostile input


def _fzk_text(samples: Path) -> str:
    return (samples / FZK_V2).read_text(encoding="utf-8")


def test_truncated_xml_is_one_line(samples: Path, tmp_path: Path) -> None:
    text = _fzk_text(samples)
    path = tmp_path / "cut.gml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_citygml(path)
    assert str(error.value).startswith(f"{path}: line ")
    assert "invalid XML" in str(error.value) and "\n" not in str(error.value)


def test_unknown_srs_name_is_one_line(samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "crs.gml"
    path.write_text(_fzk_text(samples).replace("urn:adv:crs:ETRS89_UTM32*DE_DHHN92_NH",
                                               "urn:adv:crs:NOWHERE*DE_DHHN92_NH"))
    with pytest.raises(InputError, match=r"crs\.gml: srsName: unknown AdV CRS"):
        read_citygml(path)


def _two_buildings(samples: Path, second: Callable[[str], str]) -> str:
    """The FZK-Haus file with a second copy of its building (id B2) changed by ``second``."""
    text = _fzk_text(samples)
    start = text.index("<core:cityObjectMember>")
    end = text.index("</core:cityObjectMember>") + len("</core:cityObjectMember>")
    copy = text[start:end].replace("UUID_d281adfc-4901-0f52-540b-4cc1a9325f82", "B2")
    copy = copy.replace('gml:id="Poly', 'gml:id="B2Poly').replace('"#Poly', '"#B2Poly')
    copy = copy.replace('gml:id="GML_', 'gml:id="B2GML_')
    return text[:end] + second(copy) + text[end:]


def test_a_nan_coordinate_skips_that_building_alone(samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "nan.gml"
    path.write_text(_two_buildings(samples, lambda t: t.replace(
        "457854.0 5439083.0 111.8", "457854.0 NaN 111.8", 1)))
    source = read_citygml(path)
    assert list(source.buildings["id"]) == ["UUID_d281adfc-4901-0f52-540b-4cc1a9325f82"]
    assert source.warnings == ["1 buildings skipped: coordinates are not finite numbers "
                               "(first: B2)"]


def test_a_building_without_geometry_is_skipped_and_counted(samples: Path, tmp_path: Path
                                                            ) -> None:
    path = tmp_path / "bare.gml"
    path.write_text(_two_buildings(samples, lambda t: t[:t.index("<bldg:lod2Solid>")]
                                   + "</bldg:Building></core:cityObjectMember>"))
    source = read_citygml(path)
    assert len(source.buildings) == 1
    assert source.warnings == ["1 buildings skipped: no LoD 1-4 surface geometry (first: B2)"]


def test_a_building_without_gml_id_is_named_by_its_line(samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "anonymous.gml"
    text = _fzk_text(samples)
    path.write_text(text.replace('<bldg:Building gml:id="UUID_d281adfc-4901-0f52-540b-4cc1a9325f82">',
                                 "<bldg:Building>"))
    line = next(k for k, row in enumerate(path.read_text().splitlines(), start=1)
                if "<bldg:Building>" in row)
    assert list(read_citygml(path).buildings["id"]) == [f"line-{line}"]


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    """A "billion laughs" file: nine levels of ten-fold entities (10⁹ copies if expanded)."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{k} "{("&lol" + str(k - 1) + ";") * 10}">' for k in range(1, 10)]
    path = tmp_path / "laughs.gml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE CityModel [\n' + "\n".join(levels)
                    + '\n]>\n<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">'
                    "<core:cityObjectMember><x>&lol9;</x></core:cityObjectMember>"
                    "</core:CityModel>")
    with pytest.raises(InputError) as error:
        read_citygml(path)
    # refused by the reader (DOCTYPE) or, earlier, by libxml2's amplification limit
    assert re.fullmatch(rf"{re.escape(str(path))}: (DOCTYPE: a document type declaration .*"
                        r"|line \d+ column \d+: invalid XML: Maximum entity amplification.*)",
                        str(error.value))


def test_external_entities_are_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    path = tmp_path / "xxe.gml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
                    '<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0">'
                    "<core:cityObjectMember><x>&s;</x></core:cityObjectMember></core:CityModel>")
    with pytest.raises(InputError, match="DOCTYPE"):
        read_citygml(path)


def test_a_file_that_is_not_citygml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.gml"
    path.write_text('<FeatureCollection xmlns="http://www.opengis.net/wfs">'
                    "<cityObjectMember/></FeatureCollection>")
    with pytest.raises(InputError, match=r"other\.gml: FeatureCollection: not a CityGML file"):
        read_citygml(path)
