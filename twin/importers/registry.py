"""Which reader reads which source: the readers registered under the entry point group
``localtwin.readers`` (the built-in ones and any a third-party package adds), chosen by the
file's name, then by a look at its content."""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points
from pathlib import Path

from twin.errors import InputError
from twin.importers.base import ImportOptions, Reader, SourceData

READER_GROUP = "localtwin.readers"
"""Entry point group of the :class:`~twin.importers.base.Reader` objects."""

log = logging.getLogger(__name__)


@functools.cache
def registered_readers() -> tuple[Reader, ...]:
    """The readers of every installed package, by entry point name; one that cannot be loaded
    or is not a Reader is left out with a logged warning.

    Returns
    -------
    tuple of Reader
        The readers registered under the entry point group ``localtwin.readers``, sorted by
        entry point name (found once per process).
    """
    readers = []
    for point in sorted(entry_points(group=READER_GROUP), key=lambda p: p.name):
        try:
            reader = point.load()
        except Exception as error:  # noqa: BLE001 - a broken plugin must not stop the others
            log.warning("reader %s (%s) cannot be loaded: %s", point.name, point.value, error)
            continue
        if not isinstance(reader, Reader):
            log.warning("reader %s (%s) is not a Reader (name, suffixes, description, "
                        "can_read, read)", point.name, point.value)
            continue
        readers.append(reader)
    return tuple(readers)


def reader_for(path: Path) -> Reader:
    """The reader of ``path``: the one whose suffix is the longest ending of a file's name, else
    the first whose ``can_read`` recognises it; InputError when none does."""
    readers = registered_readers()
    if path.is_file():
        name = path.name.lower()
        claims = [(len(suffix), reader) for reader in readers for suffix in reader.suffixes
                  if name.endswith(suffix)]
        if claims:
            return max(claims, key=lambda claim: claim[0])[1]
    for reader in readers:
        if reader.can_read(path):
            return reader
    what = "a folder" if path.is_dir() else "unknown file type"
    expected = ", ".join(reader.description for reader in readers) or (
        f"none: no reader is registered under {READER_GROUP}; reinstall localtwin")
    raise InputError(path, None, f"{what}; expected {expected}")


def read_source(path: str | Path, options: ImportOptions = ImportOptions()) -> SourceData:
    """Read one source file (or GTFS folder) with the reader its name and content call for.

    Parameters
    ----------
    path : str or Path
        The source file, or a GTFS folder.
    options : ImportOptions, optional
        Options of the import (CRS to assume, CityJSON level of detail, vector column map).

    Returns
    -------
    SourceData
        Its layers in its own CRS, with the reader's warnings.

    Raises
    ------
    InputError
        When the path does not exist, no reader takes it (the message lists the formats read),
        or the reader cannot use its content (naming the file and field).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "no such file")
    return reader_for(path).read(path, options)
