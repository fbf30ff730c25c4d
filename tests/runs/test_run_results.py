"""``twin run``: a scenario through the whole chain into an HDF5 results file and back."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from twin.cli import main
from twin.cli.runs import _time_line
from twin.errors import InputError
from twin.runs import read_results, results_file, run_scenario, write_results
from twin.scenarios import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
VOLATILE = {"started", "finished", "timings"}  # wall-clock times (provenance, stage timings)


@pytest.fixture(scope="module")
def baseline_run():
    return run_scenario(load_scenario(SCENARIOS / "helsinki_baseline.toml"))


@pytest.fixture(scope="module")
def baseline_file(baseline_run, tmp_path_factory) -> Path:
    return write_results(baseline_run, tmp_path_factory.mktemp("run") / "baseline.h5")


def test_the_results_file_holds_kpis_tables_and_provenance(baseline_run, baseline_file) -> None:
    back = read_results(baseline_file)
    assert back.title == "Helsinki centre: baseline"
    assert np.allclose(back.kpis["value"], baseline_run.kpis["value"])
    assert list(back.kpis["unit"]) == list(baseline_run.kpis["unit"])
    prov = back.provenance
    scenario = load_scenario(SCENARIOS / "helsinki_baseline.toml")
    assert prov["scenario_text"] == scenario.text
    assert prov["scenario_sha256"] == scenario.sha256 == prov["scenario_sha256"]
    assert prov["twin_sha256"] == scenario.twin.sha256
    assert prov["seed"] == scenario.mobility.seed
    assert {"localtwin", "numpy", "numba", "python"} <= set(prov["versions"])
    assert any(path.endswith(".osm.pbf") for path in prov["inputs"])
    mob = back.mobility
    trips = baseline_run.mobility.trips
    assert len(mob.trips) == len(trips)
    assert np.array_equal(mob.trips["travel_time"].to_numpy(), trips["travel_time"].to_numpy(),
                          equal_nan=True)
    assert list(mob.trips["status"]) == list(trips["status"].astype(str))
    assert mob.series["vehicle_km"].shape == (mob.bin_start.size, len(mob.links))
    assert mob.links.crs == baseline_run.mobility.crs
    energy = back.energy
    assert len(energy.buildings) == len(baseline_run.energy.buildings)
    assert np.allclose(energy.buildings["heating_kWh"], baseline_run.energy.buildings["heating_kWh"],
                       equal_nan=True)
    assert energy.district_heating_kW.index[0].year == baseline_run.energy.district_heating_kW.index[0].year
    assert energy.buildings.geometry.area.sum() > 0


def test_datasets_carry_units_and_large_ones_are_compressed(baseline_file) -> None:
    with h5py.File(baseline_file) as f:
        assert f.attrs["format"] == "localtwin-results"
        assert f["mobility/link_series/vehicle_km"].attrs["unit"] == "veh km"
        assert f["mobility/trips/travel_time"].attrs["unit"] == "s"
        assert f["energy/buildings/heating_kWh"].attrs["unit"] == "kWh"
        assert f["energy/district/heating_kW"].attrs["unit"] == "kW"
        big = f["energy/district/heating_kW"]
        assert big.compression == "gzip" and big.chunks is not None


def test_units_are_read_back_from_the_file_as_it_holds_them(baseline_file, tmp_path) -> None:
    back = read_results(baseline_file)
    mob, energy = back.mobility.units, back.energy.units
    assert mob["series"]["speed"] == "km/h" and mob["series"]["bin_start"] == "s"
    assert mob["links"]["free_speed"] == "m/s" and mob["links"]["capacity"] == "veh/h"
    assert mob["trips"]["travel_time"] == "s" and mob["positions"]["fraction"] == "1"
    assert energy["buildings"]["heating_kWh_m2"] == "kWh/m2"
    assert energy["buildings"]["air_temp_mean_C"] == "degC"
    assert energy["buildings"]["sunlit_horizontal"] == "1"
    assert energy["monthly"] == {"monthly_heating_kWh": "kWh", "monthly_cooling_kWh": "kWh"}
    assert energy["district"]["heating_kW"] == "kW"
    with h5py.File(baseline_file) as f:
        assert f["mobility/link_series/speed"].attrs["description"].startswith("space-mean")
        assert f["energy/buildings/heating_kWh"].attrs["description"]
    other = tmp_path / "other_writer.h5"
    other.write_bytes(baseline_file.read_bytes())
    with h5py.File(other, "r+") as f:
        f["mobility/link_series/speed"].attrs["unit"] = "m/s"
        del f["energy/buildings/heating_kWh"].attrs["unit"]
    back = read_results(other)
    assert back.mobility.units["series"]["speed"] == "m/s"
    assert "heating_kWh" not in back.energy.units["buildings"]


def _datasets(path: Path) -> dict[str, object]:
    out = {}
    with h5py.File(path) as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
            for key, value in obj.attrs.items():
                if key not in VOLATILE:
                    out[f"{name}@{key}"] = value
        f.visititems(visit)
        for key, value in f.attrs.items():
            if key not in VOLATILE:
                out[f"@{key}"] = value
    return out


def test_the_same_scenario_and_seed_give_identical_results(baseline_file, tmp_path) -> None:
    again = write_results(run_scenario(load_scenario(SCENARIOS / "helsinki_baseline.toml")),
                          tmp_path / "again.h5")
    a, b = _datasets(baseline_file), _datasets(again)
    assert a.keys() == b.keys()
    for name in a:
        x, y = a[name], b[name]
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        elif isinstance(x, np.ndarray) and x.dtype.kind == "O":
            assert [bytes(v) if isinstance(v, np.ndarray) else v for v in x] == \
                   [bytes(v) if isinstance(v, np.ndarray) else v for v in y], name
        else:
            assert np.array_equal(np.asarray(x), np.asarray(y)), name


def test_the_stage_timings_are_written_and_read_back(baseline_run, baseline_file) -> None:
    stages = {"loading", "interventions", "network", "demand", "mobility", "simulation", "energy"}
    assert stages <= set(baseline_run.timings)
    assert all(seconds >= 0 for seconds in baseline_run.timings.values())
    assert baseline_run.timings["simulation"] <= baseline_run.timings["mobility"]
    assert read_results(baseline_file).timings == pytest.approx(baseline_run.timings)


def test_results_without_timings_read_as_none_and_bad_timings_are_refused(baseline_file,
                                                                          tmp_path) -> None:
    older = tmp_path / "older.h5"
    older.write_bytes(baseline_file.read_bytes())
    with h5py.File(older, "r+") as f:
        del f.attrs["timings"]
    assert read_results(older).timings == {}
    with h5py.File(older, "r+") as f:
        f.attrs["timings"] = '["loading", 1.0]'
    with pytest.raises(InputError, match=r"older\.h5: timings: not a JSON object"):
        read_results(older)


def test_only_mobility_runs_the_same_trips_without_energy(baseline_run) -> None:
    only = run_scenario(load_scenario(SCENARIOS / "helsinki_baseline.toml"), only=("mobility",))
    assert only.energy is None and "energy" not in only.timings
    assert all(name.startswith("mobility.") for name in only.kpis.index)
    mobility_kpis = baseline_run.kpis.loc[only.kpis.index, "value"]
    assert np.array_equal(only.kpis["value"].to_numpy(), mobility_kpis.to_numpy(), equal_nan=True)
    assert only.provenance.run_key != baseline_run.provenance.run_key
    assert not any(path.endswith(".csv") for path in only.provenance.inputs)  # no weather read


def test_only_a_simulation_the_scenario_lacks_is_refused_by_name() -> None:
    energy_only = load_scenario(SCENARIOS / "delft_baseline.toml")
    with pytest.raises(InputError, match=r"delft_baseline\.toml: simulations\.run: mobility does "):
        run_scenario(energy_only, only=("mobility",))


def test_another_seed_gives_other_trips(baseline_run) -> None:
    other = run_scenario(load_scenario(SCENARIOS / "helsinki_baseline.toml"), seed=99)
    assert other.provenance.seed == 99 and other.provenance.run_key != baseline_run.provenance.run_key
    assert not np.array_equal(other.mobility.trips["departure"].to_numpy(),
                              baseline_run.mobility.trips["departure"].to_numpy())


def test_a_failed_write_keeps_the_earlier_file(baseline_run, baseline_file, tmp_path,
                                               monkeypatch) -> None:
    target = tmp_path / "kept.h5"
    target.write_bytes(baseline_file.read_bytes())
    before = target.read_bytes()

    def broken(f, run):
        f.create_group("kpis")
        raise OSError("disk full")

    monkeypatch.setattr(results_file, "_write", broken)
    with pytest.raises(OSError, match="disk full"):
        write_results(baseline_run, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept.h5"]


def test_the_time_line_names_each_stage_and_the_time_outside_the_simulation() -> None:
    line = _time_line({"loading": 0.5, "network": 0.25, "mobility": 1.0, "simulation": 0.75,
                       "writing": 0.25})
    assert "loading 0.50, network 0.25, mobility 1.00 (simulation 0.75), writing 0.25" in line
    total = float(line.split("total ")[1].split(",")[0])
    assert total >= 2.0  # the stages, and the start-up before them
    outside = float(line.split("outside the simulation ")[1])
    assert outside == pytest.approx(total - 0.75, abs=0.011)


def test_files_that_are_not_results_are_refused_by_name(tmp_path) -> None:
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(InputError, match="notes.h5"):
        read_results(text)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    with pytest.raises(InputError, match=r"other\.h5: format"):
        read_results(other)


def test_twin_run_writes_the_file_and_a_bad_scenario_writes_nothing(tmp_path, capsys) -> None:
    out = tmp_path / "delft.h5"
    assert main(["run", str(SCENARIOS / "delft_baseline.toml"), "-o", str(out)]) == 0
    assert read_results(out).energy is not None
    printed = capsys.readouterr()
    assert "written" in printed.out
    line = " ".join(printed.err.split())
    assert "time (s): start-up " in line and ", energy " in line and ", writing " in line
    assert "outside the simulation" in line
    bad = tmp_path / "bad.toml"
    bad.write_text((SCENARIOS / "delft_baseline.toml").read_text().replace(
        "warmup_hours = 336", "warmup_hours = -5"))
    assert main(["run", str(bad), "-o", str(tmp_path / "bad.h5")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "warmup_hours" in err
    assert not (tmp_path / "bad.h5").exists()
