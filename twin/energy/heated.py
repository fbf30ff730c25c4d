"""Which buildings of a twin are heated: the ones the energy model simulates.

A building is unheated (kept in the twin, not simulated, counted in the run's warnings) when

1. its source type (``building_type``, e.g. OSM ``building=*``) is one of ``UNHEATED_TYPES``:
   garages, sheds, carports, roofs, huts, car parks, tanks, silos and the agricultural types
   (barns, stables, greenhouses); or
2. nothing says it is used by people (use ``unknown``, ``other`` or ``storage``: a bare
   ``building=yes``, an unlisted type such as ``sauna``, a warehouse), it is stand-alone (no party wall) and its footprint is below
   ``SMALL_BUILDING_AREA``. The threshold is the one of the EPBD (Directive 2010/31/EU, art.
   4(2)), which lets member states exempt "stand-alone buildings with a total useful floor area
   of less than 50 m²" from its energy performance requirements. The footprint stands for the
   floor area of a one-storey building: the floor counts of untyped buildings are defaults, not
   data, and would turn a 37 m² shed into a three-storey dwelling.

A ``heated`` column of the buildings table (true / false, null = decide as above) overrides
both rules for a building, as the archetype columns do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

UNHEATED_TYPES = frozenset({
    "garage", "garages", "carport", "shed", "hut", "roof", "parking", "storage_tank", "silo",
    "bunker", "barn", "stable", "cowshed", "sty", "greenhouse", "transformer_tower",
})
"""Source building types (OSM ``building=*``) that are not heated: the OSM wiki describes them as
shelters for cars, tools, animals, crops or plants, or structures without rooms."""
UNTYPED_USES = frozenset({"unknown", "other", "storage"})
"""Uses that say nothing about a building being heated."""
SMALL_BUILDING_AREA = 50.0
"""m²: stand-alone untyped buildings with a smaller footprint are unheated (EPBD 2010/31/EU,
art. 4(2))."""


@dataclass(frozen=True)
class Heated:
    """Heated buildings and why the others are not.

    Attributes
    ----------
    mask : ndarray of bool
        True for the heated buildings, in the order of the buildings table [-].
    by_type : dict of str to int
        Unheated buildings per source type of ``UNHEATED_TYPES`` [-].
    small : int
        Unheated stand-alone untyped buildings below ``SMALL_BUILDING_AREA`` [-].
    overridden : int
        Buildings set unheated by the ``heated`` column [-].
    """

    mask: np.ndarray
    by_type: dict[str, int]
    small: int
    overridden: int

    def warning(self) -> str | None:
        """One line counting the unheated buildings by reason, None if every building is heated."""
        unheated = int((~self.mask).sum())
        if not unheated:
            return None
        parts = [f"{n} {t}" for t, n in sorted(self.by_type.items(), key=lambda x: (-x[1], x[0]))]
        if self.small:
            parts.append(f"{self.small} stand-alone untyped below {SMALL_BUILDING_AREA:g} m² "
                         "(EPBD art. 4(2))")
        if self.overridden:
            parts.append(f"{self.overridden} by the heated column")
        return f"{unheated} buildings unheated, not simulated: {', '.join(parts)}"


def heated_buildings(buildings: pd.DataFrame, party_wall_area: np.ndarray) -> Heated:
    """Decide which buildings are heated, see the module docstring.

    Parameters
    ----------
    buildings : pandas.DataFrame
        The twin's buildings (``use``, ``footprint_area`` [m²], optionally ``building_type``
        and ``heated``).
    party_wall_area : ndarray of float
        Wall area each building shares with touching neighbours [m²].

    Returns
    -------
    Heated
        The mask and the counts per reason.
    """
    n = len(buildings)
    types = (buildings["building_type"].astype(object).where(buildings["building_type"].notna(), "")
             .astype(str).str.lower().to_numpy() if "building_type" in buildings else
             np.full(n, "", dtype=object))
    typed_unheated = np.isin(types, list(UNHEATED_TYPES))
    untyped = buildings["use"].isin(UNTYPED_USES).to_numpy() | buildings["use"].isna().to_numpy()
    area = pd.to_numeric(buildings["footprint_area"], errors="coerce").to_numpy(np.float64)
    small = (untyped & ~typed_unheated & (np.asarray(party_wall_area) <= 0.0)
             & (np.nan_to_num(area, nan=np.inf) < SMALL_BUILDING_AREA))
    mask = ~(typed_unheated | small)
    overridden = 0
    if "heated" in buildings:
        given = buildings["heated"].astype("boolean").to_numpy(dtype=object, na_value=None)
        known = np.array([v is not None for v in given], dtype=bool)
        value = np.array([bool(v) for v in np.where(known, given, True)], dtype=bool)
        overridden = int((known & ~value & mask).sum())
        typed_unheated &= ~known
        small &= ~known
        mask = np.where(known, value, mask)
    counts = pd.Series(types[typed_unheated]).value_counts()
    return Heated(mask=mask, by_type={str(k): int(v) for k, v in counts.items()},
                  small=int(small.sum()), overridden=overridden)
