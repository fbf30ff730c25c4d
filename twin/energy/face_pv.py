"""Rooftop PV of the buildings with LoD2 roof faces: the faces ``add_pv`` chose, each on its own
plane, for the energy balance.

A building with roof faces in the solar cadastre and a ``pv_share`` > 0 carries modules on
every face whose annual irradiation (``SolarCadastre.faces.irradiation_kWh_m2``) is at least
its ``pv_min_irradiation`` (kWh/m² a; null: every face): pv_share of the face's module area
(usable area after set-backs, the cadastre's ``module_m2``) at ``pv_kwp_m2`` kWp per m² of
module, at the face's own tilt and azimuth (racked on flat faces), shaded per sample point as
in the cadastre. Such buildings get no flat-roof system (``rooftop_pv``); those without faces
keep it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulation.energy import MODULE_EFFICIENCY, FacePV, PVSystems
from twin.energy.rooftop_pv import numeric_column
from twin.energy.solar_cadastre import SolarCadastre
from twin.model import Twin


def face_pv(twin: Twin, cadastre: SolarCadastre | None, rows: np.ndarray, flat: PVSystems
            ) -> tuple[FacePV | None, PVSystems, np.ndarray]:
    """The face PV of the simulated buildings, and the flat-roof PV of the others.

    Parameters
    ----------
    twin : Twin
        Buildings with pv_share, pv_kwp_m2 and pv_min_irradiation (as ``add_pv`` sets them).
    cadastre : SolarCadastre or None
        The twin's solar cadastre.
    rows : numpy.ndarray
        The twin rows of the simulated zones, in zone order.
    flat : PVSystems
        The flat-roof PV of every building (``rooftop_pv``).

    Returns
    -------
    tuple
        The FacePV of the zones (None when no face carries PV); ``flat`` with no nameplate on
        the buildings with faces; each building's face PV nameplate (n_buildings,) [kWp].
    """
    b = twin.buildings
    n = len(b)
    has_faces = np.zeros(n, dtype=bool)
    kwp = np.zeros(n)
    if cadastre is None:
        return None, flat, kwp
    table = cadastre.geometry.table
    building = table["building"].to_numpy()
    has_faces[building] = True
    flat = replace(flat, pdc0=np.where(has_faces, 0.0, flat.pdc0))
    share = numeric_column(b, "pv_share", 0.0, 0.0, 1.0)
    kwp_m2 = numeric_column(b, "pv_kwp_m2", MODULE_EFFICIENCY, 1e-6, 0.3)
    threshold = numeric_column(b, "pv_min_irradiation", 0.0, 0.0, np.inf)
    irradiation = cadastre.faces["irradiation_kWh_m2"].to_numpy()
    zone_of = np.full(n, -1)
    zone_of[rows] = np.arange(rows.shape[0])
    chosen = np.flatnonzero((share[building] > 0.0) & (irradiation >= threshold[building])
                            & (zone_of[building] >= 0))
    scale = share[building] * kwp_m2[building] / MODULE_EFFICIENCY
    pdc0 = cadastre.modules.pdc0 * scale
    np.add.at(kwp, building[chosen], pdc0[chosen] / 1000.0)
    if not chosen.size:
        return None, flat, kwp
    order = chosen[np.argsort(zone_of[building[chosen]], kind="stable")]
    first = cadastre.geometry.point_start[order]
    counts = cadastre.geometry.point_start[order + 1] - first
    offsets = np.cumsum(counts) - counts
    points = np.arange(counts.sum()) - np.repeat(offsets - first, counts)
    systems = replace(cadastre.modules.take(order), pdc0=pdc0[order])
    return (FacePV(zone=zone_of[building[order]], tilt=table["tilt_deg"].to_numpy()[order],
                   azimuth=table["azimuth_deg"].to_numpy()[order], systems=systems,
                   horizon=cadastre.horizon[points], point_start=np.r_[0, np.cumsum(counts)]),
            flat, kwp)
