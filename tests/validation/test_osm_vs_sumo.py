"""The Helsinki sample on the twin's OSM network against SUMO on netconvert's network of the
same file: the same trips, re-routed every 300 s in both.

- Networks: ours from ``twin.importers.osm`` (``twin import`` as a user runs it); SUMO's from
  netconvert with ``sumo_runner.NETCONVERT_OSM_OPTIONS`` (``--geometry.remove --ramps.guess
  --junctions.join --tls.guess-signals --tls.discard-simple --tls.join --roundabouts.guess
  --keep-edges.by-vclass passenger``) on the same OSM data.
- Trips: 4,000 gravity-model trips from the buildings (the ``helsinki_baseline`` scenario's
  demand: seed 1, departing 07:00-10:00) between nodes of our network. Each origin and
  destination node is mapped to the nearest junction of netconvert's network (by position, in
  its largest strongly connected component), as netconvert keeps no service roads for cars;
  most trip ends stay where they are, 90 % move less than a block. Trips whose two ends map to
  the same junction, or that duarouter finds no route for on netconvert's network, are left out
  of both runs, so both simulate exactly the same trips, junction to junction (SUMO
  ``--junction-taz``).
- Runs: until 10:00 (3 h). SUMO micro and meso (junction control on) start on duarouter's
  fastest routes and every vehicle re-routes every 300 s (``--device.rerouting.probability 1
  --device.rerouting.period 300``); the kernel starts on free-flow routes and re-routes every
  300 s (the scenario's default share of 10 % per re-routing: re-routing every driver at the same
  instant makes the kernel's instantaneous travel times flip-flop, which SUMO's smoothed edge
  weights and per-vehicle periods avoid).

- Closure: the ``helsinki_mannerheimintie_closure`` scenario's interventions close the stretch in
  our twin and, applied to the import of netconvert's network (selected by the same street name
  and polygon), the same stretch there; those edges are then removed from netconvert's network.
  Both run the baseline's trips that duarouter still routes.

Tolerances from the issue (a peer's, never tuned): arrived within 2 % of SUMO meso; mean travel
time within 15 % and 95th percentile within 25 % of SUMO micro, for the baseline and the
closure; the closure's arrivals within 3 % of the baseline's. ``pytest -s`` prints the figures.

Measured with SUMO 1.28 (3,926 trips): kernel 3,872 arrived, mean / median / p95 185 / 170 /
395 s; SUMO micro 3,880, 189 / 171 / 396 s; SUMO meso 3,885, 161 / 150 / 335 s. Closure (11 of
our links, 8 of netconvert's edges; 3,524 trips routed by both): kernel 3,481, 190 / 175 / 409 s;
SUMO micro 3,482, 192 / 179 / 395 s; SUMO meso 3,492, 165 / 158 / 337 s; the kernel's arrivals
of all 3,926 trips 3,875 against 3,872 without the closure. Routing on
turns (the OSM turn restrictions, no U-turns but at dead ends, as SUMO routes) and trips spread
over the streets of all buildings brought the kernel's mean to SUMO micro's; with node-to-node
routes and trips from the few nodes nearest to homes it was 193 s against 237 s. On the network
cut at every way joint and signal node the kernel had 3,393 arrived, 468 / 280 / 2,970 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sumo_runner import (
    nearest_junctions,
    osm_net,
    osm_xml,
    route,
    routed_trips,
    run_sumo,
    tool,
    write_trips,
)

from simulation.mobility import Settings
from twin.importers.assemble import import_files
from twin.mobility import demand_frame, gravity_demand, routable_network, run_mobility
from twin.model import Twin
from twin.scenarios import apply_interventions, load_scenario

N_TRIPS = 4000
START, END = 7 * 3600.0, 10 * 3600.0
SEED = 1
REROUTE_INTERVAL = 300.0
MAX_MAPPING_DISTANCE = 100.0
"""m: a Helsinki block; most trip ends are this close to a junction of netconvert's network."""
ARRIVED_TOLERANCE = 0.02
MEAN_TOLERANCE = 0.15
P95_TOLERANCE = 0.25
CLOSURE_ARRIVED_TOLERANCE = 0.03
CLOSURE_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "helsinki_mannerheimintie_closure.toml"


