"""Sweep files: grid and zip expansion, ranges, seeds, stable names and run keys, and errors
that name the file, the line and the key; an invalid value is a failed run, not an error."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from twin.runs.provenance import run_key
from twin.runs.sweep import SweepError, load_sweep, parse_key, sweep_from_text
from twin.scenarios import ScenarioError, scenario_from_text

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "tests" / "data" / "sweeps" / "helsinki_small.toml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """tmp_path with the small Helsinki base scenario as base.toml."""
    shutil.copy(BASE, tmp_path / "base.toml")
    return tmp_path


def _write(folder: Path, text: str) -> Path:
    path = folder / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(SweepError) as caught:
        load_sweep(path)
    return str(caught.value).splitlines()


def test_grid_expands_every_combination_once_per_seed(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"
seeds = [3, 4]

[[parameters]]
key = "interventions[0].factor"
range = { start = 0.8, stop = 1.2, step = 0.2 }

[[parameters]]
key = "mobility.trips"
values = [100, 200]
""")
    sweep = load_sweep(path)
    assert sweep.name == "sweep" and sweep.mode == "grid" and sweep.seeds == (3, 4)
    assert sweep.parameters[0].values == (0.8, 1.0, 1.2)  # stop included, no 1.0000000000000002
    assert len(sweep.runs) == 12
    assert [r.name for r in sweep.runs[:3]] == ["run-000", "run-001", "run-002"]
    first, last = sweep.runs[0], sweep.runs[-1]
    assert first.values == {"interventions[0].factor": 0.8, "mobility.trips": 100}
    assert first.seed == 3 and sweep.runs[1].seed == 4 and sweep.runs[1].values == first.values
    assert last.values == {"interventions[0].factor": 1.2, "mobility.trips": 200}
    assert all(r.error is None for r in sweep.runs)
    document = tomllib.loads(last.text)
    assert document["interventions"][0]["factor"] == 1.2 and document["mobility"]["trips"] == 200
    assert document["interventions"][1] == tomllib.loads(BASE.read_text())["interventions"][1]
    assert last.run_key == run_key(last.text, 4)
    assert len({r.run_key for r in sweep.runs}) == 12
    assert [r.run_key for r in load_sweep(path).runs] == [r.run_key for r in sweep.runs]


def test_each_run_reads_as_a_scenario_of_the_base_file(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"

[[parameters]]
key = "interventions[1].speed"
values = [20, 40]
""")
    sweep = load_sweep(path)
    assert sweep.base == (folder / "base.toml").resolve()
    scenario = scenario_from_text(sweep.runs[1].text, sweep.base)
    assert scenario.interventions[1].speed == 40
    assert [r.seed for r in sweep.runs] == [1, 1]  # the scenario's own seed without seeds


def test_zip_pairs_the_values_and_integer_ranges_stay_integers(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"
mode = "zip"
name = "paired"

[[parameters]]
key = "mobility.trips"
range = { start = 100, stop = 300, step = 100 }

[[parameters]]
key = "interventions[0].factor"
values = [0.5, 1.0, 1.5]
""")
    sweep = load_sweep(path)
    assert sweep.name == "paired"
    assert [tuple(r.values.values()) for r in sweep.runs] == [(100, 0.5), (200, 1.0), (300, 1.5)]
    assert all(isinstance(r.values["mobility.trips"], int) for r in sweep.runs)


def test_zip_with_unequal_lengths_names_the_parameter_line(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"
mode = "zip"

[[parameters]]
key = "mobility.trips"
values = [100, 200]

[[parameters]]
key = "interventions[0].factor"
values = [0.5, 1.0, 1.5]
""")
    assert _problems(path) == [
        f"{path}:9: parameters[1]: has 3 values; mode zip needs as many as parameters[0] (2)"]


def test_keys_missing_from_the_base_name_their_lines(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"

[[parameters]]
key = "mobility.tripz"
values = [1]

[[parameters]]
key = "interventions[5].factor"
values = [1.0]

[[parameters]]
key = "mobility.trips.count"
values = [1]
""")
    problems = _problems(path)
    assert problems[0].startswith(f"{path}:5: parameters[0].key: 'mobility.tripz' is not in the "
                                  "base scenario base.toml (keys of mobility: demand, trips, seed)")
    assert problems[1] == (f"{path}:9: parameters[1].key: 'interventions[5]' is not in the base "
                           "scenario base.toml (interventions has 2 items)")
    assert problems[2].startswith(f"{path}:13: parameters[2].key: 'mobility.trips.count' is not")


