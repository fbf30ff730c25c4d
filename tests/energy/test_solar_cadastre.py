"""Solar cadastre of real LoD2 roofs: FZK-Haus (two 30° faces north and south), its usable
areas after the set-back computed by hand, and shading by a taller neighbour without faces."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from simulation.energy import PACKING
from twin.energy import run_energy
from twin.energy.roof_faces import SETBACK, roof_faces
from twin.energy.solar import energy_weather
from twin.energy.solar_cadastre import FACE_COLUMNS, solar_cadastre
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.importers.weather import read_weather
from twin.model import Raster, Terrain, Twin
from twin.runs import read_results, run_scenario, write_results
from twin.scenarios.buildings import AddPV
from twin.scenarios.loader import load_scenario
from twin.store import save_twin

pytestmark = pytest.mark.filterwarnings("ignore:DatetimeIndex.dayofyear is deprecated")

FZK = "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml"


@pytest.fixture(scope="module")
def fzk(shared_data: Path) -> Twin:
    """FZK-Haus with the DWD TRY 2011 year of Essen (region 5) shipped in demandlib."""
    resource = importlib.resources.files("demandlib") / "vdi" / "resources_weather"
    weather = read_weather(Path(str(resource / "TRY2010_05_Jahr.dat"))).weather
    twin = assemble("fzk", [read_citygml(shared_data / "citygml-samples" / FZK)])
    return twin.replace(weather=weather)


def test_fzk_haus_south_face_gets_more_than_north(fzk: Twin) -> None:
    cadastre = solar_cadastre(fzk, energy_weather(fzk.weather, 0.2))
    assert cadastre is not None
    faces = cadastre.faces
    assert list(faces.columns) == list(FACE_COLUMNS)
    assert len(faces) == 2
    south = faces.loc[(faces["azimuth_deg"] - 180.0).abs().idxmin()]
    north = faces.loc[faces["azimuth_deg"].map(lambda a: min(a, 360.0 - a)).idxmin()]
    for face in (south, north):
        assert face["tilt_deg"] == pytest.approx(30.0, abs=1e-6)
        # the face is 12 m along the ridge by 5 m / cos 30° up the slope (by hand from the file)
        assert face["area_m2"] == pytest.approx(12.0 * 5.0 / np.cos(np.radians(30.0)), rel=1e-9)
        assert face["usable_m2"] == pytest.approx(
            (12.0 - 2 * SETBACK) * (5.0 / np.cos(np.radians(30.0)) - 2 * SETBACK), rel=1e-9)
        assert face["kWp"] == pytest.approx(face["usable_m2"] * 0.2, rel=1e-12)
        assert face["sunlit_share"] == pytest.approx(1.0, abs=2e-3)  # nothing around it
    assert south["azimuth_deg"] == pytest.approx(180.0, abs=1e-6)
    assert south["irradiation_kWh_m2"] > 1.3 * north["irradiation_kWh_m2"]
    assert south["yield_kWh"] > 1.3 * north["yield_kWh"]
    # the building: sums over its faces, area-weighted irradiation
    b = cadastre.buildings.iloc[0]
    assert b["roof_faces"] == 2
    assert b["kWp"] == pytest.approx(faces["kWp"].sum())
    assert b["irradiation_kWh_m2"] == pytest.approx(faces["irradiation_kWh_m2"].mean())


def test_sample_points_lie_on_the_usable_face(fzk: Twin) -> None:
    geometry = roof_faces(fzk)
    assert geometry is not None
    counts = np.diff(geometry.point_start)
    assert np.all(counts >= 1) and counts.sum() == len(geometry.points)
    polygons = fzk.layers["surfaces"].geometry.values
    roofs = polygons[(fzk.layers["surfaces"]["kind"] == "roof").to_numpy()]
    # every point 0.2 m above a roof face, inside its outline seen from above
    footprint = shapely.union_all(shapely.force_2d(roofs))
    assert shapely.contains_xy(footprint, geometry.points[:, 0], geometry.points[:, 1]).all()


def test_a_taller_neighbour_without_faces_shades_the_south_face(fzk: Twin) -> None:
    b = fzk.buildings
    house = b.geometry.values[0]
    xmin, ymin, xmax, _ = house.bounds
    tower = b.iloc[[0]].copy()
    tower["id"] = "tower"
    tower["height"] = float(b["height"].iloc[0]) + 30.0
    tower.geometry = [shapely.box(xmin - 20.0, ymin - 25.0, xmax + 20.0, ymin - 10.0)]
    shaded_twin = fzk.replace(buildings=pd.concat([b, tower], ignore_index=True))
    weather = energy_weather(fzk.weather, 0.2)
    free = solar_cadastre(fzk, weather)
    shaded = solar_cadastre(shaded_twin, weather)
    assert free is not None and shaded is not None
    south = int((free.faces["azimuth_deg"] - 180.0).abs().idxmin())
    north = 1 - south
    assert (shaded.faces["irradiation_kWh_m2"][south]
            < 0.8 * free.faces["irradiation_kWh_m2"][south])
    assert shaded.faces["sunlit_share"][south] < 0.7
    # the north face looks away from the tower (it loses only the high southern sky and sun)
    kept = shaded.faces["irradiation_kWh_m2"] / free.faces["irradiation_kWh_m2"]
    assert kept[north] > kept[south]


def _with_tower(twin: Twin) -> Twin:
    """The twin with a LoD1 building (no faces) 60 m east of the first one."""
    b = twin.buildings
    tower = b.iloc[[0]].copy()
    tower["id"] = "tower"
    xmin, ymin, xmax, ymax = b.geometry.values[0].bounds
    tower.geometry = [shapely.box(xmax + 60.0, ymin, xmax + 75.0, ymax)]
    tower["roof_area"] = tower["footprint_area"] = 15.0 * (ymax - ymin)
    return twin.replace(buildings=pd.concat([b, tower], ignore_index=True))


def test_add_pv_puts_modules_on_the_faces_over_the_threshold(fzk: Twin) -> None:
    twin = _with_tower(fzk)
    select = {"filter": "height > 0"}
    chosen, _ = AddPV.from_table({"select": select, "share": 0.5,
                                  "min_irradiation": 800.0}).apply(twin)
    every, _ = AddPV.from_table({"select": select, "share": 0.5}).apply(twin)
    runs = {"chosen": run_energy(chosen), "every": run_energy(every)}
    faces = runs["chosen"].solar_faces
    assert faces is not None and runs["chosen"].solar_buildings is not None
    south = faces["irradiation_kWh_m2"] >= 800.0
    assert south.sum() == 1
    house = runs["chosen"].buildings.iloc[0]
    # PV in the balance is the south face's yield at half its module area (the PVWatts chain
    # scales with the nameplate, so exactly half)
    assert house["pv_kWp"] == pytest.approx(0.5 * faces.loc[south, "kWp"].sum(), rel=1e-12)
    assert house["pv_kWh"] == pytest.approx(0.5 * faces.loc[south, "yield_kWh"].sum(), rel=1e-9)
    both = runs["every"].buildings.iloc[0]
    assert both["pv_kWh"] == pytest.approx(0.5 * faces["yield_kWh"].sum(), rel=1e-9)
    # the building without faces keeps the flat-roof PV of rooftop_pv in both runs
    tower = runs["chosen"].buildings.loc["tower"]
    assert tower["pv_kWp"] == pytest.approx(0.5 * PACKING * 0.2 * 15.0 * (
        twin.buildings.geometry.values[0].bounds[3] - twin.buildings.geometry.values[0].bounds[1]))
    assert tower["pv_kWh"] == pytest.approx(runs["every"].buildings.loc["tower", "pv_kWh"])
    assert tower["pv_kWh"] > 0.0


def test_the_cadastre_goes_to_the_results_file_with_its_units(fzk: Twin, tmp_path: Path) -> None:
    folder = save_twin(fzk, tmp_path / "fzk.twin")
    scenario = tmp_path / "pv.toml"
    scenario.write_text(f"""format = 1
