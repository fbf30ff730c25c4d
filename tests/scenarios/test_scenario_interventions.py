"""Each intervention on the real sample twins: what it changes, and that the given twin stays as it was."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from scenario_texts import fingerprint

from twin.energy import load_archetypes
from twin.model import Twin
from twin.scenarios import (
    INTERVENTIONS,
    OVERRIDE_COLUMNS,
    ChangeReport,
    InterventionError,
    apply_interventions,
)


def _apply(twin: Twin, table: dict[str, Any]) -> tuple[Twin, ChangeReport]:
    """Apply the intervention of ``table``, checking that ``twin`` itself is not changed."""
    before = fingerprint(twin)
    new, report = INTERVENTIONS[table["type"]].from_table(table).apply(twin)
    assert fingerprint(twin) == before
    assert report.kind == table["type"]
    return new, report


def _box(twin: Twin, fraction: float) -> list[list[float]]:
    """The south-west ``fraction`` of the twin's extent as a polygon ring (twin CRS)."""
    xmin, ymin, xmax, ymax = twin.extent()
    x, y = xmin + fraction * (xmax - xmin), ymin + fraction * (ymax - ymin)
    return [[xmin, ymin], [x, ymin], [x, y], [xmin, y]]


def test_close_links_by_name(helsinki: Twin) -> None:
    new, report = _apply(
        helsinki, {"type": "close_links", "select": {"names": ["Aleksanterinkatu"]}}
    )
    links, old = new.network.links, helsinki.network.links
    closed = (links["name"] == "Aleksanterinkatu").to_numpy()
    assert report.counts["links"] == closed.sum() == 7
    assert set(report.ids) == set(links.loc[closed, "id"])
    assert (links.loc[closed, "capacity"] == 0).all() and (old.loc[closed, "capacity"] > 0).all()
    assert links.loc[~closed, "capacity"].equals(old.loc[~closed, "capacity"])
    assert len(links) == len(old) and new.network.nodes is helsinki.network.nodes


def test_close_links_by_ids_and_by_polygons(helsinki: Twin) -> None:
    _, report = _apply(
        helsinki, {"type": "close_links", "select": {"ids": ["30903129:0:f", "30903129:0:b"]}}
    )
    assert report.ids == ("30903129:0:f", "30903129:0:b")
    ring = _box(helsinki, 0.25)
    _, by_polygon = _apply(helsinki, {"type": "close_links", "select": {"polygon": ring}})
    links = helsinki.network.links
    mid = shapely.line_interpolate_point(links.geometry.values, 0.5, normalized=True)
    inside = shapely.contains_xy(shapely.Polygon(ring), shapely.get_x(mid), shapely.get_y(mid))
    assert by_polygon.counts["links"] == inside.sum() > 0
    geojson = {
        "type": "Polygon",
        "coordinates": [
            [
                [24.9400, 60.1663],
                [24.9450, 60.1663],
                [24.9450, 60.1686],
                [24.9400, 60.1686],
                [24.9400, 60.1663],
            ]
        ],
    }
    _, by_geojson = _apply(
        helsinki,
        {"type": "close_links", "select": {"geojson": geojson, "names": ["Mannerheimintie"]}},
    )
    assert by_geojson.counts["links"] == 11


def test_set_speed(helsinki: Twin) -> None:
    new, report = _apply(
        helsinki, {"type": "set_speed", "speed": 20, "select": {"filter": "speed_kmh >= 40"}}
    )
    changed = np.isin(helsinki.network.links["id"], report.ids)
    assert report.counts["links"] == changed.sum() == 144
    np.testing.assert_allclose(new.network.links.loc[changed, "free_speed"], 20 / 3.6)
    assert new.network.links["capacity"].equals(helsinki.network.links["capacity"])


