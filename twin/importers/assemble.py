"""Turn the layers read from many source files into one Twin in one projected CRS."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from twin.errors import InputError
from twin.hashing import sha256_path
from twin.importers.base import ImportOptions, SourceData
from twin.importers.building_completion import complete_buildings
from twin.importers.crs import (
    MAX_SCALE_ERROR,
    bounds_to_lonlat,
    check_coordinates_fit,
    choose_twin_crs,
    projected_metric_crs,
    scale_error,
    to_crs,
)
from twin.importers.registry import read_source
from twin.importers.terrain_grids import reproject_raster
from twin.model import (
    BUILDING_COLUMNS,
    LINK_COLUMNS,
    NODE_COLUMNS,
    SIGNAL_COLUMNS,
    TURN_BAN_COLUMNS,
    Network,
    Raster,
    SourceFile,
    Terrain,
    Twin,
    Weather,
    empty_frame,
    empty_table,
)
from twin.printable import has_controls, without_controls

Progress = Callable[[str], None]


def import_files(
    paths: Sequence[str | Path],
    name: str,
    options: ImportOptions = ImportOptions(),
    twin_crs: CRS | None = None,
    progress: Progress | None = None,
) -> Twin:
    """Read every file and assemble one Twin named ``name``.

    ``twin_crs`` overrides the CRS choice (first projected source, else local UTM);
    ``progress`` is called with each file name as its reading starts.

    Parameters
    ----------
    paths : sequence of str or Path
        The source files (and GTFS folders), in the order their layers are combined.
    name : str
        Name of the twin.
    options : ImportOptions, optional
        Options of every reader (CRS to assume, CityJSON level of detail, vector column map).
    twin_crs : pyproj.CRS, optional
        CRS of the twin, instead of the first projected source's or the local UTM zone; its
        horizontal part must be projected in metres.
    progress : callable, optional
        Called with each file's name as its reading starts.

    Returns
    -------
    Twin
        Every layer reprojected into the twin CRS [m], buildings completed (heights, areas,
        elevations), the sources with their SHA-256 and the warnings of every reader.

    Raises
    ------
    InputError
        When no file is given, a file cannot be read or used (naming the file and field),
        coordinates lie outside the area of use of their declared CRS, or ``twin_crs`` is not
        projected in metres.
    """
    if not paths:
        raise InputError(None, "files", "no source files given")
    sources = []
    for path in paths:
        if progress:
            progress(Path(path).name)
        sources.append(read_source(path, options))
    return assemble(name, sources, twin_crs, options.dsm_heights)


def assemble(name: str, sources: Sequence[SourceData], twin_crs: CRS | None = None,
             dsm_heights: bool = True) -> Twin:
    """One Twin from the sources, every layer reprojected into the twin CRS; ``dsm_heights`` as
    ``ImportOptions.dsm_heights``."""
    check_sources_fit(sources)
    warnings = [f"{s.path.name}: {line}" for s in sources for line in s.warnings]
    if twin_crs is not None:
        crs = projected_metric_crs(twin_crs)
        centre = _lonlat_centre(sources)
        if centre is not None and (error := scale_error(crs, centre)) > MAX_SCALE_ERROR:
            warnings.append(f"the twin CRS {crs.to_string()} ({crs.name}) stretches distances "
                            f"by {error:.0%} here: lengths, areas and speeds are off by as much")
    else:
        crs = choose_twin_crs([s.crs for s in sources if s.crs is not None],
                              _lonlat_centre(sources), warnings)

    terrain = _terrain(sources, crs, warnings)
    buildings = _concat([to_crs(s.buildings, crs) for s in sources if _has(s.buildings)], BUILDING_COLUMNS, crs)
    buildings = _unique_ids(buildings, "buildings", warnings)
    buildings, fills = complete_buildings(buildings, terrain, dsm_heights)
    warnings += fills

    return Twin(
        name=name,
        crs=crs,
        buildings=buildings.reset_index(drop=True),
        network=_network(sources, crs, warnings),
        terrain=terrain,
        weather=_weather(sources, warnings),
        layers=_layers(sources, crs),
        sources=tuple(_source_file(s) for s in sources),
        warnings=tuple(warnings),
    )


def _has(frame: gpd.GeoDataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


def _source_bounds(source: SourceData) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of everything a source holds, in its own CRS; None if empty.
    A layer whose rows all lack a geometry (GTFS routes without trips) adds nothing."""
    frames = [f for f in (source.buildings, source.links, source.nodes, *source.layers.values())
              if _has(f) and not (f.geometry.isna() | f.geometry.is_empty).all()]
    boxes = [f.total_bounds for f in frames] + [np.array(r.bounds) for r in source.rasters.values()]
    if not boxes:
        return None
    stack = np.vstack(boxes)
    return (stack[:, 0].min(), stack[:, 1].min(), stack[:, 2].max(), stack[:, 3].max())


