"""Collect the hourly balance of every simulated building, block by block of the 5R1C kernel.

``BalanceCollector`` is the kernel's hourly callback: for each block of zones it runs
``simulation.energy.balance.balance`` (heating systems, electricity, PV, self-consumption)
on the block's hourly heating and cooling need, keeps the sums per zone and the district
totals, and writes the block's hourly series to the ``HourlyFile`` when there is one. Memory:
the kernel's block buffers plus, with a file, two more of the same size.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from simulation.energy.balance import SUMS, Balance, SharedHours, balance
from simulation.energy.pv import PVSystems
from simulation.energy.systems import HeatingSystems
from twin.energy.hourly_file import HourlyFile


def subset(obj, rows: slice | np.ndarray):
    """The same dataclass of per-entry arrays (``HeatingSystems``, ``PVSystems``) at ``rows``."""
    return type(obj)(**{f.name: getattr(obj, f.name)[rows] for f in fields(obj)})


class BalanceCollector:
    """Per-zone inputs in zone order; call with (start, stop, heating_W, cooling_W, air_temp_C)."""

    def __init__(self, systems: HeatingSystems, pv: PVSystems, base_w: np.ndarray,
                 base_profile: np.ndarray, roof_horizon: np.ndarray | None,
                 district: np.ndarray, n_districts: int, shared: SharedHours,
                 hourly_file: HourlyFile | None = None) -> None:
        self.systems, self.pv, self.shared = systems, pv, shared
        self.base_w, self.base_profile = base_w, base_profile
        self.roof_horizon, self.district, self.n_districts = roof_horizon, district, n_districts
        self.file = hourly_file
        n = base_w.shape[0]
        n_t = shared.temp_out.shape[0]
        self.sums = np.zeros((n, len(SUMS)))
        self.peak_electricity_W = np.zeros(n)
        self.peak_import_W = np.zeros(n)
        self.monthly_electricity_Wh = np.zeros((n, 12))
        self.monthly_pv_Wh = np.zeros((n, 12))
        self.district_electricity_W = np.zeros((n_districts, n_t))
        self.district_pv_W = np.zeros((n_districts, n_t))
        self._out: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, start: int, stop: int, heating_w: np.ndarray, cooling_w: np.ndarray,
                 air_temp_c: np.ndarray) -> None:
        sl = slice(start, stop)
        out = None
        if self.file is not None:
            if self._out is None or self._out[0].shape != heating_w.shape:
                self._out = (np.empty(heating_w.shape, np.float32),
                             np.empty(heating_w.shape, np.float32))
            out = self._out
        horizon = None if self.roof_horizon is None else self.roof_horizon[sl]
        res: Balance = balance(heating_w, cooling_w, subset(self.systems, sl), self.base_w[sl],
                               self.base_profile[sl], subset(self.pv, sl), horizon,
                               self.district[sl], self.n_districts, self.shared, out)
        self.sums[sl] = res.sums
        self.peak_electricity_W[sl] = res.peak_electricity_W
        self.peak_import_W[sl] = res.peak_import_W
        self.monthly_electricity_Wh[sl] = res.monthly_electricity_Wh
        self.monthly_pv_Wh[sl] = res.monthly_pv_Wh
        self.district_electricity_W += res.district_electricity_W
        self.district_pv_W += res.district_pv_W
        if self.file is not None:
            self.file.write(start, stop, heating_W=heating_w, cooling_W=cooling_w,
                            air_temp_C=air_temp_c, electricity_W=out[0], pv_W=out[1])

    def column(self, name: str) -> np.ndarray:
        """Sum over the hours of one of ``simulation.energy.balance.SUMS`` per zone, Wh."""
        return self.sums[:, SUMS.index(name)]
