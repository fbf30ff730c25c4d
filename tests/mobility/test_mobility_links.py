"""Link model validation against kinematic wave theory: free flow, bottleneck, shock, spillback."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_networks import KMH, corridor

from simulation.mobility import Demand, Settings, SignalPlan, simulate, triangular

V = 50 * KMH


def _uniform_demand(rate: float, n: int, origin: int, destination: int, t0: float = 0.0) -> Demand:
    dep = t0 + np.arange(n) / rate
    return Demand(dep, np.full(n, origin, np.int32), np.full(n, destination, np.int32))


def _first_entry(result, n_vehicles: int, link: int) -> np.ndarray:
    """Earliest sample time at which each vehicle was seen on ``link`` (inf if never)."""
    p = result.positions
    m = p.link == link
    first = np.full(n_vehicles, np.inf)
    np.minimum.at(first, p.vehicle[m], p.time[m])
    return first


def test_lone_vehicle_travels_at_free_flow_time() -> None:
    lengths = [312.0, 95.5, 540.0, 201.3]
    speeds = np.array([50, 30, 70, 50]) * KMH
    g = corridor(lengths, [2, 1, 2, 1], speed=speeds)
    dt = 1.0
    r = simulate(g, Demand([17.3], [0], [4]), Settings(dt=dt, end_time=600))
    expected = float(np.sum(np.array(lengths) / speeds))
    assert r.trips.status[0] == 3
    assert abs(r.trips.travel_time[0] - expected) <= dt
    assert r.trips.distance[0] == sum(lengths)


def test_bottleneck_discharges_at_capacity_and_queue_tail_moves_at_shock_speed() -> None:
    n_up, L = 10, 200.0
    # ten 2-lane links feed a 1-lane link: capacity drops from 3600 to 1800 veh/h
    g = corridor([L] * n_up + [300.0], [2] * n_up + [1])
    q1 = 0.75  # veh/s demand, between the two capacities
    n = 1200
    dt = 1.0
    d = _uniform_demand(q1, n, 0, n_up + 1)
    r = simulate(g, d, Settings(dt=dt, end_time=3000, bin_width=60, sample_interval=dt))
    assert r.trips.n_arrived == n

    # discharge of the bottleneck from the arrivals of the congested period
    arr = np.sort(r.trips.arrival)
    rate = (1000 - 100) / (arr[1000] - arr[100]) * 3600.0
    assert abs(rate - 1800.0) <= 0.02 * 1800.0

    # Rankine-Hugoniot shock between the upstream free-flow state (q1, k1) and the congested
    # state at the bottleneck's discharge q2 on the 2-lane diagram
    q_max, k_jam = 1.0, 2 * 0.15
    w = q_max / (k_jam - q_max / V)
    k1 = q1 / V
    q2 = 0.5
    k2 = k_jam - q2 / w
    shock = (q2 - q1) / (k2 - k1)  # m/s, negative: the tail moves upstream

    # the tail passes node i (x = i L) when vehicles entering link i start to be delayed
    x, t_tail = [], []
    for i in range(1, n_up + 1):
        first = _first_entry(r, n, i)
        delay = first - (d.departure + i * L / V)
        late = np.nonzero(np.isfinite(first) & (delay > 3.0))[0]
        assert late.size
        x.append(i * L)
        t_tail.append(first[late[0]])
    measured = np.polyfit(t_tail, x, 1)[0]
    # each boundary time is resolved to one step plus one congested headway; boundaries are
    # L / |shock| apart, which bounds the relative error of the fitted speed
    tol = (dt + 1.0 / q2) * abs(shock) / L
    assert abs(measured - shock) <= tol * abs(shock), (measured, shock, tol)


def test_spillback_blocks_upstream_link_at_downstream_discharge() -> None:
    # A (2 lanes) -> B (1 lane, 100 m, stores 15 veh) -> C (1 lane, 600 veh/h) -> destination
    g = corridor([300.0, 100.0, 300.0], [2, 1, 1], cap_per_lane=np.array([1800.0, 1800.0, 600.0]))
    d = _uniform_demand(1500 / 3600, 700, 0, 3)
    r = simulate(g, d, Settings(end_time=2400, bin_width=20.0))
    lk = r.links
    # B fills up to the congested state of its diagram at C's discharge q_c:
    # k = k_jam - q_c / w (a discharging queue is not at jam density), and stays there
    q_c, k_jam = 600 / 3600, 0.15
    w_b = 0.5 / (k_jam - 0.5 / V)
    on_b = (k_jam - q_c / w_b) * 100.0
    late = slice(24, 72)  # 480-1440 s: B is full, A still fed by demand
    veh_b = lk.density[late, 1] / 1000.0 * 100.0
    assert np.all(np.abs(veh_b - on_b) <= 1.0)
    assert lk.queue[late, 0].mean() > 50
    # A's outflow drops to C's discharge, measured over the whole period (integer vehicles)
    out_a = lk.outflow[late, 0].mean()
    out_c = lk.outflow[late, 2].mean()
    assert abs(out_c - 600.0) <= 0.02 * 600.0
    assert abs(out_a - out_c) <= 0.02 * 600.0
    # before B filled (about 60 s) A discharged its inflow of 1500 veh/h
    assert lk.outflow[2, 0] > 1200.0
    assert r.trips.n_arrived + r.trips.n_stuck == 700  # the rest still queue at 2400 s


def test_link_outputs_have_units_of_the_fundamental_diagram() -> None:
    g = corridor([500.0], [1])
    rate = 900 / 3600
    d = _uniform_demand(rate, 400, 0, 1)
    r = simulate(g, d, Settings(end_time=2000, bin_width=300))
    lk = r.links
    # steady free flow in bins 1-4: q = 900 veh/h, v = 50 km/h, k = q / v = 18 veh/km
    assert np.allclose(lk.inflow[1:5, 0], 900.0, rtol=0.02)
    assert np.allclose(lk.outflow[1:5, 0], 900.0, rtol=0.02)
    assert np.allclose(lk.speed[1:5, 0], 50.0, rtol=0.02)
    assert np.allclose(lk.density[1:5, 0], 18.0, rtol=0.03)
    assert np.all(lk.queue[1:5, 0] < 0.5)
    assert lk.bin_start[1] == 300.0


@pytest.mark.parametrize("feed", ["signal", "chain"])
def test_short_links_pass_their_capacity(feed) -> None:
    # 11 m, 1 lane, 50 km/h: 1.65 vehicles of jam storage and a free-flow time under the 1 s
    # step; fed saturated through a signal (green 30 s of 60) or as a chain of four
    short = 11.0
    n_short = 1 if feed == "signal" else 4
    lengths = [300.0] + [short] * n_short + [300.0]
    g = corridor(lengths, [2] + [1] * n_short + [2])
    model = triangular(g, 0.15, 1.0)
    assert model.storage.min() >= 2.0
    plan = None
    green = 1.0
    if feed == "signal":
        cycle = np.zeros(g.n_nodes)
        cycle[1] = 60.0
        green_start = np.full(g.n_links, np.nan)
        green_end = np.full(g.n_links, np.nan)
        green_start[0], green_end[0] = 0.0, 30.0
        plan = SignalPlan(cycle=cycle, offset=np.zeros(g.n_nodes), green_start=green_start,
                          green_end=green_end)
        green = 0.5
    d = _uniform_demand(1.0, 3000, 0, len(lengths))  # 3600 veh/h: the short links saturate
    r = simulate(g, d, Settings(end_time=1800.0, bin_width=60.0), plan)
    out = r.links.outflow[5:25, 1:1 + n_short].mean(axis=0)  # 20 whole cycles, queue formed
    due = 1800.0 * green
    assert np.all(np.abs(out - due) <= 0.02 * due), (out, due)
