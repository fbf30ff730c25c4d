"""Right of way at junctions without signals: the capacity of the approaches that give way.

The kernel shares a downstream link among the links entering a node in proportion to their
capacities (``simulation.mobility.nodes``); it knows no right of way, so a side street would
discharge into a main road at its full saturation flow. At ``priority`` nodes the approaches
that give way get the capacity of a minor approach of a two-way stop- or yield-controlled
junction with no conflicting traffic, 3600 / t_f per lane with the follow-up headway t_f =
``FOLLOW_UP_HEADWAY`` (3.5 s, the middle of the HCM 6th ed. base follow-up headways of 3.3 s
for right turns, 3.5 s for left turns and 4.0 s straight across from a minor street, Chapter 20):
about 1,030 veh/h per lane. Conflicting traffic lowers it further in reality; the kernel's merge
rule covers the conflicts for a shared downstream link, crossings are not modelled.

Which approaches give way follows the road classes as SUMO ranks them
(``twin.importers.road_classes.PRIORITY``): at a node where the entering links differ in rank,
those below the highest rank; where all rank the same and every link at the node is slower than
``RIGHT_BEFORE_LEFT_SPEED`` (netconvert's ``junctions.right-before-left.speed-threshold``, 49
km/h), all of them (right before left: every driver gives way to someone); else none.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from twin.importers.road_classes import priority_of
from twin.model import Network
from twin.quantities import MS_PER_KMH

FOLLOW_UP_HEADWAY = 3.5
"""s between vehicles leaving a minor approach in a queue (HCM base follow-up headway)."""
RIGHT_BEFORE_LEFT_SPEED = 49.0 * MS_PER_KMH
"""m/s: junctions of equal roads all slower than this give way to the right (netconvert)."""


def giving_way(network: Network) -> np.ndarray:
    """Mask over ``network.links``: links entering a ``priority`` node that give way there."""
    links, nodes = network.links, network.nodes
    control = dict(zip(nodes["id"], nodes["control"], strict=True))
    at_priority = links["to_node"].map(control).to_numpy() == "priority"
    rank = np.array([priority_of(c) for c in links["road_class"]], dtype=np.int64)
    speed = links["free_speed"].to_numpy(dtype=np.float64)
    frame = pd.DataFrame({"node": links["to_node"].to_numpy(), "rank": rank})
    top = frame.groupby("node")["rank"].transform("max").to_numpy()
    lowest = frame.groupby("node")["rank"].transform("min").to_numpy()
    ends = pd.concat([pd.Series(speed, index=links["to_node"].to_numpy()),
                      pd.Series(speed, index=links["from_node"].to_numpy())])
    fastest = ends.groupby(level=0).max()
    slow = fastest.reindex(links["to_node"].to_numpy()).to_numpy() < RIGHT_BEFORE_LEFT_SPEED
    entering = frame.groupby("node")["rank"].transform("size").to_numpy()
    minor = rank < top
    right_before_left = (top == lowest) & slow
    return at_priority & (entering >= 2) & (minor | right_before_left)


def with_right_of_way(network: Network) -> tuple[Network, int]:
    """(the network with the capacity of the links that give way at most the minor-approach
    capacity, number of links lowered)."""
    links = network.links
    lanes = np.maximum(links["lanes"].to_numpy(), 1)
    bound = lanes * 3600.0 / FOLLOW_UP_HEADWAY
    capacity = links["capacity"].to_numpy(dtype=np.float64)
    lowered = giving_way(network) & (capacity > bound)
    if not lowered.any():
        return network, 0
    links = links.assign(capacity=np.where(lowered, bound, capacity))
    return dataclasses.replace(network, links=links), int(lowered.sum())
