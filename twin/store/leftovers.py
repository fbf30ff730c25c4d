"""What a killed writer leaves beside a twin folder, recovered or removed at the next open.

Writers work in hidden folders beside ``NAME.twin``: ``.NAME.twin.writing-ID`` (a save; after
its swap the old twin, being removed), ``.NAME.twin.feeding-ID`` (an append of observations)
and ``.NAME.twin.old-ID`` (the old twin during a swap by two renames). A process killed at any
point leaves one of them. At the next save, append or load, under the folder's exclusive lock:
with no ``NAME.twin`` the newest ``.old-`` folder is renamed back (the swap it belonged to never
returned, so nothing was reported stored in the new folder), and every leftover no live process
holds is removed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from twin.store.lock import abandoned, folder_lock
from twin.store.swap import fsync_path

KINDS = ("writing", "feeding", "old")
"""The kinds of hidden working folders beside a twin folder."""


def working_name(folder: Path, kind: str, tag: str) -> Path:
    """The hidden working folder ``.NAME.twin.KIND-TAG`` beside ``folder``."""
    return folder.parent / f".{folder.name}.{kind}-{tag}"


def recover(folder: Path) -> None:
    """Bring back a twin folder a killed swap left under its ``.old-`` name and remove every
    working folder beside ``folder`` that no live process holds.

    Parameters
    ----------
    folder : Path
        The twin folder (``NAME.twin``), existing or not.
    """
    if not folder.parent.is_dir() or not _leftovers(folder):
        return
    with folder_lock(folder):
        found = _leftovers(folder)
        old = sorted((p for kind, p in found if kind == "old"), key=lambda p: p.stat().st_mtime)
        if old and not folder.exists():
            old.pop().rename(folder)
            fsync_path(folder.parent)
        for kind, path in found:
            if path.exists() and (kind == "old" or abandoned(path)):
                shutil.rmtree(path, ignore_errors=True)


def _leftovers(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of the working folders beside ``folder``."""
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.({'|'.join(KINDS)})-[0-9a-f]+$")
    return [(match[1], path) for path in folder.parent.iterdir()
            if (match := pattern.match(path.name))]
