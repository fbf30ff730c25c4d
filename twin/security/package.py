"""Scenario packages (``.twinpkg``): a zip of the scenario, the data files it names, a manifest
with the SHA-256 of every member and a licence block, and an Ed25519 signature of the manifest.

    pack_scenario("scenarios/helsinki_2035.toml", "helsinki_2035.twinpkg")
    sign_package("helsinki_2035.twinpkg", "me.key")
    info = verify_package("helsinki_2035.twinpkg")            # PackageError if refused
    scenario_file = extract_package("helsinki_2035.twinpkg", "unpacked/")

Members: ``scenario.toml`` (its file paths rewritten to the members), ``data/...`` (OD matrix,
zones, weather), ``twin/NAME.twin/...`` (a twin folder it names), ``manifest.json``,
``signature.json``. OD matrices are aggregated data: cells with fewer than k trips are removed on
packing (k-anonymity, default 5). A package is data only (``safe_zip``) and holds no credentials.
Verification refuses unsigned packages and signers outside the trust store unless the caller
accepts untrusted packages; damaged or unsafe packages are refused always.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from twin.errors import InputError
from twin.json_text import loads_json
from twin.scenarios import load_scenario
from twin.security.keys import (
    TrustStore,
    key_id,
    load_private_key,
    public_key_from_pem,
    public_pem,
    verifies,
)
from twin.security.safe_zip import (
    ZIP_READ_ERRORS,
    PackageError,
    check_name,
    read_member,
    read_package,
    safe_members,
    sha256_bytes,
)
from twin.toml_text import loads_toml

FORMAT = "localtwin-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
SCENARIO = "scenario.toml"
K_ANONYMITY = 5
"""OD cells with fewer trips than this are not packed."""
MAX_MANIFEST_BYTES = 1 << 20
SECRET_KEYS = re.compile(r"(pass(word|wd)?|secret|token|api[_-]?key|credential|private[_-]?key)",
                         re.IGNORECASE)
"""Key names that would carry credentials; no package member may use them."""
SCENARIO_FILES = (("mobility", "demand"), ("mobility", "zones"), ("energy", "weather"), ("twin", "path"))
"""The (table, key) of every file or folder a scenario names."""


@dataclass(frozen=True)
class PackageInfo:
    """A verified package: its manifest, whether it is signed, the signer's key id and trust
    store name (None if unsigned or unknown), and whether the caller accepted it untrusted.

    Attributes
    ----------
    path : Path
        The package file.
    manifest : dict
        Its parsed ``manifest.json`` (title, licence, k-anonymity, members with SHA-256 and
        size [byte]).
    signed : bool
        Whether it carries a signature that matches its manifest.
    key_id : str or None
        The signer's key id; None if unsigned.
    signer : str or None
        The signer's name in the trust store; None if unsigned or not trusted.
    trusted : bool
        True when signed by a trusted key; False when the caller accepted it untrusted.
    """

    path: Path
    manifest: dict
    signed: bool
    key_id: str | None
    signer: str | None
    trusted: bool


def pack_scenario(scenario_path: str | Path, output: str | Path, k: int = K_ANONYMITY) -> Path:
    """Pack a scenario file and every file it names into ``output`` (unsigned); returns it.

    Parameters
    ----------
    scenario_path : str or Path
        A valid scenario file; the OD matrix, zones, weather file and twin folder it names are
        packed with it.
    output : str or Path
        The package file to write (``.twinpkg``).
    k : int, default 5
        k-anonymity of the packed OD matrix: cells of fewer than ``k`` trips (but more than 0)
        are removed [trips].

    Returns
    -------
    Path
        ``output``.

    Raises
    ------
    ScenarioError
        When the scenario is not valid.
    InputError
        When the OD matrix has no ``trips`` column or a trips value is not a number, or a path
        in the scenario is not a plain quoted string.
    PackageError
        When a member would have a name or file type a package may not hold.
    """
    scenario_path = Path(scenario_path)
    scenario = load_scenario(scenario_path)  # only a valid scenario is packed
    text = scenario.text
    document = loads_toml(text)
    members: dict[str, bytes] = {}
    suppressed: dict[str, int] = {}
    for table, key in SCENARIO_FILES:
        folder = "twin" if table == "twin" else "data"
        raw = document.get(table, {}).get(key)
        if raw is None or raw in ("generated", "twin"):
            continue
        source = (scenario_path.parent / raw).resolve()
        if source.is_dir():
            name = f"twin/{source.name}"
            for file in sorted(p for p in source.rglob("*") if p.is_file()):
                members[f"{name}/{file.relative_to(source).as_posix()}"] = file.read_bytes()
        else:
            name = f"{folder}/{source.name}"
            data = source.read_bytes()
            if (table, key) == ("mobility", "demand"):
                data, suppressed[name] = suppress_small_cells(data, source, k)
            members[name] = data
        text = _replace_value(text, raw, name, scenario_path, f"{table}.{key}")
    members[SCENARIO] = text.encode("utf-8")
    for name in members:
        check_name(Path(output), name)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "scenario": SCENARIO,
        "title": scenario.metadata.title,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "licence": {"spdx": scenario.metadata.licence, "author": scenario.metadata.author,
                    "city": scenario.metadata.city},
        "k_anonymity": {"k": k, "suppressed_cells": suppressed},
        "members": {name: {"sha256": sha256_bytes(data), "size": len(data)}
                    for name, data in sorted(members.items())},
    }
    members[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    return _write_zip(Path(output), members)


def suppress_small_cells(data: bytes, source: Path, k: int) -> tuple[bytes, int]:
    """The OD CSV without the rows of fewer than ``k`` trips (but more than 0), and how many
    rows went; InputError naming the file if it is not an OD CSV."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not rows:
        raise InputError(source, "line 1", "empty OD matrix")
    header = [h.strip().lower() for h in rows[0]]
    if "trips" not in header:
        raise InputError(source, "line 1", "no trips column")
    col = header.index("trips")
    kept, dropped = [rows[0]], 0
    for line, row in enumerate(rows[1:], start=2):
        try:
            trips = float(row[col])
        except (IndexError, ValueError):
            raise InputError(source, f"line {line}", "trips is not a number") from None
        if 0 < trips < k:
            dropped += 1
        else:
            kept.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    return out.getvalue().encode("utf-8"), dropped


