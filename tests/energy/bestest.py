"""ASHRAE Standard 140 (BESTEST) section 5.2 test cell as inputs of the energy kernels.

The cell (8 m E-W x 6 m N-S x 2.7 m, 12 m^2 of double glazing) with the 140-2020 constructions
of ``bestest_resources.osm`` / ``case_en_600.idf`` in ``../shared/data/ashrae140-bestest``:
combined surface coefficients 8.29 W/(m^2 K) inside and 29.3 outside (21.0 outside on glass),
solar absorptance 0.6 and emissivity 0.9 of all opaque surfaces, raised floor exposed to
outdoor air (no solar on it), 200 W internal gains 60 % radiant, 0.5 ACH infiltration at the
site's air density, ideal heating/cooling on air temperature. Weather: 725650TYCST.epw.

Nothing here is fitted to the reference results: every number is either the case definition
or a documented modelling choice of the 5R1C method (see simulation/energy/MODEL_CARD.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from simulation import energy
from simulation.energy import (
    Drivers,
    Site,
    ZoneResults,
    Zones,
    simulate_zones,
    sun_positions,
    surface_solar,
)
from simulation.energy import envelope as env
from simulation.energy.glazing import Glazing
from simulation.energy.overhangs import overhang_sky_view_ratio, overhang_sunlit_fraction

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ashrae140-bestest"
EPW = DATA / "725650TYCST.epw"

L = env.Layer
WOOD_SIDING = L(0.009, 0.14, 530.0, 900.0)
PLASTERBOARD_WALL = L(0.012, 0.16, 950.0, 840.0)
PLASTERBOARD_ROOF = L(0.010, 0.16, 950.0, 840.0)
CONSTRUCTIONS = {  # outside -> inside
    "LTWALL": [WOOD_SIDING, L(0.066, 0.04, 12.0, 840.0), PLASTERBOARD_WALL],
    "LTROOF": [L(0.019, 0.14, 530.0, 900.0), L(0.1118, 0.04, 12.0, 840.0), PLASTERBOARD_ROOF],
    "LTFLOOR": [L(resistance=25.075), L(0.025, 0.14, 650.0, 1200.0)],
    "HWWALL": [WOOD_SIDING, L(0.0615, 0.04, 10.0, 1400.0), L(0.100, 0.51, 1400.0, 1000.0)],
    "HWFLOOR": [L(resistance=25.175), L(0.080, 1.13, 1400.0, 1000.0)],
}
H_IN = 8.29  # W/(m^2 K), interior combined coefficient
H_OUT = 29.3  # exterior combined coefficient of opaque surfaces
ALPHA = 0.6  # solar absorptance of opaque exterior surfaces
EPS = 0.9  # long-wave emissivity of opaque exterior surfaces
GLAZING = Glazing(tau_normal=0.834, rho_normal=0.075, n_panes=2, u_value=3.0,
                  h_out=21.0, h_in=H_IN, emissivity=0.84)
FLOOR = 48.0
VOLUME = 129.6
SITE_ELEVATION = 1650.0  # m, EPW header of 725650TYCST

# solar sources (rows of the Drivers.solar matrix)
SOURCES = ["roof", "north", "east", "south", "west",
           "win_south", "win_south_overhang", "win_east", "win_west"]


@dataclass(frozen=True)
class Weather:
    end_utc: np.ndarray  # unix s, END of each hour
    month: np.ndarray  # 0-based
    hour: np.ndarray  # 1..24, local standard time, hour-ending
    day_of_year: np.ndarray  # 1..365
    temp_air: np.ndarray
    wind_speed: np.ndarray
    ghi: np.ndarray
    dni: np.ndarray
    dhi: np.ndarray
    pressure: np.ndarray
    relative_humidity: np.ndarray
    opaque_sky_cover: np.ndarray  # tenths
    longwave_down: np.ndarray  # horizontal infrared from the sky, W/m^2
    latitude: float
    longitude: float
    elevation: float
    tz: float

    def energy(self) -> energy.Weather:
        """The series as the energy kernels' weather (ground albedo 0.2)."""
        return energy.Weather(self.end_utc, self.temp_air, self.wind_speed, self.ghi, self.dni,
                              self.dhi, Site(self.latitude, self.longitude, self.elevation, 0.2),
                              self.pressure, relative_humidity=self.relative_humidity,
                              opaque_sky_cover=self.opaque_sky_cover,
                              longwave_down=self.longwave_down)


