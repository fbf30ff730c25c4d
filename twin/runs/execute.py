"""Run a scenario headless: base twin -> interventions -> demand -> mobility and energy -> KPIs.

    run = run_scenario(load_scenario("scenarios/helsinki_2035.toml"))
    run.kpis            # table: value, unit, definition by "module.name"
    write_results(run, "helsinki_2035.h5")

The demand is generated (or read) on the *base* twin, then the scenario's demand modifiers
apply, so a baseline and its variants share the same trips wherever the scenario does not
change them; the trips then run on the scenario's twin.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from simulation.mobility import Settings
from simulation.mobility.emissions import Fleet
from twin.errors import InputError
from twin.mobility import gravity_demand, routable_network, run_mobility
from twin.mobility.demand import read_od_csv
from twin.mobility.results import MobilityRun
from twin.model import Twin
from twin.runs.kpis import kpi_table
from twin.runs.provenance import Provenance, provenance
from twin.scenarios import AppliedScenario, Scenario, check_scenario, load_base_twin

if TYPE_CHECKING:
    from twin.energy.run import EnergyRun

Progress = Callable[[str], None]
"""Told the name of each stage as it starts."""


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """Everything a scenario run produced: the applied scenario (twin after the interventions,
    their change reports), the mobility and energy runs (None when not run), the KPI table
    (index ``module.name``; columns value, unit, definition), provenance, the observed counts
    compared with simulated flows (None without counts), wall-clock timings (s).

    Attributes
    ----------
    scenario : Scenario
        The scenario that ran.
    applied : AppliedScenario
        Its base twin after the interventions, the demand modifiers and one change report
        per intervention.
    mobility : MobilityRun or None
        The mobility run (link series, trips, positions, KPIs; times in s after local
        midnight of the period's first day); None when mobility was not simulated.
    energy : EnergyRun or None
        The energy run (kWh, kW per building, month and district hour); None when energy was
        not simulated.
    kpis : pandas.DataFrame
        The KPI table (:func:`kpi_table`): index ``module.name``, columns ``value``, ``unit``
        (from ``twin.quantities``: trips, veh km, veh h, km/h, s, km, kg, MWh, MW, kWh/m2 ...)
        and ``definition``.
    provenance : Provenance
        Scenario text and hash, base twin hash, input file hashes, package versions, seed,
        start and end time (UTC).
    counts : pandas.DataFrame or None, default None
        The twin folder's observed link counts against the simulated outflow per bin
        (``COUNTS``: link, sensor, bin_start (UTC), observed and simulated [veh/h], geh);
        None without counts in the period.
    timings : dict of str to float, default {}
        Wall-clock time of each stage that ran [s], in the order they ran: ``loading`` (the base twin),
        ``interventions``, ``network`` (the routable networks), ``demand``, ``mobility`` (the
        whole mobility run) and within it ``simulation`` (the kernel's routing and stepping),
        ``counts`` (the fit to observed counts), ``energy``.
    """

    scenario: Scenario
    applied: AppliedScenario
    mobility: MobilityRun | None
    energy: EnergyRun | None
    kpis: pd.DataFrame
    provenance: Provenance
    counts: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)


def run_scenario(scenario: Scenario, progress: Progress | None = None,
                 seed: int | None = None, only: Collection[str] = ()) -> ScenarioRun:
    """Check ``scenario`` against its base twin, apply its interventions and run its
    simulations (or ``only`` some of them). seed: overrides the scenario's mobility seed.
    ScenarioError (file, line, key) before anything runs if the scenario does not fit its twin.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario (``load_scenario``).
    progress : callable, optional
        Told the name of each stage as it starts ("loading the base twin", "simulating
        mobility" ...); None: nothing is told.
    seed : int, optional
        Seed of every random draw of the run (demand generation and modifiers, re-routing),
        in place of the scenario's ``[mobility] seed``; None: the scenario's (0 without
        mobility).
    only : collection of str, default ()
        Run only these of the scenario's simulations (``mobility``, ``energy``) and report only
        their KPIs; empty: every simulation of the scenario.

    Returns
    -------
    ScenarioRun
        The applied scenario, the mobility and energy runs, the KPI table (value, unit,
        definition by ``module.name``), provenance, observed counts and timings [s].

    Raises
    ------
    InputError
        When ``only`` names a simulation the scenario does not run.
    ScenarioError
        Before any simulation, listing every problem (file, line, key) when the base twin
        cannot be loaded or its hash differs, or the scenario does not fit it.
    InputError
        When the OD matrix CSV or its zones cannot be used, or the buildings give no trips to
        generate.
    """
    simulations = _simulations(scenario, only)
    say = progress or (lambda _stage: None)
    started = dt.datetime.now(dt.UTC)
    timings = StageTimer()
    with timings("loading"):
        say("loading the base twin")
        base = load_base_twin(scenario)
    with timings("interventions"):
        say("applying the interventions")
        applied = check_scenario(scenario, base)
    mobility = energy = counts = None
    fit: dict[str, float] | None = None
    run_seed = seed if seed is not None else (scenario.mobility.seed if scenario.mobility else 0)
    if "mobility" in simulations:
        say("simulating mobility")
        mobility = _run_mobility(scenario, base, applied, run_seed, timings)
        if scenario.twin.path is not None and scenario.period is not None:
            with timings("counts"):
                # Imported here: a run on a sample twin (no counts) never loads the store.
                from twin.runs.observed import count_fit
                found = count_fit(scenario.twin.path, mobility, scenario.period)
            if found is not None:
                counts, fit = found
    if "energy" in simulations:
        with timings("energy"):
            say("simulating energy")
            # Imported here: a mobility-only run never loads the energy kernels.
            from twin.runs.energy_stage import run_energy_stage
            energy = run_energy_stage(applied.twin, scenario.energy)
    kpis = kpi_table(mobility, energy, scenario.kpis, fit)
    finished = dt.datetime.now(dt.UTC)
    return ScenarioRun(scenario=scenario, applied=applied, mobility=mobility, energy=energy,
                       kpis=kpis, provenance=provenance(scenario, base, run_seed, started, finished,
                                                        only=tuple(only) and simulations),
                       counts=counts, timings=dict(timings.seconds))


def _simulations(scenario: Scenario, only: Collection[str]) -> tuple[str, ...]:
    """The scenario's simulations that run: all of them, or those in ``only``."""
    for name in only:
        if name not in scenario.simulations:
            raise InputError(scenario.path, "simulations.run",
                             f"{name} does not run in this scenario (it runs "
                             f"{', '.join(scenario.simulations)})")
    return tuple(s for s in scenario.simulations if not only or s in only)


class StageTimer:
    """Wall-clock seconds per stage of a run: ``with timer("demand"): ...`` adds the time
    spent in the block to ``seconds["demand"]``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        """Time the block as ``stage`` [s]."""
        clock = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - clock


def _run_mobility(scenario: Scenario, base: Twin, applied: AppliedScenario,
                  seed: int, timings: StageTimer) -> MobilityRun:
    spec, period = scenario.mobility, scenario.period
    assert spec is not None and period is not None, "the schema requires both for mobility"
    start, end = period.local_window()
    with timings("network"):
        net = routable_network(applied.twin, access_only_classes=spec.access_only)
    with timings("demand"):
        if spec.demand == "generated":
            assert spec.trips is not None, "the schema requires trips for generated demand"
            same = applied.twin.network is base.network  # no intervention touched the roads
            base_net = net if same else routable_network(
                base, access_only_classes=spec.access_only)
            demand = gravity_demand(base_net, base.buildings, spec.trips, start, end, seed=seed)
        else:
            demand = read_od_csv(Path(spec.demand), base, spec.zones, spec.zone_column,
                                 seed=seed)
        demand = applied.demand.apply(demand, net.network.nodes, seed)
    settings = Settings(dt=period.time_step, end_time=end - start, bin_width=spec.bin_width,
                        reroute_interval=spec.reroute_interval, reroute_share=spec.reroute_share,
                        sample_interval=spec.sample_interval,
                        release_after=spec.release_after, seed=seed)
    fleet = Fleet() if applied.demand.ev_share is None else Fleet(ev_share=applied.demand.ev_share)
    with timings("mobility"):
        run = run_mobility(applied.twin, demand, settings, network=net, start=start, fleet=fleet,
                           equilibrium_iterations=spec.equilibrium_iterations)
    kernel = run.timings.get("routing", 0.0) + run.timings.get("stepping", 0.0)
    timings.seconds["simulation"] = kernel or run.timings["total"]
    return run

