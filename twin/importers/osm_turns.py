"""OpenStreetMap turn restrictions as banned turns between the links of the road network.

A relation ``type=restriction`` names a ``from`` way, a ``via`` node and a ``to`` way (OSM wiki,
"Relation:restriction"). ``no_*`` (``no_left_turn``, ``no_right_turn``, ``no_straight_on``,
``no_u_turn``, ``no_entry``, ``no_exit``) bans the turns from the links of the from way entering
the via node's junction into the links of the to way leaving it; ``only_*`` bans every other
turn from those links at that junction. ``restriction:motorcar`` takes precedence over
``restriction``, and a restriction whose ``except`` names ``motorcar`` does not apply to cars.
Where the via node lies in a joined junction cluster and the from (to) way lies wholly inside it,
the links entering (leaving) the cluster at another node of that way stand for it. A restriction
that would leave a link no way on at its junction (all turns banned but the U-turn) is not
applied: in a joined cluster it stands for more than the mapper meant. What cannot be placed is
skipped and counted: a via way (a restriction over several junctions),
a via node that is no junction of the network (e.g. the extract cuts the road), or from / to
ways without a drivable link at the via node. Conditional restrictions
(``restriction:conditional``) are not modelled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.model import TURN_BAN_COLUMNS, empty_table

CAR_KEYS = ("restriction:motorcar", "restriction")
"""Tags naming the restriction for cars, the most specific first."""


@dataclass(frozen=True)
class Restriction:
    """One turn restriction relation: its id and kind, and the OSM ids of its members."""

    relation: int
    kind: str
    from_ways: tuple[int, ...]
    via_nodes: tuple[int, ...]
    via_ways: tuple[int, ...]
    to_ways: tuple[int, ...]


def car_restriction(relation: int, tags: dict[str, str],
                    members: Iterable[tuple[str, int, str]]) -> Restriction | None:
    """The restriction a relation puts on cars, or None (not a restriction, or not for cars).

    Parameters
    ----------
    relation : int
        The relation's OSM id.
    tags : dict of str to str
        Its tags.
    members : iterable of (type, ref, role)
        Its members: type ``n`` / ``w`` / ``r``, OSM id and role.

    Returns
    -------
    Restriction or None
        The restriction, kind e.g. ``no_left_turn``.
    """
    if tags.get("type") != "restriction":
        return None
    kind = next((tags[key] for key in CAR_KEYS if key in tags), "")
    if not kind.startswith(("no_", "only_")):
        return None
    if "motorcar" in tags.get("except", "").split(";"):
        return None
    by_role: dict[tuple[str, str], list[int]] = {}
    for kind_of, ref, role in members:
        by_role.setdefault((kind_of, role), []).append(int(ref))
    return Restriction(relation, kind, tuple(by_role.get(("w", "from"), ())),
                       tuple(by_role.get(("n", "via"), ())), tuple(by_role.get(("w", "via"), ())),
                       tuple(by_role.get(("w", "to"), ())))


@dataclass(frozen=True)
class LinkEnds:
    """Per directed link: its id, its tail and head junction ids, the OSM way of its first and
    of its last stretch, and the OSM nodes it starts and ends at (the member of a joined
    junction it reaches); ``way_nodes``: the OSM nodes of every way."""

    ids: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    first_way: np.ndarray
    last_way: np.ndarray
    first_node: np.ndarray
    last_node: np.ndarray
    way_nodes: dict[int, set[int]]

    def on_ways(self, at: np.ndarray, way: np.ndarray, node: np.ndarray,
                ways: tuple[int, ...], via: int) -> np.ndarray:
        """Ids of the links ``at`` the junction whose end stretch is on one of ``ways``, else
        (a way inside a joined junction) whose end node is one of its nodes but ``via``."""
        named = at & np.isin(way, ways)
        if not named.any():
            on_way = set().union(*(self.way_nodes.get(w, set()) for w in ways)) - {via}
            named = at & np.isin(node, list(on_way))
        return self.ids[named]

    def ways_on(self, entering: np.ndarray, leaving_at: np.ndarray, banned: np.ndarray) -> bool:
        """Whether every link of ``entering`` keeps a way on other than a U-turn when the
        links ``banned`` are banned after it."""
        leaving, leaving_head = self.ids[leaving_at], self.head[leaving_at]
        open_ = ~np.isin(leaving, banned)
        for tail in self.tail[np.isin(self.ids, entering)]:
            if not (open_ & (leaving_head != tail)).any():
                return False
        return True


def turn_bans(restrictions: Sequence[Restriction], ends: LinkEnds,
              junction_of: dict[int, str], notes: Counter[str]) -> pd.DataFrame:
    """The banned turns (``TURN_BAN_COLUMNS``) of the restrictions; what cannot be placed is
    counted in ``notes``.

    Parameters
    ----------
    restrictions : sequence of Restriction
        The car restrictions of the extract.
    ends : LinkEnds
        The network's directed links.
    junction_of : dict of int to str
        The junction id of each OSM node that is (or is part of) a junction.
    notes : Counter
        Receives the counts of restrictions skipped, by reason.

    Returns
    -------
    pandas.DataFrame
        One row per banned turn: ``from_link``, ``to_link`` and ``source``
        (``relation/ID kind``).
    """
    rows: list[tuple[str, str, str]] = []
    for r in restrictions:
        if r.via_ways or len(r.via_nodes) != 1 or not r.from_ways or not r.to_ways:
            notes["turn restrictions over a via way or with missing members (skipped)"] += 1
            continue
        junction = junction_of.get(r.via_nodes[0])
        if junction is None:
            notes["turn restrictions whose via node is no junction of the network (skipped)"] += 1
            continue
        via = r.via_nodes[0]
        entering = ends.on_ways(ends.head == junction, ends.last_way, ends.last_node,
                                r.from_ways, via)
        leaving_at = ends.tail == junction
        named = ends.on_ways(leaving_at, ends.first_way, ends.first_node, r.to_ways, via)
        if not entering.size or not named.size:
            notes["turn restrictions whose ways have no drivable link at the junction "
                  "(skipped)"] += 1
            continue
        banned = named if r.kind.startswith("no_") else np.setdiff1d(ends.ids[leaving_at], named)
        if r.kind.startswith("no_") and not ends.ways_on(entering, leaving_at, banned):
            notes["turn restrictions that would leave no way on (not applied)"] += 1
            continue
        source = f"relation/{r.relation} {r.kind}"
        rows += [(a, b, source) for a in entering for b in banned]
    if not rows:
        return empty_table(TURN_BAN_COLUMNS)
    frame = pd.DataFrame(rows, columns=list(TURN_BAN_COLUMNS)).astype(TURN_BAN_COLUMNS)
    return frame.drop_duplicates(["from_link", "to_link"]).reset_index(drop=True)
