"""Importers for city data: one module per format, each a function ``path -> SourceData``.

The names below are the public API. Each is imported from its module at its first use, so
importing one format module does not load the libraries of all the others (numba, osmium,
rasterio, pyogrio).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    """The public name ``name``, imported from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names with the public API."""
    return sorted({*globals(), *__all__})
