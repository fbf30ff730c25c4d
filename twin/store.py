"""Save a Twin to, and load it from, a folder ``NAME.twin/``.

Layout of the folder:

- ``twin.toml``: the manifest: format version, name, CRS (WKT and authority code), creation time
  (UTC), SHA-256 and size of every file below, the sources the twin was imported from (path,
  SHA-256, size, kind) and the import warnings.
- ``layers.gpkg``: one GeoPackage (opens in QGIS as is) with the tables ``buildings``,
  ``network_nodes``, ``network_links``, ``network_signals`` (no geometry), ``sensors`` and
  ``layer_<name>`` for each further layer.
- ``terrain_dtm.tif`` / ``terrain_dsm.tif``: float32 GeoTIFFs, NaN where unknown.
- ``timeseries.h5``: HDF5 with ``/weather`` (one dataset per column, units as attributes, the
  UTC interval-end times as int64 seconds in ``time``, the site location as group attributes).

Saving is atomic: everything is written to a hidden folder beside the target and renamed into
place, so a failed save leaves the previous twin untouched. Loading checks every file's SHA-256
against the manifest and names any file that changed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tomllib
import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import h5py
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import tomli_w
from pyproj import CRS

from twin.errors import InputError, IntegrityError
from twin.hashing import sha256_file
from twin.model import (
    LINK_COLUMNS,
    NODE_COLUMNS,
    SIGNAL_COLUMNS,
    WEATHER_COLUMNS,
    Network,
    Raster,
    SiteLocation,
    SourceFile,
    Terrain,
    Twin,
    Weather,
    conform_buildings,
    empty_table,
)

FORMAT_VERSION = 1
MANIFEST = "twin.toml"
LAYERS = "layers.gpkg"
TIMESERIES = "timeseries.h5"
OBSERVATIONS = "observations"
"""Group of ``timeseries.h5`` holding the observed series appended by the feeds."""
TERRAIN = {"dtm": "terrain_dtm.tif", "dsm": "terrain_dsm.tif"}
_GEOMETRY_TYPES = {"buildings": "MultiPolygon", "network_nodes": "Point", "network_links": "LineString",
                   "sensors": "Point"}


def save_twin(twin: Twin, folder: str | Path) -> Path:
    """Write ``twin`` to ``folder`` atomically; an existing twin folder there is replaced, and
    if it is the same twin (same name) the observations stored in it are kept.

    Parameters
    ----------
    twin : Twin
        The twin to write.
    folder : str or Path
        Twin folder to write (``NAME.twin``); its parent is created if needed.

    Returns
    -------
    Path
        ``folder``, holding the manifest, the layers, the terrain grids and the time series.

    Raises
    ------
    InputError
        When ``folder`` exists and is not a twin folder (it is never overwritten).
    """
    folder = Path(folder)
    if folder.exists() and not (folder / MANIFEST).is_file():
        raise InputError(folder, None, "exists and is not a twin folder; refusing to overwrite it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.writing-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        _write_contents(twin, staging, _kept_observations(twin, folder))
        _swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def load_twin(folder: str | Path, verify: bool = True) -> Twin:
    """Read the twin in ``folder``; with ``verify`` every file's SHA-256 is checked first.

    Parameters
    ----------
    folder : str or Path
        The twin folder (``NAME.twin``).
    verify : bool, default True
        Check every file against the SHA-256 in the manifest before reading.

    Returns
    -------
    Twin
        The stored twin in its CRS [m], with its weather (observations stay in
        ``timeseries.h5``).

    Raises
    ------
    InputError
        When ``folder`` is not a twin folder or its manifest is broken or of a newer format.
    IntegrityError
        With ``verify``, naming the files that are missing or changed since the twin was saved.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if verify:
        changed = verify_files(folder, manifest)
        if changed:
            raise IntegrityError(f"{folder}: files changed since the twin was saved: {', '.join(changed)}")
    crs = CRS.from_wkt(manifest["crs"]["wkt"])
    layer_names = manifest.get("layers", {}).get("extra", [])
    weather = _read_weather(folder / TIMESERIES) if (folder / TIMESERIES).exists() else None
    return Twin(
        name=manifest["name"],
        crs=crs,
        buildings=conform_buildings(_read_layer(folder, "buildings", crs)),
        network=Network(
            nodes=_conform_frame(_read_layer(folder, "network_nodes", crs), NODE_COLUMNS),
            links=_conform_frame(_read_layer(folder, "network_links", crs), LINK_COLUMNS),
            signals=_conform_table(pyogrio.read_dataframe(folder / LAYERS, layer="network_signals"),
                                   SIGNAL_COLUMNS),
        ),
        terrain=Terrain(**{role: _read_raster(folder / name) for role, name in TERRAIN.items()
                           if (folder / name).exists()}),
        sensors=_read_layer(folder, "sensors", crs),
        weather=weather,
        layers={name: _read_layer(folder, f"layer_{name}", crs) for name in layer_names},
        sources=tuple(SourceFile(**s) for s in manifest.get("sources", [])),
        warnings=tuple(manifest.get("warnings", [])),
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    """The parsed ``twin.toml`` of ``folder``; InputError when it is missing, broken or too new.

    Parameters
    ----------
    folder : Path
        The twin folder.

    Returns
    -------
    dict
        The manifest: ``format_version``, ``name``, ``crs``, ``files`` (SHA-256 and size
        [byte] by file name), ``sources``, ``warnings``, ...

    Raises
    ------
    InputError
        Naming the manifest (and key) when it is missing, not TOML, lacks a required key, or has
        a ``format_version`` newer than this program reads.
    """
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(folder, None, f"not a twin folder (no {MANIFEST})")
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, None, f"broken manifest: {error}") from None
    for key in ("format_version", "name", "crs", "files"):
        if key not in manifest:
            raise InputError(path, key, "missing from the manifest")
    if manifest["format_version"] > FORMAT_VERSION:
        raise InputError(path, "format_version",
                         f"{manifest['format_version']} is newer than this program reads ({FORMAT_VERSION})")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Names of the files listed in the manifest that are missing or whose SHA-256 differs.

    Parameters
    ----------
    folder : Path
        The twin folder.
    manifest : dict
        Its manifest (:func:`read_manifest`); only ``files`` is read.

    Returns
    -------
    list of str
        The changed files' names, ``NAME (missing)`` for a missing one; empty when all match.
    """
    changed = []
    for name, entry in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            changed.append(f"{name} (missing)")
        elif sha256_file(path) != entry["sha256"]:
            changed.append(name)
    return changed


def _kept_observations(twin: Twin, folder: Path) -> Path | None:
    """The time series file of the twin saved in ``folder`` if it is ``twin``'s (same name) and
    holds observations, else None."""
    path = folder / TIMESERIES
    if not path.is_file() or read_manifest(folder).get("name") != twin.name:
        return None
    with h5py.File(path, "r") as store:
        return path if OBSERVATIONS in store else None


def _write_contents(twin: Twin, folder: Path, observations: Path | None = None) -> None:
    """Every file of ``twin`` and its manifest into ``folder`` (with the kept observations)."""
    gpkg = folder / LAYERS
    _write_layer(twin.buildings, gpkg, "buildings", twin.crs)
    _write_layer(twin.network.nodes, gpkg, "network_nodes", twin.crs)
    _write_layer(twin.network.links, gpkg, "network_links", twin.crs)
    pyogrio.write_dataframe(pd.DataFrame(twin.network.signals), gpkg, layer="network_signals")
    _write_layer(twin.sensors, gpkg, "sensors", twin.crs)
    for name, frame in twin.layers.items():
        _write_layer(frame, gpkg, f"layer_{name}", twin.crs)
    for role, raster in (("dtm", twin.terrain.dtm), ("dsm", twin.terrain.dsm)):
        if raster is not None:
            _write_raster(raster, folder / TERRAIN[role])
    if twin.weather is not None:
        _write_weather(twin.weather, folder / TIMESERIES)
    if observations is not None:
        with h5py.File(observations, "r") as source, h5py.File(folder / TIMESERIES, "a") as target:
            source.copy(source[OBSERVATIONS], target, OBSERVATIONS)
    files = {
        path.name: {"sha256": sha256_file(path), "size": path.stat().st_size}
        for path in sorted(folder.iterdir())
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": twin.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "crs": {"code": _crs_code(twin.crs), "wkt": twin.crs.to_wkt()},
        "layers": {"extra": sorted(twin.layers)},
        "files": files,
        "sources": [vars(s) for s in twin.sources],
        "warnings": list(twin.warnings),
    }
    (folder / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")


def _swap_into_place(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an old ``folder`` is moved aside first and removed last."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
    os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _crs_code(crs: CRS) -> str:
    """``AUTHORITY:CODE`` of ``crs``, or "" when it has none."""
    authority = crs.to_authority()
    return ":".join(authority) if authority else ""


def _write_layer(frame: gpd.GeoDataFrame, gpkg: Path, layer: str, crs: CRS) -> None:
    """One GeoPackage table in the twin CRS; empty layers keep their columns and a geometry type."""
    geometry_type = None if len(frame) else _GEOMETRY_TYPES.get(layer, "Unknown")
    frame = frame.set_crs(crs, allow_override=True)
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    pyogrio.write_dataframe(frame, gpkg, layer=layer, geometry_type=geometry_type)


def _read_layer(folder: Path, layer: str, crs: CRS) -> gpd.GeoDataFrame:
    """One GeoPackage table of the twin, in the twin CRS."""
    frame = pyogrio.read_dataframe(folder / LAYERS, layer=layer)
    return frame.set_crs(crs, allow_override=True)


def _conform_frame(frame: gpd.GeoDataFrame, columns: dict[str, str]) -> gpd.GeoDataFrame:
    """``frame`` with the given dtypes, geometry kept."""
    table = _conform_table(pd.DataFrame(frame.drop(columns=frame.geometry.name)), columns)
    return gpd.GeoDataFrame(table, geometry=frame.geometry.values, crs=frame.crs)


def _conform_table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame`` with the given dtypes (GeoPackage gives back str and float64 for them)."""
    if len(frame) == 0:
        return empty_table(columns) if not isinstance(frame, gpd.GeoDataFrame) else frame
    out = frame.copy()
    for name, dtype in columns.items():
        if name not in out:
            continue
        if dtype == "object":
            out[name] = out[name].astype(object).where(out[name].notna(), None)
        else:
            out[name] = out[name].astype(dtype)
    return out


