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
from dataclasses import dataclass, field

import numba
import numpy as np

__all__ = [
    "H_IS",
    "H_MS",
    "LAMBDA_AT",
    "MASS_CLASSES",
    "Drivers",
    "ZoneResults",
    "Zones",
    "simulate",
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


def _col(x, n, name, dtype=np.float64):
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 0:
        return np.full(n, a.item(), dtype=dtype)
    a = a.ravel()
    if a.shape[0] != n:
        raise ValueError(f"{name}: expected a scalar or {n} values (one per building), got {a.shape[0]}")
    return np.ascontiguousarray(a)


@dataclass(frozen=True)
class Zones:
    """Building zones in structure-of-arrays form; build with :meth:`Zones.create`."""

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
    solar_aperture_t: np.ndarray  # (n_sources, n_buildings), m^2
    sky_loss: np.ndarray
    heating_max: np.ndarray
    cooling_max: np.ndarray
    gains_profile: np.ndarray
    setpoint_profile: np.ndarray
    vent_profile: np.ndarray
    district: np.ndarray

    @property
    def n(self) -> int:
        return int(self.floor_area.shape[0])

    @property
    def n_sources(self) -> int:
        return int(self.solar_aperture_t.shape[0])

    @classmethod
    def create(
        cls,
        floor_area,
        h_tr_w,
        h_tr_op,
        h_ve,
        *,
        mass_class: str | None = "medium",
        c_m=None,
        a_m=None,
        a_t=None,
        internal_gains=0.0,
        convective_fraction=0.5,
        solar_aperture=None,
        sky_loss=0.0,
        h_ve_extra=0.0,
        heating_max=np.inf,
        cooling_max=np.inf,
        gains_profile=0,
        setpoint_profile=0,
        vent_profile=0,
        district=0,
    ) -> Zones:
        """Zones from per-building values (scalars broadcast).

        Either ``mass_class`` (ISO 13790 Table 12, see :data:`MASS_CLASSES`) or both ``c_m``
        (J/K) and ``a_m`` (m^2). ``a_t`` defaults to 4.5 ``floor_area``. ``solar_aperture``
        is (n_buildings, n_sources) m^2 (or (n_sources,) for all alike), the effective area
        that multiplies each solar source series of :class:`Drivers` (W/m^2) to give W.
        ``sky_loss`` W/K multiplies delta_theta_er. Profiles index rows of the driver profiles.
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
            ("h_tr_op", self.h_tr_op < H_MS * self.a_m,
             f"< H_tr_ms = {H_MS} a_m (else H_tr_em would be negative)"),
            ("h_tr_w", 1.0 - self.a_m / self.a_t - self.h_tr_w / (H_MS * self.a_t) >= 0.0,
             "small enough that the surface-node gain share stays >= 0"),
        ]
        for name, ok, what in checks:
            ok = np.asarray(ok)
            if not np.all(ok):
                i = int(np.flatnonzero(~ok)[0])
                raise ValueError(f"zone {i}: {name} must be {what}")
        for name in ("gains_profile", "setpoint_profile", "vent_profile", "district"):
            if np.any(getattr(self, name) < 0):
                raise ValueError(f"{name} indices must be >= 0")


@dataclass(frozen=True)
class Drivers:
    """Hourly inputs shared by all zones; build with :meth:`Drivers.create`."""

    theta_e: np.ndarray  # (T,) degC
    theta_sup: np.ndarray  # (T,) degC
    solar: np.ndarray  # (n_sources, T) W/m^2
    month: np.ndarray  # (T,) int 0..11
    gains: np.ndarray  # (P_g, T) fraction of internal_gains
    heat_setpoint: np.ndarray  # (P_s, T) degC, -inf = heating off
    cool_setpoint: np.ndarray  # (P_s, T) degC, +inf = cooling off
    vent: np.ndarray  # (P_v, T) fraction of h_ve_extra
    dtheta_er: np.ndarray  # (T,) K

    @property
    def n_hours(self) -> int:
        return int(self.theta_e.shape[0])

    @classmethod
    def create(
        cls,
        theta_e,
        solar=None,
        month=None,
        *,
        gains=None,
        heat_setpoint=20.0,
        cool_setpoint=26.0,
        vent=None,
        dtheta_er=11.0,
        theta_sup=None,
    ) -> Drivers:
        """Hourly drivers; profiles are (n_profiles, n_hours) or (n_hours,) or scalars.

        month: 0-based month of each hour (default: a 8760/8784-h calendar year from Jan 1).
        heat_setpoint -inf switches heating off, cool_setpoint +inf cooling off.
        """
        te = np.ascontiguousarray(np.asarray(theta_e, dtype=np.float64).ravel())
        t = te.shape[0]
        if not np.all(np.isfinite(te)):
            raise ValueError("theta_e must be finite for every hour (fill gaps first)")

        def prof(x, name, default):
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
    days = [31, 29 if n_hours >= 8784 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    m = np.repeat(np.arange(12), np.array(days) * 24)
    if n_hours <= m.shape[0]:
        return m[:n_hours]
    return np.concatenate([m, np.full(n_hours - m.shape[0], 11)])


@dataclass
class ZoneResults:
    """Per-building results (W, Wh, degC); heating and cooling both reported positive."""

    heating_Wh: np.ndarray
    cooling_Wh: np.ndarray
    peak_heating_W: np.ndarray
    peak_cooling_W: np.ndarray
    peak_heating_hour: np.ndarray
    peak_cooling_hour: np.ndarray
    monthly_heating_Wh: np.ndarray  # (n, 12)
    monthly_cooling_Wh: np.ndarray  # (n, 12)
    air_temp_mean: np.ndarray
    air_temp_min: np.ndarray
    air_temp_max: np.ndarray
    district_heating_W: np.ndarray | None = None  # (n_districts, T)
    district_cooling_W: np.ndarray | None = None
    meta: dict = field(default_factory=dict)


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
def _step(tm, rad, p_ia, te, tsup, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st):
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
def _fill_coeffs(cf, j, hv, h_is, h_w, h_ms, h_em, cm_h, f_m, f_st, f_c):
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
    c_start,
    c_stop,
    tid,
    # zones
    h_is_a, h_w_a, h_ms_a, h_em_a, cmh_a, f_m_a, f_st_a, hve_a, hvx_a, qint_a, fc_a,
    ap_t, sky_a, hmax_a, cmax_a, gp_a, sp_a, vp_a, dist_a,
    # drivers (vent_lev: index into vent_levels of each ventilation profile-hour)
    theta_e, theta_sup, solar, month, gains, heat_sp, cool_sp, vent_lev, vent_levels, dtheta_er,
    # options
    warmup, theta_m0,
    # outputs
    heat_wh, cool_wh, peak_h, peak_c, peak_h_t, peak_c_t, mon_h, mon_c,
    t_mean, t_min, t_max, dist_h, dist_c, hourly_h, hourly_c, hourly_ta,
):
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


def _derived(z: Zones, sl: slice):
    h_is = H_IS * z.a_t[sl]
    h_ms = H_MS * z.a_m[sl]
    h_op = z.h_tr_op[sl]
    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)
    f_m = z.a_m[sl] / z.a_t[sl]
    f_st = 1.0 - f_m - z.h_tr_w[sl] / (H_MS * z.a_t[sl])
    cm_h = z.c_m[sl] / 3600.0
    return [np.ascontiguousarray(a) for a in (h_is, z.h_tr_w[sl], h_ms, h_em, cm_h, f_m, f_st)]


def simulate(
    zones: Zones,
    drivers: Drivers,
    *,
    warmup_hours: int = 336,
    theta_m0: float = 20.0,
    n_districts: int = 0,
    hourly_callback: Callable[[int, int, np.ndarray, np.ndarray, np.ndarray], None] | None = None,
    block_size: int = 1024,
    n_threads: int | None = None,
) -> ZoneResults:
    """Run the 5R1C model for all zones over the drivers' hours.

    warmup_hours: hours simulated before the first (taken from the end of the series, as for
    a periodic typical year) so the mass temperature starts in a steady cycle.
    n_districts > 0: also return hourly heating/cooling totals per district (zones.district).
    hourly_callback(start, stop, heating_W, cooling_W, air_temp_C): called for consecutive
    blocks of at most ``block_size`` buildings with float32 arrays (stop-start, n_hours); the
    arrays are reused, copy what you keep. Memory: 3 x 4 bytes x block_size x n_hours
    (1024 zones x 8760 h: 108 MB).
    n_threads: worker threads (default ``numba.get_num_threads()``); each runs a contiguous
    range of zone chunks in compiled code without the GIL.
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

    f8 = lambda: np.zeros(n)
    heat, cool, pk_h, pk_c = f8(), f8(), f8(), f8()
    pk_ht = np.zeros(n, dtype=np.int64)
    pk_ct = np.zeros(n, dtype=np.int64)
    mon_h = np.zeros((n, 12))
    mon_c = np.zeros((n, 12))
    t_mean, t_min, t_max = f8(), f8(), f8()
    n_thr = int(n_threads) if n_threads else numba.get_num_threads()
    if n_districts:
        # (thread, hour, district): one hour's district sums share a few cache lines
        dist_h = np.zeros((n_thr, t_n, n_districts))
        dist_c = np.zeros((n_thr, t_n, n_districts))
    else:
        dist_h = np.zeros((1, 0, 0))
        dist_c = np.zeros((1, 0, 0))

    vent_levels, vent_lev = np.unique(drivers.vent, return_inverse=True)
    vent_lev = np.ascontiguousarray(vent_lev.reshape(drivers.vent.shape), dtype=np.int64)

    blocks = [(0, n)] if hourly_callback is None else [
        (s, min(n, s + block_size)) for s in range(0, n, block_size)
    ]
    empty2 = np.zeros((0, 0), dtype=np.float32)
    buf = None
    for start, stop in blocks:
        sl = slice(start, stop)
        h_is, h_w, h_ms, h_em, cm_h, f_m, f_st = _derived(zones, sl)
        if hourly_callback is not None:
            if buf is None or buf[0].shape[0] != stop - start:
                buf = tuple(np.zeros((stop - start, t_n), dtype=np.float32) for _ in range(3))
            hh, hc, hta = buf
        else:
            hh = hc = hta = empty2
        out = [a[sl] for a in (heat, cool, pk_h, pk_c, pk_ht, pk_ct, mon_h, mon_c,
                               t_mean, t_min, t_max)]
        args = (
            h_is, h_w, h_ms, h_em, cm_h, f_m, f_st,
            np.ascontiguousarray(zones.h_ve[sl]), np.ascontiguousarray(zones.h_ve_extra[sl]),
            np.ascontiguousarray(zones.internal_gains[sl]),
            np.ascontiguousarray(zones.convective_fraction[sl]),
            np.ascontiguousarray(zones.solar_aperture_t[:, sl]),
            np.ascontiguousarray(zones.sky_loss[sl]),
            np.ascontiguousarray(zones.heating_max[sl]),
            np.ascontiguousarray(zones.cooling_max[sl]),
            np.ascontiguousarray(zones.gains_profile[sl]),
            np.ascontiguousarray(zones.setpoint_profile[sl]),
            np.ascontiguousarray(zones.vent_profile[sl]),
            np.ascontiguousarray(zones.district[sl]),
            drivers.theta_e, drivers.theta_sup, drivers.solar, drivers.month, drivers.gains,
            drivers.heat_setpoint, drivers.cool_setpoint, vent_lev, vent_levels,
            drivers.dtheta_er,
            warm, float(theta_m0),
            *out, dist_h, dist_c, hh, hc, hta,
        )
        n_chunks = (stop - start + _CHUNK - 1) // _CHUNK
        workers = max(1, min(n_thr, n_chunks))
        bounds = [round(i * n_chunks / workers) for i in range(workers + 1)]
        if workers == 1:
            _run_chunks(0, n_chunks, 0, *args)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [
                    pool.submit(_run_chunks, bounds[i], bounds[i + 1], i, *args)
                    for i in range(workers)
                ]
                for f in futures:
                    f.result()
        if hourly_callback is not None:
            hourly_callback(start, stop, hh, hc, hta)
    res = ZoneResults(
        heating_Wh=heat, cooling_Wh=cool, peak_heating_W=pk_h, peak_cooling_W=pk_c,
        peak_heating_hour=pk_ht, peak_cooling_hour=pk_ct, monthly_heating_Wh=mon_h,
        monthly_cooling_Wh=mon_c, air_temp_mean=t_mean, air_temp_min=t_min, air_temp_max=t_max,
        meta={"model": "ISO 13790:2008 5R1C hourly", "warmup_hours": warm, "n_hours": t_n},
    )
    if n_districts:
        res.district_heating_W = np.ascontiguousarray(dist_h.sum(axis=0).T)
        res.district_cooling_W = np.ascontiguousarray(dist_c.sum(axis=0).T)
    return res
