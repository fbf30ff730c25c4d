"""Run settings of the mesoscopic traffic simulation (all times in s)."""

from __future__ import annotations

import math
from dataclasses import dataclass

PARALLEL_MIN_LINKS = 2000
"""Networks with fewer links run on one thread unless ``Settings.threads`` says otherwise."""


def _steps(value: float, dt: float, name: str) -> int:
    """``value / dt`` as a whole number of steps, or a ValueError naming the field."""
    n = value / dt
    if abs(n - round(n)) > 1e-9 * max(1.0, n):
        raise ValueError(f"Settings.{name}: {value} s is not a whole multiple of dt = {dt} s")
    return int(round(n))


@dataclass(frozen=True)
class Settings:
    """Simulation settings.

    Attributes
    ----------
    dt : float
        Time step [s]. Keep it at or below the shortest link's free-flow travel time (the CFL
        condition of the link transmission model); shorter links still work but round their
        travel time up to whole steps and their backward wave is clamped to one step.
    end_time : float
        Simulation horizon from 0 [s]; trips departing later are never released.
    bin_width : float
        Aggregation interval of the per-link outputs [s] (a multiple of ``dt``).
    jam_density : float
        Jam density per lane [veh/m] (0.15 = 6.7 m per queued vehicle).
    reroute_interval : float
        Time between dynamic re-routings of the vehicles on the network, from the head of
        their current link [s] (0 = routes fixed at the start, on free-flow travel times); a
        multiple of ``dt``. Trips are routed at the last re-routing before they depart.
    reroute_share : float
        Share of the vehicles on the network or about to depart that take the then fastest
        route at each re-routing (seeded draw) [-]; trips without a route are always routed,
        and routes over a closed link (capacity 0) are always redone. A small share damps the
        flip-flop of all-or-nothing switching, where all drivers leave a jam for the same
        alternative and jam it in turn.
    release_after : float
        Time a vehicle may stand at the head of its link, past its free-flow exit time and
        unable to leave (its next link full, its own link closed), before it is released from
        the jam onto its next link whatever that link's receiving flow (never onto a closed
        link) [s] (0 = never); a multiple of ``dt``. The default is SUMO's
        ``--time-to-teleport``, 300 s. Releases are counted per trip
        (``TripResults.releases``).
    u_turns : bool
        Let routing turn vehicles back onto the reverse link anywhere; by default only where
        the node offers no other way on (a dead end), as in SUMO. Turns of capacity 0
        (``TurnCapacities``) are never taken.
    sample_interval : float
        Time between vehicle position samples [s] (0 = no samples); a multiple of ``dt``.
    stop_when_empty : bool
        End early once every trip has been released and has arrived.
    seed : int
        Seed of every random draw of the run (re-routing share) [-].
    threads : int or None
        Threads for the parallel loops [-]. None: routing uses all of numba's threads; the time
        steps use one thread on networks of fewer than ``PARALLEL_MIN_LINKS`` links, and on
        larger ones all threads or one, whichever the run measures to be faster per unit of
        work (each step synchronises the threads: on a machine whose cores are busy with other
        work, waiting can cost more than it saves; ``run.ThreadChoice``). A number fixes it.
        Results do not depend on it.

    Raises
    ------
    ValueError
        On construction, naming the field that is out of range or not a whole multiple of
        ``dt``.
    """

    dt: float = 1.0
    end_time: float = 3600.0
    bin_width: float = 300.0
    jam_density: float = 0.15
    reroute_interval: float = 0.0
    reroute_share: float = 0.1
    release_after: float = 300.0
    u_turns: bool = False
    sample_interval: float = 0.0
    stop_when_empty: bool = True
    seed: int = 0
    threads: int | None = None

    def __post_init__(self) -> None:
        if not (self.dt > 0 and math.isfinite(self.dt)):
            raise ValueError(f"Settings.dt: expected a time step > 0 s, got {self.dt}")
        if not (self.end_time > 0 and math.isfinite(self.end_time)):
            raise ValueError(f"Settings.end_time: expected a horizon > 0 s, got {self.end_time}")
        if not self.jam_density > 0:
            raise ValueError(f"Settings.jam_density: expected > 0 veh/m per lane, got {self.jam_density}")
        if not 0.0 <= self.reroute_share <= 1.0:
            raise ValueError(f"Settings.reroute_share: expected a share in [0, 1], got {self.reroute_share}")
        if self.bin_width <= 0:
            raise ValueError(f"Settings.bin_width: expected > 0 s, got {self.bin_width}")
        if self.reroute_interval < 0 or self.sample_interval < 0:
            raise ValueError("Settings.reroute_interval / sample_interval: expected >= 0 s")
        if not (self.release_after >= 0 and math.isfinite(self.release_after)):
            raise ValueError(f"Settings.release_after: expected >= 0 s, got {self.release_after}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"Settings.threads: expected None or >= 1, got {self.threads}")
        # whole multiples of dt, checked now for a clear message
        _ = (self.bin_steps, self.reroute_steps, self.sample_steps, self.release_steps)

    @property
    def n_steps(self) -> int:
        """Number of time steps to cover ``end_time`` [-]."""
        return int(math.ceil(self.end_time / self.dt - 1e-9))

    @property
    def bin_steps(self) -> int:
        """Time steps per output bin (at least 1) [-]."""
        return max(1, _steps(self.bin_width, self.dt, "bin_width"))

    @property
    def reroute_steps(self) -> int:
        """Time steps between re-routings (0 = none) [-]."""
        return _steps(self.reroute_interval, self.dt, "reroute_interval")

    @property
    def release_steps(self) -> int:
        """Time steps a vehicle may be blocked at a link's head before its release (0 = never)
        [-]."""
        return _steps(self.release_after, self.dt, "release_after")

    @property
    def sample_steps(self) -> int:
        """Time steps between position samples (0 = none) [-]."""
        return _steps(self.sample_interval, self.dt, "sample_interval")
