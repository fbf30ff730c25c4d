"""The twin's traffic model against SUMO meso on a whole country: Liechtenstein, a day of
gravity-model trips, re-routed every 300 s in both.

- Data: the OSM extract ``<checkout>/../shared/data/liechtenstein-osm/liechtenstein-latest.osm.pbf``
  (the country and the Swiss and Austrian border region its polygon takes in).
- Ours: ``twin.importers`` on the extract (network and buildings), ``routable_network``,
  ``gravity_demand`` (seed 1; departures after its daily ``WEEKDAY_PROFILE``) and
  ``run_mobility`` re-routing every 300 s (the default share per re-routing).
- SUMO: the OSM extract as OSM XML, netconvert with ``sumo_runner.NETCONVERT_OSM_OPTIONS``,
  the same trips with each end moved to the nearest junction of netconvert's network (as
  ``tests/validation/test_osm_vs_sumo.py`` does; trips whose two ends meet at one junction are
  left out of both runs), duarouter, SUMO meso (junction control on) with every vehicle
  re-routing every 300 s.
- Both run until the end of the departure window.

Printed: trips, arrived, mean and 95th percentile travel time of each and their ratios ours /
SUMO meso; the wall time of each including routing (ours: import of network and buildings,
demand, simulation in a fresh process, the numba cache of compiled kernels on disk as a user
has it; SUMO: netconvert, duarouter and sumo, and their sum; the OSM PBF to XML conversion
netconvert needs is printed, not summed); the speed ratio SUMO / ours; our peak resident
memory (that fresh process's ``ru_maxrss``). The issue's targets: arrived within 2 % and mean
travel time within 15 % of SUMO meso; at least 30x faster including routing; peak memory under
1 GB.

    python tests/bench/bench_liechtenstein_vs_sumo.py                           # 100,000 trips, 24 h
    python tests/bench/bench_liechtenstein_vs_sumo.py --trips 300000
    python tests/bench/bench_liechtenstein_vs_sumo.py --trips 10000 --start 7 --hours 3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))

from sumo_runner import nearest_junctions, osm_net, osm_xml, route, run_sumo, write_trips
from test_osm_vs_sumo import Figures

from simulation.mobility import Settings
from twin.importers.assemble import import_files
from twin.mobility import (
    RoutableNetwork,
    demand_frame,
    gravity_demand,
    routable_network,
    run_mobility,
)
from twin.model import Twin

SOURCE = (Path(__file__).resolve().parents[3] / "shared" / "data" / "liechtenstein-osm"
          / "liechtenstein-latest.osm.pbf")
SEED = 1
REROUTE_INTERVAL = 300.0
OURS_TIMEOUT = 3600.0
"""s: the limit of our run's process (SUMO's binaries have ``sumo_runner.tool``'s)."""


@dataclass(frozen=True)
class Window:
    """Departure window [start, end) s after midnight; both models run until its end."""

    start: float
    end: float


def trips(twin: Twin, net: RoutableNetwork, n_trips: int, window: Window) -> pd.DataFrame:
    """The gravity model's trips on the twin's buildings (seeded: the same in every process)."""
    return gravity_demand(net, twin.buildings, n_trips, window.start, window.end, seed=SEED)


def ours(folder: Path, n_trips: int, window: Window) -> None:
    """Our whole run, timed, in this (fresh) process: import, demand (the trips ``keep.npy``
    marks), simulation; writes ``ours.json`` (wall times s, peak memory MB) and
    ``ours_travel.npy`` (travel time of each trip, NaN if not arrived)."""
    clock = time.perf_counter()
    twin = import_files([SOURCE], "liechtenstein")
    net = routable_network(twin)
    imported = time.perf_counter()
    demand = trips(twin, net, n_trips, window)[np.load(folder / "keep.npy")].reset_index(drop=True)
    generated = time.perf_counter()
    settings = Settings(dt=1.0, end_time=window.end - window.start, bin_width=300.0,
                        reroute_interval=REROUTE_INTERVAL, seed=SEED)
    run = run_mobility(twin, demand, settings, network=net, start=window.start)
    simulated = time.perf_counter()
    travel = run.trips["travel_time"].where(run.trips["status"] == "arrived").to_numpy(dtype=float)
    np.save(folder / "ours_travel.npy", travel)
    walls = {"import": imported - clock, "demand": generated - imported, "simulation": simulated - generated}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    (folder / "ours.json").write_text(json.dumps({"wall": walls, "peak_mb": peak_mb}))


def run_ours(folder: Path, n_trips: int, window: Window) -> tuple[np.ndarray, dict[str, float], float]:
    """``ours`` in a fresh process: travel times, wall times s, peak memory MB."""
    subprocess.run([sys.executable, __file__, "--ours", str(folder), "--trips", str(n_trips),
                    "--start", str(window.start / 3600.0), "--hours", str((window.end - window.start) / 3600.0)],
                   check=True, timeout=OURS_TIMEOUT)
    result = json.loads((folder / "ours.json").read_text())
    return np.load(folder / "ours_travel.npy"), result["wall"], result["peak_mb"]


