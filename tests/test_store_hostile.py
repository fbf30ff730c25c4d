"""Hostile twin folders: a corpus of broken or tampered manifests and files, one case per attack,
each with the exact line ``twin info`` must print (exit code 2, never a traceback). Nothing
outside the folder is read and nothing unlisted is loaded."""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import h5py
import pytest
import tomli_w

from twin.cli import main
from twin.errors import TwinError
from twin.model import Twin
from twin.store import MANIFEST, load_twin, save_twin


def _edit(change: Callable[[dict], None]) -> Callable[[Path], None]:
    """An attack that rewrites the manifest with ``change``."""
    def attack(folder: Path) -> None:
        manifest = tomllib.loads((folder / MANIFEST).read_text())
        change(manifest)
        (folder / MANIFEST).write_text(tomli_w.dumps(manifest))
    return attack


def _set(*keys: str, value: object) -> Callable[[Path], None]:
    def change(manifest: dict) -> None:
        node = manifest
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return _edit(change)


def _drop(key: str) -> Callable[[Path], None]:
    return _edit(lambda manifest: manifest.pop(key))


def _rehash(folder: Path, name: str) -> None:
    """Make the manifest agree with the file ``name`` as it now is (a forged twin)."""
    data = (folder / name).read_bytes()
    _set("files", name, value={"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})(folder)


def _foreign_format(folder: Path) -> None:  # an OGR VRT reads any file it names
    (folder / "layers.gpkg").write_text('<OGRVRTDataSource><OGRVRTLayer name="buildings">'
                                        "<SrcDataSource>/etc/hostname</SrcDataSource>"
                                        "</OGRVRTLayer></OGRVRTDataSource>")
    _rehash(folder, "layers.gpkg")


def _external_link(folder: Path) -> None:
    outside = folder.parent / "outside.h5"
    with h5py.File(outside, "w") as store:
        store["temp_air"] = [99.0]
    with h5py.File(folder / "timeseries.h5", "a") as store:
        del store["weather/temp_air"]
        store["weather/temp_air"] = h5py.ExternalLink(str(outside), "temp_air")
    _rehash(folder, "timeseries.h5")


def _symlink(folder: Path) -> None:  # the same bytes, but through a link out of the folder
    outside = folder.parent / "outside.tif"
    shutil.move(folder / "terrain_dsm.tif", outside)
    (folder / "terrain_dsm.tif").symlink_to(outside)


def _linked_segments(folder: Path) -> None:  # the segments' folder a link to one outside
    outside = folder.parent / "outside-segments"
    outside.mkdir()
    (folder / "timeseries").symlink_to(outside)


def _dropped_in_timeseries(folder: Path) -> None:
    _edit(lambda manifest: manifest["files"].pop("timeseries.h5"))(folder)


def _wrong_crs(folder: Path) -> None:
    from pyproj import CRS

    _set("crs", "wkt", value=CRS("EPSG:32631").to_wkt())(folder)


ALL = "layers.gpkg, timeseries.h5, terrain_dtm.tif, terrain_dsm.tif or timeseries/segment-NNNNNN.h5"
CORPUS: dict[str, tuple[Callable[[Path], None], str]] = {
    "not TOML": (lambda f: (f / MANIFEST).write_text("name = ["),
                 "M: broken manifest: Invalid value (at end of document)"),
    "no name": (_drop("name"), "M: name: missing from the manifest"),
    "version as text": (_set("format_version", value="1"),
                        "M: format_version: '1' is not a version number"),
    "version too new": (_set("format_version", value=99),
                        "M: format_version: 99 is newer than this program reads (1)"),
    "name a number": (_set("name", value=5), "M: name: expected a string, got int 5"),
    "crs a string": (_set("crs", value="EPSG:28992"),
                     "M: crs: expected a table, got str 'EPSG:28992'"),
    "crs not WKT": (_set("crs", "wkt", value="EPSG:nonsense"), "M: crs.wkt: not a CRS in WKT"),
    "files an array": (_set("files", value=[]), "M: files: expected a table, got list []"),
    "files empty": (_set("files", value={}),
                    "M: files: does not list layers.gpkg, which every twin holds"),
    "file outside": (_set("files", "/etc/hostname", value={"sha256": "0" * 64, "size": 1}),
                     f"M: files./etc/hostname: not a file of a twin folder (expected one of {ALL})"),
    "file up": (_set("files", "../delft.twin/layers.gpkg", value={"sha256": "0" * 64, "size": 1}),
                "M: files.../delft.twin/layers.gpkg: not a file of a twin folder (expected one "
                f"of {ALL})"),
    "hash a number": (_set("files", "layers.gpkg", "sha256", value=5),
                      "M: files.layers.gpkg.sha256: expected a string, got int 5"),
    "hash not hex": (_set("files", "layers.gpkg", "sha256", value="abc"),
                     "M: files.layers.gpkg.sha256: not a SHA-256 (64 lowercase hex digits)"),
    "size text": (_set("files", "layers.gpkg", "size", value="big"),
                  "M: files.layers.gpkg.size: 'big' is not a size in bytes"),
    "entry a string": (_set("files", "layers.gpkg", value="abc"),
                       "M: files.layers.gpkg: expected a table, got str 'abc'"),
    "layers a number": (_set("layers", value=3), "M: layers: expected a table, got int 3"),
    "layer name a path": (_set("layers", "extra", value=["../x"]),
                          "M: layers.extra: '../x' is not a layer name"),
    "layer not stored": (_set("layers", "extra", value=["pois"]),
                         "M: layers.extra: pois: no layer_pois in layers.gpkg"),
    "source a number": (_set("sources", value=[1]), "M: sources[0]: expected a table, got int 1"),
    "source size text": (_edit(lambda m: m["sources"][0].update(size="x")),
                         "M: sources[0].size: expected an integer, got str 'x'"),
    "source extra key": (_edit(lambda m: m["sources"][0].update(code="x")),
                         "M: sources[0]: expected the keys path, sha256, size, kind"),
    "warnings text": (_set("warnings", value="x"), "M: warnings: expected an array, got str 'x'"),
    "warning a table": (_set("warnings", value=[{"a": 1}]),
                        "M: warnings[0]: expected a string, got dict {'a': 1}"),
    "CRS swapped": (_wrong_crs, "M: crs: differs from the CRS of layers.gpkg (EPSG:28992); the "
                                "manifest was altered"),
    "time series dropped in": (_dropped_in_timeseries,
                               "F: files changed since the twin was saved: timeseries.h5 (not "
                               "listed in the manifest)"),
    "segment up": (_set("files", "timeseries/../layers.gpkg", value={"sha256": "0" * 64, "size": 1}),
                   f"M: files.timeseries/../layers.gpkg: not a file of a twin folder (expected one of {ALL})"),
    "segments folder a link": (_linked_segments, "F: files changed since the twin was saved: "
                                                 "timeseries (not a folder)"),
    "link out of the folder": (_symlink, "F: files changed since the twin was saved: "
                                         "terrain_dsm.tif (not a regular file)"),
    "other format, rehashed": (_foreign_format,
                               "F/layers.gpkg: not the file format its name says; refused"),
    "external HDF5 link, rehashed": (_external_link,
                                     "F/timeseries.h5: weather/temp_air: a link; refused (the "
                                     "twin reads only its own files)"),
}


@pytest.fixture(scope="module")
def pristine(delft: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("pristine") / "delft.twin")


@pytest.mark.parametrize("case", CORPUS)
def test_a_hostile_twin_folder_gives_one_line(case, pristine, tmp_path, capsys) -> None:
    folder = Path(shutil.copytree(pristine, tmp_path / "delft.twin", symlinks=True))
    attack, message = CORPUS[case]
    attack(folder)
    expected = message.replace("M: ", f"{folder / MANIFEST}: ").replace("F", str(folder), 1)
    with pytest.raises(TwinError) as error:
        load_twin(folder)
    assert str(error.value) == expected
    capsys.readouterr()
    assert main(["info", str(folder)]) == 2
    assert capsys.readouterr().err == f"error: {expected}\n"


def test_unlisted_and_linked_files_are_not_read_even_unverified(pristine, tmp_path) -> None:
    folder = Path(shutil.copytree(pristine, tmp_path / "delft.twin"))
    _dropped_in_timeseries(folder)
    assert load_twin(folder, verify=False).weather is None  # the unlisted file stays unread
    _symlink(folder)
    with pytest.raises(TwinError, match="terrain_dsm.tif: cannot be read as a file of the twin"):
        load_twin(folder, verify=False)
