"""Node model: fixed-time signals, capacity-proportional merges, turn capacities."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_networks import corridor, grid

from simulation.graph import build_road_graph
from simulation.mobility import (
    CapacityEvents,
    Demand,
    Settings,
    SignalPlan,
    TurnCapacities,
    simulate,
    two_phase_plan,
)


@pytest.mark.parametrize("green_start,green_end,offset", [(0.0, 27.0, 0.0), (50.0, 17.5, 13.0)])
def test_signalised_approach_discharges_capacity_times_green_share(green_start, green_end,
                                                                   offset) -> None:
    g = corridor([300.0, 300.0], [1, 1])
    cycle = 60.0
    plan = SignalPlan(cycle=[0.0, cycle, 0.0], offset=[0.0, offset, 0.0],
                      green_start=[green_start, np.nan], green_end=[green_end, np.nan])
    n = 1500
    dep = np.arange(n) * 2.0  # 1800 veh/h: saturates an approach of 1800 veh/h x green share
    d = Demand(dep, np.zeros(n, np.int32), np.full(n, 2, np.int32))
    r = simulate(g, d, Settings(end_time=3600.0, bin_width=60.0), plan)
    green = (green_end - green_start) % cycle
    expected = 1800.0 * green / cycle
    out = r.links.outflow[10:50, 0]  # 40 whole cycles once the queue has formed
    assert abs(out.mean() - expected) <= 0.02 * expected
    # no vehicle crosses the stop line during red (crossings are resolved to one step, 1 s)
    t_cross = r.trips.arrival - 300.0 / g.free_speed[1]
    pos = (t_cross[np.isfinite(t_cross)] - offset) % cycle
    in_green = ((pos - green_start) % cycle) <= green + 1.0
    assert np.all(in_green)


def test_merge_shares_downstream_capacity_in_proportion_to_incoming_capacities() -> None:
    # two approaches (3600 and 1800 veh/h) merge into one 1-lane link (1800 veh/h)
    x = np.array([0.0, 0.0, 300.0, 600.0])
    y = np.array([100.0, -100.0, 0.0, 0.0])
    g = build_road_graph(x, y, [0, 1, 2], [2, 2, 3], [316.2, 316.2, 300.0],
                         np.full(3, 50 / 3.6), [3600.0, 1800.0, 1800.0], [2, 1, 1])
    n = 1200
    dep = np.tile(np.arange(n // 2) * 2.0, 2)  # each approach brings 1800 veh/h
    org = np.repeat(np.array([0, 1], np.int32), n // 2)
    d = Demand(dep, org, np.full(n, 3, np.int32))
    r = simulate(g, d, Settings(end_time=1200.0, bin_width=60.0))
    out = r.links.outflow[3:15]  # both approaches queued
    share = out[:, 0].sum() / (out[:, 0].sum() + out[:, 1].sum())
    assert abs(share - 2.0 / 3.0) <= 0.02
    assert abs(out[:, 2].mean() - 1800.0) <= 0.02 * 1800.0


def test_turn_capacity_limits_one_movement_only() -> None:
    # node 1 splits traffic from link 0 to link 1 (straight) and link 2 (turn capped at 300 veh/h)
    x = np.array([0.0, 300.0, 600.0, 300.0])
    y = np.array([0.0, 0.0, 0.0, 300.0])
    g = build_road_graph(x, y, [0, 1, 1], [1, 2, 3], [300.0] * 3, np.full(3, 50 / 3.6),
                         [3600.0] * 3, [2, 2, 2])
    n = 600
    dep = np.arange(n) * 3.0  # 1200 veh/h, alternating destinations
    dst = np.where(np.arange(n) % 2 == 0, 2, 3).astype(np.int32)
    d = Demand(dep, np.zeros(n, np.int32), dst)
    turns = TurnCapacities(from_link=[0], to_link=[2], capacity=[300.0])
    r = simulate(g, d, Settings(end_time=1800.0, bin_width=300.0), turns=turns)
    assert abs(r.links.outflow[1:5, 2].mean() - 300.0) <= 0.02 * 300.0
    # FIFO: the capped turn holds back the straight-on vehicles behind it, so the link
    # discharges at twice the turn capacity
    assert abs(r.links.outflow[1:5, 1].mean() - 300.0) <= 0.02 * 300.0


def test_two_phase_plan_gives_every_junction_approach_one_green() -> None:
    g = grid(4, 4)
    plan = two_phase_plan(g, cycle=60.0, lost_time=6.0)
    cyc, _, gs, ge = plan.link_arrays(g)
    indeg = np.bincount(g.link_to, minlength=g.n_nodes)
    ctrl = indeg[g.link_to] >= 3
    assert np.all(cyc[ctrl] == 60.0) and np.all(cyc[~ctrl] == 0.0)
    assert np.allclose((ge - gs)[ctrl], 27.0)
    # opposing approaches share a phase, crossing approaches never overlap
    horizontal = np.abs(g.node_x[g.link_to] - g.node_x[g.link_from]) > 0
    assert np.all(gs[ctrl & horizontal] == 0.0) and np.all(gs[ctrl & ~horizontal] == 30.0)


def test_signal_plan_rejects_green_outside_cycle() -> None:
    g = corridor([300.0, 300.0], [1, 1])
    plan = SignalPlan(cycle=[0.0, 60.0, 0.0], offset=[0.0, 0.0, 0.0], green_start=[0.0, np.nan],
                      green_end=[70.0, np.nan])
    with pytest.raises(ValueError, match="green"):
        plan.link_arrays(g)


def test_vehicles_entering_from_an_origin_share_a_saturated_link() -> None:
    # link 0 (1800 veh/h) brings 1800 veh/h of through traffic to node 1, where 1200 veh/h more
    # depart onto link 1 (1800 veh/h): both queue, and the entering traffic competes as an
    # approach weighted by link 1's capacity, so the two alternate (zipper): 900 veh/h each
    g = corridor([300.0, 300.0], [1, 1])
    n_through, n_enter = 1800, 1200
    dep = np.concatenate([np.arange(n_through) * 2.0, np.arange(n_enter) * 3.0])
    org = np.concatenate([np.zeros(n_through, np.int32), np.ones(n_enter, np.int32)])
    d = Demand(dep, org, np.full(dep.size, 2, np.int32))
    r = simulate(g, d, Settings(end_time=3600.0, bin_width=60.0))
    both = slice(5, 55)  # both queues wait for link 1
    entering = r.links.departures[both, 1].mean()
    through = r.links.outflow[both, 0].mean()
    assert abs(entering - 900.0) <= 0.02 * 900.0, entering
    assert abs(through - 900.0) <= 0.02 * 900.0, through
    assert abs(r.links.outflow[both, 1].mean() - 1800.0) <= 0.02 * 1800.0
    # the entering trips wait in proportion to their queue, not for ever
    assert np.isfinite(r.links.entry_wait[both, 1]).all()


def test_a_vehicle_blocked_at_a_link_head_is_released_and_counted() -> None:
    # link 1 closes (capacity 0) at 40 s with three vehicles on it, before the first reaches
    # its end: without release they stay there for good; with it each waits release_after at
    # the head of link 1 (it sends nothing) and drives on, one per release_after
    g = corridor([300.0, 320.0, 300.0], [1, 1, 1])
    n = 3
    d = Demand(np.arange(n) * 5.0, np.zeros(n, np.int32), np.full(n, 3, np.int32))
    closure = CapacityEvents(time=[40.0], link=[1], capacity=[0.0])
    release = 120.0
    stuck = simulate(g, d, Settings(end_time=2000.0, release_after=0.0), events=closure)
    assert stuck.trips.n_arrived == 0 and stuck.trips.releases.sum() == 0
    r = simulate(g, d, Settings(end_time=2000.0, release_after=release), events=closure)
    assert r.trips.n_arrived == n
    assert np.all(r.trips.releases == 1) and r.trips.n_released == n
    free = float(np.sum(g.length / g.free_speed))
    # the first vehicle is blocked from its free-flow exit of link 1
    assert abs(r.trips.travel_time[0] - (free + release)) <= 2.0
    # the next ones come to the head when the one ahead is released: one per release_after
    assert np.allclose(np.diff(r.trips.arrival), release, atol=2.0)


def test_nothing_is_released_onto_a_closed_link() -> None:
    # the closure holds: vehicles routed over a link closed from the start wait in front of it
    g = corridor([300.0, 320.0, 300.0], [1, 1, 1],
                 cap_per_lane=np.array([1800.0, 0.0, 1800.0]))
    d = Demand([0.0], [0], [3], route_start=[0, 3], route_links=[0, 1, 2])
    r = simulate(g, d, Settings(end_time=2000.0, release_after=120.0))
    assert r.trips.n_arrived == 0 and r.trips.releases.sum() == 0
    assert r.links.inflow[:, 1].sum() == 0.0
