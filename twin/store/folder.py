"""Saving a Twin to a folder ``NAME.twin/`` and loading it back (the layout: ``twin.store``)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import h5py
import numpy as np
import pandas as pd
import pyogrio
import tomli_w
from pyproj import CRS

from twin.errors import InputError, IntegrityError
from twin.hashing import sha256_file
from twin.model import (
    LINK_COLUMNS,
    NODE_COLUMNS,
    SIGNAL_COLUMNS,
    TURN_BAN_COLUMNS,
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
from twin.store.leftovers import recover, working_name
from twin.store.lock import folder_lock, hold
from twin.store.manifest import (
    FORMAT_VERSION,
    LAYERS,
    MANIFEST,
    OBSERVATIONS,
    TERRAIN,
    TIMESERIES,
    check_content_file,
    checked_manifest,
    read_manifest,
)
from twin.store.segments import merge_segments, parts, verify_parts
from twin.store.series import LIBVER
from twin.store.stored_summary import SUMMARY, summary_table
from twin.store.swap import fsync_folder, replace_folder

_GEOMETRY_TYPES = {"buildings": "MultiPolygon", "network_nodes": "Point", "network_links": "LineString",
                   "sensors": "Point"}


def save_twin(twin: Twin, folder: str | Path, summary: Mapping[str, Any] | None = None) -> Path:
    """Write ``twin`` to ``folder`` atomically; an existing twin folder there is replaced, and
    if it is the same twin (same name) the observations stored in it are kept.

    Parameters
    ----------
    twin : Twin
        The twin to write.
    folder : str or Path
        Twin folder to write (``NAME.twin``); its parent is created if needed.
    summary : mapping, optional
        The summary of ``twin`` (:func:`twin.summary.summarize` with the energy facts), stored
        in the manifest so that ``twin info`` needs not read the twin
        (``twin.store.stored_summary``); none is stored without it.

    Returns
    -------
    Path
        ``folder``, holding the manifest, the layers, the terrain grids and the time series.

    Raises
    ------
    InputError
        When ``folder`` exists and is not a twin folder (it is never overwritten), or its
        manifest is broken.
    IntegrityError
        When the observations to keep changed since they were stored.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    with folder_lock(folder):
        _refuse_other_folder(folder)
        staging = working_name(folder, "writing", uuid.uuid4().hex[:8])
        staging.mkdir()
        held = hold(staging)
    try:
        _write_contents(twin, staging)
        with folder_lock(folder):  # from here on no append can slip in between
            _refuse_other_folder(folder)
            _keep_observations(twin, folder, staging)
            _write_manifest(twin, staging, summary)
            fsync_folder(staging)
            old = replace_folder(staging, folder)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone unless the save failed
        os.close(held)
    return folder


def load_twin(folder: str | Path, verify: bool = True) -> Twin:
    """Read the twin in ``folder``; with ``verify`` every file's SHA-256 is checked first.

    Only the files the manifest lists are read, each after checking that it is a regular file
    of its format in the folder; the CRS of the manifest must be the layers' CRS.

    Parameters
    ----------
    folder : str or Path
        The twin folder (``NAME.twin``).
    verify : bool, default True
        Check every file against the SHA-256 in the manifest before reading, and that no file
        the loader reads was added unlisted.

    Returns
    -------
    Twin
        The stored twin in its CRS [m], with its weather (observations stay in
        ``timeseries.h5``).

    Raises
    ------
    InputError
        When ``folder`` is not a twin folder, its manifest is broken or of a newer format, or
        a file is not what it should be.
    IntegrityError
        With ``verify``, naming the files that are missing, changed or added since the twin
        was saved.
    """
    folder = Path(folder)
    with checked_manifest(folder, verify) as manifest:
        return _read_contents(folder, manifest)


def _read_contents(folder: Path, manifest: dict) -> Twin:
    """The twin in ``folder`` from the files ``manifest`` lists (and no other)."""
    listed = list(manifest["files"])
    for name in listed:
        check_content_file(folder, name)
    crs = _layers_crs(folder, manifest)
    layer_names = manifest.get("layers", {}).get("extra", [])
    available = {name for name, _ in pyogrio.list_layers(folder / LAYERS)}
    for name in layer_names:
        if f"layer_{name}" not in available:
            raise InputError(folder / MANIFEST, "layers.extra", f"{name}: no layer_{name} in {LAYERS}")
    return Twin(
        name=manifest["name"],
        crs=crs,
        buildings=conform_buildings(_read_layer(folder, "buildings", crs)),
        network=Network(
            nodes=_conform_frame(_read_layer(folder, "network_nodes", crs), NODE_COLUMNS),
            links=_conform_frame(_read_layer(folder, "network_links", crs), LINK_COLUMNS),
            signals=_conform_table(pyogrio.read_dataframe(folder / LAYERS, layer="network_signals"),
                                   SIGNAL_COLUMNS),
            turn_bans=_conform_table(  # twins saved before turn bans were kept have none
                pyogrio.read_dataframe(folder / LAYERS, layer="network_turn_bans")
                if "network_turn_bans" in available else empty_table(TURN_BAN_COLUMNS),
                TURN_BAN_COLUMNS),
        ),
        terrain=Terrain(**{role: _read_raster(folder / name) for role, name in TERRAIN.items()
                           if name in listed}),
        sensors=_read_layer(folder, "sensors", crs),
        weather=_read_weather(folder / TIMESERIES) if TIMESERIES in listed else None,
        layers={name: _read_layer(folder, f"layer_{name}", crs) for name in layer_names},
        sources=tuple(SourceFile(**s) for s in manifest.get("sources", [])),
        warnings=tuple(manifest.get("warnings", [])),
    )