@cache
def weather() -> Weather:
    """725650TYCST.epw via pvlib; times rebuilt from the month/day/hour columns.

    The EPW's months come from different years (TMY); the calendar is laid on 2021 (no leap
    year) so that the hours are consecutive. Hour h (1..24) is the END of the interval in local
    standard time (UTC-7).
    """
    import pvlib

    df, meta = pvlib.iotools.read_epw(str(EPW))
    mo = df["month"].to_numpy(int)
    dy = df["day"].to_numpy(int)
    hr = df["hour"].to_numpy(int)
    day0 = np.array([f"2021-{m:02d}-{d:02d}" for m, d in zip(mo, dy)], dtype="datetime64[D]")
    midnight_local = day0.astype("datetime64[s]").astype(np.int64).astype(float)
    tz = float(meta["TZ"])
    end_utc = midnight_local + hr * 3600.0 - tz * 3600.0
    doy = (day0 - np.datetime64("2021-01-01")).astype(int) + 1
    return Weather(
        end_utc=end_utc, month=mo - 1, hour=hr, day_of_year=doy,
        temp_air=df["temp_air"].to_numpy(float), wind_speed=df["wind_speed"].to_numpy(float),
        ghi=df["ghi"].to_numpy(float),
        dni=df["dni"].to_numpy(float), dhi=df["dhi"].to_numpy(float),
        pressure=df["atmospheric_pressure"].to_numpy(float),
        relative_humidity=df["relative_humidity"].to_numpy(float),
        opaque_sky_cover=df["opaque_sky_cover"].to_numpy(float),
        longwave_down=df["ghi_infrared"].to_numpy(float),
        latitude=float(meta["latitude"]), longitude=float(meta["longitude"]),
        elevation=float(meta["altitude"]), tz=tz,
    )


@cache
def sun(n_samples: int = 4):
    """Apparent zenith and azimuth at n_samples times inside each hour, (n_samples, 8760),
    and the extraterrestrial DNI at the midpoints."""
    s = sun_positions(weather().energy(), n_samples)
    return s.apparent_zenith, s.azimuth, s.dni_extra


def _overhang_window_factors(zen, az):
    """Sunlit fraction (n_samples, 8760) and isotropic sky-view ratio of the two south windows
    under the 1 m overhang at roof level (2.7 m) across the whole 8 m south wall (case 610)."""
    # both windows: 3 m wide, 2 m high, sill 0.2 m -> overhang 2.5 m above the sill;
    # window 1 spans wall x 0.5..3.5, window 2 4.5..7.5, the slab 0..8 (x east, seen from south)
    frames = [(-0.5, 7.5), (-4.5, 3.5)]
    sunlit = np.zeros_like(zen)
    sky = 0.0
    for left, right in frames:
        for k in range(zen.shape[0]):
            sunlit[k] += 0.5 * overhang_sunlit_fraction(180.0, zen[k], az[k], 3.0, 2.0, 2.5, 1.0,
                                                        left, right)
        sky += 0.5 * overhang_sky_view_ratio(3.0, 2.0, 2.5, 1.0, left, right)
    return sunlit, sky


