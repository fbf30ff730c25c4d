"""Writing an export's output whole or not at all: a file is written under a temporary name
beside the target and renamed; a folder is built beside the target and swapped in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from twin.errors import InputError, StorageError


def write_file(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` atomically (missing parent folders made); StorageError
    naming the path when it cannot be written, and nothing left of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as error:
        with suppress(OSError):  # a parent that is not a folder holds no temporary file
            tmp.unlink(missing_ok=True)
        raise StorageError(path, error) from None
    return path


def write_folder(path: Path, marker: str, fill: Callable[[Path], None]) -> Path:
    """Build a folder with ``fill(folder)`` beside ``path`` and swap it in. An existing folder
    is replaced only when it holds ``marker`` (an earlier export of the same kind); any other
    folder or file there is refused."""
    if path.exists() and not (path / marker).is_file():
        raise InputError(path, None, f"exists and is not an earlier export (no {marker}); "
                                     "choose a new folder")
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        fill(staging)
        if path.exists():
            path.rename(old)
        staging.rename(path)
    except OSError as error:
        raise StorageError(path, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return path