def _layers_crs(folder: Path, manifest: dict) -> CRS:
    """The manifest's CRS, after checking it is the CRS the (hashed) layers are stored in."""
    crs = CRS.from_wkt(manifest["crs"]["wkt"])
    stored = pyogrio.read_info(folder / LAYERS, layer="buildings")["crs"]
    if stored is not None and not crs.equals(CRS.from_user_input(stored), ignore_axis_order=True):
        raise IntegrityError(f"{folder / MANIFEST}: crs: differs from the CRS of {LAYERS} "
                             f"({stored}); the manifest was altered")
    return crs


def _refuse_other_folder(folder: Path) -> None:
    """InputError when ``folder`` exists and is not a twin folder (it is never overwritten)."""
    if folder.exists() and not (folder / MANIFEST).is_file():
        raise InputError(folder, None, "exists and is not a twin folder; refusing to overwrite it")


def _keep_observations(twin: Twin, folder: Path, staging: Path) -> None:
    """Copy the observations stored in ``folder`` (``timeseries.h5`` and its segments) into
    ``staging``'s time series when ``folder`` holds ``twin`` (same name); IntegrityError if they
    changed since they were stored."""
    if not folder.is_dir():
        return
    manifest = read_manifest(folder)
    if manifest["name"] != twin.name or not parts(manifest):
        return
    verify_parts(folder, manifest)
    with h5py.File(staging / TIMESERIES, "a", libver=LIBVER) as target:
        if TIMESERIES in manifest["files"]:
            with h5py.File(folder / TIMESERIES, "r") as source:
                if OBSERVATIONS in source:
                    source.copy(source[OBSERVATIONS], target, OBSERVATIONS)
        merge_segments(folder, manifest, target)


def _write_contents(twin: Twin, folder: Path) -> None:
    """Every file of ``twin`` but the manifest into ``folder``."""
    gpkg = folder / LAYERS
    _write_layer(twin.buildings, gpkg, "buildings", twin.crs)
    _write_layer(twin.network.nodes, gpkg, "network_nodes", twin.crs)
    _write_layer(twin.network.links, gpkg, "network_links", twin.crs)
    pyogrio.write_dataframe(pd.DataFrame(twin.network.signals), gpkg, layer="network_signals")
    pyogrio.write_dataframe(pd.DataFrame(twin.network.turn_bans), gpkg,
                            layer="network_turn_bans")
    _write_layer(twin.sensors, gpkg, "sensors", twin.crs)
    for name, frame in twin.layers.items():
        _write_layer(frame, gpkg, f"layer_{name}", twin.crs)
    for role, raster in (("dtm", twin.terrain.dtm), ("dsm", twin.terrain.dsm)):
        if raster is not None:
            _write_raster(raster, folder / TERRAIN[role])
    if twin.weather is not None:
        _write_weather(twin.weather, folder / TIMESERIES)


def _write_manifest(twin: Twin, folder: Path, summary: Mapping[str, Any] | None) -> None:
    """The manifest of ``twin``, listing every file in ``folder`` with its SHA-256 and size,
    with ``summary`` stored when given."""
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
    if summary is not None:
        manifest[SUMMARY] = summary_table(summary)
    (folder / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")


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
            values = frame[column].astype(object).where(frame[column].notna(), None)
            frame[column] = values.map(lambda v: v if v is None or isinstance(v, str) else str(v))
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
    import rasterio  # only for twins with terrain: a road-only twin loads without it

    rows, cols = raster.values.shape
    profile = {"driver": "GTiff", "height": rows, "width": cols, "count": 1, "dtype": "float32",
               "crs": raster.crs.to_wkt(), "transform": raster.transform, "nodata": np.nan,
               "compress": "deflate", "predictor": 3, "tiled": rows >= 256 and cols >= 256}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(raster.values.astype(np.float32), 1)


def _read_raster(path: Path) -> Raster:
    """Band 1 of a stored GeoTIFF as float32."""
    import rasterio

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
    """The ``/weather`` group of the HDF5 file ``path``; None without one. InputError when it
    lacks a part or would read data from another file (a link or external storage)."""
    with h5py.File(path, "r") as store:
        if "weather" not in store:
            return None
        group = _local(path, store, "weather")
        try:
            index = pd.to_datetime(_local(path, group, "time")[()], unit="s", utc=True).rename("time")
            data = pd.DataFrame({c: _local(path, group, c)[()] for c in WEATHER_COLUMNS if c in group},
                                index=index)
            fields = {k: group.attrs[k] for k in ("latitude", "longitude", "elevation", "name",
                                                  "utc_offset", "source_format")}
        except KeyError as error:
            raise InputError(path, "weather", f"incomplete ({error.args[0]})") from None
        location = SiteLocation(
            latitude=float(fields["latitude"]), longitude=float(fields["longitude"]),
            elevation=float(fields["elevation"]), name=str(fields["name"]),
            utc_offset=float(fields["utc_offset"]),
        )
        return Weather(data=data, location=location, source_format=str(fields["source_format"]))


def _local(path: Path, parent: h5py.Group, name: str) -> h5py.Group | h5py.Dataset:
    """``parent[name]`` when its data lies in this file; InputError for a soft or external
    link, external storage or a virtual dataset (they read other files)."""
    link = parent.get(name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        raise InputError(path, f"{parent.name.strip('/')}/{name}".strip("/"),
                         "a link; refused (the twin reads only its own files)")
    item = parent[name]
    if isinstance(item, h5py.Dataset) and (item.external or item.is_virtual):
        raise InputError(path, item.name.strip("/"), "stored in another file; refused")
    return item