def _replace_value(text: str, raw: str, new: str, path: Path, key: str) -> str:
    """``text`` with the quoted TOML string ``raw`` replaced by ``new``."""
    for quote in ('"', "'"):
        literal = f"{quote}{raw}{quote}"
        if literal in text:
            return text.replace(literal, json.dumps(new))
    raise InputError(path, key, "write the path as a plain quoted string to pack it")


def sign_package(package: str | Path, private_key: str | Path) -> str:
    """Sign an intact package with the Ed25519 key in ``private_key`` (replacing any earlier
    signature); returns the key id.

    Parameters
    ----------
    package : str or Path
        The package file, rewritten in place.
    private_key : str or Path
        PEM file of an unencrypted Ed25519 private key.

    Returns
    -------
    str
        The signing key's id.

    Raises
    ------
    InputError
        For a key file that is unreadable or not Ed25519.
    PackageError
        For a damaged or unsafe package, or one whose members do not match its manifest.
    """
    package = Path(package)
    key = load_private_key(private_key)
    members = _read_verified_members(package)
    members.pop(SIGNATURE, None)
    signature = {"algorithm": "Ed25519", "key_id": key_id(key.public_key()),
                 "public_key": public_pem(key.public_key()).decode("ascii"),
                 "signature": base64.b64encode(key.sign(members[MANIFEST])).decode("ascii")}
    members[SIGNATURE] = json.dumps(signature, indent=2).encode("utf-8")
    _write_zip(package, members)
    return signature["key_id"]


