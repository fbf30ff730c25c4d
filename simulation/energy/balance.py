"""Hourly energy balance of buildings: heating system, electricity, rooftop PV, self-consumption.

Per building and hour, from the zone model's ideal heating and cooling need (W):

- heating final energy on the system's carrier (:class:`systems.HeatingSystems`: gas boiler
  efficiency, heat pump COP by outdoor temperature and heating curve with the backup below
  ``hp_min_source``, district heat 1 - loss, electric 1; a given seasonal ``efficiency``
  replaces the kind's model); cooling electricity = need / EER;
- domestic hot water: the system's constant hot-water heat (``HeatingSystems.hot_water``) on
  the same carrier, the heat pump at its hot-water sink temperature;
- electricity demand = appliances and lighting (a base power W times its hourly profile)
  + heat-pump / electric heating and hot water + cooling electricity;
- PV AC output of the building's rooftop system (:class:`pv.PVSystems`; all systems share one
  module plane): the PVWatts chain of :func:`pv.pv_hour`, beam and circumsolar shaded by the
  roof's horizon profile, isotropic sky by its sky-view ratio; plus, where given, the AC
  power of PV on the building's roof faces, each at its own tilt and azimuth
  (:class:`face_solar.FacePV`, computed per block of buildings);
- self-consumption min(PV, demand); export PV - self-consumed; import demand - self-consumed.

It is the arithmetic of ``HeatingSystems.delivered``, ``pv.pv_hour`` and
``pv.self_consumption``, fused into one pass (numba-parallel over buildings) that keeps
annual and monthly sums, peaks, per-district hourly totals and, on request, the hourly
electricity and PV per building: no buildings x hours array is formed otherwise.
Units: W (hourly means), Wh; temperatures degC; angles deg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .horizon import sky_view_ratio, sun_bins
from .irradiance import PlaneIrradiance, plane_irradiance
from .pv import IAM_GLASS, PVSystems, pv_hour
from .systems import T0, HeatingKind, HeatingSystems
from .weather import Sun, Weather, sun_positions

__all__ = ["SUMS", "Balance", "SharedHours", "balance", "shared_hours"]

SUMS = ("gas", "district_heat", "heating_electricity", "cooling_electricity",
        "base_electricity", "electricity", "pv", "self_consumed", "heating_final",
        "hot_water_final", "hot_water_electricity")
"""Columns of ``Balance.sums`` (Wh per building over the hours). gas, district_heat: space
heating and hot water; heating_electricity: space heating only; heating_final,
hot_water_final: final energy of each on the system's carrier."""
_GAS, _DH, _EH, _EC, _EB, _ET, _PV, _SELF, _HF, _WF, _EW = range(11)
_PEAK_E, _PEAK_IMP = 11, 12
_N_ACC = 13
_BOILER = float(HeatingKind.GAS_BOILER)
_HEAT_PUMP = float(HeatingKind.HEAT_PUMP)
_DISTRICT = float(HeatingKind.DISTRICT_HEAT)
_ELECTRIC = float(HeatingKind.ELECTRIC)


@dataclass(frozen=True)
class SharedHours:
    """Hourly inputs shared by all buildings of a balance.

    Attributes
    ----------
    weather : Weather
        Air temperature (heat-pump source, PV cells) and wind speed (PV cells) of each hour.
    sun : Sun
        The sun the PV plane irradiance was computed with (its first sample).
    plane : PlaneIrradiance
        Irradiance components on the module plane shared by all PV systems, (1, n_hours)
        [W/m²].
    month : ndarray
        Month of each hour, 0..11, shape (n_hours,) [-].
    profiles : ndarray
        Hourly profiles of the base electricity, fraction of each building's base power,
        shape (n_profiles, n_hours) [-].
    """

    weather: Weather
    sun: Sun
    plane: PlaneIrradiance
    month: np.ndarray
    profiles: np.ndarray


