"""Read a zip archive as untrusted data: bounded counts and sizes, no paths outside it, no links,
no encrypted members, data file types only.

Every refusal is a PackageError naming the archive, the member and the reason. Sizes are checked
both as declared in the archive and while reading (a forged header cannot slip past).
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from twin.errors import InputError

MAX_MEMBERS = 1000
"""Most members of a package."""
MAX_MEMBER_BYTES = 256 << 20
"""Largest member, uncompressed, bytes."""
MAX_TOTAL_BYTES = 1 << 30
"""Largest package, uncompressed, bytes."""
MAX_RATIO = 200.0
"""Largest compression ratio of a member above 1 MB (zip bombs reach thousands)."""
DATA_SUFFIXES = (
    ".toml", ".json", ".geojson", ".csv", ".txt", ".md", ".gpkg", ".tif", ".tiff", ".h5",
    ".epw", ".dat", ".pbf", ".jsonl", ".xml", ".zip", ".sig",
)
"""File types a package may hold: data and text, never code or serialised objects."""
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                   RuntimeError, ValueError, UnicodeDecodeError)
"""What the standard library raises on damaged archives (bad headers, data, methods)."""
_NAME = re.compile(r"^[A-Za-z0-9._\-/]+$")


class PackageError(InputError):
    """A package (or member) refused: ``PACKAGE: MEMBER: reason``.

    Parameters
    ----------
    path : str or Path or None
        The package file.
    field : str or None
        The member (or manifest key) at fault; None for the whole package.
    message : str
        Why it was refused.
    """


def check_name(package: Path, name: str) -> None:
    """Refuse member names that could leave the extraction folder or hide what they are."""
    path = PurePosixPath(name)
    if (not name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name)
            or any(part in ("..", ".", "") for part in name.split("/"))):
        raise PackageError(package, name, "a path outside the package (absolute, .. or empty "
                                          "parts, backslashes): refused")
    if not _NAME.match(name):
        raise PackageError(package, name, "only letters, digits, '.', '_', '-' and '/' are "
                                          "allowed in member names")
    if not name.lower().endswith(DATA_SUFFIXES):
        raise PackageError(package, name, f"file type {path.suffix or '(none)'} is not data "
                                          f"(allowed: {', '.join(DATA_SUFFIXES)})")


def safe_members(archive: zipfile.ZipFile, package: Path) -> list[zipfile.ZipInfo]:
    """The members of ``archive`` after every check that needs no reading."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackageError(package, None, f"{len(infos)} members; at most {MAX_MEMBERS}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name != info.orig_filename:
            raise PackageError(package, repr(info.orig_filename), "a NUL byte in the member "
                                                                  "name: refused")
        if name.endswith("/"):
            raise PackageError(package, name, "folders are not members of a package")
        check_name(package, name)
        if name in seen:
            raise PackageError(package, name, "appears twice")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(package, name, "a symbolic link: refused")
        if info.flag_bits & 0x1:
            raise PackageError(package, name, "encrypted: refused")
        if info.file_size > MAX_MEMBER_BYTES:
            raise PackageError(package, name, f"{info.file_size:,} bytes uncompressed; at most "
                                              f"{MAX_MEMBER_BYTES:,}")
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(package, name, f"compresses {info.file_size / max(info.compress_size, 1):,.0f}:1, "
                                              "like a zip bomb: refused")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PackageError(package, None, f"more than {MAX_TOTAL_BYTES:,} bytes uncompressed")
    return infos


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, package: Path) -> bytes:
    """The member's bytes, read in blocks and stopped at its declared size (or the limit)."""
    limit = min(info.file_size, MAX_MEMBER_BYTES)
    chunks = []
    size = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise PackageError(package, info.filename, "longer than its declared size")
                chunks.append(chunk)
    except ZIP_READ_ERRORS as error:
        raise PackageError(package, info.filename, f"cannot be read: {error}") from None
    return b"".join(chunks)


def read_package(package: Path) -> bytes:
    """The whole package file, read once (so that what is checked is what is used); refused
    when it is larger than a package may be."""
    try:
        with open(package, "rb") as handle:
            data = handle.read(MAX_TOTAL_BYTES + 1)
    except OSError as error:
        raise PackageError(package, None, f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_TOTAL_BYTES:
        raise PackageError(package, None, f"larger than {MAX_TOTAL_BYTES:,} bytes")
    return data


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
