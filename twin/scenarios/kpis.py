"""KPI names a scenario may ask for, as ``module.name``: those of ``twin.quantities``."""

from __future__ import annotations

from twin.quantities import COUNT_FIT_KPIS, ENERGY_KPIS, MOBILITY_KPIS, names


def known_kpis(module: str) -> tuple[str, ...]:
    """KPI names of the simulation ``module`` (``mobility``, ``energy``; energy label shares for
    every label class). The energy kernels are imported only for ``energy``, so that a
    mobility scenario does not load them.

    Parameters
    ----------
    module : str
        ``mobility`` or ``energy``.

    Returns
    -------
    tuple of str
        The KPI names, without the module prefix.
    """
    if module == "mobility":
        return names(MOBILITY_KPIS) + names(COUNT_FIT_KPIS)
    from simulation.energy import LABELS

    return names(ENERGY_KPIS, {"class": LABELS})
