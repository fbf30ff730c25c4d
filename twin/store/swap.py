"""Put a complete new twin folder in the place of the old one in one step, durably.

On Linux the two folders trade places in one ``renameat2(RENAME_EXCHANGE)`` call: at every
instant ``NAME.twin`` is either the old or the new folder, and the old one ends up under the
staging name, to be removed. Where the call is missing (another system, an old kernel, a file
system without it) the old folder is renamed aside to ``.NAME.twin.old-ID`` and the new one into
place; a process killed between the two renames leaves no ``NAME.twin``, and the next open of
the folder brings the old one back (``twin.store.leftovers``). Before the swap every file and the
staging folder are flushed to disk, after it the parent directory, so a swap that returned
survives a crash of the machine.
"""

from __future__ import annotations

import ctypes
import errno
import os
import uuid
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP)


def fsync_path(path: Path) -> None:
    """Flush the file or folder ``path`` to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Flush every file directly in ``folder``, then ``folder`` itself, to disk."""
    for path in folder.iterdir():
        if path.is_file():
            fsync_path(path)
    fsync_path(folder)


def replace_folder(staging: Path, folder: Path) -> Path | None:
    """Put ``staging`` (complete and flushed) at ``folder`` in one step; returns where the old
    folder now is (to be removed), or None when there was none.

    Parameters
    ----------
    staging : Path
        The new folder, in the same directory as ``folder``.
    folder : Path
        The place to put it.

    Returns
    -------
    Path or None
        The old folder's new name; None when ``folder`` did not exist.
    """
    if not folder.exists():
        os.rename(staging, folder)
        old = None
    elif exchange(staging, folder):
        old = staging
    else:
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(folder, old)
        try:
            os.rename(staging, folder)
        except BaseException:
            os.rename(old, folder)
            raise
    fsync_path(folder.parent)
    return old


def exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` atomically; False (nothing done) where this system or
    file system cannot, OSError on any other failure."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:  # not Linux with glibc >= 2.28
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))
