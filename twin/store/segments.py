"""The observed series of a twin folder as ``timeseries.h5`` plus append-only segments.

An append of observations never rewrites ``timeseries.h5``: it writes the new observations
(only those not stored yet) as one new file ``timeseries/segment-NNNNNN.h5`` in the layout of
``twin.store.series``, whose ``observations`` group also records the twin's series count after
it. A segment is immutable once the manifest lists it, with its SHA-256 and size like every other
file, so a twin folder is verified file by file whatever its age: a changed, missing or added
segment is named at load. Readers see ``timeseries.h5`` and then the listed segments, oldest first
(``parts``); no time of a series is in two parts.

Compaction merges the segments into ``timeseries.h5`` (``merged_timeseries``), after checking every
part against its hash; a save does it always, the feeds when they start and whenever a twin holds
``MAX_SEGMENTS`` segments, so a reader opens a bounded number of files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py

from twin.errors import IntegrityError
from twin.hashing import sha256_file
from twin.store.manifest import OBSERVATIONS, SEGMENT, SEGMENTS, TIMESERIES
from twin.store.series import in_memory, merge_observations

MAX_SEGMENTS = 64
"""Segments a twin folder holds at most; the append that reaches them compacts the folder [-]."""


def segment_names(manifest: dict[str, Any]) -> list[str]:
    """The segments ``manifest`` lists, oldest first."""
    found = [(int(m[1]), name) for name in manifest["files"] if (m := SEGMENT.fullmatch(name))]
    return [name for _, name in sorted(found)]


def parts(manifest: dict[str, Any]) -> list[str]:
    """The files holding the twin's observations, in the order they were written:
    ``timeseries.h5`` (when listed) and the segments."""
    return ([TIMESERIES] if TIMESERIES in manifest["files"] else []) + segment_names(manifest)


def next_segment(manifest: dict[str, Any]) -> str:
    """The name of the segment an append adds to the folder of ``manifest``."""
    names = segment_names(manifest)
    last = int(SEGMENT.fullmatch(names[-1])[1]) if names else 0  # type: ignore[index]
    return f"{SEGMENTS}/segment-{last + 1:06d}.h5"


def verify_parts(folder: Path, manifest: dict[str, Any]) -> None:
    """IntegrityError naming the parts of the time series whose SHA-256 is not the manifest's."""
    changed = [name for name in parts(manifest)
               if sha256_file(folder / name) != manifest["files"][name]["sha256"]]
    if changed:
        raise IntegrityError(f"{folder}: {', '.join(changed)} changed since the twin was saved; "
                             "its observations are not carried on")


def merge_segments(folder: Path, manifest: dict[str, Any], target: h5py.File) -> None:
    """Merge the observations of the segments ``manifest`` lists into the file ``target``."""
    for name in segment_names(manifest):
        with h5py.File(folder / name, "r") as segment:
            merge_observations(target.require_group(OBSERVATIONS), segment[OBSERVATIONS])


def merged_timeseries(folder: Path, manifest: dict[str, Any]) -> bytes:
    """The bytes of ``timeseries.h5`` with every segment of ``folder`` merged into it, after
    checking each part against ``manifest``.

    Raises
    ------
    IntegrityError
        Naming the parts that changed since they were stored.
    """
    verify_parts(folder, manifest)
    with in_memory(folder / TIMESERIES if TIMESERIES in manifest["files"] else None) as target:
        merge_segments(folder, manifest, target)
        target.flush()
        return bytes(target.id.get_file_image())
