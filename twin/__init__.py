"""The local digital twin: data model, importers, store, CLI.

The data model's names are imported from ``twin.model`` at their first use, so that importing a
part of the package (the command line, the errors) does not load geopandas, pyproj and the
road graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twin.errors import InputError, IntegrityError, TwinError
from twin.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from twin.model import Network, Raster, SiteLocation, SourceFile, Terrain, Twin, Weather

_HOMES = dict.fromkeys(
    ("Network", "Raster", "SiteLocation", "SourceFile", "Terrain", "Twin", "Weather"), "model")

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

__getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)