[metadata]
title = "FZK-Haus PV on the sunny face"
description = "PV on the FZK-Haus roof faces of 800 kWh/m2 a and more."
author = "tests"
city = "Karlsruhe"
licence = "CC0-1.0"
[twin]
path = "{folder.name}"
[simulations]
run = ["energy"]
[[interventions]]
type = "add_pv"
share = 1.0
min_irradiation = 800
select = {{ filter = "height > 0" }}
""", encoding="utf-8")
    run = run_scenario(load_scenario(scenario))
    results = read_results(write_results(run, tmp_path / "pv.h5"))
    assert results.energy is not None
    faces, buildings = results.energy.solar_faces, results.energy.solar_buildings
    assert faces is not None and buildings is not None
    assert run.energy is not None and run.energy.solar_faces is not None
    pd.testing.assert_frame_equal(faces.reset_index(drop=True),
                                  run.energy.solar_faces.reset_index(drop=True),
                                  check_dtype=False, check_index_type=False)
    units = results.energy.units["solar_faces"]
    assert units["irradiation_kWh_m2"] == "kWh/m2" and units["kWp"] == "kWp"
    assert units["tilt_deg"] == "deg" and results.energy.units["solar_buildings"]["yield_kWh"] == "kWh"
    assert results.energy.buildings["pv_kWp"].iloc[0] == pytest.approx(
        faces.loc[faces["irradiation_kWh_m2"] >= 800.0, "kWp"].sum(), rel=1e-9)


def test_the_dsm_shades_with_terrain_but_not_with_the_faced_buildings_themselves(
        fzk: Twin) -> None:
    # a 0.5 m DSM: flat ground at the house's base, the house itself as a block at its ridge
    # height (a DSM would show it), and a 40 m wall of trees 15 m south of the house
    b = fzk.buildings
    xmin, ymin, xmax, ymax = b.geometry.values[0].bounds
    base = float(b["base_elevation"].iloc[0])
    top = base + float(b["height"].iloc[0])
    cell = 0.5
    x0, y0 = xmin - 60.0, ymax + 60.0
    cols, rows = int((xmax - xmin + 120.0) / cell), int((ymax - ymin + 120.0) / cell)
    transform = Affine(cell, 0.0, x0, 0.0, -cell, y0)
    x = x0 + (np.arange(cols) + 0.5) * cell
    y = y0 - (np.arange(rows) + 0.5) * cell
    gx, gy = np.meshgrid(x, y)
    ground = np.full((rows, cols), base, dtype=np.float32)
    house = np.where(shapely.contains_xy(b.geometry.values[0], gx, gy), top, base)
    trees = np.where((gy < ymin - 15.0) & (gy > ymin - 20.0), base + 40.0, base)
    weather = energy_weather(fzk.weather, 0.2)

    def cadastre(values: np.ndarray) -> pd.DataFrame:
        terrain = Terrain(dsm=Raster(values.astype(np.float32), transform, fzk.crs))
        result = solar_cadastre(fzk.replace(terrain=terrain), weather)
        assert result is not None
        return result.faces

    free = solar_cadastre(fzk, weather)
    assert free is not None
    flat = cadastre(ground)
    np.testing.assert_allclose(flat["irradiation_kWh_m2"], free.faces["irradiation_kWh_m2"],
                               rtol=1e-12)
    np.testing.assert_allclose(cadastre(np.maximum(ground, house))["irradiation_kWh_m2"],
                               free.faces["irradiation_kWh_m2"], rtol=1e-12)
    shaded = cadastre(np.maximum(ground, trees))
    south = int((free.faces["azimuth_deg"] - 180.0).abs().idxmin())
    assert shaded["irradiation_kWh_m2"][south] < 0.8 * free.faces["irradiation_kWh_m2"][south]
