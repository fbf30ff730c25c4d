"""`twin info` from the summary stored in the manifest: the same output as reading the whole
twin, a fallback for twins saved without one, one clear line for a broken one, and no
numerical or geodata library imported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from twin.cli import EXIT_INPUT_ERROR, main
from twin.cli.twin_folder import full_summary
from twin.model import Twin
from twin.store import MANIFEST, load_twin, read_manifest, save_twin
from twin.store.stored_summary import SUMMARY, SUMMARY_VERSION, stored_summary

HEAVY = ("numba", "geopandas", "pandas", "numpy", "pyproj", "h5py", "pyogrio", "rasterio",
         "shapely", "scipy", "simulation")
"""Modules ``twin info`` must not import for a twin with a stored summary."""


@pytest.fixture(scope="module", params=["delft", "helsinki"])
def saved(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample twin saved with its summary: Delft (terrain, weather, no roads), Helsinki (roads,
    extra layers, no terrain)."""
    twin: Twin = request.getfixturevalue(request.param)
    folder = tmp_path_factory.mktemp("info") / f"{request.param}.twin"
    save_twin(twin, folder, summary=full_summary(twin))
    return folder


def _edit_summary(folder: Path, edit: Any) -> Path:
    """A copy of ``folder`` whose manifest's summary ``edit`` changed (in place)."""
    copy = folder.parent / f"edited-{len(list(folder.parent.iterdir()))}-{folder.name}"
    shutil.copytree(folder, copy)
    manifest = tomllib.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    edit(manifest)
    (copy / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")
    return copy


def _info(capsys: pytest.CaptureFixture[str], folder: Path, *options: str) -> tuple[int, str, str]:
    code = main(["info", str(folder), *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_round_trips_as_the_whole_twin_gives_it(saved: Path) -> None:
    summary = stored_summary(saved / MANIFEST, read_manifest(saved))
    assert summary is not None
    # equal values in the same key order (``twin info --json`` prints them in order)
    assert json.dumps(summary) == json.dumps(full_summary(load_twin(saved)))


def test_info_prints_what_reading_the_whole_twin_prints(
        saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _edit_summary(saved, lambda manifest: manifest.pop(SUMMARY))  # as an older version saved it
    for options in ((), ("--json",)):
        code, fast, err = _info(capsys, saved, *options)
        assert code == 0 and err == ""
        code, full, err = _info(capsys, old, *options)
        assert code == 0
        assert fast == full
        assert err.count("\n") == 1 and "stores no summary" in err and str(old / MANIFEST) in err


def test_a_summary_of_another_version_is_not_read(
        saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def newer(manifest: dict) -> None:
        manifest[SUMMARY] = {"version": SUMMARY_VERSION + 1, "a layout": "to come"}

    code, out, err = _info(capsys, _edit_summary(saved, newer), "--json")
    assert code == 0 and "stores no summary" in err
    assert json.loads(out)["crs"] == tomllib.loads((saved / MANIFEST).read_text())[SUMMARY]["crs"]


def _set(*keys: str, value: Any) -> Any:
    def edit(manifest: dict) -> None:
        table = manifest
        for key in keys[:-1]:
            table = table[key]
        table[keys[-1]] = value
    return edit


def _drop(*keys: str) -> Any:
    def edit(manifest: dict) -> None:
        table = manifest
        for key in keys[:-1]:
            table = table[key]
        del table[keys[-1]]
    return edit


@pytest.mark.parametrize(("edit", "field"), [
    (_set("summary", value="all fine"), "summary: expected a table"),
    (_set("summary", "version", value="1"), "summary.version: expected an integer"),
    (_drop("summary", "version"), "summary.version: missing"),
    (_set("summary", "buildings", "count", value="many"), "summary.buildings.count: expected an integer"),
    (_set("summary", "buildings", "count", value=True), "summary.buildings.count: expected an integer"),
    (_drop("summary", "network", "links"), "summary.network.links: missing"),
    (_set("summary", "extent", value=[1.0, 2.0]), "summary.extent: expected 4 values"),
    (_set("summary", "extent", value=[1.0, 2.0, "3", 4.0]), "summary.extent[2]: expected a number"),
    (_set("summary", "layers", value={"pois": -1.5}), "summary.layers.pois: expected an integer"),
    (_set("summary", "sensors", value={}), "summary.sensors: expected an integer"),
    (_set("summary", "buildings", "roofs", value=3), "summary.buildings.roofs: not a key"),
])
def test_a_broken_summary_is_one_line_naming_the_file_and_field(
        saved: Path, capsys: pytest.CaptureFixture[str], edit: Any, field: str) -> None:
    broken = _edit_summary(saved, edit)
    code, out, err = _info(capsys, broken)
    assert code == EXIT_INPUT_ERROR and out == ""
    assert err.count("\n") == 1 and f"{broken / MANIFEST}: {field}" in err, err


def test_info_stops_at_a_changed_file_before_the_summary(
        saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = _edit_summary(saved, lambda manifest: None)
    with open(changed / "layers.gpkg", "ab") as handle:
        handle.write(b"\0")
    code, _, err = _info(capsys, changed)
    assert code == EXIT_INPUT_ERROR and "files changed" in err and "layers.gpkg" in err
    code, _, err = _info(capsys, changed, "--no-verify")  # the summary alone, as stored
    assert code == 0 and err == ""


IMPORTS = """
import sys
from twin.cli import main
code = main(["info", sys.argv[1]])
print("modules:", " ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


def test_info_imports_no_numerical_or_geodata_library(saved: Path) -> None:
    result = subprocess.run([sys.executable, "-c", IMPORTS, str(saved)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert saved.name.removesuffix(".twin") in result.stdout  # the summary was printed
    loaded = set(result.stderr.split("modules:")[1].split())
    assert "rich" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