def _write_raster(raster: Raster, path: Path) -> None:
    """``raster`` as a compressed float32 GeoTIFF, NaN as nodata."""
    rows, cols = raster.values.shape
    profile = {"driver": "GTiff", "height": rows, "width": cols, "count": 1, "dtype": "float32",
               "crs": raster.crs.to_wkt(), "transform": raster.transform, "nodata": np.nan,
               "compress": "deflate", "predictor": 3, "tiled": rows >= 256 and cols >= 256}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(raster.values.astype(np.float32), 1)


def _read_raster(path: Path) -> Raster:
    """Band 1 of a stored GeoTIFF as float32."""
    with rasterio.open(path) as dataset:
        values = dataset.read(1).astype(np.float32)
        return Raster(values=values, transform=dataset.transform, crs=CRS.from_wkt(dataset.crs.to_wkt()))


def _write_weather(weather: Weather, path: Path) -> None:
    """``weather`` as the ``/weather`` group of the HDF5 file ``path``."""
    with h5py.File(path, "a") as store:
        group = store.create_group("weather")
        index = pd.DatetimeIndex(weather.data.index)
        seconds = (index.tz_convert("UTC") if index.tz else index.tz_localize("UTC")).as_unit("s").asi8
        time = group.create_dataset("time", data=seconds)
        time.attrs["units"] = "s since 1970-01-01T00:00:00Z, end of each hourly interval"
        for column, unit in WEATHER_COLUMNS.items():
            if column in weather.data:
                data = group.create_dataset(column, data=weather.data[column].to_numpy(dtype=np.float64),
                                            compression="gzip", shuffle=True)
                data.attrs["units"] = unit
        for key, value in vars(weather.location).items():
            group.attrs[key] = value
        group.attrs["source_format"] = weather.source_format


def _read_weather(path: Path) -> Weather | None:
    """The ``/weather`` group of the HDF5 file ``path``; None without one."""
    with h5py.File(path, "r") as store:
        if "weather" not in store:
            return None
        group = store["weather"]
        index = pd.to_datetime(group["time"][()], unit="s", utc=True).rename("time")
        data = pd.DataFrame({c: group[c][()] for c in WEATHER_COLUMNS if c in group}, index=index)
        fields = {k: group.attrs[k] for k in ("latitude", "longitude", "elevation", "name", "utc_offset")}
        location = SiteLocation(
            latitude=float(fields["latitude"]), longitude=float(fields["longitude"]),
            elevation=float(fields["elevation"]), name=str(fields["name"]),
            utc_offset=float(fields["utc_offset"]),
        )
        return Weather(data=data, location=location, source_format=str(group.attrs["source_format"]))

