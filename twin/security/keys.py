"""Ed25519 signing keys and the trust store of community keys.

A key pair is two PEM files: ``NAME.key`` (private, PKCS#8, readable by its owner only) and
``NAME.pub`` (public, SubjectPublicKeyInfo). A key's id is the first 16 hex digits of the SHA-256
of its raw 32 public bytes. The trust store is a folder of ``*.pub`` files: ``$LOCALTWIN_TRUST``
if set, else ``~/.config/localtwin/trusted-keys``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from twin.errors import InputError

TRUST_ENV = "LOCALTWIN_TRUST"


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the key's raw 32 bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key_pair(stem: str | Path) -> tuple[Path, Path]:
    """Write a new key pair ``STEM.key`` and ``STEM.pub``; refuses to overwrite. Returns them.

    Parameters
    ----------
    stem : str or Path
        Path of the key files without their suffix (``keys/me`` gives ``keys/me.key`` and
        ``keys/me.pub``).

    Returns
    -------
    tuple of Path
        (private key file, readable by its owner only; public key file), both PEM.

    Raises
    ------
    InputError
        When either file exists already.
    """
    private_path, public_path = Path(f"{stem}.key"), Path(f"{stem}.pub")
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(path, None, "exists already; not overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(public_pem(key.public_key()))
    return private_path, public_path


def public_pem(public: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; InputError naming it otherwise."""
    path = Path(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise InputError(path, None, f"not a readable unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(path, None, "not an Ed25519 key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file; InputError naming it otherwise."""
    path = Path(path)
    try:
        return public_key_from_pem(path.read_bytes())
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise InputError(path, None, str(error)) from None


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key in PEM ``data``: ValueError if it is no PEM public key, TypeError
    if it is another kind of key."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verifies(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``message``."""
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


class TrustStore:
    """The public keys whose signatures are accepted, by key id (and the file names).

    Parameters
    ----------
    folder : str or Path, optional
        Folder of the trusted ``*.pub`` files; by default ``$LOCALTWIN_TRUST`` if set, else
        ``~/.config/localtwin/trusted-keys``.

    Attributes
    ----------
    folder : Path
        The folder in use.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        env = os.environ.get(TRUST_ENV)
        default = Path.home() / ".config" / "localtwin" / "trusted-keys"
        self.folder = Path(folder) if folder is not None else Path(env) if env else default

    def keys(self) -> dict[str, tuple[str, Ed25519PublicKey]]:
        """key id -> (name, key) of every readable ``*.pub`` in the folder."""
        out: dict[str, tuple[str, Ed25519PublicKey]] = {}
        if not self.folder.is_dir():
            return out
        for path in sorted(self.folder.glob("*.pub")):
            key = load_public_key(path)
            out[key_id(key)] = (path.stem, key)
        return out

    def add(self, public_path: str | Path, name: str | None = None) -> str:
        """Trust the public key in ``public_path`` (stored as ``NAME.pub``); returns its id.

        Parameters
        ----------
        public_path : str or Path
            PEM file of an Ed25519 public key.
        name : str, optional
            Name to trust it under (letters, digits, ``-``, ``_``); the file's stem by default.

        Returns
        -------
        str
            The key id.

        Raises
        ------
        InputError
            For an unreadable key, a name with other characters, or a name under which another
            key is trusted.
        """
        key = load_public_key(public_path)
        name = name or Path(public_path).stem
        if not name.replace("-", "").replace("_", "").isalnum():
            raise InputError(None, "--name", "letters, digits, '-' and '_' only")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{name}.pub"
        if target.exists() and target.read_bytes() != public_pem(key):
            raise InputError(target, None, "another key is trusted under this name")
        target.write_bytes(public_pem(key))
        return key_id(key)
