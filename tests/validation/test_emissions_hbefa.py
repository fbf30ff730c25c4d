"""The default emission classes reproduce HBEFA 4.2 as SUMO implements it: its constant-speed
emission rates (``emissionsMap``, slope 0, acceleration 0) per distance, from 10 to 130 km/h."""

from __future__ import annotations

import numpy as np
import pytest
from sumo_runner import tool

from simulation.mobility.emissions import (
    DIESEL_EURO6AB,
    DIESEL_EURO6D,
    PETROL_EURO6AB,
    PETROL_EURO6D,
)


@pytest.mark.parametrize("vehicle", [PETROL_EURO6AB, PETROL_EURO6D, DIESEL_EURO6AB, DIESEL_EURO6D],
                         ids=lambda v: v.name)
def test_curves_match_sumo_hbefa4_at_constant_speed(tmp_path, vehicle) -> None:
    out = tmp_path / "map.csv"
    tool("emissionsMap", "-e", f"HBEFA4/{vehicle.name}", "--v-min", "2.7778", "--v-max", "36.2",
         "--v-step", "2.7778", "--a-min", "0", "--a-max", "0", "--s-min", "0", "--s-max", "0",
         "-o", str(out), cwd=tmp_path)
    rows = [line.split(";") for line in out.read_text().splitlines() if line]
    for pollutant, curve in (("CO2", vehicle.co2), ("NOx", vehicle.nox)):
        v = np.array([float(r[0]) for r in rows if r[3] == pollutant])  # m/s
        rate = np.array([float(r[4]) for r in rows if r[3] == pollutant])  # mg/s
        np.testing.assert_allclose(curve(v * 3.6), rate / v, rtol=2e-3, atol=1e-5, err_msg=pollutant)
