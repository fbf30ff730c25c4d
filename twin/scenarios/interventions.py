"""The intervention types by name, parsing them from a scenario, and applying them in order.

Every intervention's ``apply(twin) -> (Twin, ChangeReport)`` returns a new twin and leaves the
given one untouched. ``apply_interventions`` runs a list in order and gathers the twin, the
demand modifiers and the reports; it checks every intervention and raises one
InterventionError listing all problems, with key paths ``interventions[i]...``. After every
intervention that changes the road network it checks which junctions cars still reach, and the
report says what was cut off (``twin.scenarios.reachability``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twin.connectivity import reachable_junctions
from twin.model import Twin
from twin.scenarios.base import Intervention
from twin.scenarios.buildings import AddBuildings, AddPV, HeatPumps, RemoveBuildings, Retrofit
from twin.scenarios.demand import AddDemand, EvShare, ScaleDemand
from twin.scenarios.errors import InterventionError, KeyPath
from twin.scenarios.modifiers import DemandModifiers
from twin.scenarios.network import CloseLinks, SetLanes, SetSpeed
from twin.scenarios.reachability import cut_off_note
from twin.scenarios.report import ChangeReport

INTERVENTIONS: dict[str, type[Intervention]] = {
    cls.kind: cls
    for cls in (
        CloseLinks,
        SetSpeed,
        SetLanes,
        ScaleDemand,
        AddDemand,
        EvShare,
        Retrofit,
        AddPV,
        HeatPumps,
        AddBuildings,
        RemoveBuildings,
    )
}
"""Intervention classes by their ``type`` in a scenario file."""


@dataclass(frozen=True)
class AppliedScenario:
    """The twin after all interventions, the demand modifiers they add, one report each.

    Attributes
    ----------
    twin : Twin
        The twin after all interventions.
    demand : DemandModifiers
        The demand modifiers they add, in order.
    reports : tuple of ChangeReport
        What each intervention changed, in order.
    """

    twin: Twin
    demand: DemandModifiers
    reports: tuple[ChangeReport, ...]


def parse_intervention(table: Mapping[str, Any], index: int) -> Intervention:
    """The intervention of the schema-valid table ``interventions[index]``."""
    try:
        return INTERVENTIONS[table["type"]].from_table(table)
    except InterventionError as error:
        raise error.within(("interventions", index)) from None


def apply_interventions(twin: Twin, interventions: Sequence[Intervention]) -> AppliedScenario:
    """Apply ``interventions`` in order to ``twin``; it is left as it is.

    An intervention that fails is skipped so the ones after it are checked too; then one
    InterventionError lists every problem.

    Parameters
    ----------
    twin : Twin
        The base twin.
    interventions : sequence of Intervention
        The interventions, in the order they apply.

    Returns
    -------
    AppliedScenario
        The changed twin, the demand modifiers and one report per intervention.

    Raises
    ------
    InterventionError
        Listing every problem, with key paths ``interventions[i]...``.
    """
    problems: list[tuple[KeyPath, str]] = []
    demand = DemandModifiers()
    reports = []
    for index, intervention in enumerate(interventions):
        network = twin.network
        try:
            twin, report = intervention.apply(twin)
        except InterventionError as error:
            problems += error.within(("interventions", index)).problems
            continue
        if twin.network is not network and len(network.nodes):
            note = cut_off_note(reachable_junctions(network), twin.network)
            if note:
                report = dataclasses.replace(report, notes=(*report.notes, note))
        demand = demand.then(report.demand)
        reports.append(report)
    if problems:
        raise InterventionError(problems)
    return AppliedScenario(twin, demand, tuple(reports))
