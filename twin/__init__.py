"""The local digital twin: data model, importers, store, CLI."""

from twin.errors import InputError, IntegrityError, TwinError
from twin.model import Network, Raster, SiteLocation, SourceFile, Terrain, Twin, Weather

__all__ = [
    "InputError",
    "IntegrityError",
    "Network",
    "Raster",
    "SiteLocation",
    "SourceFile",
    "Terrain",
    "Twin",
    "TwinError",
    "Weather",
]
