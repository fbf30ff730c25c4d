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

Power is the mean W of each hour (W x 1 h = Wh). Weather is end-labelled: the sun is taken at
the interval midpoints (``weather.sun_positions``), as for the zone model. The chain with its
shading lives in one place, :func:`pv_hour` (one system in one hour); :func:`pv_power` /
:func:`pv_from_weather` run it over systems x hours arrays (use blocks of systems),
:func:`pv_annual` in one fused pass for a whole city, ``balance.balance`` inside the hourly
energy balance of the buildings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from .horizon import sky_view_ratio as _sky_view_ratio
from .horizon import sun_bins
from .irradiance import PlaneIrradiance, perez_brightness_coefficients, plane_hour, plane_irradiance
from .per_system import broadcast, default, fields_at
from .weather import Weather, sun_positions

__all__ = [
    "IAM_GLASS",
    "MODULE_EFFICIENCY",
    "PACKING",
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
    "pv_hour",
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
_CLOSE_MOUNT = SAPM_MOUNTING["close_mount_glass_glass"]
IAM_GLASS = (1.526, 4.0, 0.002)
"""PVWatts' glass cover for the physical IAM: refractive index [-], extinction coefficient
[1/m], thickness [m]."""
PACKING = 0.7
"""Module area per m² of suitable roof [-]: edge set-backs, access paths and row spacing."""
MODULE_EFFICIENCY = 0.20
"""DC nameplate per m² of module at 1000 W/m² [kWp/m²], 20 % efficient modules."""


# The element-wise functions below compile for the types of their first call (no signature), so
# importing the energy kernels compiles nothing a run does not use.
@numba.vectorize(cache=True)
def iam_physical(cos_aoi: float, n: float, k: float, thickness: float) -> float:
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
    return float(0.5 * (2.0 - rho_s - rho_p) * np.exp(-k * thickness / c2) / tau0)


@numba.vectorize(cache=True)
def sapm_cell_temperature(poa_global: float, temp_air: float, wind_speed: float, a: float,
                          b: float, delta_t: float) -> float:
    """Cell temperature, degC, of the Sandia model: POA W/m^2, air degC, wind m/s."""
    return float(poa_global * np.exp(a + b * wind_speed) + temp_air
                 + poa_global / 1000.0 * delta_t)


@numba.vectorize(cache=True)
def pvwatts_dc(effective_irradiance: float, temp_cell: float, pdc0: float,
               gamma_pdc: float) -> float:
    """PVWatts DC power, W: E_eff W/m^2, cell degC, P_dc0 W at STC, gamma_pdc 1/K."""
    return effective_irradiance * 0.001 * pdc0 * (1.0 + gamma_pdc * (temp_cell - 25.0))


@numba.vectorize(cache=True)
def pvwatts_inverter(pdc: float, pdc0_inverter: float, eta_nom: float, eta_ref: float) -> float:
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
    """Total PVWatts system loss: 100 (1 - prod(1 - L_i/100)); the defaults give 14.08 %.

    Parameters
    ----------
    soiling, shading, snow, mismatch, wiring, connections, lid, nameplate_rating, age, \
availability : float
        The loss of each kind [%] (pvlib's ``pvwatts_losses`` defaults; light-induced
        degradation is ``lid``). Pass ``shading=0`` where shading is modelled (11.42 % total).

    Returns
    -------
    float
        Total loss [%].
    """
    parts = (soiling, shading, snow, mismatch, wiring, connections, lid, nameplate_rating,
             age, availability)
    return float(100.0 * (1.0 - np.prod([1.0 - p / 100.0 for p in parts])))


#: PVWatts' default total system loss, % (14.0757, quoted as 14.08)
PVWATTS_LOSSES = pvwatts_losses()


def pdc0_from_area(area_m2: npt.ArrayLike, module_efficiency: npt.ArrayLike = MODULE_EFFICIENCY,
                   packing: npt.ArrayLike = PACKING) -> np.ndarray:
    """DC nameplate of modules covering ``packing`` of a roof area, at 1000 W/m².

    Parameters
    ----------
    area_m2 : array of float
        Suitable roof area of each system [m²].
    module_efficiency : array of float
        Module efficiency, the nameplate per m² of module [kWp/m²].
    packing : array of float
        Module area per m² of roof [-].

    Returns
    -------
    ndarray
        DC nameplate at STC of each system [W].
    """
    return (np.asarray(area_m2, dtype=np.float64) * np.asarray(packing)
            * np.asarray(module_efficiency) * 1000.0)


@dataclass(frozen=True)
class PVSystems:
    """PV systems, one value per system (scalars are broadcast to the length of ``pdc0``).

    Attributes
    ----------
    pdc0 : array of float
        DC nameplate at STC [W]; 0 = no PV.
    tilt : array of float
        Module tilt from the horizontal [deg].
    azimuth : array of float
        Module azimuth east of north [deg].
    gamma_pdc : array of float
        Temperature coefficient of the DC power [1/K]; default -0.0037, current crystalline
        silicon, PVWatts' "standard" module (its version 5 manual used -0.0047).
    losses_percent : array of float
        Total system loss [%]; default :data:`PVWATTS_LOSSES` (14.08).
    dc_ac_ratio : array of float
        DC nameplate over inverter AC rating [-]; default 1.2.
    eta_inv_nom : array of float
        Nominal inverter efficiency [-]; default 0.96.
    eta_inv_ref : array of float
        Reference inverter efficiency of PVWatts' curve [-]; default 0.9637.
    temp_a : array of float
        SAPM cell temperature parameter a [-]; default close-mount glass/glass.
    temp_b : array of float
        SAPM cell temperature parameter b [s/m]; default close-mount glass/glass.
    temp_delta_t : array of float
        SAPM cell-to-module temperature difference at 1000 W/m² [K]; default close-mount
        glass/glass.

    Raises
    ------
    ValueError
        On construction, naming a field with neither one nor one-per-system values, or a
        negative nameplate.
    """

    pdc0: np.ndarray
    tilt: np.ndarray
    azimuth: np.ndarray
    gamma_pdc: np.ndarray = default(-0.0037)
    losses_percent: np.ndarray = default(PVWATTS_LOSSES)
    dc_ac_ratio: np.ndarray = default(1.2)
    eta_inv_nom: np.ndarray = default(0.96)
    eta_inv_ref: np.ndarray = default(0.9637)
    temp_a: np.ndarray = default(_CLOSE_MOUNT[0])
    temp_b: np.ndarray = default(_CLOSE_MOUNT[1])
    temp_delta_t: np.ndarray = default(_CLOSE_MOUNT[2])

    def __post_init__(self) -> None:
        broadcast(self, np.atleast_1d(np.asarray(self.pdc0)).size)
        if np.any(self.pdc0 < 0.0):
            raise ValueError("PVSystems.pdc0 must be >= 0 W")

    def __len__(self) -> int:
        return int(self.pdc0.shape[0])

    def take(self, rows: slice | np.ndarray) -> PVSystems:
        """The systems at ``rows`` (a slice, indices or a mask)."""
        return PVSystems(**fields_at(self, rows))

    @property
    def pdc0_inverter(self) -> np.ndarray:
        """Inverter DC rating, W: AC rating (pdc0 / dc_ac_ratio) over eta_inv_nom."""
        return self.pdc0 / self.dc_ac_ratio / self.eta_inv_nom

    def kernel_params(self) -> np.ndarray:
        """(n, 9): pdc0, gamma_pdc, 1 - losses, SAPM a, b, delta_t, inverter pdc0, eta_nom,
        eta_ref: the ``params`` row of :func:`pv_hour` for each system."""
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
def pv_hour(beam: float, circumsolar: float, isotropic: float, rest: float, cos_aoi: float,
            sunlit: float, sky_ratio: float, temp_air: float, wind_speed: float,
            params: np.ndarray, iam_n: float, iam_k: float, iam_l: float) -> tuple[float, float]:
    """DC power after losses and AC power [W] of one system in one hour: the PVWatts chain.

    Plane-of-array irradiance [W/m²]: ``beam`` and ``circumsolar`` scaled by the ``sunlit``
    fraction [-], the ``isotropic`` sky by the ``sky_ratio`` [-], ``rest`` (horizon band and
    ground) unshaded; ``cos_aoi`` of the beam [-]; air [°C] and wind [m/s]; ``params`` the
    system's row of :meth:`PVSystems.kernel_params`; the glass cover of the IAM (n [-], K
    [1/m], thickness [m]). The one implementation of the chain in the package.
    """
    direct = beam * sunlit
    diffuse = circumsolar * sunlit + isotropic * sky_ratio + rest
    eff = direct * iam_physical(cos_aoi, iam_n, iam_k, iam_l) + diffuse
    tc = sapm_cell_temperature(direct + diffuse, temp_air, wind_speed, params[3], params[4],
                               params[5])
    p = pvwatts_dc(eff, tc, params[0], params[1]) * params[2]
    return p, pvwatts_inverter(p, params[6], params[7], params[8])


@numba.njit(cache=True, parallel=True)
def _pv_kernel(beam: np.ndarray, iso: np.ndarray, circ: np.ndarray, hor: np.ndarray,
               ground: np.ndarray, cosaoi: np.ndarray, sunlit: np.ndarray, with_sunlit: bool,
               sky_ratio: np.ndarray, temp_air: np.ndarray, wind: np.ndarray, prm: np.ndarray,
               iam_n: float, iam_k: float, iam_l: float, dc: np.ndarray,
               ac: np.ndarray) -> None:
    n_s, n_t = beam.shape
    for s in numba.prange(n_s):
        for t in range(n_t):
            f = sunlit[s, t] if with_sunlit else 1.0
            dc[s, t], ac[s, t] = pv_hour(beam[s, t], circ[s, t], iso[s, t],
                                         hor[s, t] + ground[s, t], cosaoi[s, t], f,
                                         sky_ratio[s], temp_air[t], wind[t], prm[s], iam_n,
                                         iam_k, iam_l)


def pv_power(
    systems: PVSystems,
    irradiance: PlaneIrradiance,
    temp_air: npt.ArrayLike,
    wind_speed: npt.ArrayLike,
    beam_sunlit: npt.ArrayLike | None = None,
    sky_view_ratio: npt.ArrayLike | None = None,
    iam_params: tuple[float, float, float] = IAM_GLASS,
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
               np.ascontiguousarray(sky), ta, ws, systems.kernel_params(), *iam_params, dc, ac)
    return PVOutput(dc, ac)


def pv_from_weather(
    systems: PVSystems,
    weather: Weather,
    beam_sunlit: npt.ArrayLike | None = None,
    sky_view_ratio: npt.ArrayLike | None = None,
) -> PVOutput:
    """The PVWatts chain from hourly weather, the sun at the interval midpoints.

    A convenience over :func:`plane_irradiance` + :func:`pv_power`; for many systems call it
    on blocks of systems (memory: ~8 arrays of n x n_hours float64). beam_sunlit: optional
    (n, n_hours) fraction; sky_view_ratio: optional (n,), as for :func:`pv_power`.
    """
    sun = sun_positions(weather)
    irr = plane_irradiance(systems.tilt, systems.azimuth, weather.ghi, weather.dni, weather.dhi,
                           sun.apparent_zenith[0], sun.azimuth[0], sun.dni_extra,
                           weather.site.albedo)
    return pv_power(systems, irr, weather.temp_air, weather.wind_speed, beam_sunlit,
                    sky_view_ratio)


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


def self_consumption(pv_w: npt.ArrayLike, load_w: npt.ArrayLike) -> SelfConsumption:
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
    """Totals of :func:`pv_annual` over the series.

    Attributes
    ----------
    dc_kwh : ndarray
        DC energy after losses of each system, shape (n,) [kWh].
    ac_kwh : ndarray
        AC energy of each system, shape (n,) [kWh].
    hourly_ac_w : ndarray
        AC power of all systems together per hour, shape (n_hours,) [W].
    """

    dc_kwh: np.ndarray
    ac_kwh: np.ndarray
    hourly_ac_w: np.ndarray


@numba.njit(cache=True, parallel=True)
def _pv_annual_kernel(normal: np.ndarray, sun: np.ndarray, ghi: np.ndarray, dni: np.ndarray,
                      dhi: np.ndarray, f1: np.ndarray, f2: np.ndarray, albedo: float,
                      temp_air: np.ndarray, wind: np.ndarray, horizon: np.ndarray,
                      with_horizon: bool, elevation: np.ndarray, bins: np.ndarray,
                      sky_ratio: np.ndarray, prm: np.ndarray, iam_n: float, iam_k: float,
                      iam_l: float, block: int, dc_wh: np.ndarray, ac_wh: np.ndarray,
                      hourly: np.ndarray) -> None:
    n = normal.shape[0]
    n_t = ghi.shape[0]
    for b in numba.prange(hourly.shape[0]):
        for s in range(b * block, min(n, (b + 1) * block)):
            ct = normal[s, 2]
            st = np.sqrt(normal[s, 0] ** 2 + normal[s, 1] ** 2)
            acc_dc = 0.0
            acc_ac = 0.0
            for t in range(n_t):
                dot = normal[s, 0] * sun[t, 0] + normal[s, 1] * sun[t, 1] + ct * sun[t, 2]
                c = max(-1.0, min(1.0, dot))
                beam, iso, circ, hor, ground = plane_hour(c, ct, st, ghi[t], dni[t], dhi[t],
                                                          sun[t, 2], albedo, f1[t], f2[t])
                f = 1.0
                if with_horizon and not elevation[t] > horizon[s, bins[t]]:
                    f = 0.0
                p_dc, p_ac = pv_hour(beam, circ, iso, hor + ground, c, f, sky_ratio[s],
                                     temp_air[t], wind[t], prm[s], iam_n, iam_k, iam_l)
                acc_dc += p_dc
                acc_ac += p_ac
                hourly[b, t] += p_ac
            dc_wh[s] = acc_dc
            ac_wh[s] = acc_ac


def pv_annual(
    systems: PVSystems,
    weather: Weather,
    horizon_deg: npt.ArrayLike | None = None,
    iam_params: tuple[float, float, float] = IAM_GLASS,
) -> PVAnnual:
    """The chain of :func:`pv_from_weather` fused into one pass for a city's many systems.

    Never forms a systems x hours array; the sun at the interval midpoints. With horizons,
    beam and circumsolar count only while the sun is above the horizon and the isotropic sky
    is scaled by the sky-view ratio (as :func:`pv_power` with ``beam_sunlit`` /
    ``sky_view_ratio``).

    Parameters
    ----------
    systems : PVSystems
        The systems, each on its own plane.
    weather : Weather
        Hourly irradiance, air temperature, wind and the site.
    horizon_deg : array of float, optional
        Horizon seen from each system, shape (n, n_azimuth) (:func:`horizon.horizon_profiles`)
        [deg].
    iam_params : tuple of float
        Glass cover of the incidence angle modifier: refractive index [-], extinction
        coefficient [1/m], thickness [m].

    Returns
    -------
    PVAnnual
        Annual DC and AC energy per system, hourly AC of all systems.
    """
    n = len(systems)
    n_t = weather.n_hours
    sun = sun_positions(weather)
    zen = sun.apparent_zenith[0]
    saz = sun.azimuth[0]
    f1, f2 = perez_brightness_coefficients(weather.dhi, weather.dni, sun.dni_extra, zen)
    zr = np.radians(zen)
    ar = np.radians(saz)
    sun_vector = np.ascontiguousarray(np.stack([np.sin(zr) * np.sin(ar),
                                                np.sin(zr) * np.cos(ar), np.cos(zr)], axis=1))
    tr = np.radians(systems.tilt)
    gr = np.radians(systems.azimuth)
    normal = np.ascontiguousarray(np.stack([np.sin(tr) * np.sin(gr), np.sin(tr) * np.cos(gr),
                                            np.cos(tr)], axis=1))
    with_h = horizon_deg is not None
    if horizon_deg is not None:
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
    _pv_annual_kernel(normal, sun_vector, weather.ghi, weather.dni, weather.dhi, f1, f2,
                      float(weather.site.albedo), weather.temp_air, weather.wind_speed, h,
                      with_h, elevation, bins, sky, systems.kernel_params(), *iam_params, block,
                      dc_wh, ac_wh, hourly)
    return PVAnnual(dc_wh / 1000.0, ac_wh / 1000.0, hourly.sum(axis=0))
