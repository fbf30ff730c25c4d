"""The scene's time: the steps results are shown at, the current one, and play/pause."""

from __future__ import annotations

import numpy as np

from viewer.events import Signal


class Timeline:
    """Time steps (UTC ``datetime64[s]``), the current index and whether it is playing.

    With fewer than two steps there is nothing to move through and ``enabled`` is False.
    ``changed`` is emitted with the name of what changed: ``steps``, ``index`` or ``playing``.
    """

    def __init__(self) -> None:
        self.steps = np.array([], dtype="datetime64[s]")
        self.index = 0
        self.playing = False
        self.changed = Signal()

    @property
    def enabled(self) -> bool:
        return len(self.steps) > 1

    @property
    def current(self) -> np.datetime64 | None:
        """The time shown, or None without steps."""
        return self.steps[self.index] if len(self.steps) else None

    def set_steps(self, steps: np.ndarray) -> None:
        """Show results at ``steps`` (sorted times), starting at the first; stops playing."""
        self.steps = np.asarray(steps, dtype="datetime64[s]")
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
        playing = bool(playing) and self.enabled
        if playing != self.playing:
            self.playing = playing
            self.changed.emit("playing")
