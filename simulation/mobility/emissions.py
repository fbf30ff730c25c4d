"""Tailpipe CO2 and NOx of road traffic per link and time bin from average-speed emission factors.

An emission factor EF(V) (g/km at average speed V, km/h) in the functional form of COPERT
(EMEP/EEA Guidebook 1.A.3.b.i-iv)::

    EF(V) = (alpha V^2 + beta V + gamma + delta / V) / (epsilon V^2 + zeta V + eta)

is applied to the vehicle-km of each link and bin at the link's space-mean speed in that bin.
The default classes are HBEFA 4.2 passenger cars as SUMO 1.28 implements them: at constant speed
their emission rate is c0 + c3 v + c5 v^3 (mg/s, v in m/s), which is the form above with
delta = 3.6 c0 (g/h), gamma = c3 (g/km), alpha = c5 / 12.96 and the other terms 0, so
EF(V) x veh-km = delta x veh-h + gamma x veh-km + alpha V^2 x veh-km: idling time, rolling and
aerodynamic load. Acceleration after stops is not in a constant-speed curve (see
EMISSIONS_MODEL_CARD.md for the validation against SUMO, whose vehicles accelerate).

A :class:`Fleet` mixes a petrol and a diesel class by vehicle-km share; battery-electric
vehicles (``ev_share`` of vehicle-km) emit no tailpipe CO2 or NOx.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.graph import RoadGraph
from simulation.mobility.results import LinkResults


@dataclass(frozen=True)
class SpeedCurve:
    """EF(V) = (alpha V² + beta V + gamma + delta / V) / (epsilon V² + zeta V + eta), g/km at
    average speed V km/h, with V clamped to [v_min, v_max] km/h.

    Units of the coefficients hold for a dimensionless denominator (epsilon = zeta = 0, as
    :func:`hbefa_cruise` makes them).

    Attributes
    ----------
    alpha : float
        Coefficient of V² [g/km/(km/h)²].
    beta : float
        Coefficient of V [g/km/(km/h)].
    gamma : float
        Constant term [g/km].
    delta : float
        Coefficient of 1 / V [g/h].
    epsilon : float
        Denominator coefficient of V² [1/(km/h)²].
    zeta : float
        Denominator coefficient of V [1/(km/h)].
    eta : float
        Denominator constant [-].
    v_min, v_max : float
        Speed range the curve is evaluated in [km/h].
    """

    alpha: float = 0.0
    beta: float = 0.0
    gamma: float = 0.0
    delta: float = 0.0
    epsilon: float = 0.0
    zeta: float = 0.0
    eta: float = 1.0
    v_min: float = 1.0
    v_max: float = 130.0

    def __call__(self, speed_kmh: np.ndarray) -> np.ndarray:
        """g/km at each speed (km/h); NaN speeds give NaN.

        Parameters
        ----------
        speed_kmh : ndarray
            Average speed [km/h].

        Returns
        -------
        ndarray
            Emission factor at each speed [g/km].
        """
        v = np.clip(np.asarray(speed_kmh, dtype=np.float64), self.v_min, self.v_max)
        num = self.alpha * v * v + self.beta * v + self.gamma + self.delta / v
        return num / (self.epsilon * v * v + self.zeta * v + self.eta)


def hbefa_cruise(c0: float, c3: float, c5: float) -> SpeedCurve:
    """The curve of a constant-speed emission rate c0 + c3 v + c5 v³ (mg/s, v m/s).

    Parameters
    ----------
    c0 : float
        Idling rate [mg/s].
    c3 : float
        Coefficient of v [mg/m] (mg/s per m/s).
    c5 : float
        Coefficient of v³ [mg s²/m³] (mg/s per (m/s)³).

    Returns
    -------
    SpeedCurve
        The emission factor over average speed [g/km at km/h].
    """
    return SpeedCurve(alpha=c5 / 3.6**2, gamma=c3, delta=3.6 * c0)


@dataclass(frozen=True)
class VehicleClass:
    """A vehicle class: its CO2 and NOx curves (g/km).

    Attributes
    ----------
    name : str
        Class name (HBEFA / SUMO emission class).
    co2, nox : SpeedCurve
        CO2 and NOx emission factors over average speed [g/km at km/h].
    """

    name: str
    co2: SpeedCurve
    nox: SpeedCurve


# HBEFA 4.2 via SUMO 1.28 ``emissionsMap`` (slope 0, acceleration 0): rates c0, c3, c5
PETROL_EURO6AB = VehicleClass("PC_petrol_Euro-6ab", co2=hbefa_cruise(1415.0, 19.649, 0.096659),
                              nox=hbefa_cruise(0.4354, 0.0070530, 9.3671e-6))
PETROL_EURO6D = VehicleClass("PC_petrol_Euro-6d", co2=hbefa_cruise(1275.0, 26.430, 0.089649),
                             nox=hbefa_cruise(0.0, 0.0, 6.3790e-5))
DIESEL_EURO6AB = VehicleClass("PC_diesel_Euro-6ab", co2=hbefa_cruise(1260.0, 48.170, 0.090991),
                              nox=hbefa_cruise(3.5610, 0.0, 5.5440e-4))
DIESEL_EURO6D = VehicleClass("PC_diesel_Euro-6d", co2=hbefa_cruise(1299.0, 54.800, 0.092590),
                             nox=hbefa_cruise(0.2819, 0.0, 5.0569e-5))


@dataclass(frozen=True)
class Fleet:
    """Passenger-car fleet by share of vehicle-km: ``ev_share`` battery-electric (no tailpipe
    emissions); of the rest, ``diesel_share`` drives the diesel class, the others the petrol class.

    Attributes
    ----------
    ev_share : float
        Share of vehicle-km driven battery-electric, in [0, 1] [-].
    diesel_share : float
        Share of the other vehicle-km driven by the diesel class, in [0, 1] [-].
    petrol, diesel : VehicleClass
        The petrol and diesel classes.

    Raises
    ------
    ValueError
        On construction, if a share is outside [0, 1].
    """

    ev_share: float = 0.0
    diesel_share: float = 0.3
    petrol: VehicleClass = field(default=PETROL_EURO6AB)
    diesel: VehicleClass = field(default=DIESEL_EURO6AB)

    def __post_init__(self) -> None:
        for name in ("ev_share", "diesel_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"Fleet.{name}: expected a share in [0, 1], got {value}")

    def factors(self, speed_kmh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fleet-average (CO2, NOx) emission factors, g/km, at each speed (km/h).

        Parameters
        ----------
        speed_kmh : ndarray
            Average speed [km/h].

        Returns
        -------
        co2, nox : ndarray
            Fleet-average emission factors per vehicle-km [g/km].
        """
        burn = 1.0 - self.ev_share
        wd, wp = burn * self.diesel_share, burn * (1.0 - self.diesel_share)
        co2 = wp * self.petrol.co2(speed_kmh) + wd * self.diesel.co2(speed_kmh)
        nox = wp * self.petrol.nox(speed_kmh) + wd * self.diesel.nox(speed_kmh)
        return co2, nox