def sumo_trips(folder: Path, n_trips: int, window: Window) -> tuple[pd.DataFrame, Path, dict[str, float]]:
    """The trips with their ends at netconvert's junctions (departures from the window's start),
    netconvert's network and the wall times of its making, s; writes ``keep.npy`` (the trips
    both models run)."""
    twin = import_files([SOURCE], "liechtenstein")
    net = routable_network(twin)
    demand = trips(twin, net, n_trips, window)
    clock = time.perf_counter()
    osm = osm_xml(SOURCE, folder)
    walls = {"OSM PBF -> XML": time.perf_counter() - clock}
    sumo_net, walls["netconvert"] = osm_net(folder, osm)
    origin, _ = nearest_junctions(twin, net, sumo_net, demand["origin"].to_numpy())
    destination, _ = nearest_junctions(twin, net, sumo_net, demand["destination"].to_numpy())
    keep = origin != destination
    np.save(folder / "keep.npy", keep)
    departure = demand["departure"].to_numpy()[keep] - window.start
    return demand_frame(departure, origin[keep], destination[keep]), sumo_net, walls


def run_meso(folder: Path, n_trips: int, window: Window) -> tuple[np.ndarray, dict[str, float], int]:
    """SUMO's whole run: travel times, wall times s (netconvert, duarouter, sumo), teleports."""
    demand, sumo_net, walls = sumo_trips(folder, n_trips, window)
    trips_file = write_trips(folder / "trips.xml", demand)
    clock = time.perf_counter()
    routes = route(folder, sumo_net, trips_file)
    walls["duarouter"] = time.perf_counter() - clock
    meso = run_sumo(folder, sumo_net, routes, len(demand), meso=True, reroute_period=REROUTE_INTERVAL,
                    end=window.end - window.start)
    walls["sumo meso"] = meso.wall_s
    return meso.travel_time, walls, meso.teleports


def report(n_trips: int, window: Window, ours_run: tuple[np.ndarray, dict[str, float], float],
           meso_run: tuple[np.ndarray, dict[str, float], int]) -> None:
    """Print the figures and the ratios ours / SUMO meso."""
    travel, ours_wall, peak_mb = ours_run
    meso_travel, meso_wall, teleports = meso_run
    mine, theirs = Figures.of(travel), Figures.of(meso_travel)
    print(f"Liechtenstein, {n_trips} gravity trips departing {window.start / 3600:g}-{window.end / 3600:g} h, "
          f"{travel.size} run by both (the others start and end at one of netconvert's junctions), "
          f"re-routing every {REROUTE_INTERVAL:g} s")
    print(mine.line("ours"))
    print(theirs.line("SUMO meso") + f"  teleports {teleports}")
    print(f"ours / SUMO meso: arrived {mine.arrived / theirs.arrived:.3f}, mean {mine.mean / theirs.mean:.3f}, "
          f"p95 {mine.p95 / theirs.p95:.3f}")
    conversion = meso_wall.pop("OSM PBF -> XML")
    ours_s, meso_s = sum(ours_wall.values()), sum(meso_wall.values())
    print("wall ours: " + ", ".join(f"{k} {v:.1f} s" for k, v in ours_wall.items()) + f"; total {ours_s:.1f} s")
    print("wall SUMO: " + ", ".join(f"{k} {v:.1f} s" for k, v in meso_wall.items())
          + f"; total {meso_s:.1f} s (OSM PBF -> XML for netconvert {conversion:.1f} s, not counted)")
    print(f"speed SUMO / ours: {meso_s / ours_s:.2f}x")
    print(f"peak memory ours: {peak_mb:.0f} MB")
    checks = (("arrived within 2 % of SUMO meso", abs(mine.arrived / theirs.arrived - 1) <= 0.02),
              ("mean travel time within 15 % of SUMO meso", abs(mine.mean / theirs.mean - 1) <= 0.15),
              ("at least 30x faster including routing", meso_s / ours_s >= 30.0),
              ("peak memory under 1 GB", peak_mb < 1024.0))
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT MET'}" for name, ok in checks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=100_000, help="trips to generate")
    parser.add_argument("--start", type=float, default=0.0, help="start of the departure window, h")
    parser.add_argument("--hours", type=float, default=24.0, help="departure window and run length, h")
    parser.add_argument("--ours", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    window = Window(args.start * 3600.0, (args.start + args.hours) * 3600.0)
    if args.ours is not None:
        ours(args.ours, args.trips, window)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        meso_run = run_meso(folder, args.trips, window)
        report(args.trips, window, run_ours(folder, args.trips, window), meso_run)


if __name__ == "__main__":
    main()