def test_set_lanes_scales_capacity_per_lane(helsinki: Twin) -> None:
    table = {"type": "set_lanes", "change": -1, "select": {"names": ["Kaivokatu"]}}
    new, report = _apply(helsinki, table)
    old, links = helsinki.network.links, new.network.links
    rows = (old["name"] == "Kaivokatu").to_numpy()
    assert report.counts["links"] == 20 and report.counts["links_changed"] == 15
    assert "5 links kept at 1 lane" in report.notes
    np.testing.assert_array_equal(
        links.loc[rows, "lanes"], np.maximum(old.loc[rows, "lanes"] - 1, 1)
    )
    np.testing.assert_allclose(
        links.loc[rows, "capacity"] / links.loc[rows, "lanes"],
        old.loc[rows, "capacity"] / old.loc[rows, "lanes"],
    )
    new, _ = _apply(helsinki, {"type": "set_lanes", "lanes": 4, "select": {"names": ["Kaivokatu"]}})
    assert (new.network.links.loc[rows, "lanes"] == 4).all()


def test_retrofit_writes_override_columns_the_energy_model_reads(helsinki: Twin) -> None:
    table = {
        "type": "retrofit",
        "u_wall": 0.17,
        "u_window": 1.0,
        "infiltration_ach": 0.5,
        "select": {"filter": "year < 1970"},
    }
    new, report = _apply(helsinki, table)
    b = new.buildings
    chosen = (helsinki.buildings["year"] < 1970).fillna(False).to_numpy()
    assert report.counts["buildings"] == chosen.sum() == 63
    assert report.columns == ("u_wall", "u_window", "infiltration_ach")
    assert (b.loc[chosen, "u_wall"] == 0.17).all() and b.loc[~chosen, "u_wall"].isna().all()
    assert "u_wall" not in helsinki.buildings
    params = load_archetypes().parameters(b)
    assert (params.loc[chosen, "u_wall"] == 0.17).all() and (
        params.loc[~chosen, "u_wall"] > 0.17
    ).all()
    assert (params.loc[chosen, "infiltration_ach"] == 0.5).all()


def test_retrofit_refurbishment_picks_the_refurbished_building_type(delft: Twin) -> None:
    table = {"type": "retrofit", "refurbishment": "advanced",
             "select": {"filter": "roof_area >= 100"}}
    new, report = _apply(delft, table)
    chosen = (delft.buildings["roof_area"] >= 100).to_numpy()
    assert report.columns == ("refurbishment",) and report.counts["buildings"] == chosen.sum() > 0
    before = load_archetypes().parameters(delft.buildings, "NL")
    after = load_archetypes().parameters(new.buildings, "NL")
    assert (after.loc[chosen, "state"] == "advanced").all()
    assert after.loc[chosen, "band"].str.endswith(".003").all()
    assert (after.loc[~chosen, "band"] == before.loc[~chosen, "band"]).all()
    assert (after.loc[chosen, "u_wall"] < before.loc[chosen, "u_wall"]).all()


def test_add_pv_and_heat_pumps(delft: Twin) -> None:
    new, report = _apply(
        delft, {"type": "add_pv", "share": 0.6, "select": {"filter": "roof_area >= 20"}}
    )
    assert report.counts["buildings"] == 118
    assert (new.buildings["pv_share"].dropna() == 0.6).all() and new.buildings[
        "pv_share"
    ].notna().sum() == 118
    assert (new.buildings["pv_kwp_m2"].dropna() == 0.2).all()
    newer, report = _apply(
        new, {"type": "heat_pumps", "scop": 3.5, "select": {"polygon": _box(delft, 0.5)}}
    )
    hp = newer.buildings["heating_system"] == "heat_pump"
    assert report.counts["buildings"] == hp.sum() > 0
    assert (newer.buildings.loc[hp, "heating_efficiency"] == 3.5).all()
    assert newer.buildings.loc[~hp, "heating_system"].isna().all()
    assert newer.buildings["pv_share"].equals(new.buildings["pv_share"])
    assert set(OVERRIDE_COLUMNS) >= {
        "pv_share",
        "pv_kwp_m2",
        "heating_system",
        "heating_efficiency",
    }