@cache
def solar_sources(n_samples: int = 4):
    """Solar source matrix (len(SOURCES), 8760) W/m^2 and the SurfaceSolar per surface group."""
    w = weather().energy()
    zen, az, ext = sun(n_samples)
    s = energy.Sun(zen, az, ext)
    opaque = surface_solar([0.0, 90.0, 90.0, 90.0, 90.0], [180.0, 0.0, 90.0, 180.0, 270.0], w, s)
    windows = surface_solar([90.0, 90.0, 90.0], [180.0, 90.0, 270.0], w, s, glazing=GLAZING)
    sunlit, sky = _overhang_window_factors(zen, az)
    shaded = surface_solar([90.0], [180.0], w, s, glazing=GLAZING,
                           beam_sunlit=sunlit[:, None, :], sky_view_ratio=[sky])
    src = np.vstack([opaque.incident, windows.glazing_gain[0:1], shaded.glazing_gain,
                     windows.glazing_gain[1:3]])
    return src, opaque, windows, shaded


@dataclass(frozen=True)
class Case:
    name: str
    heavy: bool = False
    windows: str = "south"  # "south", "south_overhang", "east_west"
    schedule: str = "constant"  # "constant", "setback", "night_vent", "free_float"


CASES = {
    "600": Case("600"),
    "610": Case("610", windows="south_overhang"),
    "620": Case("620", windows="east_west"),
    "640": Case("640", schedule="setback"),
    "650": Case("650", schedule="night_vent"),
    "900": Case("900", heavy=True),
    "910": Case("910", heavy=True, windows="south_overhang"),
    "920": Case("920", heavy=True, windows="east_west"),
    "940": Case("940", heavy=True, schedule="setback"),
    "950": Case("950", heavy=True, schedule="night_vent"),
    "600FF": Case("600FF", schedule="free_float"),
    "900FF": Case("900FF", heavy=True, schedule="free_float"),
    "650FF": Case("650FF", schedule="night_vent_ff"),
    "950FF": Case("950FF", heavy=True, schedule="night_vent_ff"),
}

SCHEDULES = ["constant", "setback", "night_vent", "free_float", "night_vent_ff"]


def profiles():
    """(heat set points, cool set points, vent fraction) per schedule, each (5, 8760)."""
    h = weather().hour  # hour-ending 1..24 local standard time
    n = h.shape[0]
    heat = np.full((len(SCHEDULES), n), 20.0)
    cool = np.full((len(SCHEDULES), n), 27.0)
    vent = np.zeros((len(SCHEDULES), n))
    night = (h >= 19) | (h <= 7)  # 18:00-07:00
    # 640/940: heating 10 degC from 23:00 to 07:00 (hours ending 24 and 1..7), else 20 degC
    heat[1] = np.where((h == 24) | (h <= 7), 10.0, 20.0)
    # 650/950: no heating; cooling to 27 degC only 07:00-18:00; vent fan 18:00-07:00
    heat[2] = -np.inf
    cool[2] = np.where(night, np.inf, 27.0)
    vent[2] = night.astype(float)
    heat[3] = -np.inf
    cool[3] = np.inf
    heat[4] = -np.inf
    cool[4] = np.inf
    vent[4] = night.astype(float)
    return heat, cool, vent


