"""Which twin object a sensor observes: a road link or a building, by id or as the nearest one
within a distance (m, in the twin CRS) of the sensor's WGS84 position."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely
from pyproj import Transformer

from twin.model import Twin

TRAFFIC_QUANTITIES = frozenset({"intensity", "flow", "speed", "occupancy", "headway"})
"""Quantities that observe road links; every other quantity observes buildings."""


class SensorMapper:
    """Finds the (kind, id) target of each sensor once and remembers it.

    ``explicit`` maps sensor ids to a (kind, id) given by configuration; otherwise a sensor whose
    id (or its last ``:``-separated part) is a link or building id observes that object, else the
    nearest link (traffic quantities) or building (others) within ``max_distance`` m (on a two-way
    road, of the two directed links with the same geometry, the one first in the table).
    """

    def __init__(self, twin: Twin, max_distance: float = 50.0,
                 explicit: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.max_distance = max_distance
        self._targets: dict[str, tuple[str, str] | None] = dict(explicit or {})
        self._ids = {"link": twin.network.links["id"].astype(str).to_numpy(),
                     "building": twin.buildings["id"].astype(str).to_numpy()}
        self._known = {kind: set(ids) for kind, ids in self._ids.items()}
        self._trees = {"link": shapely.STRtree(twin.network.links.geometry.to_numpy()),
                       "building": shapely.STRtree(twin.buildings.geometry.to_numpy())}
        self._to_twin = Transformer.from_crs("EPSG:4326", twin.crs, always_xy=True)

    @property
    def targets(self) -> dict[str, tuple[str, str]]:
        """Every sensor mapped so far and its (kind, id)."""
        return {sensor: target for sensor, target in self._targets.items() if target is not None}

    def target(self, sensor: str, quantity: str, lon: float | None = None,
               lat: float | None = None) -> tuple[str, str] | None:
        """(kind, id) of the object ``sensor`` observes, or None when nothing matches."""
        if sensor in self._targets:
            return self._targets[sensor]
        found = self._by_id(sensor)
        if found is None and lon is not None and lat is not None:
            kind = "link" if quantity in TRAFFIC_QUANTITIES else "building"
            found = self._nearest(kind, lon, lat)
        self._targets[sensor] = found
        return found

    def _by_id(self, sensor: str) -> tuple[str, str] | None:
        for candidate in (sensor, sensor.rsplit(":", 1)[-1]):
            for kind, known in self._known.items():
                if candidate in known:
                    return kind, candidate
        return None

    def _nearest(self, kind: str, lon: float, lat: float) -> tuple[str, str] | None:
        x, y = self._to_twin.transform(lon, lat)
        hits = self._trees[kind].query_nearest(shapely.Point(x, y), max_distance=self.max_distance)
        if len(hits) == 0:
            return None
        return kind, str(self._ids[kind][int(np.min(hits))])
