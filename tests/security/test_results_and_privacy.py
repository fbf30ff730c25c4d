"""``twin verify RESULTS.h5`` against the recorded inputs, and OD export with small cells left out."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.cli import main
from twin.runs import check_results_inputs
from twin.security import aggregate_od

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("verify")
    scenario = folder / "delft.toml"
    shutil.copy(SCENARIOS / "delft_baseline.toml", scenario)
    out = folder / "delft.h5"
    assert main(["run", str(scenario), "-o", str(out)]) == 0
    return scenario, out


def test_unchanged_inputs_verify(results, capsys) -> None:
    _scenario, out = results
    checks = check_results_inputs(out)
    assert [c.what for c in checks[:2]] == ["scenario", "base twin"]
    assert len(checks) >= 4  # scenario, twin, CityJSON, DTM, DSM, weather
    assert all(c.status == "ok" for c in checks)
    assert main(["verify", str(out)]) == 0


def test_a_changed_or_missing_scenario_is_reported(results, capsys) -> None:
    scenario, out = results
    original = scenario.read_bytes()
    try:
        scenario.write_bytes(original.replace(b"warmup_hours = 336", b"warmup_hours = 300"))
        assert {c.what: c.status for c in check_results_inputs(out)}["scenario"] == "changed"
        assert main(["verify", str(out)]) == 1
        assert "changed" in capsys.readouterr().out
        scenario.unlink()
        assert {c.what: c.status for c in check_results_inputs(out)}["scenario"] == "missing"
    finally:
        scenario.write_bytes(original)


def test_od_export_aggregates_and_suppresses_small_cells() -> None:
    trips = pd.DataFrame({
        "origin": ["a"] * 7 + ["b"] * 3 + ["a"] * 5,
        "destination": ["b"] * 7 + ["a"] * 3 + ["b"] * 5,
        "departure": [7 * 3600.0 + i for i in range(10)] + [8 * 3600.0 + 60 * i for i in range(5)],
    })
    table, left_out = aggregate_od(trips, period=3600.0, k=5)
    assert table.to_dict("records") == [
        {"origin": "a", "destination": "b", "period": "07:00-08:00", "trips": 7},
        {"origin": "a", "destination": "b", "period": "08:00-09:00", "trips": 5},
    ]
    assert left_out == 3
    assert table["trips"].min() >= 5
    with pytest.raises(ValueError, match="k must be"):
        aggregate_od(trips, k=0)


def test_export_od_command_writes_an_od_matrix_the_reader_accepts(tmp_path, capsys) -> None:
    from twin.mobility.demand import _read_rows
    from twin.runs import run_scenario, write_results
    from twin.scenarios import load_scenario

    out = write_results(run_scenario(load_scenario(SCENARIOS / "helsinki_mannerheimintie_closure.toml")),
                        tmp_path / "m.h5")
    csv = tmp_path / "od.csv"
    k = "2"  # 4,000 trips spread over the junctions of 3 h: few half-hour cells reach more
    assert main(["export-od", str(out), "-o", str(csv), "--period", "1800", "--k", k]) == 0
    rows = _read_rows(csv)
    assert rows and all(trips >= int(k) for *_, trips in rows)
    assert all(end - start == 1800.0 for *_, start, end, _ in rows)
    assert "left out" in capsys.readouterr().out
    assert np.isfinite([r[5] for r in rows]).all()
    # the same aggregation again is the same release; another one could reveal the suppressed
    # half-hour cells by subtraction from the hours, and is refused
    before = csv.read_bytes()
    assert main(["export-od", str(out), "-o", str(csv), "--period", "1800", "--k", k]) == 0
    assert csv.read_bytes() == before
    hourly = tmp_path / "hourly.csv"
    assert main(["export-od", str(out), "-o", str(hourly), "--period", "3600", "--k", k]) == 2
    assert not hourly.exists()
    err = capsys.readouterr().err
    assert f"{out}: period: released before as 1800 s periods with k = {k}" in err
    assert main(["export-od", str(out), "-o", str(hourly), "--period", "1800", "--k", "3"]) == 2
