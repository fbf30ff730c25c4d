"""The scene model: a twin's layers as meshes with their drawing state, camera bookmarks and
the timeline. Qt-free: the desktop window and off-screen rendering draw the same scene."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pyvista as pv

from twin.basemap_colours import basemap_colour, basemap_swatches
from twin.importers.terrain_grids import sample_bilinear
from twin.model import Raster, Twin
from twin.quantities import NETWORK_LINKS, TWIN_BUILDINGS, TWIN_TERRAIN, units
from viewer.camera import CameraPose
from viewer.events import Signal
from viewer.layers import Layer
from viewer.live_sensors import LiveSensors
from viewer.meshes.basemap import basemap_mesh
from viewer.meshes.buildings import extrude_buildings
from viewer.meshes.ground import HeightAt
from viewer.meshes.lines import polylines
from viewer.meshes.points import point_cloud
from viewer.meshes.terrain import PROXY_POINTS, terrain_surface
from viewer.timeline import Timeline

Progress = Callable[[int, int, str], None]
"""Called with (steps done, steps in all, what is being done)."""
ROAD_OFFSET = 0.3
"""Roads are drawn this far (m) above the ground so the terrain does not hide them."""
POINT_OFFSET = 1.0
"""Points are drawn this far (m) above the ground."""
BASEMAP = "basemap"
"""The twin layer (and scene layer) of the base map: water, green, land use, rail."""


class Scene:
    """A twin's layers (in drawing order), bookmarks and timeline.

    Mesh coordinates are world coordinates minus ``origin`` (x, y in the twin CRS, m). Scenes
    compared side by side share one ``timeline``. ``live``: the live sensors of a twin folder
    whose feeds store observations (refreshed by the window), else None.
    """

    def __init__(self, twin: Twin, origin: tuple[float, float], layers: list[Layer],
                 timeline: Timeline | None = None) -> None:
        self.twin = twin
        self.title = twin.name
        self.origin = origin
        self.layers: dict[str, Layer] = {}
        self.bookmarks: dict[str, CameraPose] = {}
        self.bookmarks_changed = Signal()
        self.timeline = timeline or Timeline()
        self.timeline.changed.connect(self._on_time)
        self.live: LiveSensors | None = None
        for layer in layers:
            self.add_layer(layer)

    def set_timeline(self, timeline: Timeline) -> None:
        """Follow ``timeline`` (that of a scene compared with this one) instead of its own."""
        self.timeline.changed.disconnect(self._on_time)
        self.timeline = timeline
        timeline.changed.connect(self._on_time)
        self._on_time("index")

    def add_layer(self, layer: Layer) -> None:
        """Add ``layer`` on top (before the scene is drawn), at the timeline's step."""
        self.layers[layer.name] = layer
        layer.set_step(self.timeline.index)

    def bounds(self) -> tuple[float, float, float, float, float, float]:
        """(xmin, xmax, ymin, ymax, zmin, zmax) of the visible layers (all if none is visible);
        empty layers (a step without vehicles) do not count."""
        drawn = [layer for layer in self.layers.values() if layer.mesh.n_points > 0]
        layers = [layer for layer in drawn if layer.visible] or drawn
        if not layers:
            return (-1.0, 1.0, -1.0, 1.0, 0.0, 1.0)
        box = np.array([layer.mesh.bounds for layer in layers]).reshape(-1, 3, 2)
        return tuple(np.column_stack([box[:, :, 0].min(axis=0), box[:, :, 1].max(axis=0)]).ravel())

    def to_world(self, point: np.ndarray) -> np.ndarray:
        """Scene coordinates to world (twin CRS) coordinates, m."""
        return np.asarray(point, dtype=np.float64) + (*self.origin, 0.0)

    def to_scene(self, point: np.ndarray) -> np.ndarray:
        """World (twin CRS) coordinates to scene coordinates, m."""
        return np.asarray(point, dtype=np.float64) - (*self.origin, 0.0)

    def save_bookmark(self, name: str, pose: CameraPose) -> None:
        """Keep the camera ``pose`` as bookmark ``name`` (replacing one of that name)."""
        self.bookmarks[name] = pose
        self.bookmarks_changed.emit()

    def remove_bookmark(self, name: str) -> None:
        """Forget bookmark ``name`` (KeyError if there is none)."""
        del self.bookmarks[name]
        self.bookmarks_changed.emit()

    def _on_time(self, field: str) -> None:
        """Every layer follows the timeline's step (before the views draw the frame)."""
        if field in ("steps", "index"):
            for layer in self.layers.values():
                layer.set_step(self.timeline.index)


def build_scene(twin: Twin, progress: Progress | None = None) -> Scene:
    """The scene of ``twin``: terrain (or a flat ground), its base map, buildings, roads and the
    point and line layers it has."""
    origin = scene_origin(twin)
    return Scene(twin, origin, twin_layers(twin, origin, progress))


