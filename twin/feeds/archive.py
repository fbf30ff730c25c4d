"""Observations in the twin folder: appended atomically as immutable segments, read across them.

The layout of a series is ``twin.store.series``; where they are kept is ``twin.store.segments``:
``timeseries.h5`` and, since the last save or compaction, one segment per append. An append never
rewrites ``timeseries.h5``: it reads only the stored series it extends (their last time and unit,
and their times only when a new one is not after all of them), builds the segment of what is new
in memory, and puts it in place with the manifest listing it: the other files are hard-linked into
a staging folder, the segment is written there (a full disk: an OSError naming the segment, the
twin as it was), the manifest gets its name, SHA-256 and size, and the staging folder, flushed to
disk, trades places with the twin folder in one step (``twin.store.swap``). Its cost grows with
the number of files of the twin, which compaction bounds (``MAX_SEGMENTS``), not with the number of
observations stored. A failure or a kill at any step leaves the stored twin as it was; an append
that returned is on disk. Appends and saves of the twin, from any process, are serialised by the
twin folder's lock (``twin.store.lock``), so a save never drops observations an append reported
stored. Appending is idempotent: an observation whose (sensor, quantity, time) is already stored
is skipped.

An append never hashes the stored files again (that would grow with them), and never writes a
new hash for an old file: it checks that each part it reads is listed, a regular file of the
size the manifest gives; a change of content stays detectable at load and is refused by
compaction and saves, which check every part's SHA-256 before merging it.

Size: a twin holds at most ``MAX_SERIES`` series (the newest part's observations group's
``series`` attribute counts them); an observation of a new series beyond them is refused alone.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
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
from twin.store.manifest import SEGMENTS, check_content_file
from twin.store.segments import MAX_SEGMENTS, merged_timeseries, next_segment, parts, segment_names
from twin.store.series import (  # noqa: F401  (FIRST_CHUNK, MAX_CHUNK, GROWTH: the chunk sizes of a series)
    FIRST_CHUNK,
    GROWTH,
    MAX_CHUNK,
    SERIES_COUNT,
    chunk_length,
    create_series,
    in_memory,
)
from twin.store.swap import fsync_path, replace_folder

GROUP = OBSERVATIONS
MAX_SERIES = 50_000
"""Most series (sensor, quantity) a twin stores [-]; an observation of a new series beyond them
is refused alone (about 2.5 kB of the file per series: 125 MB at the limit)."""


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
    _check_parts(folder, manifest)
    with _opened(folder, manifest) as stored, in_memory(None) as segment:
        result = _merge(stored, segment.require_group(GROUP), observations, targets)
        segment.flush()
        image = bytes(segment.id.get_file_image()) if result.stored else b""
    if result.stored == 0:
        return result
    name = next_segment(manifest)
    manifest["files"][name] = {}
    _put_in_place(folder, manifest, name, image)
    if len(segment_names(manifest)) >= MAX_SEGMENTS:
        try:
            _compact(folder, manifest)
        except (OSError, IntegrityError) as error:  # the append itself is stored
            log.warning("%s: segments not merged into %s (%s); the next append tries again", folder,
                        TIMESERIES, error)
    return result


def compact(folder: str | Path) -> None:
    """Merge the append segments of the twin in ``folder`` into its ``timeseries.h5``, atomically.

    Parameters
    ----------
    folder : str or Path
        The twin folder.

    Raises
    ------
    InputError
        When ``folder`` is not a twin folder.
    IntegrityError
        Naming the parts of the time series that changed since they were stored (nothing is
        merged).
    """
    folder = Path(folder)
    recover(folder)
    with folder_lock(folder):
        _compact(folder, read_manifest(folder))


def _compact(folder: Path, manifest: dict[str, Any]) -> None:
    if not segment_names(manifest):
        return
    image = merged_timeseries(folder, manifest)
    for name in segment_names(manifest):
        del manifest["files"][name]
    manifest["files"][TIMESERIES] = {}
    _put_in_place(folder, manifest, TIMESERIES, image)


def _put_in_place(folder: Path, manifest: dict[str, Any], name: str, image: bytes) -> None:
    """Swap in a copy of ``folder`` whose file ``name`` holds ``image`` and whose manifest lists it
    (its entry in ``manifest`` is filled in here); the other files listed are hard links."""
    staging = working_name(folder, "feeding", uuid.uuid4().hex[:8])
    staging.mkdir()
    try:
        if any("/" in listed for listed in manifest["files"]):
            (staging / SEGMENTS).mkdir()
        for other in manifest["files"]:
            if other != name:
                os.link(folder / other, staging / other, follow_symlinks=False)
        try:
            (staging / name).write_bytes(image)
        except OSError as error:  # a full disk: name the file the user knows
            raise OSError(error.errno, error.strerror, str(folder / name)) from None
        manifest["files"][name] = {"sha256": sha256_file(staging / name), "size": len(image)}
        (staging / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")
        # the linked files are on disk already; their new names are in the folders flushed here
        flushed = [staging / name, staging / MANIFEST]
        if (staging / SEGMENTS).is_dir():
            flushed.append(staging / SEGMENTS)
        for path in [*flushed, staging]:
            fsync_path(path)
        old = replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _check_parts(folder: Path, manifest: dict[str, Any]) -> None:
    """IntegrityError when a part of the time series is missing, added unlisted or not of the
    size the manifest gives (a check that does not grow with the file; the hashes are checked
    at load and before any merge)."""
    listed = set(parts(manifest))
    present = {TIMESERIES} if (folder / TIMESERIES).exists() else set()
    if (folder / SEGMENTS).is_dir():
        present |= {f"{SEGMENTS}/{p.name}" for p in (folder / SEGMENTS).iterdir()}
    if listed != present or any((folder / name).stat().st_size != manifest["files"][name]["size"]
                                for name in listed):
        raise IntegrityError(f"{folder}: {TIMESERIES} or its segments changed since the twin was saved; "
                             "not appending")


@contextmanager
def _opened(folder: Path, manifest: dict[str, Any]) -> Iterator[list[h5py.Group]]:
    """The observations groups of the parts of ``folder``'s time series, oldest first, open for
    reading inside the block."""
    with ExitStack() as stack:
        groups = []
        for name in parts(manifest):
            check_content_file(folder, name)
            store = stack.enter_context(h5py.File(folder / name, "r"))
            if GROUP in store:
                groups.append(store[GROUP])
        yield groups


@contextmanager
def _reading(folder: Path) -> Iterator[list[h5py.Group]]:
    """The observations groups of the twin in ``folder``, oldest part first, read under the
    folder's shared lock (no append or save changes it meanwhile)."""
    if not folder.parent.is_dir():
        raise InputError(folder, None, f"not a twin folder (no {MANIFEST})")
    with folder_lock(folder, shared=True), _opened(folder, read_manifest(folder)) as stored:
        yield stored


