"""A write-ahead journal of raw MQTT messages, so that a crash between two appends to the twin
loses nothing the broker already counts as delivered.

paho acknowledges a QoS 1 message as soon as ``on_message`` returns; the feed writes the raw
message to the journal inside ``on_message`` (unbuffered: it reaches the operating system before
the acknowledgement leaves); a message that could not be written is not acknowledged, so the
broker delivers it again to the next start. The journal is a folder of segments ``FEED.FORMAT.NNNNNN.jsonl`` in
the recorded-feed format (``twin.feeds.replay``): before each append the feed seals its segment
(everything in it is then in the poll buffer) and starts the next; a sealed segment is deleted
once the append stored its messages: on disk, in the twin folder that stays (appends and saves
of the twin take one lock, so a re-import keeps them; ``twin.store``). At start, segments left by a crash are replayed into the twin
first (appends skip what was already stored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from twin.errors import StorageError
from twin.feeds.replay import record_line

_SEGMENT = re.compile(r"^(?P<feed>[A-Za-z0-9_\-]+)\.(?P<format>[a-z\-]+)\.(?P<seq>\d{6})\.jsonl$")


def journal_folder(twin_folder: str | Path) -> Path:
    """Where the journal of a twin folder lives: beside it (the twin folder itself is replaced
    whole on every append)."""
    twin_folder = Path(twin_folder)
    return twin_folder.parent / f".{twin_folder.name}.journal"


def left_segments(folder: str | Path) -> list[tuple[Path, str]]:
    """Segments in ``folder`` (a crash left them), oldest first, with their message format."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(m, p) for p in folder.iterdir() if (m := _SEGMENT.match(p.name))]
    found.sort(key=lambda item: (item[0]["feed"], int(item[0]["seq"])))
    return [(path, match["format"]) for match, path in found]


class Journal:
    """Segments of one feed's raw messages; not thread-safe by itself: the feed calls ``write``
    and ``seal`` under its own lock."""

    def __init__(self, folder: str | Path, feed: str, format: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prefix = f"{feed}.{format}."
        taken = [int(m["seq"]) for p in self.folder.iterdir()
                 if (m := _SEGMENT.match(p.name)) and p.name.startswith(self._prefix)]
        self._seq = max(taken, default=0)
        self._handle: IO[bytes] | None = None
        self._path: Path | None = None
        self._open_next()

    def write(self, topic: str, payload: bytes) -> None:
        """One message, handed to the operating system before returning; StorageError naming the
        segment when it cannot be written whole (a full disk, a file size limit), the segment
        cut back to the messages before it."""
        assert self._handle is not None and self._path is not None, "journal closed"
        line = memoryview(record_line(topic, payload))
        start = self._handle.tell()
        try:
            while line:
                line = line[self._handle.write(line) or 0:]
        except OSError as error:
            self._handle.truncate(start)
            raise StorageError(self._path, error) from None

    def seal(self) -> Path | None:
        """Close the current segment and start the next; returns the closed one (None if empty:
        it is removed at once)."""
        closed = self._close_current()
        self._open_next()
        return closed

    def close(self) -> Path | None:
        """Close the current segment; returns it (None if empty)."""
        return self._close_current()

    def _open_next(self) -> None:
        self._seq += 1
        self._path = self.folder / f"{self._prefix}{self._seq:06d}.jsonl"
        self._handle = open(self._path, "ab", buffering=0)

    def _close_current(self) -> Path | None:
        if self._handle is None or self._path is None:
            return None
        self._handle.close()
        self._handle = None
        path, self._path = self._path, None
        if path.stat().st_size == 0:
            path.unlink()
            return None
        return path
