"""Sky temperature from the weather, for the sky-radiation loss of the 5R1C model.

ISO 13790:2008 11.3.5 needs delta_theta_er, the difference between the outdoor air and the
apparent sky temperature (its default: 11 K at mid-latitudes). Here it comes from the weather
of each hour, as in EnergyPlus (Engineering Reference, "Sky radiation modeling"):

- with the horizontal infrared (longwave) irradiance from the sky L [W/m^2] (EPW field 12,
  DWD TRY column A): T_sky = (L / sigma)^(1/4);
- else from the dew point T_dp [K] and the opaque sky cover N [tenths]: the clear-sky
  emissivity of Clark & Allen (1978) with Walton's (1983) cloud correction,
  eps_sky = (0.787 + 0.764 ln(T_dp / 273)) (1 + 0.0224 N - 0.0035 N^2 + 0.00028 N^3),
  L = eps_sky sigma T_air^4. The dew point comes from the relative humidity by the Magnus
  formula with the coefficients of Alduchov & Eskridge (1996), J. Appl. Meteor. 35, 601-609.
- else (no longwave radiation, humidity or cloud cover that hour) the constant fallback.

References: Clark, G., Allen, C. (1978), "The estimation of atmospheric radiation for clear
and cloudy skies", Proc. 2nd National Passive Solar Conference (AS/ISES), 675-678; Walton,
G. N. (1983), Thermal Analysis Research Program Reference Manual, NBSIR 83-2655.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["SkyDepression", "dew_point", "sky_emissivity", "sky_temperature_depression"]

SIGMA = 5.6697e-8  #: W/(m^2 K^4), Stefan-Boltzmann constant as in EnergyPlus
KELVIN = 273.15
MAGNUS_A = 17.625  #: Alduchov & Eskridge (1996), over water
MAGNUS_B = 243.04  #: degC
ISO_DEPRESSION = 11.0  #: K, ISO 13790 11.4.6 default delta_theta_er


def dew_point(temp_air: npt.ArrayLike, relative_humidity: npt.ArrayLike) -> np.ndarray:
    """Dew point [°C] of air at ``temp_air`` [°C] and ``relative_humidity`` [%] (Magnus).
    A relative humidity of 0 or less gives NaN."""
    t = np.asarray(temp_air, dtype=np.float64)
    rh = np.asarray(relative_humidity, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.log(np.where(rh > 0.0, rh, np.nan) / 100.0) + MAGNUS_A * t / (MAGNUS_B + t)
    return np.asarray(MAGNUS_B * gamma / (MAGNUS_A - gamma))


def sky_emissivity(dew_point_c: npt.ArrayLike, opaque_sky_cover: npt.ArrayLike) -> np.ndarray:
    """Sky emissivity [-] from the dew point [°C] and the opaque sky cover [tenths, 0..10]
    (Clark & Allen 1978, Walton 1983), capped at 1."""
    tdp = np.asarray(dew_point_c, dtype=np.float64) + KELVIN
    n = np.asarray(opaque_sky_cover, dtype=np.float64)
    clear = 0.787 + 0.764 * np.log(tdp / 273.0)
    return np.asarray(np.minimum(clear * (1.0 + 0.0224 * n - 0.0035 * n**2 + 0.00028 * n**3),
                                 1.0))


@dataclass(frozen=True)
class SkyDepression:
    """Hourly sky temperature depression and where it came from.

    Attributes
    ----------
    delta : ndarray
        Outdoor air minus apparent sky temperature, delta_theta_er, shape (n_hours,) [K].
    from_longwave : int
        Hours computed from the longwave irradiance [-].
    from_cloud_cover : int
        Hours computed from humidity and opaque sky cover [-].
    fallback : int
        Hours at the constant fallback (the weather lacks the fields that hour) [-].
    """

    delta: np.ndarray
    from_longwave: int
    from_cloud_cover: int
    fallback: int

    def note(self, fallback_k: float) -> str | None:
        """A one-line note when any hour used the constant, else None."""
        if self.fallback == 0:
            return None
        return (f"sky temperature: constant {fallback_k:g} K below the air in {self.fallback} "
                f"of {self.delta.shape[0]} hours (the weather has no longwave radiation, or no "
                "humidity and cloud cover, there)")


def sky_temperature_depression(
    temp_air: npt.ArrayLike,
    *,
    longwave_down: npt.ArrayLike | None = None,
    relative_humidity: npt.ArrayLike | None = None,
    opaque_sky_cover: npt.ArrayLike | None = None,
    fallback: float = ISO_DEPRESSION,
) -> SkyDepression:
    """delta_theta_er of each hour from the weather (see the module).

    Parameters
    ----------
    temp_air : array of float
        Outdoor air temperature, shape (n_hours,) [°C].
    longwave_down : array of float, optional
        Horizontal infrared irradiance from the sky [W/m²]; NaN or <= 0 where missing.
    relative_humidity : array of float, optional
        Relative humidity [%]; NaN where missing.
    opaque_sky_cover : array of float, optional
        Opaque sky cover [tenths, 0..10]; NaN where missing.
    fallback : float
        delta_theta_er of hours without usable fields [K].

    Returns
    -------
    SkyDepression
        The hourly depression [K] and the hours by source.
    """
    t = np.atleast_1d(np.asarray(temp_air, dtype=np.float64))
    n = t.shape[0]

    def series(x: npt.ArrayLike | None) -> np.ndarray:
        return np.full(n, np.nan) if x is None else np.broadcast_to(
            np.asarray(x, dtype=np.float64), (n,))

    lw = series(longwave_down)
    lw_ok = np.isfinite(lw) & (lw > 0.0)
    with np.errstate(invalid="ignore"):
        emissivity = sky_emissivity(dew_point(t, series(relative_humidity)),
                                    series(opaque_sky_cover))
    cc_ok = ~lw_ok & np.isfinite(emissivity) & (emissivity > 0.0)
    t_k = t + KELVIN
    t_sky = np.full(n, np.nan)
    t_sky[lw_ok] = (lw[lw_ok] / SIGMA) ** 0.25
    t_sky[cc_ok] = emissivity[cc_ok] ** 0.25 * t_k[cc_ok]
    delta = np.where(lw_ok | cc_ok, t_k - t_sky, fallback)
    return SkyDepression(delta=delta, from_longwave=int(lw_ok.sum()),
                         from_cloud_cover=int(cc_ok.sum()),
                         fallback=int(n - lw_ok.sum() - cc_ok.sum()))
