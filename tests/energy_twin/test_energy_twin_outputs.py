"""The energy run's shading, systems, PV, electricity, CO2, label, KPIs and hourly file on the
Delft sample (real CityJSON, AHN3 DSM) and on synthetic twins."""

from __future__ import annotations

import tracemalloc

import h5py
import numpy as np
import pytest

from simulation.energy import LABELS, CarrierFactors, energy_label, pv_annual, sun_positions
from simulation.energy.horizon import sun_bins
from twin import quantities
from twin.energy import EnergySettings, run_energy
from twin.energy.rooftop_pv import rooftop_pv
from twin.energy.solar import SOURCE_NAMES, energy_weather
from twin.model import Raster, Terrain

ENERGY_KPIS = quantities.names(quantities.ENERGY_KPIS, {"class": LABELS})


@pytest.fixture(scope="module")
def delft(delft):
    """The Delft sample with every building heated: these checks are of the outputs' arithmetic
    per building, the unheated sheds are checked in ``test_energy_twin_heated.py``."""
    return delft.replace(buildings=delft.buildings.assign(heated=True))


@pytest.fixture(scope="module")
def delft_run(delft):
    return run_energy(delft)


@pytest.fixture(scope="module")
def unshaded_run(delft):
    return run_energy(delft, EnergySettings(shading=None))


def test_dsm_shading_is_on_by_default_and_lowers_solar(delft_run, unshaded_run) -> None:
    b = delft_run.buildings
    sunlit = b[[f"sunlit_{s}" for s in SOURCE_NAMES]].to_numpy()
    assert np.all((sunlit >= 0.0) & (sunlit <= 1.0)) and sunlit.mean() < 0.95
    assert b["sunlit_horizontal"].mean() > b[[f"sunlit_{s}" for s in SOURCE_NAMES[1:]]
                                             ].to_numpy().mean()  # roofs see more sky
    assert (unshaded_run.buildings[[f"sunlit_{s}" for s in SOURCE_NAMES]] == 1.0).all().all()
    # less solar gain: more heating in every building, less cooling overall
    assert (b["heating_kWh"] >= unshaded_run.buildings["heating_kWh"] - 1e-6).all()
    assert delft_run.kpis["cooling_MWh"] < unshaded_run.kpis["cooling_MWh"]


def test_flat_dsm_shades_nothing(make_twin) -> None:
    twin = make_twin([(0.0, 0.0, 10.0, 8.0), (40.0, 0.0, 50.0, 8.0)], [6.0, 6.0])
    dsm = np.zeros((200, 200), dtype=np.float32)
    from affine import Affine
    terrain = Terrain(dsm=Raster(dsm, Affine(0.5, 0, -40.0, 0, -0.5, 60.0), twin.crs))
    run = run_energy(twin.replace(terrain=terrain))
    sunlit = run.buildings[[f"sunlit_{s}" for s in SOURCE_NAMES]].to_numpy()
    # a flat DSM hides no sun; the isotropic sky of a facade differs from 0.5 by 2.5e-6
    np.testing.assert_allclose(sunlit, 1.0, atol=1e-5)


