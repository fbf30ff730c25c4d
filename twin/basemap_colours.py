"""The colours the base map is drawn in and the names its legends give them, by ``kind``
(``twin.importers.osm_basemap``), shared by the 2D maps and the viewer: muted, so the
buildings and roads drawn over them stand out."""

from __future__ import annotations

from collections.abc import Iterable

BASEMAP_COLOURS: dict[str, str] = {"landuse": "#e9e7e4", "green": "#b8d4a3", "water": "#a7c6e5",
                                   "rail": "#5a5a5a"}
"""Colour (hex RGB) by kind; a kind not listed is drawn as land use."""
BASEMAP_NAMES: dict[str, str] = {"water": "water", "green": "parks, green",
                                 "landuse": "land use", "rail": "rail"}
"""What a legend calls each kind, in the legend's order (top to bottom)."""


def basemap_colour(kind: str) -> str:
    """The colour of base-map features of ``kind`` (that of land use for an unknown kind)."""
    return BASEMAP_COLOURS.get(kind, BASEMAP_COLOURS["landuse"])


def basemap_swatches(kinds: Iterable[str]) -> dict[str, str]:
    """The legend entries of a base map with features of ``kinds``: name -> colour (hex RGB),
    one per kind present, in ``BASEMAP_NAMES`` order (an unknown kind counts as land use)."""
    present = {kind if kind in BASEMAP_NAMES else "landuse" for kind in kinds}
    return {name: basemap_colour(kind) for kind, name in BASEMAP_NAMES.items() if kind in present}
