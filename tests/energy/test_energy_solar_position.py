"""NREL SPA kernel against pvlib's reference implementation (nrel_numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pvlib.solarposition import get_solarposition

from simulation.energy.solar_position import delta_t_espenak_meeus, solar_position

SITES = {
    "Denver": (39.742, -105.178, 1829.0),
    "Delft": (52.012, 4.359, 0.0),
    "Helsinki": (60.170, 24.941, 15.0),
    "Cape Town": (-33.925, 18.424, 20.0),
}


def _unix(times: pd.DatetimeIndex) -> np.ndarray:
    return ((times - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta("1s")).to_numpy(float)


@pytest.mark.parametrize("site", list(SITES))
def test_matches_pvlib_nrel_numpy_over_a_year(site):
    lat, lon, elev = SITES[site]
    times = pd.date_range("2021-01-01 00:30", periods=8760, freq="h", tz="UTC")
    pressure = 101325.0 * (1.0 - 2.25577e-5 * elev) ** 5.25588
    ref = get_solarposition(times, lat, lon, altitude=elev, pressure=pressure, temperature=12.0,
                            method="nrel_numpy")
    sp = solar_position(_unix(times), lat, lon, elev, pressure=pressure, temperature=12.0)
    d_az = (sp.azimuth - ref["azimuth"].to_numpy() + 180.0) % 360.0 - 180.0
    assert np.max(np.abs(sp.apparent_zenith - ref["apparent_zenith"].to_numpy())) < 0.01
    assert np.max(np.abs(sp.zenith - ref["zenith"].to_numpy())) < 0.01
    assert np.max(np.abs(d_az)) < 0.01
    assert np.max(np.abs(sp.apparent_elevation - ref["apparent_elevation"].to_numpy())) < 0.01
    assert np.max(np.abs(sp.equation_of_time - ref["equation_of_time"].to_numpy())) < 0.01  # min


def test_reda_andreas_worked_example():
    """Table A5.1 of Reda & Andreas (2004): 2003-10-17 12:30:30 local (UTC-7), Golden CO."""
    t = pd.Timestamp("2003-10-17 19:30:30", tz="UTC")
    unix = np.array([(t - pd.Timestamp("1970-01-01", tz="UTC")).total_seconds()])
    sp = solar_position(unix, 39.742476, -105.1786, 1830.14, pressure=82000.0, temperature=11.0,
                        delta_t=67.0)
    assert sp.apparent_zenith[0] == pytest.approx(50.11162, abs=1e-4)
    assert sp.azimuth[0] == pytest.approx(194.34024, abs=1e-4)


def test_delta_t_default_and_shapes():
    # the 2005-2050 polynomial: 62.92 + 0.32217 u + 0.005589 u^2, u = year + (month - 0.5)/12 - 2000
    u = 2020 + 5.5 / 12 - 2000
    assert float(delta_t_espenak_meeus(2020, 6)) == pytest.approx(62.92 + 0.32217 * u + 0.005589 * u * u)
    unix = np.arange(6, dtype=float).reshape(2, 3) * 3600.0 + 1.6e9
    sp = solar_position(unix, 52.0, 4.4, temperature=np.zeros(6))
    assert sp.azimuth.shape == (2, 3)


def test_bad_inputs_name_the_field():
    with pytest.raises(ValueError, match="latitude"):
        solar_position([0.0], 95.0, 0.0)
    with pytest.raises(ValueError, match="pressure"):
        solar_position([0.0, 1.0], 10.0, 0.0, pressure=[1.0, 2.0, 3.0])
