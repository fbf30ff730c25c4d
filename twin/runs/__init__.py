"""Scenario runs: execute a scenario, write and read its results file, compare two runs,
sweep a scenario over parameters, check that the inputs a results file records are unchanged
and rebuild the twin a results file was simulated on.

    run = run_scenario(load_scenario("scenarios/helsinki_2035.toml"))
    write_results(run, "helsinki_2035.h5")
    results = read_results("helsinki_2035.h5")
"""

from twin.runs.execute import ScenarioRun, run_scenario
from twin.runs.kpis import kpi_table
from twin.runs.results_check import InputCheck, check_results_inputs
from twin.runs.results_file import Results, read_results, write_results
from twin.runs.simulated_twin import simulated_twin

__all__ = [
    "InputCheck", "Results", "ScenarioRun", "check_results_inputs", "kpi_table", "read_results",
    "run_scenario", "simulated_twin", "write_results",
]
