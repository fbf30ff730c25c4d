"""The colours the base map is drawn in, by ``kind`` (``twin.importers.osm_basemap``), shared by
the 2D map and the viewer: muted, so the buildings and roads drawn over them stand out."""

from __future__ import annotations

BASEMAP_COLOURS: dict[str, str] = {"landuse": "#e9e7e4", "green": "#b8d4a3", "water": "#a7c6e5",
                                   "rail": "#5a5a5a"}
"""Colour (hex RGB) by kind; a kind not listed is drawn as land use."""


def basemap_colour(kind: str) -> str:
    """The colour of base-map features of ``kind`` (that of land use for an unknown kind)."""
    return BASEMAP_COLOURS.get(kind, BASEMAP_COLOURS["landuse"])
