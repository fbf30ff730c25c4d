"""Advisory locks (POSIX ``flock``) that keep the writers and readers of one twin folder apart.

Every change of a twin folder (a save, an append of observations, the clean-up of what a killed
writer left) holds the exclusive lock of the folder's parent directory while it touches the
folder; a load holds it shared. A save writes its new folder beside the twin before it takes
that lock, holding the lock of its staging folder instead, so the clean-up can tell a staging
folder in use from one a killed process left (the kernel releases a dead process's locks).
No lock file is left behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def folder_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold the lock of twin folder ``folder`` (on its parent directory) inside the block.

    Parameters
    ----------
    folder : Path
        The twin folder; its parent directory must exist.
    shared : bool, default False
        Take it shared (to read) instead of exclusive (to change the folder).
    """
    fd = os.open(folder.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def hold(staging: Path) -> int:
    """Lock the staging folder ``staging`` exclusively for this process; returns the descriptor
    that holds it (close it to release)."""
    fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def abandoned(staging: Path) -> bool:
    """Whether no live process holds the lock of ``staging`` (its writer ended or was killed)."""
    try:
        fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False  # gone already, or not a folder: nothing to clean
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
