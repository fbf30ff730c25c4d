"""Waits of the feed tests: on a condition with a deadline, never on a sleep alone; and the
counts they wait for (journal lines, stored observations)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from twin.feeds.archive import list_series
from twin.feeds.journal import left_segments


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 50 ms until it holds; TimeoutError naming ``what`` after
    ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def journal_lines(folder: Path) -> int:
    """Messages in the journal segments of ``folder``."""
    return sum(path.read_bytes().count(b"\n") for path, _ in left_segments(folder))


def stored(twin_folder: Path, sensor: str = "s1") -> int:
    """Observations stored for ``sensor`` in the twin folder."""
    series = list_series(twin_folder)
    return int(series.loc[series["sensor"] == sensor, "count"].sum())