@dataclass(frozen=True)
class Figures:
    """Trips arrived by the end, and the mean, median and 95th percentile of their travel
    times, s."""

    arrived: int
    mean: float
    median: float
    p95: float

    @classmethod
    def of(cls, travel_time: np.ndarray) -> Figures:
        done = travel_time[np.isfinite(travel_time)]
        return cls(done.size, float(done.mean()), float(np.median(done)),
                   float(np.percentile(done, 95)))

    def line(self, name: str) -> str:
        return (f"{name:12s} arrived {self.arrived:5d}  mean {self.mean:6.0f} s  "
                f"median {self.median:6.0f} s  p95 {self.p95:6.0f} s")


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory, shared_data: Path) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("helsinki_osm")
    source = shared_data / "helsinki-osm" / "Helsinki.osm.pbf"
    clock = time.perf_counter()
    twin = import_files([source], "helsinki")
    import_s = time.perf_counter() - clock
    net = routable_network(twin)
    sumo_net, netconvert_s = osm_net(folder, osm_xml(source, folder))
    demand = gravity_demand(net, twin.buildings, N_TRIPS, START, END, seed=SEED)
    origin, origin_m = nearest_junctions(twin, net, sumo_net, demand["origin"].to_numpy())
    destination, destination_m = nearest_junctions(twin, net, sumo_net, demand["destination"].to_numpy())
    distance = np.concatenate([origin_m, destination_m])
    keep = origin != destination
    demand = demand[keep].reset_index(drop=True)
    trips = demand_frame(demand["departure"].to_numpy() - START, origin[keep], destination[keep])
    # netconvert's network has no service roads for cars: a trip end mapped onto a junction
    # only they reach has no route there; such trips are left out of both runs
    routes = route(folder, sumo_net, write_trips(folder / "trips.xml", trips), ignore_errors=True)
    routed = routed_trips(routes)
    in_both = np.array([str(label) in routed for label in trips.index])
    demand = demand[in_both].reset_index(drop=True)
    settings = Settings(dt=1.0, end_time=END - START, bin_width=300.0,
                        reroute_interval=REROUTE_INTERVAL, seed=SEED)
    run = run_mobility(twin, demand, settings, network=net, start=START)
    travel = run.trips["travel_time"].where(run.trips["status"] == "arrived").to_numpy(dtype=float)
    sumo = {meso: run_sumo(folder, sumo_net, routes, len(trips), meso=meso,
                           reroute_period=REROUTE_INTERVAL, end=END - START)
            for meso in (False, True)}
    figures = {"kernel": Figures.of(travel), "SUMO micro": Figures.of(sumo[False].travel_time),
               "SUMO meso": Figures.of(sumo[True].travel_time)}
    print(f"\nHelsinki: {len(demand)} of {N_TRIPS} trips (the others start and end at one of "
          f"netconvert's junctions, or SUMO finds no route between them); trip ends moved to a junction by a median "
          f"{np.median(distance):.0f} m, 90 % within {np.percentile(distance, 90):.0f} m")
    print(f"import: ours {import_s:.1f} s (with buildings), netconvert {netconvert_s:.1f} s")
    for name, value in figures.items():
        print(value.line(name))
    free_flow = run.trips["free_flow_time"].to_numpy(dtype=float)
    print(f"free flow: kernel {np.nanmean(free_flow):.0f} s, SUMO micro at the speed limits "
          f"{np.nanmean(sumo[False].ideal_time):.0f} s")
    print(f"kernel waiting to enter at the end: {int(run.kpis['value']['waiting'])}; SUMO teleports: "
          f"micro {sumo[False].teleports}, meso {sumo[True].teleports}")
    return {"net": net, "figures": figures, "kept": keep, "distance": distance, "twin": twin,
            "demand": demand, "trips": trips[in_both], "sumo_net": sumo_net, "folder": folder,
            "settings": settings}


def closed_twin(twin: Twin) -> tuple[Twin, np.ndarray]:
    """``twin`` with the interventions of the Mannerheimintie closure scenario, and the ids of
    the links they close."""
    scenario = load_scenario(CLOSURE_SCENARIO)
    applied = apply_interventions(twin, scenario.interventions).twin
    links = applied.network.links
    closed = links["id"][links["capacity"] == 0].to_numpy()
    return applied, closed


