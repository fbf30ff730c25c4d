"""The Twin and its parts: buildings, road network, terrain, sensors, weather and metadata.

Every geometry is in the twin's one projected CRS, in metres; units are SI (m, s, W, Wh, °C);
times are UTC. A Twin is immutable: operations return a new Twin (``Twin.replace``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from pyproj import CRS

from simulation.graph import RoadGraph, build_road_graph

BUILDING_COLUMNS: dict[str, str] = {
    "id": "object",
    "source_id": "object",
    "source": "object",
    "height": "float64",
    "height_source": "object",
    "base_elevation": "float64",
    "floors": "Int64",
    "use": "object",
    "building_type": "object",
    "year": "Int64",
    "footprint_area": "float64",
    "roof_area": "float64",
    "wall_area": "float64",
    "wall_area_n": "float64",
    "wall_area_e": "float64",
    "wall_area_s": "float64",
    "wall_area_w": "float64",
    "ground_area": "float64",
    "volume": "float64",
}
"""Columns of ``Twin.buildings`` (besides ``geometry``, the 2D footprint) and their dtypes.

height, base_elevation: m; areas: m²; volume: m³; year: construction year; height_source says
where the height came from (``attribute``, ``geometry``, ``levels``, ``dsm``, ``default``);
building_type is the source's own type of the building where it names one (OSM ``building=*``,
e.g. ``garage``, ``shed``, ``house``; null for ``yes`` and for sources without one): ``use`` is the
class it falls in, the type tells a garage from a warehouse (``twin.energy.heated``).
"""

BUILDING_USES: tuple[str, ...] = (
    "residential", "office", "retail", "education", "health", "industrial", "hotel",
    "restaurant", "sport", "public", "religious", "storage", "other", "unknown",
)
"""Values of ``buildings.use``: the classes energy archetypes and demand generation key on."""

ORIENTATIONS = ("n", "e", "s", "w")
"""Wall orientation bins of the ``wall_area_<o>`` columns: 90° sectors of the outward normal's
azimuth centred on N, E, S, W."""

STOREY_HEIGHT = 3.0
"""m per floor: the twin's one convention for turning heights into floor counts and back."""

NODE_COLUMNS: dict[str, str] = {"id": "object", "control": "object"}
"""Columns of ``Network.nodes`` besides the Point ``geometry``; control is ``signal``, ``priority``
or ``none``."""

LINK_COLUMNS: dict[str, str] = {
    "id": "object",
    "from_node": "object",
    "to_node": "object",
    "length": "float64",
    "lanes": "int64",
    "free_speed": "float64",
    "capacity": "float64",
    "road_class": "object",
    "name": "object",
}
"""Columns of ``Network.links`` besides the LineString ``geometry``: length m, free_speed m/s,
capacity veh/h over all lanes."""

SIGNAL_COLUMNS: dict[str, str] = {
    "node_id": "object",
    "program_id": "object",
    "phase": "int64",
    "duration": "float64",
    "state": "object",
}
"""Columns of ``Network.signals``: fixed-time signal phases per node (duration s, SUMO-style state
string, one character per controlled connection)."""

TURN_BAN_COLUMNS: dict[str, str] = {
    "from_link": "object",
    "to_link": "object",
    "source": "object",
}
"""Columns of ``Network.turn_bans``: a turn routing never takes, from link id into link id, and
where the ban comes from (e.g. ``relation/123 no_left_turn``)."""


