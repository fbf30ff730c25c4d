"""Mesoscopic, vehicle-based traffic simulation on a RoadGraph (pure numpy + numba).

Links follow Newell's simplified kinematic wave model with a triangular fundamental diagram
(link transmission model); vehicles move as individuals in FIFO queues per link; nodes share
downstream space in proportion to incoming capacities and obey fixed-time signals; routes come
from a parallel Dijkstra on current link travel times and are rebuilt during the run.

Units: s, m, veh, veh/h at the interface (capacities in the RoadGraph are veh/h over all lanes).

    from simulation.mobility import Demand, Settings, simulate
    result = simulate(graph, demand, Settings(end_time=7200, bin_width=300))
    result.links.outflow      # (n_bins, n_links) veh/h
    result.trips.travel_time  # (n_vehicles,) s, NaN if not arrived
"""

from simulation.mobility.controls import CapacityEvents, TurnCapacities
from simulation.mobility.demand import Demand, demand_from_od, random_demand
from simulation.mobility.fundamental import LinkModel, triangular
from simulation.mobility.results import LinkResults, NetworkSeries, Positions, Result, TripResults
from simulation.mobility.routing import shortest_path_tree, shortest_path_trees, trees_to
from simulation.mobility.run import simulate
from simulation.mobility.settings import Settings
from simulation.mobility.signals import SignalPlan, two_phase_plan

__all__ = [
    "CapacityEvents", "Demand", "LinkModel", "LinkResults", "NetworkSeries", "Positions", "Result",
    "Settings", "SignalPlan", "TripResults", "TurnCapacities", "demand_from_od", "random_demand",
    "shortest_path_tree", "shortest_path_trees", "simulate", "trees_to", "triangular",
    "two_phase_plan",
]
