"""Importers for city data: one module per format, each a function ``path -> SourceData``.

The names below are the public API. Each is imported from its module at its first use, so
importing one format module does not load the libraries of all the others (numba, osmium,
rasterio, pyogrio).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twin.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from twin.importers.assemble import import_files
    from twin.importers.base import ImportOptions, Reader, SourceData
    from twin.importers.cityjson import read_cityjson
    from twin.importers.gtfs import read_gtfs
    from twin.importers.osm import read_osm
    from twin.importers.raster import read_raster
    from twin.importers.registry import read_source, registered_readers
    from twin.importers.sumo import read_sumo_net
    from twin.importers.vector import read_vector
    from twin.importers.weather import read_weather

_HOMES = {
    "import_files": "assemble",
    "ImportOptions": "base",
    "Reader": "base",
    "SourceData": "base",
    "read_cityjson": "cityjson",
    "read_gtfs": "gtfs",
    "read_osm": "osm",
    "read_raster": "raster",
    "read_source": "registry",
    "registered_readers": "registry",
    "read_sumo_net": "sumo",
    "read_vector": "vector",
    "read_weather": "weather",
}

__all__ = [
    "ImportOptions",
    "Reader",
    "SourceData",
    "import_files",
    "read_cityjson",
    "read_gtfs",
    "read_osm",
    "read_raster",
    "read_source",
    "read_sumo_net",
    "read_vector",
    "read_weather",
    "registered_readers",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)
