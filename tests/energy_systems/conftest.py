"""Weather of the PV validation: two real TMY files read with pvlib (tests only)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from simulation import energy
from simulation.energy import Site, sun_positions

REPO = Path(__file__).resolve().parents[2]
DENVER_EPW = REPO.parent / "shared" / "data" / "ashrae140-bestest" / "725650TYCST.epw"


@dataclass(frozen=True)
class Weather:
    """Hourly weather, end-labelled, on a 2021 calendar (TMY months come from several years)."""

    name: str
    end_utc: np.ndarray  # unix s, END of each hour
    ghi: np.ndarray
    dni: np.ndarray
    dhi: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    pressure: np.ndarray  # Pa
    latitude: float
    longitude: float
    altitude: float

    @property
    def mid_utc(self) -> np.ndarray:
        return self.end_utc - 1800.0

    @property
    def energy(self) -> energy.Weather:
        """The series as the energy kernels' weather (ground albedo 0.2)."""
        return energy.Weather(self.end_utc, self.temp_air, self.wind_speed, self.ghi, self.dni,
                              self.dhi, Site(self.latitude, self.longitude, self.altitude, 0.2),
                              self.pressure)

    def sun(self):
        """Apparent zenith, azimuth (8760,) at the midpoints and extraterrestrial DNI."""
        s = sun_positions(self.energy)
        return s.apparent_zenith[0], s.azimuth[0], s.dni_extra


def _end_utc(month, day, hour, tz_hours):
    day0 = np.array([f"2021-{m:02d}-{d:02d}" for m, d in zip(month, day)], dtype="datetime64[D]")
    midnight = day0.astype("datetime64[s]").astype(np.int64).astype(float)
    return midnight + np.asarray(hour, float) * 3600.0 - tz_hours * 3600.0


@cache
def denver() -> Weather:
    import pvlib

    df, meta = pvlib.iotools.read_epw(str(DENVER_EPW))
    end = _end_utc(df["month"], df["day"], df["hour"], float(meta["TZ"]))
    return Weather("Denver 725650TYCST.epw", end, *(df[c].to_numpy(float) for c in (
        "ghi", "dni", "dhi", "temp_air", "wind_speed", "atmospheric_pressure")),
        float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]))


@cache
def sand_point() -> Weather:
    """pvlib's shipped TMY3 703165TY.csv (Sand Point, Alaska); pressure mbar -> Pa."""
    import pvlib

    path = Path(pvlib.__file__).parent / "data" / "703165TY.csv"
    df, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    idx = df.index
    hour = np.where(idx.hour == 0, 24, idx.hour)
    day_shift = np.where(idx.hour == 0, -1, 0)  # 24:00 is stamped 00:00 of the next day
    stamp = (idx.tz_localize(None).normalize() + np.array(day_shift, "timedelta64[D]"))
    end = _end_utc(stamp.month, stamp.day, hour, float(meta["TZ"]))
    return Weather("Sand Point 703165TY.csv", end, *(df[c].to_numpy(float) for c in (
        "ghi", "dni", "dhi", "temp_air", "wind_speed")), df["pressure"].to_numpy(float) * 100.0,
        float(meta["latitude"]), float(meta["longitude"]), float(meta["altitude"]))


@pytest.fixture(scope="session", params=["denver", "sand_point"])
def tmy(request) -> Weather:
    if request.param == "denver" and not DENVER_EPW.is_file():
        pytest.fail(f"real weather file missing: {DENVER_EPW}")
    return {"denver": denver, "sand_point": sand_point}[request.param]()
