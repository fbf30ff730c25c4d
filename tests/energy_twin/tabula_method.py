"""TABULA's heating-need balance applied to the Finnish typology: the band of a Finnish type.

The Finnish typology (``twin/energy/typology/finland.csv``) gives U-values, air change, window
g and thermal bridging by building-code era, but no heating need: TABULA has no Finnish types,
and no Finnish figure computed with TABULA's method exists in its cited sources. Its band is
made here from those figures with TABULA's own calculation (T. Loga, N. Diefenbach, "TABULA
Calculation Method - Energy Use for Heating and Domestic Hot Water", IWU Darmstadt 2013; the
procedure of every ``q_h_nd`` of ``tsib_episcope.csv``)::

    q_h_nd = (h_tr + h_ve) F_red,temp 0.024 (theta_i - theta_e) d_hp
             - eta_h,gn (q_sol + q_int)            [kWh/(m^2 a) of A_C_Ref]
    eta_h,gn = (1 - gamma^a) / (1 - gamma^(a+1)),  gamma = (q_sol + q_int) / q_ht,
    a = 0.8 + tau / 30 h,  tau = c_m A_C_Ref / (h_tr + h_ve)

:func:`tabula_q_h_nd` reproduces TABULA's ``q_h_nd`` of every type of the file from its own
row. The typology has no geometry: a Finnish type is put into the reference buildings of the
Swedish and Norwegian TABULA generic types of the same size class (their element areas,
windows by orientation, b-factors of roofs and walls, room height, TABULA's shading and frame
factors and reduced-temperature factor ``F_red_temp``), the same neighbours whose medians give
the typology its window share and hot-water need ([A-SE-NO] of ``typology/README.md``). The
Finnish values replace the envelope: walls and doors ``u_wall``, roofs ``u_roof``, floors
``u_floor`` with ``floor_reduction`` as b, windows ``u_window`` and ``g_window``,
``thermal_bridge``, infiltration and ventilation air change. The windows of the reference
rows (``A_Window_1`` + ``A_Window_2``) go a quarter to each vertical orientation: the
orientation columns of these rows are empty (Norway: no solar gain at all) or put every window
on the horizontal (Sweden), and the twin spreads windows over the facades likewise. The climate
is the heating period of the FMI test reference year Helsinki-Vantaa (days with a daily mean below TABULA's 12 °C,
their mean temperature and solar radiation per orientation).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.energy.solar import solar_sources
from twin.model import Weather

OPAQUE_U = {"Roof_1": "u_roof", "Roof_2": "u_roof", "Wall_1": "u_wall", "Wall_2": "u_wall",
            "Wall_3": "u_wall", "Floor_1": "u_floor", "Floor_2": "u_floor"}
"""TABULA's opaque elements and the Finnish typology column of their U-value."""
GLAZED_U = {"Window_1": "u_window", "Window_2": "u_window", "Door_1": "u_wall"}
"""Windows and doors (the typology's wall U includes doors)."""
ORIENTATIONS = ("Hor", "North", "East", "South", "West")
"""TABULA's solar orientations in the order of ``twin.energy.solar.SOURCE_NAMES``."""
WINDOW_AREAS = tuple(f"A_Window_{o}" for o in ("Horizontal", "North", "East", "South", "West"))
RHO_CP_AIR = 0.34  # Wh/(m^3 K), TABULA's volumetric heat capacity of air
BASE_TEMPERATURE = 12.0  # degC, TABULA's heating-day limit
REFERENCE_COUNTRIES = ("SE", "NO")
GENERIC_EXISTING = ".Gen.ReEx.001.001"


@dataclass(frozen=True)
class HeatingPeriod:
    """A TABULA climate: heating days, their mean outdoor temperature °C and solar radiation
    kWh/m^2 on horizontal, north, east, south, west over them."""

    days: float
    theta_e: float
    i_sol: np.ndarray


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row of TABULA's ``tsib_episcope.csv``."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reference_rows(rows: list[dict[str, str]], size_class: str) -> list[dict[str, str]]:
    """The national generic types of Sweden and Norway of ``size_class``, existing state."""
    return [r for r in rows if r["Code_Country"] in REFERENCE_COUNTRIES
            and r["Code_BuildingVariant"].startswith(f"{r['Code_Country']}.N.{size_class}.")
            and r["Code_BuildingVariant"].endswith(GENERIC_EXISTING)]