def test_add_buildings_derives_attributes(delft: Twin) -> None:
    x, y = 84820.0, 447420.0
    footprint = [[x, y], [x + 10, y], [x + 10, y + 8], [x, y + 8]]
    table = {
        "type": "add_buildings",
        "buildings": [
            {"id": "new-1", "polygon": footprint, "height": 9.0, "use": "residential", "year": 2030}
        ],
    }
    new, report = _apply(delft, table)
    assert len(new.buildings) == len(delft.buildings) + 1 and report.ids == ("new-1",)
    added = new.buildings.iloc[-1]
    assert added["source"] == "scenario" and added["height_source"] == "scenario"
    assert added["footprint_area"] == pytest.approx(80.0) and added["volume"] == pytest.approx(
        720.0
    )
    assert added["floors"] == 3 and added["year"] == 2030
    assert np.isfinite(added["base_elevation"]) and added["wall_area"] == pytest.approx(36 * 9.0)
    assert new.buildings.crs.equals(delft.crs)
    with pytest.raises(
        InterventionError, match=r"buildings\[0\].id: a building with id .* exists already"
    ):
        INTERVENTIONS["add_buildings"].from_table(
            {
                "type": "add_buildings",
                "buildings": [
                    {
                        "id": delft.buildings["id"].iloc[0],
                        "polygon": footprint,
                        "height": 5,
                        "use": "office",
                    }
                ],
            }
        ).apply(delft)


def test_remove_buildings(delft: Twin) -> None:
    new, report = _apply(
        delft, {"type": "remove_buildings", "select": {"filter": "footprint_area < 10"}}
    )
    assert report.counts["buildings"] == 18 and len(new.buildings) == 142
    assert not new.buildings["id"].isin(report.ids).any()
    assert list(new.buildings.index) == list(range(142))


@pytest.mark.parametrize(
    "table",
    [
        {
            "type": "scale_demand",
            "factor": 0.8,
            "departure_from": "07:00",
            "departure_until": "09:00",
        },
        {
            "type": "add_demand",
            "trips": 50,
            "departure_from": "07:00",
            "departure_until": "08:00",
            "origin": {
                "geojson": {
                    "type": "Polygon",
                    "coordinates": [
                        [[24.935, 60.164], [24.940, 60.164], [24.940, 60.168], [24.935, 60.164]]
                    ],
                }
            },
            "destination": {
                "polygon": [
                    [386000, 6672500],
                    [386400, 6672500],
                    [386400, 6672900],
                    [386000, 6672900],
                ]
            },
        },
        {"type": "ev_share", "share": 0.3},
    ],
)
def test_demand_interventions_leave_the_twin_and_return_a_modifier(
    helsinki: Twin, table: dict
) -> None:
    new, report = _apply(helsinki, table)
    assert new is helsinki
    assert report.demand.steps or report.demand.ev_share == 0.3


def test_demand_needs_a_road_network(delft: Twin) -> None:
    with pytest.raises(InterventionError, match="the twin has no road network"):
        INTERVENTIONS["scale_demand"].from_table({"type": "scale_demand", "factor": 2.0}).apply(
            delft
        )


def test_apply_in_order_and_collect_every_problem(delft: Twin) -> None:
    x, y = 84820.0, 447420.0
    ring = [[x, y], [x + 10, y], [x + 10, y + 8], [x, y + 8]]
    plans = [
        INTERVENTIONS[t["type"]].from_table(t)
        for t in (
            {
                "type": "add_buildings",
                "buildings": [
                    {"id": "n", "polygon": ring, "height": 6, "use": "office", "year": 2030}
                ],
            },
            {"type": "retrofit", "u_roof": 0.1, "select": {"ids": ["n"]}},
            {"type": "add_pv", "share": 0.5, "select": {"filter": "year > 2000"}},
        )
    ]
    applied = apply_interventions(delft, plans)
    assert applied.twin.buildings.set_index("id").loc["n", "u_roof"] == 0.1
    assert [r.counts["buildings"] for r in applied.reports] == [1, 1, 1]
    broken = [plans[1], plans[2], plans[0]]
    with pytest.raises(InterventionError) as caught:
        apply_interventions(delft, broken)
    assert [key for key, _ in caught.value.problems] == [
        ("interventions", 0, "select", "ids", 0),
        ("interventions", 1, "select"),
    ]