def _merge(stored: list[h5py.Group], root: h5py.Group, observations: list[Observation],
           targets: Mapping[str, tuple[str, str]]) -> AppendResult:
    """Write into the observations group ``root`` of a new segment the ``observations`` not in
    the ``stored`` parts, with the sensors' targets; returns the counts."""
    series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for o in observations:
        series[(o.sensor, o.quantity)].append(o)
    stored_n = duplicates = late = rejected = 0
    refused: list[Observation] = []
    count = _series_count(stored)
    for (sensor, quantity), items in series.items():
        name, key = quote(sensor, safe=""), quote(quantity, safe="")
        found = [group[f"{name}/{key}"] for group in stored if f"{name}/{key}" in group]
        if not found and count >= MAX_SERIES:
            refused += items
            continue
        unit = items[0].unit
        if found and found[0]["value"].attrs["units"] != unit:
            log.warning("%s %s: unit %r differs from the stored %r; %d observations rejected", sensor,
                        quantity, unit, found[0]["value"].attrs["units"], len(items))
            rejected += len(items)
            continue
        times = np.fromiter((o.time for o in items), dtype=np.int64, count=len(items))
        values = np.fromiter((o.value for o in items), dtype=np.float64, count=len(items))
        new_times, new_values, skipped, out_of_order = _fresh(found, times, values)
        duplicates += skipped
        if out_of_order:
            log.warning("%s %s: %d observations out of order (stored in time order)", sensor, quantity, out_of_order)
        late += out_of_order
        if len(new_times) == 0:
            continue
        sensor_group = root.require_group(name)
        kind, target_id = targets.get(sensor, ("", ""))
        sensor_group.attrs.update({"sensor": sensor, "target_kind": kind, "target_id": target_id})
        create_series(sensor_group, key, quantity, unit, new_times, new_values)
        count += not found
        stored_n += len(new_times)
    root.attrs[SERIES_COUNT] = count
    if refused:
        log.warning("%d observations of new series refused: the twin holds %d series, the most it takes",
                    len(refused), MAX_SERIES)
    return AppendResult(stored=stored_n, duplicates=duplicates, out_of_order=late, rejected=rejected,
                        refused=tuple(refused))


