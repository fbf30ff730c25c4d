"""The summary of a twin stored in its manifest (``[summary]`` of ``twin.toml``), so that
``twin info`` describes a twin without reading its layers, terrain and weather.

The summary is what :func:`twin.summary.summarize` gives plus the energy model's facts
(``energy``), taken when the twin is imported. The manifest keeps the name, the sources and the
warnings already, so the stored table leaves them out; TOML has no null, so an unknown value
(a median height of no building, a twin without weather) is left out too and read back as None.
A manifest without ``[summary]`` (a twin saved before summaries were stored, or without one),
or with one of another ``version``, gives None: the caller reads the whole twin instead. A
stored summary is checked in full when read: each wrong key gives one
``twin.toml: summary.KEY: reason`` (an InputError), never a traceback.

This module imports no numerical or geodata library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.errors import InputError
from twin.store.manifest import expect

SUMMARY = "summary"
"""Key of the stored summary in the manifest."""
SUMMARY_VERSION = 1
"""Version of the stored summary's layout; a summary of another version is not read."""
FROM_MANIFEST = ("name", "sources", "warnings")
"""Keys of the summary that the manifest holds already (not stored twice)."""
ORDER = ("name", "crs", "crs_name", "extent", "buildings", "network", "terrain", "weather",
         "layers", "sensors", "sources", "warnings", "energy")
"""The summary's keys, in the order ``twin info --json`` prints them."""
_SOURCE_ORDER = ("path", "kind", "size", "sha256")


@dataclass(frozen=True)
class Maybe:
    """A value that may be unknown: None in the summary, left out of the stored table."""

    spec: Any


@dataclass(frozen=True)
class Omitted:
    """A key the summary holds only sometimes (left out of both when absent)."""

    spec: Any


@dataclass(frozen=True)
class ListOf:
    """An array of values of ``spec``, of ``length`` items when given."""

    spec: Any
    length: int | None = None


@dataclass(frozen=True)
class MapOf:
    """A table of any names to values of ``spec``, in the stored order."""

    spec: Any


_RASTER = {"shape": ListOf(int, 2), "cell_size_m": float, "bounds": ListOf(float, 4),
           "min_m": Maybe(float), "max_m": Maybe(float), "nodata_share": float}
SCHEMA: dict[str, Any] = {
    "crs": str,
    "crs_name": str,
    "extent": Maybe(ListOf(float, 4)),
    "buildings": {"count": int, "footprint_area_m2": float, "floor_area_m2": float,
                  "height_median_m": Maybe(float), "height_sources": MapOf(int), "uses": MapOf(int)},
    "network": {"nodes": int, "links": int, "length_km": float, "signal_nodes": int,
                "signal_phases": int, "strong_components": Omitted(int),
                "largest_scc_node_share": Omitted(float), "largest_scc_link_share": Omitted(float)},
    "terrain": MapOf(_RASTER),
    "weather": Maybe({"format": str, "hours": int, "start": Maybe(str), "site": str,
                      "latitude": float, "longitude": float, "mean_temp_air_c": float,
                      "ghi_kwh_m2": float}),
    "layers": MapOf(int),
    "sensors": int,
    "energy": Maybe({"country": Maybe(str), "country_from": str, "heated": int, "unheated": int,
                     "size_classes": MapOf(int), "fallbacks": MapOf(int)}),
}
"""The stored summary: key -> str, int, float, a table (dict) of keys, or the wrappers above."""


def summary_table(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The table stored as ``[summary]`` in the manifest for ``summary``.

    Parameters
    ----------
    summary : mapping
        The twin's summary (:func:`twin.summary.summarize` with ``energy``), JSON-ready.

    Returns
    -------
    dict
        ``version`` and the summary without the keys the manifest holds and without unknown
        (None) values, numbers as Python int and float.

    Raises
    ------
    InputError
        When ``summary`` does not have the layout of a twin's summary (a programming error).
    """
    stored = {key: value for key, value in summary.items() if key not in FROM_MANIFEST}
    return {"version": SUMMARY_VERSION,
            **_without_none(_conform(SCHEMA, stored, SUMMARY, Path(SUMMARY)))}


def stored_summary(path: Path, manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """The summary stored in ``manifest`` (read from ``path``), or None when it holds none of
    this version.

    Parameters
    ----------
    path : Path
        The manifest file, named in errors.
    manifest : mapping
        The checked manifest (``twin.store.manifest.read_manifest``).

    Returns
    -------
    dict or None
        The summary as :func:`twin.summary.summarize` with ``energy`` gives it, keys in the same
        order; None when the manifest stores none, or one of another version.

    Raises
    ------
    InputError
        Naming ``path`` and the key (``summary.buildings.count``) when the stored summary is
        not a table, lacks a key, holds one it should not, or a value of the wrong type.
    """
    if SUMMARY not in manifest:
        return None
    table = expect(path, SUMMARY, manifest[SUMMARY], dict)
    if "version" not in table:
        raise InputError(path, f"{SUMMARY}.version", "missing from the summary")
    if expect(path, f"{SUMMARY}.version", table["version"], int) != SUMMARY_VERSION:
        return None
    summary = _conform(SCHEMA, {k: v for k, v in table.items() if k != "version"}, SUMMARY, path)
    summary.update(name=manifest["name"], warnings=list(manifest.get("warnings", [])),
                   sources=[{key: source[key] for key in _SOURCE_ORDER}
                            for source in manifest.get("sources", [])])
    return {key: summary[key] for key in ORDER}


def _conform(spec: Any, value: Any, key: str, path: Path) -> Any:
    """``value`` checked against ``spec`` (numbers made Python int and float); InputError
    naming ``path`` and ``key`` at the first value that does not fit."""
    if isinstance(spec, Maybe):
        return None if value is None else _conform(spec.spec, value, key, path)
    if isinstance(spec, dict):
        table = expect(path, key, value, dict)
        for name in table:
            if name not in spec:
                raise InputError(path, f"{key}.{name}", "not a key of the summary")
        out = {}
        for name, inner in spec.items():
            if name in table:
                out[name] = _conform(inner, table[name], f"{key}.{name}", path)
            elif isinstance(inner, Maybe):
                out[name] = None
            elif not isinstance(inner, Omitted):
                raise InputError(path, f"{key}.{name}", "missing from the summary")
        return out
    if isinstance(spec, Omitted):
        return _conform(spec.spec, value, key, path)
    if isinstance(spec, MapOf):
        return {name: _conform(spec.spec, item, f"{key}.{name}", path)
                for name, item in expect(path, key, value, dict).items()}
    if isinstance(spec, ListOf):
        items = expect(path, key, value, list)
        if spec.length is not None and len(items) != spec.length:
            raise InputError(path, key, f"expected {spec.length} values, got {len(items)}")
        return [_conform(spec.spec, item, f"{key}[{i}]", path) for i, item in enumerate(items)]
    return expect(path, key, value, spec)


def _without_none(value: Any) -> Any:
    """``value`` with every None left out of its tables, at any depth."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value
