"""Operation of buildings: domestic hot water through the heating system into the carriers,
night and out-of-hours set-back of heating."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from simulation.energy import CarrierFactors
from twin.energy import EnergySettings, run_energy
from twin.energy.hot_water import SYSTEM_EFFICIENCY
from twin.model import Twin

TERRACE = [(0.0, 0.0, 10.0, 8.0), (10.0, 0.0, 20.0, 8.0), (20.0, 0.0, 30.0, 8.0)]
BLOCK = [(100.0, 0.0, 130.0, 15.0)]
NL = EnergySettings(country="NL")


@pytest.fixture(scope="module")
def homes(make_twin):
    """A terrace of three houses and a five-storey block of flats, 1970, in the Netherlands."""
    return make_twin(TERRACE + BLOCK, [6.0] * 3 + [15.0], use=["residential"] * 4,
                     year=[1970] * 4)


def _without_hot_water(twin):
    return twin.replace(buildings=twin.buildings.assign(hot_water_kwh_m2=0.0))


def test_hot_water_adds_need_over_efficiency_to_the_carrier(homes) -> None:
    run = run_energy(homes, NL).buildings
    dry = run_energy(_without_hot_water(homes), NL).buildings
    assert list(run["size_class"]) == ["TH", "TH", "TH", "AB"]
    need = run["hot_water_kWh"].to_numpy()
    assert (need > 0.0).all() and (dry["hot_water_kWh"] == 0.0).all()
    system = np.array([SYSTEM_EFFICIENCY[s] for s in run["size_class"]])
    final = need / (system * 0.92)  # storage and distribution, then the condensing boiler
    np.testing.assert_allclose(run["hot_water_final_kWh"], final, rtol=1e-12)
    np.testing.assert_allclose(run["gas_kWh"] - dry["gas_kWh"], final, rtol=1e-9)
    np.testing.assert_allclose(run["heating_final_kWh"], dry["heating_final_kWh"], rtol=1e-12)
    np.testing.assert_allclose(run["co2_kg"] - dry["co2_kg"], final * CarrierFactors().co2_gas,
                               rtol=1e-9)
    assert (run["primary_kWh_m2"] > dry["primary_kWh_m2"]).all()


def test_hot_water_on_district_heat_and_heat_pumps(homes) -> None:
    for system, carrier, efficiency in (("district_heating", "district_heat_kWh", 0.9),
                                        ("electric", "electricity_kWh", 1.0)):
        twin = homes.replace(buildings=homes.buildings.assign(heating_system=system))
        run = run_energy(twin, NL).buildings
        dry = run_energy(_without_hot_water(twin), NL).buildings
        system_eff = np.array([SYSTEM_EFFICIENCY[s] for s in run["size_class"]])
        final = run["hot_water_kWh"].to_numpy() / (system_eff * efficiency)
        np.testing.assert_allclose(run[carrier] - dry[carrier], final, rtol=1e-9)
    twin = homes.replace(buildings=homes.buildings.assign(heating_system="heat_pump"))
    run = run_energy(twin, NL).buildings
    drawn = run["hot_water_kWh"] / run["size_class"].map(SYSTEM_EFFICIENCY)
    cop = drawn / run["hot_water_electricity_kWh"]
    # Carnot fraction 0.4 to a 55 °C store from the Essen air: between 2 and 4 over the year
    assert cop.between(2.0, 4.0).all()
    np.testing.assert_allclose(run["electricity_kWh"], run["appliances_kWh"]
                               + run["heating_electricity_kWh"]
                               + run["hot_water_electricity_kWh"]
                               + run["cooling_electricity_kWh"], rtol=1e-9)


def test_night_setback_saves_less_than_a_massless_house_would(homes) -> None:
    """DIN V 18599-10: 16 °C from 23:00 to 06:00. A zone without thermal mass would fall to
    16 °C at once and save H (20 - 16) K in every set-back hour it heats; mass keeps the air
    warmer and the morning reheat pays part back, so the hourly model must save less than
    that, and something."""
    hourly: list[np.ndarray] = []
    steady_settings = EnergySettings(country="NL", setback=False,
                                     hourly=(lambda rows, h, c, t: hourly.append(h.copy()),))
    steady = run_energy(homes, steady_settings)
    night_run = run_energy(homes, NL)
    saved = 1.0 - night_run.buildings["heating_kWh"] / steady.buildings["heating_kWh"]
    z = steady.inputs.zones
    h = z.h_tr_w + z.h_tr_op + z.h_ve
    local = steady.inputs.time - pd.Timedelta(hours=1) + pd.Timedelta(hours=1)  # MEZ
    night = np.asarray((local.hour >= 23) | (local.hour < 6))
    heats = np.concatenate(hourly)[:, night] > 0.0
    bound = h * 4.0 * heats.sum(axis=1) / 1e3  # kWh
    rows = steady.inputs.rows
    need = steady.buildings["heating_kWh"].to_numpy()[rows]
    bound_share = bound / need
    got = saved.to_numpy()[rows]
    assert (got > 0.0).all() and (got < bound_share).all()


# Hot water at the taps of non-dwellings, kWh/(m² a): GEG 2020 Anlage 6 (DIN V 18599-10:2018
# values), as archetypes.toml cites them; 0 where the law gives none per floor area.
HOT_WATER_BY_USE = {"office": 0.0, "education": 65.0 * 200 / 1000, "public": 0.0, "retail": 0.0,
                    "restaurant": 0.0, "sport": 0.0, "religious": 0.0,
                    "hotel": 250.0 * 365 / 1000, "health": 0.0, "industrial": 0.0,
                    "storage": 0.0}


def test_hot_water_of_every_non_residential_use_by_hand(make_twin: Callable[..., Twin]) -> None:
    """One stand-alone 20 x 10 m building of two storeys per use on district heat: conditioned
    floor 20 x 10 x 2 x 0.85 = 340 m², a house-sized class (SFH, no circulation: 0.8), district
    heat with its 10 % loss; e.g. a hotel 91.25 x 340 = 31,025 kWh at the taps, 43,090.28 kWh
    of district heat."""
    uses = list(HOT_WATER_BY_USE)
    boxes = [(40.0 * i, 0.0, 40.0 * i + 20.0, 10.0) for i in range(len(uses))]
    twin = make_twin(boxes, [6.0] * len(uses), use=uses, year=[1970] * len(uses),
                     heating_system=["district_heating"] * len(uses))
    run = run_energy(twin, NL).buildings
    dry = run_energy(_without_hot_water(twin), NL).buildings
    assert list(run["use"]) == uses and (run["size_class"] == "SFH").all()
    np.testing.assert_allclose(run["floor_area_m2"], 340.0, rtol=1e-12)
    need = np.array([HOT_WATER_BY_USE[u] * 340.0 for u in uses])
    np.testing.assert_allclose(run["hot_water_kWh"], need, rtol=1e-12)
    assert run.loc[run["use"] == "hotel", "hot_water_kWh"].item() == pytest.approx(31025.0)
    assert run.loc[run["use"] == "education", "hot_water_kWh"].item() == pytest.approx(4420.0)
    final = need / 0.8 / 0.9
    assert run.loc[run["use"] == "hotel", "hot_water_final_kWh"].item() == pytest.approx(
        43090.2777778)
    np.testing.assert_allclose(run["hot_water_final_kWh"], final, rtol=1e-12)
    np.testing.assert_allclose(run["district_heat_kWh"] - dry["district_heat_kWh"], final,
                               rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(run["heating_final_kWh"], dry["heating_final_kWh"], rtol=1e-12)