@pytest.fixture(scope="module")
def closure(helsinki) -> dict[str, object]:
    """The closure scenario's links closed in both: in our twin by the scenario's interventions,
    in netconvert's network by the same interventions applied to its import (the street name and
    the polygon select its edges), which are then removed from the network (netconvert
    ``--remove-edges.explicit``). The trips are the baseline's that duarouter still routes."""
    twin, folder, settings = helsinki["twin"], helsinki["folder"], helsinki["settings"]
    closed, closed_ids = closed_twin(twin)
    sumo_closed, sumo_ids = closed_twin(import_files([helsinki["sumo_net"]], "netconvert",
                                                     twin_crs=twin.crs))
    inner = folder / "closure"
    inner.mkdir()
    sumo_net = inner / "closed.net.xml"
    tool("netconvert", "--sumo-net-file", str(helsinki["sumo_net"]), "--remove-edges.explicit",
         ",".join(sumo_ids), "-o", str(sumo_net), "--no-warnings", "true", cwd=inner)
    trips = helsinki["trips"].reset_index(drop=True)
    routes = route(inner, sumo_net, write_trips(inner / "trips.xml", trips), ignore_errors=True)
    routed = routed_trips(routes)
    in_both = np.array([str(label) in routed for label in trips.index])
    net = routable_network(closed)
    whole = run_mobility(closed, helsinki["demand"], settings, network=net, start=START)
    compared = run_mobility(closed, helsinki["demand"][in_both].reset_index(drop=True), settings,
                            network=net, start=START)
    travel = compared.trips["travel_time"].where(compared.trips["status"] == "arrived")
    sumo = {meso: run_sumo(inner, sumo_net, routes, len(trips), meso=meso,
                           reroute_period=REROUTE_INTERVAL, end=END - START)
            for meso in (False, True)}
    figures = {"kernel": Figures.of(travel.to_numpy(dtype=float)),
               "SUMO micro": Figures.of(sumo[False].travel_time[in_both]),
               "SUMO meso": Figures.of(sumo[True].travel_time[in_both])}
    print(f"\nMannerheimintie closed: {closed_ids.size} of our links, {len(sumo_ids)} of "
          f"netconvert's edges; {int(in_both.sum())} of {len(trips)} trips routed by both")
    for name, value in figures.items():
        print(value.line(name))
    arrived = int((whole.trips["status"] == "arrived").sum())
    print(f"kernel, all {len(trips)} trips: {arrived} arrived against "
          f"{helsinki['figures']['kernel'].arrived} without the closure")
    return {"figures": figures, "arrived_all": arrived, "closed_ids": closed_ids,
            "sumo_ids": sumo_ids}


def test_nearly_every_trip_is_compared_near_where_it_starts_and_ends(helsinki) -> None:
    assert helsinki["kept"].mean() >= 0.98
    assert np.percentile(helsinki["distance"], 90) <= MAX_MAPPING_DISTANCE


def test_arrived_within_2_percent_of_sumo_meso(helsinki) -> None:
    ours, meso = helsinki["figures"]["kernel"], helsinki["figures"]["SUMO meso"]
    assert abs(ours.arrived / meso.arrived - 1.0) <= ARRIVED_TOLERANCE


def test_mean_travel_time_within_15_percent_of_sumo_micro(helsinki) -> None:
    ours, micro = helsinki["figures"]["kernel"], helsinki["figures"]["SUMO micro"]
    assert abs(ours.mean / micro.mean - 1.0) <= MEAN_TOLERANCE


def test_p95_travel_time_within_25_percent_of_sumo_micro(helsinki) -> None:
    ours, micro = helsinki["figures"]["kernel"], helsinki["figures"]["SUMO micro"]
    assert abs(ours.p95 / micro.p95 - 1.0) <= P95_TOLERANCE


def test_the_closure_closes_the_same_stretch_in_both(closure) -> None:
    # both carriageways of about 250 m: a few links in ours, a few edges in netconvert's
    assert 2 <= len(closure["closed_ids"]) <= 12
    assert 2 <= len(closure["sumo_ids"]) <= 12


def test_closure_arrived_within_2_percent_of_sumo_meso(closure) -> None:
    ours, meso = closure["figures"]["kernel"], closure["figures"]["SUMO meso"]
    assert abs(ours.arrived / meso.arrived - 1.0) <= ARRIVED_TOLERANCE


def test_closure_mean_and_p95_travel_time_against_sumo_micro(closure) -> None:
    ours, micro = closure["figures"]["kernel"], closure["figures"]["SUMO micro"]
    assert abs(ours.mean / micro.mean - 1.0) <= MEAN_TOLERANCE
    assert abs(ours.p95 / micro.p95 - 1.0) <= P95_TOLERANCE


def test_closure_arrivals_within_3_percent_of_the_baseline(helsinki, closure) -> None:
    baseline = helsinki["figures"]["kernel"].arrived
    assert abs(closure["arrived_all"] / baseline - 1.0) <= CLOSURE_ARRIVED_TOLERANCE
