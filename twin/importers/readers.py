"""The built-in readers, one per source format, registered under the entry point group
``localtwin.readers`` in ``pyproject.toml`` exactly as a third-party reader would be.

Each is a light description (name, suffixes, a content check); its format module, with the
libraries it needs (numba, osmium, rasterio, pyogrio), is imported at its first read.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from twin.importers.base import ImportOptions, SourceData

HEAD_BYTES = 4096
"""How much of a file the content checks look at."""


def _never(path: Path) -> bool:
    return False


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _is_cityjson(path: Path) -> bool:
    """A ``.json`` file that declares itself CityJSON near its start."""
    return path.is_file() and path.name.lower().endswith(".json") and b'"CityJSON"' in _head(path)


def _is_geojson(path: Path) -> bool:
    """A ``.json`` file holding GeoJSON features."""
    return path.is_file() and path.name.lower().endswith(".json") and b'"Feature' in _head(path)


def _is_gtfs(path: Path) -> bool:
    """A folder or zip archive with a ``stops.txt``."""
    if path.is_dir():
        return (path / "stops.txt").is_file()
    if not path.name.lower().endswith(".zip"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "stops.txt" in {Path(member).name for member in archive.namelist()}
    except (zipfile.BadZipFile, OSError):
        return False


@dataclass(frozen=True)
class BuiltinReader:
    """A reader of this package (see :class:`twin.importers.base.Reader`); ``function`` names its
    read function as ``module:name``, imported on the first read."""

    name: str
    suffixes: tuple[str, ...]
    description: str
    function: str
    sniff: Callable[[Path], bool] = _never

    def can_read(self, path: Path) -> bool:
        """True if the content check of this format recognises ``path``."""
        return self.sniff(path)

    def read(self, path: Path, options: ImportOptions) -> SourceData:
        """The layers of ``path`` read by the format's module."""
        module, name = self.function.split(":")
        reader: Callable[[Path, ImportOptions], SourceData] = getattr(
            importlib.import_module(module), name)
        return reader(path, options)


def _is_citygml(path: Path) -> bool:
    """An ``.xml`` file whose start names a CityGML namespace."""
    return (path.is_file() and path.name.lower().endswith(".xml")
            and b"http://www.opengis.net/citygml/" in _head(path))


CITYGML = BuiltinReader(
    "citygml", (".gml",), "CityGML 1.0, 2.0, 3.0 (.gml)", "twin.importers.citygml:read_citygml",
    _is_citygml)
CITYJSON = BuiltinReader(
    "cityjson", (".city.json", ".city.jsonl", ".jsonl"),
    "CityJSON (.city.json, .city.jsonl)", "twin.importers.cityjson:read_cityjson", _is_cityjson)
OSM = BuiltinReader("osm", (".osm.pbf", ".pbf", ".osm"), "OSM (.osm.pbf)",
                    "twin.importers.osm:read_osm")
SUMO = BuiltinReader("sumo", (".net.xml", ".net.xml.gz"), "SUMO (.net.xml)",
                     "twin.importers.sumo:read_sumo_net")
GTFS = BuiltinReader("gtfs", (), "GTFS (.zip or a folder with stops.txt)",
                     "twin.importers.gtfs:read_gtfs", _is_gtfs)
RASTER = BuiltinReader("raster", (".tif", ".tiff"), "GeoTIFF (.tif)",
                       "twin.importers.raster:read_raster")
WEATHER = BuiltinReader("weather", (".epw", ".dat", ".csv"),
                        "weather (.epw, TMY3 or FMI .csv, DWD .dat)", "twin.importers.weather:read_weather")
VECTOR = BuiltinReader(
    "vector", (".gpkg", ".shp", ".sqlite", ".fgb", ".geojson"),
    "vector (.gpkg, .geojson, .shp)", "twin.importers.vector:read_vector", _is_geojson)
