"""CityJSON 2.0 out: valid against the official schema, and read back by the twin's own
CityJSON importer to the same buildings, heights, uses, years and results."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import shapely

from twin.export.cityjson import SCALE, cityjson_document
from twin.export.run import export
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.importers.cityjson import read_cityjson
from twin.model import BUILDING_USES, Twin
from twin.store import save_twin

SCHEMA = "cityjson-schemas/cityjson.min.schema.json"


def schema_errors(document: dict, shared_data: Path) -> list[str]:
    schema = json.loads((shared_data / SCHEMA).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def described(delft: Twin) -> Twin:
    """Delft with every use, years and floors set (the sample has none), and one building of
    two parts with a courtyard, so every attribute and geometry path is exported."""
    buildings = delft.buildings.copy()
    n = len(buildings)
    buildings["use"] = [BUILDING_USES[k % len(BUILDING_USES)] for k in range(n)]
    buildings["year"] = pd.array([1900 + k for k in range(n)], dtype="Int64")
    buildings["floors"] = pd.array([1 + k % 7 for k in range(n)], dtype="Int64")
    x, y = buildings.geometry.iloc[0].centroid.coords[0]
    yard = shapely.Polygon([(x - 30, y + 200), (x + 30, y + 200), (x + 30, y + 260),
                            (x - 30, y + 260)], [[(x - 10, y + 220), (x - 10, y + 240),
                                                 (x + 10, y + 240), (x + 10, y + 220)]])
    buildings.loc[n - 1, "geometry"] = shapely.MultiPolygon(
        [yard, shapely.box(x + 40, y + 200, x + 60, y + 220)])
    return delft.replace(buildings=buildings)


@pytest.fixture(scope="module")
def sampled(described: Twin) -> Twin:
    """Every tenth building and the last (of two parts): the schema check takes about a quarter
    of a second per building."""
    rows = [*range(0, len(described.buildings) - 1, 10), len(described.buildings) - 1]
    return described.replace(buildings=described.buildings.iloc[rows])


def test_the_document_validates_against_the_cityjson_2_schema(sampled: Twin,
                                                               shared_data: Path) -> None:
    document, left_out = cityjson_document(sampled)
    assert left_out == 0
    assert document["version"] == "2.0"
    assert document["metadata"]["referenceSystem"] == "https://www.opengis.net/def/crs/EPSG/0/28992"
    assert schema_errors(document, shared_data) == []
    kinds = [o["type"] for o in document["CityObjects"].values()]
    assert kinds.count("Building") == len(sampled.buildings) and kinds.count("BuildingPart") == 2


def test_a_broken_document_fails_the_schema(sampled: Twin, shared_data: Path) -> None:
    document, _ = cityjson_document(sampled)
    first = next(iter(document["CityObjects"].values()))
    first["geometry"][0]["lod"] = 1  # a number, where the schema wants text
    assert schema_errors(document, shared_data)


def test_reimport_gives_the_same_buildings_and_attributes(described: Twin, tmp_path: Path) -> None:
    path = tmp_path / "delft.city.json"
    path.write_bytes(json.dumps(cityjson_document(described)[0]).encode())
    back = read_cityjson(path).buildings.set_index("id")
    out = described.buildings.set_index("id")
    assert sorted(back.index) == sorted(out.index)
    back = back.loc[out.index]
    # vertices are stored to the millimetre
    assert np.allclose(back["height"], out["height"], atol=1e-9)  # measuredHeight, as written
    assert np.allclose(back["base_elevation"], out["base_elevation"], atol=1e-3)
    assert np.allclose(back["footprint_area"], out.geometry.area, rtol=1e-5)
    assert list(back["use"]) == [u if u != "unknown" else "unknown" for u in out["use"]]
    assert back["year"].tolist() == out["year"].tolist()
    assert back["floors"].tolist() == out["floors"].tolist()
    # an LoD1 solid: flat roof as large as the footprint, walls the perimeter times the
    # height, each within what storing corners to SCALE (1 mm) can change
    area, perimeter = out.geometry.area.to_numpy(), out.geometry.length.to_numpy()
    height = out["height"].to_numpy()
    corners = shapely.get_num_coordinates(out.geometry.to_numpy())
    assert np.all(np.abs(back["roof_area"] - area) <= SCALE * perimeter)
    assert np.all(np.abs(back["wall_area"] - perimeter * height)
                  <= SCALE * (perimeter + corners * height))
    assert np.all(np.abs(back["volume"] - area * height) <= SCALE * (area + perimeter * height))


def test_results_become_attributes(delft_results: Path, tmp_path: Path) -> None:
    from twin.runs import read_results

    output = tmp_path / "baseline.city.json"
    report = export(delft_results, output, "cityjson")
    assert report.output == output
    document = json.loads(output.read_text(encoding="utf-8"))
    energy = read_results(delft_results).energy.buildings
    heated = energy[energy["heating_kWh_m2"].notna()]
    assert len(heated) > 100
    for building_id, row in heated.iterrows():
        attributes = document["CityObjects"][building_id]["attributes"]
        assert attributes["heating_kWh_m2"] == pytest.approx(row["heating_kWh_m2"], rel=1e-12)
        assert attributes["label"] == row["label"]
        assert attributes["peak_heating_time"] == row["peak_heating_time"].isoformat()


# --------------------------------------------------------------------------- LoD2 sources

LOD2_SAMPLES = ("citygml-samples/FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml",
                "citygml-samples/LoD2_32_326_5730_1_NW.gml",
                "cityjson-samples/zurich_subset_lod2.city.json")
"""CityGML LoD2 sources, and a CityJSON one with BuildingParts and faces with holes."""
AREA_RTOL = 1e-6
ANGLE_TOL = 0.01
"""deg: tilt and azimuth of a face after the round trip."""


@pytest.mark.parametrize("name", LOD2_SAMPLES)
def test_lod2_buildings_leave_as_lod2_with_their_faces(name: str, shared_data: Path,
                                                        tmp_path: Path) -> None:
    """An LoD2 source (FZK-Haus, an NRW tile, Zürich) saved as a twin folder and exported:
    every building is one LoD2 MultiSurface of its roof, wall, ground and closure faces (not an
    extruded block), the document validates, and the CityJSON importer reads back the same
    faces: per building the same kinds in the same order, areas within 1e-6 relative, tilt and
    azimuth within 0.01°."""
    path = shared_data / name
    read = read_citygml if path.suffix == ".gml" else read_cityjson
    twin = assemble(path.name, [read(path)])
    folder = save_twin(twin, tmp_path / "lod2.twin")
    output = tmp_path / "lod2.city.json"
    export(folder, output, "cityjson")
    document = json.loads(output.read_text(encoding="utf-8"))
    assert schema_errors(document, shared_data) == []
    faces = twin.layers["surfaces"]
    buildings = document["CityObjects"]
    assert sorted(buildings) == sorted(twin.buildings["id"])
    for building_id, rows in faces.groupby("building_id", sort=False):
        (geometry,) = buildings[building_id]["geometry"]
        assert (geometry["type"], geometry["lod"]) == ("MultiSurface", "2")
        semantic = [geometry["semantics"]["surfaces"][v]["type"]
                    for v in geometry["semantics"]["values"]]
        assert semantic == [f"{kind.capitalize()}Surface" for kind in rows["kind"]]
    again = read_cityjson(output)
    out = twin.buildings.set_index("id")
    table = again.buildings.set_index("id").loc[out.index]
    assert table["height"].tolist() == out["height"].tolist()  # measuredHeight, as written
    assert table["use"].tolist() == out["use"].tolist()
    for column in ("roof_area", "wall_area", "ground_area"):
        np.testing.assert_allclose(table[column], out[column], rtol=AREA_RTOL)
    back = again.layers["surfaces"]
    assert back["building_id"].tolist() == faces["building_id"].tolist()
    assert back["kind"].tolist() == faces["kind"].tolist()
    np.testing.assert_allclose(back["area"], faces["area"], rtol=AREA_RTOL)
    np.testing.assert_allclose(back["tilt"], faces["tilt"], atol=ANGLE_TOL)
    flat = faces["azimuth"].isna().to_numpy()
    assert (back["azimuth"].isna().to_numpy() == flat).all()
    turn = (back["azimuth"].to_numpy()[~flat] - faces["azimuth"].to_numpy()[~flat] + 180.0) % 360.0
    assert np.abs(turn - 180.0).max() <= ANGLE_TOL


def test_buildings_without_faces_stay_lod1_beside_lod2_ones(shared_data: Path) -> None:
    """A PLATEAU tile of LoD1 buildings and a few with LoD2 faces: each building leaves with
    its own LoD."""
    name = "52397519_bldg_6697_op.gml"
    twin = assemble(name, [read_citygml(shared_data / "citygml-samples" / name)])
    document, left_out = cityjson_document(twin)
    assert left_out == 0 and schema_errors(document, shared_data) == []
    with_faces = set(twin.layers["surfaces"]["building_id"])
    assert 0 < len(with_faces) < len(twin.buildings)
    for building_id, city_object in document["CityObjects"].items():
        lods = {g["lod"] for g in city_object["geometry"]}
        assert lods == ({"2"} if building_id in with_faces else {"1"}), building_id
