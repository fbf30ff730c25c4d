"""Hourly series per building written block by block into one HDF5 file.

Layout (rows = simulated buildings in the order the kernel ran them, see ``id``):

- ``/energy/hourly/id`` (n,) building ids; ``/energy/hourly/time`` (n_hours,) int64 UTC unix
  seconds of the END of each hour;
- ``heating_W``, ``cooling_W`` (ideal need), ``air_temp_C``, ``electricity_W`` (demand),
  ``pv_W`` (AC): float32 (n, n_hours), chunks of (``CHUNK_ROWS``, n_hours), LZF-compressed
  with byte shuffle; attribute ``units`` on each.

Written to ``<path>.tmp`` and renamed when complete, so a failed run leaves no file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from twin.energy.solar import unix_seconds

GROUP = "energy/hourly"
SERIES = {"heating_W": "W", "cooling_W": "W", "air_temp_C": "degC", "electricity_W": "W",
          "pv_W": "W"}
"""Datasets of the hourly group and their units."""
CHUNK_ROWS = 16


class HourlyFile:
    """Open with the row ids and the hours; :meth:`write` blocks of rows; :meth:`close`."""

    def __init__(self, path: str | Path, ids: np.ndarray, time: pd.DatetimeIndex) -> None:
        self.path = Path(path)
        self._tmp = self.path.with_name(self.path.name + ".tmp")
        self._file = h5py.File(self._tmp, "w")
        group = self._file.require_group(GROUP)
        group.attrs["rows"] = "simulated buildings in kernel order, see id"
        group.create_dataset("id", data=np.asarray(ids, dtype=object),
                             dtype=h5py.string_dtype())
        group.create_dataset("time", data=unix_seconds(time).astype(np.int64))
        group["time"].attrs["units"] = "s since 1970-01-01 UTC, end of each hour"
        shape = (len(ids), len(time))
        chunks = (max(1, min(CHUNK_ROWS, shape[0])), max(1, shape[1]))
        self._sets = {}
        for name, unit in SERIES.items():
            ds = group.create_dataset(name, shape=shape, dtype=np.float32, chunks=chunks,
                                      compression="lzf", shuffle=True)
            ds.attrs["units"] = unit
            self._sets[name] = ds

    def write(self, start: int, stop: int, **series: np.ndarray) -> None:
        """Rows start..stop-1 of the named series (see :data:`SERIES`)."""
        for name, values in series.items():
            self._sets[name][start:stop] = values

    def close(self, ok: bool = True) -> None:
        """Finish: rename into place if ``ok``, else delete the partial file."""
        self._file.close()
        if ok:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)
