"""Rooftop PV yield with the PVWatts (version 5) chain, vectorised over systems x hours.

The chain is the one pvlib's ``ModelChain.with_pvwatts`` runs, step by step:

1. plane-of-array irradiance: beam, Perez sky diffuse and ground reflection from
   :func:`simulation.energy.irradiance.plane_irradiance`; optional shading by neighbours
   (:mod:`simulation.energy.horizon`) scales beam and circumsolar by the sunlit fraction and
   the isotropic sky diffuse by the sky-view ratio (horizon band and ground left unshaded);
2. angle-of-incidence loss on the beam only: the "physical" IAM of De Soto et al. (2006) for a
   glass cover (n = 1.526, K = 4 1/m, L = 2 mm; ``pvlib.iam.physical``), which is PVWatts'
   cover model; effective irradiance = beam IAM + diffuse (sky + ground);
3. cell temperature: the Sandia (SAPM, King et al. 2004) model on the POA global irradiance,
   ``T_m = E exp(a + b WS) + T_air``, ``T_c = T_m + E/1000 deltaT``; this is what
   ``with_pvwatts`` uses (``temperature_model='sapm'``). Default mounting: close-mount
   glass/glass (a = -2.98, b = -0.0471, deltaT = 1), the SAPM class closest to rooftop arrays;
4. DC: ``P_dc = E_eff/1000 P_dc0 (1 + gamma_pdc (T_c - 25))`` (``pvlib.pvsystem.pvwatts_dc``);
5. system losses: ``P_dc (1 - L/100)``, L = 14.08 % by default, the PVWatts total of soiling 2,
   shading 3, mismatch 2, wiring 2, connections 0.5, LID 1.5, nameplate 1, availability 3 %
   (``pvlib.pvsystem.pvwatts_losses``); when shading comes from the horizon instead, use
   ``pvwatts_losses(shading=0)`` (11.42 %);
6. inverter: PVWatts' efficiency curve ``eta = eta_nom/eta_ref (-0.0162 z - 0.0059/z +
   0.9858)``, z = P_dc/P_dc0,inv, clipped to ``0 <= P_ac <= eta_nom P_dc0,inv``
   (``pvlib.inverter.pvwatts``) with P_dc0,inv = P_dc0 / (DC/AC ratio) / eta_nom.

Power is the mean W of each hour (W x 1 h = Wh). Weather is end-labelled: compute the sun at
the interval midpoints (``solar_gains.sun_for_intervals``), as for the zone model.
:func:`pv_power` / :func:`pv_from_weather` give systems x hours arrays (use blocks of
systems); :func:`pv_annual` runs the same chain in one fused pass for a whole city.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numba
import numpy as np

from .horizon import sky_view_ratio as _sky_view_ratio
from .horizon import sun_bins
from .irradiance import (
    PlaneIrradiance,
    perez_brightness_coefficients,
    perez_sky_parts,
    plane_irradiance,
)

__all__ = [
    "PVWATTS_LOSSES",
    "SAPM_MOUNTING",
    "PVAnnual",
    "PVOutput",
    "PVSystems",
    "SelfConsumption",
    "iam_physical",
    "pdc0_from_area",
    "pv_annual",
    "pv_from_weather",
    "pv_power",
    "pvwatts_dc",
    "pvwatts_inverter",
    "pvwatts_losses",
    "sapm_cell_temperature",
    "self_consumption",
]

#: SAPM cell temperature parameters (a, b [s/m], deltaT [K]) per mounting (King et al. 2004).
SAPM_MOUNTING = {
    "open_rack_glass_glass": (-3.47, -0.0594, 3.0),
    "close_mount_glass_glass": (-2.98, -0.0471, 1.0),
    "open_rack_glass_polymer": (-3.56, -0.0750, 3.0),
    "insulated_back_glass_polymer": (-2.81, -0.0455, 0.0),
}


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def iam_physical(cos_aoi, n, k, thickness):
    """Incidence angle modifier of a glass cover (De Soto et al. 2006), 0..1.

    cos_aoi: cosine of the angle of incidence (<= 0: light from behind, IAM 0); n: refractive
    index; k: extinction coefficient 1/m; thickness: m. pvlib defaults: 1.526, 4, 0.002.
    """
    if cos_aoi <= 0.0:
        return 0.0
    c1 = min(1.0, cos_aoi)
    s2 = np.sqrt(1.0 - c1 * c1) / n  # sine of the refraction angle
    c2 = np.sqrt(1.0 - s2 * s2)
    rho_s = ((c1 - n * c2) / (c1 + n * c2)) ** 2
    rho_p = ((c2 - n * c1) / (c2 + n * c1)) ** 2
    tau0 = (1.0 - ((1.0 - n) / (1.0 + n)) ** 2) * np.exp(-k * thickness)
    return 0.5 * (2.0 - rho_s - rho_p) * np.exp(-k * thickness / c2) / tau0


@numba.vectorize(["float64(float64, float64, float64, float64, float64, float64)"], cache=True)
def sapm_cell_temperature(poa_global, temp_air, wind_speed, a, b, delta_t):
    """Cell temperature, degC, of the Sandia model: POA W/m^2, air degC, wind m/s."""
    return poa_global * np.exp(a + b * wind_speed) + temp_air + poa_global / 1000.0 * delta_t


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def pvwatts_dc(effective_irradiance, temp_cell, pdc0, gamma_pdc):
    """PVWatts DC power, W: E_eff W/m^2, cell degC, P_dc0 W at STC, gamma_pdc 1/K."""
    return effective_irradiance * 0.001 * pdc0 * (1.0 + gamma_pdc * (temp_cell - 25.0))


@numba.vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def pvwatts_inverter(pdc, pdc0_inverter, eta_nom, eta_ref):
    """PVWatts inverter AC power, W, from DC power W and the inverter's DC rating W."""
    if pdc == 0.0:
        return 0.0
    z = pdc / pdc0_inverter
    eta = eta_nom / eta_ref * (-0.0162 * z - 0.0059 / z + 0.9858)
    return max(0.0, min(eta_nom * pdc0_inverter, eta * pdc))