def shared_hours(weather: Weather, month: np.ndarray, profiles: np.ndarray, tilt: float,
                 azimuth: float, sun: Sun | None = None) -> SharedHours:
    """The shared hours of a balance: the sun at the interval midpoints and the irradiance on
    the module plane (tilt [deg] from the horizontal, azimuth [deg] east of north) from the
    weather; ``month`` (n_hours,) 0..11 and base electricity ``profiles`` (n_profiles,
    n_hours) as they are. ``sun``: the weather's sun at the midpoints when the caller has it
    already (one sample per hour, :func:`weather.sun_positions`), else computed here."""
    if sun is None or sun.n_samples != 1:
        sun = sun_positions(weather)
    plane = plane_irradiance(tilt, azimuth, weather.ghi, weather.dni, weather.dhi,
                             sun.apparent_zenith[0], sun.azimuth[0], sun.dni_extra,
                             weather.site.albedo)
    return SharedHours(weather=weather, sun=sun, plane=plane, month=month, profiles=profiles)


@dataclass(frozen=True)
class Balance:
    """Hourly balance of buildings summed over the hours, and its district totals.

    Attributes
    ----------
    sums : ndarray
        Energy per building over the hours, one column per name of :data:`SUMS`, shape
        (n, len(SUMS)) [Wh].
    peak_electricity_W : ndarray
        Largest hourly electricity demand of each building, shape (n,) [W].
    peak_import_W : ndarray
        Largest hourly grid import of each building, shape (n,) [W].
    monthly_electricity_Wh : ndarray
        Electricity demand per building and month, shape (n, 12) [Wh].
    monthly_pv_Wh : ndarray
        PV AC yield per building and month, shape (n, 12) [Wh].
    district_electricity_W : ndarray
        Electricity demand of each district per hour, shape (n_districts, n_hours) [W].
    district_pv_W : ndarray
        PV AC yield of each district per hour, shape (n_districts, n_hours) [W].
    """

    sums: np.ndarray
    peak_electricity_W: np.ndarray
    peak_import_W: np.ndarray
    monthly_electricity_Wh: np.ndarray
    monthly_pv_Wh: np.ndarray
    district_electricity_W: np.ndarray
    district_pv_W: np.ndarray

    @classmethod
    def zeros(cls, n: int, n_districts: int, n_hours: int) -> Balance:
        """An empty balance of ``n`` buildings to fill block by block with :meth:`put`."""
        return cls(sums=np.zeros((n, len(SUMS))), peak_electricity_W=np.zeros(n),
                   peak_import_W=np.zeros(n), monthly_electricity_Wh=np.zeros((n, 12)),
                   monthly_pv_Wh=np.zeros((n, 12)),
                   district_electricity_W=np.zeros((n_districts, n_hours)),
                   district_pv_W=np.zeros((n_districts, n_hours)))

    def put(self, start: int, block: Balance) -> None:
        """Take the balance of the block of buildings from ``start`` on: its rows, and its
        district totals added to these."""
        rows = slice(start, start + block.sums.shape[0])
        self.sums[rows] = block.sums
        self.peak_electricity_W[rows] = block.peak_electricity_W
        self.peak_import_W[rows] = block.peak_import_W
        self.monthly_electricity_Wh[rows] = block.monthly_electricity_Wh
        self.monthly_pv_Wh[rows] = block.monthly_pv_Wh
        np.add(self.district_electricity_W, block.district_electricity_W,
               out=self.district_electricity_W)
        np.add(self.district_pv_W, block.district_pv_W, out=self.district_pv_W)

    def column(self, name: str) -> np.ndarray:
        """One column of ``sums`` by name (see :data:`SUMS`), Wh."""
        return self.sums[:, SUMS.index(name)]