def test_schema_problems_name_file_line_and_key(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"
mode = "random"

[[parameters]]
key = "mobility.trips"
valuez = [1]

[[parameters]]
key = "interventions[0].factor"
values = [1.0]
range = { start = 0.0, stop = 1.0, step = 0.0 }
""")
    assert _problems(path) == [
        f"{path}:3: mode: \"random\" is not one of \"grid\", \"zip\"",
        f"{path}:5: parameters[0]: needs one of the keys values, range",
        f"{path}:7: parameters[0].valuez: unknown key 'valuez'; allowed here: key, range, values",
        f"{path}:12: parameters[1].range: give only one of values, range",
        (f"{path}:12: parameters[1].range.step: 0.0 is below the exclusive minimum 0 "
         "(Increment, above 0)"),
    ]


def test_missing_base_overlapping_keys_and_backward_ranges(folder: Path) -> None:
    path = _write(folder, 'format = 1\nbase = "nowhere.toml"\n\n[[parameters]]\n'
                          'key = "mobility.trips"\nvalues = [1]\n')
    assert _problems(path) == [
        f"{path}:2: base: no scenario file 'nowhere.toml' beside the sweep"]
    path = _write(folder, """format = 1
base = "base.toml"

[[parameters]]
key = "interventions[0]"
values = [{ type = "ev_share", share = 0.5 }]

[[parameters]]
key = "interventions[0].factor"
range = { start = 2.0, stop = 1.0, step = 0.5 }
""")
    assert _problems(path) == [
        f"{path}:9: parameters[1].key: overlaps parameters[0].key 'interventions[0]'",
        f"{path}:10: parameters[1].range: stop 1.0 is below start 2.0",
    ]


def test_an_invalid_value_is_a_failed_run_not_an_error(folder: Path) -> None:
    path = _write(folder, """format = 1
base = "base.toml"

[[parameters]]
key = "interventions[0].factor"
values = [0.5, -1.0, 1.5]
""")
    runs = load_sweep(path).runs
    assert [r.error is None for r in runs] == [True, False, True]
    assert runs[1].error is not None and runs[1].error.startswith(
        "ScenarioError: interventions[0].factor: -1.0 is below the minimum 0")
    assert runs[1].seed is None


def test_a_broken_base_scenario_is_its_own_error(folder: Path) -> None:
    (folder / "base.toml").write_text(BASE.read_text().replace("trips = 300", "trips = -3"))
    path = _write(folder, 'format = 1\nbase = "base.toml"\n\n[[parameters]]\n'
                          'key = "mobility.seed"\nvalues = [1, 2]\n')
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(f"{(folder / 'base.toml').resolve()}:")
    assert "mobility.trips" in str(caught.value)


def test_sweep_from_text_and_key_parsing() -> None:
    assert parse_key("interventions[2].select.ids[0]") == ("interventions", 2, "select", "ids", 0)
    sweep = sweep_from_text('format = 1\nbase = "helsinki_small.toml"\n\n[[parameters]]\n'
                            'key = "mobility.seed"\nvalues = [7]\n', BASE.with_name("x.toml"))
    assert sweep.base == BASE and sweep.runs[0].seed == 7


def test_the_shipped_sample_sweep_expands() -> None:
    sweep = load_sweep(REPO / "scenarios" / "sweeps" / "helsinki_demand_pv.toml")
    assert len(sweep.runs) == 6 and all(r.error is None for r in sweep.runs)
    assert {r.values["interventions[1].share"] for r in sweep.runs} == {0.25, 0.75}
