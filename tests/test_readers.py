"""Source readers: found through the entry point group ``localtwin.readers``, the built-in ones
registered there exactly as a third-party package registers its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from twin.errors import InputError
from twin.importers.base import Reader
from twin.importers.registry import reader_for, registered_readers

PLUGIN = '''
"""A reader of ".xyz" files: one point of interest per line, "x y name" in EPSG:3067."""
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS

from twin.importers.base import SourceData


class XyzReader:
    name = "xyz"
    suffixes = (".xyz",)
    description = "points (.xyz)"

    def can_read(self, path: Path) -> bool:
        return False

    def read(self, path: Path, options) -> SourceData:
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        crs = CRS.from_epsg(3067)
        pois = gpd.GeoDataFrame(
            {"name": [r[2] for r in rows]},
            geometry=[shapely.Point(float(r[0]), float(r[1])) for r in rows], crs=crs)
        return SourceData(path=path, kind="xyz", crs=crs, layers={"pois": pois})


READER = XyzReader()
'''


def _distribution(root: Path, name: str, entry_points: str, module: str | None = None) -> None:
    """An installed distribution as importlib.metadata finds it on sys.path: a dist-info
    folder with its entry points, and its module beside it."""
    info = root / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    if module is not None:
        (root / f"{name}.py").write_text(module)


def _twin(*args: str, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(path), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "twin.cli", *args], capture_output=True,
                          text=True, timeout=300, env=env, check=False)


def test_the_built_in_readers_are_registered_as_entry_points() -> None:
    readers = registered_readers()
    assert {r.name for r in readers} == {"cityjson", "citygml", "gtfs", "osm", "raster", "sumo",
                                         "vector", "weather"}
    assert all(isinstance(r, Reader) for r in readers)


@pytest.mark.parametrize(("file", "text", "expected"), [
    ("delft.city.json", "{}", "cityjson"),
    ("buildings.json", '{"type": "CityJSON", "version": "2.0"}', "cityjson"),
    ("streets.json", '{"type": "FeatureCollection", "features": []}', "vector"),
    ("roads.geojson", "{}", "vector"),
    ("city.net.xml", "<net/>", "sumo"),
    ("helsinki.osm.pbf", "", "osm"),
    ("site.epw", "", "weather"),
])
def test_a_reader_is_chosen_by_suffix_then_content(tmp_path: Path, file: str, text: str,
                                                   expected: str) -> None:
    path = tmp_path / file
    path.write_text(text)
    assert reader_for(path).name == expected


def test_a_gtfs_folder_is_recognised_and_any_other_folder_refused(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "stops.txt").write_text("stop_id,stop_lat,stop_lon\n")
    assert reader_for(feed).name == "gtfs"
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(InputError, match=r"other: a folder; expected .*GTFS"):
        reader_for(other)


def test_a_json_that_is_neither_cityjson_nor_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"zoom": 3}')
    with pytest.raises(InputError, match=r"settings\.json: unknown file type; expected .*CityJSON"):
        reader_for(path)


def test_a_third_party_reader_imports_through_the_cli(tmp_path: Path) -> None:
    plugins = tmp_path / "site"
    _distribution(plugins, "xyz_reader", "[localtwin.readers]\nxyz = xyz_reader:READER\n", PLUGIN)
    source = tmp_path / "kiosks.xyz"
    source.write_text("385000 6672000 kiosk-a\n385100 6672050 kiosk-b\n385200 6672100 kiosk-c\n")
    out = tmp_path / "kiosks.twin"
    result = _twin("import", str(source), "-o", str(out), path=plugins)
    assert result.returncode == 0, result.stderr
    summary = json.loads(_twin("info", str(out), "--json", path=plugins).stdout)
    assert summary["crs"] == "EPSG:3067" and summary["layers"] == {"pois": 3}
    assert [s["kind"] for s in summary["sources"]] == ["xyz"]


def test_a_broken_reader_is_left_out_and_the_others_still_read(tmp_path: Path) -> None:
    plugins = tmp_path / "site"
    _distribution(plugins, "broken_reader",
                  "[localtwin.readers]\nbroken = no_such_module:READER\n"
                  "notareader = json:dumps\n")
    source = tmp_path / "roads.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"highway": "residential"},
        "geometry": {"type": "LineString", "coordinates": [[24.94, 60.17], [24.95, 60.17]]}}]}))
    result = _twin("import", str(source), "-o", str(tmp_path / "roads.twin"), path=plugins)
    assert result.returncode == 0, result.stderr
    assert "reader broken (no_such_module:READER) cannot be loaded" in result.stderr
    assert "reader notareader (json:dumps) is not a Reader" in result.stderr
