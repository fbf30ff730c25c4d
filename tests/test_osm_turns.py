"""OSM turn restrictions: read from their relations into banned turns, honoured by routing, and
skipped with a counted warning where they cannot be placed."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.mobility import Settings
from tests.test_osm_network import DLAT, DLON, Nodes, Relations, Ways, write_osm
from twin.importers.assemble import import_files
from twin.mobility import demand_frame, run_mobility

ARM = 100.0
"""m: length of each arm of the crossing."""


def crossing() -> tuple[Nodes, Ways]:
    """Four two-way residential arms, 100 m each, meeting at node 1: north (way 13 to node 3),
    south (14 to 4), west (17 from 7) and east (18 to 8)."""
    d_lat, d_lon = ARM / 11.1 * DLAT, ARM / 5.57 * DLON
    nodes: Nodes = {1: (60.0, 25.0, {}), 3: (60.0 + d_lat, 25.0, {}), 4: (60.0 - d_lat, 25.0, {}),
                    7: (60.0, 25.0 - d_lon, {}), 8: (60.0, 25.0 + d_lon, {})}
    street = {"highway": "residential"}
    ways: Ways = {13: ([1, 3], street), 14: ([1, 4], street), 17: ([7, 1], street),
                  18: ([1, 8], street)}
    return nodes, ways


def restriction(kind: str, from_way: int = 17, to_way: int = 13, **tags: str) -> Relations:
    members = [("w", from_way, "from"), ("n", 1, "via"), ("w", to_way, "to")]
    return {900: (members, {"type": "restriction", "restriction": kind, **tags})}


def bans(tmp_path: Path, relations: Relations) -> tuple[set[tuple[str, str]], list[str]]:
    twin = import_files([write_osm(tmp_path, *crossing(), relations)], "crossing")
    network = twin.network
    links = network.links.set_index("id")
    named = {(f"{links.loc[a, 'from_node']}>{links.loc[a, 'to_node']}",
              f"{links.loc[b, 'from_node']}>{links.loc[b, 'to_node']}")
             for a, b in zip(network.turn_bans["from_link"], network.turn_bans["to_link"],
                             strict=True)}
    return named, list(twin.warnings)


def test_no_left_turn_bans_that_turn_only(tmp_path: Path) -> None:
    named, _ = bans(tmp_path, restriction("no_left_turn"))
    assert named == {("7>1", "1>3")}


def test_only_straight_on_bans_the_other_ways(tmp_path: Path) -> None:
    named, _ = bans(tmp_path, restriction("only_straight_on", to_way=18))
    assert named == {("7>1", "1>3"), ("7>1", "1>4"), ("7>1", "1>7")}


def test_routing_goes_round_a_banned_left_turn(tmp_path: Path) -> None:
    """From the west to the north without the left turn: on east to the dead end, turn back
    there (a U-turn is allowed only at a dead end) and turn right: 400 m instead of 200 m."""
    twin = import_files([write_osm(tmp_path, *crossing(), restriction("no_left_turn"))], "x")
    trips = demand_frame([0.0], ["7"], ["3"])
    run = run_mobility(twin, trips, Settings(end_time=600.0))
    trip = run.trips.iloc[0]
    assert trip["status"] == "arrived"
    assert trip["distance"] == pytest.approx(4 * ARM, rel=0.02)


@pytest.mark.parametrize(("relations", "warning"), [
    ({900: ([("w", 17, "from"), ("w", 18, "via"), ("w", 13, "to")],
            {"type": "restriction", "restriction": "no_left_turn"})}, "over a via way"),
    (restriction("no_left_turn", from_way=99), "no drivable link at the junction"),
    (restriction("no_left_turn", to_way=13, **{"except": "bicycle;motorcar"}), None),
])
def test_restrictions_that_cannot_apply_are_skipped_and_counted(tmp_path: Path, relations,
                                                                warning) -> None:
    named, warnings = bans(tmp_path, relations)
    assert not named
    if warning is None:  # not a restriction for cars: nothing to say
        assert not any("turn restrictions" in w for w in warnings)
    else:
        assert any(warning in w for w in warnings)


def test_a_restriction_leaving_no_way_on_is_not_applied(tmp_path: Path) -> None:
    """The south and east arms only lead into the crossing: banning the left turn from the
    west would leave a car from the west no way on, so the restriction is not applied."""
    nodes, ways = crossing()
    one_way_in = {"highway": "residential", "oneway": "yes"}
    ways |= {14: ([4, 1], one_way_in), 18: ([8, 1], one_way_in)}
    twin = import_files([write_osm(tmp_path, nodes, ways, restriction("no_left_turn"))], "x")
    assert not len(twin.network.turn_bans)
    assert any("would leave no way on (not applied): 1" in w for w in twin.warnings)
