"""Observations in the twin folder's ``timeseries.h5``, appended atomically with the manifest kept right.

Layout: ``/observations/<sensor>/<quantity>/`` holds ``time`` (int64 ms since 1970-01-01 UTC,
ascending, unique) and ``value`` (float64, its unit in the ``units`` attribute). A sensor group's
attributes name the sensor (``sensor``) and the twin object it observes (``target_kind`` =
``link``, ``building`` or "", ``target_id``). Names are percent-quoted (HDF5 names cannot hold "/").

An append works on a copy: the other files are hard-linked into a staging folder, a copy of
``timeseries.h5`` in memory gets the new observations and is written there (a full disk: an
OSError naming ``timeseries.h5``, the twin as it was), the manifest gets its new SHA-256, and
the staging folder, flushed to disk, trades places with the twin folder in one step
(``twin.store.swap``). A
failure or a kill at any step leaves the stored twin as it was; an append that returned is on
disk. Appends and saves of the twin, from any process, are serialised by the twin folder's lock
(``twin.store.lock``), so a save never drops observations an append reported stored.
Appending is idempotent: an observation whose (sensor, quantity, time) is already stored is skipped.

Size: a twin holds at most ``MAX_SERIES`` series (the observations group's ``series`` attribute
counts them); an observation of a new series beyond them is refused alone. Chunks fit each
series: ``FIRST_CHUNK`` values at first, and a series that grows to ``GROWTH`` chunks is rewritten
with chunks ``GROWTH`` times longer, up to ``MAX_CHUNK``; groups and chunk indexes are the
compact ones of HDF5 1.10 (``libver``), so a one-value series takes about 2.5 kB, where 64 KiB
chunks took 73 kB.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import h5py
import numpy as np
import pandas as pd
import tomli_w

from twin.errors import InputError, IntegrityError
from twin.feeds.base import Observation, log
from twin.feeds.observation_checks import observation_problem
from twin.hashing import sha256_file
from twin.store import MANIFEST, OBSERVATIONS, TIMESERIES, read_manifest
from twin.store.leftovers import recover, working_name
from twin.store.lock import folder_lock
from twin.store.swap import fsync_folder, replace_folder

GROUP = OBSERVATIONS
FIRST_CHUNK = 32
"""Fewest values in a series' chunk [-]: a one-message sensor takes 2 x 256 B of chunks."""
MAX_CHUNK = 4096
"""Most values in a series' chunk [-] (32 KiB of int64 or float64)."""
GROWTH = 8
"""A series is rewritten with chunks fitting its length once it holds this many chunks [-]."""
MAX_SERIES = 50_000
"""Most series (sensor, quantity) a twin stores [-]; an observation of a new series beyond them
is refused alone (about 2.5 kB of the file per series: 125 MB at the limit)."""
_COUNT = "series"
"""Attribute of the observations group: how many series it holds."""


@dataclass(frozen=True)
class AppendResult:
    """What one append did: observations newly ``stored``, ``duplicates`` already stored (skipped),
    ``out_of_order`` (stored, but older than one stored or given before them in the same series),
    ``rejected`` because their unit differs from the stored series' unit, ``invalid`` ones that
    cannot be stored at all (skipped), and those ``refused`` because their series would be new
    beyond ``MAX_SERIES``.

    Attributes
    ----------
    stored : int, default 0
        Observations newly stored [-].
    duplicates : int, default 0
        Observations already stored, skipped [-].
    out_of_order : int, default 0
        Stored observations older than one stored or given before them in their series [-].
    rejected : int, default 0
        Observations whose unit differs from their stored series' unit [-].
    invalid : int, default 0
        Observations not storable (``twin.feeds.observation_checks``), skipped [-].
    refused : tuple of Observation, default ()
        Observations of new series beyond ``MAX_SERIES``, not stored.
    """

    stored: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    rejected: int = 0
    invalid: int = 0
    refused: tuple[Observation, ...] = ()


def append_observations(folder: str | Path, observations: Iterable[Observation],
                        targets: Mapping[str, tuple[str, str]] | None = None) -> AppendResult:
    """Append ``observations`` to the twin in ``folder``; ``targets`` maps a sensor id to the
    (kind, id) of the twin object it observes. Returns the counts of what was stored and skipped.

    Parameters
    ----------
    folder : str or Path
        The twin folder; its ``timeseries.h5`` and manifest are replaced atomically.
    observations : iterable of Observation
        The observations to append, in arrival order.
    targets : Mapping of str to (str, str), optional
        Sensor id -> (``link`` or ``building``, object id) of the twin object it observes.

    Returns
    -------
    AppendResult
        What was stored and skipped.

    Raises
    ------
    InputError
        When ``folder`` is not a twin folder.
    IntegrityError
        When its ``timeseries.h5`` changed since it was saved.
    """
    folder = Path(folder)
    given = list(observations)
    observations = [o for o in given if observation_problem(o) is None]
    invalid = len(given) - len(observations)
    if not observations:
        return AppendResult(invalid=invalid)
    recover(folder)
    with folder_lock(folder):
        result = _append(folder, observations, targets or {})
    return dataclasses.replace(result, invalid=invalid)