def empty_frame(columns: Mapping[str, str], crs: CRS | None = None) -> gpd.GeoDataFrame:
    """An empty GeoDataFrame with the given typed columns and a geometry column."""
    data = {name: pd.Series(dtype=dtype) for name, dtype in columns.items()}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def empty_table(columns: Mapping[str, str]) -> pd.DataFrame:
    """An empty DataFrame with the given typed columns."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def typed_columns(table: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """``table`` with exactly ``columns`` (name -> dtype), in order, the missing ones empty;
    only a column of another dtype is converted (a full ``astype`` copies every column)."""
    table = table.reindex(columns=list(columns))
    return table.astype({name: dtype for name, dtype in columns.items()
                         if str(table[name].dtype) != dtype})


def conform_buildings(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with the BUILDING_COLUMNS first (missing ones added empty, dtypes enforced), then
    any further columns it has (e.g. per-building overrides set by scenarios), then geometry."""
    out = {}
    for name, dtype in BUILDING_COLUMNS.items():
        column = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index)
        if dtype == "object":
            out[name] = column.astype(object).where(column.notna(), None)
        else:
            out[name] = pd.to_numeric(column, errors="coerce").astype(dtype)
    geometry = frame.geometry.name
    out.update({name: frame[name] for name in frame.columns if name not in out and name != geometry})
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs, index=frame.index)


@dataclass(frozen=True)
class Raster:
    """One band of a regular grid: ``values[row, col]`` (float32, NaN where unknown), the affine
    ``transform`` from (col, row) to (x, y) of the cell corner, and its CRS.

    Attributes
    ----------
    values : numpy.ndarray
        Cell values, shape (rows, cols), float32 [unit of the band: m for terrain heights; NaN
        where unknown].
    transform : affine.Affine
        From (col, row) to (x, y) of the cell's corner [m in ``crs``].
    crs : pyproj.CRS
        Coordinate reference system of the grid.
    """

    values: np.ndarray
    transform: Affine
    crs: CRS

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the grid [-]."""
        return tuple(self.values.shape)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid in its CRS, m."""
        rows, cols = self.values.shape
        xs, ys = zip(*(self.transform @ corner for corner in ((0, 0), (cols, rows))))
        return (min(xs), min(ys), max(xs), max(ys))

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Value of the cell under each point (x, y); NaN outside the grid.

        Parameters
        ----------
        x, y : array_like
            Point coordinates in the grid's CRS [m], of one shape.

        Returns
        -------
        numpy.ndarray
            float64 values of the shape of ``x`` [unit of the band; NaN outside the grid].
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        cols, rows = ~self.transform @ (x, y)
        cols = np.floor(cols).astype(np.int64)
        rows = np.floor(rows).astype(np.int64)
        n_rows, n_cols = self.values.shape
        inside = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
        out = np.full(x.shape, np.nan, dtype=np.float64)
        out[inside] = self.values[rows[inside], cols[inside]]
        return out


@dataclass(frozen=True)
class Terrain:
    """Terrain grids: ``dtm`` (bare earth) and ``dsm`` (surface incl. buildings, trees), heights m.

    Attributes
    ----------
    dtm : Raster or None
        Digital terrain model, the bare earth [m heights]; None when the twin has none.
    dsm : Raster or None
        Digital surface model, with buildings and trees [m heights]; None when the twin has none.
    """

    dtm: Raster | None = None
    dsm: Raster | None = None

    def is_empty(self) -> bool:
        """True when the twin has neither grid."""
        return self.dtm is None and self.dsm is None


@dataclass(frozen=True)
class SiteLocation:
    """Where a weather record was taken: degrees WGS84, elevation m, UTC offset h of local time.

    Attributes
    ----------
    latitude : float
        WGS84 latitude, north positive [degree].
    longitude : float
        WGS84 longitude, east positive [degree].
    elevation : float, default 0.0
        Height of the site above sea level [m].
    name : str, default ""
        Name of the station or site.
    utc_offset : float, default 0.0
        Local standard time of the record minus UTC [h] (e.g. 1.0 for Central European Time).
    """

    latitude: float
    longitude: float
    elevation: float = 0.0
    name: str = ""
    utc_offset: float = 0.0


