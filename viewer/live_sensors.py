"""Live sensors: the observed series the feeds store in a twin folder (``twin listen``), drawn at
the link or building each sensor observes and coloured by its latest value, refreshed while the
folder is open. Qt-free: the window's timer calls ``LiveSensors.refresh``."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import TwinError
from twin.feeds.archive import list_series
from twin.model import Twin
from twin.store import MANIFEST
from viewer.layers import Layer
from viewer.meshes.ground import HeightAt
from viewer.meshes.points import point_cloud
from viewer.series import Series

LAYER_NAME = "live sensors"
LATEST = "latest"
POINT_OFFSET = 6.0
"""Live sensors are drawn this far (m) above the ground, over the roads and roofs they observe."""


def sensor_table(folder: str | Path, twin: Twin) -> gpd.GeoDataFrame:
    """One row per stored series (sensor, quantity, unit, target kind and id, last time and
    value) of a sensor mapped to a link or building of ``twin``, placed at the link's middle or
    the building's footprint."""
    series = list_series(folder)
    links = twin.network.links.set_index("id").geometry
    buildings = twin.buildings.set_index("id").geometry
    where = []
    for kind, target in zip(series["target_kind"], series["target_id"], strict=True):
        frame = links if kind == "link" else buildings if kind == "building" else None
        geometry = frame.get(target) if frame is not None else None
        if geometry is not None and kind == "link":
            geometry = shapely.line_interpolate_point(geometry, 0.5, normalized=True)
        where.append(geometry)
    table = series.assign(geometry=where)
    table = table[table["geometry"].notna()].reset_index(drop=True)
    return gpd.GeoDataFrame(table.drop(columns=["count", "first"]), geometry="geometry",
                            crs=twin.crs)


def latest_values(folder: str | Path, table: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The last stored value of each of ``table``'s series (sensor, quantity) and its time (UTC,
    ISO 8601; "" and NaN for a series no longer stored), from one read of the store."""
    stored = list_series(folder).set_index(["sensor", "quantity"])
    rows = stored.reindex(pd.MultiIndex.from_frame(table[["sensor", "quantity"]]))
    times = [stamp.isoformat() if pd.notna(stamp) else "" for stamp in rows["last"]]
    return rows["last_value"].to_numpy(dtype=np.float64), times


class LiveSensors:
    """The live sensors layer of a twin folder and how to bring it up to date."""

    def __init__(self, folder: str | Path, layer: Layer) -> None:
        self.folder = Path(folder)
        self.layer = layer
        self._stamp = self._file_stamp()

    def refresh(self) -> bool:
        """Read the latest values if the folder's time series changed; True if they did (the
        layer then emits ``changed("color_by")``, which redraws it with the new range)."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        assert self.layer.table is not None
        try:
            values, times = latest_values(self.folder, self.layer.table)
        except (OSError, TwinError):  # the feeds are swapping the folder in: next time
            return False
        self._stamp = stamp
        self.layer.table["last_time"] = times
        self.layer.series[LATEST] = Series(values[None, :], np.zeros(1, np.int64))
        self.layer.changed.emit("color_by")
        return True

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = (self.folder / MANIFEST).stat()  # each append or save puts a new one in place
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns


def live_sensors(folder: str | Path, twin: Twin, origin: tuple[float, float],
                 ground: HeightAt | None) -> LiveSensors | None:
    """The live sensors of the twin folder, or None if it stores no observations of sensors on
    the twin's links or buildings."""
    table = sensor_table(folder, twin)
    if table.empty:
        return None
    values = table.pop("last_value").to_numpy(dtype=np.float64)
    table["last_time"] = [stamp.isoformat() for stamp in table.pop("last")]
    mesh = point_cloud(table.geometry.to_numpy(), origin, ground, POINT_OFFSET)
    layer = Layer(LAYER_NAME, "points", mesh, table=pd.DataFrame(table.drop(columns="geometry")),
                  colour="red", cmap="turbo",
                  series={LATEST: Series(values[None, :], np.zeros(1, np.int64))})
    layer.color_by = LATEST
    return LiveSensors(folder, layer)
