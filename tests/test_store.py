"""The twin folder: round trip, atomic save, hash checks."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, IntegrityError
from twin.model import Twin
from twin.store import MANIFEST, load_twin, save_twin


def test_round_trip_keeps_every_layer(delft: Twin, tmp_path: Path) -> None:
    folder = save_twin(delft, tmp_path / "delft.twin")
    back = load_twin(folder)
    assert back.name == "delft"
    assert back.crs.equals(delft.crs)
    assert len(back.buildings) == len(delft.buildings) == 160
    pd.testing.assert_series_equal(back.buildings["id"], delft.buildings["id"], check_dtype=False)
    for column in ("height", "base_elevation", "footprint_area", "roof_area", "wall_area", "volume"):
        np.testing.assert_allclose(back.buildings[column], delft.buildings[column], rtol=1e-12)
    assert back.buildings["floors"].tolist() == delft.buildings["floors"].tolist()
    assert back.buildings.geometry.geom_equals_exact(delft.buildings.geometry, 1e-9).all()
    np.testing.assert_array_equal(back.terrain.dtm.values, delft.terrain.dtm.values)
    np.testing.assert_array_equal(back.terrain.dsm.values, delft.terrain.dsm.values)
    assert back.terrain.dtm.transform == delft.terrain.dtm.transform
    pd.testing.assert_frame_equal(back.weather.data, delft.weather.data, check_freq=False)
    assert back.weather.location == delft.weather.location
    assert back.sources == delft.sources
    assert back.warnings == delft.warnings


def test_missing_text_stays_missing(helsinki: Twin, tmp_path: Path) -> None:
    names = helsinki.network.links["name"]
    assert names.isna().any()
    back = load_twin(save_twin(helsinki, tmp_path / "helsinki.twin")).network.links["name"]
    assert back.isna().tolist() == names.isna().tolist()
    assert "nan" not in set(back.dropna())


def test_manifest_lists_hashes_of_files_and_sources(delft: Twin, tmp_path: Path) -> None:
    folder = save_twin(delft, tmp_path / "delft.twin")
    manifest = tomllib.loads((folder / MANIFEST).read_text())
    assert manifest["format_version"] == 1
    assert manifest["crs"]["code"] == "EPSG:28992"
    assert set(manifest["files"]) == {"layers.gpkg", "terrain_dtm.tif", "terrain_dsm.tif", "timeseries.h5"}
    assert {s["kind"] for s in manifest["sources"]} == {"cityjson", "dtm", "dsm", "weather"}
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])


def test_changed_file_is_named_on_load(delft: Twin, tmp_path: Path) -> None:
    folder = save_twin(delft, tmp_path / "delft.twin")
    with open(folder / "terrain_dsm.tif", "r+b") as handle:
        handle.seek(-10, os.SEEK_END)
        handle.write(b"tampered!!")
    with pytest.raises(IntegrityError, match="terrain_dsm.tif"):
        load_twin(folder)
    assert load_twin(folder, verify=False).name == "delft"


def test_missing_file_is_named_on_load(delft: Twin, tmp_path: Path) -> None:
    folder = save_twin(delft, tmp_path / "delft.twin")
    (folder / "timeseries.h5").unlink()
    with pytest.raises(IntegrityError, match=r"timeseries.h5 \(missing\)"):
        load_twin(folder)


def test_failed_save_leaves_previous_twin_untouched(delft: Twin, tmp_path: Path) -> None:
    folder = save_twin(delft, tmp_path / "delft.twin")
    before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
    broken = delft.replace(name=object())  # layers write fine, the manifest cannot hold this name
    with pytest.raises(TypeError):
        save_twin(broken, folder)
    after = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["delft.twin"]


def test_save_refuses_to_overwrite_a_folder_that_is_not_a_twin(delft: Twin, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    with pytest.raises(InputError, match="not a twin folder"):
        save_twin(delft, precious)
    assert (precious / "thesis.txt").read_text() == "keep me"


def test_load_refuses_non_twin_and_newer_format(tmp_path: Path, delft: Twin) -> None:
    with pytest.raises(InputError, match="no twin.toml"):
        load_twin(tmp_path)
    folder = save_twin(delft, tmp_path / "delft.twin")
    manifest = (folder / MANIFEST).read_text().replace("format_version = 1", "format_version = 99")
    (folder / MANIFEST).write_text(manifest)
    with pytest.raises(InputError, match="format_version"):
        load_twin(folder)


def test_override_columns_survive_a_round_trip(delft: Twin, tmp_path: Path) -> None:
    retrofitted = delft.replace(buildings=delft.buildings.assign(u_wall=0.2, heating_system="heat_pump"))
    back = load_twin(save_twin(retrofitted, tmp_path / "r.twin"))
    assert (back.buildings["u_wall"] == 0.2).all()
    assert (back.buildings["heating_system"] == "heat_pump").all()


def test_saving_the_same_twin_again_keeps_its_observations(delft: Twin, tmp_path: Path) -> None:
    from twin.feeds.archive import append_observations, list_series, read_series
    from twin.feeds.base import Observation

    folder = save_twin(delft, tmp_path / "delft.twin")
    stored = [Observation("t1", "temperature", 1_700_000_000_000 + 60_000 * i, 10.0 + i, "degC")
              for i in range(5)]
    assert append_observations(folder, stored).stored == 5
    save_twin(delft.replace(warnings=(*delft.warnings, "edited")), folder)
    values, unit = read_series(folder, "t1", "temperature")
    assert list(values) == [10.0, 11.0, 12.0, 13.0, 14.0] and unit == "degC"
    assert load_twin(folder).warnings[-1] == "edited"  # hashes still match after the copy
    other = save_twin(delft.replace(name="elsewhere"), folder)  # another twin: a fresh start
    assert list_series(other).empty
