"""TABULA building types run through the hourly 5R1C model under TABULA's own conditions.

Reference: T. Loga, N. Diefenbach, "TABULA Calculation Method - Energy Use for Heating and
Domestic Hot Water", IWU Darmstadt 2013 (the common procedure of every row of
``tsib_episcope.csv``). Its energy need for heating is one balance over the heating period::

    q_h_nd = (h_tr + h_ve) F_red,temp 0.024 (theta_i - theta_e) d_hp
             - eta_h,gn (q_sol + q_int)            [kWh/(m^2 a) of A_C_Ref]

with the climate of the calculation given per row as heating-period figures: ``HeatingDays``
d_hp, mean outdoor temperature ``Theta_e`` and solar radiation ``I_Sol_{Hor,East,South,West,
North}`` (kWh/m^2 over the heating period). The hourly model needs an hourly year, built here
from the German test reference year ``datasets/weather/TRY2010_05_Jahr.dat`` by
:func:`tabula_climate` so that its heating period carries exactly those figures.

Each type is built from its own row: element areas ``A_*`` with ``U_Actual_*`` (the U-value
the calculation used: original U with the extra resistance of adjacent unheated spaces) and
``b_Transmission_*``; thermal bridging ``delta_U_ThermalBridging`` x the envelope area;
air change ``n_air_infiltration + n_air_use`` over A_C_Ref x ``h_room`` at 0.34 Wh/(m^3 K);
internal gains ``phi_int`` W/m^2 all day; ``c_m`` Wh/(m^2 K) (ISO 13790 "medium", A_m = 2.5
A_f); windows by orientation with F_sh (``F_sh_vert``, ``F_sh_hor``), frame ``F_f``, ``F_w``
and ``g_gl_n``; no opaque solar gains and no sky radiation (TABULA has neither). As in
TABULA, the window losses use ``A_Window_1/2`` and the solar gains the areas by orientation
(their sums differ by up to 2.2 m^2 in 8 of the 151 rows).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulation.energy import Drivers, Zones, simulate_zones
from twin.energy.solar import solar_sources
from twin.importers.weather import read_weather

ROOT = Path(__file__).resolve().parents[2]
TABULA_CSV = ROOT.parent / "shared" / "data" / "tabula" / "tsib_episcope.csv"
BASE_WEATHER = ROOT / "datasets" / "weather" / "TRY2010_05_Jahr.dat"
COUNTRIES = ("DE", "NL", "CZ")
EXISTING_STATE = ".001.001"

OPAQUE = ("Roof_1", "Roof_2", "Wall_1", "Wall_2", "Wall_3", "Floor_1", "Floor_2")
GLAZED = ("Window_1", "Window_2", "Door_1")
ORIENTATIONS = ("Hor", "North", "East", "South", "West")
"""TABULA's solar orientations in the order of ``twin.energy.solar.SOURCE_NAMES``."""
WINDOW_COLUMNS = ("A_Window_Horizontal", "A_Window_North", "A_Window_East", "A_Window_South",
                  "A_Window_West")
RHO_CP_AIR = 0.34  # Wh/(m^3 K), TABULA's volumetric heat capacity of air
BASE_TEMPERATURE = 12.0  # degC, TABULA's heating-day limit (Theta_e_Base)
A_M_PER_A_F = 2.5  # ISO 13790 Table 12, class "medium" (C_m 165 kJ/(m^2 K) ~ 45 Wh/(m^2 K))

_COLUMNS = (
    ["Code_BuildingVariant", "Code_Country", "A_C_Ref", "h_room", "n_air_infiltration",
     "n_air_use", "phi_int", "theta_i", "c_m", "F_red_temp", "delta_U_ThermalBridging",
     "F_sh_hor", "F_sh_vert", "F_f", "F_w", "g_gl_n", "HeatingDays", "Theta_e", "q_h_nd",
     "h_Transmission", "h_Ventilation",
     "A_Window_1", "A_Window_2", "A_Door_1", *WINDOW_COLUMNS]
    + [f"I_Sol_{o}" for o in ORIENTATIONS]
    + [f"A_{e}" for e in OPAQUE + GLAZED] + [f"U_Actual_{e}" for e in OPAQUE + GLAZED]
    + [f"b_Transmission_{e}" for e in OPAQUE]
)


