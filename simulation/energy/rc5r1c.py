"""ISO 13790 hourly 5R1C zone model, vectorised over buildings and hours.

EN ISO 13790:2008, section 7.2 and Annex C ("simple hourly method"): one thermal zone per
building as five conductances and one capacitance.

::

    theta_e --H_ve-- theta_air --H_tr_is-- theta_s --H_tr_ms-- theta_m --H_tr_em-- theta_e
                        |                     |                   |
                  phi_ia + phi_HC        phi_st, H_tr_w--theta_e  phi_m, C_m

Per hour (C.3, Crank-Nicolson on the mass node) with gains split as in C.2::

    phi_ia = f_conv phi_int                           (ISO: f_conv = 0.5)
    phi_m  = A_m / A_t (f_rad phi_int + phi_sol)
    phi_st = (1 - A_m / A_t - H_tr_w / (9.1 A_t)) (f_rad phi_int + phi_sol)

Heating/cooling need (C.4): free-floating air temperature theta_air,0; if it lies outside the
set points, the 10 W/m^2 test gives d theta_air / d phi_HC and the unrestricted need is
phi_HC,nd,un = 10 A_f (theta_set - theta_air,0) / (theta_air,10 - theta_air,0), capped at the
available power. The network is linear in phi_HC, so the kernel evaluates that slope in closed
form: the result is the ISO procedure's result to rounding (the plain-Python reference in the
tests runs the literal 10 W/m^2 test and agrees to 1e-9).

Scale: zones are processed in chunks of 64 (padded); each worker thread runs a contiguous
range of chunks in compiled code without the GIL. Within a chunk the hour loop is outside and
the zone loop inside, branch-free over structure-of-arrays rows that stay in L1 (it
vectorises). Per zone the step is collapsed once into linear coefficients (theta_m,t and
theta_air,0 in theta_m, solar, internal gains, theta_e, theta_sup) evaluated from the ISO
equations; zones with scheduled ventilation get one set per distinct ventilation level of the
drivers (precomputed per chunk) and switch sets in the hours their level changes. It never
forms a buildings x hours array: it returns annual and monthly sums, peaks (with their hour),
air temperature statistics, optional per-district hourly totals (cheapest with zones ordered
by district), and optional hourly series per block of buildings through a callback.

Inputs, units
-------------
Zone (per building, :class:`Zones`): floor area A_f m^2; H_tr_w W/K (windows, doors); H_tr_op
W/K (opaque U*A incl. thermal bridges; H_tr_em = 1/(1/H_tr_op - 1/H_tr_ms)); A_m m^2 and C_m J/K
(from :data:`MASS_CLASSES` or :func:`simulation.energy.envelope.mass_parameters`); A_t m^2
(default 4.5 A_f); H_ve W/K (infiltration + ventilation, supply at outdoor temperature; fold
heat recovery in as H_ve (1 - eta)); extra H_ve when a ventilation profile is on; internal
gains W with a convective fraction; solar apertures m^2 for each solar source; sky-radiation
loss coefficient W/K; heating/cooling capacity W (inf = ideal).
Drivers (hourly, shared by all buildings, :class:`Drivers`): outdoor temperature degC, solar
sources W/m^2 (n_sources, n_hours), month index per hour, gain/set-point/ventilation profiles,
sky temperature depression delta_theta_er K (ISO default 11 K).
Time step: 1 hour. Energies in Wh, powers in W (hourly means), temperatures degC.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "H_IS",
    "H_MS",
    "LAMBDA_AT",
    "MASS_CLASSES",
    "Drivers",
    "HourlyLoads",
    "ZoneResults",
    "Zones",
    "simulate_zones",
]

H_IS = 3.45  #: W/(m^2 K), air-to-surface heat transfer coefficient (ISO 13790 7.2.2.2)
H_MS = 9.1  #: W/(m^2 K), surface-to-mass heat transfer coefficient (ISO 13790 12.2.2)
LAMBDA_AT = 4.5  #: default ratio A_t / A_f (ISO 13790 7.2.2.2)

#: ISO 13790 Table 12: class -> (C_m per m^2 floor J/(m^2 K), A_m / A_f)
MASS_CLASSES = {
    "very_light": (80_000.0, 2.5),
    "light": (110_000.0, 2.5),
    "medium": (165_000.0, 2.5),
    "heavy": (260_000.0, 3.0),
    "very_heavy": (370_000.0, 3.5),
}

_CHUNK = 64  # zones per chunk (compile-time constant: fixed-size, vectorisable rows)


HourlyLoads = Callable[[int, int, np.ndarray, np.ndarray, np.ndarray], None]
"""Called with (start, stop, heating_W, cooling_W, air_temp_C) for each block of zones: float32
arrays (stop - start, n_hours) [W, W, °C], reused after the call."""


def _col(x: npt.ArrayLike, n: int, name: str, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """One value per building from a scalar or an array of ``n``."""
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 0:
        return np.full(n, a.item(), dtype=dtype)
    a = a.ravel()
    if a.shape[0] != n:
        raise ValueError(f"{name}: expected a scalar or {n} values (one per building), got {a.shape[0]}")
    return np.ascontiguousarray(a)


@dataclass(frozen=True)
class Zones:
    """Building zones in structure-of-arrays form, one value per zone; build with
    :meth:`Zones.create`.

    Attributes
    ----------
    floor_area : ndarray
        Conditioned floor area A_f [m²].
    h_tr_w : ndarray
        Transmission conductance of windows and doors H_tr,w [W/K].
    h_tr_op : ndarray
        Transmission conductance of the opaque elements H_tr,op, thermal bridges included
        [W/K].
    a_m : ndarray
        Effective mass area A_m [m²].
    c_m : ndarray
        Internal heat capacity C_m [J/K].
    a_t : ndarray
        Area of all surfaces facing the zone A_t [m²].
    h_ve : ndarray
        Ventilation conductance H_ve, supply at the outdoor temperature [W/K].
    h_ve_extra : ndarray
        Extra ventilation conductance while the zone's ventilation profile is on (times the
        profile's value) [W/K].
    internal_gains : ndarray
        Internal heat gains at gains profile 1 [W].
    convective_fraction : ndarray
        Share of the internal gains going to the air node [-].
    solar_aperture_t : ndarray
        Effective solar collecting area for each solar source of :class:`Drivers`, shape
        (n_sources, n_zones) [m²].
    sky_loss : ndarray
        Coefficient of the thermal radiation to the sky, multiplies delta_theta_er [W/K].
    heating_max : ndarray
        Heating capacity [W] (inf: ideal).
    cooling_max : ndarray
        Cooling capacity [W] (inf: ideal).
    gains_profile : ndarray
        Row of ``Drivers.gains`` of each zone, int64 [-].
    setpoint_profile : ndarray
        Row of ``Drivers.heat_setpoint`` / ``cool_setpoint`` of each zone, int64 [-].
    vent_profile : ndarray
        Row of ``Drivers.vent`` of each zone, int64 [-].
    district : ndarray
        District of each zone for the hourly district totals, int64 [-].
    appliances : ndarray
        Electricity of appliances and lighting at gains profile 1 (it follows the zone's
        gains profile) [W]; only the energy balance uses it.
    """

    floor_area: np.ndarray
    h_tr_w: np.ndarray
    h_tr_op: np.ndarray
    a_m: np.ndarray
    c_m: np.ndarray
    a_t: np.ndarray
    h_ve: np.ndarray
    h_ve_extra: np.ndarray
    internal_gains: np.ndarray
    convective_fraction: np.ndarray
    solar_aperture_t: np.ndarray
    sky_loss: np.ndarray
    heating_max: np.ndarray
    cooling_max: np.ndarray
    gains_profile: np.ndarray
    setpoint_profile: np.ndarray
    vent_profile: np.ndarray
    district: np.ndarray
    appliances: np.ndarray

    @property
    def n(self) -> int:
        """Number of zones [-]."""
        return int(self.floor_area.shape[0])

    @property
    def n_sources(self) -> int:
        """Number of solar sources [-]."""
        return int(self.solar_aperture_t.shape[0])

    @classmethod
    def create(
        cls,
        floor_area: npt.ArrayLike,
        h_tr_w: npt.ArrayLike,
        h_tr_op: npt.ArrayLike,
        h_ve: npt.ArrayLike,
        *,
        mass_class: str | None = "medium",
        c_m: npt.ArrayLike | None = None,
        a_m: npt.ArrayLike | None = None,
        a_t: npt.ArrayLike | None = None,
        internal_gains: npt.ArrayLike = 0.0,
        convective_fraction: npt.ArrayLike = 0.5,
        solar_aperture: npt.ArrayLike | None = None,
        sky_loss: npt.ArrayLike = 0.0,
        h_ve_extra: npt.ArrayLike = 0.0,
        heating_max: npt.ArrayLike = np.inf,
        cooling_max: npt.ArrayLike = np.inf,
        gains_profile: npt.ArrayLike = 0,
        setpoint_profile: npt.ArrayLike = 0,
        vent_profile: npt.ArrayLike = 0,
        district: npt.ArrayLike = 0,
        appliances: npt.ArrayLike = 0.0,
    ) -> Zones:
        """Zones from per-building values (scalars broadcast), checked (:meth:`validate`).

        Either ``mass_class`` (ISO 13790 Table 12, see :data:`MASS_CLASSES`) or both ``c_m``
        (J/K) and ``a_m`` (m^2). ``a_t`` defaults to 4.5 ``floor_area``. ``solar_aperture``
        is (n_buildings, n_sources) m^2 (or (n_sources,) for all alike), the effective area
        that multiplies each solar source series of :class:`Drivers` (W/m^2) to give W.
        ``sky_loss`` W/K multiplies delta_theta_er. Profiles index rows of the driver profiles.
        The other arguments are the fields of the same name.
        """
        fa = np.atleast_1d(np.asarray(floor_area, dtype=np.float64)).ravel()
        n = fa.shape[0]
        if np.any(~(fa > 0.0)):
            raise ValueError("floor_area must be > 0 for every building")
        if c_m is None or a_m is None:
            if mass_class not in MASS_CLASSES:
                raise ValueError(
                    f"mass_class must be one of {sorted(MASS_CLASSES)} (or give c_m and a_m), "
                    f"got {mass_class!r}"
                )
            cm_per, am_ratio = MASS_CLASSES[mass_class]
            c_m = cm_per * fa if c_m is None else c_m
            a_m = am_ratio * fa if a_m is None else a_m
        a_t = LAMBDA_AT * fa if a_t is None else a_t
        if solar_aperture is None:
            ap = np.zeros((n, 0))
        else:
            ap = np.asarray(solar_aperture, dtype=np.float64)
            if ap.ndim == 1:
                ap = np.broadcast_to(ap, (n, ap.shape[0]))
            if ap.ndim != 2 or ap.shape[0] != n:
                raise ValueError(
                    f"solar_aperture: expected shape (n_buildings={n}, n_sources), got {ap.shape}"
                )
        z = cls(
            floor_area=np.ascontiguousarray(fa),
            h_tr_w=_col(h_tr_w, n, "h_tr_w"),
            h_tr_op=_col(h_tr_op, n, "h_tr_op"),
            a_m=_col(a_m, n, "a_m"),
            c_m=_col(c_m, n, "c_m"),
            a_t=_col(a_t, n, "a_t"),
            h_ve=_col(h_ve, n, "h_ve"),
            h_ve_extra=_col(h_ve_extra, n, "h_ve_extra"),
            internal_gains=_col(internal_gains, n, "internal_gains"),
            convective_fraction=_col(convective_fraction, n, "convective_fraction"),
            solar_aperture_t=np.ascontiguousarray(ap.T),
            sky_loss=_col(sky_loss, n, "sky_loss"),
            heating_max=_col(heating_max, n, "heating_max"),
            cooling_max=_col(cooling_max, n, "cooling_max"),
            gains_profile=_col(gains_profile, n, "gains_profile", np.int64),
            setpoint_profile=_col(setpoint_profile, n, "setpoint_profile", np.int64),
            vent_profile=_col(vent_profile, n, "vent_profile", np.int64),
            district=_col(district, n, "district", np.int64),
            appliances=_col(appliances, n, "appliances"),
        )
        z.validate()
        return z

    def validate(self) -> None:
        """Raise ValueError naming the first inconsistent field."""
        checks = [
            ("h_tr_w", self.h_tr_w >= 0.0, ">= 0 W/K"),
            ("h_tr_op", self.h_tr_op > 0.0, "> 0 W/K"),
            ("a_m", self.a_m > 0.0, "> 0 m^2"),
            ("c_m", self.c_m > 0.0, "> 0 J/K"),
            ("a_t", self.a_t > self.a_m, "> a_m (the mass area is part of the internal area)"),
            ("h_ve", self.h_ve >= 0.0, ">= 0 W/K"),
            ("h_ve_extra", self.h_ve_extra >= 0.0, ">= 0 W/K"),
            ("convective_fraction", (self.convective_fraction >= 0.0)
             & (self.convective_fraction <= 1.0), "within 0..1"),
            ("heating_max", self.heating_max >= 0.0, ">= 0 W"),
            ("cooling_max", self.cooling_max >= 0.0, ">= 0 W"),
            ("appliances", self.appliances >= 0.0, ">= 0 W"),
            ("h_tr_op", self.h_tr_op < H_MS * self.a_m,
             f"< H_tr_ms = {H_MS} a_m (else H_tr_em would be negative)"),
            ("h_tr_w", 1.0 - self.a_m / self.a_t - self.h_tr_w / (H_MS * self.a_t) >= 0.0,
             "small enough that the surface-node gain share stays >= 0"),
        ]
        for name, valid, what in checks:
            ok = np.asarray(valid)
            if not np.all(ok):
                i = int(np.flatnonzero(~ok)[0])
                raise ValueError(f"zone {i}: {name} must be {what}")
        for name in ("gains_profile", "setpoint_profile", "vent_profile", "district"):
            if np.any(getattr(self, name) < 0):
                raise ValueError(f"{name} indices must be >= 0")


@dataclass(frozen=True)
class Drivers:
    """Hourly inputs shared by all zones (the schedules among them); build with
    :meth:`Drivers.create`.

    Attributes
    ----------
    theta_e : ndarray
        Outdoor air temperature, shape (n_hours,) [°C].
    theta_sup : ndarray
        Supply air temperature of the ventilation, shape (n_hours,) [°C].
    solar : ndarray
        Solar sources: irradiance per m² of aperture, shape (n_sources, n_hours) [W/m²].
    month : ndarray
        Month of each hour, 0..11, int64, shape (n_hours,) [-].
    gains : ndarray
        Internal gains profiles, fraction of each zone's internal gains, shape
        (n_gain_profiles, n_hours) [-].
    heat_setpoint : ndarray
        Heating set-point profiles, -inf = heating off, shape (n_setpoint_profiles, n_hours)
        [°C].
    cool_setpoint : ndarray
        Cooling set-point profiles, +inf = cooling off, shape (n_setpoint_profiles, n_hours)
        [°C].
    vent : ndarray
        Ventilation profiles, fraction of each zone's extra ventilation, shape
        (n_vent_profiles, n_hours) [-].
    dtheta_er : ndarray
        Sky temperature depression delta_theta_er, shape (n_hours,) [K].
    """

    theta_e: np.ndarray
    theta_sup: np.ndarray
    solar: np.ndarray
    month: np.ndarray
    gains: np.ndarray
    heat_setpoint: np.ndarray
    cool_setpoint: np.ndarray
    vent: np.ndarray
    dtheta_er: np.ndarray

    @property
    def n_hours(self) -> int:
        """Number of hours [-]."""
        return int(self.theta_e.shape[0])

    @classmethod
    def create(
        cls,
        theta_e: npt.ArrayLike,
        solar: npt.ArrayLike | None = None,
        month: npt.ArrayLike | None = None,
        *,
        gains: npt.ArrayLike | None = None,
        heat_setpoint: npt.ArrayLike = 20.0,
        cool_setpoint: npt.ArrayLike = 26.0,
        vent: npt.ArrayLike | None = None,
        dtheta_er: npt.ArrayLike = 11.0,
        theta_sup: npt.ArrayLike | None = None,
    ) -> Drivers:
        """Hourly drivers; profiles are (n_profiles, n_hours) or (n_hours,) or scalars.

        month: 0-based month of each hour (default: a 8760/8784-h calendar year from Jan 1).
        heat_setpoint -inf switches heating off, cool_setpoint +inf cooling off. The other
        arguments are the fields of the same name (gains default 1, vent 0, theta_sup the
        outdoor temperature).
        """
        te = np.ascontiguousarray(np.asarray(theta_e, dtype=np.float64).ravel())
        t = te.shape[0]
        if not np.all(np.isfinite(te)):
            raise ValueError("theta_e must be finite for every hour (fill gaps first)")

        def prof(x: npt.ArrayLike | None, name: str, default: float) -> np.ndarray:
            a = np.asarray(default if x is None else x, dtype=np.float64)
            if a.ndim == 0:
                a = np.full((1, t), a.item())
            elif a.ndim == 1:
                a = a[None, :]
            if a.ndim != 2 or a.shape[1] != t:
                raise ValueError(f"{name}: expected (n_profiles, {t}) hourly values, got {a.shape}")
            return np.ascontiguousarray(a)

        if month is None:
            month = _calendar_months(t)
        mo = np.ascontiguousarray(np.asarray(month, dtype=np.int64).ravel())
        if mo.shape[0] != t or mo.min() < 0 or mo.max() > 11:
            raise ValueError(f"month: expected {t} values within 0..11")
        sol = np.zeros((0, t)) if solar is None else np.asarray(solar, dtype=np.float64)
        if sol.ndim == 1:
            sol = sol[None, :]
        if sol.shape[1] != t:
            raise ValueError(f"solar: expected (n_sources, {t}), got {sol.shape}")
        hs = prof(heat_setpoint, "heat_setpoint", 20.0)
        cs = prof(cool_setpoint, "cool_setpoint", 26.0)
        if hs.shape[0] != cs.shape[0]:
            raise ValueError("heat_setpoint and cool_setpoint need the same number of profiles")
        if np.any(hs > cs):
            raise ValueError("heat_setpoint must not exceed cool_setpoint in any hour")
        der = prof(dtheta_er, "dtheta_er", 11.0)[0]
        tsup = te if theta_sup is None else prof(theta_sup, "theta_sup", 0.0)[0]
        return cls(
            theta_e=te,
            theta_sup=np.ascontiguousarray(tsup),
            solar=np.ascontiguousarray(sol),
            month=mo,
            gains=prof(gains, "gains", 1.0),
            heat_setpoint=hs,
            cool_setpoint=cs,
            vent=prof(vent, "vent", 0.0),
            dtheta_er=np.ascontiguousarray(der),
        )


def _calendar_months(n_hours: int) -> np.ndarray:
    """0-based month of each hour of a calendar year from January 1 (leap with 8784 hours)."""
    days = [31, 29 if n_hours >= 8784 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    m = np.repeat(np.arange(12), np.array(days) * 24)
    if n_hours <= m.shape[0]:
        return m[:n_hours]
    return np.concatenate([m, np.full(n_hours - m.shape[0], 11)])


@dataclass(frozen=True)
class ZoneResults:
    """Per-zone results of the 5R1C model; heating and cooling both reported positive.

    Attributes
    ----------
    heating_Wh, cooling_Wh : ndarray
        Heating and cooling need over the hours, shape (n,) [Wh].
    peak_heating_W, peak_cooling_W : ndarray
        Largest hourly heating and cooling load, shape (n,) [W].
    peak_heating_hour, peak_cooling_hour : ndarray
        Hour of those peaks (index into the drivers' hours), int64, shape (n,) [-].
    monthly_heating_Wh, monthly_cooling_Wh : ndarray
        Need per zone and month of ``Drivers.month``, shape (n, 12) [Wh].
    air_temp_mean, air_temp_min, air_temp_max : ndarray
        Statistics of the hourly air temperature, shape (n,) [°C].
    district_heating_W, district_cooling_W : ndarray
        Hourly heating and cooling load of each district, shape (n_districts, n_hours) [W]
        (no rows without districts).
    meta : dict
        The model, warm-up hours and number of hours of the run.
    """

    heating_Wh: np.ndarray
    cooling_Wh: np.ndarray
    peak_heating_W: np.ndarray
    peak_cooling_W: np.ndarray
    peak_heating_hour: np.ndarray
    peak_cooling_hour: np.ndarray
    monthly_heating_Wh: np.ndarray
    monthly_cooling_Wh: np.ndarray
    air_temp_mean: np.ndarray
    air_temp_min: np.ndarray
    air_temp_max: np.ndarray
    district_heating_W: np.ndarray
    district_cooling_W: np.ndarray
    meta: dict[str, object] = field(default_factory=dict)


# Per-zone coefficient rows of the chunk-local array ``cf[row, j]`` (j = zone in chunk)
_A_TM, _A_SOL, _A_Q, _A_TE, _A_TS = 0, 1, 2, 3, 4  # theta_m,t (free-floating) coefficients
_B_TM, _B_SOL, _B_Q, _B_TE, _B_TS = 5, 6, 7, 8, 9  # theta_air,0 coefficients
_DTM, _DTA, _IDTA = 10, 11, 12  # d theta_m,t / d phi_HC, d theta_air / d phi_HC, its inverse
_QINT, _HMAX, _CMAX = 13, 14, 15
_N_FIXED = 16  # then the sky-loss coefficient (-W/K) and one solar aperture (m^2) per source

# Rows of the chunk-local work array ``w[row, j]``
_W_TM, _W_Q, _W_SH, _W_SC, _W_SOL, _W_PH, _W_PC, _W_TA = 0, 1, 2, 3, 4, 5, 6, 7
_W_HEAT, _W_COOL, _W_SUMTA, _W_PKH, _W_PKC, _W_PKHT, _W_PKCT, _W_MIN, _W_MAX = (
    8, 9, 10, 11, 12, 13, 14, 15, 16)
_W_MONH, _W_MONC = 17, 18  # running sums at the start of the current month
_N_W = 19


@numba.njit(cache=True)
def _step(tm: float, rad: float, p_ia: float, te: float, tsup: float, hv: float, h_is: float,
          h_w: float, h_ms: float, h_em: float, cm_h: float, f_m: float,
          f_st: float) -> tuple[float, float, float, float]:
    """ISO 13790 C.3 free-floating step: (theta_m,t, theta_air) for phi_HC = 0.

    Also returns d theta_m,t / d phi_HC and d theta_air / d phi_HC (phi_HC to the air node).
    """
    den_v = hv + h_is
    h1 = hv * h_is / den_v  # H_tr_1 (C.6)
    r1 = h_is / den_v  # H_tr_1 / H_ve, finite also for H_ve = 0
    h2 = h1 + h_w  # H_tr_2 (C.7)
    k3 = h_ms / (h2 + h_ms)  # H_tr_3 / H_tr_2 (C.8)
    h3 = h2 * k3
    hsum = 0.5 * (h3 + h_em)
    inv_den = 1.0 / (cm_h + hsum)
    inv_s = 1.0 / (h_ms + h_w + h1)
    inv_a = 1.0 / den_v
    p_st = f_st * rad
    p_m = f_m * rad
    common = p_st + h_w * te + h1 * tsup + r1 * p_ia  # bracket of C.5 with phi_HC = 0
    p_mtot = p_m + h_em * te + k3 * common  # C.5
    tm_new = (tm * (cm_h - hsum) + p_mtot) * inv_den  # C.4
    ts = (h_ms * 0.5 * (tm_new + tm) + common) * inv_s  # C.10 with C.9
    ta = (h_is * ts + hv * tsup + p_ia) * inv_a  # C.11
    dtm = k3 * r1 * inv_den
    dts = (0.5 * h_ms * dtm + r1) * inv_s
    dta = (h_is * dts + 1.0) * inv_a
    return tm_new, ta, dtm, dta


@numba.njit(cache=True)
def _fill_coeffs(cf: np.ndarray, j: int, hv: float, h_is: float, h_w: float, h_ms: float,
                 h_em: float, cm_h: float, f_m: float, f_st: float, f_c: float) -> None:
    """Linear coefficients of theta_m,t and theta_air,0 in (theta_m, solar, q_int, te, tsup).

    The 5R1C step is linear without a constant term, so each coefficient is the response to
    a unit input; evaluating the ISO equations (rather than re-deriving them) keeps it exact.
    """
    f_r = 1.0 - f_c
    a, b, dtm, dta = _step(1.0, 0.0, 0.0, 0.0, 0.0, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st)
    cf[_A_TM, j] = a
    cf[_B_TM, j] = b
    a, b, _, _ = _step(0.0, 1.0, 0.0, 0.0, 0.0, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st)
    cf[_A_SOL, j] = a
    cf[_B_SOL, j] = b
    a, b, _, _ = _step(0.0, f_r, f_c, 0.0, 0.0, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st)
    cf[_A_Q, j] = a
    cf[_B_Q, j] = b
    a, b, _, _ = _step(0.0, 0.0, 0.0, 1.0, 0.0, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st)
    cf[_A_TE, j] = a
    cf[_B_TE, j] = b
    a, b, _, _ = _step(0.0, 0.0, 0.0, 0.0, 1.0, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st)
    cf[_A_TS, j] = a
    cf[_B_TS, j] = b
    cf[_DTM, j] = dtm
    cf[_DTA, j] = dta
    cf[_IDTA, j] = 1.0 / dta


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _run_chunks(
    c_start: int,
    c_stop: int,
    tid: int,
    # zones
    h_is_a: np.ndarray, h_w_a: np.ndarray, h_ms_a: np.ndarray, h_em_a: np.ndarray,
    cmh_a: np.ndarray, f_m_a: np.ndarray, f_st_a: np.ndarray, hve_a: np.ndarray,
    hvx_a: np.ndarray, qint_a: np.ndarray, fc_a: np.ndarray, ap_t: np.ndarray,
    sky_a: np.ndarray, hmax_a: np.ndarray, cmax_a: np.ndarray, gp_a: np.ndarray,
    sp_a: np.ndarray, vp_a: np.ndarray, dist_a: np.ndarray,
    # drivers (vent_lev: index into vent_levels of each ventilation profile-hour)
    theta_e: np.ndarray, theta_sup: np.ndarray, solar: np.ndarray, month: np.ndarray,
    gains: np.ndarray, heat_sp: np.ndarray, cool_sp: np.ndarray, vent_lev: np.ndarray,
    vent_levels: np.ndarray, dtheta_er: np.ndarray,
    # options
    warmup: int, theta_m0: float,
    # outputs
    heat_wh: np.ndarray, cool_wh: np.ndarray, peak_h: np.ndarray, peak_c: np.ndarray,
    peak_h_t: np.ndarray, peak_c_t: np.ndarray, mon_h: np.ndarray, mon_c: np.ndarray,
    t_mean: np.ndarray, t_min: np.ndarray, t_max: np.ndarray, dist_h: np.ndarray,
    dist_c: np.ndarray, hourly_h: np.ndarray, hourly_c: np.ndarray, hourly_ta: np.ndarray,
) -> None:
    """All hours of the zones of chunks c_start..c_stop-1 (one call per worker thread, no GIL).

    tid: the worker's row in the per-thread district buffers.
    """
    n = h_is_a.shape[0]
    n_t = theta_e.shape[0]
    n_src = solar.shape[0]
    n_gp = gains.shape[0]
    n_sp = heat_sp.shape[0]
    n_lev = vent_levels.shape[0]
    want_dist = dist_h.shape[2] > 0
    want_hourly = hourly_h.shape[0] > 0
    n_rows = _N_FIXED + 1 + n_src
    for c in range(c_start, c_stop):
        b0 = c * _CHUNK
        m = min(n, b0 + _CHUNK) - b0  # zones in this chunk; the rest of the _CHUNK is padding
        cf = np.empty((n_rows, _CHUNK))
        w = np.zeros((_N_W, _CHUNK))
        gp = np.zeros(_CHUNK, dtype=np.int64)
        sp = np.zeros(_CHUNK, dtype=np.int64)
        vp = np.zeros(_CHUNK, dtype=np.int64)
        variable = False
        for j in range(_CHUNK):
            b = b0 + (j if j < m else m - 1)  # pad with copies of the last zone
            if hvx_a[b] != 0.0:
                variable = True
            _fill_coeffs(cf, j, hve_a[b], h_is_a[b], h_w_a[b], h_ms_a[b], h_em_a[b], cmh_a[b],
                         f_m_a[b], f_st_a[b], fc_a[b])
            cf[_QINT, j] = qint_a[b]
            cf[_HMAX, j] = hmax_a[b]
            cf[_CMAX, j] = cmax_a[b]
            cf[_N_FIXED, j] = -sky_a[b]
            for k in range(n_src):
                cf[_N_FIXED + 1 + k, j] = ap_t[k, b]
            gp[j] = gp_a[b]
            sp[j] = sp_a[b]
            vp[j] = vp_a[b]
            w[_W_TM, j] = theta_m0
            w[_W_MIN, j] = np.inf
            w[_W_MAX, j] = -np.inf
        # scheduled ventilation: the step's coefficients for every ventilation level, once
        lev_cf = np.empty((n_lev if variable else 0, _IDTA + 1, _CHUNK))
        cur_lev = np.full(_CHUNK, -1, dtype=np.int64)
        for lv in range(lev_cf.shape[0]):
            for j in range(_CHUNK):
                b = b0 + (j if j < m else m - 1)
                _fill_coeffs(lev_cf[lv], j, hve_a[b] + hvx_a[b] * vent_levels[lv], h_is_a[b],
                             h_w_a[b], h_ms_a[b], h_em_a[b], cmh_a[b], f_m_a[b], f_st_a[b],
                             fc_a[b])
        uniform_g = True
        uniform_s = True
        for j in range(1, _CHUNK):
            uniform_g = uniform_g and gp[j] == gp[0]
            uniform_s = uniform_s and sp[j] == sp[0]
        # the chunk's districts: local index of each zone, and the distinct district ids
        n_ud = 0
        ud = np.empty(_CHUNK, dtype=np.int64)
        li = np.zeros(_CHUNK, dtype=np.int64)
        if want_dist:
            for j in range(m):
                d = dist_a[b0 + j]
                k = 0
                while k < n_ud and ud[k] != d:
                    k += 1
                if k == n_ud:
                    ud[n_ud] = d
                    n_ud += 1
                li[j] = k
        loc_h = np.zeros(max(n_ud, 1))
        loc_c = np.zeros(max(n_ud, 1))
        g_t = np.empty(n_gp)
        sh_t = np.empty(n_sp)
        sc_t = np.empty(n_sp)
        cur_month = -1
        for it in range(warmup + n_t):
            record = it >= warmup
            t = it - warmup if record else n_t - warmup + it
            if record and month[t] != cur_month:
                # monthly sums as differences of the running annual sums (W_MON* = snapshot)
                if cur_month >= 0:
                    for j in range(m):
                        mon_h[b0 + j, cur_month] += w[_W_HEAT, j] - w[_W_MONH, j]
                        mon_c[b0 + j, cur_month] += w[_W_COOL, j] - w[_W_MONC, j]
                for j in range(_CHUNK):
                    w[_W_MONH, j] = w[_W_HEAT, j]
                    w[_W_MONC, j] = w[_W_COOL, j]
                cur_month = month[t]
            te = theta_e[t]
            tsup = theta_sup[t]
            for p in range(n_gp):
                g_t[p] = gains[p, t]
            for p in range(n_sp):
                sh_t[p] = heat_sp[p, t]
                sc_t[p] = cool_sp[p, t]
            if variable:  # switch to the coefficients of the zone's level where it changed
                for j in range(_CHUNK):
                    lv = vent_lev[vp[j], t]
                    if lv != cur_lev[j]:
                        cur_lev[j] = lv
                        for r in range(_IDTA + 1):
                            cf[r, j] = lev_cf[lv, r, j]
            # per-zone hourly inputs: profiles (small gathers) and solar (sum over sources)
            der = dtheta_er[t]
            if uniform_g:  # one gain profile in the chunk: no gather
                g0 = g_t[gp[0]]
                for j in range(_CHUNK):
                    w[_W_Q, j] = cf[_QINT, j] * g0
            else:
                for j in range(_CHUNK):
                    w[_W_Q, j] = cf[_QINT, j] * g_t[gp[j]]
            if uniform_s:
                sh0 = sh_t[sp[0]]
                sc0 = sc_t[sp[0]]
                for j in range(_CHUNK):
                    w[_W_SH, j] = sh0
                    w[_W_SC, j] = sc0
            else:
                for j in range(_CHUNK):
                    w[_W_SH, j] = sh_t[sp[j]]
                    w[_W_SC, j] = sc_t[sp[j]]
            for j in range(_CHUNK):
                w[_W_SOL, j] = cf[_N_FIXED, j] * der
            k = 0
            while k < n_src:  # two sources per pass over the row
                s_a = solar[k, t]
                if k + 1 < n_src:
                    s_b = solar[k + 1, t]
                    if s_a != 0.0 or s_b != 0.0:
                        ra = _N_FIXED + 1 + k
                        for j in range(_CHUNK):
                            w[_W_SOL, j] += cf[ra, j] * s_a + cf[ra + 1, j] * s_b
                    k += 2
                else:
                    if s_a != 0.0:
                        for j in range(_CHUNK):
                            w[_W_SOL, j] += cf[_N_FIXED + 1 + k, j] * s_a
                    k += 1
            # the 5R1C step of every zone of the chunk (branch-free: it vectorises)
            for j in range(_CHUNK):
                t_m = w[_W_TM, j]
                sol = w[_W_SOL, j]
                q = w[_W_Q, j]
                tm0 = (cf[_A_TM, j] * t_m + cf[_A_SOL, j] * sol + cf[_A_Q, j] * q
                       + cf[_A_TE, j] * te + cf[_A_TS, j] * tsup)
                ta0 = (cf[_B_TM, j] * t_m + cf[_B_SOL, j] * sol + cf[_B_Q, j] * q
                       + cf[_B_TE, j] * te + cf[_B_TS, j] * tsup)
                # ISO 13790 C.4: power to reach the set point, capped; at most one is > 0
                ph = min(max(w[_W_SH, j] - ta0, 0.0) * cf[_IDTA, j], cf[_HMAX, j])
                pc = min(max(ta0 - w[_W_SC, j], 0.0) * cf[_IDTA, j], cf[_CMAX, j])
                php = ph - pc
                w[_W_TM, j] = tm0 + cf[_DTM, j] * php
                w[_W_TA, j] = ta0 + cf[_DTA, j] * php
                w[_W_PH, j] = ph
                w[_W_PC, j] = pc
            if record:
                tf = float(t)
                for j in range(_CHUNK):
                    ph = w[_W_PH, j]
                    pc = w[_W_PC, j]
                    ta = w[_W_TA, j]
                    w[_W_HEAT, j] += ph
                    w[_W_COOL, j] += pc
                    w[_W_SUMTA, j] += ta
                    w[_W_PKHT, j] = tf if ph > w[_W_PKH, j] else w[_W_PKHT, j]
                    w[_W_PKH, j] = max(ph, w[_W_PKH, j])
                    w[_W_PKCT, j] = tf if pc > w[_W_PKC, j] else w[_W_PKCT, j]
                    w[_W_PKC, j] = max(pc, w[_W_PKC, j])
                    w[_W_MIN, j] = min(ta, w[_W_MIN, j])
                    w[_W_MAX, j] = max(ta, w[_W_MAX, j])
                if want_dist:
                    if n_ud == 1:  # the usual case when zones are ordered by district
                        h0 = h1 = c0 = c1 = 0.0
                        for j in range(0, m - 1, 2):
                            h0 += w[_W_PH, j]
                            h1 += w[_W_PH, j + 1]
                            c0 += w[_W_PC, j]
                            c1 += w[_W_PC, j + 1]
                        if m % 2 == 1:
                            h0 += w[_W_PH, m - 1]
                            c0 += w[_W_PC, m - 1]
                        dist_h[tid, t, ud[0]] += h0 + h1
                        dist_c[tid, t, ud[0]] += c0 + c1
                    else:
                        for k in range(n_ud):
                            loc_h[k] = 0.0
                            loc_c[k] = 0.0
                        for j in range(m):
                            loc_h[li[j]] += w[_W_PH, j]
                            loc_c[li[j]] += w[_W_PC, j]
                        for k in range(n_ud):
                            dist_h[tid, t, ud[k]] += loc_h[k]
                            dist_c[tid, t, ud[k]] += loc_c[k]
                if want_hourly:
                    for j in range(m):
                        hourly_h[b0 + j, t] = w[_W_PH, j]
                        hourly_c[b0 + j, t] = w[_W_PC, j]
                        hourly_ta[b0 + j, t] = w[_W_TA, j]
        for j in range(m):
            b = b0 + j
            if cur_month >= 0:
                mon_h[b, cur_month] += w[_W_HEAT, j] - w[_W_MONH, j]
                mon_c[b, cur_month] += w[_W_COOL, j] - w[_W_MONC, j]
            heat_wh[b] = w[_W_HEAT, j]
            cool_wh[b] = w[_W_COOL, j]
            t_mean[b] = w[_W_SUMTA, j] / n_t
            peak_h[b] = w[_W_PKH, j]
            peak_c[b] = w[_W_PKC, j]
            t_min[b] = w[_W_MIN, j]
            t_max[b] = w[_W_MAX, j]
            peak_h_t[b] = int(w[_W_PKHT, j])
            peak_c_t[b] = int(w[_W_PKCT, j])


def _derived(z: Zones, sl: slice) -> list[np.ndarray]:
    """ISO 13790 conductances and gain shares of the zones at ``sl``: H_tr_is, H_tr_w, H_tr_ms,
    H_tr_em [W/K], C_m / 3600 s [Wh/K], the mass and surface shares of the radiant gains [-]."""
    h_is = H_IS * z.a_t[sl]
    h_ms = H_MS * z.a_m[sl]
    h_op = z.h_tr_op[sl]
    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)
    f_m = z.a_m[sl] / z.a_t[sl]
    f_st = 1.0 - f_m - z.h_tr_w[sl] / (H_MS * z.a_t[sl])
    cm_h = z.c_m[sl] / 3600.0
    return [np.ascontiguousarray(a) for a in (h_is, z.h_tr_w[sl], h_ms, h_em, cm_h, f_m, f_st)]


def simulate_zones(
    zones: Zones,
    drivers: Drivers,
    *,
    warmup_hours: int = 336,
    theta_m0: float = 20.0,
    n_districts: int = 0,
    hourly_callback: HourlyLoads | None = None,
    block_size: int = 1024,
    n_threads: int | None = None,
) -> ZoneResults:
    """The ideal heating and cooling loads of all zones over the drivers' hours (5R1C).

    Parameters
    ----------
    zones : Zones
        The building zones.
    drivers : Drivers
        Their hourly outdoor temperature, solar sources and schedules.
    warmup_hours : int
        Hours simulated before the first (taken from the end of the series, as for a periodic
        typical year) so the mass temperature starts in a steady cycle [h].
    theta_m0 : float
        Mass temperature at the start of the warm-up [°C].
    n_districts : int
        With n_districts > 0 also the hourly heating and cooling totals of each district of
        ``zones.district`` [-].
    hourly_callback : HourlyLoads, optional
        Called with (start, stop, heating_W, cooling_W, air_temp_C) for consecutive blocks of
        at most ``block_size`` zones, float32 arrays (stop - start, n_hours), reused: copy
        what you keep.
    block_size : int
        Zones per block of the callback [-]. Memory: 3 x 4 bytes x block_size x n_hours (1024
        zones x 8760 h: 108 MB).
    n_threads : int, optional
        Worker threads (default ``numba.get_num_threads()``); each runs a contiguous range of
        zone chunks in compiled code without the GIL.

    Returns
    -------
    ZoneResults
        Sums, peaks, monthly sums, air temperature statistics, district totals.

    Raises
    ------
    ValueError
        If the zones' solar apertures, profiles or districts do not fit the drivers.
    """
    n = zones.n
    t_n = drivers.n_hours
    if zones.n_sources != drivers.solar.shape[0]:
        raise ValueError(
            f"zones have {zones.n_sources} solar apertures per building but drivers give "
            f"{drivers.solar.shape[0]} solar sources"
        )
    for name, idx, rows in (
        ("gains_profile", zones.gains_profile, drivers.gains.shape[0]),
        ("setpoint_profile", zones.setpoint_profile, drivers.heat_setpoint.shape[0]),
        ("vent_profile", zones.vent_profile, drivers.vent.shape[0]),
    ):
        if n and idx.max() >= rows:
            raise ValueError(f"{name} index {int(idx.max())} but drivers have {rows} profiles")
    if n_districts and n and zones.district.max() >= n_districts:
        raise ValueError(f"district index {int(zones.district.max())} >= n_districts={n_districts}")
    warm = int(min(max(warmup_hours, 0), t_n))

    n_thr = int(n_threads) if n_threads else numba.get_num_threads()
    totals = _Totals.zeros(n, t_n, n_districts, n_thr)
    vent_levels, vent_lev = np.unique(drivers.vent, return_inverse=True)
    vent_lev = np.ascontiguousarray(vent_lev.reshape(drivers.vent.shape), dtype=np.int64)

    blocks = [(0, n)] if hourly_callback is None else [
        (s, min(n, s + block_size)) for s in range(0, n, block_size)
    ]
    empty2 = np.zeros((0, 0), dtype=np.float32)
    hourly = (empty2, empty2, empty2)
    with ThreadPoolExecutor(max_workers=n_thr) if n_thr > 1 else nullcontext() as pool:
        for start, stop in blocks:
            if hourly_callback is not None and hourly[0].shape[0] != stop - start:
                hourly = (np.zeros((stop - start, t_n), dtype=np.float32),
                          np.zeros((stop - start, t_n), dtype=np.float32),
                          np.zeros((stop - start, t_n), dtype=np.float32))
            _run_block(zones, drivers, slice(start, stop), vent_lev, vent_levels, warm,
                       float(theta_m0), totals, hourly, n_thr, pool)
            if hourly_callback is not None:
                hourly_callback(start, stop, *hourly)
    return ZoneResults(
        heating_Wh=totals.heat, cooling_Wh=totals.cool, peak_heating_W=totals.peak_h,
        peak_cooling_W=totals.peak_c, peak_heating_hour=totals.peak_h_t,
        peak_cooling_hour=totals.peak_c_t, monthly_heating_Wh=totals.mon_h,
        monthly_cooling_Wh=totals.mon_c, air_temp_mean=totals.t_mean,
        air_temp_min=totals.t_min, air_temp_max=totals.t_max,
        district_heating_W=np.ascontiguousarray(totals.dist_h.sum(axis=0).T) if n_districts
        else np.zeros((0, t_n)),
        district_cooling_W=np.ascontiguousarray(totals.dist_c.sum(axis=0).T) if n_districts
        else np.zeros((0, t_n)),
        meta={"model": "ISO 13790:2008 5R1C hourly", "warmup_hours": warm, "n_hours": t_n},
    )


@dataclass(frozen=True)
class _Totals:
    """The output arrays of a run, per zone (W, Wh, °C, hour index) and per worker thread, hour
    and district (W), filled block by block."""

    heat: np.ndarray
    cool: np.ndarray
    peak_h: np.ndarray
    peak_c: np.ndarray
    peak_h_t: np.ndarray
    peak_c_t: np.ndarray
    mon_h: np.ndarray
    mon_c: np.ndarray
    t_mean: np.ndarray
    t_min: np.ndarray
    t_max: np.ndarray
    dist_h: np.ndarray
    dist_c: np.ndarray

    @classmethod
    def zeros(cls, n: int, n_hours: int, n_districts: int, n_threads: int) -> _Totals:
        """Zeroed outputs; the district sums (thread, hour, district) so that one hour's sums
        share a few cache lines (empty without districts)."""
        dist = (n_threads, n_hours, n_districts) if n_districts else (1, 0, 0)
        return cls(heat=np.zeros(n), cool=np.zeros(n), peak_h=np.zeros(n), peak_c=np.zeros(n),
                   peak_h_t=np.zeros(n, dtype=np.int64), peak_c_t=np.zeros(n, dtype=np.int64),
                   mon_h=np.zeros((n, 12)), mon_c=np.zeros((n, 12)), t_mean=np.zeros(n),
                   t_min=np.zeros(n), t_max=np.zeros(n), dist_h=np.zeros(dist),
                   dist_c=np.zeros(dist))


def _run_block(zones: Zones, drivers: Drivers, sl: slice, vent_lev: np.ndarray,
               vent_levels: np.ndarray, warm: int, theta_m0: float, totals: _Totals,
               hourly: tuple[np.ndarray, np.ndarray, np.ndarray], n_threads: int,
               pool: ThreadPoolExecutor | None) -> None:
    """All hours of the zones at ``sl``, their chunks shared out over up to ``n_threads``
    worker threads of ``pool`` (the run's one pool; None: this thread); the block's hourly
    loads go to ``hourly`` (empty arrays: none)."""
    h_is, h_w, h_ms, h_em, cm_h, f_m, f_st = _derived(zones, sl)
    c = np.ascontiguousarray
    h_ve, h_ve_x, q_int, f_c = (c(a[sl]) for a in (zones.h_ve, zones.h_ve_extra,
                                                   zones.internal_gains,
                                                   zones.convective_fraction))
    ap_t = c(zones.solar_aperture_t[:, sl])
    sky, h_max, c_max, gp, sp, vp, dist = (c(a[sl]) for a in (
        zones.sky_loss, zones.heating_max, zones.cooling_max, zones.gains_profile,
        zones.setpoint_profile, zones.vent_profile, zones.district))
    d = drivers
    t = totals
    hh, hc, hta = hourly

    def run(c_start: int, c_stop: int, tid: int) -> None:
        _run_chunks(c_start, c_stop, tid, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st, h_ve, h_ve_x,
                    q_int, f_c, ap_t, sky, h_max, c_max, gp, sp, vp, dist, d.theta_e,
                    d.theta_sup, d.solar, d.month, d.gains, d.heat_setpoint, d.cool_setpoint,
                    vent_lev, vent_levels, d.dtheta_er, warm, theta_m0, t.heat[sl], t.cool[sl],
                    t.peak_h[sl], t.peak_c[sl], t.peak_h_t[sl], t.peak_c_t[sl], t.mon_h[sl],
                    t.mon_c[sl], t.t_mean[sl], t.t_min[sl], t.t_max[sl], t.dist_h, t.dist_c, hh,
                    hc, hta)

    n_chunks = (sl.stop - sl.start + _CHUNK - 1) // _CHUNK
    workers = max(1, min(n_threads, n_chunks))
    bounds = [round(i * n_chunks / workers) for i in range(workers + 1)]
    if workers == 1 or pool is None:
        run(0, n_chunks, 0)
        return
    futures = [pool.submit(run, bounds[i], bounds[i + 1], i) for i in range(workers)]
    for f in futures:
        f.result()
