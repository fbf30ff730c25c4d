"""The scene's time: the steps results are shown at, the current one, and play/pause."""

from __future__ import annotations

import numpy as np
import pandas as pd

from viewer.events import Signal


class Timeline:
    """Time steps (UTC ``datetime64[s]``), the current index and whether it is playing.

    With fewer than two steps there is nothing to move through and ``enabled`` is False.
    ``changed`` is emitted with the name of what changed: ``steps``, ``index`` or ``playing``.
    Labels give the local clock time in ``timezone`` (an IANA name) and the UTC time, or the
    month on a ``monthly`` timeline.
    """

    def __init__(self, timezone: str = "UTC") -> None:
        self.timezone = timezone
        self.steps = np.array([], dtype="datetime64[s]")
        self.monthly = False
        self.index = 0
        self.playing = False
        self.changed = Signal()

    @property
    def enabled(self) -> bool:
        """True with two steps or more: something to move through."""
        return len(self.steps) > 1

    @property
    def current(self) -> np.datetime64 | None:
        """The time shown, or None without steps."""
        return self.steps[self.index] if len(self.steps) else None

    def label(self) -> str:
        """The current time as text ("" without steps): the month (``March 2023``) on a
        timeline of months, else the local clock time with its time zone and the UTC time
        (``2023-03-01 08:00 Europe/Helsinki (06:00 UTC)``)."""
        current = self.current
        if current is None:
            return ""
        utc = pd.Timestamp(current).tz_localize("UTC")
        local = utc.tz_convert(self.timezone)
        if self.monthly:
            return f"{local:%B %Y}"
        if self.timezone == "UTC":
            return f"{utc:%Y-%m-%d %H:%M} UTC"
        return f"{local:%Y-%m-%d %H:%M} {self.timezone} ({utc:%H:%M} UTC)"

    def set_steps(self, steps: np.ndarray, monthly: bool = False) -> None:
        """Show results at ``steps`` (sorted times; the first of each month if ``monthly``),
        starting at the first; stops playing."""
        self.steps = np.asarray(steps, dtype="datetime64[s]")
        self.monthly = monthly
        self.index = 0
        self.playing = False
        self.changed.emit("steps")

    def set_index(self, index: int) -> None:
        """Move to step ``index`` (clamped to the steps)."""
        index = int(np.clip(index, 0, max(len(self.steps) - 1, 0)))
        if index != self.index:
            self.index = index
            self.changed.emit("index")

    def advance(self) -> None:
        """One step on, from the last back to the first."""
        if self.enabled:
            self.set_index((self.index + 1) % len(self.steps))

    def set_playing(self, playing: bool) -> None:
        """Play or pause (never playing without steps to move through)."""
        playing = bool(playing) and self.enabled
        if playing != self.playing:
            self.playing = playing
            self.changed.emit("playing")