WEATHER_COLUMNS: dict[str, str] = {
    "temp_air": "°C",
    "relative_humidity": "%",
    "ghi": "W/m2",
    "dni": "W/m2",
    "dhi": "W/m2",
    "wind_speed": "m/s",
    "wind_direction": "deg",
    "pressure": "Pa",
    "opaque_sky_cover": "tenths",
    "longwave_down": "W/m2",
}
"""Columns of ``Weather.data`` and their units. ``opaque_sky_cover`` and ``longwave_down``
(horizontal infrared irradiance from the sky) give the sky temperature; they are NaN where
the source lacks them (see ``SKY_COLUMNS``)."""
SKY_COLUMNS: tuple[str, ...] = ("opaque_sky_cover", "longwave_down")
"""Weather columns that may be NaN (the sky-radiation loss then uses a constant)."""


@dataclass(frozen=True)
class Weather:
    """An hourly weather table.

    ``data`` is indexed (index name ``time``) by the UTC end of each hourly interval (EPW and TMY3 label hours by their
    end; a solar model takes the sun at the middle of the interval), with the columns of
    ``WEATHER_COLUMNS``. ``source_format`` names the file format it came from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per hour, indexed by the UTC end of the hour; columns ``temp_air`` [°C],
        ``relative_humidity`` [%], ``ghi``, ``dni``, ``dhi`` [W/m²], ``wind_speed`` [m/s],
        ``wind_direction`` [degree, from north, clockwise], ``pressure`` [Pa],
        ``opaque_sky_cover`` [tenths], ``longwave_down`` [W/m²] (those the source has).
    location : SiteLocation
        Where the record was taken.
    source_format : str, default ""
        The file format it came from (``epw``, ``tmy3``, ``dwd``, ...).
    """

    data: pd.DataFrame
    location: SiteLocation
    source_format: str = ""


@dataclass(frozen=True)
class Network:
    """Directed road network: ``nodes``, ``links`` and fixed-time ``signals`` (see the *_COLUMNS).

    Attributes
    ----------
    nodes : geopandas.GeoDataFrame
        Junctions with the ``NODE_COLUMNS`` (``id``; ``control``: ``signal``, ``priority`` or
        ``none``) and Point geometry [m in the twin CRS].
    links : geopandas.GeoDataFrame
        One row per direction of travel with the ``LINK_COLUMNS``: ``from_node`` / ``to_node``
        ids, ``length`` [m], ``lanes`` [-], ``free_speed`` [m/s], ``capacity`` over all lanes
        [veh/h], ``road_class``, ``name``, and LineString geometry [m in the twin CRS].
    signals : pandas.DataFrame
        Fixed-time signal phases with the ``SIGNAL_COLUMNS``: ``node_id``, ``program_id``,
        ``phase`` [-], ``duration`` [s] and the SUMO-style ``state`` string; empty by default.
    turn_bans : pandas.DataFrame
        Banned turns with the ``TURN_BAN_COLUMNS`` (``from_link``, ``to_link`` ids and
        ``source``), e.g. OSM turn restrictions; empty by default.
    """

    nodes: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    signals: pd.DataFrame = field(default_factory=lambda: empty_table(SIGNAL_COLUMNS))
    turn_bans: pd.DataFrame = field(default_factory=lambda: empty_table(TURN_BAN_COLUMNS))

    @classmethod
    def empty(cls, crs: CRS | None = None) -> Network:
        """A network without nodes or links.

        Parameters
        ----------
        crs : pyproj.CRS, optional
            CRS of the empty tables; None leaves it unset.
        """
        return cls(nodes=empty_frame(NODE_COLUMNS, crs), links=empty_frame(LINK_COLUMNS, crs))

    def is_empty(self) -> bool:
        """True when the network has no links."""
        return len(self.links) == 0

    @cached_property
    def node_index(self) -> pd.Index:
        """Position of each node id in ``nodes`` (the node index used by the kernels)."""
        return pd.Index(self.nodes["id"].to_numpy())

    @cached_property
    def graph(self) -> RoadGraph:
        """The network as CSR arrays for the kernels (nodes and links in table order)."""
        index = self.node_index
        link_from = index.get_indexer(self.links["from_node"].to_numpy())
        link_to = index.get_indexer(self.links["to_node"].to_numpy())
        if (link_from < 0).any() or (link_to < 0).any():
            raise ValueError("a link names a node that is not in the nodes table")
        return build_road_graph(
            node_x=self.nodes.geometry.x.to_numpy(),
            node_y=self.nodes.geometry.y.to_numpy(),
            link_from=link_from,
            link_to=link_to,
            length=self.links["length"].to_numpy(),
            free_speed=self.links["free_speed"].to_numpy(),
            capacity=self.links["capacity"].to_numpy(),
            lanes=self.links["lanes"].to_numpy(),
        )