def scene_origin(twin: Twin) -> tuple[float, float]:
    """The middle of the twin's extent, rounded to 100 m: subtracted from scene coordinates."""
    extent = twin.extent() or (0.0, 0.0, 0.0, 0.0)
    return round((extent[0] + extent[2]) / 2, -2), round((extent[1] + extent[3]) / 2, -2)


def twin_layers(twin: Twin, origin: tuple[float, float], progress: Progress | None = None) -> list[Layer]:
    """The layers of ``twin`` in drawing order, meshes relative to ``origin``."""
    extent = twin.extent() or (0.0, 0.0, 0.0, 0.0)
    dtm = twin.terrain.dtm
    ground = ground_of(dtm)
    steps: list[tuple[str, Callable[[], Layer | None]]] = [
        ("terrain", lambda: _terrain_layer(dtm, origin) or _ground_layer(extent, origin)),
        ("basemap", lambda: _basemap_layer(twin.layers.get(BASEMAP), origin, ground)),
        ("buildings", lambda: _buildings_layer(twin.buildings, origin)),
        ("roads", lambda: _feature_layer("roads", twin.network.links, origin, ground, "dimgray",
                                         units(NETWORK_LINKS))),
        ("sensors", lambda: _feature_layer("sensors", twin.sensors, origin, ground, "red")),
        *((name, lambda frame=frame, name=name: _feature_layer(name, frame, origin, ground, "orange",
                                                               points_shown=False))
          for name, frame in twin.layers.items() if name != BASEMAP),
    ]
    layers = []
    for done, (name, build) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), f"building {name}")
        layer = build()
        if layer is not None:
            layers.append(layer)
    if progress is not None:
        progress(len(steps), len(steps), "scene ready")
    return layers


def ground_of(dtm: Raster | None) -> HeightAt | None:
    """The ground height (m) at world x, y: the DTM's, or None (flat, 0 m) without one."""
    return None if dtm is None else (lambda x, y: sample_bilinear(dtm, x, y))


def _terrain_layer(dtm: Raster | None, origin: tuple[float, float]) -> Layer | None:
    if dtm is None or not np.isfinite(dtm.values).any():
        return None
    return Layer("terrain", "terrain", terrain_surface(dtm, origin),
                 proxy=terrain_surface(dtm, origin, max_points=PROXY_POINTS), colour="tan",
                 cmap="gist_earth", units=units(TWIN_TERRAIN))


def _ground_layer(extent: tuple[float, float, float, float], origin: tuple[float, float]) -> Layer:
    """A flat ground at 0 m under the twin's extent (a little wider), for twins without a DTM."""
    xmin, ymin, xmax, ymax = extent
    margin = 0.05 * max(xmax - xmin, ymax - ymin, 100.0)
    ground = pv.Plane(center=((xmin + xmax) / 2 - origin[0], (ymin + ymax) / 2 - origin[1], 0.0),
                      i_size=xmax - xmin + 2 * margin, j_size=ymax - ymin + 2 * margin)
    ground.clear_data()
    return Layer("ground", "terrain", ground, colour="#d8d2c4")


def _basemap_layer(frame: gpd.GeoDataFrame | None, origin: tuple[float, float],
                   ground: HeightAt | None) -> Layer | None:
    """The base map flat on the ground (the DTM, else 0 m), in its colours by kind, with a
    legend of the kinds it has."""
    if frame is None or len(frame) == 0:
        return None
    mesh = basemap_mesh(frame.geometry.to_numpy(), frame["kind"].to_numpy(), origin, ground)
    return Layer(BASEMAP, "basemap", mesh, table=frame, colour=basemap_colour("landuse"),
                 swatches=basemap_swatches(frame["kind"].astype(str)))


def _buildings_layer(buildings: gpd.GeoDataFrame, origin: tuple[float, float]) -> Layer | None:
    if len(buildings) == 0:
        return None
    meshes = extrude_buildings(buildings.geometry.to_numpy(), buildings["base_elevation"].to_numpy(),
                               buildings["height"].to_numpy(), origin)
    return Layer("buildings", "buildings", meshes.full, table=buildings, proxy=meshes.roofs,
                 colour="gainsboro", color_by="height", units=units(TWIN_BUILDINGS))


def _feature_layer(name: str, frame: gpd.GeoDataFrame, origin: tuple[float, float],
                   ground: HeightAt | None, colour: str,
                   column_units: dict[str, str] | None = None,
                   points_shown: bool = True) -> Layer | None:
    """Lines as polylines, anything else as points (hidden unless ``points_shown``: the POIs
    of a city would cover it); None for an empty frame. column_units: of the frame's columns
    (``twin.quantities``), where known."""
    if len(frame) == 0:
        return None
    geometry = frame.geometry.to_numpy()
    if frame.geometry.geom_type.isin(["LineString", "MultiLineString"]).mean() > 0.5:
        return Layer(name, "lines", polylines(geometry, origin, ground, ROAD_OFFSET),
                     table=frame, colour=colour, units=column_units or {})
    return Layer(name, "points", point_cloud(geometry, origin, ground, POINT_OFFSET),
                 table=frame, colour=colour, units=column_units or {}, visible=points_shown)
