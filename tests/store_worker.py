"""A process that saves or appends to a twin folder, for the fault tests of the twin store.

    python store_worker.py save SOURCE FOLDER N [kill-after-exchange | kill-between-renames]
    python store_worker.py append FOLDER ACKS STOP MAX_BATCHES FIRST

``save`` loads the twin in SOURCE and saves it to FOLDER N times; with a kill mode it kills
itself (SIGKILL) in the middle of the first swap: right after the atomic exchange, or (with
the exchange made unavailable) between the two renames of the fallback. ``append`` appends
batches of 10 observations of sensor ``s1``, the first at batch FIRST, and, after each append returned, writes the last
time it stored to ACKS (what the process reported stored), until the file STOP exists or
MAX_BATCHES batches are stored. Both print ``ready`` once imported.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from twin.feeds.archive import append_observations
from twin.feeds.base import Observation
from twin.store import load_twin, save_twin, swap

T0 = 1_777_000_000_000
"""First observation time, ms since 1970 (2026-04-24)."""
BATCH = 10


def _kill_after(function):  # type: ignore[no-untyped-def]
    def killing(*args):  # type: ignore[no-untyped-def]
        result = function(*args)
        os.kill(os.getpid(), signal.SIGKILL)
        return result
    return killing


def save(source: Path, folder: Path, n: int, kill: str | None) -> None:
    twin = load_twin(source)
    if kill == "kill-after-exchange":
        swap.exchange = _kill_after(swap.exchange)
    elif kill == "kill-between-renames":
        swap.exchange = lambda a, b: False
        real_rename = os.rename

        def rename(src, dst):  # type: ignore[no-untyped-def]
            if ".writing-" in str(src):  # the second rename: the new folder into place
                os.kill(os.getpid(), signal.SIGKILL)
            real_rename(src, dst)
        swap.os.rename = rename  # type: ignore[attr-defined]
    print("ready", flush=True)
    for i in range(n):
        save_twin(twin.replace(warnings=(f"save {i}",)), folder)


def append(folder: Path, acks: Path, stop: Path, max_batches: int, first: int) -> None:
    print("ready", flush=True)
    with open(acks, "a", encoding="utf-8") as out:
        for batch in range(first, first + max_batches):
            if stop.exists():
                break
            times = [T0 + 1000 * (batch * BATCH + i) for i in range(BATCH)]
            result = append_observations(folder, [Observation("s1", "intensity", t, 1.0, "veh")
                                                  for t in times])
            assert result.stored == BATCH
            out.write(f"{times[-1]}\n")
            out.flush()


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "save":
        save(Path(rest[0]), Path(rest[1]), int(rest[2]), rest[3] if len(rest) > 3 else None)
    else:
        append(Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]), int(rest[4]))
