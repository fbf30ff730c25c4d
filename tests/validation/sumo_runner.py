"""Run SUMO (``pip install eclipse-sumo``) on the same network and trips as the twin's kernel.

The same trips for both: junction-to-junction trips (SUMO ``fromJunction`` / ``toJunction`` with
``--junction-taz``; the kernel's origin and destination nodes), each departing at its time on
the best lane at the lane's speed (the kernel has no acceleration phase at departure). SUMO's
travel time of a trip is its ``duration`` plus its ``departDelay`` (waiting to be inserted), which
is what the kernel counts from the scheduled departure.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ElementTree, SubElement

import numpy as np
import osmium
import pandas as pd
from defusedxml.ElementTree import iterparse, parse
from scipy.spatial import cKDTree

from simulation.mobility import random_demand
from twin.importers.assemble import import_files
from twin.mobility import RoutableNetwork, demand_frame, routable_network
from twin.model import SIGNAL_COLUMNS, Network, Twin

# Importing the `sumo` package would point PROJ_DATA at SUMO's own PROJ database for the whole
# process and break rasterio's CRS lookups; find it without importing it, and give SUMO's
# environment to its processes only.
SUMO_HOME = Path(importlib.util.find_spec("sumo").origin).parent
BIN = SUMO_HOME / "bin"
SUMO_PROJ = str(SUMO_HOME / "data" / "proj")
SUMO_ENV = {**os.environ, "SUMO_HOME": str(SUMO_HOME), "PROJ_DATA": SUMO_PROJ, "PROJ_LIB": SUMO_PROJ}
EMISSION_CLASS = "HBEFA4/PC_petrol_Euro-6ab"


@dataclass(frozen=True)
class SumoRun:
    """Per trip (in trip-id order = demand row order) travel time s (NaN if not arrived) and
    ideal travel time s (at the speed limits, SUMO's duration less its time loss); tailpipe CO2
    of all arrived trips, kg; the wall time of the run, s; the number of teleports."""

    travel_time: np.ndarray
    ideal_time: np.ndarray
    co2: float
    wall_s: float
    teleports: int

    @property
    def mean_travel_time(self) -> float:
        return float(np.nanmean(self.travel_time))

    @property
    def arrived(self) -> int:
        return int(np.count_nonzero(np.isfinite(self.travel_time)))


def tool(name: str, *args: str, cwd: Path) -> float:
    """Run a SUMO binary; its wall time, s. A failure raises with SUMO's own message."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / name), *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=3600, env=SUMO_ENV)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return time.perf_counter() - t0


def grid_net(folder: Path, n: int, block: float = 200.0, lanes: int = 2) -> Path:
    """netgenerate's n x n grid of ``block`` m with ``lanes`` lanes and its guessed traffic lights."""
    path = folder / f"grid{n}.net.xml"
    tool("netgenerate", "--grid", "--grid.number", str(n), "--grid.length", str(block),
         "--default.lanenumber", str(lanes), "--tls.guess", "true", "--seed", "42",
         "-o", str(path), cwd=folder)
    return path


NETCONVERT_OSM_OPTIONS = (
    "--geometry.remove", "--ramps.guess", "--junctions.join", "--tls.guess-signals",
    "--tls.discard-simple", "--tls.join", "--roundabouts.guess", "--keep-edges.by-vclass", "passenger",
)
"""netconvert's options for an OSM city (the SUMO user documentation's recommendations)."""


def osm_xml(source: Path, folder: Path) -> Path:
    """The OSM file as OSM XML (netconvert reads no ``.osm.pbf``), written by osmium."""
    path = folder / (source.name.split(".")[0] + ".osm")
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    for obj in osmium.FileProcessor(str(source)):
        if isinstance(obj, osmium.osm.Node):
            writer.add_node(obj)
        elif isinstance(obj, osmium.osm.Way):
            writer.add_way(obj)
        elif isinstance(obj, osmium.osm.Relation):
            writer.add_relation(obj)
    writer.close()
    return path


def osm_net(folder: Path, osm: Path) -> tuple[Path, float]:
    """netconvert's network of an OSM XML file with ``NETCONVERT_OSM_OPTIONS`` (and the street
    names, so that scenarios can select edges by name); its wall time, s."""
    path = folder / (osm.stem + ".net.xml")
    wall = tool("netconvert", "--osm-files", str(osm), *NETCONVERT_OSM_OPTIONS, "-o", str(path),
                "--output.street-names", "true", "--no-warnings", "true", cwd=folder)
    return path, wall


def nearest_junctions(twin: Twin, net: RoutableNetwork, sumo_net: Path,
                      node_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The id of the junction of netconvert's network nearest to each twin node (by position in
    the twin's CRS; only junctions of the net's largest strongly connected component, so that
    every trip can leave and reach them), and the distance to it, m."""
    sumo_twin = import_files([sumo_net], "netconvert", twin_crs=twin.crs)
    junctions = routable_network(sumo_twin).network.nodes
    ours = net.network.nodes.set_index("id").geometry.loc[node_ids]
    tree = cKDTree(np.column_stack([junctions.geometry.x, junctions.geometry.y]))
    distance, index = tree.query(np.column_stack([ours.x, ours.y]))
    return junctions["id"].to_numpy()[index], distance


def random_trips(net: RoutableNetwork, n_trips: int, end: float, seed: int) -> pd.DataFrame:
    """Uniformly random trips between distinct nodes departing in [0, end) s (a demand table)."""
    d = random_demand(net.graph, n_trips, 0.0, end, seed=seed)
    ids = net.node_ids
    return demand_frame(d.departure, ids[d.origin], ids[d.destination])


def write_trips(path: Path, demand: pd.DataFrame) -> Path:
    """A SUMO trips file, trip ids = demand row labels, sorted by departure; every vehicle is a
    default passenger car of emission class ``EMISSION_CLASS``."""
    root = Element("routes")
    SubElement(root, "vType", id="car", emissionClass=EMISSION_CLASS)
    for label, row in demand.sort_values("departure", kind="stable").iterrows():
        SubElement(root, "trip", id=str(label), type="car", depart=f"{row['departure']:.2f}",
                   fromJunction=str(row["origin"]), toJunction=str(row["destination"]),
                   departLane="best", departSpeed="max")
    ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return path


def route(folder: Path, net: Path, trips: Path, ignore_errors: bool = False) -> Path:
    """duarouter's fastest routes on the empty network; with ``ignore_errors`` the trips it
    finds no route for are left out (``routed_trips`` says which are in)."""
    out = folder / "routes.rou.xml"
    tool("duarouter", "-n", str(net), "--route-files", str(trips), "--junction-taz", "true",
         "-o", str(out), "--no-step-log", "true", "--seed", "42",
         "--ignore-errors", "true" if ignore_errors else "false", cwd=folder)
    return out


def routed_trips(routes: Path) -> set[str]:
    """Ids of the vehicles a routes file has a route for."""
    return {element.get("id") for _, element in iterparse(routes) if element.tag == "vehicle"}


def with_routes(demand: pd.DataFrame, routes: Path) -> pd.DataFrame:
    """The demand with duarouter's route of every trip (edge ids = twin link ids) as ``route``."""
    edges = {}
    for _, element in iterparse(routes):
        if element.tag == "vehicle":
            edges[element.get("id")] = tuple(element.find("route").get("edges").split())
    return demand.assign(route=[edges.get(str(label), ()) for label in demand.index])


def run_sumo(folder: Path, net: Path, routes: Path, n_trips: int, meso: bool = False,
             reroute_period: float = 0.0, end: float = 4 * 3600.0,
             additional: Path | None = None) -> SumoRun:
    """SUMO micro (or meso, with its junction model on) on the routes; every vehicle re-routes
    every ``reroute_period`` s if > 0; ``additional``: e.g. traffic-light programmes."""
    name = "meso" if meso else "micro"
    info, stats = folder / f"{name}.tripinfo.xml", folder / f"{name}.stats.xml"
    args = ["-n", str(net), "-r", str(routes), "--junction-taz", "true", "--end", str(end),
            "--tripinfo-output", str(info), "--statistic-output", str(stats),
            "--no-step-log", "true", "--seed", "42", "--device.emissions.probability", "1"]
    if additional is not None:
        args += ["-a", str(additional)]
    if meso:
        args += ["--mesosim", "true", "--meso-junction-control", "true"]
    if reroute_period > 0:
        args += ["--device.rerouting.probability", "1", "--device.rerouting.period", str(reroute_period)]
    wall = tool("sumo", *args, cwd=folder)
    travel, ideal = np.full(n_trips, np.nan), np.full(n_trips, np.nan)
    co2 = 0.0
    for trip in parse(info).getroot().iter("tripinfo"):
        k = int(trip.get("id"))
        travel[k] = float(trip.get("duration")) + float(trip.get("departDelay"))
        ideal[k] = float(trip.get("duration")) - float(trip.get("timeLoss"))
        co2 += float(trip.find("emissions").get("CO2_abs")) / 1e6  # mg -> kg
    teleports = parse(stats).getroot().find("teleports")
    return SumoRun(travel_time=travel, ideal_time=ideal, co2=co2, wall_s=wall,
                   teleports=int(teleports.get("total")) if teleports is not None else 0)


def two_phase_programme(twin: Twin, folder: Path, first: str, second: str,
                        green: float = 42.0, amber: float = 3.0) -> tuple[Twin, Path]:
    """A fixed-time programme ``cycle`` for the twin's (one) traffic light from the longest
    phases of its programmes ``first`` and ``second``: green, amber, green, amber; the twin with
    it in ``Network.signals`` and the SUMO additional file that loads it (the last programme
    loaded for a traffic light is the one SUMO runs)."""
    signals = twin.network.signals
    node = signals["node_id"].iloc[0]
    states = [signals[signals["program_id"] == p].sort_values("duration")["state"].iloc[-1]
              for p in (first, second)]
    phases = []
    for state in states:
        phases += [(green, state), (amber, state.replace("G", "y").replace("g", "y"))]
    root = Element("additional")
    logic = SubElement(root, "tlLogic", id=node, type="static", programID="cycle", offset="0")
    for duration, state in phases:
        SubElement(logic, "phase", duration=f"{duration:g}", state=state)
    path = folder / "cycle.add.xml"
    ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    table = pd.DataFrame({"node_id": node, "program_id": "cycle", "phase": np.arange(len(phases)),
                          "duration": [d for d, _ in phases], "state": [s for _, s in phases]})
    network = Network(twin.network.nodes, twin.network.links, table.astype(SIGNAL_COLUMNS))
    return twin.replace(network=network), path
