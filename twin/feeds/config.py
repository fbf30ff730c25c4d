"""The feeds file of ``twin listen``: a TOML naming the twin folder, explicit sensor mappings and
the feeds; checked in full before anything connects, every error as ``FILE: key: what is wrong``.

Credentials are never in the file: ``username_env``, ``password_env`` and ``token_env`` name the
environment variables that hold them. Relative paths are relative to the file. Example::

    [twin]
    folder = "delft.twin"      # the twin folder to append to
    max_distance = 50.0        # m: a sensor maps to the nearest link / building within this
    flush_interval = 1.0       # s between appends to timeseries.h5

    [[sensors]]
    id = "counter-7"
    link = "4243036:1:b"       # or building = "..."

    [[feeds]]
    name = "city"
    kind = "mqtt"              # mqtt | ngsi-ld | sensorthings | replay
    host = "broker.example.org"
    port = 8883
    topics = ["city/traffic/#"]
    format = "plain"           # plain | ngsi-ld
    tls_ca = "ca.crt"
    username_env = "CITY_MQTT_USER"
    password_env = "CITY_MQTT_PASSWORD"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.errors import InputError
from twin.feeds.payloads import PARSERS
from twin.toml_text import loads_toml

SECRET_KEYS = ("password", "token", "username", "secret", "api_key")
_COMMON = {"name": str, "kind": str}
_FEED_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "mqtt": {"host": str, "port": int, "topics": list, "format": str, "qos": int, "client_id": str,
             "mqtt5": bool, "session_expiry": int, "keepalive": int, "tls_ca": str, "tls_cert": str,
             "tls_key": str, "username_env": str, "password_env": str, "max_payload": int,
             "min_backoff": int, "max_backoff": int, "record": str},
    "ngsi-ld": {"url": str, "type": str, "q": str, "context": str, "tenant": str, "token_env": str,
                "notify_port": int, "backfill_after": str, "georel": str, "geometry": str,
                "coordinates": list},
    "sensorthings": {"url": str, "token_env": str, "mqtt_host": str, "mqtt_port": int, "client_id": str,
                     "username_env": str, "password_env": str, "tls_ca": str},
    "replay": {"path": str, "format": str, "speed": (int, float)},
}
_REQUIRED = {"mqtt": ("host", "topics"), "ngsi-ld": ("url", "type"), "sensorthings": ("url",),
             "replay": ("path",)}
_PATHS = ("tls_ca", "tls_cert", "tls_key", "record", "path")


@dataclass(frozen=True)
class FeedSpec:
    """One checked ``[[feeds]]`` table: its name, kind and options (paths made absolute).

    Attributes
    ----------
    name : str
        Name of the feed, unique in the file.
    kind : {"mqtt", "ngsi-ld", "sensorthings", "replay"}
        The kind of feed.
    options : dict
        The table's other keys (``port``, ``keepalive`` [s], ``speed`` [-] ...), paths made
        absolute; credentials only as names of environment variables (``*_env``).
    """

    name: str
    kind: str
    options: dict[str, Any]


@dataclass(frozen=True)
class ListenConfig:
    """A checked feeds file.

    Attributes
    ----------
    path : Path
        The feeds file.
    folder : Path
        The twin folder the observations are appended to.
    max_distance : float, default 50.0
        A sensor maps to the nearest link or building within this distance [m].
    flush_interval : float, default 1.0
        Time between appends to ``timeseries.h5`` [s].
    targets : dict of str to (str, str), optional
        Explicit sensor mappings: sensor id -> (``link`` or ``building``, object id).
    feeds : tuple of FeedSpec, default ()
        The feeds, in file order.
    """

    path: Path
    folder: Path
    max_distance: float = 50.0
    flush_interval: float = 1.0
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)
    feeds: tuple[FeedSpec, ...] = ()


def load_config(path: str | Path) -> ListenConfig:
    """Read and check a feeds file; InputError naming the file and key on the first problem.

    Parameters
    ----------
    path : str or Path
        The feeds file (TOML); relative paths in it are relative to it.

    Returns
    -------
    ListenConfig
        The checked configuration.

    Raises
    ------
    InputError
        Naming the file and key of the first problem: not TOML, unknown or missing keys, wrong
        types, credentials in the file, a replay file that does not exist.
    """
    path = Path(path)
    try:
        data = loads_toml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(path, None, f"not valid TOML: {error}") from None
    _only(path, "", data, {"twin", "sensors", "feeds"})
    twin = data.get("twin")
    if not isinstance(twin, dict) or "folder" not in twin:
        raise InputError(path, "twin.folder", "missing: the twin folder to append observations to")
    _only(path, "twin.", twin, {"folder", "max_distance", "flush_interval"})
    folder = path.parent / _typed(path, "twin.folder", twin["folder"], str)
    max_distance = float(_typed(path, "twin.max_distance", twin.get("max_distance", 50.0), (int, float)))
    flush = float(_typed(path, "twin.flush_interval", twin.get("flush_interval", 1.0), (int, float)))
    if max_distance < 0 or flush <= 0:
        raise InputError(path, "twin", "max_distance must be >= 0 and flush_interval > 0")
    feeds = data.get("feeds")
    if not isinstance(feeds, list) or not feeds:
        raise InputError(path, "feeds", "missing: at least one [[feeds]] table")
    specs = tuple(_feed(path, i, table) for i, table in enumerate(feeds))
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(path, "feeds", f"feed names must be unique, got {names}")
    return ListenConfig(path=path, folder=folder, max_distance=max_distance, flush_interval=flush,
                        targets=_sensors(path, data.get("sensors", [])), feeds=specs)


def _only(path: Path, prefix: str, table: dict[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key.lower() in SECRET_KEYS:
            raise InputError(path, f"{prefix}{key}", f"credentials do not go in the file; name an "
                                                      f"environment variable with {key}_env instead")
        if key not in allowed:
            raise InputError(path, f"{prefix}{key}", f"unknown key; expected one of {sorted(allowed)}")


def _typed(path: Path, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise InputError(path, key, f"expected {names}, got {value!r}")
    return value


def _feed(path: Path, i: int, table: Any) -> FeedSpec:
    where = f"feeds[{i}]"
    if not isinstance(table, dict):
        raise InputError(path, where, "expected a table")
    kind = table.get("kind")
    if kind not in _FEED_KEYS:
        raise InputError(path, f"{where}.kind", f"expected one of {sorted(_FEED_KEYS)}, got {kind!r}")
    allowed = {**_COMMON, **_FEED_KEYS[kind]}
    _only(path, f"{where}.", table, set(allowed))
    for key, value in table.items():
        _typed(path, f"{where}.{key}", value, allowed[key])
    for key in _REQUIRED[kind]:
        if key not in table:
            raise InputError(path, f"{where}.{key}", f"missing (required for kind = {kind!r})")
    options = {k: v for k, v in table.items() if k not in _COMMON}
    if options.get("format", "plain") not in PARSERS:
        raise InputError(path, f"{where}.format", f"expected one of {sorted(PARSERS)}, got {options['format']!r}")
    if not 1 <= options.get("port", 1883) <= 65535 or not 1 <= options.get("mqtt_port", 1883) <= 65535:
        raise InputError(path, f"{where}.port", "expected a TCP port 1..65535")
    if options.get("qos", 1) not in (0, 1, 2):
        raise InputError(path, f"{where}.qos", "expected 0, 1 or 2")
    if "topics" in options and not all(isinstance(t, str) and t for t in options["topics"]):
        raise InputError(path, f"{where}.topics", "expected a list of topic filters")
    if "speed" in options and options["speed"] <= 0:
        raise InputError(path, f"{where}.speed", "expected a positive pace factor")
    for key in _PATHS:
        if key in options:
            options[key] = str(path.parent / options[key])
    if kind == "replay" and not Path(options["path"]).is_file():
        raise InputError(path, f"{where}.path", f"no such file: {options['path']}")
    return FeedSpec(name=str(table.get("name", f"{kind}-{i}")), kind=kind, options=options)


def _sensors(path: Path, tables: Any) -> dict[str, tuple[str, str]]:
    if not isinstance(tables, list):
        raise InputError(path, "sensors", "expected [[sensors]] tables")
    out = {}
    for i, table in enumerate(tables):
        where = f"sensors[{i}]"
        if not isinstance(table, dict):
            raise InputError(path, where, "expected a table")
        _only(path, f"{where}.", table, {"id", "link", "building"})
        targets = [k for k in ("link", "building") if k in table]
        if "id" not in table or len(targets) != 1:
            raise InputError(path, where, "expected id and one of link or building")
        out[str(table["id"])] = (targets[0], str(table[targets[0]]))
    return out


def secret(path: Path, feed: FeedSpec, key: str) -> str | None:
    """The value of the environment variable that ``feed``'s ``key`` (e.g. ``password_env``)
    names; None when the key is not set; InputError when the variable is not defined."""
    variable = feed.options.get(key)
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise InputError(path, f"feeds.{feed.name}.{key}", f"environment variable {variable} is not set")
    return value