def vehicle_km(links: LinkResults, length: np.ndarray) -> np.ndarray:
    """veh-km per bin and link (n_bins, n_links): vehicles leaving the link x its length.

    Parameters
    ----------
    links : LinkResults
        Per-link results of a run (outflow in veh/h).
    length : ndarray
        Link length, shape (n_links,) [m].

    Returns
    -------
    ndarray
        Vehicle-km per bin and link [veh km].
    """
    return links.outflow * (links.bin_width / 3600.0) * (np.asarray(length) / 1000.0)


def vehicle_hours(links: LinkResults, length: np.ndarray) -> np.ndarray:
    """veh-h per bin and link (n_bins, n_links): mean density x length x bin width.

    Parameters
    ----------
    links : LinkResults
        Per-link results of a run (density in veh/km).
    length : ndarray
        Link length, shape (n_links,) [m].

    Returns
    -------
    ndarray
        Vehicle-hours per bin and link [veh h].
    """
    return links.density * (np.asarray(length) / 1000.0) * (links.bin_width / 3600.0)


def link_emissions(links: LinkResults, graph: RoadGraph,
                   fleet: Fleet = Fleet()) -> tuple[np.ndarray, np.ndarray]:
    """(CO2, NOx) per bin and link, kg: veh-km x the fleet's emission factor at the link's mean
    speed in the bin; at its free speed where the bin holds no time on the link (a vehicle that
    crossed a short link between two bins); 0 where no vehicle left the link.

    Parameters
    ----------
    links : LinkResults
        Per-link results of a run (outflow in veh/h, speed in km/h).
    graph : RoadGraph
        The graph of the run (length in m, free speed in m/s).
    fleet : Fleet
        Fleet mix and its vehicle classes.

    Returns
    -------
    co2, nox : ndarray
        Tailpipe emissions per bin and link, shape (n_bins, n_links) [kg].
    """
    vkm = vehicle_km(links, graph.length)
    speed = np.where(np.isnan(links.speed), graph.free_speed * 3.6, links.speed)
    co2, nox = fleet.factors(np.where(vkm > 0, speed, 1.0))
    return np.where(vkm > 0, co2 * vkm, 0.0) / 1000.0, np.where(vkm > 0, nox * vkm, 0.0) / 1000.0