def pvwatts_losses(
    soiling: float = 2.0,
    shading: float = 3.0,
    snow: float = 0.0,
    mismatch: float = 2.0,
    wiring: float = 2.0,
    connections: float = 0.5,
    lid: float = 1.5,
    nameplate_rating: float = 1.0,
    age: float = 0.0,
    availability: float = 3.0,
) -> float:
    """Total PVWatts system loss, %: 100 (1 - prod(1 - L_i/100)); defaults give 14.08 %."""
    parts = (soiling, shading, snow, mismatch, wiring, connections, lid, nameplate_rating,
             age, availability)
    return float(100.0 * (1.0 - np.prod([1.0 - p / 100.0 for p in parts])))


#: PVWatts' default total system loss, % (14.0757, quoted as 14.08)
PVWATTS_LOSSES = pvwatts_losses()


def pdc0_from_area(area_m2, module_efficiency: float = 0.20, packing: float = 0.7) -> np.ndarray:
    """DC nameplate, W, of modules covering ``packing`` of a roof area (m^2) at 1000 W/m^2."""
    return np.asarray(area_m2, dtype=np.float64) * packing * module_efficiency * 1000.0


@dataclass(frozen=True)
class PVSystems:
    """PV systems, one value per system (scalars are broadcast to the length of ``pdc0``).

    pdc0: DC nameplate W at STC; tilt, azimuth deg (east of north); gamma_pdc 1/K (default
    -0.0037, current crystalline silicon, PVWatts' "standard" module; its version 5 manual
    used -0.0047); losses_percent (default :data:`PVWATTS_LOSSES`); dc_ac_ratio (default
    1.2); eta_inv_nom/eta_inv_ref (0.96/0.9637); SAPM temperature a, b, delta_t (default
    close-mount glass/glass).
    """

    pdc0: np.ndarray
    tilt: np.ndarray
    azimuth: np.ndarray
    gamma_pdc: np.ndarray = -0.0037
    losses_percent: np.ndarray = PVWATTS_LOSSES
    dc_ac_ratio: np.ndarray = 1.2
    eta_inv_nom: np.ndarray = 0.96
    eta_inv_ref: np.ndarray = 0.9637
    temp_a: np.ndarray = SAPM_MOUNTING["close_mount_glass_glass"][0]
    temp_b: np.ndarray = SAPM_MOUNTING["close_mount_glass_glass"][1]
    temp_delta_t: np.ndarray = SAPM_MOUNTING["close_mount_glass_glass"][2]

    def __post_init__(self):
        n = np.atleast_1d(np.asarray(self.pdc0)).size
        for f in fields(self):
            v = np.asarray(getattr(self, f.name), dtype=np.float64).ravel()
            if v.size not in (1, n):
                raise ValueError(f"PVSystems.{f.name}: expected 1 or {n} values, got {v.size}")
            object.__setattr__(self, f.name, np.ascontiguousarray(np.broadcast_to(v, (n,))))
        if np.any(self.pdc0 < 0.0):
            raise ValueError("PVSystems.pdc0 must be >= 0 W")

    def __len__(self) -> int:
        return self.pdc0.shape[0]

    @property
    def pdc0_inverter(self) -> np.ndarray:
        """Inverter DC rating, W: AC rating (pdc0 / dc_ac_ratio) over eta_inv_nom."""
        return self.pdc0 / self.dc_ac_ratio / self.eta_inv_nom

    def kernel_params(self) -> np.ndarray:
        """(n, 9): pdc0, gamma_pdc, 1 - losses, SAPM a, b, delta_t, inverter pdc0, eta_nom,
        eta_ref."""
        return np.ascontiguousarray(np.stack([
            self.pdc0, self.gamma_pdc, 1.0 - self.losses_percent / 100.0, self.temp_a,
            self.temp_b, self.temp_delta_t, self.pdc0_inverter, self.eta_inv_nom,
            self.eta_inv_ref], axis=1))


