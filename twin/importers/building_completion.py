"""Complete the building table: fill every attribute a source left unknown, in a documented order.

Source values outside a building's plausible range are read as unknown first
(``twin.importers.building_values``). Heights come from the source, unless DSM − DTM inside the
footprint differs from it by more than ``DSM_HEIGHT_GAP`` (then DSM − DTM, on by default); else
DSM − DTM, else floors × storey height, else a default: by size class for dwellings and
untyped buildings (a house of two storeys or a multi-family house of three, from the
footprint), by use for the others. Areas of walls per orientation come from the footprint's edges when the
source had no 3D surfaces. Every fill is counted in a warning line.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.importers.building_values import clear_implausible
from twin.importers.terrain_grids import zonal_statistic
from twin.model import ORIENTATIONS, STOREY_HEIGHT, Terrain, conform_buildings

DEFAULT_HEIGHT_BY_USE: dict[str, float] = {
    "residential": 9.0, "office": 12.0, "retail": 6.0, "education": 9.0, "health": 12.0,
    "industrial": 8.0, "hotel": 15.0, "restaurant": 4.0, "sport": 8.0, "public": 9.0,
    "religious": 12.0, "storage": 4.0,
}
"""m, used when a building has no height, no floor count and no DSM under it."""
DEFAULT_HEIGHT = 7.0
"""m, for uses not in DEFAULT_HEIGHT_BY_USE."""
DWELLING_DEFAULT_USES = ("residential", "unknown")
"""Uses whose default height follows the size class (below) instead of DEFAULT_HEIGHT_BY_USE."""
DWELLING_STOREY_HEIGHT = 3.1
"""m, floor-to-floor height of dwellings: the CTBUH Height Calculator's residential storey
(office 3.9 m, mixed or unknown 3.5 m)."""
HOUSE_STOREYS = 2
"""Storeys of a default house: the median of the TABULA single-family and terraced types."""
MULTI_FAMILY_STOREYS = 3
"""Storeys of a default multi-family house: the median of the TABULA MFH types."""
HOUSE_MAX_FOOTPRINT = 200.0
"""m²: a dwelling footprint up to this is a house (two storeys within the 400 m² gross of the
energy model's house size class, ``twin/energy/size_class.py``); larger ones multi-family."""

def wall_lengths_by_orientation(footprints: np.ndarray) -> np.ndarray:
    """Length (m) of footprint edges facing N, E, S, W, shape (n, 4), holes included.

    Rings are oriented (exterior counter-clockwise, holes clockwise) so the outward normal of an
    edge (dx, dy) is (dy, −dx); its azimuth picks the sector.
    """
    n = len(footprints)
    result = np.zeros((n, 4))
    if n == 0:
        return result
    oriented = shapely.orient_polygons(footprints, exterior_cw=False)
    parts, part_owner = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_index[1:] == ring_index[:-1]
    dx = np.diff(coords[:, 0])[same_ring]
    dy = np.diff(coords[:, 1])[same_ring]
    owner = part_owner[ring_part[ring_index[:-1][same_ring]]]
    azimuth = np.degrees(np.arctan2(dy, -dx)) % 360.0
    sector = (((azimuth + 45.0) % 360.0) // 90.0).astype(np.int64)
    np.add.at(result, (owner, sector), np.hypot(dx, dy))
    return result


def complete_buildings(frame: gpd.GeoDataFrame, terrain: Terrain,
                       dsm_heights: bool = True) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Fill unknown building attributes; returns the new table and one warning line per kind of
    fill. ``dsm_heights``: replace source heights that DSM − DTM contradicts (see the module
    docstring); False keeps them and only warns."""
    b = conform_buildings(frame).copy()
    warnings: list[str] = []
    clear_implausible(b, warnings)
    footprints = b.geometry.values
    area = np.asarray(shapely.area(footprints), dtype=float)
    b["footprint_area"] = b["footprint_area"].fillna(pd.Series(area, index=b.index))

    _fill_base_elevation(b, terrain, warnings)
    _compare_heights_with_dsm(b, terrain, warnings, dsm_heights)
    _fill_height(b, terrain, warnings)

    unknown_floors = b["floors"].isna()
    if unknown_floors.any():
        floors = np.maximum(1, np.round(b.loc[unknown_floors, "height"] / STOREY_HEIGHT))
        b.loc[unknown_floors, "floors"] = floors.astype("Int64")
    b["use"] = b["use"].where(b["use"].notna(), "unknown")

    height = b["height"].to_numpy(dtype=float)
    walls = wall_lengths_by_orientation(footprints) * height[:, None]
    for k, orientation in enumerate(ORIENTATIONS):
        column = f"wall_area_{orientation}"
        b[column] = b[column].fillna(pd.Series(walls[:, k], index=b.index))
    wall_sum = b[[f"wall_area_{o}" for o in ORIENTATIONS]].sum(axis=1)
    b["wall_area"] = b["wall_area"].fillna(wall_sum)
    flat = b["roof_area"].isna()
    if flat.any():
        warnings.append(f"{int(flat.sum())} buildings: roof area taken as the footprint area (flat roof)")
    b["roof_area"] = b["roof_area"].fillna(b["footprint_area"])
    b["ground_area"] = b["ground_area"].fillna(b["footprint_area"])
    b["volume"] = b["volume"].fillna(b["footprint_area"] * b["height"])
    return b, warnings


def _fill_base_elevation(b: gpd.GeoDataFrame, terrain: Terrain, warnings: list[str]) -> None:
    """Base elevation from the DTM median inside the footprint where the source gave none."""
    missing = b["base_elevation"].isna().to_numpy()
    if not missing.any():
        return
    if terrain.dtm is not None:
        values = zonal_statistic(terrain.dtm, b.geometry.values[missing], stat="median")
        b.loc[missing, "base_elevation"] = values
        warnings.append(f"{int(np.isfinite(values).sum())} buildings: base elevation sampled from the DTM")
    still = b["base_elevation"].isna()
    if still.any():
        b.loc[still, "base_elevation"] = 0.0
        warnings.append(f"{int(still.sum())} buildings: base elevation unknown, set to 0 m")


HEIGHT_DISAGREEMENT = 1.0
"""m: median gap between source heights and DSM − DTM above which the import warns."""
DSM_HEIGHT_GAP = 0.5 * STOREY_HEIGHT
"""m: a source height further than this from DSM − DTM gets another storey count
(round(height / STOREY_HEIGHT)) than the surface model shows, and is replaced by DSM − DTM."""
MIN_DSM_HEIGHT = 0.5
"""m: DSM − DTM at or below this shows no building (demolished, or built after the survey)."""


def _compare_heights_with_dsm(b: gpd.GeoDataFrame, terrain: Terrain, warnings: list[str],
                              replace: bool) -> None:
    """Warn when the heights a source gives differ from DSM − DTM by more than
    HEIGHT_DISAGREEMENT (median); with ``replace``, take DSM − DTM where a building's gap
    exceeds DSM_HEIGHT_GAP and the surface model shows a building there."""
    known = b["height"].notna().to_numpy()
    if terrain.dsm is None or terrain.dtm is None or not known.any():
        return
    footprints = b.geometry.values[known]
    observed = zonal_statistic(terrain.dsm, footprints, "median") - zonal_statistic(terrain.dtm, footprints, "median")
    gap = observed - b.loc[known, "height"].to_numpy(dtype=float)
    finite = gap[np.isfinite(gap)]
    if finite.size and abs(np.median(finite)) > HEIGHT_DISAGREEMENT:
        warnings.append(
            f"{finite.size} buildings: source heights differ from DSM − DTM by {np.median(finite):+.1f} m "
            f"(median; 5–95 %: {np.percentile(finite, 5):+.1f}..{np.percentile(finite, 95):+.1f} m)"
        )
    swap = np.isfinite(gap) & (np.abs(gap) > DSM_HEIGHT_GAP) & (observed > MIN_DSM_HEIGHT)
    if not replace or not swap.any():
        return
    rows = b.index[known][swap]
    b.loc[rows, "height"] = observed[swap]
    b.loc[rows, "height_source"] = "dsm"
    warnings.append(f"{int(swap.sum())} buildings: source height replaced by DSM − DTM (more than "
                    f"{DSM_HEIGHT_GAP:g} m apart: another storey count)")


def _fill_height(b: gpd.GeoDataFrame, terrain: Terrain, warnings: list[str]) -> None:
    """Height from DSM − DTM, then floors × STOREY_HEIGHT, then the default by use."""
    missing = b["height"].isna().to_numpy()
    if missing.any() and terrain.dsm is not None:
        surface = zonal_statistic(terrain.dsm, b.geometry.values[missing], stat="median")
        heights = surface - b.loc[missing, "base_elevation"].to_numpy(dtype=float)
        usable = np.isfinite(heights) & (heights > 0.5)
        rows = b.index[missing][usable]
        b.loc[rows, "height"] = heights[usable]
        b.loc[rows, "height_source"] = "dsm"
        if usable.any():
            warnings.append(f"{int(usable.sum())} buildings: height from DSM − DTM (median in footprint)")
    missing = b["height"].isna() & b["floors"].notna()
    if missing.any():
        b.loc[missing, "height"] = b.loc[missing, "floors"].astype(float) * STOREY_HEIGHT
        b.loc[missing, "height_source"] = "levels"
        warnings.append(f"{int(missing.sum())} buildings: height from floors × {STOREY_HEIGHT} m")
    missing = b["height"].isna()
    if missing.any():
        uses = b.loc[missing, "use"]
        b.loc[missing, "height"] = [DEFAULT_HEIGHT_BY_USE.get(u, DEFAULT_HEIGHT) for u in uses]
        b.loc[missing, "height_source"] = "default"
        dwelling = missing & (b["use"].isin(DWELLING_DEFAULT_USES) | b["use"].isna())
        b.loc[dwelling, "height"] = default_dwelling_height(
            b.loc[dwelling, "footprint_area"].to_numpy(dtype=float))
        by_use = int((missing & ~dwelling).sum())
        if by_use:
            warnings.append(f"{by_use} buildings: no height in any source, default by use")
        if dwelling.any():
            warnings.append(
                f"{int(dwelling.sum())} buildings: no height in any source, default by size "
                f"class ({HOUSE_STOREYS} storeys × {DWELLING_STOREY_HEIGHT:g} m up to "
                f"{HOUSE_MAX_FOOTPRINT:g} m² footprint, else {MULTI_FAMILY_STOREYS})")


def default_dwelling_height(footprint: np.ndarray) -> np.ndarray:
    """Default height in m of dwellings of unknown height from their footprint area in m²:
    a house of ``HOUSE_STOREYS`` up to ``HOUSE_MAX_FOOTPRINT``, else a multi-family house of
    ``MULTI_FAMILY_STOREYS``, at ``DWELLING_STOREY_HEIGHT`` each."""
    storeys = np.where(np.asarray(footprint, dtype=np.float64) <= HOUSE_MAX_FOOTPRINT,
                       HOUSE_STOREYS, MULTI_FAMILY_STOREYS)
    return storeys * DWELLING_STOREY_HEIGHT