@numba.njit(cache=True, inline="always")
def _fixed_efficiency(sysp: np.ndarray) -> float:
    """Heat per unit of final energy of one building's system where it does not vary by the
    hour (a given value, a boiler, district heat, direct electric); NaN for a heat pump
    (systems.py)."""
    given = sysp[8]
    if not np.isnan(given):
        return float(given)
    kind = sysp[0]
    if kind == _BOILER:
        return float(sysp[1])
    if kind == _DISTRICT:
        return float(1.0 - sysp[2])
    if kind != _HEAT_PUMP:
        return 1.0
    return np.nan


@numba.njit(cache=True, inline="always")
def _heat_pump_cop(sysp: np.ndarray, t_out: float, sink_c: float) -> float:
    """COP of one building's heat pump lifting outdoor air at ``t_out`` to ``sink_c`` (°C):
    a share of Carnot's, within 1 and its ceiling; below its cut-off temperature the backup
    heater's 1 (systems.py)."""
    if t_out < sysp[5]:
        return 1.0
    sink = sink_c + T0
    lift = sink - (t_out + T0)
    cop = sysp[4] * (sink / lift) if lift > 0.0 else np.inf
    return float(min(max(cop, 1.0), sysp[6]))


@numba.njit(cache=True, inline="always")
def _heat_efficiency(sysp: np.ndarray, t_out: float) -> float:
    """Heat per unit of final energy of one building's system in one hour (systems.py): a heat
    pump's sink follows the heating curve."""
    fixed = _fixed_efficiency(sysp)
    if not np.isnan(fixed):
        return fixed
    tc = min(max(t_out, -10.0), 20.0)
    return _heat_pump_cop(sysp, t_out, 20.0 + (sysp[3] - 20.0) * (20.0 - tc) / 30.0)


@numba.njit(cache=True, inline="always")
def _hot_water_efficiency(sysp: np.ndarray, t_out: float) -> float:
    """Hot-water heat per unit of final energy of one building's system in one hour: as
    ``_heat_efficiency``, the heat pump's sink at the hot-water temperature (systems.py)."""
    fixed = _fixed_efficiency(sysp)
    if not np.isnan(fixed):
        return fixed
    return _heat_pump_cop(sysp, t_out, sysp[10])