@dataclass(frozen=True)
class PVOutput:
    """Hourly mean power per system, (n_systems, n_hours) W: DC after losses, and AC."""

    dc: np.ndarray
    ac: np.ndarray

    @property
    def annual_kwh(self) -> np.ndarray:
        """AC energy per system over the series, kWh."""
        return self.ac.sum(axis=1) / 1000.0


@numba.njit(cache=True, inline="always")
def _pv_step(direct, diffuse, cos_aoi, temp_air, wind, prm, iam_n, iam_k, iam_l):
    """DC (after losses) and AC W of one system-hour from its shaded beam and diffuse W/m^2.

    prm: the system's row of :meth:`PVSystems.kernel_params`.
    """
    eff = direct * iam_physical(cos_aoi, iam_n, iam_k, iam_l) + diffuse
    tc = sapm_cell_temperature(direct + diffuse, temp_air, wind, prm[3], prm[4], prm[5])
    p = pvwatts_dc(eff, tc, prm[0], prm[1]) * prm[2]
    return p, pvwatts_inverter(p, prm[6], prm[7], prm[8])


@numba.njit(cache=True, parallel=True)
def _pv_kernel(beam, iso, circ, hor, ground, cosaoi, sunlit, with_sunlit, sky_ratio,
               temp_air, wind, prm, iam_n, iam_k, iam_l, dc, ac):
    n_s, n_t = beam.shape
    for s in numba.prange(n_s):
        for t in range(n_t):
            f = sunlit[s, t] if with_sunlit else 1.0
            direct = beam[s, t] * f
            diffuse = circ[s, t] * f + iso[s, t] * sky_ratio[s] + hor[s, t] + ground[s, t]
            dc[s, t], ac[s, t] = _pv_step(direct, diffuse, cosaoi[s, t], temp_air[t], wind[t],
                                          prm[s], iam_n, iam_k, iam_l)


def pv_power(
    systems: PVSystems,
    irradiance: PlaneIrradiance,
    temp_air,
    wind_speed,
    beam_sunlit=None,
    sky_view_ratio=None,
    iam_params: tuple[float, float, float] = (1.526, 4.0, 0.002),
) -> PVOutput:
    """DC and AC power (W) of each system per hour from its plane-of-array irradiance.

    irradiance: from ``plane_irradiance(systems.tilt, systems.azimuth, ...)``, (n, n_hours).
    temp_air degC, wind_speed m/s: (n_hours,). beam_sunlit: optional (n, n_hours) fraction or
    bool (:func:`horizon.beam_sunlit`); sky_view_ratio: optional (n,)
    (:func:`horizon.sky_view_ratio`). iam_params: glass n, K (1/m), thickness (m).
    """
    n, n_t = irradiance.beam.shape
    if n != len(systems):
        raise ValueError(f"irradiance has {n} surfaces for {len(systems)} PV systems")
    ta = np.ascontiguousarray(np.broadcast_to(np.asarray(temp_air, np.float64).ravel(), (n_t,)))
    ws = np.ascontiguousarray(np.broadcast_to(np.asarray(wind_speed, np.float64).ravel(), (n_t,)))
    with_sunlit = beam_sunlit is not None
    sunlit = (np.ascontiguousarray(beam_sunlit, dtype=np.float64) if with_sunlit
              else np.ones((1, 1)))
    if with_sunlit and sunlit.shape != (n, n_t):
        raise ValueError(f"beam_sunlit: expected shape {(n, n_t)}, got {sunlit.shape}")
    sky = np.ones(n) if sky_view_ratio is None else np.asarray(sky_view_ratio, np.float64).ravel()
    if sky.shape[0] != n:
        raise ValueError(f"sky_view_ratio: expected {n} values, got {sky.shape[0]}")
    dc = np.empty((n, n_t))
    ac = np.empty((n, n_t))
    _pv_kernel(irradiance.beam, irradiance.sky_isotropic, irradiance.circumsolar,
               irradiance.horizon, irradiance.ground, irradiance.cos_aoi, sunlit, with_sunlit,
               np.ascontiguousarray(sky), ta, ws, systems.kernel_params(),
               *map(float, iam_params), dc, ac)
    return PVOutput(dc, ac)


