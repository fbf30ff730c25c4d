"""What a path given to the viewer is: a twin folder or a results file (told apart by suffix or
HDF5 signature), checked before any window opens. Imports nothing heavy."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError
from twin.store.manifest import MANIFEST

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
RESULTS_SUFFIXES = (".h5", ".hdf5")


def is_results_file(path: str | Path) -> bool:
    """True for a results file: an ``.h5``/``.hdf5`` name, or a file starting as HDF5 does."""
    path = Path(path)
    if path.suffix.lower() in RESULTS_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            return f.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE
    except OSError:
        return False


def check_view_paths(paths: list[Path]) -> None:
    """Refuse, with one line naming the path, what the viewer cannot open: more than two paths,
    a path that does not exist, a file that is no results file, a folder without a twin's
    manifest, or two paths that are not both results files (only runs are compared).

    Raises
    ------
    InputError
        The first path that cannot be opened, and why.
    """
    if len(paths) > 2:
        raise InputError(None, "paths", "open one twin or results file, or compare two results files")
    for path in paths:
        if not path.exists():
            raise InputError(path, None, "no such file or folder")
        if path.is_dir() and not (path / MANIFEST).is_file():
            raise InputError(path, None, f"not a twin folder (no {MANIFEST} in it)")
        if path.is_file() and not is_results_file(path):
            raise InputError(path, None, "not a results file (.h5, written by twin run -o)")
    if len(paths) == 2:
        for path in paths:
            if path.is_dir():
                raise InputError(path, None, "a twin folder; only two results files are compared "
                                             "(B − A)")
