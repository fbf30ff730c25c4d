"""The energy stage of a scenario run: the scenario's weather and settings, then ``run_energy``.

Kept apart from ``execute`` so that a mobility-only run never loads the energy kernels, pvlib
or the weather readers (seconds of start-up).
"""

from __future__ import annotations

from twin.energy import EnergySettings, run_energy
from twin.energy.run import EnergyRun
from twin.importers.weather import read_weather
from twin.model import Twin
from twin.scenarios.scenario import EnergySpec


def run_energy_stage(twin: Twin, spec: EnergySpec | None) -> EnergyRun:
    """Simulate the buildings of ``twin`` as the scenario's ``[energy]`` table says.

    Parameters
    ----------
    twin : Twin
        The twin after the scenario's interventions.
    spec : EnergySpec or None
        The scenario's energy settings (defaults when None); its weather file, if any,
        replaces the twin's weather.

    Returns
    -------
    EnergyRun
        The per-building results and KPIs.
    """
    spec = spec or EnergySpec()
    if spec.weather is not None:
        twin = twin.replace(weather=read_weather(spec.weather).weather)
    settings = EnergySettings(warmup_hours=spec.warmup_hours, albedo=spec.albedo,
                              sun_samples=spec.sun_samples, country=spec.country,
                              heating_system=spec.heating_system, setback=spec.setback)
    return run_energy(twin, settings)