def pv_from_weather(
    systems: PVSystems,
    ghi,
    dni,
    dhi,
    apparent_zenith,
    sun_azimuth,
    dni_extra,
    temp_air,
    wind_speed,
    albedo=0.2,
    beam_sunlit=None,
    sky_view_ratio=None,
) -> PVOutput:
    """PVWatts chain from hourly weather (W/m^2, degC, m/s) and the sun at the midpoints (deg).

    A convenience over :func:`plane_irradiance` + :func:`pv_power`; for many systems call it
    on blocks of systems (memory: ~8 arrays of n x n_hours float64).
    """
    irr = plane_irradiance(systems.tilt, systems.azimuth, ghi, dni, dhi, apparent_zenith,
                           sun_azimuth, dni_extra, albedo)
    return pv_power(systems, irr, temp_air, wind_speed, beam_sunlit, sky_view_ratio)


@dataclass(frozen=True)
class SelfConsumption:
    """Per system over the series, Wh: PV used on site, exported, and imported from the grid."""

    self_consumed: np.ndarray
    exported: np.ndarray
    imported: np.ndarray
    pv_total: np.ndarray
    load_total: np.ndarray

    @property
    def self_consumption_ratio(self) -> np.ndarray:
        """Share of the PV yield used on site (0 where there is no yield)."""
        return np.divide(self.self_consumed, self.pv_total, out=np.zeros_like(self.pv_total),
                         where=self.pv_total > 0)

    @property
    def self_sufficiency(self) -> np.ndarray:
        """Share of the load covered by PV (0 where there is no load)."""
        return np.divide(self.self_consumed, self.load_total,
                         out=np.zeros_like(self.load_total), where=self.load_total > 0)


def self_consumption(pv_w, load_w) -> SelfConsumption:
    """Hourly netting: self-consumed = sum_h min(PV, load), export = PV - self-consumed.

    pv_w, load_w: hourly mean W, (n_hours,) or (n, n_hours) (broadcast against each other).
    """
    pv = np.asarray(pv_w, dtype=np.float64)
    load = np.asarray(load_w, dtype=np.float64)
    if np.any(pv < 0.0) or np.any(load < 0.0):
        raise ValueError("PV and load must be >= 0 W")
    used = np.minimum(pv, load).sum(axis=-1)
    pv_total = np.broadcast_to(pv, np.broadcast_shapes(pv.shape, load.shape)).sum(axis=-1)
    load_total = np.broadcast_to(load, np.broadcast_shapes(pv.shape, load.shape)).sum(axis=-1)
    return SelfConsumption(used, pv_total - used, load_total - used, pv_total, load_total)


@dataclass(frozen=True)
class PVAnnual:
    """Totals over the series: per system DC (after losses) and AC kWh, (n,); AC W of all
    systems together per hour, (n_hours,)."""

    dc_kwh: np.ndarray
    ac_kwh: np.ndarray
    hourly_ac_w: np.ndarray