def heating_period(weather: Weather) -> HeatingPeriod:
    """TABULA's heating-period figures of an hourly year (days of 24 h from its first hour)."""
    temp = weather.data["temp_air"].to_numpy()
    n_days = temp.shape[0] // 24
    daily = temp[: n_days * 24].reshape(n_days, 24).mean(axis=1)
    cold = daily < BASE_TEMPERATURE
    hours = np.repeat(cold, 24)
    solar = solar_sources(weather).irradiance[:, : n_days * 24]
    return HeatingPeriod(days=float(cold.sum()), theta_e=float(daily[cold].mean()),
                         i_sol=solar[:, hours].sum(axis=1) / 1000.0)


def _value(row: Mapping[str, str], key: str) -> float:
    text = row[key]
    return float(text) if text else 0.0


def tabula_q_h_nd(row: Mapping[str, str], envelope: Mapping[str, float] | None = None,
                  climate: HeatingPeriod | None = None) -> float:
    """TABULA's energy need for heating kWh/(m^2 a) of ``row``'s reference building, with the
    Finnish ``envelope`` (a ``finland.csv`` row as floats; None: the row's own envelope) and
    ``climate`` (None: the row's own)."""
    def v(key: str) -> float:
        return _value(row, key)

    a_ref = v("A_C_Ref")
    if envelope is None:
        h_tr = sum(v(f"b_Transmission_{e}") * v(f"U_Actual_{e}") * v(f"A_{e}") for e in OPAQUE_U)
        h_tr += sum(v(f"U_Actual_{e}") * v(f"A_{e}") for e in GLAZED_U)
        bridge, air, g_gl = v("delta_U_ThermalBridging"), v("n_air_infiltration") + v(
            "n_air_use"), v("g_gl_n")
    else:
        h_tr = sum((envelope["floor_reduction"] if e.startswith("Floor")
                    else v(f"b_Transmission_{e}")) * envelope[u] * v(f"A_{e}")
                   for e, u in OPAQUE_U.items())
        h_tr += sum(envelope[u] * v(f"A_{e}") for e, u in GLAZED_U.items())
        bridge = envelope["thermal_bridge"]
        air = envelope["infiltration_ach"] + envelope["ventilation_ach"]
        g_gl = envelope["g_window"]
    h_tr += bridge * sum(v(f"A_{e}") for e in (*OPAQUE_U, *GLAZED_U))
    h_ve = RHO_CP_AIR * air * a_ref * v("h_room")
    if climate is None:
        climate = HeatingPeriod(v("HeatingDays"), v("Theta_e"),
                                np.array([v(f"I_Sol_{o}") for o in ORIENTATIONS]))
    q_ht = ((h_tr + h_ve) * v("F_red_temp") * 0.024 * (v("theta_i") - climate.theta_e)
            * climate.days / a_ref)
    f_sh = np.array([v("F_sh_hor")] + [v("F_sh_vert")] * 4)
    if envelope is None:
        windows = np.array([v(c) for c in WINDOW_AREAS])
    else:  # the row's windows, a quarter on each vertical orientation (see the module)
        windows = np.array([0.0] + [(v("A_Window_1") + v("A_Window_2")) / 4.0] * 4)
    q_sol = float((f_sh * windows * climate.i_sol).sum()) * (1.0 - v("F_f")) * v("F_w") * g_gl / a_ref
    q_int = v("phi_int") * 0.024 * climate.days
    tau = v("c_m") * a_ref / (h_tr + h_ve)
    a_h = 0.8 + tau / 30.0
    gamma = (q_sol + q_int) / q_ht
    eta = (1.0 - gamma**a_h) / (1.0 - gamma ** (a_h + 1.0))
    return q_ht - eta * (q_sol + q_int)
