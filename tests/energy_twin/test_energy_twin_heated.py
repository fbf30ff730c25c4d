"""Heated or unheated: garages, sheds and small stand-alone untyped buildings are kept in the
twin and counted, not simulated (``twin.energy.heated``)."""

from __future__ import annotations

import numpy as np

from twin.energy import run_energy
from twin.energy.heated import SMALL_BUILDING_AREA, heated_buildings
from twin.importers.assemble import import_files
from twin.importers.base import ImportOptions
from twin.importers.samples import sample_files
from twin.importers.terrain_grids import zonal_statistic
from twin.model import STOREY_HEIGHT

HOUSE = (0.0, 0.0, 10.0, 8.0)
GARAGE = (10.0, 0.0, 13.0, 6.0)  # built against the house
SHED = (20.0, 20.0, 24.0, 25.0)  # 20 m², stand-alone, building=yes


def test_house_with_garage_and_shed_simulates_only_the_house(make_twin) -> None:
    twin = make_twin([HOUSE, GARAGE, SHED], [6.0, 3.0, 2.5], use=["residential", "storage", "unknown"],
                     building_type=["house", "garage", None])
    run = run_energy(twin)
    assert run.buildings["simulated"].tolist() == [True, False, False]
    assert run.kpis["buildings"] == 1.0
    assert np.isnan(run.buildings["heating_kWh"].iloc[1:]).all()
    assert ("2 buildings unheated, not simulated: 1 garage, 1 stand-alone untyped below 50 m² "
            "(EPBD art. 4(2))") in run.warnings
    alone = run_energy(make_twin([HOUSE], [6.0], use=["residential"], building_type=["house"]))
    # the garage is kept as a neighbour: its party wall still shields the house
    assert run.buildings["heating_kWh"].iloc[0] < alone.buildings["heating_kWh"].iloc[0]


def test_small_untyped_buildings_are_heated_when_attached_or_large_or_used(make_twin) -> None:
    b = make_twin([HOUSE, (10.0, 0.0, 14.0, 5.0), (30.0, 0.0, 37.0, 8.0), (50.0, 0.0, 54.0, 5.0)],
                  [6.0, 6.0, 3.0, 3.0], use=["unknown", "unknown", "unknown", "residential"]).buildings
    party = np.array([30.0, 30.0, 0.0, 0.0])
    got = heated_buildings(b, party)
    # 80 m² untyped, a 20 m² annex against it, 56 m² stand-alone, a 20 m² dwelling: all heated
    assert got.mask.all() and got.warning() is None
    assert heated_buildings(b, np.zeros(4)).mask.tolist() == [True, False, True, True]
    assert SMALL_BUILDING_AREA == 50.0  # EPBD 2010/31/EU art. 4(2), not a tuned value


def test_heated_column_overrides_the_rules(make_twin) -> None:
    twin = make_twin([HOUSE, SHED], [6.0, 2.5], use=["residential", "unknown"],
                     building_type=["house", "sauna"], heated=[False, True])
    got = heated_buildings(twin.buildings, np.zeros(2))
    assert got.mask.tolist() == [False, True]
    assert got.warning() == "1 buildings unheated, not simulated: 1 by the heated column"


def test_delft_storeys_follow_the_dsm_and_heating_per_m2_falls(delft) -> None:
    source = import_files(sample_files("delft"), name="delft",
                          options=ImportOptions(dsm_heights=False))
    b, t = delft.buildings, delft.terrain
    assert t.dsm is not None and t.dtm is not None
    observed = (zonal_statistic(t.dsm, b.geometry.values, "median")
                - zonal_statistic(t.dtm, b.geometry.values, "median"))
    dsm_floors = np.maximum(1.0, np.round(observed / STOREY_HEIGHT))
    floors = b["floors"].to_numpy(dtype=float)
    replaced = (b["height_source"] == "dsm").to_numpy()
    assert replaced.sum() == 110  # of 160: LoD1 heights more than half a storey off the lidar
    assert (floors[replaced] == dsm_floors[replaced]).all()
    # the kept heights are within half a storey of DSM − DTM: one storey apart at most
    assert (np.abs(floors - dsm_floors) <= 1.0).all()
    # mean storeys 1.14 with the source heights, 2.20 now, 2.33 from DSM − DTM alone
    assert abs(floors.mean() - dsm_floors.mean()) <= 0.5  # half a storey
    assert source.buildings["floors"].astype(float).mean() < dsm_floors.mean() - 1.0
    before = run_energy(source).kpis["heating_kWh_m2"]
    after = run_energy(delft).kpis["heating_kWh_m2"]
    assert after < before  # 329 -> 166 kWh/m² a (heated buildings only in both)
