"""The KPI table of a scenario run: value, unit and definition of every ``module.name``, the
unit and definition from ``twin.quantities`` (``MOBILITY_KPIS``, ``COUNT_FIT_KPIS``,
``ENERGY_KPIS``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from twin.mobility.results import MobilityRun
from twin.quantities import COUNT_FIT_KPIS, ENERGY_KPIS, MOBILITY_KPIS, Quantity, quantity

if TYPE_CHECKING:
    from twin.energy.run import EnergyRun


def kpi_table(mobility: MobilityRun | None, energy: EnergyRun | None,
              report: Sequence[str] = (), count_fit: Mapping[str, float] | None = None
              ) -> pd.DataFrame:
    """KPIs of the modules that ran, indexed ``module.name``, with value, unit, definition;
    only those in ``report`` (in its order) if it is not empty. count_fit: the fit of the
    flows to observed counts (``COUNT_FIT_KPIS``), where there were counts; always reported.

    Parameters
    ----------
    mobility : MobilityRun or None
        The mobility run, whose ``kpis`` give the ``mobility.*`` rows; None when mobility did
        not run.
    energy : EnergyRun or None
        The energy run, whose ``kpis`` give the ``energy.*`` rows; None when energy did not
        run.
    report : sequence of str, default ()
        The KPIs to keep, as ``module.name``, in the order to report them (names of modules
        that did not run are left out); empty: every KPI of the modules that ran.
    count_fit : mapping of str to float, optional
        The fit of the simulated flows to observed counts by ``COUNT_FIT_KPIS`` name
        (``counts_compared`` [link-bins], ``geh_mean``, ``geh_share_below_5``,
        ``count_ratio`` [-]); added as ``mobility.*`` rows whatever ``report`` says, when
        mobility ran. None: no counts were compared.

    Returns
    -------
    pandas.DataFrame
        Index ``kpi`` (``module.name``); columns ``value`` (float64, in ``unit``), ``unit``
        and ``definition`` from ``twin.quantities``.
    """
    rows: dict[str, tuple[float, str, str]] = {}
    if mobility is not None:
        for name, value in mobility.kpis["value"].items():
            rows[f"mobility.{name}"] = _row(MOBILITY_KPIS, str(name), value)
        for name, value in (count_fit or {}).items():
            rows[f"mobility.{name}"] = _row(COUNT_FIT_KPIS, name, value)
    if energy is not None:
        for name, value in energy.kpis.items():
            rows[f"energy.{name}"] = _row(ENERGY_KPIS, name, value)
    names = list(report) if report else list(rows)
    names += [f"mobility.{n}" for n in (count_fit or {}) if f"mobility.{n}" not in names]
    table = pd.DataFrame.from_dict({n: rows[n] for n in names if n in rows}, orient="index",
                                   columns=["value", "unit", "definition"])
    table.index.name = "kpi"
    return table.astype({"value": np.float64})


def _row(group: str, name: str, value: float) -> tuple[float, str, str]:
    q = quantity(group, name)
    return float(value), q.unit, q.description


def kpi_quantity(kpi: str) -> Quantity | None:
    """The quantity of a KPI named ``module.name``, or None for a name the table lacks.

    Parameters
    ----------
    kpi : str
        E.g. ``mobility.arrived`` or ``energy.label_share_A``.

    Returns
    -------
    Quantity or None
        Its unit, description and which way is better.
    """
    module, _, name = kpi.partition(".")
    groups = {"mobility": (MOBILITY_KPIS, COUNT_FIT_KPIS), "energy": (ENERGY_KPIS,)}
    for group in groups.get(module, ()):
        try:
            return quantity(group, name)
        except KeyError:
            continue
    return None
