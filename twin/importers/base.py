"""What an importer returns: the layers read from one source file, in that file's own CRS.

Importers are plain functions ``read_xxx(path, options) -> SourceData``, offered to the import
pipeline as a :class:`Reader` registered under the entry point group ``localtwin.readers``
(``twin.importers.registry``). They do not reproject: ``twin.importers.assemble`` chooses the
twin CRS over all sources and reprojects every layer with pyproj. An importer raises
``InputError`` naming the file and field for input it cannot use, and lists what it repaired or
skipped in ``warnings`` (one line each, with counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from twin.model import Raster, Weather


@dataclass(frozen=True)
class ImportOptions:
    """Options shared by the importers.

    Attributes
    ----------
    lod : str or None, default None
        CityJSON level of detail to use (``"1.2"``, ``"2"``, ...); None for the highest present.
    crs : pyproj.CRS or None, default None
        A CRS to assume for sources that declare none (never overrides a declared one).
    column_map : dict of str to str, optional
        For vector files, twin column name -> source column name (``height``, ``floors``,
        ``use``, ``year``, ``id``, ``lanes``, ``free_speed``, ...); the key ``free_speed_unit``
        gives the unit of the speed column (``km/h``, ``m/s`` or ``mph``).
    dsm_heights : bool, default True
        Replace a building's source height by DSM − DTM inside its footprint where the two are
        more than half a storey apart (``building_completion.DSM_HEIGHT_GAP``); False keeps the
        source heights (the gap is still warned about).
    """

    lod: str | None = None
    crs: CRS | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    dsm_heights: bool = True


@dataclass
class SourceData:
    """Layers read from one file, in ``crs`` (the file's horizontal CRS; None if it has no geometry).

    Attributes
    ----------
    path : Path
        The file (or folder) read.
    kind : str
        What it held (``cityjson``, ``osm``, ``sumo``, ``gtfs``, ``dtm`` / ``dsm``, ``weather``,
        ``vector``, ...); recorded in the twin's sources.
    crs : pyproj.CRS or None
        The file's horizontal CRS [m, or degree for EPSG:4326]; None if it has no geometry.
    buildings : geopandas.GeoDataFrame or None, default None
        Rows with ``twin.model.BUILDING_COLUMNS`` (``height``, ``base_elevation`` [m]; derived
        ones may be NaN: the assembler completes them) and 2D footprint geometry.
    nodes, links : geopandas.GeoDataFrame or None, default None
        A road network with ``NODE_COLUMNS`` / ``LINK_COLUMNS`` (``length`` [m],
        ``free_speed`` [m/s], ``capacity`` [veh/h], ``lanes`` [-]); link ``length`` may be NaN
        to be measured after reprojection.
    signals : pandas.DataFrame or None, default None
        Fixed-time signal phases with ``SIGNAL_COLUMNS`` (``duration`` [s]).
    turn_bans : pandas.DataFrame or None, default None
        Banned turns with ``TURN_BAN_COLUMNS`` (link ids of ``links``).
    rasters : dict of str to Raster, optional
        Grids by role, ``"dtm"`` or ``"dsm"`` [m heights].
    weather : Weather or None, default None
        An hourly weather record.
    layers : dict of str to geopandas.GeoDataFrame, optional
        Other vector layers by name (``pois``, ``transit_stops``, ``transit_routes``, ...).
    warnings : list of str, optional
        What the reader repaired or skipped, one line each with counts.
    """

    path: Path
    kind: str
    crs: CRS | None
    buildings: gpd.GeoDataFrame | None = None
    nodes: gpd.GeoDataFrame | None = None
    links: gpd.GeoDataFrame | None = None
    signals: pd.DataFrame | None = None
    turn_bans: pd.DataFrame | None = None
    rasters: dict[str, Raster] = field(default_factory=dict)
    weather: Weather | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class Reader(Protocol):
    """A reader of one source format, as the import pipeline finds it.

    A package adds a format by registering an object of this shape under the entry point group
    ``localtwin.readers`` (the built-in readers are registered the same way, see
    ``twin.importers.readers``). ``name``: short format name (``"cityjson"``); ``suffixes``:
    lower-case file name endings it takes by name alone (``".city.json"``; the longest match
    over all readers wins); ``description``: what it reads, for messages
    (``"CityJSON (.city.json, .city.jsonl)"``).

    Attributes
    ----------
    name : str
        Short format name (``"cityjson"``).
    suffixes : tuple of str
        Lower-case file name endings it takes by name alone (``".city.json"``); the longest
        match over all readers wins.
    description : str
        What it reads, for messages (``"CityJSON (.city.json, .city.jsonl)"``).
    """

    name: str
    suffixes: tuple[str, ...]
    description: str

    def can_read(self, path: Path) -> bool:
        """True if ``path`` (a file no reader takes by its suffix, or a folder) is of this
        format, from a look at its first bytes or members.

        Parameters
        ----------
        path : Path
            The file or folder to look at.

        Returns
        -------
        bool
            Whether this reader reads it.
        """
        ...

    def read(self, path: Path, options: ImportOptions) -> SourceData:
        """The layers of ``path`` in its own CRS; InputError naming the file and field.

        Parameters
        ----------
        path : Path
            The file or folder to read.
        options : ImportOptions
            Options of the import (CRS to assume, level of detail, column map).

        Returns
        -------
        SourceData
            The layers, in the source's own CRS.

        Raises
        ------
        InputError
            Naming the file and field of input it cannot use.
        """
        ...