def _month_runs(month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs of consecutive hours of one month: their first hours and, last, the number of
    hours (n_runs + 1,), and their months 0..11 (n_runs,)."""
    m = np.asarray(month, dtype=np.int64).ravel()
    start = np.flatnonzero(np.r_[True, m[1:] != m[:-1]]) if len(m) else np.zeros(0, np.int64)
    return (np.ascontiguousarray(np.r_[start, len(m)], dtype=np.int64),
            np.ascontiguousarray(m[start], dtype=np.int64))


@numba.njit(cache=True, parallel=True)
def _balance_kernel(heat: np.ndarray, cool: np.ndarray, sysp: np.ndarray, temp: np.ndarray,
                    wind: np.ndarray, run_start: np.ndarray, run_month: np.ndarray,
                    profiles: np.ndarray,
                    base_w: np.ndarray, base_idx: np.ndarray, pvp: np.ndarray,
                    beam: np.ndarray, iso: np.ndarray, circ: np.ndarray, rest: np.ndarray,
                    cosaoi: np.ndarray, horizon: np.ndarray, shaded: np.ndarray,
                    elevation: np.ndarray, bins: np.ndarray, svr: np.ndarray, iam_n: float,
                    iam_k: float, iam_l: float, district: np.ndarray, n_part: int,
                    acc: np.ndarray, mon_e: np.ndarray, mon_pv: np.ndarray, dist_e: np.ndarray,
                    dist_pv: np.ndarray, want_hourly: bool, out_e: np.ndarray,
                    out_pv: np.ndarray, with_faces: bool, face_pv: np.ndarray) -> None:
    n, n_t = heat.shape
    for part in numba.prange(n_part):
        for b in range(part * n // n_part, (part + 1) * n // n_part):
            p = sysp[b]
            kind = p[0]
            electric_heat = kind == _HEAT_PUMP or kind == _ELECTRIC
            with_pv = pvp[b, 0] > 0.0
            d = district[b]
            q_w = p[9]
            # hot water: one efficiency for the year unless a modelled heat pump's COP varies
            hourly_w = q_w > 0.0 and kind == _HEAT_PUMP and np.isnan(p[8])
            final_w = q_w / _hot_water_efficiency(p, 0.0) if q_w > 0.0 and not hourly_w else 0.0
            # per building, not per hour: the fixed efficiency (NaN: a heat pump's hourly COP),
            # the base power and its profile row, whether it has any PV
            fixed = _fixed_efficiency(p)
            eer = p[7]
            base = base_w[b]
            profile = profiles[base_idx[b]]
            any_pv = with_pv or with_faces
            # sums of this building's hours in local scalars, stored once after its loop; the
            # monthly sums per run of hours of one month (``_month_runs``), added to the month
            s_hf = s_wf = s_eh = s_ec = s_eb = s_et = s_pv = s_self = 0.0
            peak_e = peak_imp = 0.0
            for r in range(len(run_month)):
                m_e = m_pv = 0.0
                for t in range(run_start[r], run_start[r + 1]):
                    q = np.float64(heat[b, t])
                    final = 0.0
                    if q > 0.0:
                        final = q / (fixed if not np.isnan(fixed) else _heat_efficiency(p, temp[t]))
                    if hourly_w:
                        final_w = q_w / _hot_water_efficiency(p, temp[t])
                        s_wf += final_w
                    c_need = np.float64(cool[b, t])
                    e_cool = c_need / eer if c_need > 0.0 else 0.0  # (a division per hour costs)
                    e_base = base * profile[t]
                    e_heat = final if electric_heat else 0.0
                    e_water = final_w if electric_heat else 0.0
                    e = e_heat + e_water + e_cool + e_base
                    s_hf += final
                    s_eh += e_heat
                    s_ec += e_cool
                    s_eb += e_base
                    s_et += e
                    peak_e = max(peak_e, e)
                    m_e += e
                    dist_e[part, d, t] += e
                    if not any_pv:  # PV 0: self-consumption 0, import = demand
                        peak_imp = max(peak_imp, e)
                        if want_hourly:
                            out_e[b, t] = e
                            out_pv[b, t] = 0.0
                        continue
                    pv = 0.0
                    if with_pv:
                        f = 1.0
                        if shaded[b] and not elevation[t] > horizon[b, bins[t]]:
                            f = 0.0
                        _, pv = pv_hour(beam[t], circ[t], iso[t], rest[t], cosaoi[t], f,
                                        svr[b], temp[t], wind[t], pvp[b], iam_n, iam_k, iam_l)
                    if with_faces:
                        pv += face_pv[b, t]
                    used = min(pv, e)
                    s_pv += pv
                    s_self += used
                    peak_imp = max(peak_imp, e - used)
                    m_pv += pv
                    dist_pv[part, d, t] += pv
                    if want_hourly:
                        out_e[b, t] = e
                        out_pv[b, t] = pv
                mon_e[b, run_month[r]] += m_e
                mon_pv[b, run_month[r]] += m_pv
            if not hourly_w:
                s_wf = final_w * n_t
            if kind == _BOILER:
                acc[b, _GAS] = s_hf + s_wf
            elif kind == _DISTRICT:
                acc[b, _DH] = s_hf + s_wf
            acc[b, _HF] = s_hf
            acc[b, _WF] = s_wf
            acc[b, _EW] = s_wf if electric_heat else 0.0
            acc[b, _EH] = s_eh
            acc[b, _EC] = s_ec
            acc[b, _EB] = s_eb
            acc[b, _ET] = s_et
            acc[b, _PV] = s_pv
            acc[b, _SELF] = s_self
            acc[b, _PEAK_E] = peak_e
            acc[b, _PEAK_IMP] = peak_imp


def balance(
    heating_w: np.ndarray,
    cooling_w: np.ndarray,
    systems: HeatingSystems,
    base_w: np.ndarray,
    base_profile: np.ndarray,
    pv: PVSystems,
    roof_horizon: np.ndarray | None,
    district: np.ndarray,
    n_districts: int,
    shared: SharedHours,
    hourly_out: tuple[np.ndarray, np.ndarray] | None = None,
    iam_params: tuple[float, float, float] = IAM_GLASS,
    face_pv_w: np.ndarray | None = None,
) -> Balance:
    """Hourly balance of n buildings (module docstring).

    heating_w, cooling_w: (n, n_hours) need W >= 0 (float32 or float64). systems, pv: one
    entry per building (pdc0 0 = no PV). base_w: appliances and lighting W at profile 1,
    base_profile: its row of ``shared.profiles``. roof_horizon: (n, n_azimuth) deg, NaN rows
    (or None) unshaded. district: 0..n_districts-1. hourly_out: two (n, n_hours) arrays that
    receive the electricity demand and PV AC per hour (W). face_pv_w: (n, n_hours) AC power
    of PV on the buildings' roof faces (``face_solar.FacePV``) added to their PV (W).
    """
    heat = np.ascontiguousarray(heating_w)
    cool = np.ascontiguousarray(cooling_w)
    n, n_t = heat.shape
    if cool.shape != heat.shape or len(systems) != n or len(pv) != n:
        raise ValueError(f"heating {heat.shape}, cooling {cool.shape}, {len(systems)} systems "
                         f"and {len(pv)} PV systems must describe the same buildings")
    plane = shared.plane
    if roof_horizon is None:
        horizon = np.zeros((n, 4))
        shaded = np.zeros(n, dtype=np.bool_)
    else:
        horizon = np.asarray(roof_horizon, dtype=np.float64)
        shaded = np.asarray(~np.isnan(horizon).any(axis=1))
        horizon = np.ascontiguousarray(np.where(shaded[:, None], horizon, 0.0))
    svr = np.where(shaded, sky_view_ratio(horizon, pv.tilt, pv.azimuth), 1.0) if n else np.ones(0)
    elevation, bins = sun_bins(horizon.shape[1], shared.sun.apparent_zenith[0],
                               shared.sun.azimuth[0])
    n_part = max(1, min(numba.get_num_threads(), n))
    acc = np.zeros((n, _N_ACC))
    mon_e = np.zeros((n, 12))
    mon_pv = np.zeros((n, 12))
    dist_e = np.zeros((n_part, n_districts, n_t))
    dist_pv = np.zeros((n_part, n_districts, n_t))
    out_e, out_pv = hourly_out if hourly_out is not None else (np.zeros((0, 0)), np.zeros((0, 0)))
    c = np.ascontiguousarray
    weather = shared.weather
    _balance_kernel(
        heat, cool, systems.kernel_params(), weather.temp_air, weather.wind_speed,
        *_month_runs(shared.month), c(shared.profiles, dtype=np.float64),
        c(base_w, dtype=np.float64), c(base_profile, dtype=np.int64), pv.kernel_params(),
        c(plane.beam[0]), c(plane.sky_isotropic[0]), c(plane.circumsolar[0]),
        c(plane.horizon[0] + plane.ground[0]), c(plane.cos_aoi[0]), horizon, shaded,
        elevation, bins, c(svr), *iam_params, c(district, dtype=np.int64), n_part,
        acc, mon_e, mon_pv, dist_e, dist_pv, hourly_out is not None, out_e, out_pv,
        face_pv_w is not None,
        np.zeros((1, 1)) if face_pv_w is None else c(face_pv_w, dtype=np.float64),
    )
    return Balance(sums=acc[:, :_N_ACC - 2], peak_electricity_W=acc[:, _PEAK_E],
                   peak_import_W=acc[:, _PEAK_IMP], monthly_electricity_Wh=mon_e,
                   monthly_pv_Wh=mon_pv, district_electricity_W=dist_e.sum(axis=0),
                   district_pv_W=dist_pv.sum(axis=0))