def verify_package(package: str | Path, trust: TrustStore | None = None,
                   untrusted: bool = False) -> PackageInfo:
    """Check a package (see the module docstring); PackageError with the reason if refused.

    Parameters
    ----------
    package : str or Path
        The package file.
    trust : TrustStore, optional
        The trusted keys; the default trust store by default.
    untrusted : bool, default False
        Accept an unsigned package, or one signed by a key outside the trust store.

    Returns
    -------
    PackageInfo
        The manifest and who signed it.

    Raises
    ------
    PackageError
        When it is damaged or unsafe, a member does not match the manifest, the signature does
        not match, or (without ``untrusted``) it is unsigned or signed by an unknown key.
    """
    package = Path(package)
    return _verify(package, _read_verified_members(package), trust, untrusted)


def _verify(package: Path, members: dict[str, bytes], trust: TrustStore | None,
            untrusted: bool) -> PackageInfo:
    """The signature check of :func:`verify_package` on members already read and checked."""
    manifest = loads_json(members[MANIFEST])
    if SIGNATURE not in members:
        if not untrusted:
            raise PackageError(package, None, "unsigned: refused (accept it with --untrusted "
                                              "only if you trust where it came from)")
        return PackageInfo(package, manifest, False, None, None, False)
    signature = _signature(package, members[SIGNATURE])
    known = (trust or TrustStore()).keys()
    claimed = signature["key_id"]
    if claimed in known:
        name, public = known[claimed]
        if not verifies(public, signature["signature"], members[MANIFEST]):
            raise PackageError(package, SIGNATURE, f"the signature does not match key {claimed} "
                                                   f"({name}): the manifest was altered or signed "
                                                   "with another key")
        return PackageInfo(package, manifest, True, claimed, name, True)
    embedded = signature["public_key"]
    if key_id(embedded) != claimed or not verifies(embedded, signature["signature"],
                                                   members[MANIFEST]):
        raise PackageError(package, SIGNATURE, "the signature does not match its own key: the "
                                               "manifest was altered")
    if not untrusted:
        raise PackageError(package, SIGNATURE, f"signed by key {claimed}, which is not in the "
                                               "trust store: refused (twin trust add KEY.pub, or "
                                               "--untrusted)")
    return PackageInfo(package, manifest, True, claimed, None, False)


def extract_package(package: str | Path, folder: str | Path, trust: TrustStore | None = None,
                    untrusted: bool = False) -> Path:
    """Verify ``package`` and write its members into the new or empty ``folder``; returns the
    scenario file there. The package is read once: what is written is what was verified.

    Parameters
    ----------
    package : str or Path
        The package file.
    folder : str or Path
        A new or empty folder to write the members into.
    trust : TrustStore, optional
        The trusted keys; the default trust store by default.
    untrusted : bool, default False
        Accept an unsigned package, or one signed by a key outside the trust store.

    Returns
    -------
    Path
        The scenario file in ``folder`` (``scenario.toml``).

    Raises
    ------
    PackageError
        When :func:`verify_package` refuses the package.
    InputError
        When ``folder`` is not empty.
    """
    package, folder = Path(package), Path(folder)
    members = _read_verified_members(package)  # the bytes verified are the bytes written
    _verify(package, members, trust, untrusted)
    if folder.exists() and any(folder.iterdir()):
        raise InputError(folder, None, "not empty; extract a package into a new folder")
    root = folder.resolve()
    for name, data in members.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root):  # check_name already refused such names
            raise PackageError(package, name, "a path outside the package: refused")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root / SCENARIO