def zone_inputs(case: Case) -> dict:
    """Per-zone parameters of one case (keyword arguments of Zones.create)."""
    wall = CONSTRUCTIONS["HWWALL" if case.heavy else "LTWALL"]
    floor = CONSTRUCTIONS["HWFLOOR" if case.heavy else "LTFLOOR"]
    roof = CONSTRUCTIONS["LTROOF"]
    r_si, r_se = 1.0 / H_IN, 1.0 / H_OUT
    u_wall = env.u_value(wall, r_si, r_se)
    u_roof = env.u_value(roof, r_si, r_se)
    u_floor = env.u_value(floor, r_si, r_se)
    if case.windows == "east_west":
        win = {"east": 6.0, "west": 6.0}
        walls = {"north": 21.6, "east": 16.2 - 6.0, "south": 21.6, "west": 16.2 - 6.0}
    else:
        win = {"south": 12.0}
        walls = {"north": 21.6, "east": 16.2, "south": 21.6 - 12.0, "west": 16.2}
    a_win = sum(win.values())
    a_walls = sum(walls.values())
    h_op = u_wall * a_walls + u_roof * FLOOR + u_floor * FLOOR
    h_w = GLAZING.u_value * a_win
    c_m, a_m = env.mass_parameters(
        [a_walls, FLOOR, FLOOR],
        [env.areal_heat_capacity(wall), env.areal_heat_capacity(roof),
         env.areal_heat_capacity(floor)],
    )
    a_t = a_walls + a_win + 2.0 * FLOOR  # all surfaces facing the zone
    ap = np.zeros(len(SOURCES))
    ap[SOURCES.index("roof")] = env.opaque_solar_aperture(ALPHA, u_roof, FLOOR, r_se)
    for k, area in walls.items():
        ap[SOURCES.index(k)] = env.opaque_solar_aperture(ALPHA, u_wall, area, r_se)
    if case.windows == "south":
        ap[SOURCES.index("win_south")] = 12.0
    elif case.windows == "south_overhang":
        ap[SOURCES.index("win_south_overhang")] = 12.0
    else:
        ap[SOURCES.index("win_east")] = 6.0
        ap[SOURCES.index("win_west")] = 6.0
    sky = (env.sky_loss_coefficient(u_roof, FLOOR, r_se, EPS, f_r=1.0)
           + env.sky_loss_coefficient(u_wall, a_walls, r_se, EPS, f_r=0.5)
           + env.sky_loss_coefficient(GLAZING.u_value, a_win, 1.0 / GLAZING.h_out,
                                      GLAZING.emissivity, f_r=0.5))
    rho_site = env.air_density(env.standard_pressure(SITE_ELEVATION), 20.0)
    h_ve = env.ventilation_conductance(0.5 * VOLUME, density=rho_site)
    vent_fan = env.ventilation_conductance(1703.16, density=1.204)  # standard m^3/h
    sched = SCHEDULES.index(case.schedule)
    return {
        "floor_area": FLOOR, "h_tr_w": h_w, "h_tr_op": h_op, "h_ve": float(h_ve), "c_m": c_m,
        "a_m": a_m, "a_t": a_t, "internal_gains": 200.0, "convective_fraction": 0.4,
        "solar_aperture": ap, "sky_loss": float(sky),
        "h_ve_extra": float(vent_fan) if "night_vent" in case.schedule else 0.0,
        "setpoint_profile": sched, "vent_profile": sched,
    }


def run_cases(names, n_samples: int = 4,
              sky_from_weather: bool = False) -> dict[str, tuple[ZoneResults, int]]:
    """Simulate the named cases as one vector of zones; returns {name: (results, index)}.

    The sky temperature depression is ISO 13790's constant 11 K (the tested configuration), or
    with ``sky_from_weather`` that of each hour from the EPW's horizontal infrared irradiance
    (``simulation.energy.sky``; 12.9 K on average in Denver)."""
    cols = [zone_inputs(CASES[nm]) for nm in names]
    keys = cols[0].keys()
    kw = {k: np.array([c[k] for c in cols]) for k in keys}
    zones = Zones.create(
        kw.pop("floor_area"), kw.pop("h_tr_w"), kw.pop("h_tr_op"), kw.pop("h_ve"),
        mass_class=None, **kw,
    )
    src, *_ = solar_sources(n_samples)
    heat, cool, vent = profiles()
    w = weather()
    drv = Drivers.create(w.temp_air, src, w.month, heat_setpoint=heat, cool_setpoint=cool,
                         vent=vent,
                         dtheta_er=w.energy().sky_depression().delta if sky_from_weather else 11.0)
    res = simulate_zones(zones, drv)
    return {nm: (res, i) for i, nm in enumerate(names)}
