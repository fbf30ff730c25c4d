"""``twin export`` on the command line: every format from a twin folder or a results file, the
format from the output's name, and bad input as one clear line with exit code 2, nothing
written and no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from twin.cli import main
from twin.feeds.smartdatamodels import validation_errors


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("name", "kind", "first"), [
    ("delft.city.json", "cityjson", b"{"), ("delft.glb", "glb", b"glTF"),
    ("delft.jsonld", "ngsi-ld", b"["), ("delft_tiles", "3dtiles", None)])
def test_the_format_follows_the_output_name(capsys, delft_folder: Path, tmp_path: Path,
                                            name: str, kind: str, first: bytes | None) -> None:
    output = tmp_path / name
    code, out, _ = run(capsys, str(delft_folder), "-o", str(output))
    assert code == 0 and f"({kind})" in out
    if first is None:
        assert (output / "tileset.json").is_file() and list((output / "tiles").glob("*.glb"))
    else:
        assert output.read_bytes().startswith(first)


def test_ngsi_ld_entities_are_valid_smart_data_models(capsys, helsinki_folder: Path,
                                                     tmp_path: Path, shared_data: Path) -> None:
    output = tmp_path / "helsinki.jsonld"
    code, out, _ = run(capsys, str(helsinki_folder), "-o", str(output))
    assert code == 0
    entities = json.loads(output.read_text(encoding="utf-8"))
    kinds = {e["type"] for e in entities}
    assert kinds == {"Building", "RoadSegment"}
    models = shared_data / "smart-data-models"
    for entity in entities[::25]:
        assert validation_errors(entity, models) == []


def test_an_existing_tileset_is_replaced_and_another_folder_refused(
        capsys, delft_folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "tiles"
    assert run(capsys, str(delft_folder), "-o", str(output))[0] == 0
    assert run(capsys, str(delft_folder), "-o", str(output), "--colour-by", "volume")[0] == 0
    legend = json.loads((output / "tileset.json").read_text())["asset"]["extras"]["legend"]
    assert legend["attribute"] == "volume"
    other = tmp_path / "photos"
    other.mkdir()
    (other / "keep.jpg").write_bytes(b"x")
    line = one_line_error(*run(capsys, str(delft_folder), "-o", str(other))[::2])
    assert str(other) in line and "not an earlier export" in line
    assert [p.name for p in other.iterdir()] == ["keep.jpg"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["--format", "obj"], "--format: unknown format 'obj'"),
    (["--colour-by", "colour"], "--colour-by: the buildings have no numeric attribute 'colour'"),
    (["--time", "08:00"], "--time: only the ngsi-ld format has time steps"),
])
def test_bad_options_are_one_line(capsys, delft_folder: Path, tmp_path: Path, argv: list[str],
                                  expected: str) -> None:
    output = tmp_path / "out.glb"
    line = one_line_error(*run(capsys, str(delft_folder), "-o", str(output), *argv)[::2])
    assert expected in line
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_ending_and_an_unwritable_output_are_one_line(capsys, delft_folder: Path,
                                                                 tmp_path: Path) -> None:
    line = one_line_error(*run(capsys, str(delft_folder), "-o", str(tmp_path / "out.obj"))[::2])
    assert "out.obj: cannot tell the format" in line
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    target = blocker / "out.glb"
    line = one_line_error(*run(capsys, str(delft_folder), "-o", str(target))[::2])
    assert f"{target}: could not write" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_missing_source_is_one_line(capsys, tmp_path: Path) -> None:
    line = one_line_error(*run(capsys, str(tmp_path / "none.twin"), "-o",
                               str(tmp_path / "x.glb"))[::2])
    assert "none.twin: no such twin folder or results file" in line


def test_results_whose_base_twin_is_gone_are_one_line(capsys, delft_results: Path,
                                                      delft_folder: Path, tmp_path: Path) -> None:
    moved = tmp_path / "run"
    shutil.copytree(delft_folder, moved / delft_folder.name)
    shutil.copy(delft_results.with_name("baseline.toml"), moved / "baseline.toml")
    assert main(["run", str(moved / "baseline.toml"), "-o", str(moved / "baseline.h5")]) == 0
    output = tmp_path / "baseline.city.json"
    assert run(capsys, str(moved / "baseline.h5"), "-o", str(output))[0] == 0
    output.unlink()
    shutil.rmtree(moved / delft_folder.name)
    line = one_line_error(*run(capsys, str(moved / "baseline.h5"), "-o", str(output))[::2])
    assert "twin.path" in line and not output.exists()


def test_a_file_that_is_not_a_results_file_is_one_line(capsys, tmp_path: Path) -> None:
    source = tmp_path / "notes.h5"
    source.write_text("not HDF5")
    line = one_line_error(*run(capsys, str(source), "-o", str(tmp_path / "x.glb"))[::2])
    assert "notes.h5: not a readable HDF5 results file" in line


SMALL_RUN = """format = 1

[metadata]
title = "Helsinki centre: half an hour"
description = "A few hundred generated trips in central Helsinki."
author = "tests"
city = "Helsinki"
licence = "CC0-1.0"

[twin]
sample = "helsinki"

[period]
start = 2025-03-11T06:00:00Z   # 08:00 EET
end = 2025-03-11T06:30:00Z
timezone = "Europe/Helsinki"

[simulations]
run = ["mobility"]

[mobility]
demand = "generated"
trips = 300
seed = 1
bin_width = 600.0
"""


@pytest.fixture(scope="module")
def traffic_results(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("traffic")
    (folder / "small.toml").write_text(SMALL_RUN, encoding="utf-8")
    assert main(["run", str(folder / "small.toml"), "-o", str(folder / "small.h5")]) == 0
    return folder / "small.h5"


def test_ngsi_ld_flows_of_a_run_at_a_time(capsys, traffic_results: Path, tmp_path: Path,
                                          shared_data: Path) -> None:
    from twin.runs import read_results

    mobility = read_results(traffic_results).mobility
    output = tmp_path / "flows.jsonld"
    code, out, _ = run(capsys, str(traffic_results), "-o", str(output), "--time", "08:15")
    assert code == 0
    flows = [e for e in json.loads(output.read_text()) if e["type"] == "TrafficFlowObserved"]
    assert len(flows) == len(mobility.links)
    # 08:15 EET lies in the second bin, 06:10 to 06:20 UTC
    assert {f["dateObserved"] for f in flows} == {"2025-03-11T06:10:00.000Z/2025-03-11T06:20:00.000Z"}
    by_link = {f["refRoadSegment"].removeprefix("urn:ngsi-ld:RoadSegment:"): f["intensity"]
               for f in flows}
    outflow = mobility.series["outflow"][1]
    for j, link in enumerate(mobility.links["id"].astype(str)):
        assert by_link[link] == pytest.approx(outflow[j] * 600 / 3600, abs=1e-3)
    models = shared_data / "smart-data-models"
    for entity in flows[::50]:
        assert validation_errors(entity, models) == []
    line = one_line_error(*run(capsys, str(traffic_results), "-o", str(tmp_path / "x.jsonld"),
                               "--time", "03:00")[::2])
    assert "--time: 03:00 is outside the run's bins (08:00 to 08:30)" in line
