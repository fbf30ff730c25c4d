"""The HDF5 layout of observed series, shared by ``timeseries.h5`` and its append segments.

``/observations/<sensor>/<quantity>/`` holds ``time`` (int64 ms since 1970-01-01 UTC, ascending,
unique) and ``value`` (float64, its unit in the ``units`` attribute). A sensor group's attributes
name the sensor (``sensor``) and the twin object it observes (``target_kind`` = ``link``,
``building`` or "", ``target_id``). Names are percent-quoted (HDF5 names cannot hold "/").

Chunks fit each series: ``FIRST_CHUNK`` values at first, and a series that grows to ``GROWTH``
chunks is rewritten with chunks ``GROWTH`` times longer, up to ``MAX_CHUNK``; groups and chunk
indexes are the compact ones of HDF5 1.10 (``LIBVER``), so a one-value series takes about 2.5 kB.
Files are built in memory (``in_memory``) and written whole, so HDF5 never writes to disk itself:
a full disk is then a plain failed write (HDF5 left with a file it cannot write ends the process
with a segmentation fault).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import h5py
import numpy as np

FIRST_CHUNK = 32
"""Fewest values in a series' chunk [-]: a one-message sensor takes 2 x 256 B of chunks."""
MAX_CHUNK = 4096
"""Most values in a series' chunk [-] (32 KiB of int64 or float64)."""
GROWTH = 8
"""A series is rewritten with chunks fitting its length once it holds this many chunks [-]."""
LIBVER = ("v110", "latest")
"""HDF5 format versions written: compact groups and chunk indexes."""
SERIES_COUNT = "series"
"""Attribute of an observations group: how many series the twin holds with it."""
TIME_UNITS = "ms since 1970-01-01T00:00:00Z"


def in_memory(path: Path | None) -> h5py.File:
    """``path`` read into memory and opened for writing there (a new empty file for None); the
    file on disk is never written (``file.id.get_file_image()`` gives the bytes)."""
    if path is not None:
        return h5py.File(path, "r+", driver="core", backing_store=False, libver=LIBVER)
    return h5py.File(f"series-{uuid.uuid4().hex}", "w", driver="core", backing_store=False, libver=LIBVER)


def chunk_length(n: int) -> int:
    """The chunk length of a series of ``n`` values: a power of two, at least ``FIRST_CHUNK``, at
    most ``MAX_CHUNK``, and at least 1/``GROWTH`` of ``n``.

    Parameters
    ----------
    n : int
        Values in the series [-].

    Returns
    -------
    int
        Values per chunk [-].
    """
    return min(MAX_CHUNK, max(FIRST_CHUNK, 1 << max(0, -(-n // GROWTH) - 1).bit_length()))


def create_series(parent: h5py.Group, key: str, quantity: str, unit: str, times: np.ndarray,
                  values: np.ndarray) -> None:
    """A new series ``parent/key`` of ``times`` [ms, ascending, unique] and ``values`` [``unit``],
    chunked to fit."""
    group = parent.create_group(key)
    group.attrs["quantity"] = quantity
    _datasets(group, times, values, unit)


def extend_series(group: h5py.Group, times: np.ndarray, values: np.ndarray) -> None:
    """Add ``times`` [ms, unique, none stored yet] and ``values`` to the series ``group``, keeping
    it in time order; a series that outgrows its chunks is rewritten with longer ones."""
    if len(times) == 0:
        return
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    time_data, value_data = group["time"], group["value"]
    n_old = len(time_data)
    latest = int(time_data[n_old - 1]) if n_old else np.iinfo(np.int64).min
    if chunk_length(n_old + len(times)) > time_data.chunks[0] or times[0] <= latest:
        all_times = np.concatenate([time_data[()], times])
        order = np.argsort(all_times, kind="stable")
        all_values = np.concatenate([value_data[()], values])[order]
        unit = str(value_data.attrs["units"])
        if chunk_length(len(all_times)) > time_data.chunks[0]:
            del group["time"], group["value"]
            _datasets(group, all_times[order], all_values, unit)
            return
        time_data.resize((len(all_times),))
        value_data.resize((len(all_times),))
        time_data[:] = all_times[order]
        value_data[:] = all_values
        return
    time_data.resize((n_old + len(times),))
    value_data.resize((n_old + len(times),))
    time_data[n_old:] = times
    value_data[n_old:] = values


def merge_observations(target: h5py.Group, source: h5py.Group) -> None:
    """Add every series of the observations group ``source`` (whose times are not in ``target``)
    to the observations group ``target``, with the sensors' targets and the series count."""
    for name, sensor in source.items():
        into = target.get(name)
        if into is None:
            into = target.create_group(name)
            into.attrs.update({"sensor": sensor.attrs["sensor"], "target_kind": "", "target_id": ""})
        if sensor.attrs.get("target_kind", ""):
            into.attrs["target_kind"] = sensor.attrs["target_kind"]
            into.attrs["target_id"] = sensor.attrs["target_id"]
        for key, series in sensor.items():
            times, values = series["time"][()], series["value"][()]
            if key in into:
                extend_series(into[key], times, values)
            else:
                create_series(into, key, str(series.attrs["quantity"]), str(series["value"].attrs["units"]),
                              times, values)
    if SERIES_COUNT in source.attrs:
        target.attrs[SERIES_COUNT] = int(source.attrs[SERIES_COUNT])


def _datasets(group: h5py.Group, times: np.ndarray, values: np.ndarray, unit: str) -> None:
    chunks = (chunk_length(len(times)),)
    group.create_dataset("time", data=times, maxshape=(None,), chunks=chunks).attrs["units"] = TIME_UNITS
    group.create_dataset("value", data=values, maxshape=(None,), chunks=chunks).attrs["units"] = unit
