"""Schedules in local standard time: gains, set points and ventilation of the profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.energy import EnergySettings, energy_inputs, load_archetypes
from twin.energy.schedules import building_profiles, local_calendar
from twin.errors import InputError

BOX = [(0.0, 0.0, 20.0, 10.0)]


def test_local_calendar_of_hour_end_labels() -> None:
    # hours ending 07:00 and 08:00 UTC on Monday 2 January 2023 start at 07:00 / 08:00 MEZ
    index = pd.DatetimeIndex(["2023-01-02 07:00", "2023-01-02 08:00", "2023-01-01 00:00"], tz="UTC")
    cal = local_calendar(index, 1.0)
    assert list(cal.hour) == [7, 8, 0]
    assert list(cal.weekday) == [0, 0, 6]
    assert list(cal.month) == [0, 0, 0]


def test_office_profiles_follow_occupancy() -> None:
    table = load_archetypes()
    index = pd.date_range("2023-01-02 01:00", periods=24 * 7, freq="h", tz="UTC")  # Mon..Sun
    cal = local_calendar(index, 1.0)
    params = table.parameters(pd.DataFrame({"use": ["office", "residential"],
                                            "year": [1980, 1980]}))
    p = building_profiles(params, table.schedules, cal)
    office = p.setpoint_index[0]
    occupied = (cal.weekday < 5) & (cal.hour >= 7) & (cal.hour < 17)
    assert occupied.sum() == 50
    np.testing.assert_array_equal(p.heat[office], np.where(occupied, 20.0, 16.0))
    np.testing.assert_array_equal(p.cool[office], np.where(occupied, 26.0, np.inf))
    np.testing.assert_array_equal(p.vent[p.vent_index[0]], occupied.astype(float))
    np.testing.assert_array_equal(p.gains[p.gains_index[0]], np.where(occupied, 1.0, 0.1))
    # ISO 13790 G.9: offices keep 2 of 20 W/m² outside office hours, weekends included
    weekend = cal.weekday >= 5
    np.testing.assert_array_equal(p.gains[p.gains_index[0]][weekend], 0.1)
    assert (p.heat[office][weekend] == 16.0).all() and (p.vent[p.vent_index[0]][weekend] == 0).all()
    # dwellings: DIN V 18599-10 night set-back 23:00-06:00 to 16 °C, cooling all day
    home = p.setpoint_index[1]
    night = (cal.hour >= 23) | (cal.hour < 6)
    np.testing.assert_array_equal(p.heat[home], np.where(night, 16.0, 20.0))
    assert (p.cool[home] == 26.0).all()
    # switched off: heating at the set point around the clock (TABULA's conditions)
    steady = building_profiles(params, table.schedules, cal, setback=False)
    assert (steady.heat[steady.setpoint_index[1]] == 20.0).all()
    assert (steady.heat[steady.setpoint_index[0]] == 20.0).all()
    assert p.gains[p.gains_index[1]].mean() == pytest.approx(1.0, abs=1e-4)


def test_office_ventilation_is_scheduled(make_twin) -> None:
    twin = make_twin(BOX, [9.0], use=["office"], year=[1990])
    inputs = energy_inputs(twin, EnergySettings(country="NL"))
    z = inputs.zones
    a_f = 200.0 * 3 * 0.85
    # 3 storeys of 200 m² = 600 m² gross: a multi-family-house envelope, office air
    assert inputs.params["band"].iloc[0] == "NL.N.MFH.03.Gen.ReEx.001.001"
    infiltration = inputs.params["infiltration_ach"].iloc[0]
    assert z.h_ve_extra[0] == pytest.approx(1.4 * 3.6 * a_f * 1.204 * 1006.0 / 3600.0)
    assert z.h_ve[0] == pytest.approx(infiltration * a_f * 2.5 * 1.204 * 1006.0 / 3600.0)


def test_heating_above_cooling_is_refused(make_twin) -> None:
    twin = make_twin(BOX, [6.0], heating_setpoint=[27.0])
    with pytest.raises(InputError, match="above the cooling set point"):
        energy_inputs(twin)