def read_types(path: Path = TABULA_CSV) -> dict[str, np.ndarray]:
    """The existing-state types of :data:`COUNTRIES`: one array per needed column (text for
    the two codes, float elsewhere; empty cells 0)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f)
                if r["Code_Country"] in COUNTRIES
                and r["Code_BuildingVariant"].endswith(EXISTING_STATE)]
    out: dict[str, np.ndarray] = {}
    for name in _COLUMNS:
        if name.startswith("Code_"):
            out[name] = np.array([r[name] for r in rows])
        else:
            out[name] = np.array([float(r[name]) if r[name] else 0.0 for r in rows])
    return out


@dataclass(frozen=True)
class Climate:
    """An hourly year whose heating period has a row's TABULA climate.

    theta_e: outdoor temperature °C (8760,); solar: incident W/m^2 on horizontal, north, east,
    south, west (5, 8760); heating_hours: True in the hours of the heating period; month.
    """

    theta_e: np.ndarray
    solar: np.ndarray
    heating_hours: np.ndarray
    month: np.ndarray


def _base_year() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outdoor temperature °C, incident solar W/m^2 (5, n) and month of the base TRY."""
    weather = read_weather(BASE_WEATHER).weather
    assert weather is not None
    sources = solar_sources(weather)
    month = (weather.data.index.tz_convert("Etc/GMT-1") - np.timedelta64(1, "s")).month - 1
    return weather.data["temp_air"].to_numpy(), sources.irradiance, np.asarray(month)


