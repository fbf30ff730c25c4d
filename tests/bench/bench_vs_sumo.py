"""The twin's traffic kernel against SUMO micro and meso on the full-size validation case.

netgenerate's 10x10 grid (200 m blocks, 2 lanes, guessed traffic lights: 42/3/42/3 s), 20,000
random junction-to-junction trips departing uniformly within one hour (seed 42), the same trips
in all three models (see ``tests/validation/sumo_runner.py``). The net goes through
``twin.importers.sumo`` -> Twin -> ``twin.mobility`` -> kernel unchanged. Routes fixed at free
flow: duarouter's, driven by all three (the kernel takes them as the demand's ``route``
column; ``reroute_interval=0``); the kernel with its own free-flow routes is printed too (on a
grid many paths tie exactly and the choice among them moves the queues). Or with
``--reroute S`` re-routed every S s (SUMO: every vehicle, ``--device.rerouting``; kernel: its
default share of 10 % per re-routing).
Every vehicle is a passenger car of HBEFA 4.2 class PC_petrol_Euro-6ab in SUMO and the kernel's
emission curve of that class, so the CO2 ratio compares the average-speed curve with SUMO's
instantaneous model.

Printed: wall time (the kernel warmed up, as SUMO's binaries are compiled), mean travel time
(SUMO: duration + departDelay), CO2, and their ratios kernel / SUMO; and, as a diagnostic that is
not the twin's result, the kernel on the same net with every link as long as its nodes are apart
(SUMO's vehicles drive the junction interiors the imported lane lengths leave out).

    python tests/bench/bench_vs_sumo.py              # static routes
    python tests/bench/bench_vs_sumo.py --reroute 300
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))

from sumo_runner import grid_net, random_trips, route, run_sumo, with_routes, write_trips

from simulation.mobility import Settings
from simulation.mobility.emissions import Fleet
from twin.importers.assemble import import_files
from twin.importers.base import ImportOptions
from twin.mobility import routable_network, run_mobility
from twin.model import Network

N, TRIPS, SEED = 10, 20_000, 42
PETROL = Fleet(diesel_share=0.0)


def node_to_node(twin):
    """The twin with every link as long as the straight line between its nodes (diagnostic)."""
    nodes = twin.network.nodes.set_index("id").geometry
    links = twin.network.links.copy()
    a = nodes.loc[links["from_node"]].to_numpy()
    b = nodes.loc[links["to_node"]].to_numpy()
    links["length"] = np.maximum(links["length"].to_numpy(), shapely.distance(a, b))
    return twin.replace(network=Network(twin.network.nodes, links, twin.network.signals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reroute", type=float, default=0.0, help="re-routing interval, s (0: fixed routes)")
    args = parser.parse_args()
    settings = Settings(dt=1.0, end_time=4 * 3600.0, bin_width=300.0, reroute_interval=args.reroute, seed=SEED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        net_path = grid_net(folder, N)
        twin = import_files([net_path], "grid", ImportOptions(crs=CRS.from_epsg(3857)))
        net = routable_network(twin)
        demand = random_trips(net, TRIPS, 3600.0, seed=SEED)
        routes = route(folder, net_path, write_trips(folder / "trips.xml", demand))
        print(f"{N}x{N} grid, {TRIPS} trips in 1 h, "
              + (f"re-routing every {args.reroute:g} s" if args.reroute else "routes fixed at free flow"))
        peers = {name: run_sumo(folder, net_path, routes, TRIPS, meso=name == "meso", reroute_period=args.reroute)
                 for name in ("micro", "meso")}
        run_mobility(twin, demand.iloc[:50], settings, network=net, fleet=PETROL)  # warm-up
        given = demand if args.reroute else with_routes(demand, routes)
        t0 = time.perf_counter()
        run = run_mobility(twin, given, settings, network=net, fleet=PETROL)
        wall = time.perf_counter() - t0
        kpi = run.kpis["value"]
        print(f"  kernel      wall {wall:7.2f} s (kernel {run.timings['stepping'] + run.timings['routing']:.2f} s)"
              f"  mean travel time {kpi['mean_travel_time']:6.1f} s  arrived {kpi['arrived']:.0f}"
              f"  CO2 {kpi['co2']:8.1f} kg")
        for name, peer in peers.items():
            print(f"  SUMO {name:6s} wall {peer.wall_s:7.2f} s  mean travel time {peer.mean_travel_time:6.1f} s"
                  f"  arrived {peer.arrived}  teleports {peer.teleports}  CO2 {peer.co2:8.1f} kg")
        for name, peer in peers.items():
            print(f"  kernel / SUMO {name}: wall {wall / peer.wall_s:.4f}, mean travel time "
                  f"{kpi['mean_travel_time'] / peer.mean_travel_time:.3f}, CO2 {kpi['co2'] / peer.co2:.3f}")
        if not args.reroute:
            own = run_mobility(twin, demand, settings, network=net, fleet=PETROL)
            tt = own.kpis["value"]["mean_travel_time"]
            print(f"  kernel on its own free-flow routes: mean travel time {tt:.1f} s, / SUMO micro "
                  f"{tt / peers['micro'].mean_travel_time:.3f}")
        long_twin = node_to_node(twin)
        long_run = run_mobility(long_twin, given, settings, fleet=PETROL)
        tt = long_run.kpis["value"]["mean_travel_time"]
        print(f"  diagnostic, links node to node: mean travel time {tt:.1f} s, / SUMO micro "
              f"{tt / peers['micro'].mean_travel_time:.3f}, / SUMO meso {tt / peers['meso'].mean_travel_time:.3f}")


if __name__ == "__main__":
    main()
