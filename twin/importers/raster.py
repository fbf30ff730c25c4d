"""Terrain grids: GeoTIFF (or any GDAL raster) DTM / DSM, heights in metres.

The role ("dtm" bare earth, "dsm" surface with buildings and trees) comes from the caller, else
from the file name, else from the file's DESCRIPTION tag, else it is taken to be a DTM.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS
from rasterio.errors import RasterioError

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.crs import horizontal_crs
from twin.model import Raster

ROLES = ("dtm", "dsm")
DEFAULT_OPTIONS = ImportOptions()
MAX_CELLS = 400_000_000
"""Cells a terrain grid may have (1.6 GB of float32 heights: 10 x 10 km at 0.5 m)."""
MAX_ABS_HEIGHT = 9000.0
"""m; heights beyond this are no terrain on Earth (a wrong nodata value or unit)."""

_DSM_WORDS = ("dsm", "surface model")
_NAME_DTM_WORDS = ("dtm", "dem", "dgm", "ahn")
_DTM_WORDS = (*_NAME_DTM_WORDS, "terrain", "ground", "elevation")


def _role_from_text(text: str, dtm_words: tuple[str, ...]) -> str | None:
    """"dsm" or "dtm" if ``text`` names one (a DSM word wins), else None."""
    text = text.lower()
    if any(word in text for word in _DSM_WORDS):
        return "dsm"
    if any(word in text for word in dtm_words):
        return "dtm"
    return None


def _role(path: Path, dataset: rasterio.DatasetReader, role: str | None) -> str:
    """The grid's role: the argument, else the file name, else the DESCRIPTION tag, else dtm."""
    if role is not None:
        if role not in ROLES:
            raise InputError(path, "role", f"expected one of {ROLES}, got {role!r}")
        return role
    description = " ".join(
        filter(None, (dataset.tags().get("DESCRIPTION"), dataset.tags(1).get("DESCRIPTION"),
                      dataset.descriptions[0]))
    )
    return (_role_from_text(path.stem, _NAME_DTM_WORDS)
            or _role_from_text(description, _DTM_WORDS)
            or "dtm")


def _horizontal_crs(path: Path, dataset: rasterio.DatasetReader, options: ImportOptions) -> CRS:
    """The file's horizontal CRS (first part of a compound one), else ``options.crs``."""
    if dataset.crs is None:
        if options.crs is None:
            raise InputError(path, "crs",
                             "the raster declares no CRS; give one (ImportOptions.crs)")
        return CRS.from_user_input(options.crs)
    return horizontal_crs(CRS.from_wkt(dataset.crs.to_wkt(version="WKT2_2019")))


def _check_grid(path: Path, dataset: rasterio.DatasetReader) -> None:
    """A north-up (or south-up) grid without rotation or shear, of square non-zero cells, and
    small enough to hold in memory (``MAX_CELLS``)."""
    transform = dataset.transform
    if transform.b != 0 or transform.d != 0:
        raise InputError(path, "transform", "rotated or sheared grids are not supported "
                                            f"(transform {tuple(transform)[:6]})")
    if transform.a == 0 or transform.e == 0:
        raise InputError(path, "transform", "cell size is zero")
    width, height = abs(transform.a), abs(transform.e)
    if abs(width - height) > 1e-6 * max(width, height):
        raise InputError(path, "transform", f"cells of {width:g} x {height:g} are not square; "
                                            f"resample the grid (e.g. gdalwarp -tr)")
    cells = dataset.width * dataset.height
    if cells > MAX_CELLS:
        raise InputError(path, "size", f"{dataset.width:,} x {dataset.height:,} cells "
                                       f"({cells * 4 / 2**30:.0f} GiB as heights) are more than "
                                       f"{MAX_CELLS:,}; crop the grid to the twin's area "
                                       f"(e.g. gdal_translate -projwin)")


def _band_values(path: Path, dataset: rasterio.DatasetReader) -> np.ndarray:
    """Band 1 as float32 heights, m, NaN where nodata or masked."""
    band = dataset.read(1, masked=True).astype(np.float32)
    values = band.filled(np.nan)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise InputError(path, "values", "every cell is nodata")
    peak = float(np.abs(finite).max())
    if peak > MAX_ABS_HEIGHT:
        raise InputError(path, "values",
                         f"heights up to {peak:.6g} m are not plausible terrain (|h| ≤ "
                         f"{MAX_ABS_HEIGHT:g} m): a missing nodata value or a unit other than m?")
    return np.where(np.isfinite(values), values, np.nan).astype(np.float32)


def read_raster(
    path: str | Path, options: ImportOptions = DEFAULT_OPTIONS, role: str | None = None
) -> SourceData:
    """Band 1 of a terrain raster as ``rasters[role]``, heights m, in the file's horizontal CRS.

    Parameters
    ----------
    path : str or Path
        A GeoTIFF (or any raster GDAL reads) of terrain heights [m].
    options : ImportOptions, optional
        ``crs``: the CRS of a raster that declares none.
    role : {"dtm", "dsm"}, optional
        What the grid is; by default from the file name, else its DESCRIPTION tag, else
        ``"dtm"``.

    Returns
    -------
    SourceData
        Kind ``role`` with ``rasters[role]``: float32 heights [m, NaN where nodata] in the
        file's horizontal CRS.

    Raises
    ------
    InputError
        For an unknown role, a raster without CRS (and none in ``options``), a rotated or
        sheared grid, cells that are not square, more than ``MAX_CELLS`` cells, a grid that is
        all nodata, heights beyond ±9000 m, or a file GDAL
        cannot read.
    """
    path = Path(path)
    try:
        with rasterio.open(path) as dataset:
            role = _role(path, dataset, role)
            crs = _horizontal_crs(path, dataset, options)
            _check_grid(path, dataset)
            values = _band_values(path, dataset)
            transform, count = dataset.transform, dataset.count
    except RasterioError as exc:
        raise InputError(path, "raster", f"not a readable raster: {exc}") from exc
    warnings = []
    if count > 1:
        warnings.append(f"{path.name}: {count} bands, used band 1 as {role}")
    return SourceData(
        path=path,
        kind=role,
        crs=crs,
        rasters={role: Raster(values=values, transform=transform, crs=crs)},
        warnings=warnings,
    )
