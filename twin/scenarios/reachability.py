"""Which junctions cars still reach after a network intervention.

A closure can cut junctions off: a closed stretch's inner junctions, a street whose only access
was closed. The mobility run moves trip ends there to the nearest routable junction
(``twin.mobility.endpoints``); the intervention report says how much of the network was cut off.
"""

from __future__ import annotations

import numpy as np

from twin.connectivity import reachable_junctions
from twin.model import Network


def cut_off_note(before: np.ndarray, after: Network) -> str | None:
    """A report line on the junctions and open road an intervention cut off, or None.

    Parameters
    ----------
    before : ndarray of bool
        ``reachable_junctions`` of the network before the intervention (same junctions).
    after : Network
        The network after it.

    Returns
    -------
    str or None
        E.g. ``"reachability: 12 junctions and 0.31 km of open road no longer reachable by
        car; trips to them start or end at the nearest reachable junction"``; None when
        nothing was cut off.
    """
    reachable = reachable_junctions(after)
    lost = before & ~reachable
    if not lost.any():
        return None
    links = after.links
    ends = after.node_index
    tail = lost[ends.get_indexer(links["from_node"])]
    head = lost[ends.get_indexer(links["to_node"])]
    open_links = links["capacity"].to_numpy(dtype=np.float64) > 0
    km = float(links.loc[open_links & (tail | head), "length"].sum()) / 1000.0
    return (f"reachability: {int(lost.sum())} junctions and {km:.2f} km of open road no longer "
            f"reachable by car; trips to them start or end at the nearest reachable junction")
