"""How long this process has been running, to tell start-up time from the work a command did."""

from __future__ import annotations

import os
from pathlib import Path


def process_seconds() -> float | None:
    """Seconds since this process started (read from Linux's /proc); None where unknown.

    Returns
    -------
    float or None
        Wall-clock time since the process started [s], to 1/100 s.
    """
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        uptime = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    after_name = stat[stat.rindex(")") + 2:].split()  # fields 3.. of proc(5)
    start_ticks = int(after_name[22 - 3])  # field 22: starttime, in clock ticks after boot
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
