"""Envelope helpers for the 5R1C zone model: U-values, internal heat capacity, solar apertures.

Everything here is small arithmetic on construction data (layers listed from OUTSIDE to
INSIDE); it turns a building description into the per-building arrays of
:class:`simulation.energy.rc5r1c.Zones`.

- ``u_value``: series resistances plus surface resistances (ISO 6946 without corrections).
- ``areal_heat_capacity``: internal areal heat capacity kappa (J/(m^2 K)) by the effective
  thickness rule of ISO 13786 (Annex A of the 2007 edition): the layers from the inside surface
  up to the first insulating layer (lambda <= 0.08 W/(m K), or a layer given only as a
  resistance) or 0.10 m depth, whichever comes first. (The rule's third limit, half the element
  thickness, matters only for internal partitions and is not applied.)
- ``mass_parameters``: C_m = sum kappa_j A_j and A_m = C_m^2 / sum kappa_j^2 A_j
  (ISO 13790:2008, 12.3.1.2, eqs. 65 and 66).
- ``window_solar_aperture``, ``opaque_solar_aperture`` and ``sky_loss_coefficient``: ISO 13790
  11.3.3 (A_sol = F_sh g (1 - F_F) A), 11.3.4 (A_sol = alpha R_se U A) and 11.3.5
  (phi_r = F_r R_se U A h_r delta_theta_er with h_r = 5 eps).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "CP_AIR",
    "Layer",
    "air_density",
    "areal_heat_capacity",
    "mass_parameters",
    "opaque_solar_aperture",
    "sky_loss_coefficient",
    "standard_pressure",
    "u_value",
    "ventilation_conductance",
    "window_solar_aperture",
]

CP_AIR = 1006.0  #: J/(kg K), specific heat of dry air
R_AIR = 287.05  #: J/(kg K), gas constant of dry air


@dataclass(frozen=True)
class Layer:
    """A homogeneous layer: thickness m, conductivity W/(m K), density kg/m^3, J/(kg K).

    A layer known only by its thermal resistance (no mass) sets ``resistance`` (m^2 K/W) and
    leaves the rest at 0.
    """

    thickness: float = 0.0
    conductivity: float = 0.0
    density: float = 0.0
    specific_heat: float = 0.0
    resistance: float | None = None

    @property
    def r(self) -> float:
        if self.resistance is not None:
            return float(self.resistance)
        if self.conductivity <= 0.0:
            raise ValueError(f"layer needs a conductivity > 0 or a resistance: {self}")
        return self.thickness / self.conductivity


def u_value(layers: Sequence[Layer], r_si: float = 0.13, r_se: float = 0.04) -> float:
    """Thermal transmittance W/(m^2 K) of layers in series with surface resistances."""
    return 1.0 / (r_si + r_se + sum(layer.r for layer in layers))


def areal_heat_capacity(
    layers: Sequence[Layer], max_depth: float = 0.10, insulation_conductivity: float = 0.08
) -> float:
    """Internal areal heat capacity kappa_m, J/(m^2 K); layers listed outside -> inside."""
    kappa = 0.0
    depth = 0.0
    for layer in reversed(layers):
        if layer.resistance is not None or layer.conductivity <= insulation_conductivity:
            break
        take = min(layer.thickness, max_depth - depth)
        kappa += layer.density * layer.specific_heat * take
        depth += take
        if depth >= max_depth:
            break
    return kappa


def mass_parameters(areas: npt.ArrayLike, kappas: npt.ArrayLike) -> tuple[float, float]:
    """(C_m J/K, A_m m^2) from element areas (m^2) and internal areal heat capacities."""
    a = np.asarray(areas, dtype=np.float64)
    k = np.asarray(kappas, dtype=np.float64)
    c_m = float(np.sum(a * k))
    denom = float(np.sum(a * k * k))
    if c_m <= 0.0 or denom <= 0.0:
        raise ValueError("mass_parameters: the elements have no internal heat capacity")
    return c_m, c_m * c_m / denom


def opaque_solar_aperture(absorptance: npt.ArrayLike, u: npt.ArrayLike, area: npt.ArrayLike,
                          r_se: float = 0.04) -> np.ndarray:
    """Effective solar collecting area of an opaque element (ISO 13790 11.3.4): alpha R_se U A.

    Parameters
    ----------
    absorptance : array of float
        Solar absorptance of the outer surface [-].
    u : array of float
        Thermal transmittance of the element [W/(m² K)].
    area : array of float
        Area of the element [m²].
    r_se : float
        External surface resistance [m² K/W].

    Returns
    -------
    ndarray
        Effective collecting area [m²].
    """
    return np.asarray(absorptance) * r_se * np.asarray(u) * np.asarray(area)


def window_solar_aperture(area: npt.ArrayLike, g_normal: npt.ArrayLike,
                          frame_fraction: npt.ArrayLike = 0.25,
                          shading_factor: npt.ArrayLike = 1.0, f_w: float = 0.9) -> np.ndarray:
    """Effective solar collecting area of a window, m^2 (ISO 13790 11.3.3):
    A_sol = F_sh,gl g_gl (1 - F_F) A_w with g_gl = F_w g_gl,n (F_w = 0.9: mean angle
    correction for non-scattering glazing). Multiplies the incident irradiance on the
    window's orientation. For angle-dependent glazing use ``solar_gains.surface_solar(...,
    glazing=...)`` as the source instead, with aperture ``(1 - F_F) F_sh A_w``.
    """
    return (np.asarray(shading_factor) * f_w * np.asarray(g_normal)
            * (1.0 - np.asarray(frame_fraction)) * np.asarray(area))


def sky_loss_coefficient(u: npt.ArrayLike, area: npt.ArrayLike, r_se: float = 0.04,
                         emissivity: float = 0.9, f_r: float = 0.5) -> np.ndarray:
    """Coefficient of the thermal radiation to the sky (ISO 13790 11.3.5): F_r R_se U A h_r,
    h_r = 5 emissivity; it multiplies the sky temperature depression delta_theta_er.

    Parameters
    ----------
    u : array of float
        Thermal transmittance of the element [W/(m² K)].
    area : array of float
        Area of the element [m²].
    r_se : float
        External surface resistance [m² K/W].
    emissivity : float
        Long-wave emissivity of the outer surface [-].
    f_r : float
        Form factor to the sky [-]: 1 for an unshaded horizontal roof, 0.5 for a vertical wall.

    Returns
    -------
    ndarray
        Coefficient [W/K].
    """
    return f_r * r_se * np.asarray(u) * np.asarray(area) * 5.0 * emissivity


def standard_pressure(elevation_m: float) -> float:
    """Pressure of the standard atmosphere at an elevation, Pa."""
    return 101325.0 * (1.0 - 2.25577e-5 * elevation_m) ** 5.25588


def air_density(pressure_pa: float = 101325.0, temperature_c: float = 20.0) -> float:
    """Dry-air density, kg/m^3."""
    return pressure_pa / (R_AIR * (temperature_c + 273.15))


def ventilation_conductance(volume_flow_m3_h: npt.ArrayLike, density: float = 1.204,
                            cp: float = CP_AIR) -> np.ndarray:
    """Ventilation conductance H_ve of an outdoor-air volume flow.

    Parameters
    ----------
    volume_flow_m3_h : array of float
        Outdoor air flow [m³/h].
    density : float
        Air density [kg/m³].
    cp : float
        Specific heat of the air [J/(kg K)].

    Returns
    -------
    ndarray
        H_ve [W/K].
    """
    return np.asarray(volume_flow_m3_h) / 3600.0 * density * cp
