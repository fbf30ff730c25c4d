"""The manifest ``twin.toml`` of a twin folder: its layout, validation and the file checks.

The manifest is checked in full before anything else of the folder is read: each wrong key gives
one ``twin.toml: KEY: reason`` (an InputError), never a traceback. Only the files it lists are
ever read, each must be a regular file directly in the folder (no link, no path out of it), and a
file the loader would read but the manifest does not list is reported, not read.
"""

from __future__ import annotations

import numbers
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twin.errors import InputError, IntegrityError
from twin.hashing import sha256_file
from twin.store.leftovers import recover
from twin.store.lock import folder_lock

FORMAT_VERSION = 1
MANIFEST = "twin.toml"
LAYERS = "layers.gpkg"
TIMESERIES = "timeseries.h5"
OBSERVATIONS = "observations"
"""Group of ``timeseries.h5`` holding the observed series appended by the feeds."""
TERRAIN = {"dtm": "terrain_dtm.tif", "dsm": "terrain_dsm.tif"}
CONTENT = (LAYERS, TIMESERIES, *TERRAIN.values())
"""Every file directly in a twin folder besides the manifest."""
SEGMENTS = "timeseries"
"""Sub-folder of the append segments of ``timeseries.h5``: ``timeseries/segment-NNNNNN.h5``, each
immutable once listed in the manifest (``twin.store.segments``)."""
SEGMENT = re.compile(rf"{SEGMENTS}/segment-(\d{{6}})\.h5")
MAGIC = {LAYERS: (b"SQLite format 3\x00",), TIMESERIES: (b"\x89HDF\r\n\x1a\n",),
         **dict.fromkeys(TERRAIN.values(), (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"))}
"""How each file begins: a GeoPackage is SQLite, the time series HDF5, the terrain (Big)TIFF."""


def is_content(name: str) -> bool:
    """Whether ``name`` is a file a twin folder may hold besides the manifest."""
    return name in CONTENT or SEGMENT.fullmatch(name) is not None


def _magic(name: str) -> tuple[bytes, ...]:
    return MAGIC[TIMESERIES] if SEGMENT.fullmatch(name) else MAGIC[name]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SOURCE_FIELDS = {"path": str, "sha256": str, "size": int, "kind": str}


def read_manifest(folder: Path, parse_crs: bool = True) -> dict[str, Any]:
    """The parsed and checked ``twin.toml`` of ``folder``.

    Parameters
    ----------
    folder : Path
        The twin folder.
    parse_crs : bool, default True
        Check that ``crs.wkt`` is a CRS (pyproj is imported for it); without, only that it is
        a string (for ``twin info``, which shows the stored summary and uses no CRS).

    Returns
    -------
    dict
        The manifest: ``format_version``, ``name``, ``crs`` (``code``, ``wkt``), ``files``
        (``sha256`` and ``size`` [byte] by file name), ``layers``, ``sources``, ``warnings``.

    Raises
    ------
    InputError
        Naming the manifest and the key when it is missing, not TOML, lacks a key, holds a
        value of the wrong type, lists a file that is not one of a twin folder, or has a
        ``format_version`` newer than this program reads.
    """
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(folder, None, f"not a twin folder (no {MANIFEST})")
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, None, f"broken manifest: {error}") from None
    _check(path, manifest, parse_crs)
    return manifest


@contextmanager
def checked_manifest(folder: Path, verify: bool = True, parse_crs: bool = True
                     ) -> Iterator[dict[str, Any]]:
    """The checked manifest of the twin folder ``folder``, with the folder held under its shared
    lock (no save or append in between) until the block ends.

    What a killed writer left beside the folder is recovered first (``twin.store.leftovers``).

    Parameters
    ----------
    folder : Path
        The twin folder (``NAME.twin``).
    verify : bool, default True
        Check every file against the SHA-256 in the manifest, and that no file the loader reads
        was added unlisted.
    parse_crs : bool, default True
        Check that the manifest's CRS is one (:func:`read_manifest`).

    Yields
    ------
    dict
        The manifest (:func:`read_manifest`).

    Raises
    ------
    InputError
        When ``folder`` is not a twin folder or its manifest is broken.
    IntegrityError
        With ``verify``, naming the files that are missing, changed or added since the twin
        was saved.
    """
    if not folder.parent.is_dir():
        raise InputError(folder, None, f"not a twin folder (no {MANIFEST})")
    recover(folder)
    with folder_lock(folder, shared=True):
        manifest = read_manifest(folder, parse_crs)
        if verify:
            changed = verify_files(folder, manifest)
            if changed:
                raise IntegrityError(f"{folder}: files changed since the twin was saved: "
                                     f"{', '.join(changed)}")
        yield manifest


def _check(path: Path, manifest: dict[str, Any], parse_crs: bool) -> None:
    """InputError at the first key of ``manifest`` that a twin folder's manifest cannot hold."""
    for key in ("format_version", "name", "crs", "files"):
        if key not in manifest:
            raise InputError(path, key, "missing from the manifest")
    version = manifest["format_version"]
    if type(version) is not int or version < 1:
        raise InputError(path, "format_version", f"{version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise InputError(path, "format_version",
                         f"{version} is newer than this program reads ({FORMAT_VERSION})")
    expect(path, "name", manifest["name"], str)
    if not manifest["name"]:
        raise InputError(path, "name", "empty")
    crs = expect(path, "crs", manifest["crs"], dict)
    expect(path, "crs.code", crs.get("code", ""), str)
    wkt = expect(path, "crs.wkt", crs.get("wkt"), str)
    if parse_crs:
        from pyproj import CRS  # not at start-up: ``twin info`` reads manifests without it
        from pyproj.exceptions import CRSError

        try:
            CRS.from_wkt(wkt)
        except CRSError:
            raise InputError(path, "crs.wkt", "not a CRS in WKT") from None
    _check_files(path, expect(path, "files", manifest["files"], dict))
    layers = expect(path, "layers", manifest.get("layers", {}), dict)
    for name in expect(path, "layers.extra", layers.get("extra", []), list):
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
            raise InputError(path, "layers.extra", f"{name!r} is not a layer name")
    for i, source in enumerate(expect(path, "sources", manifest.get("sources", []), list)):
        expect(path, f"sources[{i}]", source, dict)
        if set(source) != set(_SOURCE_FIELDS):
            raise InputError(path, f"sources[{i}]", f"expected the keys {', '.join(_SOURCE_FIELDS)}")
        for key, kind in _SOURCE_FIELDS.items():
            expect(path, f"sources[{i}].{key}", source[key], kind)
    for i, warning in enumerate(expect(path, "warnings", manifest.get("warnings", []), list)):
        expect(path, f"warnings[{i}]", warning, str)


def _check_files(path: Path, files: dict[str, Any]) -> None:
    """The ``files`` table: the layers and nothing but the files of a twin folder, each with a
    SHA-256 and a size."""
    if LAYERS not in files:
        raise InputError(path, "files", f"does not list {LAYERS}, which every twin holds")
    for name, entry in files.items():
        key = f"files.{name}"
        if not is_content(name):
            raise InputError(path, key, f"not a file of a twin folder (expected one of "
                                        f"{', '.join(CONTENT)} or {SEGMENTS}/segment-NNNNNN.h5)")
        expect(path, key, entry, dict)
        digest = expect(path, f"{key}.sha256", entry.get("sha256"), str)
        if not _SHA256.match(digest):
            raise InputError(path, f"{key}.sha256", "not a SHA-256 (64 lowercase hex digits)")
        size = entry.get("size")
        if type(size) is not int or size < 0:
            raise InputError(path, f"{key}.size", f"{size!r} is not a size in bytes")


def expect(path: Path, key: str, value: Any, kind: type) -> Any:
    """``value`` if it is a ``kind``, else InputError at ``key``; any integral number counts
    as an int and any real one as a float (given back as Python int or float), a bool as
    neither."""
    number = {int: numbers.Integral, float: numbers.Real}.get(kind)
    if (number and isinstance(value, bool)) or not isinstance(value, number or kind):
        names = {str: "a string", int: "an integer", float: "a number", dict: "a table",
                 list: "an array"}
        raise InputError(path, key, f"expected {names[kind]}, got {type(value).__name__} "
                                    f"{value!r:.60}")
    return kind(value) if number else value


def verify_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Names of the files that are missing, changed or not what they should be, and of the
    files the loader would read that the manifest does not list.

    Parameters
    ----------
    folder : Path
        The twin folder.
    manifest : dict
        Its manifest (:func:`read_manifest`); only ``files`` is read.

    Returns
    -------
    list of str
        ``NAME`` for a changed file, ``NAME (missing)``, ``NAME (not a regular file)`` for a
        link or folder, ``NAME (not listed in the manifest)``; empty when all match.
    """
    changed = []
    listed = manifest["files"]
    segments = _kind(folder / SEGMENTS)
    if segments is not None and not stat.S_ISDIR(segments):
        return [f"{SEGMENTS} (not a folder)"]
    found = sorted(f"{SEGMENTS}/{p.name}" for p in (folder / SEGMENTS).iterdir()) if segments else []
    for name in dict.fromkeys([*CONTENT, *(n for n in listed if SEGMENT.fullmatch(n)), *found]):
        kind = _kind(folder / name)
        if name not in listed:
            if kind is not None:
                changed.append(f"{name} (not listed in the manifest)")
        elif kind is None:
            changed.append(f"{name} (missing)")
        elif not stat.S_ISREG(kind):
            changed.append(f"{name} (not a regular file)")
        elif sha256_file(folder / name) != listed[name]["sha256"]:
            changed.append(name)
    return changed


def check_content_file(folder: Path, name: str) -> None:
    """InputError naming ``name`` when it is a link or not a regular file, or does not begin as
    a file of its kind does (a GeoPackage, HDF5 or TIFF), so that no other format's reader
    (which may follow references to other files) opens it."""
    if SEGMENT.fullmatch(name) and not stat.S_ISDIR(_kind(folder / SEGMENTS) or 0):
        raise InputError(folder / SEGMENTS, None, "not a folder; refused")
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise InputError(folder / name, None, f"cannot be read as a file of the twin ({error.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(folder / name, None, "not a regular file; refused")
        head = handle.read(16)
    if not head.startswith(_magic(name)):
        raise InputError(folder / name, None, "not the file format its name says; refused")


def _kind(path: Path) -> int | None:
    """The ``st_mode`` of ``path`` itself (a link is not followed); None when absent."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
