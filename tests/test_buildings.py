"""Completing building attributes: wall orientation, fills and their order."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from twin.importers.building_completion import complete_buildings, wall_lengths_by_orientation
from twin.model import Raster, Terrain

RD = CRS.from_epsg(28992)


def test_rectangle_walls_face_the_four_directions() -> None:
    footprint = shapely.box(0, 0, 10, 4)  # 10 m east-west, 4 m north-south
    lengths = wall_lengths_by_orientation(np.array([footprint]))
    np.testing.assert_allclose(lengths[0], [10.0, 4.0, 10.0, 4.0])


def test_orientation_does_not_depend_on_ring_direction_and_counts_holes() -> None:
    clockwise = shapely.Polygon([(0, 0), (0, 10), (10, 10), (10, 0)], holes=[[(4, 4), (6, 4), (6, 6), (4, 6)]])
    lengths = wall_lengths_by_orientation(np.array([clockwise]))
    # the courtyard's walls face inwards: its south edge (y=4) faces north, and so on
    np.testing.assert_allclose(lengths[0], [12.0, 12.0, 12.0, 12.0])


def test_rotated_square_walls_split_by_sector() -> None:
    square = shapely.affinity.rotate(shapely.box(0, 0, 10, 10), 30, origin="centroid")
    lengths = wall_lengths_by_orientation(np.array([square]))
    assert lengths.sum() == pytest.approx(40.0)
    np.testing.assert_allclose(lengths[0], [10.0, 10.0, 10.0, 10.0])


def test_multipolygon_parts_add_up() -> None:
    parts = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 7, 6)])
    lengths = wall_lengths_by_orientation(np.array([parts]))
    np.testing.assert_allclose(lengths[0], [3.0, 2.0, 3.0, 2.0])


def _frame(**columns) -> gpd.GeoDataFrame:
    geometry = columns.pop("geometry")
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=RD)


def test_fill_order_dsm_then_levels_then_default() -> None:
    grid = np.zeros((20, 20), dtype=np.float32)
    transform = Affine(1.0, 0, 0, 0, -1.0, 20.0)
    dsm = grid.copy()
    dsm[0:10, 0:10] = 12.5  # a 12.5 m roof in the north-west quarter
    terrain = Terrain(dtm=Raster(grid, transform, RD), dsm=Raster(dsm, transform, RD))
    frame = _frame(
        id=["roof", "floors", "nothing", "given"],
        height=[np.nan, np.nan, np.nan, 4.0],
        floors=[None, 4, None, None],
        use=["office", "residential", "retail", None],
        geometry=[shapely.box(2, 12, 8, 18), shapely.box(12, 2, 18, 8), shapely.box(12, 12, 14, 14),
                  shapely.box(2, 2, 4, 4)],
    )
    done, warnings = complete_buildings(frame, terrain)
    assert done["height"].tolist() == pytest.approx([12.5, 12.0, 6.0, 4.0])
    assert done["height_source"].tolist()[:3] == ["dsm", "levels", "default"]
    assert done["base_elevation"].tolist() == pytest.approx([0.0] * 4)
    assert done["floors"].tolist() == [4, 4, 2, 1]
    assert done["use"].tolist()[-1] == "unknown"
    assert done["volume"].iloc[0] == pytest.approx(36.0 * 12.5)
    assert done["wall_area"].iloc[0] == pytest.approx(24.0 * 12.5)
    assert any("DSM" in w for w in warnings) and any("default" in w for w in warnings)


def test_default_heights_of_dwellings_follow_the_size_class() -> None:
    """No height, floors or DSM: a house footprint gets two storeys, a larger one three, at
    the CTBUH residential storey height 3.1 m; other uses keep their default by use."""
    frame = _frame(
        id=["house", "edge", "flats", "untyped", "office"],
        height=[np.nan] * 5,
        use=["residential", "residential", "residential", None, "office"],
        geometry=[shapely.box(0, 0, 10, 8), shapely.box(0, 20, 20, 30), shapely.box(40, 0, 70, 15),
                  shapely.box(100, 0, 106, 5), shapely.box(200, 0, 230, 20)],
    )
    done, warnings = complete_buildings(frame, Terrain())
    assert done["height"].tolist() == pytest.approx([6.2, 6.2, 9.3, 6.2, 12.0])
    assert done["floors"].tolist() == [2, 2, 3, 2, 4]
    assert (done["height_source"] == "default").all()
    assert any(w.startswith("4 buildings:") and "size class" in w for w in warnings)
    assert any(w.startswith("1 buildings:") and "default by use" in w for w in warnings)


def test_source_values_are_kept() -> None:
    frame = _frame(id=["a"], height=[9.0], roof_area=[33.0], base_elevation=[1.5],
                   geometry=[shapely.box(0, 0, 5, 5)])
    done, _ = complete_buildings(frame, Terrain())
    row = done.iloc[0]
    assert (row["height"], row["roof_area"], row["base_elevation"]) == (9.0, 33.0, 1.5)
    assert row["footprint_area"] == pytest.approx(25.0)


def test_source_heights_more_than_half_a_storey_off_the_dsm_are_replaced() -> None:
    grid = np.zeros((20, 20), dtype=np.float32)
    transform = Affine(1.0, 0, 0, 0, -1.0, 20.0)
    dsm = grid.copy()
    dsm[0:10, :] = 9.0  # 9 m roofs over the northern half, bare ground in the south
    terrain = Terrain(dtm=Raster(grid, transform, RD), dsm=Raster(dsm, transform, RD))
    frame = _frame(
        id=["low", "close", "gone"], height=[3.0, 8.0, 6.0],
        geometry=[shapely.box(2, 12, 8, 18), shapely.box(12, 12, 18, 18), shapely.box(2, 2, 8, 8)],
    )
    done, warnings = complete_buildings(frame, terrain)
    # 6 m off: replaced; 1 m off (under half a storey): kept; no building in the DSM: kept
    assert done["height"].tolist() == pytest.approx([9.0, 8.0, 6.0])
    assert done["height_source"].tolist() == ["dsm", None, None]
    assert done["floors"].tolist() == [3, 3, 2]
    assert any("1 buildings: source height replaced by DSM − DTM" in w for w in warnings)
    kept, warnings = complete_buildings(frame, terrain, dsm_heights=False)
    assert kept["height"].tolist() == pytest.approx([3.0, 8.0, 6.0])
    assert not any("replaced" in w for w in warnings)
