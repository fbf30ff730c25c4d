"""Mobility on a twin: the routable network and its signal plans, travel demand (OD matrix CSV,
gravity model from the buildings), a kernel run and its results as tables, geometry and KPIs.

    from twin.mobility import gravity_demand, routable_network, run_mobility
    net = routable_network(twin)
    demand = gravity_demand(net, twin.buildings, n_trips=5000, start=7 * 3600, end=9 * 3600, seed=1)
    run = run_mobility(twin, demand, Settings(end_time=3 * 3600, sample_interval=30), network=net)
"""

from twin.mobility.demand import DEMAND_COLUMNS, demand_frame, read_od_csv
from twin.mobility.gravity import gravity_demand
from twin.mobility.network import RoutableNetwork, routable_network
from twin.mobility.profile import WEEKDAY_PROFILE, departure_times, profile_share
from twin.mobility.results import MobilityRun
from twin.mobility.run import run_mobility
from twin.mobility.signals import SignalSummary, signal_plan

__all__ = [
    "DEMAND_COLUMNS", "WEEKDAY_PROFILE", "MobilityRun", "RoutableNetwork", "SignalSummary", "demand_frame", "departure_times",
    "gravity_demand", "profile_share", "read_od_csv", "routable_network", "run_mobility",
    "signal_plan",
]
