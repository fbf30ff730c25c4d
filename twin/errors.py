"""Errors the twin reports to its users: each names the file, the field and what was expected."""

from __future__ import annotations

from pathlib import Path


class TwinError(Exception):
    """Base class of every error the twin raises on purpose."""


class InputError(TwinError):
    """A source file, option or stored twin that cannot be used as it is.

    The message reads ``FILE: FIELD: what is wrong`` so a user can find and fix the input.

    Parameters
    ----------
    path : str or Path or None
        The file or folder at fault; None when no file is concerned (a command-line option).
    field : str or None
        Where in it: a key path, ``line N``, a column or layer name; None for the whole file.
    message : str
        What is wrong and what was expected.

    Attributes
    ----------
    path : str or None
        ``path`` as text.
    field : str or None
        ``field`` as given.
    reason : str
        ``message`` alone, without the file and field.
    """

    def __init__(self, path: str | Path | None, field: str | None, message: str) -> None:
        self.path = str(path) if path is not None else None
        self.field = field
        self.reason = message
        parts = [p for p in (self.path, field, message) if p]
        super().__init__(": ".join(parts))


class IntegrityError(TwinError):
    """A stored twin whose files no longer match the hashes in its manifest."""


class StorageError(TwinError):
    """A file the twin could not write (a full disk, a file over its size limit, an I/O error);
    what was stored before stays as it was.

    The message reads ``FILE: could not write: reason``.

    Parameters
    ----------
    path : str or Path
        The file that could not be written.
    error : OSError
        The operating system's error.

    Attributes
    ----------
    path : str
        ``path`` as text.
    reason : str
        The operating system's reason (``No space left on device``, ``File too large``).
    """

    def __init__(self, path: str | Path, error: OSError) -> None:
        self.path = str(path)
        self.reason = error.strerror or str(error)
        super().__init__(f"{self.path}: could not write: {self.reason}")