def _append(folder: Path, observations: list[Observation], targets: Mapping[str, tuple[str, str]]) -> AppendResult:
    manifest = read_manifest(folder)
    entry = manifest["files"].get(TIMESERIES)
    present = (folder / TIMESERIES).exists()
    if (entry is None) == present or (present and sha256_file(folder / TIMESERIES) != entry["sha256"]):
        raise IntegrityError(f"{folder}: {TIMESERIES} changed since the twin was saved; not appending")
    staging = working_name(folder, "feeding", uuid.uuid4().hex[:8])
    staging.mkdir()
    try:
        for name in manifest["files"]:
            if name != TIMESERIES:
                os.link(folder / name, staging / name, follow_symlinks=False)
        with _in_memory(folder / TIMESERIES) as store:
            result = _merge(store.require_group(GROUP), observations, targets)
            store.flush()
            image = store.id.get_file_image() if result.stored else b""
        if result.stored == 0:
            shutil.rmtree(staging)
            return result
        try:
            (staging / TIMESERIES).write_bytes(image)
        except OSError as error:  # a full disk: name the file the user knows
            raise OSError(error.errno, error.strerror, str(folder / TIMESERIES)) from None
        manifest["files"][TIMESERIES] = {"sha256": sha256_file(staging / TIMESERIES),
                                         "size": (staging / TIMESERIES).stat().st_size}
        (staging / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")
        fsync_folder(staging)
        old = replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return result


def _in_memory(path: Path) -> h5py.File:
    """``path`` (a new file if there is none) read into memory and opened for writing there, so
    HDF5 never writes to disk: a full disk is then a plain failed write of the finished file
    (HDF5 left with a file it cannot write ends the process with a segmentation fault)."""
    if path.exists():
        return h5py.File(path, "r+", driver="core", backing_store=False, libver=("v110", "latest"))
    return h5py.File(f"{TIMESERIES}-{uuid.uuid4().hex}", "w", driver="core", backing_store=False,
                     libver=("v110", "latest"))


def _merge(root: h5py.Group, observations: list[Observation],
           targets: Mapping[str, tuple[str, str]]) -> AppendResult:
    series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for o in observations:
        series[(o.sensor, o.quantity)].append(o)
    stored = duplicates = late = rejected = 0
    refused: list[Observation] = []
    count = int(root.attrs[_COUNT]) if _COUNT in root.attrs else sum(len(group) for group in root.values())
    for (sensor, quantity), items in series.items():
        name = quote(sensor, safe="")
        key = quote(quantity, safe="")
        sensor_group = root.get(name)
        if (sensor_group is None or key not in sensor_group) and count >= MAX_SERIES:
            refused += items
            continue
        if sensor_group is None:
            sensor_group = root.create_group(name)
            sensor_group.attrs.update({"sensor": sensor, "target_kind": "", "target_id": ""})
        target = targets.get(sensor)
        if target is not None and (sensor_group.attrs["target_kind"], sensor_group.attrs["target_id"]) != target:
            sensor_group.attrs["target_kind"], sensor_group.attrs["target_id"] = target
        unit = items[0].unit
        series_group = sensor_group.get(key)
        if series_group is not None and series_group["value"].attrs["units"] != unit:
            log.warning("%s %s: unit %r differs from the stored %r; %d observations rejected", sensor,
                        quantity, unit, series_group["value"].attrs["units"], len(items))
            rejected += len(items)
            continue
        times = np.fromiter((o.time for o in items), dtype=np.int64, count=len(items))
        values = np.fromiter((o.value for o in items), dtype=np.float64, count=len(items))
        count += series_group is None
        new, skipped, out_of_order = _write_series(sensor_group, key, quantity, unit, times, values)
        if out_of_order:
            log.warning("%s %s: %d observations out of order (stored in time order)", sensor, quantity, out_of_order)
        stored += new
        duplicates += skipped
        late += out_of_order
    root.attrs[_COUNT] = count
    if refused:
        log.warning("%d observations of new series refused: the twin holds %d series, the most it takes",
                    len(refused), MAX_SERIES)
    return AppendResult(stored=stored, duplicates=duplicates, out_of_order=late, rejected=rejected,
                        refused=tuple(refused))


def _write_series(parent: h5py.Group, key: str, quantity: str, unit: str, times: np.ndarray,
                  values: np.ndarray) -> tuple[int, int, int]:
    """Merge (times, values), in arrival order, into the series ``parent/key``; returns the numbers
    stored, duplicates and out of order (new, but older than an earlier one)."""
    group = parent.get(key)
    n_old = len(group["time"]) if group is not None else 0
    latest = int(group["time"][n_old - 1]) if n_old else np.iinfo(np.int64).min
    late = times < np.maximum.accumulate(np.concatenate([[latest], times]))[:-1]
    times, first = np.unique(times, return_index=True)
    # the stored times are read only when some new time is not after all of them
    old_times = group["time"][()] if n_old and times[0] <= latest else np.empty(0, dtype=np.int64)
    fresh = ~np.isin(times, old_times, assume_unique=True)
    duplicates = len(late) - int(fresh.sum())
    out_of_order = int(late[first][fresh].sum())
    times, values = times[fresh], values[first][fresh]
    if group is None:
        group = parent.create_group(key)
        group.attrs["quantity"] = quantity
        _create(group, times, values, unit)
        return len(times), duplicates, out_of_order
    if len(times) == 0:
        return 0, duplicates, out_of_order
    time_data, value_data = group["time"], group["value"]
    if chunk_length(n_old + len(times)) > time_data.chunks[0]:  # outgrown: rewrite with larger chunks
        all_times = np.concatenate([time_data[()], times])
        order = np.argsort(all_times, kind="stable")
        all_values = np.concatenate([value_data[()], values])[order]
        del group["time"], group["value"]
        _create(group, all_times[order], all_values, unit)
        return len(times), duplicates, out_of_order
    time_data.resize((n_old + len(times),))
    value_data.resize((n_old + len(times),))
    if times[0] > latest:
        time_data[n_old:] = times
        value_data[n_old:] = values
    else:
        all_times = np.concatenate([old_times, times])  # read above: times[0] <= latest
        order = np.argsort(all_times, kind="stable")
        time_data[:] = all_times[order]
        value_data[:] = np.concatenate([value_data[:n_old], values])[order]
    return len(times), duplicates, out_of_order


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


def _create(group: h5py.Group, times: np.ndarray, values: np.ndarray, unit: str) -> None:
    """The ``time`` and ``value`` datasets of a series, chunked to fit ``len(times)`` values."""
    chunks = (chunk_length(len(times)),)
    group.create_dataset("time", data=times, maxshape=(None,), chunks=chunks).attrs["units"] = \
        "ms since 1970-01-01T00:00:00Z"
    group.create_dataset("value", data=values, maxshape=(None,), chunks=chunks).attrs["units"] = unit


def read_series(folder: str | Path, sensor: str, quantity: str) -> tuple[pd.Series, str]:
    """The stored series of ``sensor``'s ``quantity`` (values indexed by UTC time) and its unit;
    InputError naming the sensor and quantity when there is none.

    Parameters
    ----------
    folder : str or Path
        The twin folder.
    sensor : str
        Id of the sensor.
    quantity : str
        The measured quantity (``intensity``, ``temp_air``, ...).

    Returns
    -------
    series : pandas.Series
        The values [``unit``], indexed by UTC time, ascending.
    unit : str
        Their unit.

    Raises
    ------
    InputError
        Naming the sensor and quantity when no observations are stored.
    """
    path = Path(folder) / TIMESERIES
    name = f"{GROUP}/{quote(sensor, safe='')}/{quote(quantity, safe='')}"
    with h5py.File(path, "r") if path.exists() else nullcontext(None) as store:
        if store is None or name not in store:
            raise InputError(folder, f"{sensor}/{quantity}", "no observations stored")
        group = store[name]
        index = pd.to_datetime(group["time"][()], unit="ms", utc=True).rename("time")
        return pd.Series(group["value"][()], index=index, name=quantity), str(group["value"].attrs["units"])


def _utc(ms: int) -> pd.Timestamp:
    """The UTC instant ``ms`` after 1970; NaT for one out of range (stored before times were
    checked), so one bad series does not hide the others."""
    try:
        return pd.Timestamp(ms, unit="ms", tz="UTC")
    except (OverflowError, ValueError):  # pandas' OutOfBoundsDatetime is a ValueError
        return pd.NaT


def list_series(folder: str | Path) -> pd.DataFrame:
    """One row per stored series: sensor, quantity, unit, count, first and last time (UTC),
    the last value, target_kind, target_id.

    Parameters
    ----------
    folder : str or Path
        The twin folder.

    Returns
    -------
    pandas.DataFrame
        ``sensor``, ``quantity``, ``unit``, ``count`` [-], ``first`` and ``last`` (UTC),
        ``last_value`` [``unit``], ``target_kind`` and ``target_id``; empty when nothing is
        stored.
    """
    path = Path(folder) / TIMESERIES
    rows = []
    if path.exists():
        with h5py.File(path, "r") as store:
            for sensor_group in store.get(GROUP, {}).values():
                for key, group in sensor_group.items():
                    t = group["time"]
                    rows.append({
                        "sensor": str(sensor_group.attrs["sensor"]), "quantity": unquote(key),
                        "unit": str(group["value"].attrs["units"]), "count": len(t),
                        "first": _utc(int(t[0])) if len(t) else pd.NaT,
                        "last": _utc(int(t[-1])) if len(t) else pd.NaT,
                        "last_value": float(group["value"][-1]) if len(t) else float("nan"),
                        "target_kind": str(sensor_group.attrs.get("target_kind", "")),
                        "target_id": str(sensor_group.attrs.get("target_id", "")),
                    })
    columns = ["sensor", "quantity", "unit", "count", "first", "last", "last_value", "target_kind",
               "target_id"]
    return pd.DataFrame(rows, columns=columns)