def check_sources_fit(sources: Sequence[SourceData]) -> None:
    """Every source's coordinates must lie in its declared CRS's area of use."""
    for source in sources:
        if source.crs is None:
            continue
        box = _source_bounds(source)
        if box is not None:
            check_coordinates_fit(box, source.crs, source.path)


def _lonlat_centre(sources: Sequence[SourceData]) -> tuple[float, float] | None:
    """Centre (lon, lat) of the first source with geometry, to pick a UTM zone."""
    for source in sources:
        if source.crs is None:
            continue
        box = _source_bounds(source)
        if box is not None:
            west, south, east, north = bounds_to_lonlat(box, source.crs)
            return ((west + east) / 2.0, (south + north) / 2.0)
    return None


def _concat(frames: list[gpd.GeoDataFrame], columns: dict[str, str], crs: CRS) -> gpd.GeoDataFrame:
    if not frames:
        return empty_frame(columns, crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)


def _printable(frame: gpd.GeoDataFrame, columns: Sequence[str], what: str,
               warnings: list[str]) -> gpd.GeoDataFrame:
    """Ids with control characters (a NUL the GeoPackage would cut off, an escape sequence)
    written with them shown as ``\\xNN``, and counted."""
    for column in columns:
        if not len(frame):
            continue
        texts = frame[column].astype(str)
        bad = texts.map(has_controls).to_numpy(dtype=bool) & frame[column].notna().to_numpy()
        if bad.any():
            frame = frame.copy()
            frame.loc[bad, column] = texts[bad].map(without_controls)
            if column == "id":
                warnings.append(f"ids of {int(bad.sum())} {what} held control characters: "
                                f"written as \\xNN")
    return frame


def _unique_ids(frame: gpd.GeoDataFrame, what: str, warnings: list[str]) -> gpd.GeoDataFrame:
    """Drop rows whose id repeats an earlier one (the same object imported twice) and say so;
    control characters in ids are shown as ``\\xNN`` first."""
    frame = _printable(frame, [c for c in ("id", "from_node", "to_node") if c in frame], what,
                       warnings)
    repeated = frame["id"].duplicated(keep="first")
    if repeated.any():
        warnings.append(f"{int(repeated.sum())} {what} dropped: id already imported from an earlier source")
        frame = frame.loc[~repeated]
    return frame


def _network(sources: Sequence[SourceData], crs: CRS, warnings: list[str]) -> Network:
    """Nodes, links and signals of all sources; link lengths measured in the twin CRS if unknown."""
    nodes = _unique_ids(
        _concat([to_crs(s.nodes, crs) for s in sources if _has(s.nodes)], NODE_COLUMNS, crs), "nodes", warnings
    )
    links = _unique_ids(
        _concat([to_crs(s.links, crs) for s in sources if _has(s.links)], LINK_COLUMNS, crs), "links", warnings
    )
    if len(links):
        measured = shapely.length(links.geometry.values)
        links["length"] = links["length"].astype(float).fillna(pd.Series(measured, index=links.index))
        links["length"] = np.maximum(links["length"].to_numpy(dtype=float), 0.1)
    return Network(nodes=nodes.reset_index(drop=True), links=links.reset_index(drop=True),
                   signals=_tables([s.signals for s in sources], SIGNAL_COLUMNS),
                   turn_bans=_tables([s.turn_bans for s in sources], TURN_BAN_COLUMNS))


def _tables(tables: Sequence[pd.DataFrame | None], columns: dict[str, str]) -> pd.DataFrame:
    """The non-empty tables of the sources, one after the other."""
    present = [t for t in tables if t is not None and len(t)]
    return pd.concat(present, ignore_index=True) if present else empty_table(columns)


def _terrain(sources: Sequence[SourceData], crs: CRS, warnings: list[str]) -> Terrain:
    """The first DTM and DSM found, reprojected into the twin CRS."""
    grids: dict[str, Raster] = {}
    for source in sources:
        for role, raster in source.rasters.items():
            if role in grids:
                warnings.append(f"{source.path.name}: a second {role} is not used (the first one is)")
                continue
            grids[role] = reproject_raster(raster, crs)
    return Terrain(dtm=grids.get("dtm"), dsm=grids.get("dsm"))


def _weather(sources: Sequence[SourceData], warnings: list[str]) -> Weather | None:
    found = [s for s in sources if s.weather is not None]
    for extra in found[1:]:
        warnings.append(f"{extra.path.name}: a second weather file is not used (the first one is)")
    return found[0].weather if found else None


def _layers(sources: Sequence[SourceData], crs: CRS) -> dict[str, gpd.GeoDataFrame]:
    """Other vector layers by name, concatenated over sources and reprojected."""
    by_name: dict[str, list[gpd.GeoDataFrame]] = {}
    for source in sources:
        for layer, frame in source.layers.items():
            if _has(frame):
                by_name.setdefault(layer, []).append(to_crs(frame, crs))
    return {
        layer: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
        for layer, frames in by_name.items()
    }


def _source_file(source: SourceData) -> SourceFile:
    path = source.path
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size
    return SourceFile(path=str(path), sha256=sha256_path(path), size=size, kind=source.kind)

