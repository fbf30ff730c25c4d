"""Solar cadastre of real LoD2 roofs: FZK-Haus (two 30° faces north and south), its usable
areas after the set-back computed by hand, and shading by a taller neighbour without faces."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from twin.energy.roof_faces import SETBACK, roof_faces
from twin.energy.solar import energy_weather
from twin.energy.solar_cadastre import FACE_COLUMNS, solar_cadastre
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.importers.weather import read_weather
from twin.model import Twin

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
