"""The sample cities, imported once and kept as saved twin folders in the user's cache.

Importing a sample from its sources (the Helsinki OSM extract: about 0.6 s) is the largest part
of a short scenario run outside the simulation; reading the saved twin back takes about 0.1 s
and gives the same twin (the store keeps every layer, signal, turn ban and import warning).

A cached twin is used only if its key matches: the sample's content hash (its source files)
and the code fingerprint (the SHA-256 of every ``.py`` file of the ``twin`` and ``simulation``
packages, so that any change to an importer makes a new import; the ``KEPT_VERSIONS`` most
recently used keys of a sample are kept). The folder is
``CACHE/samples/NAME-KEY.twin`` with CACHE ``$LOCALTWIN_CACHE``, else
``$XDG_CACHE_HOME/localtwin``, else ``~/.cache/localtwin``; setting ``LOCALTWIN_CACHE`` to an
empty string turns the cache off. A cached folder that fails to load (a file changed since it was
saved, a broken manifest) is imported again and replaced; a cache that cannot be written
(read-only home) only costs the time saved. Writes are atomic (``twin.store.save_twin``), so
runs in parallel never read a half-written twin.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from twin.errors import InputError, IntegrityError
from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.model import Twin

CACHE_ENV = "LOCALTWIN_CACHE"
KEPT_VERSIONS = 3
"""Cached twins kept per sample (the most recently used): a few checkouts or versions of the
engine used side by side do not keep re-importing, and none removes a twin another is reading."""
_PACKAGES = ("twin", "simulation")


def cache_folder() -> Path | None:
    """The cache folder of this user, or None when ``$LOCALTWIN_CACHE`` is set empty."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "localtwin"


def code_fingerprint() -> str:
    """SHA-256 (hex) of the relative names and contents of the engine's Python files."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_sample(name: str, content_sha256: str) -> Twin:
    """The twin of sample ``name`` (content hash ``content_sha256``), from the cache if there,
    else imported from its sources and cached.

    Raises
    ------
    InputError
        When the sample is unknown or incomplete, or its sources cannot be imported.
    """
    cache = cache_folder()
    if cache is None:
        return import_files(sample_files(name), name=name)
    from twin.store import MANIFEST, load_twin  # the store only when caching

    key = hashlib.sha256(f"{content_sha256}\n{code_fingerprint()}".encode()).hexdigest()[:20]
    folder = cache / "samples" / f"{name}-{key}.twin"
    if (folder / MANIFEST).is_file():
        try:
            twin = load_twin(folder)
            os.utime(folder)  # recently used: kept
            return twin
        except (InputError, IntegrityError, OSError):
            pass  # imported again below and replaced
    twin = import_files(sample_files(name), name=name)
    try:
        _keep(twin, folder)
    except (InputError, IntegrityError, OSError):
        pass  # an unwritable cache costs only time
    return twin


def _keep(twin: Twin, folder: Path) -> None:
    """Save ``twin`` to ``folder`` (replacing what is there) and remove the cached twins of the
    same sample under other keys but the ``KEPT_VERSIONS - 1`` most recently used."""
    from twin.store import save_twin

    try:
        save_twin(twin, folder)
    except InputError:  # something there that is not a twin folder
        shutil.rmtree(folder, ignore_errors=True)
        save_twin(twin, folder)
    others = sorted((p for p in folder.parent.glob(f"{twin.name}-*.twin") if p != folder),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for other in others[KEPT_VERSIONS - 1:]:
        shutil.rmtree(other, ignore_errors=True)
