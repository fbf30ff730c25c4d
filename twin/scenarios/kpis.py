"""KPI names a scenario may ask for, as ``module.name``: those of ``twin.quantities``."""

from __future__ import annotations

from twin.quantities import COUNT_FIT_KPIS, ENERGY_KPIS, MOBILITY_KPIS, group, names


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


def is_known_kpi(module: str, kpi: str) -> bool:
    """Whether ``kpi`` is a KPI of the simulation ``module`` (``mobility``, ``energy``); the
    energy kernels (their label classes) are imported only for a name that is none of the
    energy KPIs without a varying part.

    Parameters
    ----------
    module : str
        ``mobility`` or ``energy``.
    kpi : str
        The KPI name without the module prefix (``total_delay``, ``label_share_A``).

    Returns
    -------
    bool
        True for a KPI ``module`` reports.
    """
    if module == "energy" and kpi in (q.name for q in group(ENERGY_KPIS) if not q.is_pattern):
        return True
    return kpi in known_kpis(module)