@numba.njit(cache=True, parallel=True)
def _pv_annual_kernel(normal, sun, ghi, dni, dhi, f1, f2, albedo, temp_air, wind, horizon,
                      with_horizon, elevation, bins, sky_ratio, prm, iam_n, iam_k, iam_l,
                      block, dc_wh, ac_wh, hourly):
    n = normal.shape[0]
    n_t = ghi.shape[0]
    for b in numba.prange(hourly.shape[0]):
        for s in range(b * block, min(n, (b + 1) * block)):
            ct = normal[s, 2]
            st = np.sqrt(normal[s, 0] ** 2 + normal[s, 1] ** 2)
            acc_dc = 0.0
            acc_ac = 0.0
            for t in range(n_t):
                c = normal[s, 0] * sun[t, 0] + normal[s, 1] * sun[t, 1] + ct * sun[t, 2]
                aa = min(1.0, max(0.0, c))
                f = 1.0
                if with_horizon and not elevation[t] > horizon[s, bins[t]]:
                    f = 0.0
                iso, circ, hor = perez_sky_parts(dhi[t], f1[t], f2[t], aa, sun[t, 2],
                                                 0.5 * (1.0 + ct), st)
                ground = ghi[t] * albedo[t] * 0.5 * (1.0 - ct)
                direct = dni[t] * aa * f
                diffuse = circ * f + iso * sky_ratio[s] + hor + ground
                p_dc, p_ac = _pv_step(direct, diffuse, max(-1.0, min(1.0, c)), temp_air[t],
                                      wind[t], prm[s], iam_n, iam_k, iam_l)
                acc_dc += p_dc
                acc_ac += p_ac
                hourly[b, t] += p_ac
            dc_wh[s] = acc_dc
            ac_wh[s] = acc_ac


def pv_annual(
    systems: PVSystems,
    ghi,
    dni,
    dhi,
    apparent_zenith,
    sun_azimuth,
    dni_extra,
    temp_air,
    wind_speed,
    albedo=0.2,
    horizon_deg=None,
    iam_params: tuple[float, float, float] = (1.526, 4.0, 0.002),
) -> PVAnnual:
    """The chain of :func:`pv_from_weather` fused into one pass for a city's many systems.

    Same inputs (hourly, sun at the midpoints); never forms a systems x hours array. With
    horizon_deg (n, n_azimuth) from :func:`horizon.horizon_profiles`, beam and circumsolar
    count only while the sun is above the horizon and the isotropic sky is scaled by the
    sky-view ratio (as :func:`pv_power` with ``beam_sunlit``/``sky_view_ratio``).
    """
    n = len(systems)
    ghi_a, dni_a, dhi_a, zen, saz, ext, ta, ws = (
        np.ascontiguousarray(np.asarray(v, dtype=np.float64).ravel())
        for v in (ghi, dni, dhi, apparent_zenith, sun_azimuth, dni_extra, temp_air, wind_speed)
    )
    n_t = ghi_a.shape[0]
    for name, v in (("dni", dni_a), ("dhi", dhi_a), ("apparent_zenith", zen),
                    ("sun_azimuth", saz), ("dni_extra", ext), ("temp_air", ta),
                    ("wind_speed", ws)):
        if v.shape[0] != n_t:
            raise ValueError(f"{name}: expected {n_t} hourly values like ghi, got {v.shape[0]}")
    alb = np.ascontiguousarray(np.broadcast_to(np.asarray(albedo, np.float64).ravel(), (n_t,)))
    f1, f2 = perez_brightness_coefficients(dhi_a, dni_a, ext, zen)
    zr = np.radians(zen)
    ar = np.radians(saz)
    sun = np.ascontiguousarray(np.stack([np.sin(zr) * np.sin(ar), np.sin(zr) * np.cos(ar),
                                         np.cos(zr)], axis=1))
    tr = np.radians(systems.tilt)
    gr = np.radians(systems.azimuth)
    normal = np.ascontiguousarray(np.stack([np.sin(tr) * np.sin(gr), np.sin(tr) * np.cos(gr),
                                            np.cos(tr)], axis=1))
    with_h = horizon_deg is not None
    if with_h:
        h = np.ascontiguousarray(np.asarray(horizon_deg, dtype=np.float64))
        if h.ndim != 2 or h.shape[0] != n:
            raise ValueError(f"horizon_deg: expected ({n}, n_azimuth), got {h.shape}")
        sky = _sky_view_ratio(h, systems.tilt, systems.azimuth)
        elevation, bins = sun_bins(h.shape[1], zen, saz)
    else:
        h, sky = np.zeros((1, 1)), np.ones(n)
        elevation, bins = np.zeros(n_t), np.zeros(n_t, dtype=np.int64)
    block = 256
    hourly = np.zeros((max(1, -(-n // block)), n_t))
    dc_wh = np.empty(n)
    ac_wh = np.empty(n)
    _pv_annual_kernel(normal, sun, ghi_a, dni_a, dhi_a, f1, f2, alb, ta, ws, h, with_h,
                      elevation, bins, sky, systems.kernel_params(), *map(float, iam_params),
                      block, dc_wh, ac_wh, hourly)
    return PVAnnual(dc_wh / 1000.0, ac_wh / 1000.0, hourly.sum(axis=0))
