"""Observations the twin could not store, kept for inspection beside the twin folder.

One JSON object per line in ``NAME.twin.quarantine.jsonl`` (beside the folder, like the
journal: the twin folder itself is replaced whole on every append): when it was rejected (UTC),
why (field and reason), and the observation's fields as received, numbers that JSON cannot
hold (NaN, infinities, integers beyond 64 bits) written as text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

from twin.feeds.base import Observation


def quarantine_path(twin_folder: str | Path) -> Path:
    """The quarantine file of a twin folder.

    Parameters
    ----------
    twin_folder : str or Path
        The twin folder (``NAME.twin``).

    Returns
    -------
    Path
        ``NAME.twin.quarantine.jsonl`` beside it.
    """
    twin_folder = Path(twin_folder)
    return twin_folder.parent / f"{twin_folder.name}.quarantine.jsonl"


def _plain(value: object) -> object:
    """``value`` as JSON can hold it."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, int) and not -2**63 <= value < 2**63:
        return str(value)
    return value


def quarantine(twin_folder: str | Path, rejected: list[tuple[Observation, str]]) -> None:
    """Append ``rejected`` (observation, reason) pairs to the twin's quarantine file.

    Parameters
    ----------
    twin_folder : str or Path
        The twin folder the observations were meant for.
    rejected : list of (Observation, str)
        Each observation with the line saying why it was not stored.
    """
    if not rejected:
        return
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines = [json.dumps({"rejected": now, "reason": reason,
                         "observation": {k: _plain(v) for k, v in
                                         dataclasses.asdict(observation).items()}},
                        ensure_ascii=True) + "\n"
             for observation, reason in rejected]
    with open(quarantine_path(twin_folder), "a", encoding="ascii") as handle:
        handle.writelines(lines)
        handle.flush()
