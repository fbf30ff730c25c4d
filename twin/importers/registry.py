"""Which importer reads which file: by name, then by a look at the first bytes."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData

Reader = Callable[[Path, ImportOptions], SourceData]

_BY_SUFFIX: dict[str, str] = {
    ".city.json": "cityjson", ".city.jsonl": "cityjson", ".jsonl": "cityjson",
    ".osm.pbf": "osm", ".pbf": "osm", ".osm": "osm",
    ".net.xml": "sumo", ".net.xml.gz": "sumo",
    ".tif": "raster", ".tiff": "raster",
    ".epw": "weather", ".dat": "weather",
    ".gpkg": "vector", ".shp": "vector", ".sqlite": "vector", ".fgb": "vector", ".geojson": "vector",
}
FORMATS = ("cityjson", "osm", "sumo", "gtfs", "raster", "weather", "vector")


def detect_format(path: Path) -> str:
    """The importer name for ``path`` (one of FORMATS); InputError when nothing reads it."""
    name = path.name.lower()
    for suffix in sorted(_BY_SUFFIX, key=len, reverse=True):
        if name.endswith(suffix):
            return _BY_SUFFIX[suffix]
    if name.endswith(".json"):
        with open(path, "rb") as handle:
            head = handle.read(4096)
        return "cityjson" if b'"CityJSON"' in head else "vector"
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                members = {Path(m).name for m in archive.namelist()}
        except zipfile.BadZipFile:
            raise InputError(path, None, "not a zip archive") from None
        if "stops.txt" in members:
            return "gtfs"
        raise InputError(path, None, "a zip archive that is not a GTFS feed (no stops.txt)")
    if name.endswith(".csv"):
        return "weather"
    raise InputError(
        path, None,
        "unknown file type; expected CityJSON (.city.json, .city.jsonl), OSM (.osm.pbf), "
        "SUMO (.net.xml), GTFS (.zip), GeoTIFF (.tif), weather (.epw, TMY3 .csv, DWD .dat) "
        "or vector (.gpkg, .geojson, .shp)",
    )


def reader_for(kind: str) -> Reader:
    """The read function of importer ``kind`` (imported on first use)."""
    if kind == "cityjson":
        from twin.importers.cityjson import read_cityjson as reader
    elif kind == "osm":
        from twin.importers.osm import read_osm as reader
    elif kind == "sumo":
        from twin.importers.sumo import read_sumo_net as reader
    elif kind == "gtfs":
        from twin.importers.gtfs import read_gtfs as reader
    elif kind == "raster":
        from twin.importers.raster import read_raster as reader
    elif kind == "weather":
        from twin.importers.weather import read_weather as reader
    elif kind == "vector":
        from twin.importers.vector import read_vector as reader
    else:
        raise ValueError(f"unknown importer {kind!r}")
    return reader


def read_source(path: str | Path, options: ImportOptions = ImportOptions()) -> SourceData:
    """Read one source file with the importer its name and content call for."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "no such file")
    if path.is_dir():
        if (path / "stops.txt").is_file():
            return reader_for("gtfs")(path, options)
        raise InputError(path, None, "is a folder, not a file (only a GTFS feed may be a folder)")
    return reader_for(detect_format(path))(path, options)