def _read_verified_members(package: Path) -> dict[str, bytes]:
    """Every member, after the safety checks, with the manifest's hashes and sizes matched and
    the scenario's files among them; the package file is read once, into memory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(read_package(package)))
    except ZIP_READ_ERRORS as error:
        raise PackageError(package, None, f"not a readable zip package ({error})") from None
    with archive:
        infos = safe_members(archive, package)
        names = {info.filename for info in infos}
        if MANIFEST not in names:
            raise PackageError(package, MANIFEST, "missing: not a localtwin package")
        members = {info.filename: read_member(archive, info, package) for info in infos}
    manifest = _manifest(package, members[MANIFEST])
    listed = manifest["members"]
    extra = names - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise PackageError(package, min(extra), "not listed in the manifest: refused")
    for name, entry in listed.items():
        if name not in members:
            raise PackageError(package, name, "listed in the manifest but missing")
        if sha256_bytes(members[name]) != entry.get("sha256") or len(members[name]) != entry.get("size"):
            raise PackageError(package, name, "its SHA-256 differs from the manifest: the member "
                                              "was altered")
        if name.endswith((".toml", ".json", ".geojson")):
            _refuse_secrets(package, name, members[name])
    _check_scenario_files(package, manifest["scenario"], members)
    return members


def _check_scenario_files(package: Path, scenario: str, members: dict[str, bytes]) -> None:
    """Refuse a scenario that names a file (or twin folder) which is not a member: a packaged
    scenario, signed or not, reads nothing outside its package."""
    try:
        document = loads_toml(members[scenario].decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PackageError(package, scenario, f"not a TOML scenario ({error})") from None
    for table, key in SCENARIO_FILES:
        section = document.get(table, {})
        raw = section.get(key) if isinstance(section, dict) else None
        if raw is None or (key, raw) in (("demand", "generated"), ("weather", "twin")):
            continue
        if not isinstance(raw, str) or (raw not in members and not (
                table == "twin" and any(name.startswith(f"{raw}/") for name in members))):
            raise PackageError(package, f"{scenario}: {table}.{key}",
                               f"names {raw!r}, which is not a member of the package: a packaged "
                               "scenario reads only its own members")


def _manifest(package: Path, data: bytes) -> dict:
    if len(data) > MAX_MANIFEST_BYTES:
        raise PackageError(package, MANIFEST, "larger than 1 MB")
    try:
        manifest = loads_json(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise PackageError(package, MANIFEST, f"not JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(package, MANIFEST, f"not a {FORMAT} manifest")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise PackageError(package, f"{MANIFEST}: format_version",
                           f"{manifest.get('format_version')!r} is not a version this reader knows "
                           f"(<= {FORMAT_VERSION})")
    listed = manifest.get("members")
    if not isinstance(listed, dict) or not all(isinstance(v, dict) for v in listed.values()):
        raise PackageError(package, f"{MANIFEST}: members", "expected an object of members")
    if manifest.get("scenario") not in listed:
        raise PackageError(package, f"{MANIFEST}: scenario", "names no member")
    return manifest


def _signature(package: Path, data: bytes) -> dict:
    try:
        raw = loads_json(data)
        return {"key_id": str(raw["key_id"]), "signature": base64.b64decode(raw["signature"], validate=True),
                "public_key": public_key_from_pem(str(raw["public_key"]).encode("ascii"))}
    except (ValueError, KeyError, TypeError, UnicodeError) as error:
        raise PackageError(package, SIGNATURE, f"not a readable signature ({error})") from None


def _refuse_secrets(package: Path, name: str, data: bytes) -> None:
    """Credentials belong in the environment or a keyring, never in a package: refuse a TOML or
    JSON member with a key named like one (password, token, secret, api_key ...)."""
    try:
        text = data.decode("utf-8")
        document = loads_toml(text) if name.endswith(".toml") else loads_json(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise PackageError(package, name, f"not valid {Path(name).suffix[1:].upper()} ({error})") from None
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if SECRET_KEYS.search(str(key)):
                    raise PackageError(package, name, f"holds a credential key ({key}): credentials "
                                                      "come from the environment, never from shared "
                                                      "files")
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write the members (sorted, fixed timestamps) to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(members):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, members[name])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
