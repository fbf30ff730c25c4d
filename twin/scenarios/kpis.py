"""KPI names a scenario may ask for, as ``module.name``: those of ``twin.quantities``."""

from __future__ import annotations

from simulation.energy import LABELS
from twin.quantities import COUNT_FIT_KPIS, ENERGY_KPIS, MOBILITY_KPIS, names


def known_kpis() -> dict[str, tuple[str, ...]]:
    """KPI names by simulation module (energy label shares for every label class)."""
    return {"mobility": names(MOBILITY_KPIS) + names(COUNT_FIT_KPIS),
            "energy": names(ENERGY_KPIS, {"class": LABELS})}
