"""The one-CRS rules: horizontal parts, the twin CRS choice, coordinates that cannot be in a CRS."""

from __future__ import annotations

import pytest
from pyproj import CRS

from twin.errors import InputError
from twin.importers.crs import (
    check_coordinates_fit,
    choose_twin_crs,
    horizontal_crs,
    parse_crs,
    projected_metric_crs,
    scale_error,
    utm_crs_for,
)

DELFT_RD = (84616.0, 447423.0, 85141.0, 447751.0)
DELFT_LONLAT = (4.362, 52.0106, 4.370, 52.0137)


def test_compound_and_3d_give_their_horizontal_part() -> None:
    assert horizontal_crs(CRS.from_epsg(7415)).to_epsg() == 28992
    assert horizontal_crs(CRS.from_epsg(4979)).to_epsg() == 4326


@pytest.mark.parametrize("text", ["https://www.opengis.net/def/crs/EPSG/0/7415", "urn:ogc:def:crs:EPSG::7415",
                                  "EPSG:7415", 7415])
def test_parse_crs_forms(text: str | int) -> None:
    assert parse_crs(text).to_epsg() == 7415


def test_parse_crs_names_the_field() -> None:
    with pytest.raises(InputError, match="--crs: not a coordinate reference system"):
        parse_crs("EPSG:999999999", field="--crs")


def test_twin_crs_is_first_projected_metric_source_else_utm() -> None:
    feet = CRS.from_epsg(2263)  # New York Long Island, US survey feet
    assert choose_twin_crs([CRS.from_epsg(4326), CRS.from_epsg(7415)], None).to_epsg() == 28992
    assert choose_twin_crs([feet, CRS.from_epsg(4326)], (24.94, 60.17)).to_epsg() == 32635
    assert choose_twin_crs([CRS.from_epsg(4326)], (-104.99, 39.74)).to_epsg() == 32613
    assert utm_crs_for(151.2, -33.9).to_epsg() == 32756  # southern hemisphere
    with pytest.raises(InputError, match="no source has geometry"):
        choose_twin_crs([], None)


def test_override_must_be_projected_in_metres() -> None:
    assert projected_metric_crs(CRS.from_epsg(7415)).to_epsg() == 28992
    for crs in (CRS.from_epsg(4326), CRS.from_epsg(2263)):
        with pytest.raises(InputError, match="projected in metres"):
            projected_metric_crs(crs)


def test_coordinates_that_fit_pass() -> None:
    check_coordinates_fit(DELFT_RD, CRS.from_epsg(28992), "delft.gpkg")
    check_coordinates_fit(DELFT_LONLAT, CRS.from_epsg(4326), "delft.geojson")


def test_rd_coordinates_declared_as_lonlat_are_refused() -> None:
    with pytest.raises(InputError, match="delft.geojson: crs: the coordinates .* outside the area of use"):
        check_coordinates_fit(DELFT_RD, CRS.from_epsg(4326), "delft.geojson")


def test_lonlat_declared_as_rd_is_refused() -> None:
    with pytest.raises(InputError, match="EPSG:28992"):
        check_coordinates_fit(DELFT_LONLAT, CRS.from_epsg(28992), "delft.gpkg")


def test_projected_coordinates_of_another_country_are_refused() -> None:
    helsinki_utm35 = (385417.0, 6671459.0, 386467.0, 6673136.0)
    check_coordinates_fit(helsinki_utm35, CRS.from_epsg(32635), "h.gpkg")
    with pytest.raises(InputError, match="Netherlands"):
        check_coordinates_fit(helsinki_utm35, CRS.from_epsg(28992), "h.gpkg")


def test_a_crs_that_stretches_distances_does_not_become_the_twin_crs(tmp_path) -> None:
    """Web Mercator is projected in metres but 2.0 times too long at Helsinki's latitude; the
    twin takes the local UTM zone and says why, so footprints and lengths stay true."""
    import geopandas as gpd
    import shapely

    from twin.importers.assemble import import_files

    assert scale_error(CRS.from_epsg(3857), (24.94, 60.17)) == pytest.approx(1.01, abs=0.01)
    assert scale_error(CRS.from_epsg(28992), (4.36, 52.0)) < 1e-3
    square = shapely.Polygon([(0, 0), (20, 0), (20, 20), (0, 20)])  # 20 m x 20 m in UTM 35N
    utm = gpd.GeoDataFrame({"id": ["a"], "height": [6.0]},
                           geometry=[shapely.affinity.translate(square, 385000, 6672000)],
                           crs="EPSG:32635")
    path = tmp_path / "mercator.gpkg"
    utm.to_crs("EPSG:3857").to_file(path)
    twin = import_files([path], name="mercator")
    assert twin.crs.to_epsg() == 32635
    assert twin.buildings["footprint_area"].iloc[0] == pytest.approx(400.0, rel=1e-3)
    assert any("EPSG:3857 (WGS 84 / Pseudo-Mercator) stretches distances by 101%" in w
               for w in twin.warnings)
    forced = import_files([path], name="forced", twin_crs=CRS.from_epsg(3857))
    assert any("the twin CRS EPSG:3857" in w and "stretches distances by 101%" in w
               for w in forced.warnings)