def _fresh(found: list[h5py.Group], times: np.ndarray, values: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Of ``times`` and ``values`` (arrival order) the observations not stored in the series parts
    ``found``, in time order; with the numbers of duplicates and of those out of order (new, but
    older than an earlier one)."""
    lengths = [len(group["time"]) for group in found]
    latest = max((int(g["time"][n - 1]) for g, n in zip(found, lengths, strict=True) if n),
                 default=np.iinfo(np.int64).min)
    late = times < np.maximum.accumulate(np.concatenate([[latest], times]))[:-1]
    unique, first = np.unique(times, return_index=True)
    # the stored times are read only when some new time is not after all of them
    old_times = (np.concatenate([g["time"][()] for g in found]) if len(unique) and unique[0] <= latest
                 else np.empty(0, dtype=np.int64))
    fresh = ~np.isin(unique, old_times)
    return unique[fresh], values[first][fresh], len(times) - int(fresh.sum()), int(late[first][fresh].sum())


def _series_count(stored: list[h5py.Group]) -> int:
    """The twin's series count, from the newest part that records it."""
    for group in reversed(stored):
        if SERIES_COUNT in group.attrs:
            return int(group.attrs[SERIES_COUNT])
    return sum(len(sensor) for group in stored for sensor in group.values())


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
    folder = Path(folder)
    name = f"{quote(sensor, safe='')}/{quote(quantity, safe='')}"
    with _reading(folder) as stored:
        found = [group[name] for group in stored if name in group]
        if not found:
            raise InputError(folder, f"{sensor}/{quantity}", "no observations stored")
        times = np.concatenate([g["time"][()] for g in found])
        values = np.concatenate([g["value"][()] for g in found])
        unit = str(found[0]["value"].attrs["units"])
    order = np.argsort(times, kind="stable")
    index = pd.to_datetime(times[order], unit="ms", utc=True).rename("time")
    return pd.Series(values[order], index=index, name=quantity), unit


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
    folder = Path(folder)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    with _reading(folder) as stored:
        for root in stored:
            for name, sensor_group in root.items():
                for key, group in sensor_group.items():
                    _summarise(rows.setdefault((name, key), {"count": 0}), sensor_group, key, group)
    columns = ["sensor", "quantity", "unit", "count", "first", "last", "last_value", "target_kind",
               "target_id"]
    table = pd.DataFrame(list(rows.values()), columns=columns)
    for column in ("first", "last"):
        table[column] = [_utc(ms) if ms is not None else pd.NaT for ms in table[column]]
    return table


def _summarise(row: dict[str, Any], sensor_group: h5py.Group, key: str, group: h5py.Group) -> None:
    """Fold one part's piece ``group`` of a series into its ``list_series`` row."""
    t = group["time"]
    if "sensor" not in row:
        row.update({"sensor": str(sensor_group.attrs["sensor"]), "quantity": unquote(key),
                    "unit": str(group["value"].attrs["units"]), "first": None, "last": None,
                    "last_value": float("nan"), "target_kind": "", "target_id": ""})
    if sensor_group.attrs.get("target_kind", ""):
        row["target_kind"] = str(sensor_group.attrs["target_kind"])
        row["target_id"] = str(sensor_group.attrs.get("target_id", ""))
    row["count"] += len(t)
    if not len(t):
        return
    first, last = int(t[0]), int(t[-1])
    row["first"] = first if row["first"] is None else min(row["first"], first)
    if row["last"] is None or last > row["last"]:
        row["last"], row["last_value"] = last, float(group["value"][-1])