def test_systems_carriers_co2_and_label(delft, delft_run) -> None:
    b = delft_run.buildings
    assert (b["heating_system"] == "gas_boiler").all()
    # the balance sums the kernel's float32 hourly loads: 1e-6
    np.testing.assert_allclose(b["heating_final_kWh"], b["heating_kWh"] / 0.92, rtol=1e-6)
    # hot water: need / (storage and distribution 0.8 in houses, 0.6 in flats) / boiler 0.92
    system = b["size_class"].map({"SFH": 0.8, "TH": 0.8, "MFH": 0.6, "AB": 0.6})
    np.testing.assert_allclose(b["hot_water_final_kWh"], b["hot_water_kWh"] / system / 0.92,
                               rtol=1e-12)
    np.testing.assert_allclose(b["gas_kWh"], b["heating_final_kWh"] + b["hot_water_final_kWh"],
                               rtol=1e-12)
    np.testing.assert_allclose(b["cooling_electricity_kWh"], b["cooling_kWh"] / 3.0, rtol=1e-6)
    np.testing.assert_allclose(b["electricity_kWh"], b["appliances_kWh"]
                               + b["cooling_electricity_kWh"], rtol=1e-9)
    f = CarrierFactors()
    np.testing.assert_allclose(b["co2_kg"], b["gas_kWh"] * f.co2_gas
                               + b["grid_import_kWh"] * f.co2_electricity, rtol=1e-12)
    primary = (b["gas_kWh"] * f.pef_gas + b["grid_import_kWh"] * f.pef_electricity) / b[
        "floor_area_m2"]
    np.testing.assert_allclose(b["primary_kWh_m2"], primary, rtol=1e-12)
    assert (b["label"].to_numpy() == energy_label(primary)).all()
    shares = sum(delft_run.kpis[f"label_share_{x}"] for x in
                 ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"))
    assert shares == pytest.approx(1.0)
    # appliances and lighting: 0.7 x 3 W/m² on the dwelling schedule (daily mean 1)
    res = b["use"].isin(["residential", "unknown"]).to_numpy()
    per_m2 = (b["appliances_kWh"] / b["floor_area_m2"])[res]
    np.testing.assert_allclose(per_m2, 0.7 * 3.0 * 8.76, rtol=2e-3)
    np.testing.assert_allclose(delft_run.monthly_electricity_kWh.sum(axis=1),
                               b["electricity_kWh"], rtol=1e-9)


def test_heat_pumps_use_electricity_with_a_seasonal_cop(delft, delft_run) -> None:
    hp = delft.replace(buildings=delft.buildings.assign(heating_system="heat_pump"))
    b = run_energy(hp).buildings
    assert (b["gas_kWh"] == 0.0).all()
    scop = b["heating_kWh"] / b["heating_electricity_kWh"]
    # Carnot-fraction COP on the heating curve of the construction year (SYSTEMS_MODEL_CARD):
    # between the 65 °C radiators' A-10 COP (1.8) and the 35 °C floor heating's cap (7)
    assert scop.between(1.8, 7.0).all() and 2.0 < scop.median() < 4.5
    # the heat pumps' electricity comes on top of the appliances and cooling of the gas run
    np.testing.assert_allclose(b["electricity_kWh"], delft_run.buildings["electricity_kWh"]
                               + b["heating_electricity_kWh"] + b["hot_water_electricity_kWh"],
                               rtol=1e-9)
    assert (b["co2_kg"] < delft_run.buildings["co2_kg"]).all()
    given = delft.buildings.assign(heating_system="heat_pump", heating_efficiency=3.5)
    b35 = run_energy(delft.replace(buildings=given)).buildings
    np.testing.assert_allclose(b35["heating_electricity_kWh"], b35["heating_kWh"] / 3.5,
                               rtol=1e-6)


def test_rooftop_pv_yield_self_consumption_and_export(delft, delft_run) -> None:
    twin = delft.replace(buildings=delft.buildings.assign(pv_share=1.0))
    run = run_energy(twin)
    b = run.buildings
    np.testing.assert_allclose(b["pv_kWp"], 0.7 * 0.2 * delft.buildings["roof_area"].to_numpy(),
                               rtol=1e-12)
    # the same systems through the fused annual PVWatts pass with the roof horizons
    roof_h = run.inputs.dsm_shading.roof_horizon
    site_weather = energy_weather(twin.weather, 0.2)
    sun = sun_positions(site_weather)
    zen, az = sun.apparent_zenith[0], sun.azimuth[0]
    ref = pv_annual(rooftop_pv(twin, np.ones(len(b), dtype=bool)), site_weather, roof_h)
    np.testing.assert_allclose(b["pv_kWh"], ref.ac_kwh, rtol=1e-9)
    yield_kwh_kwp = b["pv_kWh"].sum() / b["pv_kWp"].sum()
    assert 600.0 < yield_kwh_kwp < 1000.0  # NW Europe, 15° south, some shading
    assert (b["pv_self_kWh"] <= np.minimum(b["pv_kWh"], b["electricity_kWh"]) + 1e-6).all()
    np.testing.assert_allclose(b["pv_export_kWh"] + b["pv_self_kWh"], b["pv_kWh"])
    np.testing.assert_allclose(b["grid_import_kWh"], b["electricity_kWh"] - b["pv_self_kWh"])
    k = run.kpis
    assert 0.0 < k["pv_self_consumption_share"] < 1.0
    assert k["co2_t"] < delft_run.kpis["co2_t"]
    np.testing.assert_allclose(run.district_pv_kW.to_numpy().sum(), b["pv_kWh"].sum(),
                               rtol=1e-9)
    elevation, _ = sun_bins(72, zen, az)
    assert (run.district_pv_kW.to_numpy()[elevation < -1.0] == 0.0).all()


def test_kpis_match_the_scenario_list(delft_run) -> None:
    assert tuple(delft_run.kpis) == ENERGY_KPIS


def test_building_columns_are_the_quantities_of_the_table(delft_run) -> None:
    columns = [str(c) for c in delft_run.buildings.columns]
    expected = quantities.names(quantities.ENERGY_BUILDINGS, {"source": SOURCE_NAMES})
    assert columns == list(expected)


def test_hourly_file_has_every_series_chunked_with_units(delft, delft_run, tmp_path) -> None:
    path = tmp_path / "hourly.h5"
    run = run_energy(delft, EnergySettings(hourly_path=path, block_size=64))
    assert not (tmp_path / "hourly.h5.tmp").exists()
    with h5py.File(path) as f:
        g = f["energy/hourly"]
        ids = g["id"].asstr()[:]
        assert sorted(ids) == sorted(delft.buildings["id"]) and g["time"].shape == (8760,)
        for name, unit in (("heating_W", "W"), ("electricity_W", "W"), ("air_temp_C", "degC")):
            assert g[name].shape == (160, 8760) and g[name].attrs["units"] == unit
            assert g[name].chunks[1] == 8760 and g[name].compression == "lzf"
        b = run.buildings.loc[ids]
        np.testing.assert_allclose(g["heating_W"][:].sum(axis=1, dtype=np.float64) / 1e3,
                                   b["heating_kWh"], rtol=1e-5)
        np.testing.assert_allclose(g["electricity_W"][:].sum(axis=1, dtype=np.float64) / 1e3,
                                   b["electricity_kWh"], rtol=1e-5)


def test_hourly_file_memory_stays_bounded(make_twin, tmp_path) -> None:
    """3,000 buildings: their hourly series (5 x 4 B x 8760 h each) are 526 MB; written in
    blocks of 128 the run must stay far below that."""
    n = 3000
    x = (np.arange(n) % 60) * 20.0
    y = (np.arange(n) // 60) * 20.0
    twin = make_twin(list(zip(x, y, x + 10.0, y + 8.0)), [6.0] * n)
    tracemalloc.start()
    run = run_energy(twin, EnergySettings(hourly_path=tmp_path / "city.h5", block_size=128))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert run.buildings["simulated"].all()
    full = n * 8760 * 4 * 5
    assert peak < 0.25 * full, f"peak {peak / 2**20:.0f} MiB"