def tabula_climate(heating_days: float, theta_e_hp: float, i_sol: np.ndarray,
                   base: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Climate:
    """The base year transformed so its heating period matches TABULA's figures.

    Temperature: theta' = a + b theta (a linear "shift and stretch", Belcher et al. 2005,
    Building Serv. Eng. Res. Technol. 26, 49-61). Any increasing transform keeps the order of
    the days, so the heating period (days with a daily mean below 12 °C) is the
    ``heating_days`` coldest days; a and b make their mean ``theta_e_hp`` and put 12 °C midway
    between the last heating day and the first day after it. Solar: the incident irradiance of
    each orientation is scaled by one factor so its sum over the heating period is TABULA's
    ``i_sol`` (kWh/m^2; horizontal, north, east, south, west).
    """
    temp, solar, month = base
    n_days = temp.shape[0] // 24
    daily = temp[: n_days * 24].reshape(n_days, 24).mean(axis=1)
    order = np.argsort(daily, kind="stable")
    n_hp = int(round(heating_days))
    cold = order[:n_hp]
    limit = 0.5 * (daily[order[n_hp - 1]] + daily[order[n_hp]])
    stretch = (BASE_TEMPERATURE - theta_e_hp) / (limit - daily[cold].mean())
    shift = theta_e_hp - stretch * daily[cold].mean()
    day_is_hp = np.zeros(n_days, dtype=bool)
    day_is_hp[cold] = True
    hours = np.repeat(day_is_hp, 24)
    hp_sum = solar[:, hours].sum(axis=1) / 1000.0  # kWh/m^2
    return Climate(theta_e=shift + stretch * temp, solar=solar * (i_sol / hp_sum)[:, None],
                   heating_hours=hours, month=month)


def type_zones(t: dict[str, np.ndarray], rows: np.ndarray) -> Zones:
    """The 5R1C zones of the types at ``rows`` from their TABULA inputs (see the module), each
    with its own set-point profile (row k of the drivers' set points for the k-th type)."""
    def col(name: str) -> np.ndarray:
        return t[name][rows]

    a_ref = col("A_C_Ref")
    h_op = sum(col(f"b_Transmission_{e}") * col(f"U_Actual_{e}") * col(f"A_{e}")
               for e in OPAQUE)
    h_w = sum(col(f"U_Actual_{e}") * col(f"A_{e}") for e in GLAZED)
    a_env = sum(col(f"A_{e}") for e in OPAQUE + GLAZED)
    h_op = h_op + col("delta_U_ThermalBridging") * a_env
    h_ve = RHO_CP_AIR * (col("n_air_infiltration") + col("n_air_use")) * a_ref * col("h_room")
    f_sh = np.stack([col("F_sh_hor")] + [col("F_sh_vert")] * 4)
    glass = (1.0 - col("F_f")) * col("F_w") * col("g_gl_n")
    aperture = np.stack([col(c) for c in WINDOW_COLUMNS]) * f_sh * glass
    return Zones.create(a_ref, h_w, h_op, h_ve, c_m=col("c_m") * 3600.0 * a_ref,
                        a_m=A_M_PER_A_F * a_ref, internal_gains=col("phi_int") * a_ref,
                        solar_aperture=aperture.T, sky_loss=0.0,
                        setpoint_profile=np.arange(rows.shape[0]))


@dataclass(frozen=True)
class Comparison:
    """Hourly heating need against TABULA's, kWh/(m^2 a) of A_C_Ref, one value per type."""

    code: np.ndarray
    country: np.ndarray
    tabula: np.ndarray
    hourly: np.ndarray
    hourly_heating_period: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        """Hourly / TABULA [-]."""
        return self.hourly / self.tabula


def compare(reduced_temperature: bool = True) -> Comparison:
    """Run every type under its climate; heating set point theta_i, or with
    ``reduced_temperature`` the constant set point theta_e + F_red,temp (theta_i - theta_e)
    (theta_e of the heating period) that gives TABULA's reduced temperature difference."""
    t = read_types()
    base = _base_year()
    hourly = np.zeros(t["A_C_Ref"].shape[0])
    hourly_hp = np.zeros_like(hourly)
    climates = np.stack([t[c] for c in ("HeatingDays", "Theta_e")
                         + tuple(f"I_Sol_{o}" for o in ORIENTATIONS)], axis=1)
    for key in np.unique(climates, axis=0):
        rows = np.flatnonzero((climates == key).all(axis=1))
        climate = tabula_climate(key[0], key[1], key[2:], base)
        theta_i = t["theta_i"][rows]
        if reduced_temperature:
            theta_i = key[1] + t["F_red_temp"][rows] * (theta_i - key[1])
        setpoint = np.repeat(theta_i[:, None], climate.theta_e.shape[0], axis=1)
        drivers = Drivers.create(climate.theta_e, climate.solar, climate.month,
                                 heat_setpoint=setpoint, cool_setpoint=np.full_like(setpoint, np.inf),
                                 dtheta_er=0.0)
        zones = type_zones(t, rows)
        hp_sum = np.zeros(rows.shape[0])

        def keep(start: int, stop: int, heat: np.ndarray, cool: np.ndarray, ta: np.ndarray,
                 hp_sum: np.ndarray = hp_sum, hp: np.ndarray = climate.heating_hours) -> None:
            hp_sum[start:stop] = heat[:, hp].sum(axis=1, dtype=np.float64)

        result = simulate_zones(zones, drivers, hourly_callback=keep)
        a_ref = t["A_C_Ref"][rows]
        hourly[rows] = result.heating_Wh / 1000.0 / a_ref
        hourly_hp[rows] = hp_sum / 1000.0 / a_ref
    return Comparison(code=t["Code_BuildingVariant"], country=t["Code_Country"],
                      tabula=t["q_h_nd"], hourly=hourly, hourly_heating_period=hourly_hp)
