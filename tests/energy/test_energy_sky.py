"""Sky temperature depression from the weather (simulation/energy/sky.py).

The BESTEST Denver EPW carries both the horizontal infrared irradiance (field 12) and what
EnergyPlus' weather converter derives it from when a source lacks it (dew point, opaque sky
cover; Clark & Allen with Walton's cloud correction, the formula of ``sky.py``). Both routes
must give the same sky: measured 0.07 K apart in the annual mean (12.90 vs 12.97 K) and 0.13
K in the mean hourly absolute difference; the limits below (0.1 K, 0.25 K) allow for the
file's rounding of relative humidity to whole % (up to +-0.7 K of dew point in Denver's dry
hours) and of the infrared to whole W/m^2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.energy import Site, Weather
from simulation.energy.sky import (
    ISO_DEPRESSION,
    SIGMA,
    dew_point,
    sky_emissivity,
    sky_temperature_depression,
)

EPW_FIELDS = {6: "temp_air", 7: "dew_point", 8: "relative_humidity", 12: "longwave_down",
              23: "opaque_sky_cover"}


@pytest.fixture(scope="module")
def denver(shared_data) -> pd.DataFrame:
    path = shared_data / "ashrae140-bestest" / "725650TYCST.epw"
    raw = pd.read_csv(path, skiprows=8, header=None, usecols=list(EPW_FIELDS))
    return raw.rename(columns=EPW_FIELDS)


def test_cloud_cover_route_gives_the_sky_of_the_longwave_route(denver):
    from_lw = sky_temperature_depression(denver["temp_air"],
                                         longwave_down=denver["longwave_down"])
    from_cc = sky_temperature_depression(denver["temp_air"],
                                         relative_humidity=denver["relative_humidity"],
                                         opaque_sky_cover=denver["opaque_sky_cover"])
    assert from_lw.from_longwave == from_cc.from_cloud_cover == 8760
    assert from_lw.fallback == from_cc.fallback == 0
    assert abs(from_lw.delta.mean() - from_cc.delta.mean()) < 0.1
    assert np.abs(from_lw.delta - from_cc.delta).mean() < 0.25
    assert from_lw.note(ISO_DEPRESSION) is None
    # Denver's dry air: the sky is colder than ISO 13790's mid-latitude 11 K
    assert from_lw.delta.mean() > ISO_DEPRESSION


def test_longwave_of_the_air_temperature_is_no_depression():
    t = np.array([-10.0, 0.0, 25.0])
    sky = sky_temperature_depression(t, longwave_down=SIGMA * (t + 273.15) ** 4)
    np.testing.assert_allclose(sky.delta, 0.0, atol=1e-9)


def test_formulas_at_reference_points():
    # Magnus: saturated air has its own temperature as dew point; 20 degC at 50 % -> 9.26 degC
    assert dew_point(15.0, 100.0) == pytest.approx(15.0)
    assert dew_point(20.0, 50.0) == pytest.approx(9.26, abs=0.01)
    # Clark & Allen at T_dp = 273 K, clear: 0.787; overcast (N = 10): x (1 + 0.224 - 0.35 + 0.28)
    assert sky_emissivity(273.0 - 273.15, 0.0) == pytest.approx(0.787)
    assert sky_emissivity(273.0 - 273.15, 10.0) == pytest.approx(min(0.787 * 1.154, 1.0))


def test_hours_without_fields_fall_back_to_the_constant_and_are_counted():
    t = np.array([0.0, 5.0, 10.0, 15.0])
    lw = np.array([300.0, np.nan, np.nan, np.nan])
    rh = np.array([80.0, 80.0, np.nan, 80.0])
    cover = np.array([5.0, 5.0, 5.0, np.nan])
    sky = sky_temperature_depression(t, longwave_down=lw, relative_humidity=rh,
                                     opaque_sky_cover=cover, fallback=11.0)
    assert (sky.from_longwave, sky.from_cloud_cover, sky.fallback) == (1, 1, 2)
    np.testing.assert_array_equal(sky.delta[2:], 11.0)
    note = sky.note(11.0)
    assert note is not None and "2 of 4 hours" in note


def test_weather_without_sky_fields_uses_the_constant():
    w = Weather(time=np.arange(1, 25) * 3600.0, temp_air=5.0, wind_speed=2.0, ghi=0.0, dni=0.0,
                dhi=0.0, site=Site(52.0, 5.0))
    sky = w.sky_depression()
    assert sky.fallback == 24
    np.testing.assert_array_equal(sky.delta, ISO_DEPRESSION)
