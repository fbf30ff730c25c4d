"""Grid helpers for terrain: reprojection, bilinear sampling and per-polygon statistics.

A ``Raster`` holds heights in metres with NaN where unknown; these helpers keep NaN as "no data"
throughout. Polygon and point coordinates are in the raster's CRS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from twin.model import Raster

if TYPE_CHECKING:
    import rasterio.crs

ZONAL_STATISTICS = ("median", "mean", "min", "max")
"""The statistics ``zonal_statistic`` computes."""


def _rio_crs(crs: CRS) -> rasterio.crs.CRS:
    """The rasterio form of a pyproj CRS."""
    import rasterio.crs  # rasterio is imported where a raster is warped, not with the importers

    return rasterio.crs.CRS.from_wkt(crs.to_wkt())


def reproject_raster(raster: Raster, crs: CRS, resolution: float | None = None) -> Raster:
    """``raster`` warped into ``crs`` by bilinear resampling, NaN where there is no source data.

    resolution: cell size in units of ``crs`` (m), or None for GDAL's default (about the same
    number of cells). Returns ``raster`` itself when it already is in ``crs``.
    """
    if raster.crs.equals(crs, ignore_axis_order=True):
        return raster
    import rasterio.warp
    from rasterio.enums import Resampling

    rows, cols = raster.shape
    src_crs, dst_crs = _rio_crs(raster.crs), _rio_crs(crs)
    transform, width, height = rasterio.warp.calculate_default_transform(
        src_crs, dst_crs, cols, rows, *raster.bounds, resolution=resolution
    )
    values = np.full((height, width), np.nan, dtype=np.float32)
    rasterio.warp.reproject(
        source=np.ascontiguousarray(raster.values, dtype=np.float32),
        destination=values,
        src_transform=raster.transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return Raster(values=values, transform=transform, crs=crs)


def sample_bilinear(raster: Raster, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Heights at points (x, y), m: bilinear between the four nearest cell centres.

    NaN outside the grid. Inside the outer half cell the edge value is used. NaN neighbours are
    left out and the weights of the others renormalised, so a point is NaN only if all four are.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    cols, rows = ~raster.transform @ (x, y)
    n_rows, n_cols = raster.shape
    inside = (rows >= 0) & (rows <= n_rows) & (cols >= 0) & (cols <= n_cols)
    # fractional position between cell centres, clamped to the outermost centres
    fc = np.clip(cols - 0.5, 0.0, n_cols - 1.0)
    fr = np.clip(rows - 0.5, 0.0, n_rows - 1.0)
    c0 = np.minimum(np.floor(fc).astype(np.int64), max(n_cols - 2, 0))
    r0 = np.minimum(np.floor(fr).astype(np.int64), max(n_rows - 2, 0))
    c1 = np.minimum(c0 + 1, n_cols - 1)
    r1 = np.minimum(r0 + 1, n_rows - 1)
    tc, tr = fc - c0, fr - r0
    corners = np.stack([
        raster.values[r0, c0], raster.values[r0, c1], raster.values[r1, c0], raster.values[r1, c1],
    ]).astype(np.float64)
    weights = np.stack([(1 - tr) * (1 - tc), (1 - tr) * tc, tr * (1 - tc), tr * tc])
    weights = np.where(np.isnan(corners), 0.0, weights)
    total = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.nansum(weights * np.nan_to_num(corners), axis=0) / total
    return np.where(inside & (total > 0), out, np.nan)


def _polygon_list(polygons: Iterable[BaseGeometry] | gpd.GeoSeries, raster: Raster) -> list:
    """The polygons as a list of shapely geometries in the raster CRS."""
    if isinstance(polygons, gpd.GeoDataFrame):
        polygons = polygons.geometry
    if isinstance(polygons, gpd.GeoSeries) and polygons.crs is not None:
        polygons = polygons.to_crs(raster.crs)
    return list(polygons)


def _grouped_statistic(ids: np.ndarray, values: np.ndarray, n: int, stat: str) -> np.ndarray:
    """``stat`` of ``values`` per id in 1..n (NaN for ids without values), sorted once."""
    order = np.lexsort((values, ids))
    ids, values = ids[order], values[order]
    counts = np.bincount(ids, minlength=n + 1)[1:]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n, np.nan)
    has = counts > 0
    s, c = starts[has], counts[has]
    if stat == "min":
        out[has] = values[s]
    elif stat == "max":
        out[has] = values[s + c - 1]
    elif stat == "mean":
        out[has] = np.bincount(ids, weights=values, minlength=n + 1)[1:][has] / c
    else:  # median: middle value, or the mean of the two middle values
        out[has] = 0.5 * (values[s + (c - 1) // 2] + values[s + c // 2])
    return out


def zonal_statistic(
    raster: Raster, polygons: Iterable[BaseGeometry] | gpd.GeoSeries, stat: str = "median"
) -> np.ndarray:
    """Per polygon, ``stat`` ("median", "mean", "min", "max") of the cells whose centres it covers.

    polygons: shapely polygons in the raster CRS, or a GeoSeries/GeoDataFrame (reprojected to the
    raster CRS if it has a CRS). NaN cells are ignored. Where polygons overlap, a cell counts for
    the later one. A polygon that covers no valid cell centre (smaller than a cell) gets the value
    of the cell under its representative point; empty or missing geometries get NaN.
    Returns float64, one value per polygon, in their order.
    """
    if stat not in ZONAL_STATISTICS:
        raise ValueError(f"stat must be one of {ZONAL_STATISTICS}, not {stat!r}")
    geoms = _polygon_list(polygons, raster)
    n = len(geoms)
    shapes = [(g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not shapes:
        return np.full(n, np.nan)
    import rasterio.features

    labels = rasterio.features.rasterize(
        shapes, out_shape=raster.shape, transform=raster.transform, fill=0, dtype="int32"
    )
    valid = (labels > 0) & ~np.isnan(raster.values)
    out = _grouped_statistic(labels[valid], raster.values[valid].astype(np.float64), n, stat)
    missing = [i for i in np.flatnonzero(np.isnan(out))
               if geoms[i] is not None and not geoms[i].is_empty]
    if missing:
        points = [geoms[i].representative_point() for i in missing]
        out[missing] = raster.sample(np.array([p.x for p in points]),
                                     np.array([p.y for p in points]))
    return out
