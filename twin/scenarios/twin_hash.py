"""The content hash a scenario pins its base twin with (``[twin] sha256``).

It is the SHA-256 of the UTF-8 lines ``NAME<TAB>SHA256<LF>``, sorted by NAME, one per content
file of the twin: for a saved twin folder the files in the ``files`` table of its ``twin.toml``
with the digests recorded there (``load_twin`` verifies the files against them), for a sample
city its source files (``twin.importers.samples.SAMPLES``) with their digests. The manifest's creation
time and other metadata do not enter it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from twin.hashing import sha256_file
from twin.importers.samples import sample_files


def content_sha256(files: Iterable[tuple[str, str]]) -> str:
    """SHA-256 (hex) of the sorted ``name<TAB>sha256`` lines of ``files``."""
    lines = "".join(f"{name}\t{digest}\n" for name, digest in sorted(files))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def twin_folder_sha256(folder: str | Path) -> str:
    """Content hash of a saved twin folder, from its manifest."""
    from twin.store import read_manifest  # the store (h5py, rasterio) only for saved twins

    manifest = read_manifest(Path(folder))
    return content_sha256((name, entry["sha256"]) for name, entry in manifest["files"].items())


def sample_sha256(name: str) -> str:
    """Content hash of sample city ``name``, from its source files."""
    return content_sha256((path.name, sha256_file(path)) for path in sample_files(name))


def twin_sha256(path: str | Path | None = None, sample: str | None = None) -> str:
    """Content hash of the twin folder at ``path`` or of the sample ``sample``.

    Parameters
    ----------
    path : str or Path, optional
        A saved twin folder; its manifest's file digests are hashed.
    sample : str, optional
        Name of a sample city, used when ``path`` is None; its source files are hashed.

    Returns
    -------
    str
        The content hash, lowercase hex (what ``[twin] sha256`` pins).

    Raises
    ------
    InputError
        When the folder is not a twin folder or its manifest is broken, or the sample is
        unknown or incomplete.
    """
    return twin_folder_sha256(path) if path is not None else sample_sha256(str(sample))