@dataclass(frozen=True)
class SourceFile:
    """A file the twin was imported from: its path as given, SHA-256, size in bytes and kind.

    Attributes
    ----------
    path : str
        The path as it was given to the import.
    sha256 : str
        SHA-256 of its content, hexadecimal.
    size : int
        Size of the file [byte] (of all files for a folder source).
    kind : str
        What it held, as its reader names it (``cityjson``, ``osm``, ``sumo``, ``gtfs``,
        ``dtm`` / ``dsm``, ``weather``, ``vector``, or a plug-in reader's kind).
    """

    path: str
    sha256: str
    size: int
    kind: str


@dataclass(frozen=True)
class Twin:
    """A city's local digital twin in one projected metric CRS.

    Attributes
    ----------
    name : str
        Name of the twin (the stem of its ``NAME.twin`` folder).
    crs : pyproj.CRS
        The one projected metric CRS of every geometry and grid [m].
    buildings : geopandas.GeoDataFrame
        One row per building with the ``BUILDING_COLUMNS`` (``height``, ``base_elevation`` [m],
        ``floors`` [-], ``year``, areas [m²], ``volume`` [m³], ...) and the 2D footprint.
    network : Network
        The directed road network.
    terrain : Terrain, optional
        DTM / DSM grids [m heights]; none by default.
    sensors : geopandas.GeoDataFrame, optional
        Sensors (``id``, ``kind``, ``unit``, Point geometry); their time series live in the
        store's ``timeseries.h5``.
    weather : Weather or None, default None
        Hourly weather.
    layers : Mapping of str to geopandas.GeoDataFrame, optional
        Further vector layers by name (``pois``, ``transit_stops``, ``transit_routes``, ...);
        read-only.
    sources : tuple of SourceFile, default ()
        The files it was imported from.
    warnings : tuple of str, default ()
        What the import repaired or could not use.
    """

    name: str
    crs: CRS
    buildings: gpd.GeoDataFrame
    network: Network
    terrain: Terrain = field(default_factory=Terrain)
    sensors: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_frame({"id": "object", "kind": "object", "unit": "object"})
    )
    weather: Weather | None = None
    layers: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    sources: tuple[SourceFile, ...] = ()
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))

    def replace(self, **changes: Any) -> Twin:
        """A new Twin with the given fields changed; this one is left as it is.

        Parameters
        ----------
        **changes
            New values of fields, by field name (``buildings=...``, ``network=...``).

        Returns
        -------
        Twin
            The changed copy.
        """
        return dataclasses.replace(self, **changes)

    def extent(self) -> tuple[float, float, float, float] | None:
        """(xmin, ymin, xmax, ymax) in the twin CRS over all vector layers and grids, or None.

        Returns
        -------
        tuple of float or None
            (xmin, ymin, xmax, ymax) [m in ``crs``]; None when the twin holds no geometry.
        """
        boxes = [
            frame.total_bounds
            for frame in (self.buildings, self.network.links, self.network.nodes, self.sensors,
                          *self.layers.values())
            if len(frame)
        ]
        boxes += [np.array(r.bounds) for r in (self.terrain.dtm, self.terrain.dsm) if r is not None]
        if not boxes:
            return None
        stack = np.vstack(boxes)
        return (float(stack[:, 0].min()), float(stack[:, 1].min()),
                float(stack[:, 2].max()), float(stack[:, 3].max()))
