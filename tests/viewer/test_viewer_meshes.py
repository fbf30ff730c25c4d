"""The mesh builders: merged extruded buildings, terrain surface, polylines and points."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from twin.model import Raster, Twin
from viewer.meshes import FEATURE
from viewer.meshes.buildings import extrude_buildings
from viewer.meshes.lines import polylines
from viewer.meshes.points import point_cloud
from viewer.meshes.terrain import ELEVATION, terrain_surface


def _expected_cells(footprints: np.ndarray) -> int:
    """Roof triangles plus two triangles per ring edge, summed over the buildings."""
    parts = shapely.get_parts(footprints)
    triangles = len(shapely.get_parts(shapely.constrained_delaunay_triangles(parts)))
    rings = shapely.get_rings(parts)
    edges = int((shapely.get_num_coordinates(rings) - 1).sum())
    return triangles + 2 * edges


def test_delft_buildings_merged_mesh(delft: Twin) -> None:
    b = delft.buildings
    origin = (85_000.0, 447_500.0)
    meshes = extrude_buildings(b.geometry.to_numpy(), b["base_elevation"].to_numpy(),
                               b["height"].to_numpy(), origin)
    mesh = meshes.full
    assert mesh.n_cells == _expected_cells(b.geometry.to_numpy())
    assert mesh.is_all_triangles
    base, top = b["base_elevation"].to_numpy(), (b["base_elevation"] + b["height"]).to_numpy()
    assert mesh.bounds[4] == pytest.approx(base.min(), abs=1e-4)
    assert mesh.bounds[5] == pytest.approx(top.max(), abs=1e-4)
    # every cell lies on its own building: within its base..top and on its footprint
    rows = mesh.cell_data[FEATURE]
    assert set(np.unique(rows)) == set(range(len(b)))
    centres = mesh.cell_centers().points.astype(np.float64)
    assert np.all(centres[:, 2] >= base[rows] - 1e-3) and np.all(centres[:, 2] <= top[rows] + 1e-3)
    world = shapely.points(centres[:, 0] + origin[0], centres[:, 1] + origin[1])
    assert np.all(shapely.distance(b.geometry.to_numpy()[rows], world) < 0.01)
    # roofs come first and sit at each building's top
    roofs = meshes.roofs
    assert roofs.n_cells == meshes.roof_cells
    roof_rows = roofs.cell_data[FEATURE]
    np.testing.assert_allclose(roofs.cell_centers().points[:, 2], top[roof_rows], atol=1e-3)
    np.testing.assert_allclose(roofs.area, b["footprint_area"].sum(), rtol=1e-6)


def test_holes_multipolygons_and_empty_footprints() -> None:
    courtyard = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (3, 6), (6, 6), (6, 3)]])
    pair = shapely.MultiPolygon([shapely.box(20, 0, 22, 2), shapely.box(30, 0, 31, 1)])
    footprints = np.array([courtyard, pair, shapely.Polygon()], dtype=object)
    meshes = extrude_buildings(footprints, np.array([1.0, 2.0, 3.0]), np.array([5.0, np.nan, 7.0]),
                               (0.0, 0.0))
    mesh = meshes.full
    assert mesh.n_cells == _expected_cells(footprints[:2])
    assert meshes.roofs.area == pytest.approx(100 - 9 + 4 + 1)
    walls = mesh.area - meshes.roofs.area
    assert walls == pytest.approx((40 + 12) * 5.0)  # the pair has no height: walls of zero area
    assert set(mesh.cell_data[FEATURE]) == {0, 1}
    # roofs face up; walls face out of the building: away from its middle outside, into the courtyard
    normals = meshes.full.compute_normals(cell_normals=True, point_normals=False, split_vertices=False,
                                          auto_orient_normals=False, consistent_normals=False)
    roof_normals = normals.cell_data["Normals"][: meshes.roof_cells]
    assert np.all(roof_normals[:, 2] > 0.99)
    wall_normals = normals.cell_data["Normals"][meshes.roof_cells:]
    wall_centres = mesh.cell_centers().points[meshes.roof_cells:]
    courtyard_walls = (mesh.cell_data[FEATURE][meshes.roof_cells:] == 0) & np.all(
        (wall_centres[:, :2] >= 2.9) & (wall_centres[:, :2] <= 6.1), axis=1)
    facing = np.einsum("ij,ij->i", wall_normals[:, :2], wall_centres[:, :2] - 4.5)
    outer = (mesh.cell_data[FEATURE][meshes.roof_cells:] == 0) & ~courtyard_walls
    assert courtyard_walls.sum() == 8 and np.all(facing[courtyard_walls] < 0)
    assert outer.sum() == 8 and np.all(facing[outer] > 0)


def test_terrain_surface_decimates_and_leaves_out_unknown_cells() -> None:
    from affine import Affine
    from pyproj import CRS

    values = np.arange(200 * 300, dtype=np.float32).reshape(200, 300) / 1000
    values[:10, :10] = np.nan
    raster = Raster(values, Affine(2.0, 0, 1000.0, 0, -2.0, 5000.0), CRS.from_epsg(28992))
    full = terrain_surface(raster, (1000.0, 4000.0))
    assert full.n_points == 200 * 300
    assert full.n_cells == 199 * 299 - 10 * 10  # quads with a NaN corner are left out
    assert full.bounds[0] == pytest.approx(1.0) and full.bounds[3] == pytest.approx(999.0)
    assert np.nanmax(full.point_data[ELEVATION]) == pytest.approx(np.nanmax(values))
    coarse = terrain_surface(raster, (1000.0, 4000.0), max_points=10_000)
    assert coarse.n_points <= 10_000 and coarse.n_points == 67 * 100


def test_links_become_polylines_and_pois_points(helsinki: Twin) -> None:
    links = helsinki.network.links
    origin = (386_000.0, 6_672_000.0)
    mesh = polylines(links.geometry.to_numpy(), origin, None, 0.5)
    assert mesh.n_lines == mesh.n_cells == len(links)
    np.testing.assert_array_equal(mesh.cell_data[FEATURE], np.arange(len(links)))
    assert mesh.n_points == shapely.get_num_coordinates(links.geometry.to_numpy()).sum()
    assert mesh.bounds[4] == mesh.bounds[5] == pytest.approx(0.5)
    first = np.asarray(mesh.get_cell(7).points, dtype=np.float64)[:, :2] + origin
    np.testing.assert_allclose(first, shapely.get_coordinates(links.geometry.iloc[7]), atol=1e-2)
    pois = helsinki.layers["pois"]
    cloud = point_cloud(pois.geometry.to_numpy(), origin, lambda x, y: np.full(len(x), 2.0), 1.0)
    assert cloud.n_cells == len(pois)
    assert cloud.bounds[4] == cloud.bounds[5] == pytest.approx(3.0)
