"""Which polygon layers of a multi-layer file hold buildings.

A GeoPackage of an urban-morphology study holds buildings beside plots, street blocks and a
tessellation: all polygons, only one of them buildings. A layer is taken for buildings by its
name (``BUILDING_WORDS``); when the names single out building layers, the other polygon layers
are kept as plain layers of the twin, not as buildings. When no name tells (or only one layer
holds polygons), every polygon layer is read as buildings, as before, and a file with several
such layers says so.
"""

from __future__ import annotations

BUILDING_WORDS = ("build", "bldg", "gebou", "gebäude", "gebaeude", "pand", "rakennu", "batiment",
                  "bâtiment", "edific", "footprint", "house")
"""Parts of layer names that say "buildings" (English, Dutch, German, Finnish, French, Spanish
and Italian)."""


def building_layers(polygon_layers: list[str]) -> tuple[list[str], list[str]]:
    """(layers read as buildings, polygon layers kept as plain layers).

    Parameters
    ----------
    polygon_layers : list of str
        The names of the file's layers that hold polygons, in file order.

    Returns
    -------
    tuple of (list of str, list of str)
        The building layers and the other polygon layers.
    """
    named = [n for n in polygon_layers if any(w in n.lower() for w in BUILDING_WORDS)]
    if not named:
        return list(polygon_layers), []
    return named, [n for n in polygon_layers if n not in named]
