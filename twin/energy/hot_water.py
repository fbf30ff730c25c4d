"""Domestic hot water of each building: the heat its hot-water system draws from the heating
system, W, the same in every hour.

heat = need / (system efficiency) spread evenly over the hours of the weather year; the need
is the building type's (dwellings, TABULA ``q_w_nd``) or the use's ``hot_water_kwh_m2`` times
the conditioned floor area. The uses' values (``archetypes.toml``, source key [GEG-A6]) are the
German Gebäudeenergiegesetz of 8 August 2020 (BGBl. I 2020 p. 1728), Anlage 6 to section
32(3), "Nutzenergiebedarf Warmwasser" (the DIN V 18599-10:2018-09 usage values the law fixes
for non-residential buildings), in kWh/(m² a) of conditioned floor area:

- office (row 1, office buildings): 0;
- education (row 6, schools and kindergartens without showers): 65 Wh/(m² d) x 200 d = 13.0;
- public (rows 1 and 9, administration and library): 0;
- retail (row 4, retail up to 1,000 m²): 0;
- hotel (row 8, hotel rooms): 250 Wh/(m² d) x 365 d = 91.25;
- restaurant, sport, industrial (rows 3, 7, 5 give 1.5 kWh per seat, person or employee and
  day, no value per floor area) and religious, health, storage (no row): 0, an assumption.

A use code the table lacks takes the default use (residential), counted by the archetypes.

The system efficiency (storage and distribution, delivered heat at the taps over heat drawn
from the generator) follows NEN 2916:2004 (Dutch energy performance of non-residential
buildings; values as tabulated in cove.tool's documentation of its domestic hot water
distribution input): 0.8 where taps lie further than 3 m from the heater without circulation,
0.6 with a circulation loop. Houses (SFH, TH) take 0.8 and multi-family houses and apartment
blocks (MFH, AB: central hot water with a circulation loop) 0.6, whatever their use;
assumption: the mapping of size class to system. The heating system's generator (boiler,
district heat, heat pump, electric) then turns it into final energy on its carrier
(``simulation.energy.HeatingSystems.hot_water``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SYSTEM_EFFICIENCY: dict[str, float] = {"SFH": 0.8, "TH": 0.8, "MFH": 0.6, "AB": 0.6}
"""Hot water at the taps per unit of heat drawn from the generator, by size class [-]."""


def hot_water_need_kwh(params: pd.DataFrame, floor_area: np.ndarray) -> np.ndarray:
    """Annual hot-water need at the taps of each building [kWh]: ``hot_water_kwh_m2`` x
    conditioned floor area [m²]."""
    return params["hot_water_kwh_m2"].to_numpy(np.float64) * np.asarray(floor_area, np.float64)


def system_efficiency(params: pd.DataFrame) -> np.ndarray:
    """Hot-water system efficiency of each building from its size class [-]."""
    return params["size_class"].map(SYSTEM_EFFICIENCY).to_numpy(np.float64)


def hot_water_heat_w(params: pd.DataFrame, floor_area: np.ndarray, n_hours: int) -> np.ndarray:
    """Heat drawn by each building's hot-water system in every hour [W]: annual need / system
    efficiency spread over the ``n_hours`` of the weather year."""
    need = np.nan_to_num(hot_water_need_kwh(params, floor_area))
    return need * 1e3 / system_efficiency(params) / max(n_hours, 1)
