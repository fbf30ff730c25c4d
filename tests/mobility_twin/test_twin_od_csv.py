"""OD matrix CSV: formats, zones as nodes or polygons, seeded spreading, and clear errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from twin.errors import InputError
from twin.importers.assemble import import_files
from twin.mobility import DEMAND_COLUMNS, read_od_csv
from twin.mobility.network import largest_component


@pytest.fixture(scope="module")
def twin(shared_data: Path):
    return import_files([shared_data / "sumo-braunschweig" / "bs.net.xml"], "braunschweig")


@pytest.fixture(scope="module")
def nodes(twin) -> list[str]:
    """Four node ids of the routable part of the network."""
    return list(largest_component(twin.network)[0].nodes["id"].iloc[[0, 5, 10, 20]])


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "od.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_node_zones_periods_and_counts(tmp_path, twin, nodes) -> None:
    a, b, c, _ = nodes
    path = _csv(tmp_path, "origin,destination,period,trips,comment\n"
                          f"{a},{b},07:00-08:00,100,x\n"
                          f"{b},{c},25200-27000,20,\n"
                          f"{c},{a},07:30,3,\n"
                          f"{a},{c},08:00:00-08:00:30,0,\n")
    demand = read_od_csv(path, twin, seed=1)
    assert list(demand.columns) == list(DEMAND_COLUMNS)
    assert len(demand) == 123
    assert demand["departure"].is_monotonic_increasing
    ab = demand[(demand.origin == a) & (demand.destination == b)]
    assert len(ab) == 100 and ab.departure.between(25200, 28800, inclusive="left").all()
    bc = demand[(demand.origin == b) & (demand.destination == c)]
    assert len(bc) == 20 and bc.departure.between(25200, 27000, inclusive="left").all()
    ca = demand[(demand.origin == c) & (demand.destination == a)]
    assert len(ca) == 3 and (ca.departure == 27000.0).all()


def test_same_seed_same_trips_and_fractions_round_at_random(tmp_path, twin, nodes) -> None:
    a, b, *_ = nodes
    path = _csv(tmp_path, "origin,destination,period,trips\n" + f"{a},{b},07:00-08:00,0.5\n" * 400)
    first, again = read_od_csv(path, twin, seed=3), read_od_csv(path, twin, seed=3)
    assert first.equals(again)
    assert not first.equals(read_od_csv(path, twin, seed=4))
    assert 150 < len(first) < 250  # 400 draws of 0 or 1 with p = 0.5


def test_polygon_zones_spread_trips_over_their_nodes(tmp_path, twin) -> None:
    routable = largest_component(twin.network)[0].nodes
    xmin, ymin, xmax, ymax = routable.total_bounds
    xmid = (xmin + xmax) / 2.0
    zones = gpd.GeoDataFrame(
        {"zone": ["west", "east"]},
        geometry=[shapely.box(xmin - 1, ymin - 1, xmid, ymax + 1), shapely.box(xmid, ymin - 1, xmax + 1, ymax + 1)],
        crs=twin.crs,
    ).to_crs(4326)
    zones_path = tmp_path / "zones.geojson"
    zones.to_file(zones_path)
    path = _csv(tmp_path, "origin,destination,period,trips\nwest,east,07:00-08:00,500\neast,east,07:00-08:00,200\n")
    demand = read_od_csv(path, twin, zones=zones_path, seed=7)
    x = routable.set_index("id").geometry.x
    ox, dx = x[demand.origin].to_numpy(), x[demand.destination].to_numpy()
    west_east = ox < xmid
    assert west_east.sum() == 500 and (dx >= xmid - 1.0).all()
    assert (demand.origin != demand.destination).all()
    assert demand.origin[west_east].nunique() > 20  # spread, not piled on one node
    assert read_od_csv(path, twin, zones=zones_path, seed=7).equals(demand)


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        ("{a},{b},7-8h,10", "line 3, column period", "07:00-08:00"),
        ("{a},{b},08:00-07:00,10", "line 3, column period", "end after start"),
        ("{a},{b},07:00-08:00,-1", "line 3, column trips", "number of trips >= 0"),
        ("{a},{b},07:00-08:00,ten", "line 3, column trips", "'ten'"),
        ("nowhere,{b},07:00-08:00,10", "line 3, column origin", "'nowhere'"),
        ("{a},nowhere,07:00-08:00,10", "line 3, column destination", "'nowhere'"),
        ("{a},{a},07:00-08:00,10", "line 3", "same node"),
        ("{a},{b},07:00-08:00", "line 3", "expected 4 values"),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path, twin, nodes, row, field, says) -> None:
    a, b, *_ = nodes
    path = _csv(tmp_path, f"origin,destination,period,trips\n{a},{b},07:00-08:00,1\n{row.format(a=a, b=b)}\n")
    with pytest.raises(InputError) as info:
        read_od_csv(path, twin)
    assert info.value.path == str(path)
    assert info.value.field == field
    assert says in str(info.value)


def test_bad_files_and_zones(tmp_path, twin, nodes) -> None:
    with pytest.raises(InputError, match="missing column.*period"):
        read_od_csv(_csv(tmp_path, "origin,destination,trips\n"), twin)
    with pytest.raises(InputError, match="empty file"):
        read_od_csv(_csv(tmp_path, ""), twin)
    with pytest.raises(InputError, match="cannot read"):
        read_od_csv(tmp_path / "missing.csv", twin)
    path = _csv(tmp_path, "origin,destination,period,trips\nfar,far,07:00-08:00,1\n")
    far = gpd.GeoDataFrame({"zone": ["far"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=twin.crs)
    with pytest.raises(InputError, match="zone far: contains no node"):
        read_od_csv(path, twin, zones=far)
    with pytest.raises(InputError, match="no zone id column 'taz'"):
        read_od_csv(path, twin, zones=far, zone_column="taz")
    assert len(read_od_csv(_csv(tmp_path, "origin,destination,period,trips\n"), twin)) == 0
